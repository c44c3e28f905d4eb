"""Family 6 (benchmarking) on a hand-made country of twelve CSPs, checked independently.

Each CSP has one LSOA. Ten CSPs are policed by ``northshire`` (place 10 is Welsh), two by
``southshire``. Three force lists decide what the country is
(``safecity.assess.national_coverage``):

* both forces English and every month loaded: the eleven English places are all of England, so
  England figures, ranks among English CSPs and bands are made;
* the same with ``southshire``'s June missing: "England excluding Southshire Constabulary",
  ranked among the nine English places left, never plain "England";
* a third English force with no data at all (or the shipped list of real forces, none of which
  has data): not England. No national figure, rank or band; the area is ranked among the CSPs
  loaded, named with its members, and the reason is written.

Expected counts, pooled rates, ranks (ties sharing the smallest rank), bands and Fingertips
labels (methods.md §2.1, §3.1) are computed here again from the planted counts.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from csp_country import COUNTRY_FORCES, build_country, country_csps
from scipy import stats

from safecity.assess.context import AssessmentInputs, AssessmentOptions, FamilyOutput
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.denominators import Denominators
from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.families.benchmarking import (
    ComparatorFileError,
    benchmarking,
    read_comparators,
)
from safecity.assess.families.priorities import load_priority_scoring, priority_tables
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.config.nations import Nation
from safecity.config.police_forces import PoliceForce
from safecity.data.warehouse import Warehouse

PERIOD = parse_period("2020-05..2020-06")
BASELINE = parse_period("2020-03..2020-04")
# Place 5 has a planted high rate in the period; places 2 and 4 the same rate, 10 per 1,000
# (12 burglaries among 1,200 residents, 14 among 1,400): a tie. Places 11 and 12 have 12
# burglaries a month, so that southshire's June, when loaded, is not a low month (below 80% of
# its median month, the data-quality rule).
CSPS = country_csps(period_burglary={5: (40, 35), 2: (6, 6), 4: (7, 7), 11: (12, 12), 12: (12, 12)})
AREA = "E22000005"
EASTSHIRE = PoliceForce(
    slug="eastshire",
    name="Eastshire Police",
    population_millions=0.01,
    community_safety_partnerships=1,
    nation=Nation.ENGLAND,
)
"""An English force whose files are not loaded: with it the country is not all of England."""
PLACES_1_TO_9 = "Place 1, Place 2, Place 3, Place 4, Place 5, Place 6, Place 7, Place 8 and Place 9"
# (the names sort as text: "Place 1" < "Place 11" < "Place 2"; places 11 and 12 are excluded)
TEXT_LABELS = (
    "national_name", "rank_scope", "band_description", "regional_scope", "regional_members",
    "national_label", "regional_label", "comparator_label", "comparator_names", "label_rule",
)  # fmt: skip


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The country with southshire's June 2020 file missing."""
    warehouse = build_country(tmp_path_factory.mktemp("country"), CSPS)
    yield warehouse  # type: ignore[misc]
    warehouse.close()


@pytest.fixture(scope="module")
def complete_country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The country with every force's every month."""
    warehouse = build_country(tmp_path_factory.mktemp("complete"), CSPS, missing=())
    yield warehouse  # type: ignore[misc]
    warehouse.close()


def _inputs(
    warehouse: Warehouse, *, code: str = AREA, comparators: Path | None = None
) -> AssessmentInputs:
    return AssessmentInputs(
        warehouse=warehouse,
        area=resolve_study_area(warehouse, code=code),
        period=PERIOD,
        baseline=BASELINE,
        window=parse_period("2020-03..2020-06"),
        groups=load_crime_groups(),
        sources={},
        counts=pd.DataFrame(),
        denominators=Denominators(
            table=pd.DataFrame(), population_year=2020, households_year=None, note=""
        ),
        indicators=pd.DataFrame(),
        seed=1,
        options=AssessmentOptions(comparators_path=comparators),
    )


@pytest.fixture(scope="module")
def comparator_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("comparators") / "msg.yaml"
    path.write_text("comparators: [E22000001, E22000002, E22000011]\n", encoding="utf-8")
    return path


def _burglary(output: FamilyOutput) -> pd.Series:
    return output.tables["benchmarking"].set_index("group_id").loc["burglary"]


@pytest.fixture(scope="module")
def england(complete_country: Warehouse, comparator_file: Path) -> FamilyOutput:
    return benchmarking(
        _inputs(complete_country, comparators=comparator_file), forces=COUNTRY_FORCES
    )


@pytest.fixture(scope="module")
def england_excluding(country: Warehouse, comparator_file: Path) -> FamilyOutput:
    return benchmarking(_inputs(country, comparators=comparator_file), forces=COUNTRY_FORCES)


@pytest.fixture(scope="module")
def regional(country: Warehouse, comparator_file: Path) -> FamilyOutput:
    return benchmarking(
        _inputs(country, comparators=comparator_file), forces=(*COUNTRY_FORCES, EASTSHIRE)
    )


def _count(entry: dict[str, Any], *, complete: bool) -> int:
    if entry["force"] == "southshire" and not complete:
        return int(entry["burglary"][1][0])  # June is missing
    return int(sum(entry["burglary"][1]))


def _rate(entry: dict[str, Any], *, complete: bool) -> float:
    return _count(entry, complete=complete) / int(entry["population"]) * 1000


def _byars(count: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower, upper


def _entry(code: str) -> dict[str, Any]:
    return next(entry for entry in CSPS if entry["csp"] == code)


def _pooled(entries: list[dict[str, Any]], *, complete: bool) -> tuple[int, int, float]:
    count = sum(_count(entry, complete=complete) for entry in entries)
    population = sum(int(entry["population"]) for entry in entries)
    return count, population, count / population * 1000


def _expected_label(count: int, population: int, benchmark: float) -> str:
    """Fingertips rule, low is good: interval above the benchmark is Worse (Byar's, 10+)."""
    lower, upper = (limit / population * 1000 for limit in _byars(count))
    return "Worse" if lower > benchmark else "Better" if upper < benchmark else "Similar"


def _min_rank(own: float, values: list[float]) -> int:
    """1 = highest; tied values share the smallest rank."""
    return 1 + sum(value > own for value in values)


def _english(*, complete: bool) -> list[dict[str, Any]]:
    return [
        entry
        for entry in CSPS
        if str(entry["csp"]).startswith("E") and (complete or entry["force"] == "northshire")
    ]


# --- England complete: every force of the (synthetic) nation, every month ---------------------


def test_complete_coverage_gives_england_figures(england: FamilyOutput) -> None:
    row = _burglary(england)
    members = _english(complete=True)
    assert len(members) == 11  # places 1-9, 11 and 12
    count, population, rate = _pooled(members, complete=True)
    assert (row["nation"], row["national_name"], row["national_code"]) == (
        "England",
        "England",
        "E92000001",
    )
    assert row["national_coverage"] == "complete"
    assert row["national_not_made"] == ""
    assert (row["national_count"], row["national_population"]) == (count, population)
    assert row["national_rate"] == pytest.approx(rate, rel=1e-12)
    own = _rate(_entry(AREA), complete=True)
    assert row["count"] == 75
    assert row["national_label"] == _expected_label(75, 1500, rate) == "Worse"
    rank = _min_rank(own, [_rate(entry, complete=True) for entry in members])
    assert (row["rank"], row["rank_of"]) == (rank, 11) == (1, 11)
    # Eleven ranked: band b holds ranks up to floor(b * 0.1 * 11); rank 1 is in band 1.
    assert row["band"] == 1
    assert row["band_description"] == "among the highest 10%"
    assert row["percentile_position"] == pytest.approx(1 / 11)
    assert row["rank_scope"] == "English CSPs"
    assert pd.isna(row["regional_rank"])
    assert row["regional_scope"] == ""


def test_complete_coverage_finding_names_england_and_the_test_in_words(
    england: FamilyOutput,
) -> None:
    row = _burglary(england)
    finding = next(f for f in england.findings if f.finding_id == "benchmarking_burglary")
    assert finding.sentence == (
        "Place 5 ranked 1st of 11 English CSPs for the rate of burglary in 2020-05..2020-06 "
        "(50.0 per 1,000 residents; 1 = highest), among the highest 10%. Its rate was "
        f"significantly higher than the England average of {row['national_rate']:,.1f} per "
        "1,000 (its 95% confidence interval lies wholly above it). Within its comparator group "
        "(Place 1, Place 11 and Place 2) it ranked 1st of 4, and its rate was significantly "
        "higher than "
        f"the group's average of {row['comparator_rate']:,.1f} per 1,000 (its 95% confidence "
        "interval lies wholly above it)."
    )
    assert finding.methods == ("ranking", "fingertips_benchmark")
    assert finding.significant
    assert finding.row_ids == (row["benchmark_id"],)
    assert row["benchmark_id"] == "benchmarking:burglary:E22000005:2020-05..2020-06"
    assert england.manifest["national"]["England"]["coverage"] == "complete"  # type: ignore[index]
    assert "benchmarking_national" not in england.skipped


def test_ranks_of_every_english_csp_share_the_smallest_rank_when_tied(
    england: FamilyOutput,
) -> None:
    csps = england.tables["benchmarking_csps"]
    burglary = csps[csps["group_id"] == "burglary"].set_index("csp_code")
    members = _english(complete=True)
    values = [_rate(entry, complete=True) for entry in members]
    for entry in members:
        expected = _min_rank(_rate(entry, complete=True), values)
        assert burglary.loc[str(entry["csp"]), "rank"] == expected
    # Places 2 and 4 both have 10 burglaries per 1,000: one rank, and the next is skipped.
    tied = int(burglary.loc["E22000002", "rank"])
    assert burglary.loc["E22000004", "rank"] == tied
    assert tied + 1 not in set(burglary["rank"].dropna().astype(int))
    # The Welsh place is not ranked among English CSPs, and Wales is not national here.
    assert pd.isna(burglary.loc["W14000010", "rank"])
    assert "Wales" in burglary.loc["W14000010", "national_not_made"]


# --- A known data problem: England excluding the force with a missing month ------------------


def test_a_force_missing_a_month_makes_england_excluding_it(
    england_excluding: FamilyOutput,
) -> None:
    row = _burglary(england_excluding)
    members = _english(complete=False)
    assert len(members) == 9
    count, population, rate = _pooled(members, complete=False)
    assert row["national_name"] == "England excluding Southshire Constabulary"
    assert row["national_code"] == ""
    assert row["national_coverage"] == "subset"
    assert (row["national_count"], row["national_population"]) == (count, population)
    assert row["national_rate"] == pytest.approx(rate, rel=1e-12)
    assert row["national_label"] == _expected_label(75, 1500, rate)
    assert (row["rank"], row["rank_of"]) == (1, 9)
    assert row["rank_scope"] == "English CSPs (excluding Southshire Constabulary)"
    assert row["excluded_forces"] == "Southshire Constabulary"
    assert "E22000011" in row["excluded_csps"]
    assert "E22000012" in row["excluded_csps"]
    finding = next(f for f in england_excluding.findings if f.topic == "burglary")
    assert "ranked 1st of 9 English CSPs (excluding Southshire Constabulary)" in finding.sentence
    assert "than the average of England excluding Southshire Constabulary of" in finding.sentence
    assert "England average" not in finding.sentence
    verdict = england_excluding.manifest["national"]["England"]  # type: ignore[index]
    assert verdict["coverage"] == "subset"
    assert verdict["left_out"] == ["Southshire Constabulary"]


def test_comparator_group_pooled_without_the_incomplete_member(
    england_excluding: FamilyOutput,
) -> None:
    row = _burglary(england_excluding)
    members = [_entry("E22000001"), _entry("E22000002")]
    count, population, rate = _pooled(members, complete=False)
    assert (row["comparator_count"], row["comparator_population"]) == (count, population)
    assert row["comparator_rate"] == pytest.approx(rate, rel=1e-12)
    assert row["comparator_label"] == _expected_label(75, 1500, rate)
    assert row["comparator_members"] == (
        "E22000001, E22000002; not pooled (incomplete police.uk data): E22000011"
    )
    assert row["comparator_names"] == "Place 1 and Place 2"
    within = [_rate(entry, complete=False) for entry in [*members, _entry(AREA)]]
    assert row["comparator_rank"] == _min_rank(_rate(_entry(AREA), complete=False), within)
    assert row["comparator_rank_of"] == 3


# --- Not all of England: no England figure, rank or band; the CSPs loaded, named -------------


def test_without_national_coverage_there_is_no_england_figure_rank_or_band(
    regional: FamilyOutput,
) -> None:
    row = _burglary(regional)
    assert row["national_name"] == ""
    assert row["national_code"] == ""
    assert row["national_coverage"] == "not national"
    assert pd.isna(row["national_rate"])
    assert row["national_label"] == "Not compared"
    assert pd.isna(row["rank"])
    assert pd.isna(row["band"])
    assert pd.isna(row["percentile_position"])
    assert row["band_description"] == ""
    assert row["national_not_made"] == (
        f"not made: the loaded police.uk data cover 9 CSPs of Northshire Police ({PLACES_1_TO_9}"
        "), not all of England: 1 of the 3 police forces of England has no police.uk data for "
        "2020-05..2020-06; Southshire Constabulary has a missing or low month in "
        "2020-05..2020-06"
    )
    assert regional.skipped["benchmarking_national"] == row["national_not_made"]
    csps = regional.tables["benchmarking_csps"]
    assert csps["rank"].isna().all()
    assert csps["band"].isna().all()


def test_regional_comparison_is_labelled_with_its_members_and_rank(
    regional: FamilyOutput,
) -> None:
    row = _burglary(regional)
    members = _english(complete=False)
    count, population, rate = _pooled(members, complete=False)
    assert row["regional_scope"] == "the 9 CSPs of Northshire Police's area loaded"
    assert row["regional_members"] == PLACES_1_TO_9
    assert (row["regional_count"], row["regional_population"]) == (count, population)
    assert row["regional_rate"] == pytest.approx(rate, rel=1e-12)
    assert row["regional_label"] == _expected_label(75, 1500, rate) == "Worse"
    values = [_rate(entry, complete=False) for entry in members]
    assert row["regional_rank"] == _min_rank(_rate(_entry(AREA), complete=False), values) == 1
    assert row["regional_rank_of"] == 9
    finding = next(f for f in regional.findings if f.topic == "burglary")
    assert finding.sentence.startswith(
        f"Among the 9 CSPs of Northshire Police's area loaded ({PLACES_1_TO_9}), Place 5 ranked "
        "1st of 9 for the rate of burglary in 2020-05..2020-06 (50.0 per 1,000 residents; "
        "1 = highest). Its rate was significantly higher than the average of these 9 CSPs of "
        f"{rate:,.1f} per 1,000 (its 95% confidence interval lies wholly above it)."
    )
    csps = regional.tables["benchmarking_csps"]
    burglary = csps[csps["group_id"] == "burglary"].set_index("csp_code")
    assert burglary.loc["E22000002", "regional_rank"] == burglary.loc["E22000004", "regional_rank"]


def test_england_appears_in_no_label_or_finding_without_coverage(regional: FamilyOutput) -> None:
    table = regional.tables["benchmarking"]
    for column in TEXT_LABELS:
        assert not table[column].astype(str).str.contains("England").any(), column
    for finding in regional.findings:
        assert "England" not in finding.sentence
        assert "methods.md" not in finding.sentence
        assert "low_is_good" not in finding.sentence


def test_the_test_country_is_not_england_with_the_real_force_list(
    country: Warehouse, comparator_file: Path
) -> None:
    output = benchmarking(_inputs(country, comparators=comparator_file))
    row = _burglary(output)
    assert row["national_coverage"] == "not national"
    assert row["national_name"] == ""
    assert pd.isna(row["rank"])
    assert (
        "none of the 39 police forces of England has police.uk data" in (row["national_not_made"])
    )
    assert row["regional_rank_of"] == 9
    for column in TEXT_LABELS:
        assert "England" not in str(row[column]), column
    assert all("England" not in finding.sentence for finding in output.findings)
    england = output.manifest["national"]["England"]  # type: ignore[index]
    assert england["coverage"] == "not national"
    assert len(england["forces_without_data"]) == 39


def test_public_csp_table_is_whole_unless_police_uk_is_protected(
    england: FamilyOutput, complete_country: Warehouse, comparator_file: Path
) -> None:
    # data.police.uk publishes every record: by default its counts are published whole.
    assert england.public_tables["benchmarking_csps"]["count"].tolist() == (
        england.tables["benchmarking_csps"]["count"].tolist()
    )
    protected = benchmarking(
        dataclasses.replace(
            _inputs(complete_country, comparators=comparator_file),
            policy=DisclosurePolicy(protected_sources=frozenset({"police_uk", "extract"})),
        ),
        forces=COUNTRY_FORCES,
    )
    public = protected.public_tables["benchmarking_csps"]
    partner = protected.tables["benchmarking_csps"]
    asb = public[(public["group_id"] == "asb") & (public["nation"] == "England")]
    small = partner[
        (partner["group_id"] == "asb")
        & (partner["nation"] == "England")
        & partner["count"].between(1, 4)
    ]
    assert not small.empty
    assert asb.loc[small.index, "count"].isna().all()
    # England's pooled count is published: a single hidden English CSP would be recoverable.
    assert asb["count"].isna().sum() >= 2


def test_comparator_files_yaml_and_csv(tmp_path: Path) -> None:
    yaml_file = tmp_path / "group.yaml"
    yaml_file.write_text("comparators: [E22000001, E22000002, E22000001]\n", encoding="utf-8")
    assert read_comparators(yaml_file) == ["E22000001", "E22000002"]
    csv_file = tmp_path / "group.csv"
    csv_file.write_text("name,csp_code\nOne,E22000001\nTwo,E22000004\n,\n", encoding="utf-8")
    assert read_comparators(csv_file) == ["E22000001", "E22000004"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,area\nOne,E22000001\n", encoding="utf-8")
    with pytest.raises(ComparatorFileError, match="csp_code or code"):
        read_comparators(bad)


def test_unknown_comparator_code_is_refused(country: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "group.yaml"
    path.write_text("comparators: [E22999999]\n", encoding="utf-8")
    with pytest.raises(ComparatorFileError, match="E22999999"):
        benchmarking(_inputs(country, comparators=path))


def test_without_comparators_or_for_a_force_area_parts_are_skipped(country: Warehouse) -> None:
    output = benchmarking(_inputs(country), forces=COUNTRY_FORCES)
    assert "benchmarking_comparators" in output.skipped
    assert "options" not in output.skipped["benchmarking_comparators"]
    assert (output.tables["benchmarking"]["comparator_label"] == "Not compared").all()
    force = benchmarking(_inputs(country, code="E23000001"))
    assert "is a pfa" in force.skipped["benchmarking"]
    assert force.tables["benchmarking"].empty
    assert not force.findings


def test_an_area_with_incomplete_data_is_compared_with_nothing(country: Warehouse) -> None:
    output = benchmarking(_inputs(country, code="E22000011"), forces=COUNTRY_FORCES)
    assert output.tables["benchmarking"].empty
    assert not output.findings
    assert output.skipped["benchmarking"] == (
        "the police.uk data of Place 11 are incomplete for 2020-05..2020-06 (police.uk "
        "coverage: its force (southshire) has a missing or low month in the period)"
    )


def test_priorities_score_the_comparator_position_from_these_labels(
    country: Warehouse, comparator_file: Path
) -> None:
    # Priorities read family 6 with the shipped force list: the country is not England, so
    # only the comparator group's label counts.
    inputs = _inputs(country, comparators=comparator_file)
    issues = ["burglary", "asb", "robbery", "drugs", "shoplifting", "vehicle_crime"]
    indicators = pd.DataFrame(
        {
            "row_id": [f"{issue}:{AREA}:2020-05..2020-06" for issue in issues],
            "indicator_id": issues,
            "indicator_name": issues,
            "area_code": AREA,
            "numerator": [10, 20, 30, 40, 50, 60],
            "change_significant": pd.array([pd.NA] * 6, dtype="boolean"),
            "change_ratio": np.nan,
            "change_pct": np.nan,
            "change_p_value": np.nan,
            "baseline_period": "",
            "change_test": "",
        }
    )
    inputs = dataclasses.replace(inputs, indicators=indicators)
    matrix, *_ = priority_tables(inputs, scoring=load_priority_scoring())
    labels = benchmarking(inputs).tables["benchmarking"].set_index("group_id")
    step = {"Worse": 1, "Similar": 0, "Not compared": 0, "Better": -1}
    for row in matrix.itertuples():
        national = labels.loc[row.group_id, "national_label"]
        comparator = labels.loc[row.group_id, "comparator_label"]
        assert national == "Not compared"
        assert row.comparator_position_score == 3 + step[comparator]
        assert row.comparator_position_evidence == labels.loc[row.group_id, "benchmark_id"]
        assert row.comparator_position_basis.startswith("no national comparison; ")
        assert "England" not in row.comparator_position_basis
    assert matrix.set_index("group_id").loc["burglary", "comparator_position_score"] == 4
