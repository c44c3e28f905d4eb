"""The assessment's Ibis aggregations give the same numbers on PySpark as on DuckDB.

Issue 4: "a parity test runs a national-scale subset on the PySpark backend (local mode) and
checks identical ``indicators`` tables". The warehouse tables the Ibis expressions read
(``police_uk_street``, ``extract_crime``, ``extract_victim``) are exported to Parquet and
registered under the same names in a local Spark session; the engine then runs once with its
DuckDB backend and once with ``backend=`` the PySpark one. Lookups and denominators stay on the
DuckDB warehouse in both runs, so any difference comes from the aggregations. Everything after
them is the same pandas code, so identical aggregated frames (checked here for the police.uk
and the extract expressions) give identical figures for every group.

Data: the synthetic national set (43 forces) with 600 LSOAs over 24 months (April 2023 to
March 2025: the 2024/25 period and its 2023/24 baseline), and the synthetic city (the only
scale with a force extract) for the extract aggregation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from safecity.assess.counts import police_uk_category_counts
from safecity.assess.engine import run_assessment
from safecity.assess.extract_counts import extract_profile_counts
from safecity.assess.periods import parse_period
from safecity.data.demo_load import load_demo
from safecity.data.extract.pseudonyms import KEY_ENVIRONMENT_VARIABLE
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.warehouse import Warehouse

pytestmark = pytest.mark.slow

IBIS_TABLES = ("police_uk_street", "extract_crime", "extract_victim")
"""Every warehouse table the engine's Ibis expressions read."""

NATIONAL_REFERENCE = {
    "lsoa_ward_lad_lookup": ReferenceKind.LSOA_LOOKUP,
    "lad_csp_pfa_lookup": ReferenceKind.CSP_LOOKUP,
    "population_by_age": ReferenceKind.POPULATION,
}
PERIOD = parse_period("2024/25")
FIRST_MONTH, LAST_MONTH = date(2023, 4, 1), date(2025, 3, 1)
CATEGORY_KEYS = ["lsoa_code", "month", "crime_type"]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        session = (
            SparkSession.builder.master("local[2]")
            .appName("safecity-parity")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


def _spark_backend(spark: SparkSession, warehouse: Warehouse, *, folder: Path) -> Any:
    """A PySpark Ibis backend holding the warehouse's Ibis-read tables, under the same names."""
    folder.mkdir()
    for table in IBIS_TABLES:
        path = folder / f"{table}.parquet"
        warehouse.connection.execute(f"COPY {table} TO '{path}' (FORMAT parquet)")
        spark.read.parquet(str(path)).createOrReplaceTempView(table)
    return ibis.pyspark.connect(spark)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = tmp_path_factory.mktemp("national")
    dataset = generate_demo_data(
        out_dir=folder / "data",
        seed=20221,
        scale=DemoScale.NATIONAL,
        first_month="2023-04",
        months=24,
        national_lsoa_count=600,
    )
    warehouse = Warehouse(folder / "national.duckdb")
    load_police_uk(warehouse, paths=[file.path for file in dataset.police_uk_files])
    for name, path in dataset.reference.as_dict().items():
        if name in NATIONAL_REFERENCE:
            load_reference(warehouse, kind=NATIONAL_REFERENCE[name], path=path)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def national_spark(
    spark: SparkSession, national: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    return _spark_backend(
        spark, national, folder=tmp_path_factory.mktemp("national-parquet") / "tables"
    )


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = tmp_path_factory.mktemp("city")
    dataset = generate_demo_data(out_dir=folder / "data", seed=20221, scale=DemoScale.CITY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENVIRONMENT_VARIABLE, "5afec17y" * 8)
        warehouse = Warehouse(folder / "city.duckdb")
        load_demo(warehouse, dataset=dataset)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def city_spark(
    spark: SparkSession, city: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    return _spark_backend(spark, city, folder=tmp_path_factory.mktemp("city-parquet") / "tables")


def _largest_csp(warehouse: Warehouse) -> str:
    row = warehouse.connection.execute(
        "SELECT csp.csp_code FROM area_lookup AS lsoa"
        " JOIN csp_lookup AS csp ON lsoa.lad_code = csp.lad_code"
        " GROUP BY csp.csp_code ORDER BY count(DISTINCT lsoa.lsoa_code) DESC, csp.csp_code"
        " LIMIT 1"
    ).fetchone()
    assert row is not None
    return str(row[0])


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, na_position="last").reset_index(drop=True)


def test_police_uk_category_counts_identical_nationally(
    national: Warehouse, national_spark: Any
) -> None:
    on_duckdb = police_uk_category_counts(
        national.ibis, first_month=FIRST_MONTH, last_month=LAST_MONTH
    ).to_pandas()
    on_spark = police_uk_category_counts(
        national_spark, first_month=FIRST_MONTH, last_month=LAST_MONTH
    ).to_pandas()
    pd.testing.assert_frame_equal(
        _sorted(on_spark, CATEGORY_KEYS), _sorted(on_duckdb, CATEGORY_KEYS)
    )
    # Independently: every row once, except a Crime ID repeated in a force-month, once.
    street = national.connection.execute(
        "SELECT count(*) FILTER (WHERE is_asb OR crime_id IS NULL)"
        " + count(DISTINCT (force, month, crime_id)) FILTER (WHERE NOT is_asb)"
        " , count(*) FILTER (WHERE repeated_crime_id), count(*) FILTER (WHERE lsoa_code IS NULL)"
        " FROM police_uk_street"
    ).fetchone()
    assert street is not None
    counted, repeated_rows, without_lsoa = street
    assert int(on_spark["count"].sum()) == counted
    assert repeated_rows > 0  # the data exercises the once-per-Crime-ID rule
    assert without_lsoa > 0  # and rows without an LSOA
    assert on_spark["lsoa_code"].isna().any()


def test_national_csp_indicators_identical(
    national: Warehouse, national_spark: Any, tmp_path: Path
) -> None:
    csp = _largest_csp(national)
    on_duckdb = run_assessment(national, area_code=csp, period=PERIOD, out_dir=tmp_path / "duckdb")
    on_spark = run_assessment(
        national,
        area_code=csp,
        period=PERIOD,
        out_dir=tmp_path / "spark",
        backend=national_spark,
    )
    assert len(on_duckdb.indicators) > 0
    assert on_duckdb.indicators["change_p_value"].notna().any()
    pd.testing.assert_frame_equal(on_spark.indicators, on_duckdb.indicators, check_exact=True)
    pd.testing.assert_frame_equal(on_spark.findings, on_duckdb.findings, check_exact=True)
    for table in ("monthly_series.parquet", "lsoa_quintiles.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "spark" / table),
            pd.read_parquet(tmp_path / "duckdb" / table),
            check_exact=True,
        )


def test_extract_profile_counts_identical(city: Warehouse, city_spark: Any) -> None:
    lsoa_codes = [
        row[0]
        for row in city.connection.execute(
            "SELECT DISTINCT lsoa_code FROM extract_crime WHERE lsoa_code IS NOT NULL"
        ).fetchall()
    ]
    on_duckdb = extract_profile_counts(
        city.ibis, lsoa_codes=lsoa_codes, first_month=FIRST_MONTH, last_month=LAST_MONTH
    ).to_pandas()
    on_spark = extract_profile_counts(
        city_spark, lsoa_codes=lsoa_codes, first_month=FIRST_MONTH, last_month=LAST_MONTH
    ).to_pandas()
    keys = [column for column in on_duckdb.columns if column != "count"]
    pd.testing.assert_frame_equal(_sorted(on_spark, keys), _sorted(on_duckdb, keys))
    crimes = city.connection.execute(
        "SELECT count(*) FROM extract_crime WHERE committed_from >= TIMESTAMP '2023-04-01'"
        " AND committed_from < TIMESTAMP '2025-04-01' AND lsoa_code IS NOT NULL"
    ).fetchone()
    assert crimes is not None
    assert int(on_spark["count"].sum()) == crimes[0]
    assert on_spark["female_victim"].any()
