"""Survey estimates from the warehouse (issue 12): every share against a hand computation.

Expected values are computed here from the fixture's respondent rows
(``tests/support/survey_fixtures.py``) with the textbook formulas of ``methods.md`` §10 —
``p_w = Σwy/Σw`` over valid answers, ``n_eff = (Σw)²/Σw²`` and Wilson's interval on
``(p_w·n_eff, n_eff)`` with z = Φ⁻¹(0.975) = 1.959963984540054 (§0.2) — not by calling the code
under test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from survey_fixtures import (
    CODEBOOK,
    ISSUE_TENTHS,
    OPTION_GROUPS,
    Respondent,
    build_survey_warehouse,
    respondents,
    write_wave,
)

from safecity.assess.survey_estimates import (
    ESTIMATE_COLUMNS,
    Among,
    MeasureKind,
    SurveyConfig,
    SurveyEstimateError,
    codebook_measures,
    compare_proportion_pairs,
    compare_proportions,
    indicator,
    load_survey_config,
    parse_survey_config,
    read_wave,
    survey_estimates,
)
from safecity.data.warehouse import Warehouse

Z = 1.959963984540054


def wilson(p: float, n: float) -> tuple[float, float]:
    """Wilson's score interval (Newcombe 1998 method 3), written out."""
    centre = p + Z**2 / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return (centre - spread) / (1 + Z**2 / n), (centre + spread) / (1 + Z**2 / n)


def expected(
    people: list[Respondent],
    *,
    measure: str,
    category: str,
    keep: Callable[[Respondent], bool] = lambda person: True,
) -> dict[str, float]:
    """Weighted share of ``category`` among valid answers to ``measure`` by hand."""
    weights = []
    hits = []
    for person in people:
        if not keep(person):
            continue
        rows = [row for row in person.answers if row[0] == measure and row[3]]
        if not rows:
            continue
        chose = any(row[1] == category and row[2] for row in rows)
        weights.append(person.weight)
        hits.append(1.0 if chose else 0.0)
    total = sum(weights)
    value = sum(w * y for w, y in zip(weights, hits, strict=True)) / total
    effective = total**2 / sum(w**2 for w in weights)
    lower, upper = wilson(value, effective)
    return {
        "value": value,
        "lower_ci": lower,
        "upper_ci": upper,
        "unweighted_base": len(weights),
        "weighted_base": total,
        "effective_sample_size": effective,
        "design_effect": len(weights) / effective,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    store = build_survey_warehouse(tmp_path_factory.mktemp("survey") / "w.duckdb")
    yield store
    store.close()


@pytest.fixture(scope="module")
def table(warehouse: Warehouse) -> pd.DataFrame:
    return survey_estimates(warehouse=warehouse, wave="2022", by=["sex", "ward"])


def _row(table: pd.DataFrame, **where: str) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column] == value
    found = table[mask]
    assert len(found) == 1, where
    return found.iloc[0]


def _check(row: pd.Series, hand: dict[str, float]) -> None:
    for column, value in hand.items():
        assert float(row[column]) == pytest.approx(value, abs=1e-12, rel=0), column


def test_columns_are_the_contracts(table: pd.DataFrame) -> None:
    assert tuple(table.columns) == ESTIMATE_COLUMNS


@pytest.mark.parametrize(
    ("measure", "category"),
    [
        ("feels_safe_after_dark", "Very or fairly safe"),
        ("feels_safe_after_dark", "A bit or very unsafe"),
        ("victim_of_crime", "Victim"),
        ("biggest_issues", "Anti-social behaviour"),
        ("biggest_issues", "Robbery"),
    ],
)
def test_overall_shares_equal_hand_computations(
    table: pd.DataFrame, measure: str, category: str
) -> None:
    row = _row(table, measure=measure, category=category, group_variable="all")
    assert row["group"] == "All respondents"
    assert row["method"] == "Wilson, Kish effective sample size"
    _check(row, expected(respondents("2022"), measure=measure, category=category))


def test_dont_know_and_not_asked_are_out_of_the_base(table: pd.DataFrame) -> None:
    row = _row(
        table, measure="feels_safe_after_dark", category="Very or fairly safe", group_variable="all"
    )
    # 400 respondents: 20 not asked (i % 20 == 19), 20 "don't know" (i % 20 == 18).
    assert row["unweighted_base"] == 360
    assert "Don't know" not in set(table["category"])


def test_subgroups_and_not_known(table: pd.DataFrame) -> None:
    people = respondents("2022")
    for sex in ("Female", "Male"):
        row = _row(
            table,
            measure="feels_safe_after_dark",
            category="Very or fairly safe",
            group_variable="sex",
            group=sex,
        )
        _check(
            row,
            expected(
                people,
                measure="feels_safe_after_dark",
                category="Very or fairly safe",
                keep=lambda person, sex=sex: person.characteristics.get("sex") == sex,
            ),
        )
    unknown = _row(
        table,
        measure="feels_safe_after_dark",
        category="Very or fairly safe",
        group_variable="sex",
        group="Not known",
    )
    _check(
        unknown,
        expected(
            people,
            measure="feels_safe_after_dark",
            category="Very or fairly safe",
            keep=lambda person: "sex" not in person.characteristics,
        ),
    )
    groups = table[(table["measure"] == "victim_of_crime") & (table["group_variable"] == "sex")]
    assert groups["group"].drop_duplicates().tolist() == ["Female", "Male", "Not known"]


def test_among_base_is_victims_only(table: pd.DataFrame) -> None:
    row = _row(table, measure="not_reported", category="Did not report", group_variable="all")
    people = respondents("2022")
    victims = {
        person.respondent_id
        for person in people
        if any(answer[:2] == ("victim_of_crime", "Victim") for answer in person.answers)
    }
    hand = expected(
        people,
        measure="not_reported",
        category="Did not report",
        keep=lambda person: person.respondent_id in victims,
    )
    _check(row, hand)
    answered = sum(
        any(answer[0] == "not_reported" for answer in person.answers) for person in people
    )
    # Non-victims with an answer (i % 7 == 0) exist and are left out.
    assert answered > hand["unweighted_base"] == len(victims)


def test_suppression_and_low_base_flags(table: pd.DataFrame) -> None:
    small = _row(
        table, measure="victim_of_crime", category="Victim", group_variable="ward", group="W01"
    )
    assert small["unweighted_base"] == 30
    assert bool(small["suppressed"])
    assert bool(small["low_base"])
    assert not math.isnan(float(small["value"]))  # partners' table keeps the value
    women = _row(
        table,
        measure="not_reported",
        category="Did not report",
        group_variable="sex",
        group="Female",
    )
    # Female victims in 2022: 2 of every 4 victims' rows are even-numbered: 50 + 6.
    assert women["unweighted_base"] == 56
    assert bool(women["low_base"])
    assert not bool(women["suppressed"])
    everyone = _row(table, measure="victim_of_crime", category="Victim", group_variable="all")
    assert not bool(everyone["low_base"])
    assert not bool(everyone["suppressed"])


def test_options_ranked_within_group_headline_only_single(table: pd.DataFrame) -> None:
    options = table[(table["measure"] == "biggest_issues") & (table["group_variable"] == "all")]
    by_rank = options.sort_values("rank")["category"].tolist()
    shares = ISSUE_TENTHS["2022"]
    assert by_rank == sorted(shares, key=lambda option: -shares[option])
    assert options["rank"].tolist() == sorted(options["rank"].tolist(), key=lambda r: by_rank)
    assert not options["headline"].any()
    assert set(options["kind"]) == {"multiple"}
    headlines = table[table["headline"] & (table["group_variable"] == "all")]
    assert headlines["category"].tolist() == [
        "Very or fairly safe",
        "Victim",
        "Did not report",
        "Worried",
    ]
    single = table[table["kind"] == "single"]
    assert single["rank"].isna().all()
    suppressed = table[table["suppressed"] & (table["kind"] == "multiple")]
    assert not suppressed.empty
    assert suppressed["rank"].isna().all()


def test_unknown_wave_and_characteristic_say_what_is_loaded(warehouse: Warehouse) -> None:
    with pytest.raises(SurveyEstimateError, match="loaded waves: 2021, 2022"):
        survey_estimates(warehouse=warehouse, wave="2030")
    with pytest.raises(SurveyEstimateError, match="no characteristic 'tenure'; known: sex, ward"):
        survey_estimates(warehouse=warehouse, wave="2021", by="tenure")


def test_config_minimum_base_is_applied(warehouse: Warehouse) -> None:
    strict = survey_estimates(
        warehouse=warehouse,
        wave="2021",
        config=SurveyConfig(minimum_unweighted_base=401, flag_unweighted_base=500),
    )
    assert strict["suppressed"].all()
    assert strict["low_base"].all()


def test_shipped_config_is_methods_section_10(tmp_path: Path) -> None:
    assert load_survey_config() == SurveyConfig(
        minimum_unweighted_base=50, flag_unweighted_base=100, confidence=0.95
    )
    with pytest.raises(SurveyEstimateError, match="flag_unweighted_base must not be below"):
        parse_survey_config(
            {"minimum_unweighted_base": 50, "flag_unweighted_base": 30}, origin="x.yaml"
        )
    bad = tmp_path / "survey.yaml"
    bad.write_text("minimum_unweighted_base: fifty\nflag_unweighted_base: 100\n")
    with pytest.raises(SurveyEstimateError, match="minimum_unweighted_base must be a whole"):
        load_survey_config(bad)


def test_wards_from_postcodes_when_no_ward_characteristic(tmp_path: Path) -> None:
    people = respondents("2022")
    for person in people:
        del person.characteristics["ward"]
    with Warehouse(tmp_path / "w.duckdb") as store:
        write_wave(store, wave="2022", people=people)
        # A ward from the respondent's postcode for the first 300 respondents.
        store.connection.execute(
            "UPDATE survey_respondent SET ward_code = CASE WHEN respondent_id < '2022-0150'"
            " THEN 'E05000001' ELSE 'E05000002' END WHERE respondent_id < '2022-0300'"
        )
        table = survey_estimates(warehouse=store, wave="2022", by="ward")
    row = _row(
        table,
        measure="victim_of_crime",
        category="Victim",
        group_variable="ward",
        group="E05000001",
    )
    hand = expected(
        people,
        measure="victim_of_crime",
        category="Victim",
        keep=lambda person: person.respondent_id < "2022-0150",
    )
    _check(row, hand)
    unknown = _row(
        table,
        measure="victim_of_crime",
        category="Victim",
        group_variable="ward",
        group="Not known",
    )
    assert unknown["unweighted_base"] == 100


def test_codebook_json_read_in_either_shape() -> None:
    as_mapping = codebook_measures(json.dumps(CODEBOOK))
    as_lists = codebook_measures(
        {
            "measures": [
                {
                    "id": "biggest_issues",
                    "kind": "multiple",
                    "public_concern": True,
                    "options": [
                        {"name": option, "crime_groups": groups}
                        for option, groups in OPTION_GROUPS.items()
                    ],
                },
                {
                    "id": "not_reported",
                    "label": "Victims who did not report to the police",
                    "categories": [{"label": "Did not report"}, {"label": "Reported"}],
                    "headline": "Did not report",
                    "among": {"measure": "victim_of_crime", "category": "Victim"},
                    "polarity": "lower_is_better",
                },
            ]
        }
    )
    for measure in ("biggest_issues", "not_reported"):
        one, other = as_mapping[measure], as_lists[measure]
        assert one.categories == other.categories
        assert one.option_crime_groups == other.option_crime_groups
        assert one.among == other.among
        assert one.public_concern == other.public_concern
    issues = as_mapping["biggest_issues"]
    assert issues.kind is MeasureKind.MULTIPLE
    assert issues.option_crime_groups["Anti-social behaviour"] == ("asb",)
    assert as_mapping["not_reported"].among == Among(measure="victim_of_crime", category="Victim")
    assert codebook_measures("not json") == {}
    assert codebook_measures({"measures": {"x": {}}})["x"].label == "x"


def test_pairs_at_once_equal_one_by_one(warehouse: Warehouse) -> None:
    earlier, later = read_wave(warehouse, wave="2021"), read_wave(warehouse, wave="2022")
    config = SurveyConfig()
    pairs = []
    for measure, category in (
        ("feels_safe_after_dark", "Very or fairly safe"),
        ("victim_of_crime", "Victim"),
        ("biggest_issues", "Robbery"),
    ):
        spec = later.measures[measure]
        before = indicator(earlier, spec=spec, category=category)
        after = indicator(later, spec=spec, category=category)
        pairs.append((before, after))
        pairs.append((before.iloc[:60], after.iloc[100:170]))
    together = compare_proportion_pairs(pairs, config=config)
    for (before, after), found in zip(pairs, together, strict=True):
        alone = compare_proportions(before=before, after=after, config=config)
        for name in ("from_value", "to_value", "difference", "lower_ci", "upper_ci", "p_value"):
            assert getattr(found, name) == pytest.approx(getattr(alone, name), abs=1e-12), name
        assert (found.test, found.significant) == (alone.test, alone.significant)
    assert compare_proportion_pairs([], config=config) == []
