"""Loading data.police.uk files: real counts, nothing lost, atomic and idempotent loads."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from police_uk_files import STREET_HEADER, read_real_rows, street_row, write_street_file

from safecity.data.load_report import LoadStatus
from safecity.data.police_uk import loader as loader_module
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

# SOURCES.md, "Southampton rows in the Hampshire files" (total / excl. ASB / ASB).
SOUTHAMPTON_ROWS = {
    "2017-02": (3220, 2119, 1101),
    "2017-03": (3788, 2367, 1421),
    "2017-04": (3589, 2607, 982),
    "2017-05": (3878, 2773, 1105),
    "2017-06": (3762, 2728, 1034),
    "2017-07": (3789, 2786, 1003),
    "2017-08": (3581, 2512, 1069),
    "2017-09": (3411, 2523, 888),
    "2022-02": (3094, 2795, 299),
}


@pytest.fixture(scope="module")
def real_warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    path = tmp_path_factory.mktemp("real") / "warehouse.duckdb"
    warehouse = Warehouse(path)
    reports = load_police_uk(warehouse, paths=[shared_data / "police-uk"])
    assert len(reports) == 45
    return warehouse


@pytest.mark.parametrize("month", sorted(SOUTHAMPTON_ROWS))
def test_southampton_rows_per_month_match_sources(real_warehouse: Warehouse, month: str) -> None:
    total, crimes, asb = real_warehouse.connection.execute(
        "SELECT count(*), count(*) FILTER (NOT is_asb), count(*) FILTER (is_asb)"
        " FROM police_uk_street WHERE force = 'hampshire' AND strftime(month, '%Y-%m') = ?"
        " AND lsoa_name LIKE 'Southampton %'",
        [month],
    ).fetchone()
    assert (total, crimes, asb) == SOUTHAMPTON_ROWS[month]


def test_every_real_row_is_loaded_and_reconciled(
    real_warehouse: Warehouse, shared_data: Path
) -> None:
    files = sorted((shared_data / "police-uk").rglob("*-street.csv.gz"))
    expected = {str(path.name): len(read_real_rows(path)) for path in files}
    logged = dict(
        real_warehouse.connection.execute(
            "SELECT regexp_extract(path, '[^/]+$'), rows_in FROM load_file"
            " WHERE loaded + quarantined = rows_in"
        ).fetchall()
    )
    assert logged == expected
    assert real_warehouse.count("police_uk_street") == sum(expected.values())
    assert real_warehouse.count("quarantine") == 0


def test_city_of_london_repeated_crime_ids_are_kept_and_flagged(
    real_warehouse: Warehouse, shared_data: Path
) -> None:
    expected_flagged = 0
    for path in sorted((shared_data / "police-uk" / "city-of-london").glob("*.csv.gz")):
        ids = Counter(row[0] for row in read_real_rows(path) if row[0])
        expected_flagged += sum(count for count in ids.values() if count > 1)
    flagged = real_warehouse.connection.execute(
        "SELECT count(*) FROM police_uk_street WHERE force = 'city-of-london' AND repeated_crime_id"
    ).fetchone()
    assert expected_flagged > 0
    assert flagged == (expected_flagged,)


def test_british_national_grid_coordinates_are_stored(real_warehouse: Warehouse) -> None:
    row = real_warehouse.connection.execute(
        "SELECT count(*) FILTER (has_location AND easting IS NULL),"
        " count(*) FILTER (NOT has_location AND easting IS NOT NULL),"
        " min(easting), max(easting), min(northing), max(northing)"
        " FROM police_uk_street WHERE lsoa_name LIKE 'Southampton %'"
    ).fetchone()
    assert row is not None
    assert row[:2] == (0, 0)
    # Southampton lies within eastings 437-450 km and northings 107-118 km of the National
    # Grid (Ordnance Survey map sheet SU41); its map points must fall there.
    assert 437_000 < row[2] < row[3] < 450_000
    assert 107_000 < row[4] < row[5] < 118_000


def test_loading_the_same_file_twice_changes_nothing(tmp_path: Path, shared_data: Path) -> None:
    source = shared_data / "police-uk" / "hampshire" / "2017-04-hampshire-street.csv.gz"
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        first = load_police_uk(warehouse, paths=[source])
        snapshot = warehouse.connection.execute(
            "SELECT * FROM police_uk_street ORDER BY ALL"
        ).fetchall()
        second = load_police_uk(warehouse, paths=[source])
        assert [report.status for report in first] == [LoadStatus.LOADED]
        assert [report.status for report in second] == [LoadStatus.UNCHANGED]
        assert second[0].rows_in == first[0].rows_in == 17155
        assert (
            warehouse.connection.execute("SELECT * FROM police_uk_street ORDER BY ALL").fetchall()
            == snapshot
        )


def test_a_republished_month_replaces_the_old_one(tmp_path: Path) -> None:
    first = write_street_file(tmp_path, [street_row(crime_id=f"{i:064x}") for i in range(5)])
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        load_police_uk(warehouse, paths=[first])
        republished_folder = tmp_path / "new"
        republished_folder.mkdir()
        republished = write_street_file(
            republished_folder, [street_row(crime_id=f"{i:064x}") for i in range(3)]
        )
        reports = load_police_uk(warehouse, paths=[republished])
        assert reports[0].status is LoadStatus.REPLACED
        assert reports[0].message is not None
        assert "replaces file 1" in reports[0].message
        assert warehouse.count("police_uk_street") == 3
        superseded = warehouse.connection.execute(
            "SELECT file_id, superseded_by FROM load_file ORDER BY file_id"
        ).fetchall()
        assert superseded == [(1, 2), (2, None)]


def test_identical_rows_are_all_kept(tmp_path: Path) -> None:
    asb = street_row(crime_type="Anti-social behaviour")
    path = write_street_file(tmp_path, [asb, asb, asb, street_row()])
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_police_uk(warehouse, paths=[path])[0]
        assert (report.rows_in, report.loaded, report.quarantined) == (4, 4, 0)
        assert warehouse.connection.execute(
            "SELECT count(*) FILTER (is_asb), count(*) FILTER (repeated_crime_id)"
            " FROM police_uk_street"
        ).fetchone() == (3, 0)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (street_row(month="2017/04"), "unparseable_month"),
        (street_row(month="2017-05"), "month_mismatch"),
        (street_row(crime_type="Jaywalking"), "unknown_crime_type"),
        (street_row(longitude="-1.4x"), "unparseable_coordinates"),
        (street_row(latitude=""), "unparseable_coordinates"),
        (street_row(longitude="12.5", latitude="41.9"), "coordinates_outside_uk"),
        (street_row(lsoa_code="E0101713"), "malformed_lsoa_code"),
        (street_row()[:-1], "wrong_field_count"),
        ([*street_row(), "extra"], "wrong_field_count"),
    ],
)
def test_bad_rows_are_quarantined_with_their_reason(
    tmp_path: Path, row: list[str], reason: str
) -> None:
    path = write_street_file(tmp_path, [street_row(), row, street_row()])
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_police_uk(warehouse, paths=[path])[0]
        assert (report.rows_in, report.loaded, report.quarantined) == (3, 2, 1)
        assert report.reasons == {reason: 1}
        quarantined = warehouse.connection.execute(
            "SELECT reason, raw_record, detail, line_number FROM quarantine"
        ).fetchall()
        assert len(quarantined) == 1
        assert quarantined[0][0] == reason
        assert quarantined[0][1]
        # The second data row (line 3, after the header): parser rejects give the line,
        # failed checks the position among the file's data rows.
        if reason == "wrong_field_count":
            assert quarantined[0][3] == 3
        else:
            assert quarantined[0][2].startswith("data row 2: ")


def test_rows_without_location_load_with_a_flag(tmp_path: Path) -> None:
    row = street_row(longitude="", latitude="", location="No Location", lsoa_code="", lsoa_name="")
    path = write_street_file(tmp_path, [row])
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_police_uk(warehouse, paths=[path])[0]
        assert report.loaded == 1
        assert warehouse.connection.execute(
            "SELECT has_location, easting, lsoa_code FROM police_uk_street"
        ).fetchone() == (False, None, None)


def test_unknown_but_well_formed_lsoa_codes_are_kept(tmp_path: Path) -> None:
    path = write_street_file(
        tmp_path, [street_row(lsoa_code="E01999999", lsoa_name="Nowhere 001A")]
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        assert load_police_uk(warehouse, paths=[path])[0].loaded == 1


def test_wrong_header_rejects_the_whole_file_naming_the_expected_columns(tmp_path: Path) -> None:
    path = tmp_path / "2017-04-hampshire-street.csv"
    path.write_text("Crime ID,Month,Force\nabc,2017-04,Hampshire\n")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_police_uk(warehouse, paths=[path])[0]
        assert report.status is LoadStatus.REJECTED
        assert report.message is not None
        assert "Crime ID, Month, Reported by, Falls within, Longitude" in report.message
        assert "Nothing of this file was loaded" in report.message
        assert warehouse.count("police_uk_street") == 0
        # The load log keeps every file, rejected ones included.
        assert warehouse.connection.execute(
            "SELECT status, rows_in, message FROM load_file"
        ).fetchall() == [("rejected", 0, report.message)]


def test_encodings_bom_crlf_quotes_and_empty_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    quoted = street_row(location="On or near Above Bar, Southampton")
    write_street_file(
        folder, [quoted], name="2017-04-hampshire-street.csv", bom=True, newline="\r\n"
    )
    write_street_file(
        folder,
        [street_row(month="2017-05", location="On or near Café Street")],
        name="2017-05-hampshire-street.csv",
        encoding="cp1252",
    )
    mixed = write_street_file(
        folder,
        [street_row(month="2017-06", location="On or near Café Street")] * 2,
        name="2017-06-hampshire-street.csv",
    )
    # A UTF-8 file (it has a valid "é") with one corrupt byte in its second data row.
    lines = mixed.read_bytes().split(b"\n")
    lines[2] += b"\xff"
    mixed.write_bytes(b"\n".join(lines))
    (folder / "2017-07-hampshire-street.csv").write_bytes(b"")
    write_street_file(folder, [], name="2017-08-hampshire-street.csv.gz")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = {
            Path(report.path).name: report for report in load_police_uk(warehouse, paths=[folder])
        }
        assert reports["2017-04-hampshire-street.csv"].loaded == 1
        assert reports["2017-05-hampshire-street.csv"].loaded == 1
        assert "Windows-1252" in (reports["2017-05-hampshire-street.csv"].message or "")
        mixed_report = reports["2017-06-hampshire-street.csv"]
        assert (mixed_report.loaded, mixed_report.reasons) == (1, {"encoding_error": 1})
        assert reports["2017-07-hampshire-street.csv"].status is LoadStatus.SKIPPED
        assert reports["2017-08-hampshire-street.csv.gz"].rows_in == 0
        locations = dict(
            warehouse.connection.execute(
                "SELECT strftime(month, '%Y-%m'), location FROM police_uk_street"
            ).fetchall()
        )
        assert locations["2017-04"] == "On or near Above Bar, Southampton"
        assert locations["2017-05"] == "On or near Café Street"
        assert locations["2017-06"] == "On or near Café Street"


def test_archive_with_street_outcomes_and_stop_and_search(tmp_path: Path) -> None:
    outcomes = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Outcome type\n"
        f"{'b' * 64},2017-04,Hampshire Constabulary,Hampshire Constabulary,-1.404,50.909,"
        "On or near High Street,E01017136,Southampton 023A,Investigation complete; no suspect"
        " identified\n"
    )
    stop_and_search = (
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,"
        "Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,"
        "Outcome,Outcome linked to object of search,Removal of more than just outer clothing\n"
        "Person search,2017-04-12T21:15:00+00:00,False,,50.909,-1.404,Male,18-24,"
        '"White - English/Welsh/Scottish/Northern Irish/British",White,'
        "Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False\n"
    )
    street = io.StringIO()
    csv.writer(street, lineterminator="\n").writerows([STREET_HEADER, street_row()])
    archive = tmp_path / "2017-04.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("2017-04/2017-04-hampshire-street.csv", street.getvalue())
        bundle.writestr("2017-04/2017-04-hampshire-outcomes.csv", outcomes)
        bundle.writestr("2017-04/2017-04-hampshire-stop-and-search.csv", stop_and_search)
        bundle.writestr("README.txt", "not a data file")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_police_uk(warehouse, paths=[archive])
        assert sorted((report.format, report.loaded) for report in reports) == [
            ("police_uk_outcomes", 1),
            ("police_uk_stop_and_search", 1),
            ("police_uk_street", 1),
        ]
        assert all("2017-04.zip!2017-04/" in report.path for report in reports)
        searched = warehouse.connection.execute(
            "SELECT outcome, object_of_search, easting IS NOT NULL FROM police_uk_stop_search"
        ).fetchone()
        assert searched == ("Arrest", "Controlled drugs", True)


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York"])
def test_stop_and_search_months_do_not_depend_on_the_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    header = (
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,"
        "Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,"
        "Outcome,Outcome linked to object of search,Removal of more than just outer clothing\n"
    )
    rows = "".join(
        f"Person search,{moment},False,,50.909,-1.404,Male,18-24,,White,,Controlled drugs,"
        "Arrest,True,False\n"
        for moment in (
            "2018-06-01T00:30:00+01:00",  # 23:30 UTC on 31 May: a June search in local time
            "2018-06-30T23:30:00+00:00",  # 00:30 BST on 1 July, written as June
        )
    )
    path = tmp_path / "2018-06-hampshire-stop-and-search.csv"
    path.write_text(header + rows)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_police_uk(warehouse, paths=[path])[0]
        assert (report.loaded, report.quarantined) == (2, 0)


def test_an_interrupted_chunk_leaves_the_warehouse_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_street_file(tmp_path, [street_row()])
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        load_police_uk(warehouse, paths=[first])
        before = {
            table: warehouse.connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("police_uk_street", "load_file", "quarantine")
        }
        folder = tmp_path / "second"
        folder.mkdir()
        second = write_street_file(
            folder, [street_row(), street_row(month="bad")], name="2017-04-hampshire-street.csv"
        )

        def interrupt(*_args: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(loader_module, "_chunk_reports", interrupt)
        with pytest.raises(KeyboardInterrupt):
            load_police_uk(warehouse, paths=[second])
        after = {
            table: warehouse.connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in before
        }
        assert after == before


_KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from safecity.data.warehouse import Warehouse
from safecity.data.police_uk.loader import load_police_uk
calls = []
def progress(path, size):
    # Each of the 9 files is reported once read, then once loaded: die after 3 are loaded.
    calls.append(path)
    if len(calls) == 9 + 3:
        os.kill(os.getpid(), signal.SIGKILL)
warehouse = Warehouse(sys.argv[1])
load_police_uk(warehouse, paths=[Path(sys.argv[2])], progress=progress, chunk_bytes=1)
"""


def test_killing_a_load_leaves_only_whole_files(tmp_path: Path, shared_data: Path) -> None:
    warehouse_path = tmp_path / "w.duckdb"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILL_SCRIPT,
            str(warehouse_path),
            str(shared_data / "police-uk" / "hampshire"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )
    assert result.returncode == -9, result.stderr
    with Warehouse(warehouse_path) as warehouse:
        logged = warehouse.connection.execute(
            "SELECT f.file_id, f.loaded, count(s.file_id) FROM load_file f"
            " LEFT JOIN police_uk_street s USING (file_id) GROUP BY ALL ORDER BY 1"
        ).fetchall()
        orphans = warehouse.connection.execute(
            "SELECT count(*) FROM police_uk_street WHERE file_id NOT IN"
            " (SELECT file_id FROM load_file)"
        ).fetchone()
        assert len(logged) == 3
        assert all(loaded == stored for _, loaded, stored in logged)
        assert orphans == (0,)
        # Loading again completes the job: the three finished files are unchanged.
        reports = load_police_uk(warehouse, paths=[shared_data / "police-uk" / "hampshire"])
        assert Counter(report.status for report in reports) == {
            LoadStatus.UNCHANGED: 3,
            LoadStatus.LOADED: 6,
        }
        assert warehouse.count("police_uk_street") == 154_732


def _load_command(path: Path, warehouse: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``safecity load police-uk PATH --warehouse W [options]`` as a user would."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "safecity"),
            "load",
            "police-uk",
            str(path),
            "--warehouse",
            str(warehouse),
            *options,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_load_report_json_from_the_command_line(tmp_path: Path) -> None:
    path = write_street_file(tmp_path, [street_row(), street_row(crime_type="Jaywalking")])
    result = _load_command(path, tmp_path / "w.duckdb", "--json")
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [
        {key: report[key] for key in ("format", "rows_in", "loaded", "quarantined", "reasons")}
        for report in reports
    ] == [
        {
            "format": "police_uk_street",
            "rows_in": 2,
            "loaded": 1,
            "quarantined": 1,
            "reasons": {"unknown_crime_type": 1},
        }
    ]
    assert reports[0]["path"] == str(path)


def test_a_rejected_file_makes_the_command_fail(tmp_path: Path) -> None:
    path = tmp_path / "2017-04-hampshire-street.csv.gz"
    path.write_bytes(gzip.compress(b"a,b,c\n1,2,3\n"))
    result = _load_command(path, tmp_path / "w.duckdb")
    assert result.returncode == 1
    assert "header not recognised" in result.stdout
