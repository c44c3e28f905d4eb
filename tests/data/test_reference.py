"""Loading reference data: every real file in ../shared/data, and corrupted copies of them.

Golden values are those verified in ``shared/data/SOURCES.md`` (rows per file; Southampton
E06000045: 148 LSOAs in 16 wards, mid-2019 population 252,520, CSP E22000120, PFA E23000030,
IMD 2019 deciles 19,24,24,26,15,14,7,14,4,1; England and Wales mid-2019 total 59,439,840).
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import mapping, shape
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.reference import (
    ReferenceFileRejectedError,
    ReferenceKind,
    csv_pipeline,
    load_reference,
    reference_vintages,
)
from safecity.data.reference.replacement import REFERENCE_TABLES
from safecity.data.warehouse import Warehouse

SOUTHAMPTON = "E06000045"

# (kind, path under shared/data, data rows per SOURCES.md), in load order: the England and
# Wales LSOA boundaries before the Hampshire and Southampton subsets that replace some of them.
REAL_FILES: tuple[tuple[ReferenceKind, str, int], ...] = (
    (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz", 34_753),
    (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD21_LAD21_EW_LU.csv.gz", 34_753),
    (ReferenceKind.CSP_LOOKUP, "geography/lookup_ltla24_csp24_pfa24.csv", 332),
    (ReferenceKind.POPULATION, "population/census2011_lsoa11_population_households.csv.gz", 34_753),
    (ReferenceKind.POPULATION, "population/population19_lsoa11_syoa.csv.gz", 34_753),
    (ReferenceKind.POPULATION, "population/population19_ltla19_syoa.csv", 339),
    (ReferenceKind.POPULATION, "population/population20_lsoa11_syoa.csv.gz", 34_753),
    (ReferenceKind.POPULATION, "population/population20_ltla20_syoa.csv", 336),
    (ReferenceKind.IMD, "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz", 32_844),
    (ReferenceKind.IMD, "deprivation/imd2019_england_lsoa11_scores.csv.gz", 32_844),
    (ReferenceKind.IMD, "deprivation/imd2019_england_ltla19_summary.csv", 317),
    (ReferenceKind.OFFENCE_CODES, "severity/homeoffice_offence_code_to_policeuk_category.csv", 132),
    (ReferenceKind.BOUNDARIES, "boundaries/lsoa11_bsc_ew.geojson.gz", 34_753),
    (ReferenceKind.BOUNDARIES, "boundaries/lsoa11_bsc_hampshire_iow.geojson", 1_194),
    (ReferenceKind.BOUNDARIES, "boundaries/lsoa11_bsc_southampton.geojson", 148),
    (ReferenceKind.BOUNDARIES, "boundaries/ltla20.geojson", 379),
    (ReferenceKind.BOUNDARIES, "boundaries/pfa20.geojson", 43),
    (ReferenceKind.BOUNDARIES, "boundaries/wards20_southampton_from_lsoa11.geojson", 16),
    (ReferenceKind.BOUNDARIES, "boundaries/wards21_southampton.geojson", 16),
    (ReferenceKind.BOUNDARIES, "boundaries/wards21_uk.geojson.gz", 8_694),
)


@pytest.fixture(scope="module")
def loaded(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Warehouse, dict[str, FileLoadReport]]]:
    """A warehouse with every real reference file loaded once, and the reports by path."""
    warehouse = Warehouse(tmp_path_factory.mktemp("reference") / "w.duckdb")
    reports = {
        name: load_reference(warehouse, kind=kind, path=shared_data / name)
        for kind, name, _ in REAL_FILES
    }
    yield warehouse, reports
    warehouse.close()


def _scalar(warehouse: Warehouse, sql: str, parameters: list[Any] | None = None) -> Any:
    row = warehouse.connection.execute(sql, parameters or []).fetchall()
    return row[0][0]


def _contents(warehouse: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: warehouse.connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in (*REFERENCE_TABLES, "quarantine")
    }


# --- every real file, as published -------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(("kind", "name", "rows"), REAL_FILES, ids=[n for _, n, _ in REAL_FILES])
def test_every_real_reference_file_loads_whole(
    loaded: tuple[Warehouse, dict[str, FileLoadReport]], kind: ReferenceKind, name: str, rows: int
) -> None:
    _, reports = loaded
    report = reports[name]
    assert report.status in {LoadStatus.LOADED, LoadStatus.REPLACED}
    assert (report.rows_in, report.loaded, report.quarantined) == (rows, rows, 0)
    assert report.reasons == {}
    assert report.dataset_key is not None
    assert report.dataset_key.startswith(f"reference/{kind.value}/")


@pytest.mark.realdata
def test_southampton_has_148_lsoas_in_16_wards_in_both_ward_vintages(
    loaded: tuple[Warehouse, dict[str, FileLoadReport]],
) -> None:
    warehouse, _ = loaded
    rows = warehouse.connection.execute(
        "SELECT ward_vintage, lsoa_vintage, count(DISTINCT lsoa_code), count(DISTINCT ward_code) "
        "FROM area_lookup WHERE lad_code = ? GROUP BY ALL ORDER BY ALL",
        [SOUTHAMPTON],
    ).fetchall()
    assert rows == [(2020, 2011, 148, 16), (2021, 2011, 148, 16)]
    assert (
        _scalar(warehouse, "SELECT count(*) FROM area_lookup WHERE ward_vintage = 2020") == 34_753
    )


@pytest.mark.realdata
def test_population_totals_match_the_published_figures(
    loaded: tuple[Warehouse, dict[str, FileLoadReport]],
) -> None:
    warehouse, _ = loaded
    southampton_by_year = warehouse.connection.execute(
        "SELECT year, sum(persons), sum(households) FROM population_total AS p "
        "JOIN area_lookup AS a ON a.lsoa_code = p.area_code AND a.lsoa_vintage = p.area_vintage "
        "WHERE a.ward_vintage = 2020 AND a.lad_code = ? AND p.area_level = 'lsoa' "
        "GROUP BY year ORDER BY year",
        [SOUTHAMPTON],
    ).fetchall()
    assert southampton_by_year == [
        (2011, 236_882, 98_254),
        (2019, 252_520, None),
        (2020, 252_872, None),
    ]
    by_age = warehouse.connection.execute(
        "SELECT area_level, year, sum(count) FROM population GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert by_age == [
        ("lad", 2019, 59_439_840),
        ("lad", 2020, 59_719_724),
        ("lsoa", 2019, 59_439_840),
        ("lsoa", 2020, 59_719_724),
    ]
    lad_2019 = _scalar(
        warehouse,
        "SELECT persons FROM population_total WHERE area_level = 'lad' AND area_vintage = 2019 "
        "AND year = 2019 AND area_code = ?",
        [SOUTHAMPTON],
    )
    assert lad_2019 == 252_520
    # ages are 0..90 (90 = the file's 90+ column) and the census's "1,563" is a number
    assert _scalar(warehouse, "SELECT min(age) || '-' || max(age) FROM population") == "0-90"
    assert warehouse.connection.execute(
        "SELECT persons, persons_in_households, persons_in_communal, households FROM "
        "population_total WHERE area_code = 'E01020634' AND year = 2011"
    ).fetchall() == [(1_563, 1_517, 46, 666)]


@pytest.mark.realdata
def test_southampton_is_in_csp_e22000120_and_hampshire_police_force_area(
    loaded: tuple[Warehouse, dict[str, FileLoadReport]],
) -> None:
    warehouse, _ = loaded
    assert warehouse.connection.execute(
        "SELECT csp_code, pfa_code, pfa_name, lad_vintage FROM csp_lookup WHERE lad_code = ?",
        [SOUTHAMPTON],
    ).fetchall() == [("E22000120", "E23000030", "Hampshire", 2024)]
    # a merged district keeps one row per former-district CSP (Buckinghamshire: four)
    assert _scalar(warehouse, "SELECT count(*) FROM csp_lookup WHERE lad_code = 'E06000060'") == 4


@pytest.mark.realdata
def test_southampton_imd_deciles_scores_and_district_summary(
    loaded: tuple[Warehouse, dict[str, FileLoadReport]],
) -> None:
    warehouse, _ = loaded
    lsoa_values = (
        "SELECT d.value, p.persons FROM deprivation AS d JOIN area_lookup AS a "
        "ON a.lsoa_code = d.area_code AND a.ward_vintage = 2020 "
        "JOIN population_total AS p ON p.area_code = d.area_code AND p.year = 2019 "
        "WHERE a.lad_code = ? AND d.index_name = 'IMD2019' AND d.domain = 'imd' AND d.measure = ?"
    )
    deciles = warehouse.connection.execute(
        f"SELECT value, count(*) FROM ({lsoa_values}) GROUP BY value ORDER BY value",
        [SOUTHAMPTON, "decile"],
    ).fetchall()
    assert [count for _, count in deciles] == [19, 24, 24, 26, 15, 14, 7, 14, 4, 1]
    assert [value for value, _ in deciles] == list(range(1, 11))
    low, high, weighted = warehouse.connection.execute(
        f"SELECT min(value), max(value), sum(value * persons) / sum(persons) FROM ({lsoa_values})",
        [SOUTHAMPTON, "score"],
    ).fetchall()[0]
    assert (low, high) == (5.749, 67.169)
    assert round(weighted, 2) == 26.88
    summary = dict(
        warehouse.connection.execute(
            "SELECT domain || '_' || measure, value FROM deprivation "
            "WHERE area_level = 'lad' AND area_code = ?",
            [SOUTHAMPTON],
        ).fetchall()
    )
    assert summary["imd_score"] == 26.876
    assert summary["crime_score"] == 0.881


@pytest.mark.realdata
def test_boundaries_carry_level_vintage_wkb_and_national_grid_centroids(
    loaded: tuple[Warehouse, dict[str, FileLoadReport]],
) -> None:
    warehouse, reports = loaded
    levels = warehouse.connection.execute(
        "SELECT area_level, area_vintage, count(*) FROM boundary GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert levels == [
        ("lad", 2020, 379),
        ("lsoa", 2011, 34_753),
        ("pfa", 2020, 43),
        ("ward", 2020, 16),
        ("ward", 2021, 8_694),
    ]
    hectares, east_min, east_max = warehouse.connection.execute(
        "SELECT sum(area_hectares), min(centroid_easting), max(centroid_easting) FROM boundary "
        "JOIN area_lookup AS a ON a.lsoa_code = area_code AND a.ward_vintage = 2020 "
        "WHERE area_level = 'lsoa' AND a.lad_code = ?",
        [SOUTHAMPTON],
    ).fetchall()[0]
    # Southampton's LSOAs (super-generalised, clipped to the coast) cover about 50 km2
    assert 4_500 < hectares < 5_500
    assert 436_000 < east_min < east_max < 449_000
    wkb, name = warehouse.connection.execute(
        "SELECT geometry_wkb, area_name FROM boundary WHERE area_level = 'pfa' AND area_code = ?",
        ["E23000030"],
    ).fetchall()[0]
    hampshire = shapely.from_wkb(wkb)
    assert name == "Hampshire"
    assert hampshire.geom_type == "MultiPolygon"
    assert hampshire.contains(shapely.Point(-1.4044, 50.9097))  # Southampton Civic Centre
    # the subsets replaced rows of the earlier loads, and the log says so
    hampshire_subset = reports["boundaries/lsoa11_bsc_hampshire_iow.geojson"]
    assert hampshire_subset.status is LoadStatus.REPLACED
    assert hampshire_subset.message is not None
    assert "replaced 1194 rows of load" in hampshire_subset.message
    assert "lsoa11_bsc_ew.geojson.gz" in hampshire_subset.message
    superseded = warehouse.connection.execute(
        "SELECT path, superseded_by FROM load_file WHERE superseded_by IS NOT NULL"
    ).fetchall()
    uk_wards = reports["boundaries/wards21_uk.geojson.gz"]
    assert [(Path(path).name, by) for path, by in superseded] == [
        ("wards21_southampton.geojson", uk_wards.file_id)
    ]


@pytest.mark.realdata
def test_offence_classification_and_what_is_loaded(
    loaded: tuple[Warehouse, dict[str, FileLoadReport]],
) -> None:
    warehouse, _ = loaded
    assert warehouse.connection.execute(
        "SELECT offence_group, offence_subgroup, policeuk_category FROM offence_classification "
        "WHERE offence_code = '28E'"
    ).fetchall() == [("Theft offences", "Domestic burglary", "Burglary")]
    holdings = reference_vintages(warehouse)
    summary = {(h.table, h.vintage, h.year, h.label): h.keys for h in holdings}
    assert summary[("population_total", "lsoa 2011", 2019, "totals")] == 34_753
    assert summary[("area_lookup", "lsoa 2011 / ward 2021 / lad 2021", None, None)] == 34_753
    assert summary[("deprivation", "lsoa 2011", None, "IMD2019")] == 32_844
    assert summary[("offence_classification", None, None, None)] == 132
    lsoa_boundaries = next(
        h for h in holdings if h.table == "boundary" and h.vintage == "lsoa 2011"
    )
    assert [Path(source).name for source in lsoa_boundaries.sources] == [
        "lsoa11_bsc_ew.geojson.gz",
        "lsoa11_bsc_hampshire_iow.geojson",
        "lsoa11_bsc_southampton.geojson",
    ]


# --- idempotence, replacement, atomicity --------------------------------------------------


@pytest.mark.realdata
def test_loading_the_same_file_twice_changes_nothing(shared_data: Path, tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        path = shared_data / "population/population19_ltla19_syoa.csv"
        first = load_reference(warehouse, kind=ReferenceKind.POPULATION, path=path)
        before = _contents(warehouse)
        second = load_reference(warehouse, kind=ReferenceKind.POPULATION, path=path)
        assert first.status is LoadStatus.LOADED
        assert second.status is LoadStatus.UNCHANGED
        assert (second.rows_in, second.loaded) == (339, 339)
        assert _contents(warehouse) == before
        assert warehouse.count("population") == 339 * 91


@pytest.mark.realdata
def test_a_new_file_for_the_same_areas_replaces_their_rows(
    shared_data: Path, tmp_path: Path
) -> None:
    original = shared_data / "geography/lookup_ltla24_csp24_pfa24.csv"
    lines = original.read_text(encoding="utf-8").splitlines()
    southampton = next(index for index, line in enumerate(lines) if line.startswith(SOUTHAMPTON))
    revised = tmp_path / "lookup_ltla24_csp24_pfa24_revised.csv"
    revised.write_text(
        "\n".join([lines[0], lines[southampton].replace(",Southampton,E23", ",Safe City,E23")])
        + "\n",
        encoding="utf-8",
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        first = load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=original)
        second = load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=revised)
        assert second.status is LoadStatus.REPLACED
        assert second.message is not None
        assert f"replaced 1 rows of load {first.file_id} ({original})" in second.message
        assert warehouse.count("csp_lookup") == 332
        assert (
            _scalar(warehouse, "SELECT csp_name FROM csp_lookup WHERE lad_code = ?", [SOUTHAMPTON])
            == "Safe City"
        )
        # the first file still holds the other 331 districts, so it is not superseded
        assert (
            _scalar(
                warehouse, "SELECT superseded_by FROM load_file WHERE file_id = ?", [first.file_id]
            )
            is None
        )
        third = load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=original)
        assert third.status is LoadStatus.REPLACED
        assert (
            _scalar(
                warehouse, "SELECT superseded_by FROM load_file WHERE file_id = ?", [second.file_id]
            )
            == third.file_id
        )


@pytest.mark.realdata
def test_a_load_that_fails_late_leaves_the_warehouse_unchanged(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        load_reference(
            warehouse,
            kind=ReferenceKind.POPULATION,
            path=shared_data / "population/population19_ltla19_syoa.csv",
        )
        before = _contents(warehouse)
        log_before = warehouse.count("load_file")
        real_replace_rows = csv_pipeline.replace_rows
        written: list[str] = []

        def replace_then_fail(connection: Any, *, insert: Any, file_id: int) -> dict[int, int]:
            result = real_replace_rows(connection, insert=insert, file_id=file_id)
            written.append(insert.table)
            if insert.table == "population_total":
                raise OSError("disk full (injected after both tables were written)")
            return result

        monkeypatch.setattr(csv_pipeline, "replace_rows", replace_then_fail)
        with pytest.raises(OSError, match="injected"):
            load_reference(
                warehouse,
                kind=ReferenceKind.POPULATION,
                path=shared_data / "population/population20_ltla20_syoa.csv",
            )
        assert written == ["population", "population_total"]
        assert _contents(warehouse) == before
        assert warehouse.count("load_file") == log_before


# --- rejected files -----------------------------------------------------------------------


def test_a_file_with_an_unrecognised_header_is_rejected_naming_the_expected_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("code,name,ward\nE01017136,Southampton 023A,Bargate\n", encoding="utf-8")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="LSOA<yy>CD, LSOA<yy>NM, WD<yy>CD"):
            load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
        assert warehouse.count("area_lookup") == 0
        assert warehouse.connection.execute(
            "SELECT status, format, rows_in FROM load_file"
        ).fetchall() == [("rejected", "unrecognised", 0)]


def test_an_empty_file_is_rejected_and_a_header_only_file_loads_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = tmp_path / "header_only.csv"
    header_only.write_text("LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM\r\n", encoding="utf-8")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="empty"):
            load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=empty)
        report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=header_only)
        assert (report.status, report.rows_in, report.loaded) == (LoadStatus.LOADED, 0, 0)


def test_harm_weights_without_an_index_name_are_refused(tmp_path: Path) -> None:
    # Test input only: made-up weights for made-up codes, not any published index.
    path = tmp_path / "weights.csv"
    path.write_text("offence_code,weight\nT1,10.5\nT2,1\n", encoding="utf-8")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="--index-name"):
            load_reference(warehouse, kind=ReferenceKind.HARM_WEIGHTS, path=path)
        report = load_reference(
            warehouse,
            kind=ReferenceKind.HARM_WEIGHTS,
            path=path,
            index_name="Test index",
            index_version="v0",
        )
        assert report.loaded == 2
        assert warehouse.connection.execute(
            "SELECT index_name, index_version, offence_code, weight FROM harm_weight ORDER BY ALL"
        ).fetchall() == [("Test index", "v0", "T1", 10.5), ("Test index", "v0", "T2", 1.0)]


def test_harm_weights_may_name_their_index_in_columns_and_bad_weights_are_quarantined(
    tmp_path: Path,
) -> None:
    path = tmp_path / "weights.csv"
    path.write_text(
        "index_name,index_version,offence_code,offence_description,weight\n"
        "Test index,v1,T1,first,2.5\n"
        "Test index,v1,T2,second,-1\n"
        "Test index,v1,T3,third,heavy\n"
        ",v1,T4,fourth,3\n"
        "Test index,v1,T1,first again,2.5\n",
        encoding="utf-8",
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.HARM_WEIGHTS, path=path)
        assert (report.rows_in, report.loaded) == (5, 1)
        assert report.reasons == {
            "duplicate_key": 1,
            "missing_required_value": 1,
            "out_of_range": 1,
            "unparseable_number": 1,
        }
        assert warehouse.connection.execute(
            "SELECT line_number, reason FROM quarantine ORDER BY line_number"
        ).fetchall() == [
            (3, "out_of_range"),
            (4, "unparseable_number"),
            (5, "missing_required_value"),
            (6, "duplicate_key"),
        ]


# --- corrupt rows and awkward encodings ---------------------------------------------------


@pytest.mark.realdata
def test_corrupt_lookup_rows_are_quarantined_with_their_reasons(
    shared_data: Path, tmp_path: Path
) -> None:
    with gzip.open(
        shared_data / "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz", "rt", encoding="utf-8-sig"
    ) as source:
        lines = [next(source).rstrip("\n") for _ in range(8)]
    header, rows = lines[0], lines[1:]
    rows[0] = rows[0].replace("E01012053", "E0101205")  # line 2: too short a code
    rows[1] = rows[1].replace("E05008942", "")  # line 3: no ward code
    rows[2] += ",surplus"  # line 4: one field too many
    rows[3] = rows[3].replace(",E06", ",E05")  # line 5: a ward code where the district goes
    rows[5] = rows[4]  # line 7 repeats line 6
    path = tmp_path / "lookup_corrupt.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as target:
        target.write("\n".join([header, *rows]) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
        assert (report.rows_in, report.loaded, report.quarantined) == (7, 2, 5)
        quarantined = warehouse.connection.execute(
            "SELECT line_number, reason, detail FROM quarantine ORDER BY line_number"
        ).fetchall()
        assert [(line, reason) for line, reason, _ in quarantined] == [
            (2, "malformed_lsoa_code"),
            (3, "missing_required_value"),
            (4, "wrong_field_count"),
            (5, "malformed_area_code"),
            (7, "duplicate_key"),
        ]
        assert quarantined[0][2] == (
            'LSOA11CD "E0101205" is not a lsoa GSS code (E01/W01 + 6 digits)'
        )
        assert quarantined[4][2].endswith("repeats line 6")
        assert warehouse.count("area_lookup") == 2


@pytest.mark.realdata
def test_corrupt_population_rows_are_quarantined(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "population/population19_ltla19_syoa.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:6]
    fields = [row.split(",") for row in rows]
    fields[0][5] = "12x"  # an age count that is not a number
    fields[1][5] = str(int(fields[1][5]) + 1)  # ages no longer sum to the total
    fields[2][3] = "-5"  # a negative age count
    path = tmp_path / "population19_ltla19_corrupt.csv"
    path.write_text("\n".join([header, *(",".join(row) for row in fields)]) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.POPULATION, path=path)
        assert report.reasons == {
            "inconsistent_total": 1,
            "out_of_range": 1,
            "unparseable_number": 1,
        }
        assert report.loaded == 2
        assert (
            _scalar(warehouse, "SELECT detail FROM quarantine WHERE reason = 'unparseable_number'")
            == 'age 2 "12x" is not a whole number'
        )
        assert warehouse.count("population") == 2 * 91


def test_bom_crlf_and_windows_1252_text_are_read(tmp_path: Path) -> None:
    header = "LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM"
    rows = "W01000001,Ynys Môn 001A,W05000001,Aberffraw,W06000001,Ynys Môn"
    utf8_bom = tmp_path / "bom_crlf.csv"
    utf8_bom.write_bytes(b"\xef\xbb\xbf" + f"{header}\r\n{rows}\r\n".encode())
    latin = tmp_path / "windows_1252.csv"
    latin.write_bytes(f"{header}\n{rows}\n".encode("cp1252"))
    for path in (utf8_bom, latin):
        with Warehouse(tmp_path / f"{path.stem}.duckdb") as warehouse:
            report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
            assert report.loaded == 1
            assert warehouse.connection.execute(
                "SELECT lsoa_code, lsoa_name, lad_name, lad_vintage FROM area_lookup"
            ).fetchall() == [("W01000001", "Ynys Môn 001A", "Ynys Môn", 2020)]
    assert "Windows-1252" in (report.message or "")


def test_invalid_bytes_in_a_utf8_file_quarantine_only_their_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM\n"
        b"W01000001,Ynys M\xc3\xb4n 001A,W05000001,Aberffraw,W06000001,Ynys M\xc3\xb4n\n"
        b"W01000002,Ynys M\xf4n 001B,W05000001,Aberffraw,W06000001,Ynys M\xf4n\n"
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
        assert (report.loaded, report.reasons) == (1, {"encoding_error": 1})
        assert warehouse.connection.execute(
            "SELECT line_number, reason FROM quarantine"
        ).fetchall() == [(3, "encoding_error")]


@pytest.mark.realdata
def test_imd_values_out_of_range_or_not_numbers_are_quarantined(
    shared_data: Path, tmp_path: Path
) -> None:
    with gzip.open(
        shared_data / "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz", "rt"
    ) as source:
        lines = [next(source).rstrip("\n") for _ in range(4)]
    lines[1] = lines[1].replace("E01000001,9,", "E01000001,11,")
    lines[2] = lines[2].replace(",30379,", ",n/a,")
    path = tmp_path / "imd2019_corrupt.csv"
    path.write_text("\n".join(lines) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.IMD, path=path)
        assert (report.loaded, report.reasons) == (1, {"out_of_range": 1, "unparseable_number": 1})
        assert _scalar(warehouse, "SELECT count(*) FROM deprivation") == 16
        assert (
            _scalar(warehouse, "SELECT detail FROM quarantine WHERE reason = 'out_of_range'")
            == 'IMD_decile "11" is outside [1, 10]'
        )


# --- boundaries ---------------------------------------------------------------------------


@pytest.mark.realdata
def test_corrupt_boundary_features_are_quarantined(shared_data: Path, tmp_path: Path) -> None:
    document = json.loads((shared_data / "boundaries/wards21_southampton.geojson").read_text())
    features = document["features"]
    features[1]["properties"]["ward21_code"] = "E0500245"
    features[2]["geometry"] = {"type": "Point", "coordinates": [-1.4, 50.9]}
    features[3]["properties"]["ward21_code"] = features[0]["properties"]["ward21_code"]
    shifted = affinity.translate(shape(features[4]["geometry"]), xoff=20)
    features[4]["geometry"] = mapping(shifted)
    path = tmp_path / "wards21_corrupt.geojson"
    path.write_text(json.dumps(document))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.BOUNDARIES, path=path)
        assert (report.rows_in, report.loaded) == (16, 12)
        assert report.reasons == {
            "coordinates_outside_uk": 1,
            "duplicate_key": 1,
            "invalid_geometry": 1,
            "malformed_area_code": 1,
        }
        assert warehouse.count("boundary") == 12


@pytest.mark.realdata
def test_british_national_grid_geojson_is_stored_in_wgs84(
    shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "boundaries/wards21_southampton.geojson"
    document = json.loads(source.read_text())
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    for feature in document["features"]:
        geometry = shape(feature["geometry"])
        feature["geometry"] = mapping(
            shapely.transform(geometry, lambda xy: np.column_stack(to_grid.transform(*xy.T)))
        )
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    grid_path = tmp_path / "wards21_southampton_bng.geojson"
    grid_path.write_text(json.dumps(document))
    centroids = {}
    for path in (source, grid_path):
        with Warehouse(tmp_path / f"{path.stem}.duckdb") as warehouse:
            load_reference(warehouse, kind=ReferenceKind.BOUNDARIES, path=path)
            centroids[path] = warehouse.connection.execute(
                "SELECT area_code, centroid_easting, centroid_northing FROM boundary ORDER BY 1"
            ).fetchall()
    for (code, east, north), (grid_code, grid_east, grid_north) in zip(
        centroids[source], centroids[grid_path], strict=True
    ):
        assert code == grid_code
        assert abs(east - grid_east) < 0.01
        assert abs(north - grid_north) < 0.01


def test_a_file_that_is_not_a_feature_collection_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "not_geojson.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}}))
    with (
        Warehouse(tmp_path / "w.duckdb") as warehouse,
        pytest.raises(ReferenceFileRejectedError, match="FeatureCollection"),
    ):
        load_reference(warehouse, kind=ReferenceKind.BOUNDARIES, path=path)


# --- command line -------------------------------------------------------------------------


@pytest.mark.realdata
def test_cli_loads_reference_files_and_reports_json(shared_data: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    warehouse = str(tmp_path / "w.duckdb")
    lookup = str(shared_data / "geography/lookup_ltla24_csp24_pfa24.csv")
    result = runner.invoke(
        app, ["load", "reference", "csp-lookup", lookup, "--warehouse", warehouse, "--json"]
    )
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert [
        {key: report[key] for key in ("format", "rows_in", "loaded", "quarantined", "status")}
        for report in reports
    ] == [
        {
            "format": "ons-lad-csp-pfa-lookup",
            "rows_in": 332,
            "loaded": 332,
            "quarantined": 0,
            "status": "loaded",
        }
    ]
    rejected = runner.invoke(
        app, ["load", "reference", "population", lookup, "--warehouse", warehouse, "--json"]
    )
    assert rejected.exit_code == 1
    assert json.loads(rejected.stdout)[0]["status"] == "rejected"
    assert "total_population" in json.loads(rejected.stdout)[0]["message"]


def test_a_quoted_field_with_a_line_break_keeps_line_numbers_right(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text(
        "LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM\n"
        'E01017136,"Southampton\n023A",E05002455,"Bargate, City",E06000045,Southampton\n'
        "E01017137,Southampton 023B,E05002455,Bargate,E06000045,Southampton,extra\n"
        "E01017138,Southampton 023C,E05002455,Bargate,E06000045,Southampton\n",
        encoding="utf-8",
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind="lsoa-lookup", path=path)  # type: ignore[arg-type]
        assert (report.rows_in, report.loaded) == (3, 2)
        assert warehouse.connection.execute(
            "SELECT line_number, reason FROM quarantine"
        ).fetchall() == [(4, "wrong_field_count")]
        assert warehouse.connection.execute(
            "SELECT lsoa_name, ward_name FROM area_lookup ORDER BY lsoa_code"
        ).fetchall() == [("Southampton\n023A", "Bargate, City"), ("Southampton 023C", "Bargate")]


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=30),
            st.sampled_from(["ok", "bad_code", "no_ward", "bad_lad", "extra_field"]),
        ),
        max_size=40,
    )
)
def test_every_row_is_loaded_or_quarantined(rows: list[tuple[int, str]]) -> None:
    lines = ["LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM"]
    expected_loaded: set[int] = set()
    for number, defect in rows:
        lsoa = f"E0101{number:04d}"
        fields = [lsoa, f"Area {number}", "E05002455", "Bargate", "E06000045", "Southampton"]
        if defect == "bad_code":
            fields[0] = f"X{number}"
        elif defect == "no_ward":
            fields[2] = ""
        elif defect == "bad_lad":
            fields[4] = "E23000030"
        elif defect == "extra_field":
            fields.append("more")
        elif number not in expected_loaded:
            expected_loaded.add(number)
        lines.append(",".join(fields))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lookup.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with Warehouse(Path(folder) / "w.duckdb") as warehouse:
            report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
            assert report.rows_in == len(rows)
            assert report.loaded == len(expected_loaded)
            assert report.quarantined == warehouse.count("quarantine")
            loaded_codes = {
                row[0]
                for row in warehouse.connection.execute(
                    "SELECT lsoa_code FROM area_lookup"
                ).fetchall()
            }
            assert loaded_codes == {f"E0101{number:04d}" for number in expected_loaded}


def test_records_the_csv_reader_cannot_read_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text(
        "LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM\n"
        "E01017136,Southampton 023A,E05002455,Bargate,E06000045,Southampton\n"
        'E01017137,"Southampton" 023B,E05002455,Bargate,E06000045,Southampton\n'
        "E01017138,Southampton 023C\n"
        'E01017139,"Southampton 023D,E05002455,Bargate,E06000045,Southampton\n',
        encoding="utf-8",
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
        assert (report.rows_in, report.loaded) == (4, 1)
        quarantined = warehouse.connection.execute(
            "SELECT line_number, reason, detail FROM quarantine ORDER BY line_number"
        ).fetchall()
        assert [(line, reason) for line, reason, _ in quarantined] == [
            (3, "malformed_csv_row"),
            (4, "wrong_field_count"),
            (5, "malformed_csv_row"),
        ]
        assert "quote" in quarantined[0][2]  # DuckDB's own words
        assert quarantined[1][2] == "the header has 6 fields but this record has 2"
        assert quarantined[2][2] == (
            "the CSV reader could not read this record (an unterminated quoted field?)"
        )


@pytest.mark.realdata
def test_mhclg_file_7_headers_are_recognised(shared_data: Path, tmp_path: Path) -> None:
    """IoD2019 File 7 column names, with values taken from the shared ranks and scores files."""
    with gzip.open(
        shared_data / "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz", "rt"
    ) as ranks:
        rank_rows = [line.strip().split(",") for line in list(ranks)[1:3]]
    with gzip.open(
        shared_data / "deprivation/imd2019_england_lsoa11_scores.csv.gz", "rt"
    ) as scores:
        score_rows = [line.strip().split(",") for line in list(scores)[1:3]]
    header = [
        "LSOA code (2011)",
        "LSOA name (2011)",
        "Local Authority District code (2019)",
        "Local Authority District name (2019)",
        "Index of Multiple Deprivation (IMD) Score",
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
        "Income Rank (where 1 is most deprived)",
        "Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)",
        "Children and Young People Sub-domain Score",
        "Total population: mid 2015 (excluding prisoners)",
    ]
    lines = [",".join(f'"{name}"' for name in header)]
    for rank, score in zip(rank_rows, score_rows, strict=True):
        assert rank[0] == score[0]
        lines.append(
            f"{rank[0]},City of London 001X,E09000001,City of London,{score[1]},{rank[9]},"
            f"{rank[1]},{rank[10]},{rank[4]},0.1,1500"
        )
    path = tmp_path / "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.IMD, path=path)
        assert (report.rows_in, report.loaded) == (2, 2)
        assert report.message is not None
        assert "Children and Young People Sub-domain Score" in report.message  # ignored
        stored = warehouse.connection.execute(
            "SELECT index_name, area_level, area_vintage, domain, measure, value FROM deprivation "
            "WHERE area_code = ? ORDER BY domain, measure",
            [rank_rows[0][0]],
        ).fetchall()
    assert stored == [
        ("IMD2019", "lsoa", 2011, "education", "decile", float(rank_rows[0][4])),
        ("IMD2019", "lsoa", 2011, "imd", "decile", float(rank_rows[0][1])),
        ("IMD2019", "lsoa", 2011, "imd", "rank", float(rank_rows[0][9])),
        ("IMD2019", "lsoa", 2011, "imd", "score", float(score_rows[0][1])),
        ("IMD2019", "lsoa", 2011, "income", "rank", float(rank_rows[0][10])),
    ]


def test_a_header_without_vintage_needs_the_vintage_option(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text(
        "LSOA Code,LSOA Name,Ward Code,Ward Name,LAD Code,LAD Name\n"
        "E01017136,Southampton 023A,E05002455,Bargate,E06000045,Southampton\n",
        encoding="utf-8",
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="give --vintage"):
            load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
        report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path, vintage=2011)
        assert report.dataset_key == "reference/lsoa-lookup/lsoa2011-ward2011-lad2011"
        assert warehouse.connection.execute(
            "SELECT lsoa_code, lsoa_vintage, ward_vintage, lad_vintage FROM area_lookup"
        ).fetchall() == [("E01017136", 2011, 2011, 2011)]


@pytest.mark.realdata
def test_a_vintage_option_contradicting_the_header_and_a_missing_year_are_refused(
    shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "population/population19_ltla19_syoa.csv"
    unnamed = tmp_path / "district_population.csv"
    unnamed.write_bytes(source.read_bytes())
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="ltla19_code says vintage 2019"):
            load_reference(warehouse, kind=ReferenceKind.POPULATION, path=source, vintage=2021)
        with pytest.raises(ReferenceFileRejectedError, match="give --year"):
            load_reference(warehouse, kind=ReferenceKind.POPULATION, path=unnamed)
        report = load_reference(warehouse, kind=ReferenceKind.POPULATION, path=unnamed, year=2019)
        assert report.loaded == 339
        assert warehouse.connection.execute(
            "SELECT status, count(*) FROM load_file GROUP BY status ORDER BY status"
        ).fetchall() == [("loaded", 1), ("rejected", 2)]


@pytest.mark.realdata
def test_population_by_sex_keeps_one_row_per_area_and_sex(
    shared_data: Path, tmp_path: Path
) -> None:
    lines = (shared_data / "population/population19_ltla19_syoa.csv").read_text().splitlines()
    header = lines[0].split(",")
    southampton = next(line.split(",") for line in lines if line.startswith(SOUTHAMPTON))
    ages = [int(count) for count in southampton[3:]]
    # test input: the real persons row split into two made-up halves that add up to it
    males = [count // 2 for count in ages]
    females = [count - male for count, male in zip(ages, males, strict=True)]

    def row(sex: str, counts: list[int]) -> str:
        return ",".join([*southampton[:2], sex, str(sum(counts)), *map(str, counts)])

    path = tmp_path / "population19_ltla19_by_sex.csv"
    path.write_text(
        "\n".join(
            [
                ",".join([*header[:2], "sex", *header[2:]]),
                row("Persons", ages),
                row("1", males),
                row("F", females),
                row("X", ages),
                row("persons", ages),
            ]
        )
        + "\n"
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.POPULATION, path=path)
        assert (report.loaded, report.reasons) == (3, {"duplicate_key": 1, "unknown_category": 1})
        assert warehouse.connection.execute(
            "SELECT sex, sum(count), count(*) FROM population GROUP BY sex ORDER BY sex"
        ).fetchall() == [
            ("female", sum(females), 91),
            ("male", sum(males), 91),
            ("persons", 252_520, 91),
        ]
        assert warehouse.connection.execute(
            "SELECT area_code, persons FROM population_total"
        ).fetchall() == [(SOUTHAMPTON, 252_520)]
