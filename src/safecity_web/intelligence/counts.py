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
  can be worked out from the totals (the core's disclosure control through the gateway). The
  page shows complete financial years only (:func:`parse_year`): periods that overlap, or a
  period still growing, could be subtracted from each other to reveal a small count.
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
FINANCIAL_YEAR_START_MONTH = 4
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


def _financial_year_of(day: datetime.date) -> int:
    """The first calendar year of the financial year (April to March) holding ``day``."""
    return day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1


def year_label(start_year: int) -> str:
    """``2024/25`` for the financial year starting in April 2024."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def year_months(start_year: int) -> tuple[str, str]:
    """The first and last month (``YYYY-MM``) of the financial year starting in ``start_year``."""
    return f"{start_year}-04", f"{start_year + 1}-03"


def last_complete_year(*, today: datetime.date) -> int:
    """The latest financial year wholly before ``today``'s month (its first calendar year)."""
    return _financial_year_of(today) - 1


def available_years(*, today: datetime.date) -> list[int]:
    """The complete financial years the page offers, newest first.

    From the year of the first submission (Europe/London) to the last complete year; just the
    last complete year when there is no submission yet.
    """
    last = last_complete_year(today=today)
    first_moment = (
        IntelligenceSubmission.objects.order_by("submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    first = (
        last
        if first_moment is None
        else min(last, _financial_year_of(first_moment.astimezone(LONDON).date()))
    )
    return list(range(last, first - 1, -1))


def parse_year(*, text: str, today: datetime.date) -> int:
    """The financial year chosen on the page (``2024/25``); raises :class:`CountsPeriodError`.

    Only complete financial years can be shown: the periods never overlap and a complete
    year's counts never change (submissions count in the month they were made, deleted ones
    too), so no count can be worked out by subtracting one table from another.
    """
    cleaned = text.strip()
    parts = cleaned.split("/")
    if (
        len(parts) != 2
        or len(parts[0]) != 4
        or len(parts[1]) != 2
        or not parts[0].isdecimal()
        or not parts[1].isdecimal()
        or (int(parts[0]) + 1) % 100 != int(parts[1])
    ):
        raise CountsPeriodError("year", "Choose a financial year, like 2024/25")
    start = int(parts[0])
    last = last_complete_year(today=today)
    if start > last:
        raise CountsPeriodError(
            "year",
            f"{year_label(start)} is not complete yet: its counts are shown after it ends "
            f"(the latest complete year is {year_label(last)})",
        )
    if start < 2000:
        raise CountsPeriodError("year", "Choose a financial year from 2000/01")
    return start


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
    "available_years",
    "counts_table",
    "export_rows",
    "export_text",
    "last_complete_year",
    "month_of",
    "parse_year",
    "year_label",
    "year_months",
]
