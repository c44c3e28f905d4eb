"""Design-based survey estimates against the R ``survey`` package's published outputs.

Golden values are the printed outputs of R ``survey`` 4.5 (``cran/survey`` commit
``4834b8bc91f6414ad4514552daaed8990a86d9c1``), compared to the precision printed. The data are
the package's own (``tests/stats/fixtures/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special
from scipy import stats as scipy_stats

from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import IntervalMethod
from safecity.stats.survey import (
    ALL_RESPONDENTS,
    LonelyPsu,
    SurveyDesign,
    survey_proportion,
    survey_proportions,
    weighted_proportion,
)
from safecity.stats.survey_design import build_design, domain_means

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "apiclus1.csv")


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "apistrat.csv")


def design_mean(
    data: pd.DataFrame,
    values: pd.Series,
    weights: str,
    *,
    strata: str | None = None,
    clusters: str | None = None,
    fpc: pd.Series | str | None = None,
    group: pd.Series | None = None,
    lonely_psu: LonelyPsu = LonelyPsu.ADJUST,
) -> pd.DataFrame:
    """``svymean``/``svyby`` of a numeric variable through the survey engine."""
    design = build_design(
        length=len(data),
        strata=None if strata is None else data[strata],
        clusters=None if clusters is None else data[clusters],
        fpc=data[fpc] if isinstance(fpc, str) else fpc,
        lonely_psu=lonely_psu,
    )
    if group is None:
        codes = np.zeros(len(data), dtype=np.intp)
        keys = pd.Index(["all"])
    else:
        raw, uniques = pd.factorize(group, sort=True)
        codes = np.asarray(raw, dtype=np.intp)
        keys = pd.Index(uniques)
    means = domain_means(
        values=values.to_numpy(dtype=float),
        weights=data[weights].to_numpy(dtype=float),
        domain=codes,
        domains=len(keys),
        design=design,
    )
    return pd.DataFrame(
        {"mean": means.mean, "se": np.sqrt(means.variance), "df": means.degrees_of_freedom},
        index=keys,
    )


def test_svymean_one_stage_cluster_with_fpc(apiclus1: pd.DataFrame) -> None:
    # tests/testoutput/api.Rout.saved lines 94-96: svymean(~api00, dclus1) -> 644.17, SE 23.542
    # with dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc) (line 75).
    result = design_mean(apiclus1, apiclus1["api00"], "pw", clusters="dnum", fpc="fpc")
    assert result["mean"].iloc[0] == pytest.approx(644.17, abs=0.005)
    assert result["se"].iloc[0] == pytest.approx(23.542, abs=0.0005)
    assert result["df"].iloc[0] == 14  # degf(dclus1): 15 districts - 1 stratum


def test_svymean_stratified_with_fpc(apistrat: pd.DataFrame) -> None:
    # tests/testoutput/api.Rout.saved lines 66-68: svymean(~api00, dstrat) -> 662.29, SE 9.4089
    # dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc) (line 40).
    result = design_mean(apistrat, apistrat["api00"], "pw", strata="stype", fpc="fpc")
    assert result["mean"].iloc[0] == pytest.approx(662.29, abs=0.005)
    assert result["se"].iloc[0] == pytest.approx(9.4089, abs=0.00005)


def test_svymean_two_stage_with_replacement_uses_the_first_stage() -> None:
    # tests/testoutput/api.Rout.saved lines 149-151: svymean(~api00, dclus2wr) -> 670.81,
    # SE 30.712; dclus2wr <- svydesign(id=~dnum+snum, weights=~pw, data=apiclus2) (line 131).
    data = pd.read_csv(FIXTURES / "apiclus2.csv")
    result = design_mean(data, data["api00"], "pw", clusters="dnum")
    assert result["mean"].iloc[0] == pytest.approx(670.81, abs=0.005)
    assert result["se"].iloc[0] == pytest.approx(30.712, abs=0.0005)


def test_lonely_psu_fail_names_the_stratum(apiclus1: pd.DataFrame) -> None:
    # tests/lonely.psu.Rout.save lines 54-57: options(survey.lonely.psu="fail") ->
    # "Stratum (413) has only one PSU at stage 1" for svydesign(id=~1, strata=~dnum, ...).
    with pytest.raises(StatisticsInputError, match="stratum 413 has only one PSU"):
        design_mean(apiclus1, apiclus1["api00"], "pw", strata="dnum", lonely_psu=LonelyPsu.FAIL)


def test_lonely_psu_adjust(apiclus1: pd.DataFrame) -> None:
    # tests/lonely.psu.Rout.save lines 75-78: survey.lonely.psu="adjust" -> 644.17, SE 5.8281.
    result = design_mean(apiclus1, apiclus1["api00"], "pw", strata="dnum")
    assert result["mean"].iloc[0] == pytest.approx(644.17, abs=0.005)
    assert result["se"].iloc[0] == pytest.approx(5.8281, abs=0.00005)


def test_certainty_stratum_by_fpc_is_not_lonely(apiclus1: pd.DataFrame) -> None:
    # tests/lonely.psu.Rout.save lines 91 and 117-120: fpc 1 for district 413 (its one school
    # is the whole stratum), 1000 elsewhere: "fail" does not fail, SE 5.7344.
    fpc = pd.Series(np.where(apiclus1["dnum"] == 413, 1.0, 1000.0))
    result = design_mean(
        apiclus1, apiclus1["api00"], "pw", strata="dnum", fpc=fpc, lonely_psu=LonelyPsu.FAIL
    )
    assert result["se"].iloc[0] == pytest.approx(5.7344, abs=0.00005)


def test_domains_keep_the_whole_design_stratified_clusters() -> None:
    # tests/domain.Rout.save lines 42-45: svyby(~x, ~I(x>4), design=dfpc, svymean) with
    # dfpc <- svydesign(id=~psuid, strat=~stratid, weight=~weight, data=fpc, nest=TRUE):
    # FALSE 3.314286 (se 0.3117042), TRUE 6.195000 (se 0.7555129).
    data = pd.read_csv(FIXTURES / "fpc.csv")
    result = design_mean(
        data, data["x"], "weight", strata="stratid", clusters="psuid", group=data["x"] > 4
    )
    assert result["mean"].tolist() == pytest.approx([3.314286, 6.195000], abs=5e-7)
    assert result["se"].tolist() == pytest.approx([0.3117042, 0.7555129], abs=5e-8)
    # R's domain.Rout.save lines 37-39: svymean(~x, subset(dfpc, x>4)) gives the same 0.7555.
    subset = design_mean(
        data, data["x"].where(data["x"] > 4), "weight", strata="stratid", clusters="psuid"
    )
    assert subset["se"].iloc[0] == pytest.approx(0.7555, abs=0.00005)


def test_domains_of_a_cluster_sample_with_fpc(apiclus1: pd.DataFrame) -> None:
    # inst/doc/survey.pdf p. 4 (survey.Rnw line 74): svyby(~ell+meals, ~stype, design=dclus1,
    # svymean) -> E 29.69444 53.09028 (se 1.411617 7.070399), H 15.00000 37.57143
    # (5.347065 5.912262), M 22.68000 43.08000 (2.952862 6.017110).
    ell = design_mean(
        apiclus1, apiclus1["ell"], "pw", clusters="dnum", fpc="fpc", group=apiclus1["stype"]
    )
    meals = design_mean(
        apiclus1, apiclus1["meals"], "pw", clusters="dnum", fpc="fpc", group=apiclus1["stype"]
    )
    assert ell["mean"].tolist() == pytest.approx([29.69444, 15.00000, 22.68000], abs=5e-6)
    assert ell["se"].tolist() == pytest.approx([1.411617, 5.347065, 2.952862], abs=5e-7)
    assert meals["mean"].tolist() == pytest.approx([53.09028, 37.57143, 43.08000], abs=5e-6)
    assert meals["se"].tolist() == pytest.approx([7.070399, 5.912262, 6.017110], abs=5e-7)


def independent_taylor(
    response: np.ndarray, weights: np.ndarray, strata: np.ndarray, clusters: np.ndarray
) -> tuple[float, float]:
    """Textbook linearised variance of Σwy/Σw, written out stratum by stratum (with
    replacement): Var = Σ_h n_h/(n_h−1) Σ_i (z_hi − z̄_h)², z_hi = Σ_{j∈i} w_j(y_j − p)/Σw."""
    valid = ~np.isnan(response)
    p = float(np.sum(weights[valid] * response[valid]) / np.sum(weights[valid]))
    total_weight = float(np.sum(weights[valid]))
    variance = 0.0
    for stratum in np.unique(strata):
        in_stratum = strata == stratum
        psu_totals = []
        for cluster in np.unique(clusters[in_stratum]):
            rows = in_stratum & (clusters == cluster) & valid
            psu_totals.append(float(np.sum(weights[rows] * (response[rows] - p)) / total_weight))
        totals = np.array(psu_totals)
        n_h = totals.size
        variance += n_h / (n_h - 1) * float(np.sum((totals - totals.mean()) ** 2))
    return p, float(np.sqrt(variance))


def test_survey_proportion_matches_a_written_out_computation(apistrat: pd.DataFrame) -> None:
    rng = np.random.default_rng(12)
    clusters = rng.integers(0, 8, size=len(apistrat))
    response = (apistrat["sch.wide"] == "Yes").to_numpy(dtype=float)
    response[rng.random(len(response)) < 0.1] = np.nan
    weights = apistrat["pw"].to_numpy()
    strata = apistrat["stype"].to_numpy()
    expected_value, expected_se = independent_taylor(response, weights, strata, clusters)
    result = survey_proportion(
        response=response,
        weights=weights,
        strata=strata,
        clusters=clusters,
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    assert result["value"] == pytest.approx(expected_value, rel=1e-12)
    assert result["standard_error"] == pytest.approx(expected_se, rel=1e-10)
    answered = ~np.isnan(response)
    psus = len(set(zip(strata[answered], clusters[answered], strict=True)))
    degrees = psus - 3
    quantile = scipy_stats.t.ppf(0.975, degrees)
    logit_se = expected_se / (expected_value * (1 - expected_value))
    assert result["lower_ci"] == pytest.approx(
        special.expit(special.logit(expected_value) - quantile * logit_se), rel=1e-10
    )
    assert result["upper_ci"] == pytest.approx(
        special.expit(special.logit(expected_value) + quantile * logit_se), rel=1e-10
    )
    assert result["method"] is IntervalMethod.TAYLOR_LOGIT
    n = int(np.sum(~np.isnan(response)))
    assert result["unweighted_base"] == n
    srs = expected_value * (1 - expected_value) / (n - 1)
    assert result["design_effect"] == pytest.approx(expected_se**2 / srs, rel=1e-10)
    assert result["effective_sample_size"] == pytest.approx(n * srs / expected_se**2, rel=1e-10)


def test_subgroups_are_domains_not_subsets(apiclus1: pd.DataFrame) -> None:
    response = (apiclus1["sch.wide"] == "Yes").astype(float)
    by_type = survey_proportion(
        response=response,
        weights=apiclus1["pw"],
        group=apiclus1["stype"],
        clusters=apiclus1["dnum"],
        fpc=apiclus1["fpc"],
        design=SurveyDesign.TAYLOR,
    )
    assert list(by_type.index) == ["E", "H", "M"]
    for key in by_type.index:
        masked = response.where(apiclus1["stype"] == key)
        domain = survey_proportion(
            response=masked,
            weights=apiclus1["pw"],
            clusters=apiclus1["dnum"],
            fpc=apiclus1["fpc"],
            design=SurveyDesign.TAYLOR,
        ).iloc[0]
        assert by_type.loc[key, "standard_error"] == pytest.approx(domain["standard_error"])
    # Dropping the other school types' rows loses the districts without high schools and
    # changes the variance: subsetting is not domain estimation.
    high = apiclus1["stype"] == "H"
    dropped = survey_proportion(
        response=response[high],
        weights=apiclus1.loc[high, "pw"],
        clusters=apiclus1.loc[high, "dnum"],
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    assert dropped["standard_error"] != pytest.approx(by_type.loc["H", "standard_error"])


def test_weighted_totals_of_a_domain(apiclus1: pd.DataFrame) -> None:
    # inst/doc/survey.pdf p. 2: svytotal(~stype, dclus1) -> E 4873.97, H 473.86, M 846.17.
    result = survey_proportion(
        response=np.ones(len(apiclus1)),
        weights=apiclus1["pw"],
        group=apiclus1["stype"],
        design=SurveyDesign.KISH,
    )
    assert result["weighted_base"].tolist() == pytest.approx([4873.97, 473.86, 846.17], abs=0.005)


def test_kish_design_reproduces_weighted_proportion() -> None:
    rng = np.random.default_rng(3)
    response = rng.integers(0, 2, 500).astype(float)
    response[rng.random(500) < 0.05] = np.nan
    weights = rng.uniform(0.3, 3.0, 500)
    group = rng.choice(["a", "b", "c"], 500)
    new = survey_proportion(
        response=response, weights=weights, group=group, design=SurveyDesign.KISH
    )
    old = weighted_proportion(response=response, weights=weights, group=group).sort_index()
    for column in ("value", "lower_ci", "upper_ci", "design_effect", "effective_sample_size"):
        assert new[column].to_numpy() == pytest.approx(old[column].to_numpy(), rel=1e-12)
    assert new["unweighted_base"].tolist() == old["valid_n"].astype(int).tolist()


def test_methods_golden_design_effect() -> None:
    # methods.md §10 [D]: w = (1,1,2,2,4) -> deff 1.3, n_eff 3.8462.
    result = survey_proportion(
        response=[1, 0, 1, 0, 1], weights=[1, 1, 2, 2, 4], design=SurveyDesign.KISH
    ).iloc[0]
    assert round(result["design_effect"], 4) == 1.3
    assert round(result["effective_sample_size"], 4) == 3.8462


def test_share_of_zero_falls_back_to_kish_wilson_and_says_so() -> None:
    response = np.r_[np.zeros(80), np.ones(20)]
    group = np.r_[np.repeat("none", 40), np.repeat("some", 60)]
    result = survey_proportion(
        response=response, weights=np.ones(100), group=group, design=SurveyDesign.TAYLOR
    )
    zero = result.loc["none"]
    assert zero["value"] == 0.0
    assert zero["lower_ci"] == 0.0
    assert zero["upper_ci"] == pytest.approx(1.959963984540054**2 / (40 + 1.959963984540054**2))
    assert zero["method"] is IntervalMethod.WEIGHTED_WILSON
    assert result.loc["some", "method"] is IntervalMethod.TAYLOR_LOGIT


def test_empty_category_and_missing_group() -> None:
    group = pd.Categorical(["a", "a", None, "b", "b", "a"], categories=["a", "b", "c"])
    result = survey_proportion(
        response=[1, 0, 1, 1, 0, 1], weights=np.ones(6), group=group, design=SurveyDesign.TAYLOR
    )
    assert list(result.index) == ["a", "b", "c"]
    assert result["unweighted_base"].tolist() == [3, 2, 0]
    assert np.isnan(result.loc["c", "value"])
    assert result.loc["c", "method"] is IntervalMethod.NOT_CALCULATED
    overall = survey_proportion(response=[1, 0], weights=[1, 1], design=SurveyDesign.TAYLOR)
    assert list(overall.index) == [ALL_RESPONDENTS]
    assert list(overall.columns) == [
        "value",
        "lower_ci",
        "upper_ci",
        "confidence",
        "method",
        "standard_error",
        "unweighted_base",
        "weighted_base",
        "weighted_numerator",
        "design_effect",
        "effective_sample_size",
    ]


def test_invalid_inputs_are_named() -> None:
    with pytest.raises(StatisticsInputError, match="response must be 0, 1 or missing"):
        survey_proportion(response=[1, 2], weights=[1, 1], design=SurveyDesign.TAYLOR)
    with pytest.raises(StatisticsInputError, match="weights"):
        survey_proportion(response=[1, 0], weights=[1, 0], design=SurveyDesign.TAYLOR)
    with pytest.raises(StatisticsInputError, match="fpc must be constant"):
        survey_proportion(
            response=[1, 0, 1],
            weights=[1, 1, 1],
            strata=["a", "a", "b"],
            fpc=[10, 11, 10],
            design=SurveyDesign.TAYLOR,
        )
    with pytest.raises(StatisticsInputError, match="clusters must not be missing"):
        survey_proportion(
            response=[1, 0], weights=[1, 1], clusters=[1, None], design=SurveyDesign.TAYLOR
        )


@pytest.mark.parametrize("clustered", [False, True])
def test_many_measures_at_once_equal_one_at_a_time(apiclus1: pd.DataFrame, clustered: bool) -> None:
    rng = np.random.default_rng(5)
    responses = pd.DataFrame(
        {
            "zero_ell": (apiclus1["ell"] == 0).astype(float),
            "target": (apiclus1["sch.wide"] == "Yes").astype(float),
            "improved": (apiclus1["comp.imp"] == "Yes").astype(float),
        }
    )
    responses.loc[rng.random(len(responses)) < 0.2, "improved"] = np.nan
    design = {"clusters": apiclus1["dnum"], "fpc": apiclus1["fpc"]} if clustered else {}
    table = survey_proportions(
        responses=responses,
        weights=apiclus1["pw"],
        group=apiclus1["stype"],
        design=SurveyDesign.TAYLOR,
        **design,
    )
    assert table.index.names == ["measure", "group"]
    for measure in responses.columns:
        single = survey_proportion(
            response=responses[measure],
            weights=apiclus1["pw"],
            group=apiclus1["stype"],
            design=SurveyDesign.TAYLOR,
            **design,
        )
        batch = table.loc[measure]
        for column in ("value", "lower_ci", "upper_ci", "standard_error", "design_effect"):
            assert batch[column].to_numpy() == pytest.approx(
                single[column].to_numpy(), rel=1e-12, nan_ok=True
            )
        assert batch["unweighted_base"].tolist() == single["unweighted_base"].tolist()
        assert batch["method"].tolist() == single["method"].tolist()


def test_unweighted_independent_sample_has_design_effect_one() -> None:
    # Simple random sampling with replacement: Var(p) = p(1 − p)/(n − 1), so deff = 1 and
    # n_eff = n; multiplying every weight by a constant changes nothing.
    response = np.r_[np.ones(37), np.zeros(63)]
    plain = survey_proportion(
        response=response, weights=np.ones(100), design=SurveyDesign.TAYLOR
    ).iloc[0]
    assert plain["standard_error"] == pytest.approx(np.sqrt(0.37 * 0.63 / 99), rel=1e-12)
    assert plain["design_effect"] == pytest.approx(1.0, rel=1e-12)
    assert plain["effective_sample_size"] == pytest.approx(100.0, rel=1e-12)
    scaled = survey_proportion(
        response=response, weights=np.full(100, 250.0), design=SurveyDesign.TAYLOR
    ).iloc[0]
    for column in ("value", "lower_ci", "upper_ci", "standard_error", "design_effect"):
        assert scaled[column] == pytest.approx(plain[column], rel=1e-12)
    assert scaled["weighted_base"] == pytest.approx(25_000.0)
    # Five respondents without a valid answer stay in the design as PSUs with zero totals
    # (R svymean(na.rm = TRUE) keeps the design's 105 PSUs): Var = p(1 − p)·105/(104·100).
    with_missing = survey_proportion(
        response=np.r_[response, np.full(5, np.nan)],
        weights=np.ones(105),
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    assert with_missing["standard_error"] == pytest.approx(
        np.sqrt(0.37 * 0.63 * 105 / (104 * 100)), rel=1e-12
    )
    assert with_missing["unweighted_base"] == 100
