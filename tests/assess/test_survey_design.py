"""Survey estimates of a wave with strata and clusters: Taylor linearisation, domains (issue 12).

The R ``survey`` package's ``api`` samples (``tests/stats/fixtures/``, public California
Department of Education data) are written into the warehouse as survey waves with SQL
(``survey_fixtures.write_api_wave``): each school a respondent weighted by ``pw``, ``sch.wide``
and ``comp.imp`` (among schools meeting ``sch.wide``) as measures, school type and enrolment as
characteristics. ``apiclus1`` is R's one-stage cluster sample of 15 districts (``dnum``: the
clusters; R ``svydesign(id=~dnum, weights=~pw)``, without the finite population correction the
warehouse does not hold); ``apistrat`` is stratified by school type, here with five clusters
per stratum (row number mod 5) so that both strata and clusters are used.

Expected values: STATS' design-based functions (``safecity.stats.survey``, themselves checked
against R's printed ``svymean``/``svyby``/``svychisq`` output in ``tests/stats``) called
directly on the same data with the whole design — and, for one group, the linearisation
written out here by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from scipy import special
from scipy import stats as scipy_stats
from survey_fixtures import Respondent, read_api, respondents, write_api_wave, write_wave

from safecity.assess.families import survey as survey_family
from safecity.assess.survey_comparisons import compare_groups, compare_waves
from safecity.assess.survey_estimates import (
    DESIGN_EFFECTIVE_NOTE,
    SurveyConfig,
    read_wave,
    survey_estimates,
)
from safecity.data.survey.loader import load_survey
from safecity.data.warehouse import Warehouse
from safecity.stats.labels import IntervalMethod, SurveyTest
from safecity.stats.survey import (
    SurveyDesign,
    compare_survey_groups,
    compare_survey_waves,
    survey_proportion,
    weighted_proportion,
)

CONFIG = SurveyConfig()


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return read_api("apiclus1")


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return read_api("apistrat")


def strat_clusters(apistrat: pd.DataFrame) -> pd.Series:
    return pd.Series(np.arange(len(apistrat)) % 5, index=apistrat.index)


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory, apiclus1: pd.DataFrame, apistrat: pd.DataFrame
) -> Iterator[Warehouse]:
    path: Path = tmp_path_factory.mktemp("survey-design") / "warehouse.duckdb"
    store = Warehouse(path)
    write_api_wave(store, wave="clus1", api=apiclus1, clusters=apiclus1["dnum"])
    write_api_wave(
        store,
        wave="strat",
        api=apistrat,
        strata=apistrat["stype"],
        clusters=strat_clusters(apistrat),
    )
    write_api_wave(store, wave="plain", api=apiclus1)
    yield store
    store.close()


def rows(table: pd.DataFrame, measure: str, variable: str) -> pd.DataFrame:
    found = table[
        (table["measure"] == measure)
        & (table["category"] == "Yes")
        & (table["group_variable"] == variable)
    ]
    return found.set_index("group")


def yes(frame: pd.DataFrame, column: str) -> npt.NDArray[np.float64]:
    answers: npt.NDArray[np.float64] = np.asarray(frame[column] == "Yes", dtype=np.float64)
    return answers


def test_clustered_wave_estimates_are_domains_of_the_whole_design(
    warehouse: Warehouse, apiclus1: pd.DataFrame
) -> None:
    table = survey_estimates(warehouse=warehouse, wave="clus1", by="stype", config=CONFIG)
    assert set(table["method"]) == {IntervalMethod.TAYLOR_LOGIT.value}
    response = yes(apiclus1, "sch.wide")
    expected = survey_proportion(
        response=response,
        weights=apiclus1["pw"],
        group=apiclus1["stype"],
        clusters=apiclus1["dnum"],
        design=SurveyDesign.TAYLOR,
    )
    found = rows(table, "sch_wide", "stype")
    assert list(found.index) == ["E", "M", "H"]  # the codebook's order
    for column in ("value", "lower_ci", "upper_ci", "design_effect", "effective_sample_size"):
        assert found[column].to_numpy() == pytest.approx(
            expected.loc[found.index, column].to_numpy(), rel=1e-12
        )
    assert found["unweighted_base"].tolist() == [144, 25, 14]
    overall = survey_proportion(
        response=response,
        weights=apiclus1["pw"],
        clusters=apiclus1["dnum"],
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    everyone = rows(table, "sch_wide", "all").iloc[0]
    assert everyone["value"] == pytest.approx(overall["value"], rel=1e-12)
    assert everyone["lower_ci"] == pytest.approx(overall["lower_ci"], rel=1e-12)

    # Written out for high schools: z_i = Σ_{j ∈ i, H} w_j (y_j − p_H) / W_H for each of the 15
    # districts (0 for a district with no high school: it stays in the design), V = 15/14 ·
    # Σ (z_i − z̄)², deff = V / (p(1 − p)/(n − 1)), interval expit(logit p ± t_{df} SE/(p(1 − p)))
    # on df = districts with a high school − 1.
    weights = apiclus1["pw"].to_numpy()
    high = (apiclus1["stype"] == "H").to_numpy()
    share = np.sum(weights[high] * response[high]) / np.sum(weights[high])
    linearised = np.where(high, weights * (response - share) / np.sum(weights[high]), 0.0)
    districts = apiclus1["dnum"].to_numpy()
    totals = np.array([linearised[districts == d].sum() for d in np.unique(districts)])
    variance = 15 / 14 * np.sum((totals - totals.mean()) ** 2)
    n = int(high.sum())
    row = found.loc["H"]
    assert row["value"] == pytest.approx(share, rel=1e-12)
    assert row["design_effect"] == pytest.approx(
        variance / (share * (1 - share) / (n - 1)), rel=1e-10
    )
    degrees = len(np.unique(districts[high])) - 1
    half = scipy_stats.t.ppf(0.975, degrees) * np.sqrt(variance) / (share * (1 - share))
    assert row["lower_ci"] == pytest.approx(special.expit(special.logit(share) - half), rel=1e-10)
    assert row["upper_ci"] == pytest.approx(special.expit(special.logit(share) + half), rel=1e-10)

    # Naive subsetting (a design of the high schools' districts alone) gives another variance.
    subset = apiclus1[high]
    naive = survey_proportion(
        response=yes(subset, "sch.wide"),
        weights=subset["pw"],
        clusters=subset["dnum"],
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    assert naive["value"] == pytest.approx(row["value"], rel=1e-12)
    assert abs(naive["design_effect"] - row["design_effect"]) > 0.05 * row["design_effect"]


def test_a_base_among_others_is_a_domain_too(warehouse: Warehouse, apiclus1: pd.DataFrame) -> None:
    table = survey_estimates(warehouse=warehouse, wave="clus1", by=["stype"], config=CONFIG)
    among = np.where(apiclus1["sch.wide"] == "Yes", yes(apiclus1, "comp.imp"), np.nan)
    expected = survey_proportion(
        response=among,
        weights=apiclus1["pw"],
        group=apiclus1["stype"],
        clusters=apiclus1["dnum"],
        design=SurveyDesign.TAYLOR,
    )
    found = rows(table, "comp_imp", "stype")
    for column in ("value", "lower_ci", "upper_ci", "effective_sample_size"):
        assert found[column].to_numpy() == pytest.approx(
            expected.loc[found.index, column].to_numpy(), rel=1e-12
        )
    assert (
        found["unweighted_base"].tolist() == expected.loc[found.index, "unweighted_base"].tolist()
    )


def test_stratified_clustered_wave(warehouse: Warehouse, apistrat: pd.DataFrame) -> None:
    assert read_wave(warehouse, wave="strat").designed
    table = survey_estimates(warehouse=warehouse, wave="strat", by="size", config=CONFIG)
    size = np.where(apistrat["enroll"] >= 500, "Large", "Small")
    expected = survey_proportion(
        response=yes(apistrat, "sch.wide"),
        weights=apistrat["pw"],
        group=size,
        strata=apistrat["stype"],
        clusters=strat_clusters(apistrat),
        design=SurveyDesign.TAYLOR,
    )
    found = rows(table, "sch_wide", "size")
    assert list(found.index) == ["Small", "Large"]
    for column in ("value", "lower_ci", "upper_ci", "design_effect", "effective_sample_size"):
        assert found[column].to_numpy() == pytest.approx(
            expected.loc[found.index, column].to_numpy(), rel=1e-12
        )
    assert (found["method"] == IntervalMethod.TAYLOR_LOGIT.value).all()


def test_a_wave_without_design_keeps_the_kish_wilson_interval(
    warehouse: Warehouse, apiclus1: pd.DataFrame
) -> None:
    assert not read_wave(warehouse, wave="plain").designed
    table = survey_estimates(warehouse=warehouse, wave="plain", by="stype", config=CONFIG)
    assert set(table["method"]) == {IntervalMethod.WEIGHTED_WILSON.value}
    expected = weighted_proportion(
        response=yes(apiclus1, "sch.wide"), weights=apiclus1["pw"], group=apiclus1["stype"]
    )
    found = rows(table, "sch_wide", "stype")
    assert found["lower_ci"].to_numpy() == pytest.approx(
        expected.loc[found.index, "lower_ci"].to_numpy(), rel=1e-12
    )
    designed = rows(
        survey_estimates(warehouse=warehouse, wave="clus1", by="stype", config=CONFIG),
        "sch_wide",
        "stype",
    )
    # Same shares, other intervals: apiclus1's weights are all equal, so Kish's effective size
    # is the count, while the clusters' design effect moves it either way.
    assert found["value"].to_numpy() == pytest.approx(designed["value"].to_numpy(), rel=1e-12)
    assert found["effective_sample_size"].to_numpy() == pytest.approx([144, 25, 14], rel=1e-12)
    differences = np.abs(designed["effective_sample_size"] - found["effective_sample_size"])
    assert (differences > 1.0).all()


def test_groups_of_a_designed_wave_are_compared_by_the_design_t_test(
    warehouse: Warehouse, apiclus1: pd.DataFrame
) -> None:
    data = read_wave(warehouse, wave="clus1")
    table = compare_groups(data=data, by=["stype"], config=CONFIG)
    sch_wide = table[table["measure"] == "sch_wide"].set_index("group")
    assert list(sch_wide.index) == ["E", "M", "H"]  # each against the other types
    assert set(table["test"]) == {SurveyTest.DESIGN_T.value}
    for group in sch_wide.index:
        member = np.where(apiclus1["stype"] == group, 1.0, 0.0)
        expected = compare_survey_groups(
            response=yes(apiclus1, "sch.wide"),
            weights=apiclus1["pw"],
            group=member,
            first=1.0,
            second=0.0,
            clusters=apiclus1["dnum"],
            design=SurveyDesign.TAYLOR,
            test=SurveyTest.DESIGN_T,
        ).iloc[0]
        row = sch_wide.loc[group]
        for column in ("difference", "lower_ci", "upper_ci", "p_value"):
            assert row[column] == pytest.approx(expected[column], rel=1e-12)
    # One statistic decides both: significant exactly when the interval excludes 0.
    compared = table[~table["suppressed"]]
    excludes = (compared["lower_ci"] > 0) | (compared["upper_ci"] < 0)
    assert (compared["significant"] == excludes).all()


def test_waves_are_compared_on_design_effective_sample_sizes(
    warehouse: Warehouse, apiclus1: pd.DataFrame, apistrat: pd.DataFrame
) -> None:
    earlier = read_wave(warehouse, wave="strat")
    later = read_wave(warehouse, wave="clus1")
    table = compare_waves(earlier=earlier, later=later, config=CONFIG)
    row = table[(table["measure"] == "sch_wide") & (table["group_variable"] == "all")].iloc[0]
    before = survey_proportion(
        response=yes(apistrat, "sch.wide"),
        weights=apistrat["pw"],
        strata=apistrat["stype"],
        clusters=strat_clusters(apistrat),
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    after = survey_proportion(
        response=yes(apiclus1, "sch.wide"),
        weights=apiclus1["pw"],
        clusters=apiclus1["dnum"],
        design=SurveyDesign.TAYLOR,
    ).iloc[0]
    expected = compare_survey_waves(
        value=after["value"],
        effective_sample_size=after["effective_sample_size"],
        comparator_value=before["value"],
        comparator_effective_sample_size=before["effective_sample_size"],
    ).iloc[0]
    for column in ("difference", "lower_ci", "upper_ci", "p_value"):
        assert row[column] == pytest.approx(expected[column], rel=1e-12)
    assert row["test"].endswith(DESIGN_EFFECTIVE_NOTE)
    assert row["test"].startswith("Newcombe")


def test_a_weight_of_zero_outside_every_base_changes_nothing(tmp_path: Path) -> None:
    # The batch estimates need every respondent's weight; a respondent weighted 0 who answered
    # nothing sends the wave to the per-category path, which must give the same table.
    people = respondents("2021")
    store = Warehouse(tmp_path / "warehouse.duckdb")
    try:
        write_wave(store, wave="with", people=[*people, Respondent("nobody", weight=0.0)])
        write_wave(store, wave="without", people=people)
        with_zero = survey_estimates(warehouse=store, wave="with", by="sex", config=CONFIG)
        without = survey_estimates(warehouse=store, wave="without", by="sex", config=CONFIG)
    finally:
        store.close()
    assert len(with_zero) == len(without) > 0
    for column in ("value", "lower_ci", "upper_ci", "effective_sample_size"):
        assert with_zero[column].to_numpy() == pytest.approx(without[column].to_numpy(), rel=1e-12)
    assert with_zero["unweighted_base"].tolist() == without["unweighted_base"].tolist()
    assert set(with_zero["method"]) == {IntervalMethod.WEIGHTED_WILSON.value}


LOADED_CODEBOOK = """\
survey: api
title: California API one-stage cluster sample, read as a survey wave
weight: pw
design: {strata: null, cluster: dnum}
characteristics:
  stype: {label: School type, column: stype, categories: {E: [E], M: [M], H: [H]}}
measures:
  sch_wide:
    label: Met the school-wide growth target
    question: sch.wide
    kind: single
    categories: {"Yes": ["Yes"], "No": ["No"]}
    headline: "Yes"
    polarity: higher_is_better
  comp_imp:
    label: Met the comparable improvement target, among those meeting the school-wide
    question: comp.imp
    kind: single
    among: {measure: sch_wide, category: "Yes"}
    categories: {"Yes": ["Yes"], "No": ["No"]}
    headline: "Yes"
    polarity: higher_is_better
"""


def test_the_loader_keeps_the_codebook_design_for_the_estimates(
    tmp_path: Path, apiclus1: pd.DataFrame, warehouse: Warehouse
) -> None:
    # The same sample through load_survey (CSV + codebook naming the cluster column): the
    # clusters reach survey_respondent and the estimates equal the wave written by SQL.
    apiclus1[["dnum", "stype", "pw", "sch.wide", "comp.imp"]].to_csv(
        tmp_path / "apiclus1.csv", index=False
    )
    (tmp_path / "codebook.yaml").write_text(LOADED_CODEBOOK, encoding="utf-8")
    store = Warehouse(tmp_path / "loaded.duckdb")
    try:
        load_survey(
            store,
            path=tmp_path / "apiclus1.csv",
            codebook_path=tmp_path / "codebook.yaml",
            wave="loaded",
        )
        clusters = store.connection.execute(
            "SELECT count(DISTINCT cluster), count(stratum) FROM survey_respondent"
        ).fetchone()
        loaded = survey_estimates(warehouse=store, wave="loaded", by="stype", config=CONFIG)
    finally:
        store.close()
    assert clusters == (15, 0)
    written = survey_estimates(warehouse=warehouse, wave="clus1", by="stype", config=CONFIG)
    key = ["measure", "category", "group_variable", "group"]
    loaded = loaded.set_index(key).sort_index()
    written = written.set_index(key).sort_index()
    assert list(loaded.index) == list(written.index)
    assert set(loaded["method"]) == {IntervalMethod.TAYLOR_LOGIT.value}
    for column in ("value", "lower_ci", "upper_ci", "effective_sample_size"):
        assert loaded[column].to_numpy() == pytest.approx(written[column].to_numpy(), rel=1e-12)


def test_findings_of_a_designed_wave_name_the_design_t_test(warehouse: Warehouse) -> None:
    data = read_wave(warehouse, wave="strat")
    table = compare_groups(data=data, by=["stype"], config=CONFIG)
    table = table.assign(row_id=survey_family.comparison_row_ids(table))
    findings = survey_family._group_findings(table, data=data)
    assert findings, "the stratified wave has significant differences between school types"
    for finding in findings:
        assert "a design-based t test allowing for the survey's strata and clusters" in (
            finding.sentence
        )
        assert finding.methods == ("survey_comparison",)
