"""The survey family (issue 12): waves chosen, planted change found, suppression never leaks.

The fixture (``tests/support/survey_fixtures.py``) plants a fall in feeling safe after dark
(85% of valid answers in 2021, 62% in 2022) and a rise in naming anti-social behaviour (50% to
95%), while victimisation barely moves (25% to 28%). The wave comparison is checked against
Newcombe's hybrid score interval (method 10) written out here on each wave's effective sample
size (``methods.md`` §10, §2.2b).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from plain_words import FORBIDDEN
from small_area import small_area_inputs
from survey_fixtures import CODEBOOK, build_survey_warehouse, respondents, write_wave

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.families.survey import NO_SURVEY, choose_waves, survey
from safecity.assess.periods import parse_period
from safecity.data.warehouse import Warehouse

AREA = "E06000001"
Z = 1.959963984540054


def inputs_for(warehouse: Warehouse, *, period: str = "2022/23") -> AssessmentInputs:
    return small_area_inputs(
        warehouse,
        area_code=AREA,
        period=period,
        groups=load_crime_groups(),
        sources={},
        indicators=pd.DataFrame(),
        population_year=2022,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    store = build_survey_warehouse(tmp_path_factory.mktemp("family") / "w.duckdb")
    yield store
    store.close()


@pytest.fixture(scope="module")
def output(warehouse: Warehouse) -> FamilyOutput:
    return survey(inputs_for(warehouse))


def _overall_change(output: FamilyOutput, measure: str, category: str) -> pd.Series:
    table = output.tables["survey_comparisons"]
    rows = table[
        (table["comparison"] == "between waves")
        & (table["measure"] == measure)
        & (table["category"] == category)
        & (table["group_variable"] == "all")
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def _wilson(p: float, n: float) -> tuple[float, float]:
    centre = p + Z**2 / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return (centre - spread) / (1 + Z**2 / n), (centre + spread) / (1 + Z**2 / n)


def _share(wave: str, measure: str, category: str) -> tuple[float, float]:
    weights, hits = [], []
    for person in respondents(wave):
        rows = [row for row in person.answers if row[0] == measure and row[3]]
        if rows:
            weights.append(person.weight)
            hits.append(any(row[1] == category and row[2] for row in rows))
    total = sum(weights)
    value = sum(w for w, hit in zip(weights, hits, strict=True) if hit) / total
    return value, total**2 / sum(w * w for w in weights)


def test_waves_used_and_why(output: FamilyOutput) -> None:
    waves = output.tables["survey_waves"]
    assert waves[["wave", "relation"]].values.tolist() == [
        ["2021", "before period"],
        ["2022", "in period"],
    ]
    assert waves["reason"].iloc[0].startswith("fieldwork 01 June 2021 to 30 September 2021")
    assert [item["wave"] for item in output.manifest["waves_used"]] == ["2021", "2022"]
    assert output.manifest["minimum_unweighted_base"] == 50
    assert output.manifest["comparisons"]["between_waves"] == ["2021", "2022"]


def test_planted_change_is_significant_and_equals_newcombe_by_hand(
    output: FamilyOutput,
) -> None:
    row = _overall_change(output, "feels_safe_after_dark", "Very or fairly safe")
    p1, n1 = _share("2021", "feels_safe_after_dark", "Very or fairly safe")
    p2, n2 = _share("2022", "feels_safe_after_dark", "Very or fairly safe")
    l1, u1 = _wilson(p1, n1)
    l2, u2 = _wilson(p2, n2)
    difference = p2 - p1
    assert float(row["difference"]) == pytest.approx(difference, abs=1e-12)
    assert float(row["lower_ci"]) == pytest.approx(
        difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), abs=1e-12
    )
    assert float(row["upper_ci"]) == pytest.approx(
        difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2), abs=1e-12
    )
    assert bool(row["significant"])
    assert row["direction"] == "decrease"
    assert row["test"] == "Newcombe hybrid score (method 10) difference with effective sample sizes"
    issues = _overall_change(output, "biggest_issues", "Anti-social behaviour")
    assert bool(issues["significant"])
    assert issues["direction"] == "increase"


def test_unchanged_measure_is_not_significant(output: FamilyOutput) -> None:
    row = _overall_change(output, "victim_of_crime", "Victim")
    assert 0 < float(row["difference"]) < 0.05
    assert not bool(row["significant"])
    assert row["direction"] == "no significant change"
    drugs = _overall_change(output, "biggest_issues", "Drug dealing and use")
    assert not bool(drugs["significant"])


def test_findings_in_the_strategys_style(output: FamilyOutput) -> None:
    sentences = {finding.finding_id: finding for finding in output.findings}
    safe = sentences["survey_change_feels_safe_after_dark_Very or fairly safe"]
    before = round(100 * _share("2021", "feels_safe_after_dark", "Very or fairly safe")[0])
    after = round(100 * _share("2022", "feels_safe_after_dark", "Very or fairly safe")[0])
    assert (before, after) == (85, 62)  # 80% and 60% of every ten, less the don't knows
    assert safe.sentence == (
        "Feel very or fairly safe walking alone after dark: the share of respondents answering"
        f" \u201cVery or fairly safe\u201d fell from {before}% in 2021 to {after}% in 2022, a"
        " statistically significant change (a confidence interval for the difference of the"
        " two shares, allowing for the survey weights, p < 0.001)."
    )
    assert safe.significant
    assert safe.methods == ("newcombe",)
    victim = sentences["survey_change_victim_of_crime_Victim"].sentence
    assert (
        "rose from 25% in 2021 to 28% in 2022, not a statistically significant change (" in victim
    )
    # Options of a multiple-choice measure get a sentence only when they changed significantly.
    assert "survey_change_biggest_issues_Anti-social behaviour" in sentences
    assert "survey_change_biggest_issues_Robbery" not in sentences
    top = sentences["survey_top_biggest_issues"].sentence
    shares = [
        round(100 * _share("2022", "biggest_issues", option)[0])
        for option in ("Anti-social behaviour", "Speeding traffic", "Drug dealing and use")
    ]
    assert top == (
        "The biggest community safety issues in your area: the options most often chosen in the"
        f" 2022 survey were Anti-social behaviour ({shares[0]}% of respondents who answered),"
        f" Speeding traffic ({shares[1]}%) and Drug dealing and use ({shares[2]}%)."
    )
    # Every finding cites rows of the family's tables.
    ids = (
        set(output.tables["survey_estimates"]["row_id"])
        | set(output.tables["survey_comparisons"]["row_id"])
        | set(output.tables["survey_waves"]["row_id"])
    )
    for finding in output.findings:
        assert finding.row_ids
        assert set(finding.row_ids) <= ids


def test_public_tables_never_show_a_value_under_the_minimum_base(output: FamilyOutput) -> None:
    public = output.public_tables["survey_estimates"]
    partner = output.tables["survey_estimates"]
    assert len(public) == len(partner)
    assert "respondent_id" not in public.columns
    small = public["unweighted_base"] < 50
    assert small.any()
    for column in ("value", "lower_ci", "upper_ci", "weighted_base", "effective_sample_size"):
        assert public.loc[small, column].isna().all(), column
        assert public.loc[public["suppressed"].astype(bool), column].isna().all(), column
    # Secondary suppression: no margin has exactly one group withheld (else subtraction from
    # the overall share and the other groups' shares and bases would give it back).
    for _, rows in public.groupby(["wave", "measure", "category", "group_variable"]):
        assert int(rows["suppressed"].sum()) != 1
    ward = public[public["group_variable"] == "ward"]
    assert ward["suppressed"].all()  # W01 has 30 respondents; W02 is then withheld too
    assert partner.loc[partner["group_variable"] == "ward", "value"].notna().all()


def test_public_comparisons_withhold_what_rests_on_withheld_estimates(
    output: FamilyOutput,
) -> None:
    public = output.public_tables["survey_comparisons"]
    ward = public[public["group_variable"] == "ward"]
    assert not ward.empty
    assert ward["difference"].isna().all()
    assert ward["from_value"].isna().all()
    assert (ward["direction"] == "not compared").all()
    assert not ward["significant"].any()
    overall = public[public["group_variable"] == "all"]
    assert overall["difference"].notna().all()
    estimates = output.public_tables["survey_estimates"]
    withheld = estimates[estimates["suppressed"].astype(bool)]
    keys = set(zip(withheld["measure"], withheld["group_variable"], withheld["group"], strict=True))
    between_waves = public[public["comparison"] == "between waves"]
    for row in between_waves.to_dict("records"):
        if (row["measure"], row["group_variable"], row["group"]) in keys:
            assert row["to_value"] is None or math.isnan(float(row["to_value"]))


def test_skipped_with_a_reason_without_a_survey(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "empty.duckdb") as empty:
        result = survey(inputs_for(empty))
    assert result.skipped == {"survey": NO_SURVEY}
    assert result.tables == {}
    assert result.public_tables == {}
    assert result.findings == []


def test_no_wave_in_the_period_is_said(warehouse: Warehouse) -> None:
    result = survey(inputs_for(warehouse, period="2024/25"))
    waves = result.tables["survey_waves"]
    assert waves[["wave", "relation"]].values.tolist() == [["2022", "before period"]]
    assert result.manifest["waves_not_used"] == {
        "2021": "fieldwork 01 June 2021 to 30 September 2021: before the nearest wave before"
        " 2024/25"
    }
    missing = [f for f in result.findings if f.finding_id == "survey_no_wave_in_period"]
    assert missing[0].sentence.startswith(
        "No residents' survey wave loaded has its fieldwork in 2024/25; the survey figures come"
        " from the waves next to it: 2022 (before period"
    )
    assert result.tables["survey_comparisons"]["comparison"].eq("between groups").all()


def test_wave_choice_other_area_and_undated(tmp_path: Path) -> None:
    waves = pd.DataFrame(
        {
            "wave": ["autumn", "2022", "2023"],
            "fieldwork_start": [None, date(2022, 5, 1), None],
            "fieldwork_end": [None, date(2022, 7, 31), None],
            "area_code": [None, AREA, "E06000002"],
        }
    )
    chosen = choose_waves(waves, period=parse_period("2022/23"), area_code=AREA)
    assert chosen.used[["wave", "relation"]].values.tolist() == [
        ["2022", "in period"],
        ["autumn", "without a date"],
    ]
    assert chosen.not_used == {"2023": "surveyed area E06000002 is not the assessed area E06000001"}
    assert "national survey" in chosen.used["reason"].iloc[1]
    with Warehouse(tmp_path / "w.duckdb") as store:
        write_wave(
            store, wave="autumn", people=respondents("autumn", like="2022"), codebook=CODEBOOK
        )
        result = survey(inputs_for(store))
    undated = [f for f in result.findings if f.finding_id == "survey_no_wave_in_period"]
    assert "used without a date" in undated[0].sentence


def test_planted_difference_between_groups_is_found(output: FamilyOutput) -> None:
    table = output.tables["survey_comparisons"]
    sexes = table[
        (table["comparison"] == "between groups")
        & (table["measure"] == "worried_about_burglary")
        & (table["group_variable"] == "sex")
    ]
    assert sexes[["from_label", "to_label"]].values.tolist() == [["Female", "Male"]]
    row = sexes.iloc[0]
    assert bool(row["significant"])
    assert row["direction"] == "decrease"
    finding = next(
        f for f in output.findings if f.finding_id == "survey_group_worried_about_burglary_sex_Male"
    )
    assert finding.sentence == (
        "Worried about having your home broken into: in the 2022 survey"
        f" {round(100 * float(row['to_value']))}% of Male respondents answered \u201cWorried\u201d,"
        f" compared with {round(100 * float(row['from_value']))}% of Female respondents (by sex),"
        " a statistically significant difference (a confidence interval for the difference of"
        " the two shares, allowing for the survey weights, p < 0.001)."
    )
    # Sex estimates are withheld in public (the Not known group is under 50, so the smaller
    # sex is withheld too): the comparison is not published, nor the finding citing it.
    public = output.public_tables["survey_comparisons"].set_index("row_id")
    assert bool(public.loc[row["row_id"], "suppressed"])
    # The victimisation rate does not differ by sex by design: not significant.
    victims = table[
        (table["comparison"] == "between groups")
        & (table["measure"] == "victim_of_crime")
        & (table["group_variable"] == "sex")
    ]
    assert not victims["significant"].any()


def test_sentences_are_plain_words(output: FamilyOutput) -> None:
    texts = [finding.sentence for finding in output.findings] + [NO_SURVEY]
    texts += output.tables["survey_waves"]["reason"].tolist()
    for text in texts:
        for what, pattern in FORBIDDEN:
            assert not pattern.search(text), (what, text)


def test_a_wave_without_characteristics_or_answers(tmp_path: Path) -> None:
    people = respondents("2022")
    for person in people:
        person.characteristics.clear()
    silent = [
        type(person)(respondent_id=person.respondent_id, weight=person.weight) for person in people
    ]
    with Warehouse(tmp_path / "w.duckdb") as store:
        write_wave(store, wave="2022", people=people, fieldwork=(date(2022, 6, 1), None))
        write_wave(store, wave="2021", people=silent, fieldwork=(None, date(2021, 9, 30)))
        result = survey(inputs_for(store))
    estimates = result.tables["survey_estimates"]
    assert set(estimates["group_variable"]) == {"all"}
    assert set(estimates["wave"]) == {"2022"}
    comparisons = result.tables["survey_comparisons"]
    assert comparisons.empty
    waves = result.tables["survey_waves"].set_index("wave")
    assert waves.loc["2022", "reason"] == (
        "fieldwork began 01 June 2022 (no end date loaded); a national survey (no area): in 2022/23"
    )
    assert waves.loc["2021", "relation"] == "before period"
