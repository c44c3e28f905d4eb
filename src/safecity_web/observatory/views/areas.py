"""Area pages: the CSP and each ward (and LSOA), every indicator spine-chart style."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import presentation, queries, visual
from safecity_web.observatory.models import (
    Area,
    AreaLevel,
    IndicatorValue,
    PublishedAssessment,
)
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment

GSS_CODE = re.compile(r"[EWSNK][0-9]{8}")
"""A GSS area code: a country letter and eight digits (ONS Code History Database)."""
SPINE_WIDTH = 200.0


@dataclass(frozen=True, slots=True)
class Spread:
    """The spread of an indicator's values over the areas of one level."""

    lowest: float
    lower_quartile: float
    upper_quartile: float
    highest: float
    areas: int


def _quantile(ordered: list[float], share: float) -> float:
    """Linear-interpolation quantile (Hyndman & Fan type 7, R's default)."""
    position = share * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def spreads(assessment: PublishedAssessment, *, level: AreaLevel) -> dict[str, Spread]:
    """Per indicator, the spread of the values of every area of ``level`` (cached)."""

    def build() -> dict[str, Spread]:
        by_indicator: dict[str, list[float]] = {}
        found = queries.values(assessment).filter(area_level=level, value__isnull=False)
        for indicator_id, value in found.values_list("indicator_id", "value"):
            by_indicator.setdefault(indicator_id, []).append(value)
        result = {}
        for indicator_id, numbers in by_indicator.items():
            ordered = sorted(numbers)
            result[indicator_id] = Spread(
                lowest=ordered[0],
                lower_quartile=_quantile(ordered, 0.25),
                upper_quartile=_quantile(ordered, 0.75),
                highest=ordered[-1],
                areas=len(ordered),
            )
        return result

    return queries.cached(assessment, f"spreads:{level.value}", build)


@dataclass(frozen=True, slots=True)
class SpineRow:
    """One indicator of an area, with the geometry of its spine chart (SVG units 0-200)."""

    row: IndicatorValue
    spread: Spread | None
    spread_text: str
    range_x: float
    range_width: float
    quartile_x: float
    quartile_width: float
    benchmark_x: float | None
    value_x: float | None
    description: str
    label: presentation.Label
    value_class: str
    """The marker's class: the label's colour from the palette (``observatory.visual``)."""


def _spine(row: IndicatorValue, spread: Spread | None, *, compared_with: str) -> SpineRow:
    points = [row.value, row.benchmark_value]
    if spread is not None:
        points += [spread.lowest, spread.highest]
    numbers = [point for point in points if point is not None]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    span = (high - low) or 1.0

    def x(value: float | None) -> float | None:
        return None if value is None else round((value - low) / span * SPINE_WIDTH, 2)

    value_text = presentation.format_rate(row.value, suppressed=row.suppressed)
    spread_text = (
        "not available"
        if spread is None
        else f"{presentation.format_rate(spread.lowest)} to "
        f"{presentation.format_rate(spread.highest)} "
        f"(middle half {presentation.format_rate(spread.lower_quartile)} to "
        f"{presentation.format_rate(spread.upper_quartile)})"
    )
    label = presentation.benchmark_label(row)
    description = f"{row.indicator_name}: {value_text}"
    if row.benchmark_value is not None:
        description += f"; benchmark {presentation.format_rate(row.benchmark_value)}"
    if spread is not None:
        description += f"; range over {spread.areas} {compared_with} {spread_text}"
    return SpineRow(
        row=row,
        spread=spread,
        spread_text=spread_text,
        range_x=x(spread.lowest) or 0.0 if spread else 0.0,
        range_width=((x(spread.highest) or 0.0) - (x(spread.lowest) or 0.0)) if spread else 0.0,
        quartile_x=x(spread.lower_quartile) or 0.0 if spread else 0.0,
        quartile_width=(
            (x(spread.upper_quartile) or 0.0) - (x(spread.lower_quartile) or 0.0) if spread else 0.0
        ),
        benchmark_x=x(row.benchmark_value),
        value_x=None if row.value is None else x(row.value),
        description=description,
        label=label,
        value_class=visual.spine_value_class(label.text),
    )


def area_detail(
    request: HttpRequest,
    gss_code: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """Every indicator of one area (CSP, ward or LSOA), spine-chart style, with a table."""
    if GSS_CODE.fullmatch(gss_code) is None:
        raise Http404("An area code is a letter and eight digits, for example E05002462")
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    rows = list(
        queries.values(assessment)
        .filter(area_code=gss_code)
        .select_related("area__parent")
        .order_by("indicator__display_order", "indicator__name")
    )
    if not rows:
        raise Http404(f"No area {gss_code!r} in this assessment")
    level = AreaLevel(rows[0].area_level)
    compare_level = AreaLevel.WARD if level in (AreaLevel.CSP, AreaLevel.WARD) else level
    compared_with = "wards" if compare_level is AreaLevel.WARD else "neighbourhoods"
    area = rows[0].area

    def child_areas() -> list[tuple[str, str]]:
        if level is AreaLevel.CSP:
            return list(
                queries.values(assessment)
                .filter(area_level=AreaLevel.WARD)
                .values_list("area_code", "area_name")
                .distinct()
                .order_by("area_name")
            )
        if level is AreaLevel.WARD:
            return list(
                Area.objects.filter(parent=area, level=AreaLevel.LSOA)
                .values_list("gss_code", "name")
                .order_by("name")
            )
        return []

    def spine_rows() -> list[SpineRow]:
        spread_by_indicator = spreads(assessment, level=compare_level)
        return [
            _spine(
                row,
                spread_by_indicator.get(row.indicator.indicator_id),
                compared_with=compared_with,
            )
            for row in rows
        ]

    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        area=area,
        area_name=rows[0].area_name,
        area_code=gss_code,
        level=level,
        level_label=level.label,
        compared_with=compared_with,
        spine_rows=lazy(spine_rows),
        children=lazy(child_areas),
        parent=area.parent if level is not AreaLevel.CSP else None,
        spine_width=SPINE_WIDTH,
    )
    return render(request, "observatory/area_detail.html", context)
