"""Hostile and broken inputs (issue 15): nothing lost, nothing doubled, nothing leaked.

Every test builds real zip, gzip and CSV files in ``tmp_path`` and loads them into a real
warehouse; the limits are the shipped ones unless a test needs a bomb small enough to build
in a second, when it passes its own :class:`InputLimits`.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from extract_files import CRIME_HEADER, MAPPING, crime, write_extract
from police_uk_files import csv_text, street_row, write_street_file

from safecity.data.extract.loader import load_extract
from safecity.data.input_files import InputLimits, input_limits
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

KEY = "a-test-key-of-sufficient-length-0123"
PLANTED_NAME = "Zebedee Quartermaine-Okonkwo"
"""A name no real file holds: planted in unmapped columns and first rows, then searched for."""

SMALL_LIMITS = InputLimits(
    max_member_bytes=1 << 20,
    max_archive_bytes=3 << 20,
    max_archive_members=50,
    max_compression_ratio=100,
    ratio_grace_bytes=64 << 10,
    max_line_bytes=4096,
)


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)


def _street_csv(rows: list[list[str]]) -> bytes:
    return csv_text(rows).encode("utf-8")


def _rows(count: int, *, month: str = "2017-04", start: int = 0) -> list[list[str]]:
    return [street_row(month=month, crime_id=f"{start + i:064x}") for i in range(count)]


def _warm_up(tmp_path: Path) -> None:
    """Load a small gzip file once, so that the modules a load imports on first use are not
    counted in a peak-memory measurement that follows."""
    folder = tmp_path / "warm-up"
    folder.mkdir()
    path = write_street_file(folder, _rows(2), name="2017-04-hampshire-street.csv.gz")
    with Warehouse(folder / "w.duckdb") as warehouse:
        load_police_uk(warehouse, paths=[path])


def _by_path(reports: list[FileLoadReport]) -> dict[str, FileLoadReport]:
    return {report.path: report for report in reports}


def _rows_per_file(warehouse: Warehouse) -> dict[str, int]:
    rows = warehouse.connection.execute(
        "SELECT f.path, count(s.file_id) FROM load_file f LEFT JOIN police_uk_street s"
        " USING (file_id) GROUP BY f.path"
    ).fetchall()
    return {str(path): int(count) for path, count in rows}


# --- 1. Nothing lost, nothing doubled ------------------------------------------------------


def test_members_whose_flattened_names_collide_each_load_once(tmp_path: Path) -> None:
    # Both members flatten to "2024-04__a__2024-04-x-street.csv"; the old loader extracted
    # both to that one path, loading one file's rows twice and the other's not at all.
    nested = "2024-04/a/2024-04-hampshire-street.csv"
    flat = "2024-04/a__2024-04-hampshire-street.csv"
    archive = tmp_path / "2024-04.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(nested, _street_csv(_rows(3, month="2024-04")))
        # The second one's name does not say its month: it is 2024-05 by its rows.
        bundle.writestr(flat, _street_csv(_rows(5, month="2024-05", start=100)))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = _by_path(load_police_uk(warehouse, paths=[archive]))
        first, second = reports[f"{archive}!{nested}"], reports[f"{archive}!{flat}"]
        assert (first.status, first.rows_in, first.loaded) == (LoadStatus.LOADED, 3, 3)
        assert (second.status, second.rows_in, second.loaded) == (LoadStatus.LOADED, 5, 5)
        assert _rows_per_file(warehouse) == {f"{archive}!{nested}": 3, f"{archive}!{flat}": 5}
        months = warehouse.connection.execute(
            "SELECT strftime(month, '%Y-%m'), count(*), count(DISTINCT crime_id)"
            " FROM police_uk_street GROUP BY ALL ORDER BY 1"
        ).fetchall()
        assert months == [("2024-04", 3, 3), ("2024-05", 5, 5)]


def test_two_different_members_for_one_force_and_month_are_refused_naming_each_other(
    tmp_path: Path,
) -> None:
    nested = "2024-04/a/2024-04-hampshire-street.csv"
    flat = "2024-04/a__2024-04-hampshire-street.csv"
    archive = tmp_path / "2024-04.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(nested, _street_csv(_rows(3, month="2024-04")))
        bundle.writestr(flat, _street_csv(_rows(5, month="2024-04", start=100)))
        bundle.writestr("2024-04/2024-04-dorset-street.csv", _street_csv(_rows(2, month="2024-04")))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = _by_path(load_police_uk(warehouse, paths=[archive]))
        for member, other in ((nested, flat), (flat, nested)):
            report = reports[f"{archive}!{member}"]
            assert report.status is LoadStatus.REJECTED
            assert report.message is not None
            assert f"{archive}!{other}" in report.message
            assert "police_uk_street/hampshire/2024-04" in report.message
            assert "none of them was loaded" in report.message
        assert reports[f"{archive}!2024-04/2024-04-dorset-street.csv"].loaded == 2
        assert warehouse.count("police_uk_street") == 2
        logged = warehouse.connection.execute(
            "SELECT count(*) FROM load_file WHERE status = 'rejected'"
        ).fetchone()
        assert logged == (2,)


def test_the_same_bytes_twice_in_one_load_are_loaded_once(tmp_path: Path) -> None:
    data = _street_csv(_rows(4))
    archive = tmp_path / "copies.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a/2017-04-hampshire-street.csv", data)
        bundle.writestr("b/2017-04-hampshire-street.csv", data)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_police_uk(warehouse, paths=[archive])
        assert [(report.status, report.loaded) for report in reports] == [
            (LoadStatus.LOADED, 4),
            (LoadStatus.SKIPPED, 0),
        ]
        assert f"{archive}!a/2017-04-hampshire-street.csv" in (reports[1].message or "")
        assert warehouse.count("police_uk_street") == 4


def test_a_later_archive_replaces_a_month_of_an_earlier_one(tmp_path: Path) -> None:
    older, newer = tmp_path / "2017-04.zip", tmp_path / "2017-05.zip"
    with zipfile.ZipFile(older, "w") as bundle:
        bundle.writestr("2017-04/2017-04-hampshire-street.csv", _street_csv(_rows(4)))
    with zipfile.ZipFile(newer, "w") as bundle:
        bundle.writestr("2017-04/2017-04-hampshire-street.csv", _street_csv(_rows(6)))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_police_uk(warehouse, paths=[older, newer])
        assert [report.status for report in reports] == [LoadStatus.LOADED, LoadStatus.REPLACED]
        assert warehouse.count("police_uk_street") == 6


def _bomb_rows(size: int) -> bytes:
    """A valid street file of about ``size`` bytes of one repeated row (deflates ~500:1)."""
    row = csv_text([street_row()]).split("\n", 1)[1].encode()
    header = csv_text([]).encode()
    return header + row * (size // len(row))


def _big_rows(size: int) -> bytes:
    """A valid street file of about ``size`` bytes of distinct rows (deflates ~4:1)."""
    row_bytes = len(_street_csv(_rows(1)).split(b"\n")[1]) + 1
    return _street_csv(_rows(size // row_bytes))


def test_a_member_over_the_size_limit_is_refused_and_the_others_load(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("2017-04/2017-04-hampshire-street.csv", _big_rows(2 << 20))
        bundle.writestr("2017-04/2017-04-dorset-street.csv", _street_csv(_rows(2)))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = _by_path(load_police_uk(warehouse, paths=[archive], limits=SMALL_LIMITS))
        bomb = reports[f"{archive}!2017-04/2017-04-hampshire-street.csv"]
        assert bomb.status is LoadStatus.REJECTED
        assert bomb.message is not None
        assert "more than 1,048,576 bytes, the limit for one file" in bomb.message
        assert reports[f"{archive}!2017-04/2017-04-dorset-street.csv"].loaded == 2
        assert warehouse.count("police_uk_street") == 2


def test_a_member_over_the_compression_ratio_is_refused(tmp_path: Path) -> None:
    limits = dataclasses.replace(SMALL_LIMITS, max_member_bytes=8 << 20)
    archive = tmp_path / "ratio.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        bundle.writestr("2017-04/2017-04-hampshire-street.csv", _bomb_rows(900 << 10))
        # Incompressible bytes that are no data file: the archive as a whole is not a bomb.
        bundle.writestr("photos/scan.bin", os.urandom(300 << 10), zipfile.ZIP_STORED)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        (report,) = load_police_uk(warehouse, paths=[archive], limits=limits)
        assert report.path == f"{archive}!2017-04/2017-04-hampshire-street.csv"
        assert report.status is LoadStatus.REJECTED
        assert "more than 100 times its stored size" in (report.message or "")
        assert warehouse.count("police_uk_street") == 0


def test_an_archive_over_the_compression_ratio_is_refused_as_a_whole(tmp_path: Path) -> None:
    archive = tmp_path / "ratio.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        bundle.writestr("2017-04/2017-04-hampshire-street.csv", _bomb_rows(900 << 10))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        (report,) = load_police_uk(warehouse, paths=[archive], limits=SMALL_LIMITS)
        assert (report.path, report.status) == (str(archive), LoadStatus.REJECTED)
        assert "more than 100 times the archive's size (a zip bomb?)" in (report.message or "")
        assert warehouse.count("police_uk_street") == 0


def test_a_gzip_bomb_is_refused_while_decompressing(tmp_path: Path) -> None:
    bomb = tmp_path / "2017-04-hampshire-street.csv.gz"
    bomb.write_bytes(gzip.compress(_bomb_rows(3 << 20)))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        (report,) = load_police_uk(warehouse, paths=[bomb], limits=SMALL_LIMITS)
        assert report.status is LoadStatus.REJECTED
        assert "the limit for one file" in (report.message or "")
        row = warehouse.connection.execute("SELECT status, message FROM load_file").fetchone()
        assert row is not None
        assert row[0] == "rejected"
        assert "nothing of it was loaded" in row[1]


def test_an_archive_over_its_total_limit_is_refused_as_a_whole(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for force in ("hampshire", "dorset", "kent", "surrey"):
            bundle.writestr(f"2017-04/2017-04-{force}-street.csv", _bomb_rows(900 << 10))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        (report,) = load_police_uk(warehouse, paths=[archive], limits=SMALL_LIMITS)
        assert (report.path, report.status) == (str(archive), LoadStatus.REJECTED)
        assert "more than the limit of 3,145,728 bytes for one archive" in (report.message or "")
        assert warehouse.count("police_uk_street") == 0


# --- 2. Every line of any size is loaded or quarantined ------------------------------------


@pytest.mark.parametrize("packaging", ["plain", "gzip", "zip"])
def test_a_giant_line_is_quarantined_by_reference_without_being_held(
    tmp_path: Path, packaging: str
) -> None:
    giant = 24 << 20
    good = _street_csv(_rows(3)).split(b"\n")
    # Line 1 header, 2-3 rows, 4 a 24 MiB line (random text: no compression bomb), 5 a row
    # with a field missing, 6 a row.
    long_line = os.urandom(giant // 2).hex().encode()
    lines = [*good[:3], long_line, b",".join(good[3].split(b",")[:-1]), good[3], b""]
    data = b"\n".join(lines)
    name = "2017-04-hampshire-street.csv"
    if packaging == "plain":
        target = tmp_path / name
        target.write_bytes(data)
    elif packaging == "gzip":
        target = tmp_path / f"{name}.gz"
        target.write_bytes(gzip.compress(data, compresslevel=1))
    else:
        target = tmp_path / "2017-04.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(f"2017-04/{name}", data)
    del data, lines, long_line
    _warm_up(tmp_path)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        tracemalloc.start()
        try:
            (report,) = load_police_uk(warehouse, paths=[target])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert (report.rows_in, report.loaded, report.quarantined) == (5, 3, 2)
        assert report.reasons == {"line_too_long": 1, "wrong_field_count": 1}
        quarantined = warehouse.connection.execute(
            "SELECT line_number, reason, detail, raw_record FROM quarantine ORDER BY line_number"
        ).fetchall()
        assert [row[:2] for row in quarantined] == [(4, "line_too_long"), (5, "wrong_field_count")]
        assert f"{giant} bytes, over the limit of {input_limits().max_line_bytes}" in str(
            quarantined[0][2]
        )
        assert quarantined[0][3] is None
    # The 24 MiB line was never in Python's memory at once (chunks of at most 1 MiB).
    assert peak < 8 << 20, f"peak Python memory {peak:,} bytes"


def test_a_header_line_over_the_limit_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "2017-04-hampshire-street.csv"
    path.write_bytes(b"Crime ID," + b"y" * 8000 + b"\n" + _street_csv(_rows(1)))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        (report,) = load_police_uk(warehouse, paths=[path], limits=SMALL_LIMITS)
        assert report.status is LoadStatus.REJECTED
        assert "its first line (the header) is 8,009 bytes long" in (report.message or "")


def test_a_large_gzip_with_one_bad_byte_is_decoded_as_a_stream(tmp_path: Path) -> None:
    rows = _rows(120_000)
    data = bytearray(_street_csv(rows))
    position = data.index(b"On or near High Street", len(data) // 2)
    data[position + 11] = 0xE9  # "High" -> "\xe9igh": one Windows-1252 byte in 27 MB of ASCII
    path = tmp_path / "2017-04-hampshire-street.csv.gz"
    path.write_bytes(gzip.compress(bytes(data), compresslevel=1))
    size = len(data)
    del data
    _warm_up(tmp_path)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        tracemalloc.start()
        try:
            (report,) = load_police_uk(warehouse, paths=[path])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert (report.rows_in, report.loaded, report.quarantined) == (120_000, 120_000, 0)
        assert "Windows-1252" in (report.message or "")
        assert warehouse.connection.execute(
            "SELECT count(*) FROM police_uk_street WHERE location = 'On or near éigh Street'"
        ).fetchone() == (1,)
    # The old loader read and decoded the whole file at once (several times its size).
    assert size > 24 << 20
    assert peak < 16 << 20, f"peak Python memory {peak:,} bytes for a {size:,}-byte file"


# --- 3. A bad file in a folder is rejected and logged; the others load --------------------


def test_corrupt_gzip_and_zip_files_are_rejected_while_the_others_load(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    write_street_file(folder, _rows(2), name="2017-04-hampshire-street.csv")
    (folder / "2017-05-hampshire-street.csv.gz").write_bytes(
        b"\x1f\x8b\x08\x00" + b"not deflate data at all" * 10
    )
    whole = gzip.compress(_street_csv(_rows(50, month="2017-06")))
    (folder / "2017-06-hampshire-street.csv.gz").write_bytes(whole[: len(whole) // 2])
    broken_zip = tmp_path / "broken.zip"
    broken_zip.write_bytes(b"PK\x03\x04 this is not an archive")
    crc_zip = tmp_path / "crc.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as bundle:
        bundle.writestr(
            "2017-07/2017-07-hampshire-street.csv", _street_csv(_rows(2, month="2017-07"))
        )
        bundle.writestr("2017-07/2017-07-dorset-street.csv", _street_csv(_rows(3, month="2017-07")))
    damaged = bytearray(buffer.getvalue())
    damaged[damaged.index(b"On or near") + 3] ^= 0x20  # changes a byte of the first member
    crc_zip.write_bytes(bytes(damaged))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = _by_path(load_police_uk(warehouse, paths=[folder, broken_zip, crc_zip]))
        assert reports[str(folder / "2017-04-hampshire-street.csv")].loaded == 2
        for bad in ("2017-05-hampshire-street.csv.gz", "2017-06-hampshire-street.csv.gz"):
            report = reports[str(folder / bad)]
            assert report.status is LoadStatus.REJECTED
            assert "not a readable gzip file" in (report.message or "")
        assert reports[str(broken_zip)].status is LoadStatus.REJECTED
        assert "not a readable zip archive" in (reports[str(broken_zip)].message or "")
        crc_member = reports[f"{crc_zip}!2017-07/2017-07-hampshire-street.csv"]
        assert crc_member.status is LoadStatus.REJECTED
        assert "Bad CRC-32" in (crc_member.message or "")
        assert reports[f"{crc_zip}!2017-07/2017-07-dorset-street.csv"].loaded == 3
        assert warehouse.count("police_uk_street") == 5
        logged = dict(
            warehouse.connection.execute(
                "SELECT path, message FROM load_file WHERE status = 'rejected'"
            ).fetchall()
        )
        assert set(logged) == {
            str(folder / "2017-05-hampshire-street.csv.gz"),
            str(folder / "2017-06-hampshire-street.csv.gz"),
            str(broken_zip),
            f"{crc_zip}!2017-07/2017-07-hampshire-street.csv",
        }
        assert all(message for message in logged.values())


# --- 4. No personal data in quarantine or logs ---------------------------------------------


def warehouse_bytes_hold(folder: Path, text: str) -> list[str]:
    """The files under ``folder`` (database, write-ahead log, spill files) holding ``text``."""
    needles = [text.encode("utf-8"), text.encode("utf-16-le")]
    return sorted(
        str(path)
        for path in folder.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    )


def test_no_planted_name_reaches_the_warehouse_whatever_fails(tmp_path: Path) -> None:
    named = crime("CR9", Officer=PLANTED_NAME)
    bad_quote = ["CR4", "8/1", 'Assault "with', *crime("CR4")[3:11], PLANTED_NAME]
    mapping = write_extract(
        tmp_path / "extract",
        crimes=[
            crime("CR1", Officer=PLANTED_NAME),
            [*crime("CR2", Officer=PLANTED_NAME), "surplus"],  # too many fields
            crime("CR3", Officer=PLANTED_NAME)[:5],  # too few fields
            crime("CR5", HOCode="not a code", Officer=PLANTED_NAME),  # fails a check
            crime("", Officer=PLANTED_NAME),  # missing reference
            named,
            named,  # a duplicate reference
        ],
        victims=[["CR1", "P-001", "34", "F", "White", "person"]],
        offenders=[["CR1", "N-77", "29", "M", "Black"]],
    )
    crimes_path = tmp_path / "extract" / "Crimes.csv"
    with crimes_path.open("a", encoding="utf-8") as stream:
        stream.write(",".join(bad_quote) + "\n")
        stream.write(f"CR6,8/1,{PLANTED_NAME * 200}," + "x" * 8000 + "\n")  # over-long line
    with Warehouse(tmp_path / "db" / "w.duckdb") as warehouse:
        reports = load_extract(
            warehouse, path=tmp_path / "extract", mapping_path=mapping, limits=SMALL_LIMITS
        )
        crimes_report = reports[0]
        # CR1, the first CR9 and CR4 (a quote inside a field is read as text) load.
        assert crimes_report.loaded == 3
        assert crimes_report.reasons.keys() >= {
            "wrong_field_count",
            "malformed_offence_code",
            "missing_required_value",
            "duplicate_key",
            "line_too_long",
        }
        held = warehouse.connection.execute(
            "SELECT count(*) FROM quarantine WHERE raw_record LIKE ? OR detail LIKE ?",
            [f"%{PLANTED_NAME}%", f"%{PLANTED_NAME}%"],
        ).fetchone()
        assert held == (0,)
    assert all(PLANTED_NAME not in (report.message or "") for report in reports)
    assert warehouse_bytes_hold(tmp_path / "db", PLANTED_NAME) == []


def test_a_victims_file_without_its_header_row_is_not_quoted_in_the_log(tmp_path: Path) -> None:
    mapping = write_extract(
        tmp_path / "extract",
        crimes=[crime("CR1")],
        victims=[],
        offenders=[["CR1", "N-77", "29", "M", "Black"]],
    )
    # The header row is missing: the first line is a victim, with a name column.
    (tmp_path / "extract" / "Victims.csv").write_text(
        f"CR1,V-90210,34,F,White,person,{PLANTED_NAME}\nCR1,V-2,30,M,White,person,Someone\n"
    )
    with Warehouse(tmp_path / "db" / "w.duckdb") as warehouse:
        reports = load_extract(warehouse, path=tmp_path / "extract", mapping_path=mapping)
        victims = reports[1]
        assert victims.status is LoadStatus.REJECTED
        assert victims.message is not None
        assert "header lacks required columns ['CrimeRef', 'PersonID']" in victims.message
        assert "if the file has no header row, add one" in victims.message
        assert "V-90210" not in victims.message
        assert PLANTED_NAME not in victims.message
    assert warehouse_bytes_hold(tmp_path / "db", PLANTED_NAME) == []
    assert warehouse_bytes_hold(tmp_path / "db", "V-90210") == []


@pytest.mark.parametrize("failure", ["corrupt_gzip", "legacy_encoding", "bomb"])
def test_refused_extract_files_leave_no_planted_name(tmp_path: Path, failure: str) -> None:
    folder = tmp_path / "extract"
    mapping = write_extract(
        folder,
        crimes=[crime("CR1", Officer=PLANTED_NAME)],
        victims=[["CR1", "P-001", "34", "F", "White", "person"]],
        offenders=[["CR1", "N-77", "29", "M", "Black"]],
    )
    plain = (folder / "Crimes.csv").read_bytes()
    if failure == "corrupt_gzip":
        compressed = gzip.compress(plain)
        (folder / "Crimes.csv.gz").write_bytes(compressed[: len(compressed) - 12])
    elif failure == "legacy_encoding":
        text = plain.decode() + ",".join(crime("CR2", Officer="Zoë " + PLANTED_NAME)) + ",x\n"
        (folder / "Crimes.csv.gz").write_bytes(gzip.compress(text.encode("cp1252")))
    else:
        header = ",".join(CRIME_HEADER).encode() + b"\n"
        row = ",".join(crime("CR1", Officer=PLANTED_NAME)).encode() + b"\n"
        (folder / "Crimes.csv.gz").write_bytes(gzip.compress(header + row * 40_000))
    mapping.write_text(MAPPING.replace("crimes: Crimes.csv", "crimes: Crimes.csv.gz"))
    with Warehouse(tmp_path / "db" / "w.duckdb") as warehouse:
        reports = load_extract(warehouse, path=folder, mapping_path=mapping, limits=SMALL_LIMITS)
        if failure == "legacy_encoding":
            assert reports[0].status is LoadStatus.LOADED
            assert "Windows-1252" in (reports[0].message or "")
            assert reports[0].reasons == {"wrong_field_count": 1}
        else:
            assert [report.status for report in reports] == [LoadStatus.REJECTED] * 3
            assert "Nothing of the extract was loaded" in (reports[0].message or "")
    assert all(PLANTED_NAME not in (report.message or "") for report in reports)
    assert warehouse_bytes_hold(tmp_path / "db", PLANTED_NAME) == []


def test_the_byte_scan_finds_a_name_that_is_stored(tmp_path: Path) -> None:
    """Control for the scans above: a name loaded into a mapped column is found in the bytes."""
    mapping = write_extract(
        tmp_path / "extract",
        crimes=[crime("CR1", OffenceDesc=PLANTED_NAME)],
        victims=[["CR1", "P-001", "34", "F", "White", "person"]],
        offenders=[["CR1", "N-77", "29", "M", "Black"]],
    )
    with Warehouse(tmp_path / "db" / "w.duckdb") as warehouse:
        load_extract(warehouse, path=tmp_path / "extract", mapping_path=mapping)
    assert warehouse_bytes_hold(tmp_path / "db", PLANTED_NAME) != []


def test_unparseable_police_uk_lines_keep_their_text_and_line_number(tmp_path: Path) -> None:
    """police.uk data are public: a line DuckDB cannot parse is kept for repair."""
    path = write_street_file(tmp_path, [street_row(), [*street_row()[:-1]], street_row()])
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        (report,) = load_police_uk(warehouse, paths=[path])
        assert report.reasons == {"wrong_field_count": 1}
        line, raw = warehouse.connection.execute(
            "SELECT line_number, raw_record FROM quarantine"
        ).fetchone() or (None, None)
        assert line == 3
        assert raw is not None
        assert raw.startswith("a" * 64)


def test_a_stray_carriage_return_is_read_leniently_and_every_row_accounted(
    tmp_path: Path,
) -> None:
    # DuckDB's strict reader stops with "state machine reached an invalid state" on this file.
    lines = _street_csv(_rows(4)).split(b"\n")
    lines[2] = lines[2].replace(b"On or near High Street", b"On or near High\rStreet")
    path = tmp_path / "2017-04-hampshire-street.csv"
    path.write_bytes(b"\n".join(lines))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        (report,) = load_police_uk(warehouse, paths=[path])
        assert report.status is LoadStatus.LOADED
        assert "read leniently" in (report.message or "")
        # The damaged line is two lines to a CSV reader, neither with all 12 fields.
        assert (report.loaded, report.reasons) == (3, {"wrong_field_count": 2})
        assert warehouse.count("police_uk_street") == 3


def test_an_extract_with_a_stray_carriage_return_keeps_no_name(tmp_path: Path) -> None:
    mapping = write_extract(
        tmp_path / "extract",
        crimes=[crime("CR1")],
        victims=[],
        offenders=[["CR1", "N-77", "29", "M", "Black"]],
    )
    (tmp_path / "extract" / "Victims.csv").write_text(
        "CrimeRef,PersonID,Age,Gender,Ethnicity,VictimType,Name\n"
        f"CR1,V-1,34,F,White,person,{PLANTED_NAME}\rz\n",
        newline="",
    )
    with Warehouse(tmp_path / "db" / "w.duckdb") as warehouse:
        reports = load_extract(warehouse, path=tmp_path / "extract", mapping_path=mapping)
        assert [report.status for report in reports] == [LoadStatus.LOADED] * 3
        victims = reports[1]
        assert "read leniently" in (victims.message or "")
        assert (victims.rows_in, victims.loaded) == (2, 1)
    assert warehouse_bytes_hold(tmp_path / "db", PLANTED_NAME) == []


def test_the_same_month_plain_and_gzipped_in_one_folder_loads_once(tmp_path: Path) -> None:
    write_street_file(tmp_path, _rows(3), name="2017-04-hampshire-street.csv")
    write_street_file(tmp_path, _rows(3), name="2017-04-hampshire-street.csv.gz")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_police_uk(warehouse, paths=[tmp_path])
        assert [(report.status, report.loaded) for report in reports] == [
            (LoadStatus.LOADED, 3),
            (LoadStatus.SKIPPED, 0),
        ]
        assert warehouse.count("police_uk_street") == 3
