"""Property-based fuzzing of every loader with hostile files (issue 15).

Hypothesis builds police.uk street, outcomes and stop-and-search files and force extracts,
damages their lines (giant lines, NUL runs, invalid UTF-8, Windows-1252 bytes, stray quotes,
missing and extra fields, mixed line endings, truncation) and packs them as plain files, gzip
files (some corrupt or truncated), and zip archives (members whose flattened names collide,
bombs within and over the limits, truncated archives). The property, for every example:

* the load returns (no exception escapes);
* each file or member is reported exactly once, or its archive is refused as a whole;
* a loaded file reconciles in the warehouse itself: its rows in the target table plus its
  quarantine rows are its ``rows_in``; when its lines can only be one row each (no quotes, no
  CR, no blank lines) ``rows_in`` is exactly its number of data lines;
* a refused file says why in a sentence and has nothing in the warehouse;
* a name planted in unmapped extract columns or a header-less person file is nowhere in the
  database file's bytes, nor in any message.

The default run tries a few examples of each (seconds); ``bash scripts/stress`` runs many.
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from extract_files import CRIME_HEADER, MAPPING, OFFENDER_HEADER, VICTIM_HEADER, crime
from fuzz_settings import FULL, FUZZ_LIMITS, SAMPLE
from hypothesis import given
from hypothesis import strategies as st
from police_uk_files import STREET_HEADER, street_row

from safecity.data.extract.loader import load_extract
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.police_uk.formats import FileFormat, format_specs
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

KEY = "a-test-key-of-sufficient-length-0123"
PLANTED_NAME = "Zebedee Quartermaine-Okonkwo"


_TARGET_TABLES = {
    FileFormat.STREET.value: "police_uk_street",
    FileFormat.OUTCOMES.value: "police_uk_outcome",
    FileFormat.STOP_AND_SEARCH.value: "police_uk_stop_search",
    "force_extract_crimes": "extract_crime",
    "force_extract_victims": "extract_victim",
    "force_extract_offenders": "extract_offender",
}


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)


# --- Building files -----------------------------------------------------------------------


def _csv_line(fields: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue().encode("utf-8")


def _outcome_row(index: int, month: str) -> list[str]:
    return [
        f"{index:064x}",
        month,
        "Hampshire Constabulary",
        "Hampshire Constabulary",
        "-1.404",
        "50.909",
        "On or near High Street",
        "E01017136",
        "Southampton 023A",
        "Investigation complete; no suspect identified",
    ]


def _search_row(index: int, month: str) -> list[str]:
    return [
        "Person search",
        f"{month}-{1 + index % 28:02d}T21:15:00+00:00",
        "False",
        "",
        "50.909",
        "-1.404",
        "Male",
        "18-24",
        "",
        "White",
        "Misuse of Drugs Act 1971 (section 23)",
        "Controlled drugs",
        "Arrest",
        "True",
        "False",
    ]


def _police_uk_lines(file_format: FileFormat, rows: int, month: str, start: int) -> list[bytes]:
    header = list(format_specs()[file_format].columns)
    if file_format is FileFormat.STREET:
        assert header == STREET_HEADER
        body = [street_row(month=month, crime_id=f"{start + i:064x}") for i in range(rows)]
    elif file_format is FileFormat.OUTCOMES:
        body = [_outcome_row(start + i, month) for i in range(rows)]
    else:
        body = [_search_row(start + i, month) for i in range(rows)]
    return [_csv_line(header), *(_csv_line(row) for row in body)]


@dataclass(frozen=True)
class Damage:
    """One change to one data line."""

    kind: str
    line: int
    size: int
    position: float


_DAMAGE_KINDS = (
    "giant",
    "long_within_limit",
    "nul_run",
    "invalid_utf8",
    "cp1252",
    "drop_field",
    "extra_field",
    "stray_quote",
    "crlf",
    "blank_line",
)

damages = st.lists(
    st.builds(
        Damage,
        kind=st.sampled_from(_DAMAGE_KINDS),
        line=st.integers(min_value=0, max_value=40),
        size=st.integers(min_value=1, max_value=3 * FUZZ_LIMITS.max_line_bytes),
        position=st.floats(min_value=0, max_value=1),
    ),
    max_size=6,
)


def _damage(
    lines: list[bytes], changes: list[Damage], *, quotes_in_last_field: bool = False
) -> list[bytes]:
    """Apply ``changes`` to the data lines (never the header)."""
    damaged = list(lines)
    for change in changes:
        if len(damaged) < 2:
            break
        index = 1 + change.line % (len(damaged) - 1)
        line = damaged[index]
        at = int(change.position * len(line))
        if change.kind == "giant":
            filler = bytes(
                48 + (i * 7919) % 75 for i in range(FUZZ_LIMITS.max_line_bytes + change.size)
            )
            line = line[:at] + filler + line[at:]
        elif change.kind == "long_within_limit":
            room = max(FUZZ_LIMITS.max_line_bytes - len(line), 0)
            line = line + b"z" * min(change.size, room)
        elif change.kind == "nul_run":
            line = line[:at] + b"\x00" * min(change.size, 200) + line[at:]
        elif change.kind == "invalid_utf8":
            line = line[:at] + b"\xff\xfe\xc0" + line[at:]
        elif change.kind == "cp1252":
            line = line[:at] + "Café".encode("cp1252") + line[at:]
        elif change.kind == "drop_field":
            line = b",".join(line.split(b",")[:-1])
        elif change.kind == "extra_field":
            line = line + b",surplus"
        elif change.kind == "stray_quote":
            if quotes_in_last_field:
                at = max(at, line.rfind(b",") + 2)
            line = line[:at] + b'"' + line[at:]
        elif change.kind == "crlf":
            line = line + b"\r"
        elif change.kind == "blank_line":
            damaged.insert(index, b"")
            continue
        damaged[index] = line
    return damaged


def _one_row_per_line(data: bytes) -> bool:
    """True when no line can make other than one row: no quotes, CR or blank lines."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    blank = any(not line for line in lines[1:])
    return b'"' not in data and b"\r" not in data and not blank


def _data_lines(data: bytes) -> int:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return max(len(lines) - 1, 0)


@st.composite
def police_uk_files(draw: st.DrawFn, index: int) -> tuple[str, bytes]:
    """A (member or file name, bytes) pair: a police.uk file, damaged."""
    file_format = draw(st.sampled_from(list(FileFormat)))
    month = draw(st.sampled_from(["2024-04", "2024-05"]))
    force = draw(st.sampled_from(["hampshire", "dorset"]))
    rows = draw(st.integers(min_value=0, max_value=30))
    lines = _damage(_police_uk_lines(file_format, rows, month, start=1000 * index), draw(damages))
    data = b"\n".join(lines) + draw(st.sampled_from([b"\n", b""]))
    if draw(st.booleans()) and data:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    suffix = format_specs()[file_format].file_suffix
    folder = draw(st.sampled_from(["", f"{month}/", f"{month}/a/", f"{month}/a__"]))
    return f"{folder}{month}-{force}{suffix}", data


@dataclass(frozen=True)
class Packed:
    """The paths to load, and what each file or member held (for the oracle)."""

    paths: list[Path]
    contents: dict[str, bytes]
    archives: list[Path]


def _bomb(size: int) -> bytes:
    header = _police_uk_lines(FileFormat.STREET, 0, "2024-04", 0)[0]
    row = _csv_line(street_row(month="2024-04"))
    return header + b"\n" + (row + b"\n") * (size // (len(row) + 1))


@st.composite
def police_uk_inputs(draw: st.DrawFn, folder: Path) -> Packed:
    """Plain files, gzip files and a zip archive of damaged police.uk files."""
    contents: dict[str, bytes] = {}
    paths: list[Path] = []
    archives: list[Path] = []
    plain = folder / "files"
    plain.mkdir()
    paths.append(plain)
    for index in range(draw(st.integers(min_value=0, max_value=3))):
        name, data = draw(police_uk_files(index))
        name = f"{index}-{name.rsplit('/', 1)[-1].replace('__', '')}"
        packing = draw(st.sampled_from(["plain", "gzip", "corrupt_gzip", "truncated_gzip"]))
        if packing == "plain":
            target = plain / name
            target.write_bytes(data)
        else:
            target = plain / f"{name}.gz"
            compressed = gzip.compress(data)
            if packing == "corrupt_gzip" and len(compressed) > 12:
                middle = len(compressed) // 2
                compressed = (
                    compressed[:middle]
                    + bytes([compressed[middle] ^ 0x55])
                    + compressed[middle + 1 :]
                )
            elif packing == "truncated_gzip":
                compressed = compressed[: draw(st.integers(0, len(compressed)))]
            target.write_bytes(compressed)
        contents[str(target)] = data
    if draw(st.booleans()):
        archive = folder / "archive.zip"
        members: dict[str, bytes] = {}
        for index in range(draw(st.integers(min_value=1, max_value=4))):
            name, data = draw(police_uk_files(10 + index))
            members.setdefault(name, data)
        if draw(st.booleans()):
            bomb_size = draw(
                st.sampled_from(
                    [FUZZ_LIMITS.max_member_bytes // 2, FUZZ_LIMITS.max_member_bytes * 2]
                )
            )
            members["2024-04/2024-04-kent-street.csv"] = _bomb(bomb_size)
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, data in members.items():
                bundle.writestr(name, data)
        if draw(st.booleans()):
            whole = archive.read_bytes()
            archive.write_bytes(whole[: draw(st.integers(0, len(whole)))])
        contents.update({f"{archive}!{name}": data for name, data in members.items()})
        paths.append(archive)
        archives.append(archive)
    return Packed(paths=paths, contents=contents, archives=archives)


# --- The property ----------------------------------------------------------------------------


def _held(warehouse: Warehouse, report: FileLoadReport) -> tuple[int, int]:
    """Rows in the warehouse under the report's file id: (target table, quarantine)."""
    if report.file_id is None:
        return (0, 0)
    table = _TARGET_TABLES.get(report.format)
    loaded = (
        warehouse.connection.execute(
            f"SELECT count(*) FROM {table} WHERE file_id = ?", [report.file_id]
        ).fetchone()
        if table
        else (0,)
    )
    quarantined = warehouse.connection.execute(
        "SELECT count(*) FROM quarantine WHERE file_id = ?", [report.file_id]
    ).fetchone()
    assert loaded is not None
    assert quarantined is not None
    return int(loaded[0]), int(quarantined[0])


def _check_reports(
    warehouse: Warehouse, reports: list[FileLoadReport], contents: dict[str, bytes]
) -> None:
    for report in reports:
        held = _held(warehouse, report)
        if report.status in (LoadStatus.LOADED, LoadStatus.REPLACED):
            assert report.rows_in == report.loaded + report.quarantined
            superseded = warehouse.connection.execute(
                "SELECT superseded_by FROM load_file WHERE file_id = ?", [report.file_id]
            ).fetchone()
            assert superseded is not None
            if superseded[0] is None:
                assert held == (report.loaded, report.quarantined), report
            else:
                # Replaced later in the same load by a later archive or file for its dataset.
                assert held == (0, 0), report
                assert any(
                    other.file_id == superseded[0] and other.status is LoadStatus.REPLACED
                    for other in reports
                )
            data = contents.get(report.path)
            if data is not None and _one_row_per_line(data):
                assert report.rows_in == _data_lines(data), report
            elif data is not None:
                assert report.rows_in <= _data_lines(data) + data.count(b"\r"), report
        else:
            assert report.loaded == 0
            if report.status is LoadStatus.REJECTED:
                assert report.message is not None
                assert len(report.message) > 20, report
            if report.status is not LoadStatus.UNCHANGED:
                assert held == (0, 0), report


def _check_police_uk(packed: Packed, database: Path) -> None:
    with Warehouse(database) as warehouse:
        reports = load_police_uk(warehouse, paths=packed.paths, limits=FUZZ_LIMITS)
        paths = [report.path for report in reports]
        assert len(paths) == len(set(paths)), "a file was reported twice"
        refused_archives = {
            str(archive)
            for archive in packed.archives
            if any(report.path == str(archive) for report in reports)
        }
        for name in packed.contents:
            in_refused_archive = name.split("!", 1)[0] in refused_archives and "!" in name
            assert name in paths or in_refused_archive, f"{name} was neither loaded nor refused"
        _check_reports(warehouse, reports, packed.contents)
        logged = warehouse.connection.execute("SELECT count(*) FROM load_file").fetchone()
        assert logged is not None
        assert int(logged[0]) >= len(reports) - sum(
            report.status is LoadStatus.UNCHANGED for report in reports
        )


@SAMPLE
@given(data=st.data())
def test_police_uk_loads_survive_hostile_files_sample(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="safecity-fuzz-") as scratch:
        folder = Path(scratch)
        _check_police_uk(data.draw(police_uk_inputs(folder)), folder / "w.duckdb")


@pytest.mark.stress
@FULL
@given(data=st.data())
def test_police_uk_loads_survive_hostile_files(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="safecity-fuzz-") as scratch:
        folder = Path(scratch)
        _check_police_uk(data.draw(police_uk_inputs(folder)), folder / "w.duckdb")


# --- Force extracts ---------------------------------------------------------------------------


@st.composite
def extract_inputs(draw: st.DrawFn, folder: Path) -> tuple[Path, dict[str, bytes]]:
    """A damaged force extract with a planted name in unmapped columns and first rows."""
    crime_rows = draw(st.integers(min_value=0, max_value=20))
    crimes = [_csv_line([*CRIME_HEADER])] + [
        _csv_line(crime(f"CR{i}", Officer=PLANTED_NAME)) for i in range(crime_rows)
    ]
    victim_header = [*VICTIM_HEADER, "Name"]
    victims = [_csv_line(victim_header)] + [
        _csv_line([f"CR{i}", f"V-{i}", "34", "F", "White", "person", PLANTED_NAME])
        for i in range(draw(st.integers(min_value=0, max_value=10)))
    ]
    offenders = [_csv_line(OFFENDER_HEADER)] + [
        _csv_line([f"CR{i}", f"N-{i}", "29", "M", "Black"])
        for i in range(draw(st.integers(min_value=0, max_value=5)))
    ]
    files = {
        "Crimes.csv": _damage(crimes, draw(damages), quotes_in_last_field=True),
        "Victims.csv": _damage(victims, draw(damages), quotes_in_last_field=True),
        "Offenders.csv": _damage(offenders, draw(damages), quotes_in_last_field=True),
    }
    if draw(st.booleans()) and len(files["Victims.csv"]) > 1:
        files["Victims.csv"] = files["Victims.csv"][1:]  # the header row is missing
    folder.mkdir(parents=True)
    mapping = MAPPING
    contents: dict[str, bytes] = {}
    for name, lines in files.items():
        data = b"\n".join(lines) + b"\n"
        packing = draw(st.sampled_from(["plain", "gzip", "corrupt_gzip", "bomb"]))
        target = folder / name
        if packing != "plain":
            if packing == "bomb":
                data = data + (lines[-1] + b"\n") * (
                    FUZZ_LIMITS.max_member_bytes // max(len(lines[-1]), 1)
                )
            compressed = gzip.compress(data)
            if packing == "corrupt_gzip":
                compressed = compressed[: len(compressed) * 2 // 3]
            target = folder / f"{name}.gz"
            target.write_bytes(compressed)
            mapping = mapping.replace(f": {name}\n", f": {name}.gz\n")
        else:
            target.write_bytes(data)
        contents[str(target)] = data
    mapping_path = folder / "mapping.yaml"
    mapping_path.write_text(mapping, encoding="utf-8")
    return mapping_path, contents


def _database_bytes_hold(folder: Path, text: str) -> list[str]:
    needles = [text.encode("utf-8"), text.encode("utf-16-le")]
    return sorted(
        str(path)
        for path in folder.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    )


def _check_extract(mapping_path: Path, contents: dict[str, bytes], folder: Path) -> None:
    database_folder = folder / "db"
    with Warehouse(database_folder / "w.duckdb") as warehouse:
        reports = load_extract(
            warehouse, path=mapping_path.parent, mapping_path=mapping_path, limits=FUZZ_LIMITS
        )
        assert len(reports) == 3
        statuses = {report.status for report in reports}
        assert statuses <= {LoadStatus.LOADED, LoadStatus.REJECTED}
        assert len(statuses) == 1, "an extract is loaded or rejected whole"
        for report in reports:
            assert PLANTED_NAME not in (report.message or "")
            assert "V-0" not in (report.message or "")
        _check_reports(warehouse, reports, {})
        for report in reports:
            data = contents[report.path]
            if report.status is LoadStatus.LOADED and _one_row_per_line(data):
                assert report.rows_in == _data_lines(data), report
    assert _database_bytes_hold(database_folder, PLANTED_NAME) == []


@SAMPLE
@given(data=st.data())
def test_extract_loads_survive_hostile_files_and_keep_no_planted_name_sample(
    data: st.DataObject,
) -> None:
    with tempfile.TemporaryDirectory(prefix="safecity-fuzz-") as scratch:
        folder = Path(scratch)
        mapping_path, contents = data.draw(extract_inputs(folder / "extract"))
        _check_extract(mapping_path, contents, folder)


@pytest.mark.stress
@FULL
@given(data=st.data())
def test_extract_loads_survive_hostile_files_and_keep_no_planted_name(
    data: st.DataObject,
) -> None:
    with tempfile.TemporaryDirectory(prefix="safecity-fuzz-") as scratch:
        folder = Path(scratch)
        mapping_path, contents = data.draw(extract_inputs(folder / "extract"))
        _check_extract(mapping_path, contents, folder)
