"""Shared pieces of the alerts tests (issue 14): a published assessment whose monthly series
and changes are computed with the core's own statistics, and a small action plan.

``publish_monitored_area`` publishes the small area of ``web_reporting`` (CSP ``E22900099``,
wards Westfield ``E05900001`` and Eastbank ``E05900002``) with:

- a public ``monthly_series`` of 24 months (April 2023 to March 2025) for three crime groups,
  its mean, process limits, special cause and variation computed by the core's XmR chart
  (:func:`safecity.stats.xmr_limits`, as ``safecity assess`` does): residential burglary's last
  month is planted far above its upper limit; vehicle crime had a spike far above its limit
  long ago (older than the recent months alerts look at); all crime is ordinary throughout;
- indicator values whose change on last year is tested with the core's exact rate-ratio test
  (:func:`safecity.stats.rate_ratio_test`): residential burglary in Westfield rose
  significantly; all crime in Smallton did not change significantly.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone
from web_reporting import CSP_CODE, EAST_WARD, WEST_WARD, publish_small_area

from safecity.stats import ImprovementDirection, rate_ratio_test, xmr_limits
from safecity.stats.labels import SpecialCause
from safecity_web.accounts.models import User
from safecity_web.observatory.models import (
    Area,
    AreaLevel,
    Indicator,
    IndicatorValue,
    PublishedAssessment,
    PublishedRow,
    PublishedTable,
)
from safecity_web.strategy.models import (
    Action,
    ActionResponsibility,
    FocusArea,
    Priority,
    ProgressStatus,
    ProgressUpdate,
    RagRating,
    Strategy,
)

AREA_NAMES = {CSP_CODE: "Smallton", WEST_WARD: "Westfield", EAST_WARD: "Eastbank"}
GROUP_NAMES = {
    "all_crime": "All crime",
    "residential_burglary": "Residential burglary",
    "vehicle_crime": "Vehicle crime",
}
FIRST_MONTH = datetime.date(2023, 4, 1)
MONTHS = 24
# Ordinary months: what a stable monthly count looks like (no point near its limits).
ORDINARY = [112, 118, 109, 121, 115, 110, 119, 113, 117, 111, 122, 114,
            116, 120, 108, 118, 112, 119, 115, 111, 117, 113, 120, 116]  # fmt: skip
PLANTED_COUNT = 260
"""Residential burglary's last month (March 2025): far above its upper process limit."""
OLD_SPIKE_POSITION = 4
"""Vehicle crime's spike (August 2023): outside its limits, long before the recent months."""
SERIES = {
    "all_crime": [count * 10 for count in ORDINARY],
    "residential_burglary": [*ORDINARY[:-1], PLANTED_COUNT],
    "vehicle_crime": [
        260 if position == OLD_SPIKE_POSITION else count for position, count in enumerate(ORDINARY)
    ],
}
POPULATION = {CSP_CODE: 60_000.0, WEST_WARD: 30_000.0, EAST_WARD: 30_000.0}
# (group, area): (count this year, count last year): the change is tested by the core.
CHANGES = {
    ("residential_burglary", WEST_WARD): (240.0, 150.0),
    ("all_crime", CSP_CODE): (13_900.0, 13_800.0),
}


def _month(position: int) -> datetime.date:
    year, month = divmod(FIRST_MONTH.month - 1 + position, 12)
    return datetime.date(FIRST_MONTH.year + year, month + 1, 1)


def series_rows(group_id: str) -> list[dict[str, Any]]:
    """The ``monthly_series`` rows of ``group_id`` in the CSP, limits from the core's XmR."""
    counts = SERIES[group_id]
    chart = xmr_limits(values=counts, improvement_direction=ImprovementDirection.DECREASE)
    return [
        {
            "group_id": group_id,
            "area_code": CSP_CODE,
            "month": _month(position).isoformat(),
            "count": count,
            "has_data": True,
            "mean": float(point["mean"]),
            "lower_process_limit": float(point["lower_process_limit"]),
            "upper_process_limit": float(point["upper_process_limit"]),
            "special_cause": str(point["special_cause"]),
            "variation": str(point["variation"]),
        }
        for position, (count, (_, point)) in enumerate(zip(counts, chart.iterrows(), strict=True))
    ]


def outside_limits(group_id: str) -> list[str]:
    """The months of ``group_id`` the core's XmR chart flags as outside the process limits."""
    return [
        row["month"][:7]
        for row in series_rows(group_id)
        if row["special_cause"] == str(SpecialCause.OUTSIDE_LIMITS)
    ]


def _areas() -> dict[str, Area]:
    csp, _ = Area.objects.get_or_create(
        gss_code=CSP_CODE, vintage="2024", defaults={"level": AreaLevel.CSP, "name": "Smallton"}
    )
    areas = {CSP_CODE: csp}
    for code in (WEST_WARD, EAST_WARD):
        areas[code], _ = Area.objects.get_or_create(
            gss_code=code,
            vintage="2021",
            defaults={"level": AreaLevel.WARD, "name": AREA_NAMES[code], "parent": csp},
        )
    return areas


def _indicator_value(
    assessment: PublishedAssessment, indicator: Indicator, area: Area, counts: tuple[float, float]
) -> IndicatorValue:
    count, baseline = counts
    population = POPULATION[area.gss_code]
    test = rate_ratio_test(
        count=[count],
        population=[population],
        comparator_count=[baseline],
        comparator_population=[population],
    ).iloc[0]
    return IndicatorValue.objects.create(
        assessment=assessment,
        indicator=indicator,
        area=area,
        row_id=f"{indicator.indicator_id}|{area.gss_code}|2024/25",
        indicator_name=indicator.name,
        area_code=area.gss_code,
        area_name=area.name,
        area_level=area.level,
        period="2024/25",
        numerator=count,
        denominator=population,
        multiplier=1000,
        value=count / population * 1000,
        baseline_period="2023/24",
        baseline_numerator=baseline,
        baseline_denominator=population,
        change_numerator=count,
        change_baseline_numerator=baseline,
        change_pct=float(test["percentage_change"]),
        change_ratio=float(test["value"]),
        change_p_value=float(test["p_value"]),
        change_significant=bool(test["significant"]),
        change_test="rate_ratio_test",
    )


def publish_monitored_area() -> PublishedAssessment:
    """Publish the small area with its monthly series and changes (see the module docstring)."""
    assessment = publish_small_area()
    areas = _areas()
    indicators = {
        group_id: Indicator.objects.get_or_create(indicator_id=group_id, defaults={"name": name})[0]
        for group_id, name in GROUP_NAMES.items()
    }
    for (group_id, code), counts in CHANGES.items():
        _indicator_value(assessment, indicators[group_id], areas[code], counts)
    for group_id in ("residential_burglary", "vehicle_crime"):
        _indicator_value(assessment, indicators[group_id], areas[CSP_CODE], (700.0, 690.0))
    rows = list(itertools.chain.from_iterable(series_rows(group) for group in SERIES))
    table = PublishedTable.objects.create(
        assessment=assessment, name="monthly_series", columns=list(rows[0]), row_count=len(rows)
    )
    PublishedRow.objects.bulk_create(
        PublishedRow(
            table=table,
            position=position,
            group_key=row["group_id"],
            area_code=row["area_code"],
            values=row,
        )
        for position, row in enumerate(rows)
    )
    return assessment


def action_plan(*, responsible: Any, imported_at: datetime.datetime) -> dict[str, Action]:
    """A strategy imported at ``imported_at`` with four actions, each the responsibility of
    ``responsible`` (an organisation): ``quarterly``, ``current``, ``complete`` and
    ``never_updated``. Tests give them progress updates and due dates (:func:`progress`).
    """
    strategy = Strategy.objects.create(
        name="Safer Smallton 2025-2028",
        partnership="Smallton Community Safety Partnership",
        period_start_year=2025,
        period_end_year=2028,
        source_file_name="smallton.yaml",
        source_sha256="a" * 64,
    )
    Strategy.objects.filter(pk=strategy.pk).update(imported_at=imported_at)
    priority = Priority.objects.create(strategy=strategy, code="P1", title="Violence", position=1)
    focus = FocusArea.objects.create(priority=priority, code="F1", title="Night time", position=1)
    actions = {}
    for position, name in enumerate(("quarterly", "current", "complete", "never_updated"), 1):
        actions[name] = Action.objects.create(
            focus_area=focus, code=f"A{position}", text=f"Action {name}", position=position
        )
        ActionResponsibility.objects.create(
            action=actions[name], organisation=responsible, body_name="The council", position=1
        )
    return actions


def progress(
    action: Action, *, on: datetime.date, author: User, status: ProgressStatus
) -> ProgressUpdate:
    """A progress update of ``action`` dated ``on``."""
    return ProgressUpdate.objects.create(
        action=action,
        status=status,
        rag=RagRating.GREEN,
        percent_complete=100 if status == ProgressStatus.COMPLETE else 50,
        narrative="Patrols in place.",
        update_date=on,
        author=author,
    )


def now_at(text: str) -> datetime.datetime:
    """An aware moment from ISO text read in Europe/London."""
    return timezone.make_aware(datetime.datetime.fromisoformat(text))
