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
    oversized_quarantine_sql,
    sql_text,
    stage_csv,
    staged_rejects_sql,
)
from safecity.data.input_files import (
    ExpandedInputs,
    InputFile,
    InputLimits,
    InputRefusedError,
    PreparedFile,
    decode_header,
    expand_inputs,
    input_limits,
    prepare_input,
    shown_header,
    stored_sha256,
)
from safecity.data.load_report import (
    FileLoadReport,
    LoadStatus,
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

LENIENT_READING_NOTE = (
    "read leniently: the strict CSV reader could not read it (a stray CR or quote), so a CR "
    "alone was taken as a line end and lines that do not parse were quarantined"
)

ProgressCallback = Callable[[str, int], None]
"""Called with a file's display path and its size in bytes once it has been dealt with."""


class ReconciliationError(RuntimeError):
    """The warehouse does not hold what a file's report says: the chunk is rolled back."""


@dataclass(slots=True)
class _PendingFile:
    prepared: PreparedFile
    file_format: FileFormat
    header: tuple[str, ...]
    identity: FileIdentity | None
    file_id: int = 0
    read_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    replaced_file_ids: list[int] = field(default_factory=list)

    @property
    def source(self) -> InputFile:
        return self.prepared.source

    @property
    def sha256(self) -> str:
        return self.prepared.sha256

    @property
    def size(self) -> int:
        return self.prepared.size

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
    limits: InputLimits | None = None,
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
        Called twice for each file, with its path and stored size: once when it has been read
        and checked (hashed, header recognised), once when it is loaded (its chunk committed),
        so a progress bar over twice the bytes moves steadily.
    chunk_bytes
        Files are committed in chunks of about this many bytes (one transaction each).
    limits
        Size, compression-ratio and line limits (default: ``config/input_limits.yaml``).

    Returns
    -------
    list of FileLoadReport
        One per file or archive member (members are known by their full path in the
        archive), and one per archive refused as a whole, in the order found: its format,
        status and reconciliation.

    Notes
    -----
    A file that cannot be read (a corrupt or truncated gzip file or archive, a member over a
    size or compression-ratio limit, a header line over the line limit) is ``rejected`` with
    the reason in the load log, and the other files load. A data line over the line limit is
    quarantined by reference (``line_too_long``: line number and byte length, no text).

    Two files of one load for the same kind, force and month: with the same bytes, the rows
    are loaded once and the second file is ``skipped``; with different bytes in the same
    archive or folder, Safe City cannot tell which is right, so both are ``rejected`` naming
    each other; with different bytes from different archives or files named on the command
    line, the later one named replaces the earlier, as a later load would (police.uk
    re-publishes months with corrections, and newer archives sort later).

    Raises
    ------
    safecity.data.input_files.InputError
        If a named path does not exist.
    ReconciliationError
        If, after a chunk, the warehouse does not hold exactly the rows its reports count (a
        defect of the loader; the chunk is rolled back).
    """
    limits = input_limits() if limits is None else limits
    expanded = expand_inputs(list(paths), suffixes=wanted_suffixes(), limits=limits)
    reports = _refused_archives(warehouse, expanded)
    if progress is not None:
        for refused in expanded.refused:
            size = Path(refused.display_path).stat().st_size
            progress(refused.display_path, size)
            progress(refused.display_path, size)
    with tempfile.TemporaryDirectory(prefix="safecity-inputs-") as workspace:
        outcomes = _prepare_all(expanded.files, Path(workspace), limits)
        loaded_before = _live_files_by_content(
            warehouse.connection,
            [outcome.sha256 for outcome in outcomes if isinstance(outcome, PreparedFile)],
        )
        pending: list[_PendingFile] = []
        settled: list[FileLoadReport] = []
        for source, outcome in zip(expanded.files, outcomes, strict=True):
            if progress is not None:
                progress(source.display_path, source.stored_size)
            report: FileLoadReport | None = None
            candidate: _PendingFile | None = None
            if isinstance(outcome, FileLoadReport):
                report = outcome
            else:
                report, candidate = _examine(outcome, loaded_before)
            if report is not None:
                settled.append(report)
            else:
                assert candidate is not None
                pending.append(candidate)
        pending, duplicates = _settle_duplicates(warehouse.connection, pending)
        settled.extend(duplicates)
        logged = [
            report
            for report in settled
            if report.status in (LoadStatus.REJECTED, LoadStatus.SKIPPED)
        ]
        if logged:
            with warehouse.transaction() as connection:
                record_files(connection, logged)
        if progress is not None:
            for report in settled:
                progress(report.path, _stored_size(expanded.files, report.path))
        reports.extend(settled)
        reports.extend(_load_pending(warehouse, pending, progress, chunk_bytes, limits))
    order = {source.display_path: index for index, source in enumerate(expanded.files)}
    reports.sort(key=lambda report: order.get(report.path, -1))
    return reports


def _stored_size(files: Sequence[InputFile], display_path: str) -> int:
    for source in files:
        if source.display_path == display_path:
            return source.stored_size
    return 0


def _refused_archives(warehouse: Warehouse, expanded: ExpandedInputs) -> list[FileLoadReport]:
    """Log the archives refused as a whole (unreadable, or over a limit)."""
    reports = [
        FileLoadReport(
            path=refused.display_path,
            format="unknown",
            status=LoadStatus.REJECTED,
            message=refused.reason,
            sha256=stored_sha256(Path(refused.display_path)),
        )
        for refused in expanded.refused
    ]
    if reports:
        with warehouse.transaction() as connection:
            record_files(connection, reports)
    return reports


def _prepare_all(
    files: Sequence[InputFile], workspace: Path, limits: InputLimits
) -> list[PreparedFile | FileLoadReport]:
    """Read every input once, in parallel threads (hashing and decompression release the
    interpreter lock); an unreadable input becomes its rejection report."""

    def prepare(position: int) -> PreparedFile | FileLoadReport:
        source = files[position]
        try:
            return prepare_input(source, position=position, workspace=workspace, limits=limits)
        except InputRefusedError as error:
            return FileLoadReport(
                path=source.display_path,
                format="unknown",
                status=LoadStatus.REJECTED,
                message=str(error),
                sha256="" if source.member else stored_sha256(source.origin),
            )

    with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
        return list(pool.map(prepare, range(len(files))))


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
    prepared: PreparedFile, loaded_before: dict[tuple[str, str], tuple[Any, ...]]
) -> tuple[FileLoadReport | None, _PendingFile | None]:
    """Recognise the file; report it at once if empty, unrecognised or already loaded."""
    source, sha256 = prepared.source, prepared.sha256
    if not prepared.first_line.strip():
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
    header = decode_header(prepared.first_line)
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
            prepared=prepared,
            file_format=file_format,
            header=tuple(header),
            identity=identity_from_name(source.name),
        ),
    )


def _rejected_header(source: InputFile, header: list[str], sha256: str) -> FileLoadReport:
    specs = format_specs()
    expected = "; ".join(
        f"{spec.file_format.value}: {', '.join(spec.columns)}" for spec in specs.values()
    )
    return FileLoadReport(
        path=source.display_path,
        format="unknown",
        status=LoadStatus.REJECTED,
        message=(
            f"header not recognised as a data.police.uk file; found {len(header)} columns "
            f"[{shown_header(header)}]; expected one of: {expected}. Nothing of this file was "
            "loaded."
        ),
        sha256=sha256,
    )


def _settle_duplicates(
    connection: duckdb.DuckDBPyConnection, pending: list[_PendingFile]
) -> tuple[list[_PendingFile], list[FileLoadReport]]:
    """Apply the rules for two files of one load with the same content or the same dataset.

    See :func:`load_police_uk` (Notes). Returns the files still to load, and the reports of the
    others (skipped or rejected).
    """
    reports: list[FileLoadReport] = []
    first_with_content: dict[tuple[str, FileFormat], _PendingFile] = {}
    distinct: list[_PendingFile] = []
    for item in pending:
        first = first_with_content.setdefault(
            (item.prepared.content_sha256, item.file_format), item
        )
        if first is item:
            distinct.append(item)
            continue
        reports.append(
            FileLoadReport(
                path=item.source.display_path,
                format=item.file_format.value,
                status=LoadStatus.SKIPPED,
                message=(
                    f"the same bytes as {first.source.display_path} in this load: its rows are "
                    "loaded once, from that file"
                ),
                sha256=item.sha256,
            )
        )
    for item in distinct:
        if item.identity is None:
            item.identity = _identity_from_content(connection, item)
    by_place: dict[tuple[str, str], list[_PendingFile]] = {}
    for item in distinct:
        by_place.setdefault((item.dataset_key, item.source.container), []).append(item)
    conflicting: set[int] = set()
    for (dataset_key, container), items in by_place.items():
        if len(items) < 2:
            continue
        names = ", ".join(item.source.display_path for item in items)
        for item in items:
            conflicting.add(id(item))
            reports.append(
                FileLoadReport(
                    path=item.source.display_path,
                    format=item.file_format.value,
                    status=LoadStatus.REJECTED,
                    message=(
                        f"{len(items)} files in {container} are all the {dataset_key} data "
                        f"(kind/force/month) with different contents ({names}): Safe City "
                        "cannot tell which is right, so none of them was loaded. Load the "
                        "right one on its own."
                    ),
                    sha256=item.sha256,
                    dataset_key=dataset_key,
                )
            )
    return [item for item in distinct if id(item) not in conflicting], reports


def _load_pending(
    warehouse: Warehouse,
    pending: Sequence[_PendingFile],
    progress: ProgressCallback | None,
    chunk_bytes: int,
    limits: InputLimits,
) -> list[FileLoadReport]:
    reports: list[FileLoadReport] = []
    for chunk in _chunks(pending, chunk_bytes):
        reports.extend(_load_chunk_or_reject(warehouse, chunk, limits))
        if progress is not None:
            for item in chunk:
                progress(item.source.display_path, item.source.stored_size)
    return reports


def _load_chunk_or_reject(
    warehouse: Warehouse, chunk: list[_PendingFile], limits: InputLimits
) -> list[FileLoadReport]:
    """Load a chunk in one transaction; if DuckDB's CSV reader fails on it (a file it cannot
    parse at all), load its files one by one and reject, with the reader's reason, each file
    it still fails on."""
    try:
        with warehouse.transaction() as connection:
            return _load_chunk(connection, chunk, limits)
    except duckdb.Error as error:
        for item in chunk:
            item.notes.clear()
            item.replaced_file_ids.clear()
        if len(chunk) > 1:
            reports: list[FileLoadReport] = []
            for item in chunk:
                reports.extend(_load_chunk_or_reject(warehouse, [item], limits))
            return reports
        (item,) = chunk
        try:
            item.notes.append(LENIENT_READING_NOTE)
            with warehouse.transaction() as connection:
                return _load_chunk(connection, chunk, limits, strict=False)
        except duckdb.Error:
            item.notes.clear()
            item.replaced_file_ids.clear()
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        report = FileLoadReport(
            path=item.source.display_path,
            format=item.file_format.value,
            status=LoadStatus.REJECTED,
            message=(
                f"the CSV reader could not read it ({first_line[:300]}); nothing of it was loaded"
            ),
            sha256=item.sha256,
            dataset_key=item.dataset_key,
        )
        with warehouse.transaction() as connection:
            record_files(connection, [report])
        return [report]


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
            if current and (current_bytes + item.size > chunk_bytes or item.dataset_key in seen):
                chunks.append(current)
                current, current_bytes, seen = [], 0, set()
            current.append(item)
            current_bytes += item.size
            seen.add(item.dataset_key)
        if current:
            chunks.append(current)
    return chunks


def _load_chunk(
    connection: duckdb.DuckDBPyConnection,
    chunk: list[_PendingFile],
    limits: InputLimits,
    *,
    strict: bool = True,
) -> list[FileLoadReport]:
    file_format = chunk[0].file_format
    spec = format_specs()[file_format]
    header_names = [_header_to_column(name, spec.columns) for name in chunk[0].header]
    read_paths = [item.prepared.read_path for item in chunk]
    if len(set(read_paths)) != len(read_paths):
        raise ReconciliationError("two files of one chunk would be read from the same path")
    file_ids = connection.execute(
        "SELECT nextval('load_file_id_sequence') AS id FROM range(?) ORDER BY id", [len(chunk)]
    ).fetchall()
    for item, (file_id,) in zip(chunk, file_ids, strict=True):
        item.file_id = int(file_id)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE chunk_files (filename VARCHAR, file_id BIGINT,"
        " force VARCHAR, file_month DATE, file_month_text VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO chunk_files VALUES (?, ?, ?, ?, ?)",
        [
            [
                str(item.prepared.read_path),
                item.file_id,
                item.identity.force,
                item.identity.month,
                f"{item.identity.month:%Y-%m}",
            ]
            for item in chunk
            if item.identity is not None
        ],
    )
    _stage_oversized_lines(connection, chunk)
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
            paths=read_paths,
            column_names=header_names,
            workspace=Path(workspace),
            select=checks,
            files_table="chunk_files",
            numbered=False,
            max_line_bytes=limits.max_line_bytes,
            strict=strict,
        )
        for item in chunk:
            item.read_path, notes = read_as[item.prepared.read_path]
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
            limits=limits,
            strict=strict,
        )
    return _chunk_reports(connection, chunk)


def _stage_oversized_lines(
    connection: duckdb.DuckDBPyConnection, chunk: list[_PendingFile]
) -> None:
    """Temp table ``chunk_oversized``: the chunk's lines set aside as over-long."""
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE chunk_oversized (file_id BIGINT, line_number BIGINT,"
        " byte_length BIGINT, copy_line BIGINT)"
    )
    rows = [
        [item.file_id, line.line_number, line.byte_length, line.copy_line]
        for item in chunk
        for line in item.prepared.oversized_lines
    ]
    if rows:
        connection.executemany("INSERT INTO chunk_oversized VALUES (?, ?, ?, ?)", rows)


def _header_to_column(header_name: str, columns: Sequence[str]) -> str:
    for column in columns:
        if column.lower() == header_name.strip().lower():
            return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")
    raise AssertionError(f"header {header_name!r} was recognised but has no column")


def _identity_from_content(
    connection: duckdb.DuckDBPyConnection, item: _PendingFile
) -> FileIdentity:
    """Month and force of a file whose name does not say: the commonest values in it."""
    spec = format_specs()[item.file_format]
    header_names = [_header_to_column(name, spec.columns) for name in item.header]
    rows = f"read_csv({sql_text(str(item.prepared.read_path))}, header = true,"
    rows += " auto_detect = false, columns = {"
    rows += ", ".join(f"{sql_text(name)}: 'VARCHAR'" for name in header_names)
    rows += "}, ignore_errors = true)"
    query = (
        f"SELECT mode(substr(date, 1, 7)), NULL FROM {rows}"
        if item.file_format is FileFormat.STOP_AND_SEARCH
        else f"SELECT mode(month), mode(falls_within) FROM {rows}"
    )
    try:
        row = connection.execute(query).fetchone()
    except duckdb.Error:
        row = None
    if item.file_format is FileFormat.STOP_AND_SEARCH:
        force = re.sub(r"[^a-z0-9]+", "-", item.source.name.lower().split(".")[0])
    else:
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
    limits: InputLimits,
    strict: bool,
) -> None:
    """Quarantine the chunk's failed rows, each with its position among its file's data rows.

    The chunk was read unnumbered (numbering rows would read the files one thread at a time);
    the few files that have failed rows are read again, numbered, to say which rows failed.
    Lines DuckDB could not parse are quarantined with their line in the file as given, and
    over-long lines by reference (no text).
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
            strict=strict,
        )
        connection.execute(
            "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record)"
            " SELECT c.file_id, NULL, c.reason, 'data row ' || c.ordinal || ': ' || c.reason, "
            + raw
            + " FROM file_numbered c WHERE c.reason IS NOT NULL"
        )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE chunk_rejected AS "
        + staged_rejects_sql(
            table="chunk_checked", files_table="chunk_files", oversized_table="chunk_oversized"
        )
        + " UNION ALL "
        + oversized_quarantine_sql(
            oversized_table="chunk_oversized", max_line_bytes=limits.max_line_bytes
        )
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
            reasons_of_file = counts.setdefault(int(file_id), {})
            reasons_of_file[str(reason)] = reasons_of_file.get(str(reason), 0) + int(count)
    reports = []
    for item in chunk:
        reasons = dict(sorted(counts.get(item.file_id, {}).items()))
        quarantined = sum(reasons.values())
        rows_in = loaded.get(item.file_id, 0) + quarantined
        if rows_in > item.prepared.data_lines:
            raise ReconciliationError(
                f"{item.source.display_path}: {rows_in} rows counted from "
                f"{item.prepared.data_lines} lines: rows were read twice; nothing of this chunk "
                "was kept"
            )
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
    _check_reconciliation(connection, chunk[0].file_format, reports)
    return reports


def _check_reconciliation(
    connection: duckdb.DuckDBPyConnection, file_format: FileFormat, reports: list[FileLoadReport]
) -> None:
    """Check, file by file (member by member for archives), that the warehouse now holds
    exactly ``loaded`` rows and ``quarantined`` quarantine rows under the file's id.

    Raises
    ------
    ReconciliationError
        Naming the first file whose rows do not reconcile (the chunk is then rolled back).
    """
    file_ids = [report.file_id for report in reports if report.file_id is not None]
    counts: list[dict[int, int]] = []
    for table in (_TARGET_TABLES[file_format], "quarantine"):
        # One filtered scan per table (file ids are consecutive, so zone maps prune the rest).
        counts.append(
            {
                int(file_id): int(count)
                for file_id, count in connection.execute(
                    f"SELECT file_id, count(*) FROM {table} WHERE file_id BETWEEN ? AND ?"
                    " AND file_id IN (SELECT unnest(?)) GROUP BY file_id",
                    [min(file_ids), max(file_ids), file_ids],
                ).fetchall()
            }
        )
    held = {file_id: (counts[0].get(file_id, 0), counts[1].get(file_id, 0)) for file_id in file_ids}
    for report in reports:
        assert report.file_id is not None
        loaded, quarantined = held.get(report.file_id, (0, 0))
        if (loaded, quarantined) != (report.loaded, report.quarantined):
            raise ReconciliationError(
                f"{report.path}: the warehouse holds {loaded} rows and {quarantined} quarantined "
                f"rows for this file, but {report.loaded} were loaded and {report.quarantined} "
                "quarantined: nothing of this chunk was kept"
            )
