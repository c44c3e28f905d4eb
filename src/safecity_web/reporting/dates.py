"""A date typed as day, month and year (the GOV.UK date input), with errors per box.

GOV.UK's date-input pattern says which of day, month and year is missing or wrong and marks
only those boxes; :func:`parse_date_parts` gives that message and the boxes to mark.
Reference: GOV.UK Design System, "Date input" (error messages),
https://design-system.service.gov.uk/components/date-input/
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

PARTS = ("day", "month", "year")


@dataclass(frozen=True, slots=True)
class DateProblem:
    """What is wrong with a typed date, and which boxes (day, month, year) to mark."""

    message: str
    parts: tuple[str, ...]


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else " and ".join([", ".join(words[:-1]), words[-1]])


def parse_date_parts(*, day: str, month: str, year: str, what: str) -> datetime.date | DateProblem:
    """The date typed in three boxes, or the problem with it.

    Parameters
    ----------
    day, month, year
        The boxes' text as typed.
    what
        How the message names the date, e.g. "the date it happened".

    Returns
    -------
    datetime.date or DateProblem
    """
    typed = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    missing = [part for part in PARTS if not typed[part]]
    if len(missing) == len(PARTS):
        return DateProblem(f"Enter {what}", PARTS)
    if missing:
        return DateProblem(
            f"{what[0].upper()}{what[1:]} must include a {_joined(missing)}", tuple(missing)
        )
    not_numbers = [part for part in PARTS if not typed[part].isdecimal()]
    if not_numbers:
        return DateProblem(
            f"{what[0].upper()}{what[1:]} must be a real date: use numbers for the "
            f"{_joined(not_numbers)}",
            tuple(not_numbers),
        )
    if len(typed["year"]) != 4:
        return DateProblem(
            f"{what[0].upper()}{what[1:]}: the year must have 4 numbers, for example 2025",
            ("year",),
        )
    number = {part: int(typed[part]) for part in PARTS}
    if not 1 <= number["month"] <= 12:
        return DateProblem(f"{what[0].upper()}{what[1:]} must be a real date", ("month",))
    try:
        return datetime.date(number["year"], number["month"], number["day"])
    except ValueError:
        return DateProblem(f"{what[0].upper()}{what[1:]} must be a real date", ("day",))
