"""The synthetic national police.uk archive written straight into a warehouse (issue 16)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from safecity.assess.all_csps_families import assess_every_csp
from safecity.assess.periods import parse_period
from safecity.data.police_uk.formats import known_crime_types
from safecity.data.synthetic.national_archive import NationalArchive, generate_national_archive
from safecity.data.warehouse import Warehouse

SEED = 16
FIRST_MONTH = "2023-04"
MONTHS = 24
CRIMES_PER_MONTH = 8_500
LSOAS = 400
CHECKSUM = (
    "SELECT count(*), sum(hash(force, month, crime_id, reported_by, falls_within, longitude,"
    " latitude, easting, northing, location, lsoa_code, lsoa_name, crime_type,"
    " last_outcome_category, is_asb, has_location, repeated_crime_id)::HUGEINT)"
    " FROM police_uk_street"
)


def _generate(path: Path, *, seed: int = SEED, threads: int | None = None) -> NationalArchive:
    return generate_national_archive(
        warehouse_path=path,
        seed=seed,
        first_month=FIRST_MONTH,
        months=MONTHS,
        crimes_per_month=CRIMES_PER_MONTH,
        lsoa_count=LSOAS,
        threads=threads,
    )


def _checksum(path: Path) -> tuple[int, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        count, total = connection.execute(CHECKSUM).fetchall()[0]
    return int(count), int(total)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> NationalArchive:
    return _generate(tmp_path_factory.mktemp("archive") / "national.duckdb", threads=2)


@pytest.fixture(scope="module")
def warehouse(archive: NationalArchive) -> Iterator[Warehouse]:
    with Warehouse(archive.warehouse_path, read_only=True) as opened:
        yield opened


def _rows(warehouse: Warehouse, query: str) -> list[tuple[object, ...]]:
    return warehouse.connection.execute(query).fetchall()


def test_the_archive_has_the_rows_it_reports(
    archive: NationalArchive, warehouse: Warehouse
) -> None:
    assert archive.street_rows == warehouse.count("police_uk_street")
    assert 0.9 * MONTHS * CRIMES_PER_MONTH < archive.street_rows < 1.1 * MONTHS * CRIMES_PER_MONTH
    assert archive.files == 43 * MONTHS
    assert len(archive.months) == MONTHS
    assert archive.months[0] == FIRST_MONTH


def test_the_same_seed_gives_the_same_rows_whatever_the_threads(
    archive: NationalArchive, tmp_path: Path
) -> None:
    again = _generate(tmp_path / "again.duckdb", threads=1)
    assert _checksum(again.warehouse_path) == _checksum(archive.warehouse_path)


def _tiny(path: Path, *, seed: int) -> NationalArchive:
    return generate_national_archive(
        warehouse_path=path,
        seed=seed,
        first_month=FIRST_MONTH,
        months=1,
        crimes_per_month=800,
        lsoa_count=258,
    )


def test_another_seed_gives_other_rows_and_a_used_warehouse_is_refused(tmp_path: Path) -> None:
    first = _tiny(tmp_path / "first.duckdb", seed=1)
    second = _tiny(tmp_path / "second.duckdb", seed=2)
    assert _checksum(first.warehouse_path) != _checksum(second.warehouse_path)
    with pytest.raises(ValueError, match=r"first.duckdb already holds 5\d loaded files"):
        _tiny(first.warehouse_path, seed=1)
    assert _checksum(first.warehouse_path)[0] == first.street_rows


def test_every_force_has_one_loaded_file_every_month(warehouse: Warehouse) -> None:
    forces, months, partitions = _rows(
        warehouse,
        "SELECT count(DISTINCT force), count(DISTINCT month), count(DISTINCT (force, month))"
        " FROM police_uk_street",
    )[0]
    assert (forces, months, partitions) == (43, MONTHS, 43 * MONTHS)
    mismatched = _rows(
        warehouse,
        "SELECT f.file_id, f.dataset_key, f.rows_in, s.rows FROM load_file f JOIN (SELECT"
        " file_id, any_value(force) AS force, any_value(month) AS month, count(DISTINCT"
        " (force, month)) AS partitions, count(*) AS rows FROM police_uk_street GROUP BY"
        " file_id) s USING (file_id) WHERE f.status <> 'loaded' OR s.partitions <> 1"
        " OR f.rows_in <> s.rows OR f.loaded <> s.rows OR f.dataset_key <>"
        " 'police_uk_street/' || s.force || '/' || strftime(s.month, '%Y-%m')",
    )
    assert mismatched == []
    street_files = _rows(
        warehouse, "SELECT count(*) FROM load_file WHERE format = 'police_uk_street'"
    )[0][0]
    assert street_files == 43 * MONTHS


def test_repeated_crime_id_is_set_as_the_loader_sets_it(warehouse: Warehouse) -> None:
    differing, flagged = _rows(
        warehouse,
        "SELECT count(*) FILTER (WHERE s.repeated_crime_id <> (r.crime_id IS NOT NULL)),"
        " count(*) FILTER (WHERE s.repeated_crime_id) FROM police_uk_street s LEFT JOIN"
        " (SELECT file_id, crime_id FROM police_uk_street WHERE crime_id IS NOT NULL"
        " GROUP BY ALL HAVING count(*) > 1) r USING (file_id, crime_id)",
    )[0]
    assert differing == 0
    assert flagged > 50
    # Some repeated Crime IDs have one row without a location (a different "LSOA": none).
    split = _rows(
        warehouse,
        "SELECT count(*) FROM (SELECT file_id, crime_id FROM police_uk_street WHERE"
        " repeated_crime_id GROUP BY ALL HAVING count(DISTINCT has_location) = 2)",
    )[0][0]
    assert split > 0


def test_columns_look_like_the_loaders_output(warehouse: Warehouse) -> None:
    crime_types = {
        str(row[0]) for row in _rows(warehouse, "SELECT DISTINCT crime_type FROM police_uk_street")
    }
    assert len(crime_types) == 14
    assert crime_types <= set(known_crime_types())
    assert "Anti-social behaviour" in crime_types
    bad = _rows(
        warehouse,
        "SELECT count(*) FILTER (WHERE is_asb <> (crime_type = 'Anti-social behaviour')),"
        " count(*) FILTER (WHERE is_asb <> (crime_id IS NULL)),"
        " count(*) FILTER (WHERE NOT is_asb AND NOT regexp_full_match(crime_id, '[0-9a-f]{64}')),"
        " count(*) FILTER (WHERE has_location <> (longitude IS NOT NULL)"
        "   OR has_location <> (lsoa_code IS NOT NULL) OR has_location <> (easting IS NOT NULL)),"
        " count(*) FILTER (WHERE has_location AND NOT (longitude BETWEEN -6 AND 2"
        "   AND latitude BETWEEN 49.9 AND 55.9 AND easting BETWEEN 0 AND 700000"
        "   AND northing BETWEEN 0 AND 1300000)),"
        " count(*) FILTER (WHERE falls_within IS NULL OR reported_by <> falls_within),"
        " count(*) FILTER (WHERE lsoa_code IS NOT NULL AND lsoa_code NOT IN"
        "   (SELECT lsoa_code FROM area_lookup))"
        " FROM police_uk_street",
    )[0]
    assert bad == (0, 0, 0, 0, 0, 0, 0)
    without_location = _rows(
        warehouse, "SELECT avg((NOT has_location)::INTEGER) FROM police_uk_street"
    )[0][0]
    assert 0.0005 < float(without_location) < 0.01


def test_every_csp_is_ranked_in_a_complete_england(warehouse: Warehouse) -> None:
    result = assess_every_csp(warehouse, period=parse_period("2024/25"))
    england = result.manifest["benchmarking"]["national"]["England"]
    assert england["coverage"] == "complete"
    assert england["csps_covered"] == england["csps_in_lookup"] > 30
    benchmarking = result.tables["all_csps_benchmarking"]
    english = benchmarking[
        (benchmarking["nation"] == "England") & (benchmarking["group_id"] == "all_crime")
    ]
    assert len(english) == england["csps_in_lookup"]
    assert sorted(english["rank"].tolist()) == list(range(1, len(english) + 1))
    assert english["complete_coverage"].all()
    all_crime = result.indicators[result.indicators["indicator_id"] == "all_crime"]
    assert (all_crime["baseline_numerator"] > 0).all()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one month"):
        generate_national_archive(
            warehouse_path=tmp_path / "x.duckdb",
            seed=1,
            first_month=FIRST_MONTH,
            months=0,
            crimes_per_month=10,
        )
    with pytest.raises(ValueError, match="seed"):
        generate_national_archive(
            warehouse_path=tmp_path / "x.duckdb",
            seed=-1,
            first_month=FIRST_MONTH,
            months=1,
            crimes_per_month=10,
        )
