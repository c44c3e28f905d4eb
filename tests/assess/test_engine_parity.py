"""The same numbers on every engine: DuckDB on the warehouse, DuckDB on the lake, Spark on the lake.

Issue 16, point 5: "DuckDB on the lake, DuckDB on the warehouse and Spark local on the lake give
identical indicators for all CSPs over two years (counts exact, statistics to 1e-9)". The
warehouse is exported to a Parquet lake (``safecity.data.lake``); the every-CSP assessment then
runs three times per period, once on each :class:`~safecity.assess.fact_source.FactSource`:
the warehouse's own DuckDB, DuckDB reading the lake in place (lookups and populations from the
lake too), and a local Spark session whose temporary views are the lake's files
(:mod:`safecity.data.lake.spark_session`). Every table is compared: the indicators and each
family table of :func:`~safecity.assess.all_csps_families.assess_every_csp`.

The single-area engine gets the same check (DuckDB on the warehouse against Spark on the lake)
through ``run_assessment(facts=...)``, nationally for the largest CSP, and at city scale (the
only scale with a force extract) so the extract aggregations run on Spark too; the police.uk
and extract aggregations are also compared directly on all three and checked against
independent SQL counts (from the former PySpark parity test of issue 4).

Data: the synthetic national set (43 forces, 600 LSOAs) over 36 months, April 2022 to March
2025: the periods 2023/24 (against 2022/23) and 2024/25 (against 2023/24). One Spark session
(``local[2]``) serves the module; each lake gets its own SQL session of it (its own views).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest

from safecity.assess.all_csps_families import AllCspsAssessment, assess_every_csp
from safecity.assess.counts import police_uk_category_counts
from safecity.assess.engine import AssessmentResult, run_assessment
from safecity.assess.extract_counts import extract_profile_counts
from safecity.assess.fact_source import (
    ComputeEngine,
    FactSource,
    lake_facts,
    warehouse_facts,
)
from safecity.assess.periods import Period, parse_period
from safecity.data.demo_load import load_demo
from safecity.data.extract.pseudonyms import KEY_ENVIRONMENT_VARIABLE
from safecity.data.lake import export_lake
from safecity.data.lake.spark_session import SparkLake, open_spark_session, register_lake
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.warehouse import Warehouse

pytestmark = pytest.mark.slow

NATIONAL_REFERENCE = {
    "lsoa_ward_lad_lookup": ReferenceKind.LSOA_LOOKUP,
    "lad_csp_pfa_lookup": ReferenceKind.CSP_LOOKUP,
    "population_by_age": ReferenceKind.POPULATION,
    "imd_ranks_deciles": ReferenceKind.IMD,
}
PERIODS = {"2023/24": parse_period("2023/24"), "2024/25": parse_period("2024/25")}
FIRST_MONTH, LAST_MONTH = date(2022, 4, 1), date(2025, 3, 1)
CATEGORY_KEYS = ["lsoa_code", "month", "crime_type"]
STATISTIC_TOLERANCE = 1e-9
ENGINES = ("duckdb-lake", "spark-lake")
"""The fact sources compared with DuckDB on the warehouse."""


@dataclass(frozen=True)
class Place:
    """A warehouse, the lake exported from it read by DuckDB, and the fact sources over them."""

    warehouse: Warehouse
    lake: Warehouse
    facts: dict[str, FactSource]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkLake]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        patch.delenv("SPARK_REMOTE", raising=False)
        opened = open_spark_session(master="local[2]", app_name="safecity-parity")
        yield opened
        opened.stop()


def _place(warehouse: Warehouse, *, spark: SparkLake, lake_dir: Path) -> Place:
    export_lake(warehouse, out_dir=lake_dir)
    lake = Warehouse.on_lake(lake_dir)
    # A SQL session of its own: each lake's views, one SparkContext.
    session = spark.session.newSession()
    tables = register_lake(session, lake_dir)
    assert {"police_uk_street", "street_month", "extract_crime", "extract_victim"} <= set(tables)
    return Place(
        warehouse=warehouse,
        lake=lake,
        facts={
            "duckdb-warehouse": warehouse_facts(warehouse),
            "duckdb-lake": lake_facts(lake_dir, engine=ComputeEngine.DUCKDB, lake=lake),
            "spark-lake": FactSource(
                backend=ibis.pyspark.connect(session),
                engine=ComputeEngine.SPARK,
                description=f"Spark (local[2]) on the lake {lake_dir}",
            ),
        },
    )


def _lookups(place: Place, source: str) -> Warehouse:
    """Where lookups and populations come from: the warehouse, or the lake's DuckDB views."""
    return place.warehouse if source == "duckdb-warehouse" else place.lake


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory, spark: SparkLake) -> Iterator[Place]:
    folder = tmp_path_factory.mktemp("national")
    dataset = generate_demo_data(
        out_dir=folder / "data",
        seed=20221,
        scale=DemoScale.NATIONAL,
        first_month="2022-04",
        months=36,
        national_lsoa_count=600,
    )
    warehouse = Warehouse(folder / "national.duckdb")
    load_police_uk(warehouse, paths=[file.path for file in dataset.police_uk_files])
    for name, path in dataset.reference.as_dict().items():
        if name in NATIONAL_REFERENCE:
            load_reference(warehouse, kind=NATIONAL_REFERENCE[name], path=path)
    place = _place(warehouse, spark=spark, lake_dir=folder / "lake")
    yield place
    place.lake.close()
    warehouse.close()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory, spark: SparkLake) -> Iterator[Place]:
    folder = tmp_path_factory.mktemp("city")
    dataset = generate_demo_data(out_dir=folder / "data", seed=20221, scale=DemoScale.CITY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENVIRONMENT_VARIABLE, "5afec17y" * 8)
        warehouse = Warehouse(folder / "city.duckdb")
        load_demo(warehouse, dataset=dataset)
    place = _place(warehouse, spark=spark, lake_dir=folder / "lake")
    yield place
    place.lake.close()
    warehouse.close()


@pytest.fixture(scope="module")
def every_csp(national: Place) -> dict[tuple[str, str], AllCspsAssessment]:
    """The every-CSP assessment of each period on each fact source."""
    return {
        (label, source): assess_every_csp(
            _lookups(national, source), period=period, facts=national.facts[source]
        )
        for label, period in PERIODS.items()
        for source in national.facts
    }


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, na_position="last").reset_index(drop=True)


def assert_same_numbers(actual: pd.DataFrame, expected: pd.DataFrame, *, table: str) -> None:
    """Same rows, columns and types; counts, codes and words exact; statistics to 1e-9."""
    assert list(actual.columns) == list(expected.columns), table
    assert len(actual) == len(expected), table
    statistics = [
        column for column in expected.columns if pd.api.types.is_float_dtype(expected[column])
    ]
    exact = [column for column in expected.columns if column not in statistics]
    pd.testing.assert_frame_equal(
        actual[exact], expected[exact], check_exact=True, obj=f"{table} (exact columns)"
    )
    pd.testing.assert_frame_equal(
        actual[statistics],
        expected[statistics],
        check_exact=False,
        rtol=STATISTIC_TOLERANCE,
        atol=STATISTIC_TOLERANCE,
        obj=f"{table} (statistics)",
    )


@pytest.mark.parametrize("label", list(PERIODS))
@pytest.mark.parametrize("source", ENGINES)
def test_every_csp_identical_on_every_engine(
    every_csp: dict[tuple[str, str], AllCspsAssessment], label: str, source: str
) -> None:
    expected = every_csp[(label, "duckdb-warehouse")]
    actual = every_csp[(label, source)]
    indicators = expected.indicators
    # The data exercise what is compared: every CSP, counts, rates, change and its test.
    assert indicators["area_code"].nunique() > 50
    assert (indicators["numerator"] > 0).all()
    assert indicators["change_p_value"].notna().any()
    assert indicators["value"].notna().all()
    assert_same_numbers(actual.indicators, indicators, table=f"indicators {label}")
    assert set(expected.tables) >= {
        "all_csps_wards_lsoas",
        "all_csps_concentration",
        "all_csps_deprivation",
        "all_csps_deprivation_gaps",
        "all_csps_benchmarking",
        "all_csps_harm",
    }
    assert set(actual.tables) == set(expected.tables)
    for name, table in expected.tables.items():
        assert len(table) > 0, name
        assert_same_numbers(actual.tables[name], table, table=f"{name} {label}")
    assert actual.skipped == expected.skipped
    engine = actual.manifest["engine"]
    assert engine["engine"] == ("spark" if source == "spark-lake" else "duckdb")
    assert "on the lake" in engine["facts"]


def test_periods_differ(every_csp: dict[tuple[str, str], AllCspsAssessment]) -> None:
    """The two years are two assessments (not one compared with itself)."""
    first = every_csp[("2023/24", "spark-lake")].indicators
    second = every_csp[("2024/25", "spark-lake")].indicators
    assert set(first["period"]) == {"2023/24"}
    assert set(second["period"]) == {"2024/25"}
    merged = first.merge(second, on=["area_code", "indicator_id"], suffixes=("_first", "_second"))
    assert len(merged) == len(first)
    assert (merged["numerator_first"] != merged["numerator_second"]).any()
    # 2024/25's baseline is 2023/24: its baseline counts are the first year's counts.
    assert (merged["numerator_first"] == merged["baseline_numerator_second"]).all()


@pytest.mark.parametrize("source", ["duckdb-warehouse", *ENGINES])
def test_police_uk_category_counts_identical_and_counted(national: Place, source: str) -> None:
    counts = police_uk_category_counts(
        national.facts[source].backend, first_month=FIRST_MONTH, last_month=LAST_MONTH
    ).to_pandas()
    expected = police_uk_category_counts(
        national.warehouse.ibis, first_month=FIRST_MONTH, last_month=LAST_MONTH
    ).to_pandas()
    pd.testing.assert_frame_equal(
        _sorted(counts, CATEGORY_KEYS), _sorted(expected, CATEGORY_KEYS), check_exact=True
    )
    # Independently: every row once, except a Crime ID repeated in a force-month, once.
    street = national.warehouse.connection.execute(
        "SELECT count(*) FILTER (WHERE is_asb OR crime_id IS NULL)"
        " + count(DISTINCT (force, month, crime_id)) FILTER (WHERE NOT is_asb)"
        " , count(*) FILTER (WHERE repeated_crime_id), count(*) FILTER (WHERE lsoa_code IS NULL)"
        " FROM police_uk_street"
    ).fetchone()
    assert street is not None
    counted, repeated_rows, without_lsoa = street
    assert int(counts["count"].sum()) == counted
    assert repeated_rows > 0  # the data exercise the once-per-Crime-ID rule
    assert without_lsoa > 0  # and rows without an LSOA
    assert counts["lsoa_code"].isna().any()


def _largest_csp(warehouse: Warehouse) -> str:
    row = warehouse.connection.execute(
        "SELECT csp.csp_code FROM area_lookup AS lsoa"
        " JOIN csp_lookup AS csp ON lsoa.lad_code = csp.lad_code"
        " GROUP BY csp.csp_code ORDER BY count(DISTINCT lsoa.lsoa_code) DESC, csp.csp_code"
        " LIMIT 1"
    ).fetchone()
    assert row is not None
    return str(row[0])


SINGLE_AREA_SOURCES = ("duckdb-warehouse", "spark-lake")
"""A whole single-area assessment is long: DuckDB on the warehouse against Spark on the lake
(DuckDB on the lake runs the same DuckDB code as the warehouse, compared above)."""


def _single_area(place: Place, *, area_code: str, period: Period, out: Path) -> dict[str, Any]:
    results: dict[str, AssessmentResult] = {
        source: run_assessment(
            _lookups(place, source),
            area_code=area_code,
            period=period,
            out_dir=out / source,
            facts=place.facts[source],
        )
        for source in SINGLE_AREA_SOURCES
    }
    return results


def _assert_single_area_identical(results: dict[str, Any], out: Path) -> None:
    expected = results["duckdb-warehouse"]
    assert len(expected.indicators) > 0
    assert expected.indicators["change_p_value"].notna().any()
    for source in SINGLE_AREA_SOURCES[1:]:
        actual = results[source]
        assert_same_numbers(actual.indicators, expected.indicators, table=f"indicators {source}")
        pd.testing.assert_frame_equal(actual.findings, expected.findings, check_exact=True)
        for table in ("monthly_series.parquet", "lsoa_quintiles.parquet"):
            assert_same_numbers(
                pd.read_parquet(out / source / table),
                pd.read_parquet(out / "duckdb-warehouse" / table),
                table=f"{table} {source}",
            )
    manifest = pd.read_json(out / "spark-lake" / "manifest.json", typ="series")
    assert manifest["engine"]["engine"] == "spark"


def test_national_csp_single_area_identical(national: Place, tmp_path: Path) -> None:
    results = _single_area(
        national,
        area_code=_largest_csp(national.warehouse),
        period=PERIODS["2024/25"],
        out=tmp_path,
    )
    _assert_single_area_identical(results, tmp_path)


def test_city_single_area_with_extract_identical(city: Place, tmp_path: Path) -> None:
    area_code = _largest_csp(city.warehouse)
    results = _single_area(city, area_code=area_code, period=PERIODS["2024/25"], out=tmp_path)
    _assert_single_area_identical(results, tmp_path)
    # The extract was used: some group counted from it, on every engine.
    groups = pd.read_parquet(tmp_path / "spark-lake" / "crime_groups.parquet")
    assert (groups["source"] == "extract").any()


@pytest.mark.parametrize("source", ["duckdb-warehouse", *ENGINES])
def test_extract_profile_counts_identical(city: Place, source: str) -> None:
    lsoa_codes = [
        row[0]
        for row in city.warehouse.connection.execute(
            "SELECT DISTINCT lsoa_code FROM extract_crime WHERE lsoa_code IS NOT NULL"
        ).fetchall()
    ]
    window = {"first_month": date(2023, 4, 1), "last_month": date(2025, 3, 1)}
    counts = extract_profile_counts(
        city.facts[source].backend, lsoa_codes=lsoa_codes, **window
    ).to_pandas()
    expected = extract_profile_counts(city.warehouse.ibis, lsoa_codes=lsoa_codes, **window)
    expected_frame = expected.to_pandas()
    keys = [column for column in expected_frame.columns if column != "count"]
    pd.testing.assert_frame_equal(_sorted(counts, keys), _sorted(expected_frame, keys))
    crimes = city.warehouse.connection.execute(
        "SELECT count(*) FROM extract_crime WHERE committed_from >= TIMESTAMP '2023-04-01'"
        " AND committed_from < TIMESTAMP '2025-04-01' AND lsoa_code IS NOT NULL"
    ).fetchone()
    assert crimes is not None
    assert int(counts["count"].sum()) == crimes[0]
    assert counts["female_victim"].any()
