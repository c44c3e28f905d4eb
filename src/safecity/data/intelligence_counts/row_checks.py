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

from safecity.config.intelligence import IntelligenceConfig
from safecity.data.intelligence_counts.export_format import EXPORT_COLUMNS, CountRow
from safecity.data.quality import QuarantineReason
from safecity.data.site_export_rows import (
    AREA_CODE_PATTERN,
    RowProblem,
    count_problem,
    month_problem,
    row_values,
    ward_problem,
)

COUNT_PATTERN = re.compile(r"-?[0-9]+")
OUTSIDE_THE_AREA = (
    "outside the area: the submissions were placed outside every partnership area of the"
    " site's published boundaries (empty area_code)"
)


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
    values = row_values(fields, EXPORT_COLUMNS)
    if isinstance(values, RowProblem):
        return values
    area = values["area_code"]
    if not area:
        return RowProblem(QuarantineReason.OUTSIDE_THE_AREA, "area_code", OUTSIDE_THE_AREA)
    if not AREA_CODE_PATTERN.fullmatch(area):
        return RowProblem(
            QuarantineReason.MALFORMED_AREA_CODE,
            "area_code",
            f"{area!r} is not a GSS code (e.g. E22000081)",
        )
    month = month_problem(values["month"], empty_said=True)
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
    ward_wrong = ward_problem(ward)
    if ward_wrong is not None:
        return ward_wrong
    count = count_problem(
        values["submissions"], column="submissions", one="submission", pattern=COUNT_PATTERN
    )
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
