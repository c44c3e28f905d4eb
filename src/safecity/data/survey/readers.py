"""Reading survey files as councils' survey tools export them: SPSS, CSV, spreadsheets.

:func:`read_survey_file` reads only the columns a codebook names (every other column, such as
free text, names, e-mail or street addresses, is never kept in memory beyond the parse) and
returns them with what the format says about them: an SPSS file's value labels and user-missing
codes, and each row's line number (the header is line 1; an SPSS case *n* is line *n* + 1, as
if exported with a header row; a spreadsheet row is its own row number).

* SPSS ``.sav``/``.zsav`` through pyreadstat with ``user_missing=True``, so that user-missing
  answers (8 refusal, 9 don't know ...) come through as their codes, to be kept as answers that
  are not valid rather than vanish as system-missing.
* CSV (plain or gzip; UTF-8 with or without BOM, UTF-16, or Windows-1252, as the reference
  loaders read them: :mod:`safecity.data.reference.text_input`), comma, semicolon or tab
  separated. A row with the wrong number of fields, invalid UTF-8 bytes or a line over the
  line limit is rejected by line number, without its text.
* Spreadsheets (``.xlsx``, ``.xls``, ``.ods``) through the calamine reader of
  :mod:`safecity.data.reference.spreadsheet`; the first sheet with data, its first non-empty
  row the header.

Every format is judged by its content, not its file name's extension, and the input limits
(``config/input_limits.yaml``) apply: a file over ``max_member_bytes`` is refused.

Column names are matched exactly, else without regard to case (the CSEW documentation writes
``WALKDARK`` for the stored ``walkdark``); two file columns differing only in case are refused
as ambiguous.

References
----------
IBM (2021), *SPSS Statistics file format* (user-missing values). pyreadstat:
https://github.com/Roche/pyreadstat.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyreadstat

from safecity.data.input_files import InputLimits, input_limits
from safecity.data.quality import QuarantineReason
from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.spreadsheet import (
    SpreadsheetFormat,
    read_spreadsheet,
    spreadsheet_format,
)
from safecity.data.reference.text_input import read_bytes, to_utf8

SPSS_MAGIC = (b"$FL2", b"$FL3")
"""The first four bytes of an SPSS system file (``$FL3``: a zlib-compressed ``.zsav``)."""
_DELIMITERS = (",", ";", "\t")
_SNIFF_BYTES = 8192

Value = float | str
"""A cell as read: a number (SPSS numeric) or text; empty cells are ``None``."""


class SurveyFileFormat(StrEnum):
    """The survey file formats read."""

    SAV = "sav"
    CSV = "csv"
    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"


class SurveyFileError(ValueError):
    """A file that cannot be read as a survey file; the message says why in a sentence."""


@dataclass(frozen=True, slots=True)
class SurveyColumn:
    """One column as read: its values (``None`` when empty) and what the file says about it.

    Attributes
    ----------
    name
        The column's name as in the file.
    values
        One value per row read.
    value_labels
        SPSS value labels (code -> label); empty for CSV and spreadsheets.
    missing_ranges
        SPSS user-missing codes as ``(low, high)`` ranges (a single code has low == high).
    """

    name: str
    values: list[Value | None]
    value_labels: dict[Value, str] = field(default_factory=dict)
    missing_ranges: tuple[tuple[Value, Value], ...] = ()

    def is_user_missing(self, value: Value) -> bool:
        """Whether ``value`` is one of the file's user-missing codes for this column."""
        for low, high in self.missing_ranges:
            if isinstance(value, float) and isinstance(low, float) and isinstance(high, float):
                if low <= value <= high:
                    return True
            elif value in (low, high):
                return True
        return False


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that could not be read (kept by line number and reason, never by its text)."""

    line_number: int
    reason: QuarantineReason
    detail: str


@dataclass(slots=True)
class SurveyTable:
    """The codebook's columns of a survey file.

    ``columns`` is keyed by the codebook's column name (whatever the case in the file);
    ``line_numbers`` has one entry per row read; ``rejected`` lists rows that could not be read.
    """

    format: SurveyFileFormat
    columns: dict[str, SurveyColumn]
    line_numbers: list[int]
    rejected: list[RejectedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped_columns: int = 0
    """How many of the file's columns the codebook does not name (never read into the table)."""

    @property
    def rows(self) -> int:
        """Rows read (not counting rejected ones)."""
        return len(self.line_numbers)


def survey_file_format(path: Path) -> SurveyFileFormat:
    """The format of ``path`` from its content.

    Raises
    ------
    SurveyFileError
        If it is none of SPSS, a spreadsheet or text.
    """
    with path.open("rb") as stream:
        head = stream.read(_SNIFF_BYTES)
    if head[:4] in SPSS_MAGIC:
        return SurveyFileFormat.SAV
    workbook = spreadsheet_format(path)
    if workbook is not None:
        return SurveyFileFormat(workbook.value)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (head and b"\x00" not in head):
        return SurveyFileFormat.CSV
    if head.startswith(b"\x1f\x8b"):
        return SurveyFileFormat.CSV
    raise SurveyFileError(
        f"{path}: not a survey file this loader reads (SPSS .sav, CSV, .xlsx, .xls or .ods):"
        " its content is binary and none of these formats"
    )


def read_survey_file(
    path: Path, *, columns: Sequence[str], limits: InputLimits | None = None
) -> SurveyTable:
    """Read the codebook's ``columns`` of the survey file at ``path``.

    Raises
    ------
    SurveyFileError
        If the file is not a format read, is corrupt, is over an input limit, or lacks a column
        the codebook names (the message lists them).
    """
    limits = limits or input_limits()
    size = path.stat().st_size
    if size > limits.max_member_bytes:
        raise SurveyFileError(
            f"{path}: the file is {size:,} bytes, over the limit of {limits.max_member_bytes:,}"
            " for one file (config/input_limits.yaml)"
        )
    file_format = survey_file_format(path)
    if file_format is SurveyFileFormat.SAV:
        return _read_sav(path, columns)
    if file_format is SurveyFileFormat.CSV:
        return _read_csv(path, columns, limits)
    return _read_workbook(path, columns, SpreadsheetFormat(file_format.value))


def match_columns(header: Sequence[str], wanted: Sequence[str], *, path: Path) -> dict[str, str]:
    """Codebook column -> file column: exactly, else without regard to case.

    Raises
    ------
    SurveyFileError
        If a wanted column is absent, or matches two file columns that differ only in case.
    """
    by_fold: dict[str, list[str]] = {}
    for name in header:
        by_fold.setdefault(name.casefold(), []).append(name)
    matched: dict[str, str] = {}
    absent: list[str] = []
    for name in wanted:
        if header.count(name) > 1:
            raise SurveyFileError(
                f"{path}: the file has {header.count(name)} columns named {name!r}; the codebook"
                " cannot tell which one it means"
            )
        if name in header:
            matched[name] = name
            continue
        candidates = by_fold.get(name.casefold(), [])
        if len(candidates) == 1:
            matched[name] = candidates[0]
        elif candidates:
            raise SurveyFileError(
                f"{path}: the codebook's column {name!r} matches {candidates} when case is"
                " ignored; name it exactly as in the file"
            )
        else:
            absent.append(name)
    if absent:
        shown = ", ".join(header[:40]) + (" ..." if len(header) > 40 else "")
        raise SurveyFileError(
            f"{path}: the codebook names columns the file does not have: {', '.join(absent)}"
            f" (the file's columns: {shown}). Nothing was loaded."
        )
    return matched


def _case_note(matched: dict[str, str]) -> list[str]:
    differing = [f"{ours} -> {theirs}" for ours, theirs in matched.items() if ours != theirs]
    if not differing:
        return []
    return ["columns matched without regard to case: " + ", ".join(differing)]


def _read_sav(path: Path, columns: Sequence[str]) -> SurveyTable:
    try:
        _, header_meta = pyreadstat.read_sav(str(path), metadataonly=True)
        matched = match_columns(list(header_meta.column_names), columns, path=path)
        frame, meta = pyreadstat.read_sav(
            str(path), usecols=list(dict.fromkeys(matched.values())), user_missing=True
        )
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as error:
        raise SurveyFileError(f"{path}: not a readable SPSS file ({error})") from error
    table_columns: dict[str, SurveyColumn] = {}
    for ours, theirs in matched.items():
        labels = {
            _value(code): str(label)
            for code, label in (meta.variable_value_labels.get(theirs) or {}).items()
            if _value(code) is not None
        }
        ranges = tuple(
            bounds
            for item in (meta.missing_ranges.get(theirs) or [])
            if (bounds := _missing_range(item)) is not None
        )
        table_columns[ours] = SurveyColumn(
            name=theirs,
            values=[_value(item) for item in frame[theirs].tolist()],
            value_labels={key: label for key, label in labels.items() if key is not None},
            missing_ranges=ranges,
        )
    rows = len(frame)
    return SurveyTable(
        format=SurveyFileFormat.SAV,
        columns=table_columns,
        line_numbers=list(range(2, rows + 2)),
        notes=[f"SPSS file, {rows:,} cases (case n is line n + 1)", *_case_note(matched)],
        dropped_columns=len(header_meta.column_names) - len(set(matched.values())),
    )


def _missing_range(item: object) -> tuple[Value, Value] | None:
    """One pyreadstat missing range (``{'lo': 8.0, 'hi': 8.0}``, or a single value)."""
    if isinstance(item, dict):
        low, high = _value(item.get("lo")), _value(item.get("hi"))
    else:
        low = high = _value(item)
    if low is None or high is None:
        return None
    return low, high


def _value(item: Any) -> Value | None:
    """A cell as :data:`Value`: numbers as float, text stripped, empty and NaN as ``None``."""
    if item is None:
        return None
    if isinstance(item, bool):
        return 1.0 if item else 0.0
    if isinstance(item, int | float):
        number = float(item)
        return None if math.isnan(number) else number
    text = str(item).strip()
    return text or None


def _read_csv(path: Path, columns: Sequence[str], limits: InputLimits) -> SurveyTable:
    try:
        raw, notes = read_bytes(path, limits=limits)
    except UnrecognisedFileError as error:
        raise SurveyFileError(f"{path}: {error}") from error
    data, encoding_notes = to_utf8(raw)
    notes.extend(encoding_notes)
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise SurveyFileError(f"{path}: not a CSV file: it holds binary data")
    physical = data.split(b"\n")
    header_index = next((index for index, line in enumerate(physical) if line.strip()), None)
    if header_index is None:
        raise SurveyFileError(f"{path}: the file is empty: it has no header row")
    header_line = physical[header_index].rstrip(b"\r")
    if len(header_line) > limits.max_line_bytes:
        raise SurveyFileError(
            f"{path}: its header line is {len(header_line):,} bytes, over the limit of"
            f" {limits.max_line_bytes:,} for one line"
        )
    header_text = header_line.decode("utf-8", errors="replace")
    delimiter = max(_DELIMITERS, key=header_text.count)
    if delimiter != ",":
        notes.append(f"fields separated by {'tab' if delimiter == chr(9) else delimiter!r}")
    header = [name.strip() for name in next(csv.reader([header_text], delimiter=delimiter))]
    matched = match_columns(header, columns, path=path)
    positions = {ours: header.index(theirs) for ours, theirs in matched.items()}
    values: dict[str, list[Value | None]] = {ours: [] for ours in matched}
    line_numbers: list[int] = []
    rejected: list[RejectedRow] = []
    bad_lines: dict[int, tuple[QuarantineReason, str]] = {}
    first_line = header_index + 2

    def lines() -> Iterator[str]:
        for index in range(header_index + 1, len(physical)):
            line = physical[index]
            if line.endswith(b"\r"):
                line = line[:-1]
            number = index + 1
            if len(line) > limits.max_line_bytes:
                bad_lines[number] = (
                    QuarantineReason.LINE_TOO_LONG,
                    f"line {number} is {len(line):,} bytes, over the limit of"
                    f" {limits.max_line_bytes:,}; its text was not read",
                )
                line = b""
            try:
                yield line.decode("utf-8") + "\n"
            except UnicodeDecodeError:
                bad_lines[number] = (
                    QuarantineReason.ENCODING_ERROR,
                    f"line {number} has bytes that are not UTF-8",
                )
                yield line.decode("utf-8", errors="replace") + "\n"

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    read_before = 0
    width = len(header)
    while True:
        try:
            fields = next(reader)
            problem = None
        except StopIteration:
            break
        except csv.Error:
            fields = []
            problem = (QuarantineReason.MALFORMED_CSV_ROW, "cannot be read as CSV (a stray quote)")
        start = first_line + read_before
        end = first_line + reader.line_num - 1
        read_before = reader.line_num
        if bad_lines:
            problem = next(
                (bad_lines[number] for number in range(start, end + 1) if number in bad_lines),
                problem,
            )
        if problem is None and not any(field.strip() for field in fields):
            continue
        if problem is None and len(fields) != width:
            problem = (
                QuarantineReason.WRONG_FIELD_COUNT,
                f"has {len(fields)} fields; the header has {width}",
            )
        if problem is not None:
            reason, detail = problem
            if not detail.startswith("line "):
                detail = f"line {start} {detail}"
            rejected.append(RejectedRow(line_number=start, reason=reason, detail=detail))
            continue
        line_numbers.append(start)
        for ours, position in positions.items():
            values[ours].append(fields[position].strip() or None)
    return SurveyTable(
        format=SurveyFileFormat.CSV,
        columns={
            ours: SurveyColumn(name=matched[ours], values=column) for ours, column in values.items()
        },
        line_numbers=line_numbers,
        rejected=rejected,
        notes=notes + _case_note(matched),
        dropped_columns=len(header) - len(set(matched.values())),
    )


def _read_workbook(
    path: Path, columns: Sequence[str], workbook_format: SpreadsheetFormat
) -> SurveyTable:
    try:
        source = read_spreadsheet(path, workbook_format=workbook_format)
    except UnrecognisedFileError as error:
        raise SurveyFileError(f"{path}: {error}") from error
    for sheet in source.sheets:
        header_index = next(
            (index for index, row in enumerate(sheet.rows) if any(cell.strip() for cell in row)),
            None,
        )
        if header_index is None:
            continue
        header = [cell.strip() for cell in sheet.rows[header_index]]
        while header and not header[-1]:
            header.pop()
        matched = match_columns(header, columns, path=path)
        positions = {ours: header.index(theirs) for ours, theirs in matched.items()}
        values: dict[str, list[Value | None]] = {ours: [] for ours in matched}
        line_numbers: list[int] = []
        for index in range(header_index + 1, len(sheet.rows)):
            row = sheet.rows[index]
            if not any(cell.strip() for cell in row):
                continue
            line_numbers.append(index + 1)
            for ours, position in positions.items():
                values[ours].append(_value(row[position]) if position < len(row) else None)
        return SurveyTable(
            format=SurveyFileFormat(workbook_format.value),
            columns={
                ours: SurveyColumn(name=matched[ours], values=column)
                for ours, column in values.items()
            },
            line_numbers=line_numbers,
            notes=[f"sheet {sheet.name!r} (row n is line n)", *source.notes, *_case_note(matched)],
            dropped_columns=len(header) - len(set(matched.values())),
        )
    raise SurveyFileError(f"{path}: the workbook has no sheet with data")
