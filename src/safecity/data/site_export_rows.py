"""The rows of the web site's de-identified count exports: checks and writing both kinds share.

The site exports counts only, one CSV per kind (community reports, partner-intelligence
counts: :mod:`safecity.data.community_reports.export_format`,
:mod:`safecity.data.intelligence_counts.export_format`). Each kind's row checks report a
:class:`RowProblem` (reason, column, words) and share the checks of the columns both kinds have
(:func:`row_values`, :func:`month_problem`, :func:`ward_problem`, :func:`count_problem`); both
write their CSV with :func:`export_csv_text`. Loading is :mod:`safecity.data.site_exports`.
This module needs only the standard library, so that the web site can write an export without
the warehouse.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from safecity.data.quality import QuarantineReason

AREA_CODE_PATTERN = re.compile(r"[EW][0-9]{8}")
WARD_CODE_PATTERN = re.compile(r"[EW]05[0-9]{6}")
MONTH_PATTERN = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
FIRST_YEAR = 2000
LAST_YEAR = 2100


class WrittenRow(Protocol):
    """A row the export writer can write: its key (the sort order) and its fields."""

    def key(self) -> tuple[str, ...]:
        """The combination the row counts (unique within a file)."""

    def as_fields(self) -> list[str]:
        """The row as the CSV's fields."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row cannot be loaded: the reason, the column at fault and what is wrong."""

    reason: QuarantineReason
    column: str
    detail: str

    def words(self) -> str:
        """``column <name>: <detail>``."""
        return f"column {self.column}: {self.detail}"


def month_start(month: str) -> date:
    """The first day of ``YYYY-MM``.

    >>> month_start("2024-03")
    datetime.date(2024, 3, 1)
    """
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def row_values(fields: list[str], columns: tuple[str, ...]) -> dict[str, str] | RowProblem:
    """The row's fields by column, stripped, or the problem when their number is wrong.

    Parameters
    ----------
    fields
        The row's fields as read.
    columns
        The export's header, in order.

    Examples
    --------
    >>> row_values([" a ", "b"], ("x", "y"))
    {'x': 'a', 'y': 'b'}
    >>> row_values(["a"], ("x", "y")).words()
    'column *: 1 fields where the header has 2'
    """
    if len(fields) != len(columns):
        return RowProblem(
            QuarantineReason.WRONG_FIELD_COUNT,
            "*",
            f"{len(fields)} fields where the header has {len(columns)}",
        )
    return {column: field.strip() for column, field in zip(columns, fields, strict=True)}


def month_problem(text: str, *, empty_said: bool) -> RowProblem | None:
    """The problem with a ``month`` field that is not a month ``YYYY-MM`` of 2000 to 2100.

    Parameters
    ----------
    text
        The field.
    empty_said
        Whether an empty field is said to be ``empty`` (else it is quoted like any other).

    Examples
    --------
    >>> month_problem("2024-04", empty_said=True) is None
    True
    >>> month_problem("", empty_said=True).detail
    'empty'
    """
    match = MONTH_PATTERN.fullmatch(text)
    if (
        match is None
        or not 1 <= int(match["month"]) <= 12
        or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR
    ):
        return RowProblem(
            QuarantineReason.UNPARSEABLE_MONTH,
            "month",
            f"{text!r} is not a month written YYYY-MM (e.g. 2024-04)"
            if text or not empty_said
            else "empty",
        )
    return None


def ward_problem(ward: str) -> RowProblem | None:
    """The problem with a non-empty ``ward_code`` field that is not a ward GSS code.

    >>> ward_problem("E05000001") is None
    True
    """
    if ward and not WARD_CODE_PATTERN.fullmatch(ward):
        return RowProblem(
            QuarantineReason.MALFORMED_AREA_CODE,
            "ward_code",
            f"{ward!r} is not a ward GSS code (E05 or W05 and six digits)",
        )
    return None


def count_problem(
    text: str, *, column: str, one: str, pattern: re.Pattern[str]
) -> RowProblem | int:
    """The count in ``column``, or the problem when it is not a whole number of at least one.

    Parameters
    ----------
    text
        The field.
    column
        The column (also what is counted, plural: ``reports``).
    one
        What is counted, singular (``report``).
    pattern
        The numbers the column is read as (a count under one is out of range).

    Examples
    --------
    >>> count_problem("0", column="reports", one="report", pattern=re.compile("[0-9]+")).detail
    '0 reports: a row counts at least one report'
    """
    if not pattern.fullmatch(text):
        return RowProblem(
            QuarantineReason.UNPARSEABLE_NUMBER,
            column,
            f"{text!r} is not a whole number" if text else "empty",
        )
    count = int(text)
    if count < 1:
        return RowProblem(
            QuarantineReason.OUT_OF_RANGE,
            column,
            f"{count} {column}: a row counts at least one {one}",
        )
    return count


def export_csv_text(columns: tuple[str, ...], rows: Iterable[WrittenRow]) -> str:
    """The CSV text of ``rows`` (header first, rows sorted by their key), ``\\n`` line ends.

    >>> class Row:
    ...     def key(self): return ("b",)
    ...     def as_fields(self): return ["b", "1"]
    >>> print(export_csv_text(("name", "count"), [Row()]), end="")
    name,count
    b,1
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in sorted(rows, key=lambda item: item.key()):
        writer.writerow(row.as_fields())
    return buffer.getvalue()


__all__ = [
    "AREA_CODE_PATTERN",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MONTH_PATTERN",
    "WARD_CODE_PATTERN",
    "RowProblem",
    "WrittenRow",
    "count_problem",
    "export_csv_text",
    "month_problem",
    "month_start",
    "row_values",
    "ward_problem",
]
