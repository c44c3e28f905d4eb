"""Reading a lake in place: views with the warehouse's columns, and the same assessments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from demo_city import DEMO_AREA

from safecity.assess.all_csps import lsoa_category_counts
from safecity.assess.all_csps_families import assess_every_csp
from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.data.lake import export_lake, read_manifest
from safecity.data.lake.layout import MANIFEST_FILE
from safecity.data.warehouse import Warehouse

PERIOD = parse_period("2024/25")


@pytest.fixture(scope="module")
def city_lake(city_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("city-lake") / "lake"
    with Warehouse(city_warehouse, read_only=True) as warehouse:
        export_lake(warehouse, out_dir=lake)
    return lake


@pytest.fixture(scope="module")
def national_lake(national_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("national-lake") / "lake"
    with Warehouse(national_warehouse, read_only=True) as warehouse:
        export_lake(warehouse, out_dir=lake)
    return lake


def test_every_table_is_a_view_with_the_warehouse_columns_and_rows(
    city_warehouse: Path, city_lake: Path
) -> None:
    with Warehouse.on_lake(city_lake) as lake:
        assert lake.lake == city_lake
        lake.connection.execute(f"ATTACH '{city_warehouse}' AS original (READ_ONLY)")
        tables = [
            row[0]
            for row in lake.connection.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_catalog = 'original' AND table_schema = 'main'"
            ).fetchall()
        ]
        assert len(tables) > 20
        assert set(lake.table_names()) == set(tables) | {"street_month"}
        for table in tables:
            columns = (
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_catalog = ? AND table_name = ? ORDER BY ordinal_position"
            )
            assert (
                lake.connection.execute(columns, ["memory", table]).fetchall()
                == lake.connection.execute(columns, ["original", table]).fetchall()
            ), table
            for first, second in (("original.", ""), ("", "original.")):
                difference = lake.connection.execute(
                    f"SELECT count(*) FROM (SELECT * FROM {first}{table}"
                    f" EXCEPT ALL SELECT * FROM {second}{table})"
                ).fetchall()[0][0]
                assert difference == 0, table
        counted = lake.connection.execute(
            "SELECT (SELECT count(*) FROM police_uk_street),"
            " (SELECT count(*) FROM original.police_uk_street),"
            " (SELECT count(*) FROM extract_crime), (SELECT count(*) FROM extract_victim)"
        ).fetchall()[0]
        assert counted[0] == counted[1] > 0
        assert counted[2] > 0
        assert counted[3] > 0


def test_an_empty_table_is_an_empty_typed_view(national_lake: Path) -> None:
    manifest = read_manifest(national_lake)
    assert manifest.tables["police_uk_outcome"].files == ()
    with Warehouse.on_lake(national_lake) as lake:
        described = lake.connection.execute("DESCRIBE police_uk_outcome").fetchall()
        assert [(row[0], row[1]) for row in described][:4] == [
            ("file_id", "BIGINT"),
            ("force", "VARCHAR"),
            ("month", "DATE"),
            ("crime_id", "VARCHAR"),
        ]
        assert lake.count("police_uk_outcome") == 0
        assert lake.ibis.table("police_uk_outcome").count().execute() == 0


def test_views_read_the_listed_files_not_a_glob(national_lake: Path, tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    shutil.copytree(national_lake, lake_dir)
    listed = read_manifest(lake_dir).tables["police_uk_street"].files[0]
    stray = lake_dir / Path(listed.path).parent / "part-0000000000000000.parquet"
    shutil.copy(lake_dir / listed.path, stray)
    with Warehouse.on_lake(lake_dir) as lake:
        expected = read_manifest(lake_dir).tables["police_uk_street"].rows
        assert lake.count("police_uk_street") == expected


def test_the_street_aggregate_counts_as_the_assessment_does(
    national_warehouse: Path, national_lake: Path
) -> None:
    with (
        Warehouse(national_warehouse, read_only=True) as warehouse,
        Warehouse.on_lake(national_lake) as lake,
    ):
        expected = lsoa_category_counts(warehouse, period=PERIOD).to_pandas()
        aggregate = lake.connection.execute(
            "SELECT lsoa_code, crime_type, sum(crimes) AS count FROM street_month"
            " WHERE month BETWEEN ? AND ? AND lsoa_code IS NOT NULL GROUP BY ALL"
            # A pair whose rows are all repeats of Crime IDs counted at another pair.
            " HAVING sum(crimes) > 0",
            [PERIOD.first_month, PERIOD.last_month],
        ).df()
        keys = ["lsoa_code", "crime_type"]
        pd.testing.assert_frame_equal(
            aggregate.sort_values(keys).reset_index(drop=True),
            expected.sort_values(keys).reset_index(drop=True),
            check_dtype=False,
        )
        totals = lake.connection.execute(
            "SELECT sum(rows), sum(crimes) FILTER (WHERE lsoa_code IS NULL),"
            " count(*) FILTER (WHERE lsoa_code IS NULL) FROM street_month"
        ).fetchall()[0]
        assert totals[0] == warehouse.count("police_uk_street")
        assert totals[2] > 0  # rows without an LSOA are kept, under a missing code
        repeated = warehouse.connection.execute(
            "SELECT count(*) FROM police_uk_street WHERE repeated_crime_id AND NOT is_asb"
        ).fetchall()[0][0]
        assert repeated > 0  # the data exercises the once-per-Crime-ID rule
        assert int(expected["count"].sum()) < totals[0]


def test_a_stale_aggregate_is_not_offered(national_lake: Path, tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    shutil.copytree(national_lake, lake_dir)
    document = json.loads((lake_dir / MANIFEST_FILE).read_text())
    document["tables"]["street_month"]["files"][0]["source_sha256"] = "0" * 64
    (lake_dir / MANIFEST_FILE).write_text(json.dumps(document))
    with Warehouse.on_lake(lake_dir) as lake:
        assert "street_month" not in lake.table_names()
        assert "police_uk_street" in lake.table_names()


def test_the_demo_city_assessment_is_the_same_on_its_lake(
    city_warehouse: Path, city_lake: Path, tmp_path: Path
) -> None:
    with Warehouse(city_warehouse, read_only=True) as warehouse:
        on_warehouse = run_assessment(
            warehouse, area_code=DEMO_AREA, period=PERIOD, out_dir=tmp_path / "warehouse"
        )
    with Warehouse.on_lake(city_lake) as lake:
        on_lake = run_assessment(
            lake, area_code=DEMO_AREA, period=PERIOD, out_dir=tmp_path / "lake"
        )
    assert len(on_warehouse.indicators) > 20
    pd.testing.assert_frame_equal(on_lake.indicators, on_warehouse.indicators, check_exact=True)
    pd.testing.assert_frame_equal(on_lake.findings, on_warehouse.findings, check_exact=True)


def test_every_csp_is_assessed_the_same_on_the_lake(
    national_warehouse: Path, national_lake: Path
) -> None:
    with Warehouse(national_warehouse, read_only=True) as warehouse:
        on_warehouse = assess_every_csp(warehouse, period=PERIOD)
    with Warehouse.on_lake(national_lake) as lake:
        on_lake = assess_every_csp(lake, period=PERIOD)
    assert on_warehouse.indicators["area_code"].nunique() > 50
    pd.testing.assert_frame_equal(on_lake.indicators, on_warehouse.indicators, check_exact=True)
    assert set(on_lake.tables) == set(on_warehouse.tables)
    for name, table in on_warehouse.tables.items():
        pd.testing.assert_frame_equal(on_lake.tables[name], table, check_exact=True, obj=name)
