"""Survey comparisons: Rao–Scott against R ``survey::svychisq``, subgroups, waves, rankings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import IntervalMethod, SurveyTest
from safecity.stats.survey import (
    SurveyDesign,
    compare_survey_groups,
    compare_survey_waves,
    compare_weighted_proportions,
    rank_survey_options,
    survey_chisq,
    survey_proportion,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "apiclus1.csv")


def test_svychisq_second_and_first_order(apiclus1: pd.DataFrame) -> None:
    # R survey example "Tests in contingency tables",
    # http://r-survey.r-forge.r-project.org/survey/example-chisq.html (the example of
    # man/svychisq.Rd line 188): svychisq(~sch.wide + stype, dclus1) ->
    # F = 5.1934, ndf = 1.495, ddf = 20.925, p-value = 0.02175; statistic = "Chisq" ->
    # X-squared = 11.9409, df = 2, p-value = 0.005553;
    # dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc).
    result = survey_chisq(
        rows=apiclus1["sch.wide"],
        columns=apiclus1["stype"],
        weights=apiclus1["pw"],
        clusters=apiclus1["dnum"],
        fpc=apiclus1["fpc"],
    ).iloc[0]
    assert result["statistic"] == pytest.approx(5.1934, abs=0.00005)
    assert result["numerator_df"] == pytest.approx(1.495, abs=0.0005)
    assert result["denominator_df"] == pytest.approx(20.925, abs=0.0005)
    assert result["p_value"] == pytest.approx(0.02175, abs=0.000005)
    assert result["pearson"] == pytest.approx(11.9409, abs=0.00005)
    assert result["chisq_df"] == 2
    assert result["chisq_p_value"] == pytest.approx(0.005553, abs=0.0000005)
    assert result["test"] is SurveyTest.RAO_SCOTT


def test_svychisq_needs_two_categories() -> None:
    with pytest.raises(StatisticsInputError, match="two categories"):
        survey_chisq(rows=[1, 1, 1], columns=["a", "b", "a"], weights=[1, 1, 1])


def test_methods_golden_between_groups_with_newcombe() -> None:
    # methods.md §10 [D]: unweighted 700/1,400 vs 495/1,151 (50.0% vs 43.0%): z = 3.52,
    # p = 0.0004.
    response = [1] * 700 + [0] * 700 + [1] * 495 + [0] * 656
    group = ["F"] * 1400 + ["M"] * 1151
    result = compare_survey_groups(
        response=response,
        weights=np.ones(2551),
        group=group,
        first="F",
        second="M",
        design=SurveyDesign.KISH,
    ).iloc[0]
    assert round(result["statistic"], 2) == 3.52
    assert round(result["p_value"], 4) == 0.0004
    assert result["difference"] == pytest.approx(0.5 - 495 / 1151)
    assert result["test"] is SurveyTest.NEWCOMBE_EFFECTIVE
    assert result["method"] is IntervalMethod.NEWCOMBE_EFFECTIVE
    assert bool(result["significant"])
    # The design-based comparison of the same unweighted sample agrees: Rao–Scott's F is
    # Pearson's X² = z² up to the with-replacement factor n/(n − 1).
    taylor = compare_survey_groups(
        response=response,
        weights=np.ones(2551),
        group=group,
        first="F",
        second="M",
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    assert taylor["statistic"] == pytest.approx(3.5226**2 * 2550 / 2551, rel=1e-3)
    assert round(taylor["p_value"], 4) == 0.0004
    assert taylor["test"] is SurveyTest.RAO_SCOTT


def test_group_difference_keeps_the_covariance_of_shared_clusters(
    apiclus1: pd.DataFrame,
) -> None:
    response = (apiclus1["sch.wide"] == "Yes").to_numpy(dtype=float)
    weights = apiclus1["pw"].to_numpy()
    clusters = apiclus1["dnum"].to_numpy()
    stype = apiclus1["stype"].to_numpy()
    result = compare_survey_groups(
        response=response,
        weights=weights,
        group=stype,
        first="E",
        second="M",
        clusters=clusters,
        design=SurveyDesign.TAYLOR,
        test=SurveyTest.DESIGN_T,
    ).iloc[0]
    # Written out: z_i = Σ_{j∈i, E} w(y − p_E)/W_E − Σ_{j∈i, M} w(y − p_M)/W_M per district,
    # Var = n/(n − 1) Σ (z_i − z̄)² over the 15 districts.
    linearised = np.zeros(len(response))
    for key in ("E", "M"):
        rows = stype == key
        share = np.sum(weights[rows] * response[rows]) / np.sum(weights[rows])
        sign = 1.0 if key == "E" else -1.0
        linearised[rows] = sign * weights[rows] * (response[rows] - share) / np.sum(weights[rows])
    districts = np.unique(clusters)
    totals = np.array([linearised[clusters == d].sum() for d in districts])
    variance = len(districts) / (len(districts) - 1) * np.sum((totals - totals.mean()) ** 2)
    assert result["standard_error"] == pytest.approx(np.sqrt(variance), rel=1e-10)
    with_both = len(np.unique(clusters[np.isin(stype, ["E", "M"])]))
    t_df = with_both - 1 - 1
    quantile = scipy_stats.t.ppf(0.975, t_df)
    assert result["lower_ci"] == pytest.approx(result["difference"] - quantile * np.sqrt(variance))
    assert result["p_value"] == pytest.approx(
        2 * scipy_stats.t.sf(abs(result["difference"]) / np.sqrt(variance), t_df)
    )
    assert result["method"] is IntervalMethod.TAYLOR_DIFFERENCE
    assert result["test"] is SurveyTest.DESIGN_T
    assert bool(result["significant"]) == (result["p_value"] < 0.05)
    # Ignoring the covariance (treating the subgroups as independent) gives another answer.
    independent = np.hypot(
        *survey_proportion(
            response=response,
            weights=weights,
            group=stype,
            clusters=clusters,
            design=SurveyDesign.TAYLOR,
        ).loc[["E", "M"], "standard_error"]
    )
    assert independent != pytest.approx(result["standard_error"], rel=1e-3)


def test_rao_scott_pair_equals_svychisq_on_the_two_groups(apiclus1: pd.DataFrame) -> None:
    response = (apiclus1["sch.wide"] == "Yes").astype(float)
    pair = compare_survey_groups(
        response=response,
        weights=apiclus1["pw"],
        group=apiclus1["stype"],
        first="E",
        second="H",
        clusters=apiclus1["dnum"],
        fpc=apiclus1["fpc"],
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    two = apiclus1["stype"].isin(["E", "H"])
    chisq = survey_chisq(
        rows=response.where(two),
        columns=apiclus1["stype"].where(two),
        weights=apiclus1["pw"],
        clusters=apiclus1["dnum"],
        fpc=apiclus1["fpc"],
    ).iloc[0]
    assert pair["statistic"] == pytest.approx(chisq["statistic"])
    assert pair["p_value"] == pytest.approx(chisq["p_value"])
    assert chisq["numerator_df"] == pytest.approx(1.0)


def test_unknown_group_is_refused() -> None:
    with pytest.raises(StatisticsInputError, match="'X' has no respondents"):
        compare_survey_groups(
            response=[1, 0],
            weights=[1, 1],
            group=["a", "b"],
            first="a",
            second="X",
            design=SurveyDesign.TAYLOR,
        )


def test_methods_golden_between_waves() -> None:
    result = compare_survey_waves(
        value=[700 / 1400],
        effective_sample_size=[1400],
        comparator_value=[495 / 1151],
        comparator_effective_sample_size=[1151],
    ).iloc[0]
    assert round(result["z"], 2) == 3.52
    assert round(result["p_value"], 4) == 0.0004
    assert bool(result["significant"])
    assert result["test"] is SurveyTest.NEWCOMBE_EFFECTIVE


def wave(rng: np.random.Generator, share: float, size: int = 2500) -> pd.DataFrame:
    ages = rng.choice(["16-34", "35-64", "65+"], size=size, p=[0.15, 0.5, 0.35])
    weights = np.select([ages == "16-34", ages == "35-64"], [2.0, 0.9], 0.8)
    return pd.DataFrame({"response": (rng.random(size) < share).astype(float), "weight": weights})


def test_planted_change_between_waves_is_found_and_no_change_is_not() -> None:
    rng = np.random.default_rng(2021)
    estimates = {}
    for label, safe, victim in (("2021", 0.74, 0.29), ("2022", 0.66, 0.29)):
        data = wave(rng, safe)
        data["victim"] = (rng.random(len(data)) < victim).astype(float)
        estimates[label] = {
            measure: survey_proportion(
                response=data[measure], weights=data["weight"], design=SurveyDesign.TAYLOR
            ).iloc[0]
            for measure in ("response", "victim")
        }
    changed = compare_survey_waves(
        value=estimates["2022"]["response"]["value"],
        effective_sample_size=estimates["2022"]["response"]["effective_sample_size"],
        comparator_value=estimates["2021"]["response"]["value"],
        comparator_effective_sample_size=estimates["2021"]["response"]["effective_sample_size"],
    ).iloc[0]
    steady = compare_survey_waves(
        value=estimates["2022"]["victim"]["value"],
        effective_sample_size=estimates["2022"]["victim"]["effective_sample_size"],
        comparator_value=estimates["2021"]["victim"]["value"],
        comparator_effective_sample_size=estimates["2021"]["victim"]["effective_sample_size"],
    ).iloc[0]
    assert bool(changed["significant"])
    assert changed["difference"] < -0.04
    assert not bool(steady["significant"])
    assert steady["lower_ci"] < 0 < steady["upper_ci"]


def test_wave_inputs_are_checked() -> None:
    with pytest.raises(StatisticsInputError, match="proportion between 0 and 1"):
        compare_survey_waves(
            value=[74.0],
            effective_sample_size=[100],
            comparator_value=[0.7],
            comparator_effective_sample_size=[100],
        )


def test_rank_options_with_paired_tests() -> None:
    rng = np.random.default_rng(7)
    size = 3000
    options = pd.DataFrame(
        {
            "Drug dealing and use": rng.random(size) < 0.40,
            "Anti-social behaviour": rng.random(size) < 0.39,
            "Speeding": rng.random(size) < 0.20,
        }
    ).astype(float)
    options.iloc[:100] = np.nan
    weights = rng.uniform(0.5, 2.0, size)
    ranked = rank_survey_options(selections=options, weights=weights, design=SurveyDesign.TAYLOR)
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["unweighted_base"].tolist() == [2900] * 3
    top, second = ranked.iloc[0], ranked.iloc[1]
    assert top["next_option"] == second["option"]
    assert ranked["differs_from_next"].iloc[1]
    assert pd.isna(ranked["differs_from_next"].iloc[2])
    # The first pair's paired test written out for independent respondents, the 100 not
    # asked staying in the design with zero totals (R svymean on subset(design, valid)):
    # d = y_a − y_b, z_j = w_j(d_j − d̄)/Σw (0 if not asked), Var = N/(N − 1) Σ (z_j − z̄)².
    valid = options.notna().all(axis=1).to_numpy()
    paired = (options[top["option"]] - options[second["option"]]).to_numpy()
    mean = np.sum(weights[valid] * paired[valid]) / np.sum(weights[valid])
    totals = np.where(valid, weights * (paired - mean) / np.sum(weights[valid]), 0.0)
    standard_error = np.sqrt(size / (size - 1) * np.sum((totals - totals.mean()) ** 2))
    answered = int(valid.sum())
    assert top["difference_from_next"] == pytest.approx(mean)
    assert top["p_value_next"] == pytest.approx(
        2 * scipy_stats.t.sf(abs(mean) / standard_error, answered - 2)
    )
    assert bool(top["differs_from_next"]) == (top["p_value_next"] < 0.05)


def test_rank_options_by_group_and_identical_options() -> None:
    same = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    ranked = rank_survey_options(
        selections=pd.DataFrame({"a": same, "b": same, "c": 1 - same}),
        weights=np.ones(6),
        group=["x", "x", "x", "y", "y", "y"],
        design=SurveyDesign.KISH,
    )
    assert ranked["group"].tolist() == ["x", "x", "x", "y", "y", "y"]
    assert ranked["rank"].tolist() == [1, 1, 3, 1, 1, 3]
    assert pd.isna(ranked["differs_from_next"].iloc[0])
    assert ranked["method"].iloc[0] is IntervalMethod.WEIGHTED_WILSON


def test_kish_group_comparison_is_compare_weighted_proportions() -> None:
    rng = np.random.default_rng(11)
    size = 1200
    response = (rng.random(size) < 0.45).astype(float)
    response[rng.random(size) < 0.05] = np.nan
    weights = rng.uniform(0.4, 2.5, size)
    group = rng.choice(["Female", "Male", "Other"], size, p=[0.5, 0.45, 0.05])
    new = compare_survey_groups(
        response=response,
        weights=weights,
        group=group,
        first="Female",
        second="Male",
        design=SurveyDesign.KISH,
    ).iloc[0]
    old = compare_weighted_proportions(
        response=response, weights=weights, group=group, first="Female", second="Male"
    ).iloc[0]
    assert new["difference"] == pytest.approx(old["value"], rel=1e-12)
    assert new["lower_ci"] == pytest.approx(old["lower_ci"], rel=1e-12)
    assert new["upper_ci"] == pytest.approx(old["upper_ci"], rel=1e-12)
    assert new["p_value"] == pytest.approx(old["p_value"], rel=1e-12)
    assert bool(new["significant"]) == bool(old["significant"])
