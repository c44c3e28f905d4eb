"""Loading data.police.uk files into the warehouse, with nothing lost.

Every data row of every file is either loaded (possibly with a data-quality flag) or written to
``quarantine`` with a reason; per file ``rows_in == loaded + quarantined`` and the load log
(``load_file``) keeps the reconciliation. The work is done inside DuckDB: one ``read_csv`` over a
chunk of files (all columns as text, rejected lines captured with ``store_rejects``), validation
as SQL, British National Grid coordinates computed once per distinct map point.

Atomicity: each chunk of files is loaded in one transaction, so a crash or Ctrl-C leaves every
file either wholly loaded or not at all. Idempotence: a file whose bytes were loaded before is
reported ``unchanged``; a re-published file for the same force, month and kind replaces the rows
of the earlier one, and the log records which file superseded which.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from safecity.data.csv_staging import (
    create_grid_references,
    sql_text,
    stage_csv,
    staged_rejects_sql,
)
from safecity.data.input_files import (
    InputFile,
    decode_header,
    expand_inputs,
    read_first_line,
)
from safecity.data.load_report import (
    FileLoadReport,
    LoadStatus,
    file_sha256,
    record_file,
    record_files,
)
from safecity.data.police_uk.formats import (
    FileFormat,
    FileIdentity,
    asb_crime_type,
    force_slug,
    format_specs,
    identity_from_name,
    known_crime_types,
    recognise_header,
    united_kingdom_extent,
    wanted_suffixes,
)
from safecity.data.quality import QuarantineReason
from safecity.data.warehouse import Warehouse

CHUNK_BYTES = 256 * 1024 * 1024
"""Files are loaded in chunks of about this many bytes, one transaction each."""

HASHING_THREADS = 4
"""Files are hashed in parallel threads (hashlib releases the interpreter lock)."""

ProgressCallback = Callable[[str, int], None]
"""Called with a file's display path and its size in bytes once it has been dealt with."""


@dataclass(slots=True)
class _PendingFile:
    source: InputFile
    file_format: FileFormat
    header: tuple[str, ...]
    sha256: str
    size: int
    identity: FileIdentity | None
    file_id: int = 0
    read_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    replaced_file_ids: list[int] = field(default_factory=list)

    @property
    def dataset_key(self) -> str:
        assert self.identity is not None
        return f"{self.file_format.value}/{self.identity.force}/{self.identity.month:%Y-%m}"


def load_police_uk(
    warehouse: Warehouse,
    *,
    paths: Iterable[Path],
    progress: ProgressCallback | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> list[FileLoadReport]:
    """Load data.police.uk street, outcomes and stop-and-search files.

    Parameters
    ----------
    warehouse
        The open warehouse to load into.
    paths
        Files (``YYYY-MM-<force>-street.csv``, plain or ``.gz``), folders of them, or
        data.police.uk archive zips (``YYYY-MM/...-street.csv``, ``...-outcomes.csv``,
        ``...-stop-and-search.csv``).
    progress
        Called twice for each file, with its path and size: once when it has been read and
        checked (hashed, header recognised), once when it is loaded (its chunk committed), so a
        progress bar over twice the bytes moves steadily.
    chunk_bytes
        Files are committed in chunks of about this many bytes (one transaction each).

    Returns
    -------
    list of FileLoadReport
        One per file, in the order found: its format, status and reconciliation.

    Raises
    ------
    safecity.data.input_files.InputError
        If a named path does not exist or is not an archive it claims to be.
    """
    reports: list[FileLoadReport] = []
    with expand_inputs(list(paths), suffixes=wanted_suffixes()) as inputs:
        pending: list[_PendingFile] = []
        with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
            digests = list(pool.map(file_sha256, [source.path for source in inputs.files]))
        loaded_before = _live_files_by_content(warehouse.connection, digests)
        for source, sha256 in zip(inputs.files, digests, strict=True):
            report, candidate = _examine(source, sha256, loaded_before)
            if progress is not None:
                progress(source.display_path, source.path.stat().st_size)
            if report is not None:
                if report.status in (LoadStatus.REJECTED, LoadStatus.SKIPPED):
                    with warehouse.transaction() as connection:
                        record_file(connection, report)
                reports.append(report)
                if progress is not None:
                    progress(source.display_path, source.path.stat().st_size)
            else:
                assert candidate is not None
                pending.append(candidate)
        reports.extend(_load_pending(warehouse, pending, progress, chunk_bytes))
    order = {source.display_path: index for index, source in enumerate(inputs.files)}
    reports.sort(key=lambda report: order.get(report.path, len(order)))
    return reports


def _live_files_by_content(
    connection: duckdb.DuckDBPyConnection, digests: list[str]
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Live loads of files with these SHA-256s, by (sha256, format): one query for them all."""
    rows = connection.execute(
        "SELECT sha256, format, file_id, rows_in, loaded, quarantined, reasons, dataset_key"
        " FROM load_file WHERE sha256 IN (SELECT unnest(?)) AND status IN ('loaded', 'replaced')"
        " AND superseded_by IS NULL ORDER BY file_id",
        [digests],
    ).fetchall()
    return {(str(row[0]), str(row[1])): tuple(row[2:]) for row in rows}


def _examine(
    source: InputFile, sha256: str, loaded_before: dict[tuple[str, str], tuple[Any, ...]]
) -> tuple[FileLoadReport | None, _PendingFile | None]:
    """Recognise the file; report it at once if empty, unrecognised or already loaded."""
    first_line = read_first_line(source.path)
    if not first_line.strip():
        return (
            FileLoadReport(
                path=source.display_path,
                format="unknown",
                status=LoadStatus.SKIPPED,
                message="empty file: no header and no rows",
                sha256=sha256,
            ),
            None,
        )
    header = decode_header(first_line)
    file_format = recognise_header(header)
    if file_format is None:
        return (_rejected_header(source, header, sha256), None)
    previous = loaded_before.get((sha256, file_format.value))
    if previous is not None:
        return (
            FileLoadReport(
                path=source.display_path,
                format=file_format.value,
                status=LoadStatus.UNCHANGED,
                rows_in=int(previous[1]),
                loaded=int(previous[2]),
                quarantined=int(previous[3]),
                reasons=json.loads(previous[4]),
                message=f"identical to file {previous[0]} already loaded: nothing changed",
                sha256=sha256,
                dataset_key=previous[5],
                file_id=int(previous[0]),
            ),
            None,
        )
    return (
        None,
        _PendingFile(
            source=source,
            file_format=file_format,
            header=tuple(header),
            sha256=sha256,
            size=source.path.stat().st_size,
            identity=identity_from_name(source.name),
        ),
    )


def _rejected_header(source: InputFile, header: list[str], sha256: str) -> FileLoadReport:
    specs = format_specs()
    expected = "; ".join(
        f"{spec.file_format.value}: {', '.join(spec.columns)}" for spec in specs.values()
    )
    shown = ", ".join(header[:20]) + (", ..." if len(header) > 20 else "")
    return FileLoadReport(
        path=source.display_path,
        format="unknown",
        status=LoadStatus.REJECTED,
        message=(
            f"header not recognised as a data.police.uk file; found {len(header)} columns "
            f"[{shown}]; expected one of: {expected}. Nothing of this file was loaded."
        ),
        sha256=sha256,
    )


def _load_pending(
    warehouse: Warehouse,
    pending: Sequence[_PendingFile],
    progress: ProgressCallback | None,
    chunk_bytes: int,
) -> list[FileLoadReport]:
    reports: list[FileLoadReport] = []
    for chunk in _chunks(pending, chunk_bytes):
        with warehouse.transaction() as connection:
            reports.extend(_load_chunk(connection, chunk))
        if progress is not None:
            for item in chunk:
                progress(item.source.display_path, item.size)
    return reports


def _chunks(pending: Sequence[_PendingFile], chunk_bytes: int) -> list[list[_PendingFile]]:
    """Group files of one kind and header into chunks; a chunk never holds a dataset twice."""
    groups: dict[tuple[FileFormat, tuple[str, ...]], list[_PendingFile]] = {}
    for item in pending:
        groups.setdefault((item.file_format, item.header), []).append(item)
    chunks: list[list[_PendingFile]] = []
    for items in groups.values():
        current: list[_PendingFile] = []
        current_bytes = 0
        seen: set[str] = set()
        for item in items:
            name_key = (
                f"{item.identity.force}/{item.identity.month}" if item.identity else item.sha256
            )
            if current and (current_bytes + item.size > chunk_bytes or name_key in seen):
                chunks.append(current)
                current, current_bytes, seen = [], 0, set()
            current.append(item)
            current_bytes += item.size
            seen.add(name_key)
        if current:
            chunks.append(current)
    return chunks


def _load_chunk(
    connection: duckdb.DuckDBPyConnection, chunk: list[_PendingFile]
) -> list[FileLoadReport]:
    file_format = chunk[0].file_format
    spec = format_specs()[file_format]
    header_names = [_header_to_column(name, spec.columns) for name in chunk[0].header]
    file_ids = connection.execute(
        "SELECT nextval('load_file_id_sequence') AS id FROM range(?) ORDER BY id", [len(chunk)]
    ).fetchall()
    for item, (file_id,) in zip(chunk, file_ids, strict=True):
        item.file_id = int(file_id)
        if item.identity is None:
            item.identity = _identity_from_content(connection, item, header_names)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE chunk_files (filename VARCHAR, file_id BIGINT,"
        " force VARCHAR, file_month DATE, file_month_text VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO chunk_files VALUES (?, ?, ?, ?, ?)",
        [
            [
                str(item.source.path),
                item.file_id,
                item.identity.force,
                item.identity.month,
                f"{item.identity.month:%Y-%m}",
            ]
            for item in chunk
            if item.identity is not None
        ],
    )
    checks = (
        f"r.*, f.file_id, f.force, f.file_month, {_row_checks(file_format)} AS reason,"
        " try_cast(r.longitude AS DOUBLE) AS longitude_value,"
        " try_cast(r.latitude AS DOUBLE) AS latitude_value"
        + (
            ", hash(r.crime_id) AS crime_hash"
            if file_format is not FileFormat.STOP_AND_SEARCH
            else ""
        )
    )
    with tempfile.TemporaryDirectory(prefix="safecity-transcoded-") as workspace:
        read_as = stage_csv(
            connection,
            table="chunk_checked",
            paths=[item.source.path for item in chunk],
            column_names=header_names,
            workspace=Path(workspace),
            select=checks,
            files_table="chunk_files",
            numbered=False,
        )
        for item in chunk:
            item.read_path, notes = read_as[item.source.path]
            item.notes.extend(notes)
        _replace_earlier_versions(connection, chunk)
        _insert_rows(connection, file_format)
        _quarantine_rows(
            connection,
            chunk=chunk,
            header_names=header_names,
            column_names=spec.column_names,
            checks=checks,
            workspace=Path(workspace),
        )
    return _chunk_reports(connection, chunk)


def _header_to_column(header_name: str, columns: Sequence[str]) -> str:
    for column in columns:
        if column.lower() == header_name.strip().lower():
            return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")
    raise AssertionError(f"header {header_name!r} was recognised but has no column")


def _identity_from_content(
    connection: duckdb.DuckDBPyConnection, item: _PendingFile, header_names: Sequence[str]
) -> FileIdentity:
    """Month and force of a file whose name does not say: the commonest values in it."""
    rows = f"read_csv({sql_text(str(item.source.path))}, header = true, auto_detect = false,"
    rows += " columns = {" + ", ".join(f"{sql_text(name)}: 'VARCHAR'" for name in header_names)
    rows += "}, ignore_errors = true)"
    if item.file_format is FileFormat.STOP_AND_SEARCH:
        row = connection.execute(f"SELECT mode(substr(date, 1, 7)), NULL FROM {rows}").fetchone()
        force = re.sub(r"[^a-z0-9]+", "-", item.source.name.lower().split(".")[0])
    else:
        row = connection.execute(f"SELECT mode(month), mode(falls_within) FROM {rows}").fetchone()
        force = force_slug(row[1]) if row and row[1] else "unknown"
    month_text = row[0] if row else None
    month = (
        date(int(month_text[:4]), int(month_text[5:7]), 1)
        if month_text and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month_text)
        else date(1900, 1, 1)
    )
    return FileIdentity(month=month, force=force)


def _row_checks(file_format: FileFormat) -> str:
    """A SQL ``CASE`` giving each row's quarantine reason, or NULL when the row loads."""
    extent = united_kingdom_extent()
    coordinate_checks = (
        f"WHEN (r.longitude IS NULL) <> (r.latitude IS NULL)"
        f" THEN '{QuarantineReason.UNPARSEABLE_COORDINATES}'"
        f" WHEN r.longitude IS NOT NULL AND (try_cast(r.longitude AS DOUBLE) IS NULL"
        f" OR try_cast(r.latitude AS DOUBLE) IS NULL)"
        f" THEN '{QuarantineReason.UNPARSEABLE_COORDINATES}'"
        f" WHEN r.longitude IS NOT NULL AND NOT (try_cast(r.longitude AS DOUBLE) BETWEEN"
        f" {extent['min_longitude']} AND {extent['max_longitude']} AND"
        f" try_cast(r.latitude AS DOUBLE) BETWEEN {extent['min_latitude']} AND"
        f" {extent['max_latitude']}) THEN '{QuarantineReason.COORDINATES_OUTSIDE_UK}'"
    )
    if file_format is FileFormat.STOP_AND_SEARCH:
        return (
            "CASE WHEN r.date IS NULL OR try_cast(r.date AS TIMESTAMPTZ) IS NULL"
            f" THEN '{QuarantineReason.UNPARSEABLE_DATE}'"
            # The month as written (local time in the file), whatever this machine's zone.
            " WHEN substr(r.date, 1, 7) <> f.file_month_text"
            f" THEN '{QuarantineReason.MONTH_MISMATCH}'"
            f" {coordinate_checks} END"
        )
    # Cheap tests first: most rows have the file's month, so the pattern is tested only for
    # the others (GLOB is much faster than a regular expression on millions of rows).
    month_checks = (
        "WHEN r.month IS DISTINCT FROM f.file_month_text THEN CASE WHEN r.month IS NOT NULL"
        " AND r.month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'"
        " AND substr(r.month, 6, 2) BETWEEN '01' AND '12'"
        f" THEN '{QuarantineReason.MONTH_MISMATCH}'"
        f" ELSE '{QuarantineReason.UNPARSEABLE_MONTH}' END"
    )
    lsoa_check = (
        "WHEN r.lsoa_code IS NOT NULL AND NOT r.lsoa_code GLOB"
        " '[EW]01[0-9][0-9][0-9][0-9][0-9][0-9]'"
        f" THEN '{QuarantineReason.MALFORMED_LSOA_CODE}'"
    )
    if file_format is FileFormat.OUTCOMES:
        return f"CASE {month_checks} {coordinate_checks} {lsoa_check} END"
    crime_types = ", ".join(sql_text(crime_type) for crime_type in sorted(known_crime_types()))
    return (
        f"CASE {month_checks} WHEN r.crime_type IS NULL OR r.crime_type NOT IN ({crime_types})"
        f" THEN '{QuarantineReason.UNKNOWN_CRIME_TYPE}' {coordinate_checks} {lsoa_check} END"
    )


def _replace_earlier_versions(
    connection: duckdb.DuckDBPyConnection, chunk: list[_PendingFile]
) -> None:
    """Delete the rows of earlier files for the same force, month and kind (re-publication)."""
    table = _TARGET_TABLES[chunk[0].file_format]
    by_key: dict[str, list[tuple[Any, ...]]] = {}
    for key, *earlier in connection.execute(
        "SELECT dataset_key, file_id, path, loaded_at FROM load_file"
        " WHERE dataset_key IN (SELECT unnest(?)) AND status IN ('loaded', 'replaced')"
        " AND superseded_by IS NULL ORDER BY file_id",
        [[item.dataset_key for item in chunk]],
    ).fetchall():
        by_key.setdefault(str(key), []).append(tuple(earlier))
    for item in chunk:
        for file_id, path, loaded_at in by_key.get(item.dataset_key, []):
            connection.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])
            connection.execute("DELETE FROM quarantine WHERE file_id = ?", [file_id])
            connection.execute(
                "UPDATE load_file SET superseded_by = ? WHERE file_id = ?",
                [item.file_id, file_id],
            )
            item.replaced_file_ids.append(int(file_id))
            item.notes.append(
                f"replaces file {file_id} ({path}, loaded {loaded_at:%Y-%m-%d %H:%M})"
            )


_TARGET_TABLES = {
    FileFormat.STREET: "police_uk_street",
    FileFormat.OUTCOMES: "police_uk_outcome",
    FileFormat.STOP_AND_SEARCH: "police_uk_stop_search",
}


def _insert_rows(connection: duckdb.DuckDBPyConnection, file_format: FileFormat) -> None:
    # Rows carry their file and need no order: let DuckDB write them in parallel.
    connection.execute("SET preserve_insertion_order = false")
    try:
        _insert_rows_in_any_order(connection, file_format)
    finally:
        connection.execute("RESET preserve_insertion_order")


def _insert_rows_in_any_order(
    connection: duckdb.DuckDBPyConnection, file_format: FileFormat
) -> None:
    create_grid_references(
        connection,
        points_query="SELECT DISTINCT longitude_value AS longitude, latitude_value AS latitude"
        " FROM chunk_checked WHERE reason IS NULL AND longitude_value IS NOT NULL",
        table="chunk_grid",
    )
    location = (
        "c.longitude IS NOT NULL AS has_location, c.longitude_value AS longitude,"
        " c.latitude_value AS latitude, g.easting, g.northing"
    )
    grid_join = (
        " LEFT JOIN chunk_grid g ON g.longitude = c.longitude_value"
        " AND g.latitude = c.latitude_value"
    )
    if file_format is FileFormat.STREET:
        # Repeated Crime IDs are rare: find them by a 64-bit hash (cheap to group), then
        # confirm on the IDs themselves in the join.
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE chunk_repeated AS SELECT c.file_id, c.crime_hash,"
            " c.crime_id FROM chunk_checked c JOIN (SELECT file_id, crime_hash"
            " FROM chunk_checked WHERE reason IS NULL AND crime_id IS NOT NULL"
            " GROUP BY file_id, crime_hash HAVING count(*) > 1) h USING (file_id, crime_hash)"
            " WHERE c.reason IS NULL AND c.crime_id IS NOT NULL"
            " GROUP BY c.file_id, c.crime_hash, c.crime_id HAVING count(*) > 1"
        )
        connection.execute(
            "INSERT INTO police_uk_street BY NAME SELECT c.file_id, c.force,"
            " c.file_month AS month, c.crime_id, c.reported_by, c.falls_within, "
            f"{location}, c.location, c.lsoa_code, c.lsoa_name, c.crime_type,"
            " c.last_outcome_category, c.context,"
            f" c.crime_type = {sql_text(asb_crime_type())} AS is_asb,"
            " p.crime_id IS NOT NULL AS repeated_crime_id"
            f" FROM chunk_checked c {grid_join}"
            " LEFT JOIN chunk_repeated p ON p.file_id = c.file_id"
            " AND p.crime_hash = c.crime_hash AND p.crime_id = c.crime_id"
            " WHERE c.reason IS NULL"
        )
    elif file_format is FileFormat.OUTCOMES:
        connection.execute(
            "INSERT INTO police_uk_outcome BY NAME SELECT c.file_id, c.force,"
            " c.file_month AS month, c.crime_id, c.reported_by, c.falls_within, "
            f"{location}, c.location, c.lsoa_code, c.lsoa_name, c.outcome_type"
            f" FROM chunk_checked c {grid_join} WHERE c.reason IS NULL"
        )
    else:
        connection.execute(
            "INSERT INTO police_uk_stop_search BY NAME SELECT c.file_id,"
            " c.force, c.file_month AS month, c.type AS search_type,"
            " try_cast(c.date AS TIMESTAMPTZ) AS searched_at, c.part_of_a_policing_operation"
            " AS part_of_policing_operation, c.policing_operation, "
            f"{location}, c.gender, c.age_range, c.self_defined_ethnicity,"
            " c.officer_defined_ethnicity, c.legislation, c.object_of_search, c.outcome,"
            " c.outcome_linked_to_object_of_search AS outcome_linked_to_object,"
            " c.removal_of_more_than_just_outer_clothing AS removal_of_outer_clothing"
            f" FROM chunk_checked c {grid_join} WHERE c.reason IS NULL"
        )


def _quarantine_rows(
    connection: duckdb.DuckDBPyConnection,
    *,
    chunk: list[_PendingFile],
    header_names: Sequence[str],
    column_names: Sequence[str],
    checks: str,
    workspace: Path,
) -> None:
    """Quarantine the chunk's failed rows, each with its position among its file's data rows.

    The chunk was read unnumbered (numbering rows would read the files one thread at a time);
    the few files that have failed rows are read again, numbered, to say which rows failed.
    """
    failing = {
        str(row[0])
        for row in connection.execute(
            "SELECT DISTINCT filename FROM chunk_checked WHERE reason IS NOT NULL"
        ).fetchall()
    }
    raw = "concat_ws(',', " + ", ".join(f"coalesce(c.{name}, '')" for name in column_names) + ")"
    for item in chunk:
        if str(item.read_path) not in failing or item.read_path is None:
            continue
        stage_csv(
            connection,
            table="file_numbered",
            paths=[item.read_path],
            column_names=header_names,
            workspace=workspace,
            select=checks,
            files_table="chunk_files",
        )
        connection.execute(
            "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record)"
            " SELECT c.file_id, NULL, c.reason, 'data row ' || c.ordinal || ': ' || c.reason, "
            + raw
            + " FROM file_numbered c WHERE c.reason IS NOT NULL"
        )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE chunk_rejected AS "
        + staged_rejects_sql(table="chunk_checked", files_table="chunk_files")
    )
    connection.execute(
        "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record)"
        " SELECT file_id, line, reason, detail, raw_record FROM chunk_rejected"
    )


def _chunk_reports(
    connection: duckdb.DuckDBPyConnection, chunk: list[_PendingFile]
) -> list[FileLoadReport]:
    counts: dict[int, dict[str, int]] = {}
    loaded: dict[int, int] = {}
    for file_id, reason, count in connection.execute(
        "SELECT file_id, reason, count(*) FROM chunk_checked GROUP BY ALL"
        " UNION ALL SELECT file_id, reason, count(*) FROM chunk_rejected GROUP BY ALL"
    ).fetchall():
        if reason is None:
            loaded[int(file_id)] = loaded.get(int(file_id), 0) + int(count)
        else:
            counts.setdefault(int(file_id), {})[str(reason)] = int(count)
    reports = []
    for item in chunk:
        reasons = dict(sorted(counts.get(item.file_id, {}).items()))
        quarantined = sum(reasons.values())
        report = FileLoadReport(
            path=item.source.display_path,
            format=item.file_format.value,
            status=LoadStatus.REPLACED if item.replaced_file_ids else LoadStatus.LOADED,
            rows_in=loaded.get(item.file_id, 0) + quarantined,
            loaded=loaded.get(item.file_id, 0),
            quarantined=quarantined,
            reasons=reasons,
            message="; ".join(item.notes) or None,
            sha256=item.sha256,
            dataset_key=item.dataset_key,
            file_id=item.file_id,
        )
        reports.append(report)
    record_files(connection, reports)
    return reports
