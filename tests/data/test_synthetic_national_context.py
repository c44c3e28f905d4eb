"""The demo city's synthetic national context: written, labelled synthetic, loaded, usable.

The city is generated for 12 months ending March 2025 (its latest financial year, 2024/25) and
loaded with ``load_demo``. The published tables must say "synthetic" in publisher and title, the
city's own rows must be its generated crimes (counted here from the police.uk files written) and
Σ synthetic severity weight ÷ residents, every file must load without a quarantined row, and the
nearest-neighbour group of the city must compute from the loaded indicators (15 members,
approximate).
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from safecity.assess.comparators import computed_group, csp_open_indicators
from safecity.assess.national_coverage import PublishedIndicator, published_by_csp
from safecity.assess.periods import parse_period
from safecity.data.demo_load import load_demo
from safecity.data.synthetic import DemoDataset, DemoScale, generate_demo_data
from safecity.data.synthetic.gss_codes import SYNTHETIC_CODE_PATTERN
from safecity.data.synthetic.national_context import ENGLAND_CODE, OTHER_CSPS, PUBLISHER
from safecity.data.synthetic.offence_mix import load_offence_mix
from safecity.data.warehouse import Warehouse

CITY = "E22900001"
PERIOD = parse_period("2024/25")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return generate_demo_data(
        out_dir=tmp_path_factory.mktemp("city"),
        seed=20221,
        scale=DemoScale.CITY,
        first_month="2024-04",
        months=12,
    )


def _published(dataset: DemoDataset) -> list[dict[str, str]]:
    assert dataset.national_context is not None
    rows = []
    for table in dataset.national_context.published_tables:
        with table.path.open(encoding="utf-8") as handle:
            rows.extend({**row, "title": table.title} for row in csv.DictReader(handle))
    return rows


def test_the_published_tables_are_labelled_synthetic(city: DemoDataset) -> None:
    rows = _published(city)
    assert all("SYNTHETIC" in row["title"] for row in rows)
    assert {row["period"] for row in rows} == {"2024/25"}
    codes = {row["area_code"] for row in rows if row["area_code"].startswith("E22")}
    assert len(codes) == OTHER_CSPS + 1
    assert all(SYNTHETIC_CODE_PATTERN.match(code) for code in codes)
    assert {row["area_code"] for row in rows if not row["area_code"].startswith("E22")} == {
        ENGLAND_CODE
    }


def test_the_city_rows_are_its_generated_crimes(city: DemoDataset) -> None:
    crimes = 0
    for file in city.police_uk_files:
        with file.path.open(encoding="utf-8") as handle:
            crimes += sum(
                1 for row in csv.DictReader(handle) if row["Crime type"] != "Anti-social behaviour"
            )
    by_indicator = {
        row["indicator"]: float(row["value"])
        for row in _published(city)
        if row["area_code"] == CITY
    }
    assert by_indicator["recorded_crime"] == crimes
    # The city's severity: its mean synthetic weight is within the mix's range of weights.
    with gzip.open(city.reference.population_by_age, "rt", encoding="utf-8") as handle:
        residents = sum(int(row["total_population"]) for row in csv.DictReader(handle))
    mean_weight = by_indicator["crime_severity_score"] * residents / crimes
    weights = load_offence_mix().severity
    assert weights.min() <= mean_weight <= weights.max()


def test_the_context_loads_and_the_comparator_group_computes(
    city: DemoDataset, tmp_path: Path
) -> None:
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        loaded = load_demo(warehouse, dataset=city)
        context_paths = {str(path) for path in city.files_by_kind()["published_indicators"]}
        context_reports = [
            report
            for report in loaded.reports
            if "national-context" in report.path or report.path in context_paths
        ]
        assert len(context_reports) == 6  # four reference files and two published tables
        assert all(report.quarantined == 0 for report in context_reports)
        indicators, sources = csp_open_indicators(warehouse, period=PERIOD)
        assert indicators.dropna().shape[0] == OTHER_CSPS + 1
        group, reason = computed_group(indicators, subject=CITY, sources=sources)
        assert reason == ""
        assert group is not None
        assert len(group.codes) == 15
        assert group.approximate
        severity = published_by_csp(
            warehouse, indicator=PublishedIndicator.CRIME_SEVERITY_SCORE, period=PERIOD
        )
        assert severity.source is not None
        assert severity.source.publisher == PUBLISHER
        assert len(severity.values) == OTHER_CSPS + 1
