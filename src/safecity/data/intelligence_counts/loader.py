"""Loading the web site's de-identified ``intelligence-counts`` export into the warehouse.

:func:`load_intelligence_counts` reads the CSV (:mod:`.export_format`; columns exactly
:data:`~.export_format.EXPORT_COLUMNS`), checks every row (:mod:`.row_checks`: the month, the
topic against ``config/intelligence.yaml``, a whole number of at least one, an area code (empty:
"outside the area"), a ward the loaded area lookups know) and, in one transaction, writes the
good rows to ``intelligence_count``, one ``quarantine`` row per bad row (reason, and the line
and column in words), the months the file covers to ``intelligence_count_month`` and its
``load_file`` row: rows in = loaded + quarantined. Anything that fails rolls the whole file back.

Re-loading follows the community reports (``docs/intelligence.md``):

* the same bytes as a current load are ``unchanged``: nothing is written but the load-log row;
* an export covers, per area, the months from its first row's to its last row's; a later export
  replaces every row of those months for that area (the site's export is the whole truth for
  the months it covers). A load whose months are all replaced is ``superseded_by`` the new one.

No content of any submission reaches the warehouse: the export holds counts only.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from safecity.config.intelligence import IntelligenceConfig, intelligence_config
from safecity.data.input_files import UTF8_BOM, InputError, InputLimits, input_limits
from safecity.data.intelligence_counts.export_format import EXPORT_COLUMNS, CountRow
from safecity.data.intelligence_counts.row_checks import RowProblem, check_row, unknown_ward
from safecity.data.load_report import (
    FileLoadReport,
    LoadStatus,
    file_sha256,
    next_file_id,
    record_file,
)
from safecity.data.quality import QuarantineReason
from safecity.data.warehouse import Warehouse

INTELLIGENCE_COUNTS_FORMAT = "intelligence_counts_csv"
"""The ``load_file.format`` of an export."""
PROBLEMS_IN_MESSAGE = 5
"""Quarantined rows named (line, column, problem) in the load report's message."""
RAW_RECORD_CHARACTERS = 2000
WARDS_NOT_CHECKED = "ward codes not checked against a lookup (no area lookup is loaded)"


class IntelligenceCountsLoadError(InputError):
    """An intelligence-counts load that cannot start (no such file); says why."""


class _HeaderError(ValueError):
    """The file is not an intelligence-counts export (its header says so)."""


@dataclass(frozen=True, slots=True)
class _Quarantined:
    line_number: int
    reason: QuarantineReason
    detail: str
    raw: str | None


@dataclass(frozen=True, slots=True)
class _ReadFile:
    rows: list[tuple[int, CountRow]]
    quarantined: list[_Quarantined]


def month_start(month: str) -> date:
    """The first day of ``YYYY-MM``.

    >>> month_start("2024-03")
    datetime.date(2024, 3, 1)
    """
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def _months_between(first: date, last: date) -> list[date]:
    months = []
    current = first
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _check_header(line: bytes, *, path: Path) -> None:
    text = line.removeprefix(UTF8_BOM).decode("utf-8", errors="replace").rstrip("\r\n")
    header = [name.strip() for name in next(csv.reader([text]), [])]
    if header == list(EXPORT_COLUMNS):
        return
    missing = [name for name in EXPORT_COLUMNS if name not in header]
    unexpected = [name for name in header if name not in EXPORT_COLUMNS]
    said = []
    if missing:
        said.append(f"missing column(s) {', '.join(missing)}")
    if unexpected:
        said.append(f"unexpected column(s) {', '.join(repr(name) for name in unexpected[:10])}")
    if not said:
        said.append("the columns are in another order")
    raise _HeaderError(
        f"{path}, line 1: not an intelligence-counts export ({'; '.join(said)}); the header"
        f" must be exactly {','.join(EXPORT_COLUMNS)}"
    )


def _known_wards(connection: duckdb.DuckDBPyConnection) -> frozenset[str]:
    rows = connection.execute("SELECT DISTINCT ward_code FROM area_lookup").fetchall()
    return frozenset(str(row[0]) for row in rows)


def _problem(line_number: int, problem: RowProblem, text: str) -> _Quarantined:
    return _Quarantined(line_number, problem.reason, f"line {line_number}, {problem.words()}", text)


def _read_line(
    line: bytes,
    line_number: int,
    *,
    config: IntelligenceConfig,
    known_wards: frozenset[str],
) -> CountRow | _Quarantined | None:
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
    checked = check_row(fields, config=config)
    if isinstance(checked, RowProblem):
        return _problem(line_number, checked, raw)
    ward = unknown_ward(checked, known_wards=known_wards)
    if ward is not None:
        return _problem(line_number, ward, raw)
    return checked


def _read(
    path: Path,
    *,
    config: IntelligenceConfig,
    limits: InputLimits,
    known_wards: frozenset[str],
) -> _ReadFile:
    rows: list[tuple[int, CountRow]] = []
    quarantined: list[_Quarantined] = []
    seen: dict[tuple[str, ...], int] = {}
    with path.open("rb") as stream:
        header = stream.readline(limits.max_line_bytes + 1)
        if not header.strip():
            raise _HeaderError(f"{path}: the file is empty (no header row)")
        _check_header(header, path=path)
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
            read = _read_line(line, line_number, config=config, known_wards=known_wards)
            if read is None:
                continue
            if isinstance(read, _Quarantined):
                quarantined.append(read)
                continue
            key = read.key()
            if key in seen:
                quarantined.append(
                    _Quarantined(
                        line_number,
                        QuarantineReason.DUPLICATE_KEY,
                        f"line {line_number}: the same area, month, topic and ward as line"
                        f" {seen[key]} (an export has one row per combination)",
                        line.decode("utf-8", errors="replace")[:RAW_RECORD_CHARACTERS],
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


def _current_same_bytes(connection: duckdb.DuckDBPyConnection, *, sha256: str) -> int | None:
    row = connection.execute(
        "SELECT file_id FROM load_file WHERE format = ? AND sha256 = ?"
        " AND status IN ('loaded', 'replaced') AND superseded_by IS NULL"
        " AND file_id IN (SELECT file_id FROM intelligence_count_month)"
        " ORDER BY file_id DESC LIMIT 1",
        [INTELLIGENCE_COUNTS_FORMAT, sha256],
    ).fetchone()
    return None if row is None else int(row[0])


def _replace_months(
    connection: duckdb.DuckDBPyConnection, rows: list[tuple[int, CountRow]], *, file_id: int
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
        earlier = connection.execute(
            "SELECT DISTINCT file_id FROM intelligence_count_month WHERE area_code = ?"
            " AND month BETWEEN ? AND ?",
            [area, first, last],
        ).fetchall()
        replaced.update(int(row[0]) for row in earlier)
        for table in ("intelligence_count", "intelligence_count_month"):
            connection.execute(
                f"DELETE FROM {table} WHERE area_code = ? AND month BETWEEN ? AND ?",
                [area, first, last],
            )
        connection.executemany(
            "INSERT INTO intelligence_count_month (area_code, month, file_id) VALUES (?, ?, ?)",
            [[area, month, file_id] for month in _months_between(first, last)],
        )
        covered.append(f"{area} {first:%Y-%m} to {last:%Y-%m}")
    return covered, sorted(replaced)


def _insert_rows(
    connection: duckdb.DuckDBPyConnection, rows: list[tuple[int, CountRow]], *, file_id: int
) -> None:
    connection.executemany(
        "INSERT INTO intelligence_count (area_code, month, topic, ward_code, submissions,"
        " line_number, file_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [
                row.area_code,
                month_start(row.month),
                row.topic,
                row.ward_code or None,
                row.submissions,
                line,
                file_id,
            ]
            for line, row in rows
        ],
    )


def _mark_superseded(
    connection: duckdb.DuckDBPyConnection, replaced: list[int], *, file_id: int
) -> None:
    for earlier in replaced:
        row = connection.execute(
            "SELECT count(*) FROM intelligence_count_month WHERE file_id = ?", [earlier]
        ).fetchone()
        if row is not None and int(row[0]) == 0:
            connection.execute(
                "UPDATE load_file SET superseded_by = ? WHERE file_id = ?", [file_id, earlier]
            )


def load_intelligence_counts(
    warehouse: Warehouse,
    *,
    path: Path,
    config: IntelligenceConfig | None = None,
    limits: InputLimits | None = None,
) -> FileLoadReport:
    """Load one ``intelligence-counts`` export (see the module).

    Parameters
    ----------
    warehouse
        The open warehouse.
    path
        The export CSV (``area_code,month,topic,ward_code,submissions``).
    config
        The vocabulary rows are checked against (default: the configuration in force,
        ``SAFECITY_INTELLIGENCE_CONFIG`` or the shipped file).
    limits
        Input limits (default ``config/input_limits.yaml``): the line limit.

    Returns
    -------
    FileLoadReport
        ``loaded``, ``replaced`` (rows of months an earlier export covered were replaced),
        ``unchanged`` (the same bytes are already loaded) or ``rejected`` (wrong header, or no
        row could be loaded; the message says why and names the first quarantined rows by line
        and column; nothing changed but the quarantine and load log).

    Raises
    ------
    IntelligenceCountsLoadError
        If ``path`` is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise IntelligenceCountsLoadError(f"{path}: no such file")
    config = config or intelligence_config()
    limits = limits or input_limits()
    sha256 = file_sha256(path)
    known_wards = _known_wards(warehouse.connection)
    try:
        read = _read(path, config=config, limits=limits, known_wards=known_wards)
    except _HeaderError as error:
        report = FileLoadReport(
            path=str(path),
            format=INTELLIGENCE_COUNTS_FORMAT,
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
        same = _current_same_bytes(connection, sha256=sha256)
        if same is not None:
            report = FileLoadReport(
                path=str(path),
                format=INTELLIGENCE_COUNTS_FORMAT,
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
                format=INTELLIGENCE_COUNTS_FORMAT,
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
        covered, replaced = _replace_months(connection, read.rows, file_id=file_id)
        _insert_rows(connection, read.rows, file_id=file_id)
        total = sum(row.submissions for _line, row in read.rows)
        notes = [
            f"months covered: {'; '.join(covered)}",
            f"{total:,} submissions in {len(read.rows):,} rows",
        ]
        if replaced:
            notes.insert(
                0,
                "replaced the rows of those months from load(s) "
                + ", ".join(str(file) for file in replaced),
            )
        if not known_wards:
            notes.append(WARDS_NOT_CHECKED)
        if problems:
            notes.append(problems)
        report = FileLoadReport(
            path=str(path),
            format=INTELLIGENCE_COUNTS_FORMAT,
            status=LoadStatus.REPLACED if replaced else LoadStatus.LOADED,
            rows_in=len(read.rows) + quarantined,
            loaded=len(read.rows),
            quarantined=quarantined,
            reasons=reasons,
            message="; ".join(notes),
            sha256=sha256,
            dataset_key="intelligence_counts/"
            + ",".join(sorted({row.area_code for _line, row in read.rows})),
            file_id=file_id,
        )
        record_file(connection, report)
        _mark_superseded(connection, replaced, file_id=file_id)
    return report


def load_intelligence_counts_file(*, warehouse_path: Path, path: Path) -> dict[str, Any]:
    """Open the warehouse at ``warehouse_path``, load the export at ``path``, close it.

    Returns
    -------
    dict
        The load report as plain data (:meth:`FileLoadReport.as_dict`).
    """
    with Warehouse(warehouse_path) as warehouse:
        report = load_intelligence_counts(warehouse, path=path)
    plain: dict[str, Any] = json.loads(json.dumps(report.as_dict(), default=str))
    return plain


__all__ = [
    "INTELLIGENCE_COUNTS_FORMAT",
    "IntelligenceCountsLoadError",
    "load_intelligence_counts",
    "load_intelligence_counts_file",
    "month_start",
]
