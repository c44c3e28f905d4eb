"""Checking one row of the ``intelligence-counts`` export against the vocabulary.

:func:`check_row` turns the fields of a data row into a :class:`CountRow`, or says what is wrong
with it: the quarantine reason, the column and the problem in words, so that the load report
names file, line and column. Topics are those of ``config/intelligence.yaml``
(:mod:`safecity.config.intelligence`); ward codes are checked against the loaded area lookups by
the loader (:func:`unknown_ward`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from safecity.config.intelligence import IntelligenceConfig
from safecity.data.intelligence_counts.export_format import EXPORT_COLUMNS, CountRow
from safecity.data.quality import QuarantineReason

AREA_CODE_PATTERN = re.compile(r"[EW][0-9]{8}")
WARD_CODE_PATTERN = re.compile(r"[EW]05[0-9]{6}")
MONTH_PATTERN = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
COUNT_PATTERN = re.compile(r"-?[0-9]+")
FIRST_YEAR = 2000
LAST_YEAR = 2100
OUTSIDE_THE_AREA = (
    "outside the area: the submissions were placed outside every partnership area of the"
    " site's published boundaries (empty area_code)"
)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row cannot be loaded: the reason, the column at fault and what is wrong."""

    reason: QuarantineReason
    column: str
    detail: str

    def words(self) -> str:
        """``column <name>: <detail>``."""
        return f"column {self.column}: {self.detail}"


def _check_month(text: str) -> RowProblem | None:
    match = MONTH_PATTERN.fullmatch(text)
    if (
        match is None
        or not 1 <= int(match["month"]) <= 12
        or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR
    ):
        return RowProblem(
            QuarantineReason.UNPARSEABLE_MONTH,
            "month",
            f"{text!r} is not a month written YYYY-MM (e.g. 2024-04)" if text else "empty",
        )
    return None


def _check_count(text: str) -> RowProblem | int:
    if not COUNT_PATTERN.fullmatch(text):
        return RowProblem(
            QuarantineReason.UNPARSEABLE_NUMBER,
            "submissions",
            f"{text!r} is not a whole number" if text else "empty",
        )
    count = int(text)
    if count < 1:
        return RowProblem(
            QuarantineReason.OUT_OF_RANGE,
            "submissions",
            f"{count} submissions: a row counts at least one submission",
        )
    return count


def check_row(fields: list[str], *, config: IntelligenceConfig) -> CountRow | RowProblem:
    """The row as a :class:`CountRow`, or the first problem found in it (column order).

    Parameters
    ----------
    fields
        The row's fields as read (the header's order, :data:`EXPORT_COLUMNS`).
    config
        The partner-intelligence vocabulary (its topics).

    Examples
    --------
    >>> from safecity.config.intelligence import intelligence_config
    >>> check_row(["E22900099", "2024-01", "gossip", "", "3"], config=intelligence_config()
    ...           ).words()  # doctest: +ELLIPSIS
    "column topic: 'gossip' is not an intelligence topic (known: exploitation, ...)"
    """
    if len(fields) != len(EXPORT_COLUMNS):
        return RowProblem(
            QuarantineReason.WRONG_FIELD_COUNT,
            "*",
            f"{len(fields)} fields where the header has {len(EXPORT_COLUMNS)}",
        )
    values = {column: field.strip() for column, field in zip(EXPORT_COLUMNS, fields, strict=True)}
    area = values["area_code"]
    if not area:
        return RowProblem(QuarantineReason.OUTSIDE_THE_AREA, "area_code", OUTSIDE_THE_AREA)
    if not AREA_CODE_PATTERN.fullmatch(area):
        return RowProblem(
            QuarantineReason.MALFORMED_AREA_CODE,
            "area_code",
            f"{area!r} is not a GSS code (e.g. E22000081)",
        )
    month = _check_month(values["month"])
    if month is not None:
        return month
    topic = values["topic"]
    known = [item.id for item in config.topics]
    if topic not in known:
        return RowProblem(
            QuarantineReason.UNKNOWN_CATEGORY,
            "topic",
            f"{topic!r} is not an intelligence topic (known: {', '.join(known)})"
            if topic
            else f"empty (known topics: {', '.join(known)})",
        )
    ward = values["ward_code"]
    if ward and not WARD_CODE_PATTERN.fullmatch(ward):
        return RowProblem(
            QuarantineReason.MALFORMED_AREA_CODE,
            "ward_code",
            f"{ward!r} is not a ward GSS code (E05 or W05 and six digits)",
        )
    count = _check_count(values["submissions"])
    if isinstance(count, RowProblem):
        return count
    return CountRow(
        area_code=area, month=values["month"], topic=topic, ward_code=ward, submissions=count
    )


def unknown_ward(row: CountRow, *, known_wards: Collection[str]) -> RowProblem | None:
    """A problem when ``row`` names a ward that no loaded area lookup knows.

    ``known_wards`` empty means no lookup is loaded: wards are then not checked (the loader's
    report says so) and the family counts a ward outside the assessed area apart.
    """
    if not row.ward_code or not known_wards or row.ward_code in known_wards:
        return None
    return RowProblem(
        QuarantineReason.UNKNOWN_AREA_CODE,
        "ward_code",
        f"{row.ward_code!r} is a ward no loaded area lookup knows (load the lookup of its"
        " vintage: safecity load reference)",
    )


__all__ = ["OUTSIDE_THE_AREA", "RowProblem", "check_row", "unknown_ward"]
