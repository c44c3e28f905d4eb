"""England and comparators from loaded published tables (family 6, ``benchmarking_context``).

The twelve-CSP test country (``csp_country``) is policed by two made-up forces, so with the
shipped force list its police.uk data are not England: every England figure here must come from
the published tables inserted below, named with their publisher, title and period, and only for
the assessment's period. The published severity table is by local authority, with place 1's CSP
covering two authorities that repeat its value (as the real ONS CSS table by 2023 authority
does), so 13 authority rows become 12 CSPs. Expected values are computed here from the planted
numbers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from csp_country import COUNTRY_FORCES, build_country
from published_country import CSS_TITLE, PLACES, css, published_country, recorded
from scipy import stats

from safecity.assess.context import AssessmentInputs, AssessmentOptions, FamilyOutput
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.denominators import Denominators
from safecity.assess.families.benchmarking import NOT_COMPARED, benchmarking
from safecity.assess.national_coverage import PublishedIndicator, published_by_csp
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.data.warehouse import Warehouse

PERIOD = parse_period("2020-05..2020-06")
AREA = "E22000005"


def _inputs(warehouse: Warehouse) -> AssessmentInputs:
    return AssessmentInputs(
        warehouse=warehouse,
        area=resolve_study_area(warehouse, code=AREA),
        period=PERIOD,
        baseline=parse_period("2020-03..2020-04"),
        window=parse_period("2020-03..2020-06"),
        groups=load_crime_groups(),
        sources={},
        counts=pd.DataFrame(),
        denominators=Denominators(
            table=pd.DataFrame(), population_year=2020, households_year=None, note=""
        ),
        indicators=pd.DataFrame(),
        seed=1,
        options=AssessmentOptions(),
    )


@pytest.fixture(scope="module")
def same_period(tmp_path_factory: pytest.TempPathFactory) -> FamilyOutput:
    warehouse = published_country(
        tmp_path_factory.mktemp("same"), period_words="May 2020 to June 2020"
    )
    output = benchmarking(_inputs(warehouse))
    warehouse.close()
    return output


@pytest.fixture(scope="module")
def other_period(tmp_path_factory: pytest.TempPathFactory) -> FamilyOutput:
    warehouse = published_country(tmp_path_factory.mktemp("other"), period_words="2019/20")
    output = benchmarking(_inputs(warehouse))
    warehouse.close()
    return output


def _row(output: FamilyOutput, *, measure: str, comparison: str) -> pd.Series:
    context = output.tables["benchmarking_context"]
    rows = context[
        (context["measure"] == measure)
        & (context["comparison"] == comparison)
        & context["source"].str.startswith("published:")
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_severity_rank_among_english_csps_is_labelled_with_its_source(
    same_period: FamilyOutput,
) -> None:
    row = _row(same_period, measure="severity", comparison="area")
    assert row["source"] == (
        f"published: ONS, {CSS_TITLE}, May 2020 to June 2020 (release 2021-01-21)"
    )
    assert row["value"] == css(5)
    english = [css(i) for i in range(1, 13) if i != 10]  # place 10 is Welsh
    assert row["rank"] == 1 + sum(score > css(5) for score in english)  # ties share the rank
    assert row["rank_of"] == 11
    assert row["rank_scope"] == "English CSPs"
    assert "13 authority rows mapped to 12 CSPs" in row["note"]
    assert row["label"] == NOT_COMPARED  # no published interval: ranked, never labelled
    england = _row(same_period, measure="severity", comparison="nation")
    assert england["comparison_name"] == "England"
    assert england["value"] == 15.25
    sentence = next(
        finding.sentence
        for finding in same_period.findings
        if finding.finding_id == "benchmarking_context_severity"
    )
    assert f"ranked {int(row['rank'])}th of 11 English CSPs for crime severity" in sentence
    assert f"ONS, {CSS_TITLE}, May 2020 to June 2020" in sentence


def test_published_recorded_crime_rate_against_england(same_period: FamilyOutput) -> None:
    area = _row(same_period, measure="rate", comparison="area")
    population = PLACES[4]["population"]
    count = recorded(5)
    assert area["value"] == pytest.approx(count / population * 1000, rel=1e-12)
    # Byar's 95% limits (methods.md §1.1), count >= 10
    z = stats.norm.ppf(0.975)
    lower = count * (1 - 1 / (9 * count) - z / (3 * count**0.5)) ** 3
    assert area["lower_ci"] == pytest.approx(lower / population * 1000, rel=1e-9)
    english = [i for i in range(1, 13) if i != 10]
    total = sum(recorded(i) for i in english)
    residents = sum(PLACES[i - 1]["population"] for i in english)
    england = _row(same_period, measure="rate", comparison="nation")
    assert england["value"] == pytest.approx(total / residents * 1000, rel=1e-12)
    expected = (
        "Worse"
        if area["lower_ci"] > england["value"]
        else "Better"
        if area["upper_ci"] < england["value"]
        else "Similar"
    )
    assert england["label"] == expected
    rates = sorted((recorded(i) / PLACES[i - 1]["population"] for i in english), reverse=True)
    assert area["rank"] == 1 + rates.index(count / population)
    assert area["rank_of"] == 11


def test_comparators_are_computed_and_flagged_approximate(same_period: FamilyOutput) -> None:
    group = same_period.manifest["comparator_group"]
    assert isinstance(group, dict)
    assert group["approximate"] is True
    assert "not the Home Office most similar group" in group["note"]
    severity = _row(same_period, measure="severity", comparison="comparators")
    members = list(group["members"])
    by_code = {str(e["csp"]): (i, e["population"]) for i, e in enumerate(PLACES, 1)}
    weighted = sum(css(by_code[c][0]) * by_code[c][1] for c in members) / sum(
        by_code[c][1] for c in members
    )
    assert severity["value"] == pytest.approx(weighted, rel=1e-12)
    assert severity["rank_of"] == len(members) + 1


def test_a_published_table_of_another_period_is_not_compared(other_period: FamilyOutput) -> None:
    context = other_period.tables["benchmarking_context"]
    published = context[context["source"].str.startswith("published:")]
    assert published.empty
    refused = context[context["not_made"].str.contains("not for the assessment's period")]
    assert set(refused["measure"]) == {"severity", "rate"}
    for reason in refused["not_made"]:
        assert "2019/20" in reason
        assert "2020-05..2020-06" in reason
    assert not [f for f in other_period.findings if f.finding_id.startswith("benchmarking_context")]


def test_the_real_ons_severity_table_by_local_authority_maps_to_csps(
    shared_data: Path, tmp_path: Path
) -> None:
    """The published CSS by 2023 local authority (csp-tables/): repeats taken once per CSP.

    The lookup is of 2024 authorities; the 2023 codes not in it are named as left out.
    """
    folder = shared_data
    table = pd.read_csv(folder / "csp-tables" / "ons_css_total_by_lad_ye2023_england.csv")
    lookup = pd.read_csv(folder / "geography" / "lookup_ltla24_csp24_pfa24.csv")
    lad, csp = "ltla24_code", "csp24_code"
    warehouse = Warehouse(tmp_path / "w.duckdb")
    connection = warehouse.connection
    for lad_code, csp_code in zip(lookup[lad], lookup[csp], strict=True):
        connection.execute(
            "INSERT INTO csp_lookup VALUES (?, NULL, 2023, ?, NULL, 2023, 'E23000001', NULL,"
            " 2023, 1)",
            [lad_code, csp_code],
        )
    for code, value in zip(table["ltla23_code"], table["crime_severity_score"], strict=True):
        number = pd.to_numeric(value, errors="coerce")
        connection.execute(
            "INSERT INTO published_indicator VALUES ('ONS', 'Crime Severity Score', '2023',"
            " 'crime_severity_score', 'Total recorded crime', '2022/23', 'lad', ?, NULL, 2023,"
            " ?, NULL, NULL, NULL, NULL, 2)",
            [code, None if pd.isna(number) else float(number)],
        )
    result = published_by_csp(
        warehouse,
        indicator=PublishedIndicator.CRIME_SEVERITY_SCORE,
        period=parse_period("2022/23"),
    )
    warehouse.close()
    assert result.source is not None
    assert "authority rows mapped to" in result.note
    assert "15 values suppressed by the publisher" in result.note
    westminster = result.values.set_index("csp_code")["value"]
    assert westminster.max() == pytest.approx(60.32, abs=0.01)  # SOURCES.md: Westminster 60.32
    assert result.values["csp_code"].is_unique


def test_severity_from_complete_police_uk_coverage(tmp_path: Path) -> None:
    """With every force of the (test) nation loaded, severity comes from police.uk.

    Harm weights 400 (28E) and 100 (30C); the loaded national offence counts are three 28E and
    one 30C, so the police.uk category Burglary weighs (3 x 400 + 1 x 100) / 4 = 325 (the
    national-offence-mix weighted mean, methods.md §4.1) and every CSP's score is
    325 x burglaries / person-years (residents x 2 months / 12; the country has no other
    crime). Southshire's June is a low month (4 burglaries in place
    11), so the nation is "England excluding Southshire Constabulary", whose score is
    325 x Σ burglaries / Σ person-years of the covered English CSPs.
    """
    warehouse = build_country(tmp_path, PLACES, missing=())
    connection = warehouse.connection
    for code, weight in (("28E", 400.0), ("30C", 100.0)):
        connection.execute(
            "INSERT INTO harm_weight VALUES ('Test index', '1', ?, NULL, ?, 995)", [code, weight]
        )
    for code, offences in (("28E", 3), ("30C", 1)):
        connection.execute(
            "INSERT INTO offence_count VALUES ('test-mix', 'Test force', NULL, '2019/20', ?,"
            " NULL, 'Burglary', ?, 996)",
            [code, offences],
        )
    output = benchmarking(_inputs(warehouse), forces=COUNTRY_FORCES)
    warehouse.close()
    context = output.tables["benchmarking_context"]
    police = context[
        (context["source"] == "police.uk street data") & (context["measure"] == "severity")
    ]
    csps = output.tables["benchmarking_csps"]
    burglary = csps[(csps["group_id"] == "burglary") & csps["complete_coverage"]]
    english = burglary[burglary["nation"] == "England"].set_index("csp_code")
    area = police[police["comparison"] == "area"].iloc[0]
    # Per person-year (residents x the period's months / 12), as the area's own harm family.
    years = english["population"] * PERIOD.length / 12
    assert area["value"] == pytest.approx(325 * english.at[AREA, "count"] / years[AREA], rel=1e-12)
    assert area["lower_ci"] < area["value"] < area["upper_ci"]
    scores = 325 * english["count"] / years
    assert area["rank"] == 1 + int((scores > scores[AREA]).sum())
    assert area["rank_of"] == len(english)
    assert area["rank_scope"] == "English CSPs (excluding Southshire Constabulary)"
    nation = police[police["comparison"] == "nation"].iloc[0]
    assert nation["comparison_name"] == "England excluding Southshire Constabulary"
    assert nation["value"] == pytest.approx(325 * english["count"].sum() / years.sum(), rel=1e-12)
