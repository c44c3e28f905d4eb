"""Calendar months as ``YYYY-MM`` text, the form police.uk uses in file names and rows."""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    """Split ``"YYYY-MM"`` into ``(year, month)``.

    Raises
    ------
    ValueError
        When ``text`` is not a month in that form.
    """
    match = MONTH_PATTERN.match(text)
    if match is None:
        raise ValueError(f"month {text!r} must be written YYYY-MM (e.g. 2022-04)")
    return int(match.group(1)), int(match.group(2))


def add_months(text: str, *, count: int) -> str:
    """The month ``count`` months after ``text`` (before it when ``count`` is negative)."""
    year, month = parse_month(text)
    index = year * 12 + (month - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_sequence(*, first_month: str, count: int) -> tuple[str, ...]:
    """``count`` consecutive months starting at ``first_month``."""
    if count < 1:
        raise ValueError(f"the number of months must be at least 1, not {count}")
    parse_month(first_month)
    return tuple(add_months(first_month, count=offset) for offset in range(count))


def first_day(text: str) -> date:
    """The first day of the month."""
    year, month = parse_month(text)
    return date(year, month, 1)


def days_in_month(text: str) -> int:
    """How many days the month has."""
    year, month = parse_month(text)
    return calendar.monthrange(year, month)[1]
