"""Family 6 (benchmarking) on a hand-made country of twelve CSPs, checked independently.

Each CSP has one LSOA. Ten CSPs are policed by ``northshire`` (one of them Welsh), two by
``southshire``, whose street file for June 2020 is missing, so those two are excluded from the
ranking and listed. Expected ranks, bands, pooled England and comparator rates and the
Fingertips labels (methods.md §2.1, §3.1) are computed here again from the counts.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from csp_country import build_country, country_csps
from scipy import stats

from safecity.assess.context import AssessmentInputs, AssessmentOptions
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.denominators import Denominators
from safecity.assess.families.benchmarking import (
    ComparatorFileError,
    benchmarking,
    read_comparators,
)
from safecity.assess.families.priorities import load_priority_scoring, priority_tables
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.data.warehouse import Warehouse

PERIOD = parse_period("2020-05..2020-06")
BASELINE = parse_period("2020-03..2020-04")
# Place 5 has a planted high rate in the period, to be labelled against benchmarks.
CSPS = country_csps(period_burglary={5: (40, 35)})
AREA = "E22000005"


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = build_country(tmp_path_factory.mktemp("country"), CSPS)
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


@pytest.fixture(scope="module")
def burglary(country: Warehouse, comparator_file: Path) -> tuple[pd.Series, object]:
    output = benchmarking(_inputs(country, comparators=comparator_file))
    table = output.tables["benchmarking"].set_index("group_id")
    return table.loc["burglary"], output


def _count(entry: dict[str, object]) -> int:
    if entry["force"] == "southshire":
        return int(entry["burglary"][1][0])  # type: ignore[index]
    return sum(entry["burglary"][1])  # type: ignore[index]


def _rate(entry: dict[str, object]) -> float:
    return _count(entry) / int(entry["population"]) * 1000  # type: ignore[call-overload]


def _byars(count: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower, upper


def _entry(code: str) -> dict[str, object]:
    return next(entry for entry in CSPS if entry["csp"] == code)


def test_rank_among_csps_with_complete_coverage(burglary: tuple[pd.Series, object]) -> None:
    row, _ = burglary
    ranked = [_rate(entry) for entry in CSPS if entry["force"] == "northshire"]
    own = _rate(_entry(AREA))
    expected_rank = 1 + sum(value > own for value in ranked)
    assert row["count"] == _count(_entry(AREA)) == 75
    assert row["rate"] == pytest.approx(own, rel=1e-12)
    assert (row["rank"], row["rank_of"]) == (expected_rank, 10)
    # Ten ranked: band b holds ranks up to floor(b * 0.1 * 10) = b (methods.md §3.1).
    assert row["band"] == expected_rank
    assert row["percentile_position"] == pytest.approx(expected_rank / 10)


def test_england_is_the_pooled_rate_of_ranked_english_csps(
    burglary: tuple[pd.Series, object],
) -> None:
    row, _ = burglary
    english = [e for e in CSPS if e["force"] == "northshire" and str(e["csp"]).startswith("E")]
    count = sum(_count(entry) for entry in english)
    population = sum(int(entry["population"]) for entry in english)
    england = count / population * 1000
    assert row["england_count"] == count
    assert row["england_population"] == population
    assert row["england_rate"] == pytest.approx(england, rel=1e-12)
    lower, upper = (limit / 1500 * 1000 for limit in _byars(75))
    # Fingertips rule with low_is_good: interval above the benchmark is Worse.
    expected = "Worse" if lower > england else "Better" if upper < england else "Similar"
    assert row["england_label"] == expected
    assert expected == "Worse"  # the planted high rate: interval above England


def test_comparator_group_pooled_without_the_incomplete_member(
    burglary: tuple[pd.Series, object],
) -> None:
    row, _ = burglary
    members = [_entry("E22000001"), _entry("E22000002")]
    count = sum(_count(entry) for entry in members)
    population = sum(int(entry["population"]) for entry in members)  # type: ignore[call-overload]
    rate = count / population * 1000
    assert row["comparator_count"] == count
    assert row["comparator_rate"] == pytest.approx(rate, rel=1e-12)
    lower, upper = (limit / 1500 * 1000 for limit in _byars(75))
    expected = "Worse" if lower > rate else "Better" if upper < rate else "Similar"
    assert row["comparator_label"] == expected
    assert "E22000011" in row["comparator_members"].split("not pooled")[1]
    within = sorted([_rate(entry) for entry in members] + [_rate(_entry(AREA))], reverse=True)
    assert row["comparator_rank"] == 1 + within.index(_rate(_entry(AREA)))
    assert row["comparator_rank_of"] == 3


def test_excluded_forces_and_csps_are_listed(burglary: tuple[pd.Series, object]) -> None:
    row, output = burglary
    assert row["excluded_forces"] == "southshire"
    assert "E22000011" in row["excluded_csps"]
    assert "E22000012" in row["excluded_csps"]
    assert output.manifest["excluded_forces"] == ["southshire"]  # type: ignore[attr-defined]
    assert output.manifest["csps_ranked"] == 10  # type: ignore[attr-defined]


def test_finding_states_rank_and_the_rule_and_cites_the_row(
    burglary: tuple[pd.Series, object],
) -> None:
    row, output = burglary
    finding = next(
        f
        for f in output.findings
        if f.finding_id == "benchmarking_burglary"  # type: ignore[attr-defined]
    )
    assert finding.sentence.startswith(f"Place 5 ranked {int(row['rank'])}")
    assert "of 10 CSPs with complete police.uk data" in finding.sentence
    assert "95% confidence interval" in finding.sentence
    assert finding.row_ids == (row["benchmark_id"],)
    assert row["benchmark_id"] == "benchmarking:burglary:E22000005:2020-05..2020-06"


def test_public_csp_table_hides_small_counts_and_one_more(
    burglary: tuple[pd.Series, object],
) -> None:
    _, output = burglary
    public = output.public_tables["benchmarking_csps"]  # type: ignore[attr-defined]
    partner = output.tables["benchmarking_csps"]  # type: ignore[attr-defined]
    asb = public[public["group_id"] == "asb"]
    small = partner[(partner["group_id"] == "asb") & partner["count"].between(1, 4)]
    assert asb.loc[small.index, "count"].isna().all()
    assert asb["count"].dropna().eq(0).sum() + asb["count"].dropna().ge(5).sum() == len(
        asb["count"].dropna()
    )


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
    output = benchmarking(_inputs(country))
    assert "benchmarking_comparators" in output.skipped
    assert (output.tables["benchmarking"]["comparator_label"] == "Not compared").all()
    force = benchmarking(_inputs(country, code="E23000001"))
    assert "is a pfa" in force.skipped["benchmarking"]
    assert force.tables["benchmarking"].empty
    assert not force.findings


def test_priorities_score_the_comparator_position_from_these_labels(
    country: Warehouse, comparator_file: Path
) -> None:
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
        england = labels.loc[row.group_id, "england_label"]
        comparator = labels.loc[row.group_id, "comparator_label"]
        assert row.comparator_position_score == 3 + step[england] + step[comparator]
        assert row.comparator_position_evidence == labels.loc[row.group_id, "benchmark_id"]
        assert f"against England: {england}" in row.comparator_position_basis
    assert matrix.set_index("group_id").loc["burglary", "comparator_position_score"] == 5
