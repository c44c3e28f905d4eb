"""Loading the web site's de-identified count exports into the warehouse: the shared part.

The site exports counts only, one CSV per kind (community reports, partner-intelligence
counts); each kind's loader (:mod:`safecity.data.community_reports.loader`,
:mod:`safecity.data.intelligence_counts.loader`) describes its export as a :class:`SiteExport`
(columns, warehouse tables, words) and its row checks as a function, and
:func:`load_site_export` does the rest the same way for both:

* the header must be exactly the export's columns (else the file is ``rejected``);
* every data row is loaded or quarantined (reason, and the line and column in words): a line
  over the line limit, not UTF-8, not a CSV row, failing the kind's checks, or repeating an
  earlier row's key;
* in one transaction: the same bytes as a current load are ``unchanged`` (nothing is written
  but the load-log row); otherwise an export covers, per area, the months from its first row's
  to its last row's and replaces every row of those months for that area; a load whose months
  are all replaced is ``superseded_by`` the new one. Rows in = loaded + quarantined.

What the kinds' row checks and export writers share is in :mod:`safecity.data.site_export_rows`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import duckdb

from safecity.data.input_files import UTF8_BOM, InputLimits
from safecity.data.load_report import (
    FileLoadReport,
    LoadStatus,
    file_sha256,
    next_file_id,
    record_file,
)
from safecity.data.quality import QuarantineReason
from safecity.data.site_export_rows import RowProblem, month_start
from safecity.data.warehouse import Warehouse

PROBLEMS_IN_MESSAGE = 5
"""Quarantined rows named (line, column, problem) in the load report's message."""
RAW_RECORD_CHARACTERS = 2000
"""The most of a quarantined line kept as its ``raw_record``."""


class ExportRow(Protocol):
    """What the shared loader needs of a checked row: its area, month and key."""

    @property
    def area_code(self) -> str:
        """The area's GSS code."""

    @property
    def month(self) -> str:
        """``YYYY-MM``."""

    def key(self) -> tuple[str, ...]:
        """The combination the row counts (unique within a file)."""


RowT = TypeVar("RowT", bound=ExportRow)
RowT_contra = TypeVar("RowT_contra", bound=ExportRow, contravariant=True)


class RowInserter(Protocol[RowT_contra]):
    """Writes checked rows (with their line numbers) to the kind's table, for load ``file_id``."""

    def __call__(
        self,
        connection: duckdb.DuckDBPyConnection,
        rows: Sequence[tuple[int, RowT_contra]],
        *,
        file_id: int,
    ) -> None:
        """Insert ``rows``."""


@dataclass(frozen=True, slots=True)
class SiteExport(Generic[RowT]):
    """One kind of the site's exports, as the shared loader needs it.

    Attributes
    ----------
    format
        The ``load_file.format`` of the export.
    called
        The export in words, with its article (``a community-reports export``).
    columns
        The export's header, in order.
    same_key
        What a repeated row repeats, in words (``area, month, topic and ward``).
    count_table, month_table
        The warehouse tables of the rows and of the months each load covers.
    counted
        What the rows count, plural (``reports``), and ``total`` how many one row counts.
    dataset_key
        The ``load_file.dataset_key`` prefix (``community_reports``).
    coverage
        One area's months in words: the area, the first and last month, how many months.
    duplicate_raw_line_end
        Whether a repeated row's ``raw_record`` keeps its line end (as the
        intelligence-counts loader always has).
    """

    format: str
    called: str
    columns: tuple[str, ...]
    same_key: str
    count_table: str
    month_table: str
    counted: str
    total: Callable[[RowT], int]
    dataset_key: str
    coverage: Callable[[str, date, date, int], str]
    duplicate_raw_line_end: bool = False


class _HeaderError(ValueError):
    """The file is not the export it is loaded as (its header says so)."""


@dataclass(frozen=True, slots=True)
class _Quarantined:
    line_number: int
    reason: QuarantineReason
    detail: str
    raw: str | None


@dataclass(frozen=True, slots=True)
class _ReadFile(Generic[RowT]):
    rows: list[tuple[int, RowT]]
    quarantined: list[_Quarantined]


def _months_between(first: date, last: date) -> list[date]:
    months = []
    current = first
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _check_header(line: bytes, *, path: Path, export: SiteExport[Any]) -> None:
    columns = export.columns
    text = line.removeprefix(UTF8_BOM).decode("utf-8", errors="replace").rstrip("\r\n")
    header = [name.strip() for name in next(csv.reader([text]), [])]
    if header == list(columns):
        return
    missing = [name for name in columns if name not in header]
    unexpected = [name for name in header if name not in columns]
    said = []
    if missing:
        said.append(f"missing column(s) {', '.join(missing)}")
    if unexpected:
        said.append(f"unexpected column(s) {', '.join(repr(name) for name in unexpected[:10])}")
    if not said:
        said.append("the columns are in another order")
    raise _HeaderError(
        f"{path}, line 1: not {export.called} ({'; '.join(said)}); the header must be exactly"
        f" {','.join(columns)}"
    )


def _read_line(
    line: bytes, line_number: int, *, check: Callable[[list[str]], RowT | RowProblem]
) -> RowT | _Quarantined | None:
    try:
        text = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        return _Quarantined(
            line_number,
            QuarantineReason.ENCODING_ERROR,
            f"line {line_number}: not UTF-8 (byte {error.start + 1} of the line)",
            line.decode("utf-8", errors="replace")[:RAW_RECORD_CHARACTERS],
        )
    if not text.strip():
        return None
    raw = text[:RAW_RECORD_CHARACTERS]
    try:
        fields = next(csv.reader([text], strict=True))
    except csv.Error as error:
        return _Quarantined(
            line_number,
            QuarantineReason.MALFORMED_CSV_ROW,
            f"line {line_number}: not a CSV row ({error})",
            raw,
        )
    checked = check(fields)
    if isinstance(checked, RowProblem):
        return _Quarantined(
            line_number, checked.reason, f"line {line_number}, {checked.words()}", raw
        )
    return checked


def _read(
    path: Path,
    *,
    export: SiteExport[RowT],
    check: Callable[[list[str]], RowT | RowProblem],
    limits: InputLimits,
) -> _ReadFile[RowT]:
    rows: list[tuple[int, RowT]] = []
    quarantined: list[_Quarantined] = []
    seen: dict[tuple[str, ...], int] = {}
    with path.open("rb") as stream:
        header = stream.readline(limits.max_line_bytes + 1)
        if not header.strip():
            raise _HeaderError(f"{path}: the file is empty (no header row)")
        _check_header(header, path=path, export=export)
        line_number = 1
        while line := stream.readline(limits.max_line_bytes + 1):
            line_number += 1
            if len(line) > limits.max_line_bytes:
                length = len(line)
                while not line.endswith(b"\n") and (
                    line := stream.readline(limits.max_line_bytes + 1)
                ):
                    length += len(line)
                quarantined.append(
                    _Quarantined(
                        line_number,
                        QuarantineReason.LINE_TOO_LONG,
                        f"line {line_number}: {length:,} bytes, longer than the line limit"
                        f" ({limits.max_line_bytes:,})",
                        None,
                    )
                )
                continue
            read = _read_line(line, line_number, check=check)
            if read is None:
                continue
            if isinstance(read, _Quarantined):
                quarantined.append(read)
                continue
            key = read.key()
            if key in seen:
                raw = line.decode("utf-8")
                if not export.duplicate_raw_line_end:
                    raw = raw.rstrip("\r\n")
                quarantined.append(
                    _Quarantined(
                        line_number,
                        QuarantineReason.DUPLICATE_KEY,
                        f"line {line_number}: the same {export.same_key} as line {seen[key]}"
                        " (an export has one row per combination)",
                        raw[:RAW_RECORD_CHARACTERS],
                    )
                )
                continue
            seen[key] = line_number
            rows.append((line_number, read))
    return _ReadFile(rows=rows, quarantined=quarantined)


def _reasons(quarantined: list[_Quarantined]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in quarantined:
        counts[item.reason.value] = counts.get(item.reason.value, 0) + 1
    return dict(sorted(counts.items()))


def _problems_words(path: Path, quarantined: list[_Quarantined]) -> str:
    if not quarantined:
        return ""
    shown = "; ".join(f"{path}, {item.detail}" for item in quarantined[:PROBLEMS_IN_MESSAGE])
    more = len(quarantined) - PROBLEMS_IN_MESSAGE
    return f"quarantined: {shown}" + (
        f"; and {more:,} more (see the quarantine table)" if more > 0 else ""
    )


def _write_quarantine(
    connection: duckdb.DuckDBPyConnection, quarantined: list[_Quarantined], *, file_id: int
) -> None:
    if quarantined:
        connection.executemany(
            "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                [file_id, item.line_number, item.reason.value, item.detail, item.raw]
                for item in quarantined
            ],
        )


def _current_same_bytes(
    connection: duckdb.DuckDBPyConnection, *, export: SiteExport[Any], sha256: str
) -> int | None:
    row = connection.execute(
        "SELECT file_id FROM load_file WHERE format = ? AND sha256 = ?"
        " AND status IN ('loaded', 'replaced') AND superseded_by IS NULL"
        f" AND file_id IN (SELECT file_id FROM {export.month_table})"
        " ORDER BY file_id DESC LIMIT 1",
        [export.format, sha256],
    ).fetchone()
    return None if row is None else int(row[0])


def _replace_months(
    connection: duckdb.DuckDBPyConnection,
    rows: list[tuple[int, RowT]],
    *,
    export: SiteExport[RowT],
    file_id: int,
) -> tuple[list[str], list[int]]:
    """Delete the rows of the months this file covers (per area) and record its months.

    Returns the coverage in words per area, and the earlier loads whose rows were replaced.
    """
    by_area: dict[str, list[date]] = {}
    for _line, row in rows:
        by_area.setdefault(row.area_code, []).append(month_start(row.month))
    covered: list[str] = []
    replaced: set[int] = set()
    for area, months in sorted(by_area.items()):
        first, last = min(months), max(months)
        span = _months_between(first, last)
        earlier = connection.execute(
            f"SELECT DISTINCT file_id FROM {export.month_table} WHERE area_code = ?"
            " AND month BETWEEN ? AND ?",
            [area, first, last],
        ).fetchall()
        replaced.update(int(row[0]) for row in earlier)
        for table in (export.count_table, export.month_table):
            connection.execute(
                f"DELETE FROM {table} WHERE area_code = ? AND month BETWEEN ? AND ?",
                [area, first, last],
            )
        connection.executemany(
            f"INSERT INTO {export.month_table} (area_code, month, file_id) VALUES (?, ?, ?)",
            [[area, month, file_id] for month in span],
        )
        covered.append(export.coverage(area, first, last, len(span)))
    return covered, sorted(replaced)


def _mark_superseded(
    connection: duckdb.DuckDBPyConnection,
    replaced: list[int],
    *,
    export: SiteExport[Any],
    file_id: int,
) -> None:
    """Earlier loads left with no month of their own are superseded by ``file_id``."""
    for earlier in replaced:
        row = connection.execute(
            f"SELECT count(*) FROM {export.month_table} WHERE file_id = ?", [earlier]
        ).fetchone()
        if row is not None and int(row[0]) == 0:
            connection.execute(
                "UPDATE load_file SET superseded_by = ? WHERE file_id = ?", [file_id, earlier]
            )


def load_site_export(
    warehouse: Warehouse,
    *,
    path: Path,
    export: SiteExport[RowT],
    check: Callable[[list[str]], RowT | RowProblem],
    insert_rows: RowInserter[RowT],
    limits: InputLimits,
    notes: Sequence[str] = (),
) -> FileLoadReport:
    """Load one export of the site (see the module); ``path`` is known to be a file.

    Parameters
    ----------
    warehouse
        The open warehouse.
    path
        The export CSV.
    export
        The kind of export: its columns, tables and words.
    check
        A data row's fields as the kind's row, or the first problem found in it.
    insert_rows
        Writes the loaded rows to the kind's ``count_table`` (after the months they cover
        were emptied).
    limits
        Input limits: the line limit.
    notes
        Said in the message of a load that loads rows, after the months and the total.

    Returns
    -------
    FileLoadReport
        ``loaded``, ``replaced`` (rows of months an earlier export covered were replaced; the
        message says which loads), ``unchanged`` (the same bytes are already loaded) or
        ``rejected`` (wrong header, or no row could be loaded; the message says why and names
        the first quarantined rows by line and column; nothing changed but the quarantine and
        load log).
    """
    sha256 = file_sha256(path)
    try:
        read = _read(path, export=export, check=check, limits=limits)
    except _HeaderError as error:
        report = FileLoadReport(
            path=str(path),
            format=export.format,
            status=LoadStatus.REJECTED,
            message=str(error),
            sha256=sha256,
        )
        with warehouse.transaction() as connection:
            record_file(connection, report)
        return report
    reasons = _reasons(read.quarantined)
    quarantined = len(read.quarantined)
    problems = _problems_words(path, read.quarantined)
    with warehouse.transaction() as connection:
        same = _current_same_bytes(connection, export=export, sha256=sha256)
        if same is not None:
            report = FileLoadReport(
                path=str(path),
                format=export.format,
                status=LoadStatus.UNCHANGED,
                rows_in=len(read.rows) + quarantined,
                loaded=len(read.rows),
                quarantined=quarantined,
                reasons=reasons,
                message=f"the same bytes are already loaded (load {same}): nothing changed",
                sha256=sha256,
            )
            record_file(connection, report)
            return report
        file_id = next_file_id(connection)
        _write_quarantine(connection, read.quarantined, file_id=file_id)
        if not read.rows:
            report = FileLoadReport(
                path=str(path),
                format=export.format,
                status=LoadStatus.REJECTED,
                rows_in=quarantined,
                quarantined=quarantined,
                reasons=reasons,
                message=(
                    "no row could be loaded; nothing in the warehouse changed"
                    + (f"; {problems}" if problems else " (the file has no data rows)")
                ),
                sha256=sha256,
                file_id=file_id,
            )
            record_file(connection, report)
            return report
        covered, replaced = _replace_months(connection, read.rows, export=export, file_id=file_id)
        insert_rows(connection, read.rows, file_id=file_id)
        total = sum(export.total(row) for _line, row in read.rows)
        words = [
            f"months covered: {'; '.join(covered)}",
            f"{total:,} {export.counted} in {len(read.rows):,} rows",
        ]
        if replaced:
            words.insert(
                0,
                "replaced the rows of those months from load(s) "
                + ", ".join(str(file) for file in replaced),
            )
        words.extend(notes)
        if problems:
            words.append(problems)
        report = FileLoadReport(
            path=str(path),
            format=export.format,
            status=LoadStatus.REPLACED if replaced else LoadStatus.LOADED,
            rows_in=len(read.rows) + quarantined,
            loaded=len(read.rows),
            quarantined=quarantined,
            reasons=reasons,
            message="; ".join(words),
            sha256=sha256,
            dataset_key=f"{export.dataset_key}/"
            + ",".join(sorted({row.area_code for _line, row in read.rows})),
            file_id=file_id,
        )
        record_file(connection, report)
        _mark_superseded(connection, replaced, export=export, file_id=file_id)
    return report


def plain_report(report: FileLoadReport) -> dict[str, Any]:
    """The load report as plain data (:meth:`FileLoadReport.as_dict`, JSON's types only).

    Parameters
    ----------
    report
        A load report.

    Returns
    -------
    dict
        What the web site's gateway hands back.
    """
    plain: dict[str, Any] = json.loads(json.dumps(report.as_dict(), default=str))
    return plain


__all__ = [
    "PROBLEMS_IN_MESSAGE",
    "RAW_RECORD_CHARACTERS",
    "ExportRow",
    "RowInserter",
    "SiteExport",
    "load_site_export",
    "plain_report",
]
