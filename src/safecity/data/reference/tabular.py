"""Publishers' tables that are not CSV (spreadsheets, ArcGIS JSON, GeoJSON), read as rows.

A spreadsheet or JSON file is read into :class:`SourceRows` (its rows of text cells, each with
its own row number), the header is found in the file's own layout by asking the kind's plan
maker which row it recognises (:func:`find_header`), and the rows under the header are written
into the same line-numbered body a CSV is normalised into
(:class:`~safecity.data.reference.text_input.NormalisedCsv`). So spreadsheet and JSON rows go
through the same staging, checks, quarantine and replacement as CSV rows, and the load report's
line numbers are the spreadsheet's row numbers (or the JSON feature numbers).

Publishers' spreadsheets have title rows above the table, notes sheets and a contents sheet
beside it, and footnotes under it. The header is the first row, on the first sheet in workbook
order, that the kind's plan maker recognises (within :data:`HEADER_SEARCH_ROWS` rows of the
top); the table ends at the last row with at least two filled cells, and single-cell rows after
it (``Source: ...``, ``Note 1 ...``) are footnotes, named in the report rather than loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from safecity.data.input_files import input_limits
from safecity.data.reference.errors import OptionRequiredError, UnrecognisedFileError
from safecity.data.reference.text_input import NormalisedCsv, read_bytes, to_utf8

HEADER_SEARCH_ROWS = 40
"""How far down a sheet the header row is looked for (publishers' title blocks are shorter)."""

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


def cell_text(value: Cell) -> str:
    """A spreadsheet or JSON cell as the text a CSV would hold.

    Whole numbers lose their ``.0`` (``1234.0`` -> ``1234``); other numbers keep every digit
    (the shortest text that reads back to the same double); dates are ISO 8601.

    >>> cell_text(159541.0), cell_text(12.837377313621449), cell_text(None), cell_text(" a ")
    ('159541', '12.837377313621449', '', ' a ')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table-like part of a file: a spreadsheet's sheet, or the features of a JSON file."""

    name: str
    rows: list[list[str]]
    """Cells as text, row by row; ``rows[0]`` is row :attr:`first_row_number`."""
    first_row_number: int = 1
    fixed_header: bool = False
    """True when the first row is the header by construction (JSON field names)."""
    split_titles: bool = False
    """True when a title line may have been split into cells at its commas (a CSV): a row above
    the header that is not one is then read as a title, its cells joined again."""


@dataclass(slots=True)
class SourceRows:
    """The sheets of a file, in the file's order, and notes on how it was read."""

    description: str
    """What the file is (e.g. ``xlsx workbook``), for the load report."""
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)
    row_word: str = "row"
    """What a row number counts (``row`` of a sheet, ``feature`` of a JSON file)."""


@dataclass(frozen=True, slots=True)
class FoundHeader:
    """Where the header of the table was found, and the text above it (title rows)."""

    sheet: Sheet
    row_index: int
    header: list[str]
    title_rows: tuple[str, ...]
    footnotes: tuple[str, ...]


PlanT = TypeVar("PlanT")


def _filled(row: Sequence[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def _text_cells(row: Sequence[str]) -> int:
    """Filled cells that are not numbers (a header row has many, a data row few)."""
    count = 0
    for cell in row:
        text = cell.strip().replace(",", "")
        if not text:
            continue
        try:
            float(text)
        except ValueError:
            count += 1
    return count


def _header_text(row: list[str]) -> list[str]:
    width = len(row)
    while width and not row[width - 1].strip():
        width -= 1
    return [" ".join(cell.split()) for cell in row[:width]]


def _table_end(sheet: Sheet, header_index: int) -> int:
    """Index one past the last row of the table (the last row with two or more filled cells)."""
    end = len(sheet.rows)
    while end > header_index + 1 and _filled(sheet.rows[end - 1]) < 2:
        end -= 1
    return end


def find_header(
    source: SourceRows,
    *,
    path: Path,
    recognise: Callable[[list[str], tuple[str, ...]], PlanT],
    expected: str,
    sheet_name: str | None = None,
) -> tuple[FoundHeader, PlanT]:
    """The header row of the table of ``source`` and the plan ``recognise`` made from it.

    Parameters
    ----------
    source
        The file's sheets.
    path
        The file (named in errors).
    recognise
        The kind's plan maker, given a candidate header and the title rows above it; raises
        :class:`UnrecognisedFileError` when the row is not a header of the kind, or
        :class:`OptionRequiredError` when it is but an option is missing (raised at once).
    expected
        The columns the kind expects, for the error message.
    sheet_name
        Look only in this sheet (``--sheet``).

    Raises
    ------
    UnrecognisedFileError
        Naming the file, the sheets searched, the columns expected and the closest row found.
    """
    sheets = source.sheets
    if sheet_name is not None:
        sheets = [sheet for sheet in sheets if sheet.name == sheet_name]
        if not sheets:
            names = ", ".join(repr(sheet.name) for sheet in source.sheets)
            raise UnrecognisedFileError(f"{path.name} has no sheet {sheet_name!r} (it has {names})")
    closest: tuple[int, Sheet, int, str] | None = None
    """(text cells, sheet, row index, why not recognised) of the most header-like row."""
    for sheet in sheets:
        search = 1 if sheet.fixed_header else HEADER_SEARCH_ROWS
        titles: list[str] = []
        for index, row in enumerate(sheet.rows[:search]):
            filled = _filled(row)
            if filled == 0:
                continue
            if filled == 1 and not sheet.fixed_header:
                titles.extend(cell.strip() for cell in row if cell.strip())
                continue
            header = _header_text(row)
            try:
                plan = recognise(header, tuple(titles))
            except OptionRequiredError as error:
                raise OptionRequiredError(
                    f"{path.name}, sheet {sheet.name!r}, header on {source.row_word} "
                    f"{sheet.first_row_number + index}: {error}"
                ) from error
            except UnrecognisedFileError as error:
                if sheet.split_titles:
                    titles.append(", ".join(cell.strip() for cell in row if cell.strip()))
                texts = _text_cells(row)
                if closest is None or texts > closest[0]:
                    closest = (texts, sheet, index, str(error))
                continue
            end = _table_end(sheet, index)
            footnotes = tuple(
                " ".join(cell.strip() for cell in row if cell.strip())
                for row in sheet.rows[end:]
                if _filled(row)
            )
            found = FoundHeader(
                sheet=sheet,
                row_index=index,
                header=header,
                title_rows=tuple(titles),
                footnotes=footnotes,
            )
            return found, plan
    searched = ", ".join(repr(sheet.name) for sheet in sheets) or "(none)"
    where = (
        f"the first {HEADER_SEARCH_ROWS} rows of sheet(s) {searched}"
        if source.row_word == "row"
        else searched
    )
    if closest is None:
        raise UnrecognisedFileError(
            f"{path.name} ({source.description}): no header of the expected columns {expected} "
            f"in {where}"
        )
    _, sheet, index, reason = closest
    raise UnrecognisedFileError(
        f"{path.name} ({source.description}): no recognised header in {where}; closest: "
        f"sheet {sheet.name!r} {source.row_word} {sheet.first_row_number + index}: {reason}"
    )


def write_body(source: SourceRows, found: FoundHeader, *, work_folder: Path) -> NormalisedCsv:
    """The rows under ``found``'s header as a line-numbered CSV body (see ``text_input``).

    Blank rows are dropped (as blank CSV lines are); trailing empty cells beyond the header's
    width are dropped, and a row with filled cells beyond it keeps them (and is quarantined for
    its field count). A row longer than the line limit is kept by number only (quarantined).
    """
    limits = input_limits()
    sheet = found.sheet
    width = len(found.header)
    end = _table_end(sheet, found.row_index)
    body_path = work_folder / "body.csv"
    record_lines: list[int] = []
    oversized: list[int] = []
    with body_path.open("w", encoding="utf-8", newline="") as body:
        for index in range(found.row_index + 1, end):
            row = sheet.rows[index]
            if not _filled(row):
                continue
            cells = list(row)
            while len(cells) > width and not cells[-1].strip():
                cells.pop()
            cells += [""] * (width - len(cells))
            number = sheet.first_row_number + index
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow([number, *cells])
            text = buffer.getvalue()
            if len(text.encode("utf-8")) > limits.max_line_bytes:
                oversized.append(number)
                text = f"{number}\n"
            body.write(text)
            record_lines.append(number)
    notes = list(source.notes)
    if source.row_word == "row":
        where = f"sheet {sheet.name!r}, header on row {sheet.first_row_number + found.row_index}"
        notes.insert(0, f"{source.description}: {where}")
    else:
        notes.insert(0, source.description)
    if found.footnotes:
        shown = found.footnotes[0][:80]
        notes.append(
            f"{len(found.footnotes)} footnote row(s) under the table not loaded (first: {shown!r})"
        )
    if oversized:
        notes.append(
            f"{len(oversized)} row(s) over the limit of {limits.max_line_bytes:,} bytes"
            f" quarantined by row number (first: {oversized[0]})"
        )
    return NormalisedCsv(
        header=found.header, body_path=body_path, record_lines=record_lines, notes=notes
    )


def read_csv_table(path: Path) -> SourceRows:
    """A CSV with title lines above its header, as one sheet of records (numbered from 1).

    Within the input limits (as any CSV); a record spanning several lines (a quoted line
    break) counts as one row, so row numbers count records.
    """
    raw, notes = read_bytes(path)
    data, encoding_notes = to_utf8(raw)
    notes.extend(encoding_notes)
    text = data.decode("utf-8", errors="replace")
    try:
        rows = [list(record) for record in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise UnrecognisedFileError(f"not a readable CSV: {error}") from error
    notes.append("title lines above the header")
    return SourceRows(
        description="CSV",
        sheets=[Sheet(name=path.name, rows=rows, split_titles=True)],
        notes=notes,
    )
