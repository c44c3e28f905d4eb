"""De-identified counts of partner intelligence: the warehouse export and the partnership's table.

Every submission counts — new, in progress, actioned and deleted alike (deletion removes the
content but keeps the topic, the month and the place codes), so past counts never change when
content is deleted under the retention rules.

- :func:`export_rows` / :func:`export_text`: the ``intelligence-counts`` CSV for the warehouse
  (``area_code,month,topic,ward_code,submissions``; month of ``submitted_at`` in
  Europe/London), read by ``safecity load intelligence-counts``. Counts only: no content,
  subject, place words, point or person.
- :func:`counts_table`: submissions by ward and topic in a period, for every partner role
  (board members included), with the wards named from the published boundaries and every count
  under ``counts.minimum_count`` withheld, with secondary suppression so that no withheld count
  can be worked out from the totals (the core's disclosure control through the gateway).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from safecity_web import core_gateway
from safecity_web.intelligence.models import IntelligenceSubmission
from safecity_web.reporting.submission import current_boundaries

LONDON = ZoneInfo("Europe/London")
DEFAULT_MONTHS = 12
"""The default period: the last twelve full months."""
MAXIMUM_MONTHS = 60
NO_WARD = "no-ward"
OUTSIDE = "outside"
NO_WARD_NAME = "Placed in no ward"
OUTSIDE_NAME = "Outside the partnership's area"
WITHHELD = "withheld"


class CountsPeriodError(ValueError):
    """A period that cannot be shown; the message says which field and why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


def month_of(moment: datetime.datetime) -> str:
    """``YYYY-MM`` of ``moment`` in Europe/London (the month a submission counts in)."""
    return moment.astimezone(LONDON).strftime("%Y-%m")


def export_rows() -> list[dict[str, Any]]:
    """One row per area, month, topic and ward with the number of submissions (all statuses)."""
    counted = Counter(
        (area_code, month_of(submitted_at), topic, ward_code)
        for submitted_at, area_code, topic, ward_code in IntelligenceSubmission.objects.values_list(
            "submitted_at", "area_code", "topic", "ward_code"
        ).iterator()
    )
    return [
        {
            "area_code": area_code,
            "month": month,
            "topic": topic,
            "ward_code": ward_code,
            "submissions": submissions,
        }
        for (area_code, month, topic, ward_code), submissions in sorted(counted.items())
    ]


def export_text() -> tuple[str, int]:
    """The ``intelligence-counts`` CSV and its number of data rows."""
    rows = export_rows()
    return core_gateway.intelligence_counts_csv(rows=rows), len(rows)


def _month_start(text: str) -> datetime.date:
    year, month = text.split("-")
    return datetime.date(int(year), int(month), 1)


def _add_months(day: datetime.date, count: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def default_period(*, today: datetime.date) -> tuple[str, str]:
    """The last twelve full months before ``today``'s month (``YYYY-MM``, both inclusive)."""
    this_month = today.replace(day=1)
    return (
        f"{_add_months(this_month, -DEFAULT_MONTHS):%Y-%m}",
        f"{_add_months(this_month, -1):%Y-%m}",
    )


def parse_period(*, first: str, last: str) -> tuple[str, str]:
    """Check a period chosen on the page (``YYYY-MM`` both); raises :class:`CountsPeriodError`."""
    months = []
    for name, given, words in (("first", first, "first month"), ("last", last, "last month")):
        text = given.strip()
        try:
            if len(text) != 7 or text[4] != "-":
                raise ValueError(text)
            day = _month_start(text)
        except ValueError as error:
            raise CountsPeriodError(
                name, f"Enter the {words} as a year and month, like 2024-04"
            ) from error
        if not 2000 <= day.year <= 2100:
            raise CountsPeriodError(name, f"Enter a {words} between 2000 and 2100")
        months.append(day)
    if months[1] < months[0]:
        raise CountsPeriodError("last", "The last month must be the same as or after the first")
    span = (months[1].year - months[0].year) * 12 + months[1].month - months[0].month + 1
    if span > MAXIMUM_MONTHS:
        raise CountsPeriodError("last", f"Choose a period of at most {MAXIMUM_MONTHS} months")
    return f"{months[0]:%Y-%m}", f"{months[1]:%Y-%m}"


@dataclass(frozen=True, slots=True)
class Cell:
    """A count as the page shows it (``text``) and whether it is withheld."""

    text: str
    withheld: bool = False


@dataclass(slots=True)
class CountsTable:
    """Submissions by ward (rows) and topic (columns) in a period, withheld counts marked."""

    first_month: str
    last_month: str
    minimum_count: int
    topics: list[dict[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    column_totals: list[Cell] = field(default_factory=list)
    grand_total: Cell = field(default_factory=lambda: Cell(text="0"))
    withheld: int = 0
    has_boundaries: bool = False


def _ward_names() -> tuple[dict[str, str], bool]:
    current = current_boundaries()
    if current is None:
        return {}, False
    key, boundaries = current
    places = core_gateway.named_places(boundaries_key=key, boundaries=boundaries)
    return {
        str(place["area_code"]): str(place["name"])
        for place in places
        if place["area_level"] == "ward"
    }, True


def _in_period(first: str, last: str) -> Counter[tuple[str, str]]:
    start = datetime.datetime.combine(_month_start(first), datetime.time(), tzinfo=LONDON)
    end = datetime.datetime.combine(
        _add_months(_month_start(last), 1), datetime.time(), tzinfo=LONDON
    )
    counted: Counter[tuple[str, str]] = Counter()
    for area_code, ward_code, topic in IntelligenceSubmission.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end
    ).values_list("area_code", "ward_code", "topic"):
        row = OUTSIDE if not area_code else (ward_code or NO_WARD)
        counted[(row, topic)] += 1
    return counted


def _shown(value: int, withheld: bool) -> Cell:
    return Cell(text=WITHHELD, withheld=True) if withheld else Cell(text=f"{value:,}")


def counts_table(*, first_month: str, last_month: str) -> CountsTable:
    """Submissions by ward and topic from ``first_month`` to ``last_month`` (see the module).

    Rows: every ward of the published boundaries (by name), then wards no longer in them that
    have submissions (by code), "placed in no ward" and "outside the partnership's area" when
    they have any. Columns: every topic of the configuration. Withheld counts (and totals) read
    "withheld"; zeros are shown.
    """
    config = core_gateway.intelligence_config()
    threshold = int(config.minimum_count)
    names, has_boundaries = _ward_names()
    counted = _in_period(first_month, last_month)
    topics = [topic.id for topic in config.topics]
    for _row, topic in counted:
        if topic not in topics:
            topics.append(topic)
    labels = {topic.id: topic.label for topic in config.topics}
    extra = sorted({row for row, _topic in counted} - set(names) - {NO_WARD, OUTSIDE})
    row_keys = sorted(names, key=lambda code: (names[code], code)) + extra
    row_keys += [key for key in (NO_WARD, OUTSIDE) if any(row == key for row, _ in counted)]
    row_names = {**names, NO_WARD: NO_WARD_NAME, OUTSIDE: OUTSIDE_NAME}
    hidden = core_gateway.suppress_count_grid(
        counts=dict(counted), rows=row_keys, columns=topics, threshold=threshold
    )
    table = CountsTable(
        first_month=first_month,
        last_month=last_month,
        minimum_count=threshold,
        topics=[{"id": topic, "label": labels.get(topic, topic)} for topic in topics],
        has_boundaries=has_boundaries,
    )
    for row in row_keys:
        total = sum(counted.get((row, topic), 0) for topic in topics)
        table.rows.append(
            {
                "key": row,
                "name": row_names.get(row, row),
                "cells": [
                    _shown(counted.get((row, topic), 0), (row, topic) in hidden["cells"])
                    for topic in topics
                ],
                "total": _shown(total, row in hidden["row_totals"]),
            }
        )
    table.column_totals = [
        _shown(
            sum(counted.get((row, topic), 0) for row in row_keys),
            topic in hidden["column_totals"],
        )
        for topic in topics
    ]
    table.grand_total = _shown(sum(counted.values()), bool(hidden["grand_total"]))
    table.withheld = (
        len(hidden["cells"])
        + len(hidden["row_totals"])
        + len(hidden["column_totals"])
        + int(bool(hidden["grand_total"]))
    )
    return table


__all__ = [
    "WITHHELD",
    "CountsPeriodError",
    "CountsTable",
    "counts_table",
    "default_period",
    "export_rows",
    "export_text",
    "month_of",
    "parse_period",
]
