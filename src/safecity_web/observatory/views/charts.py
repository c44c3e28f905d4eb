"""Charts of the observatory's pages, built once per assessment and cached.

Charts the report draws come from its Vega-Lite spec builders (through the core gateway);
maps come from ``observatory.chart_specs``. Every chart is shown with its data table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import json_script
from django.utils.safestring import SafeString

from safecity_web import core_gateway
from safecity_web.observatory import chart_specs, presentation, queries
from safecity_web.observatory.models import AreaLevel, Indicator, PublishedAssessment
from safecity_web.observatory.records import chart_cell, value_record


@dataclass(slots=True)
class PageChart:
    """A chart as a template shows it: spec, text alternative and data table."""

    chart_id: str
    title: str
    alt_text: str
    spec: dict[str, Any]
    headings: list[str]
    rows: list[list[Any]]
    note: str | None = None
    table_caption: str = ""
    notes: list[str] = field(default_factory=list)
    spec_script: SafeString = field(default_factory=lambda: SafeString(""))

    def __post_init__(self) -> None:
        # Serialised once when built (and cached with the chart), not on every request.
        # The spec dict itself is dropped: only its script is kept (cached charts stay light).
        self.spec_script = json_script(self.spec, f"spec-{self.chart_id}")
        self.spec = {}

    @property
    def spec_id(self) -> str:
        """The id of the ``<script type="application/json">`` holding the spec."""
        return f"spec-{self.chart_id}"


def from_gateway(
    chart: core_gateway.Chart,
    *,
    columns: list[str] | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
    order: Callable[[dict[str, Any]], Any] | None = None,
    limit: int | None = None,
    caption: str | None = None,
) -> PageChart:
    """A gateway chart as a page chart (its data table as formatted text).

    ``keep``, ``order`` and ``limit`` shorten a table of thousands of map cells to the rows
    a reader needs (say so in ``caption``).
    """
    if columns is None:
        shown, headings = chart.shown, chart.headings
    else:
        shown = [column for column in columns if column in chart.columns]
        headings = core_gateway.column_headings(shown)
    rows = [row for row in chart.rows if keep is None or keep(row)]
    if order is not None:
        rows.sort(key=order)
    if limit is not None:
        rows = rows[:limit]
    return PageChart(
        chart_id=chart.chart_id,
        title=chart.title,
        alt_text=chart.alt_text,
        spec=chart.spec,
        headings=headings,
        rows=[[chart_cell(column, row.get(column)) for column in shown] for row in rows],
        note=chart.note,
        table_caption=caption or f"Data for the chart: {chart.title}",
    )


def change_chart(assessment: PublishedAssessment) -> PageChart | str:
    """Change against the baseline by indicator for the assessed area (or why there is none)."""

    def build() -> PageChart | str:
        rows = [value_record(row) for row in queries.area_rows(assessment)]
        try:
            chart = core_gateway.change_by_group_chart(
                indicators=rows,
                area_name=assessment.area_name,
                period=assessment.period,
                baseline=assessment.baseline,
            )
        except core_gateway.ChartUnavailableError as error:
            return f"No change chart: {error}"
        return from_gateway(chart)

    return queries.cached(assessment, "change-chart", build)


def ward_chart(
    assessment: PublishedAssessment, indicator: Indicator, *, area_value: float | None
) -> PageChart | str:
    """Ward rates with intervals against the area's rate (or why there is none)."""

    def build() -> PageChart | str:
        wards = queries.indicator_rows(assessment, indicator, level=AreaLevel.WARD)
        if not wards:
            return "No ward chart: the assessment has no ward values for this indicator."
        if area_value is None:
            return "No ward chart: the area's own value is suppressed or not available."
        try:
            chart = core_gateway.ward_rates_chart(
                wards=[value_record(row) for row in wards],
                area_value=area_value,
                area_name=assessment.area_name,
                indicator_name=indicator.name,
                period=assessment.period,
                indicator_id=indicator.indicator_id,
                denominator_label=indicator.denominator_type or "residents",
            )
        except core_gateway.ChartUnavailableError as error:
            return f"No ward chart: {error}"
        return from_gateway(chart)

    return queries.cached(assessment, f"ward-chart:{indicator.indicator_id}", build)


def trend_chart(assessment: PublishedAssessment, indicator: Indicator) -> PageChart | str:
    """Monthly counts with XmR limits from the public ``monthly_series`` (or why not)."""

    def build() -> PageChart | str:
        table = queries.table_rows(assessment, "monthly_series", group_key=indicator.indicator_id)
        if table is None:
            return (
                "No monthly trend: this assessment did not publish a public monthly series, so "
                "the change between the two periods below is the trend shown."
            )
        rows = [row for row in table.rows if row.get("area_code") in (None, assessment.area_code)]
        if not rows:
            return "No monthly trend: the monthly series has no months for this indicator."
        try:
            chart = core_gateway.monthly_trend_chart(
                series=rows,
                indicator_id=indicator.indicator_id,
                indicator_name=indicator.name,
                area_name=assessment.area_name,
            )
        except core_gateway.ChartUnavailableError as error:
            return f"No monthly trend: {error}"
        return from_gateway(chart)

    return queries.cached(assessment, f"trend-chart:{indicator.indicator_id}", build)


def choropleth(
    assessment: PublishedAssessment, indicator: Indicator, *, level: AreaLevel
) -> PageChart | str:
    """A map of the indicator by ward (against the area) or LSOA (quintiles), or why none.

    The report's map builders draw it; without an LSOA quintile table the LSOA map falls back
    to the observatory's own rate choropleth (``chart_specs``).
    """

    def build() -> PageChart | str:
        boundaries = queries.boundaries(assessment)
        level_name = "ward" if level is AreaLevel.WARD else "neighbourhood (LSOA)"
        if boundaries is None:
            return (
                f"No {level_name} map: this assessment was published without boundaries "
                "(the artefact has no boundaries.geojson). The table has every value."
            )
        rows = queries.indicator_rows(assessment, indicator, level=level)
        if not rows:
            return f"No {level_name} map: the assessment has no {level_name} values."
        per = f"per {indicator.multiplier:,} {indicator.denominator_type or 'residents'}"
        try:
            if level is AreaLevel.WARD:
                chart = core_gateway.ward_comparison_map(
                    wards=[value_record(row) for row in rows],
                    boundaries=boundaries,
                    indicator_id=indicator.indicator_id,
                    indicator_name=indicator.name,
                    area_name=assessment.area_name,
                    period=assessment.period,
                    per=per,
                )
                return from_gateway(
                    chart, columns=["area_code", "area_name", "value", "comparison"]
                )
            quintiles = queries.table_rows(
                assessment, "lsoa_quintiles", group_key=indicator.indicator_id
            )
            if quintiles is not None and quintiles.rows:
                chart = core_gateway.lsoa_quintile_map(
                    quintiles=quintiles.rows,
                    boundaries=boundaries,
                    indicator_id=indicator.indicator_id,
                    indicator_name=indicator.name,
                    area_name=assessment.area_name,
                    period=assessment.period,
                )
                return from_gateway(chart)
        except core_gateway.ChartUnavailableError as error:
            return f"No {level_name} map: {error}"
        return rate_choropleth(assessment, indicator, rows=rows, level=level, per=per)

    return queries.cached(assessment, f"map:{level.value}:{indicator.indicator_id}", build)


def rate_choropleth(
    assessment: PublishedAssessment,
    indicator: Indicator,
    *,
    rows: list[Any],
    level: AreaLevel,
    per: str,
) -> PageChart | str:
    """The observatory's own map of rates (when the report's quintile table is not published)."""
    level_name = "ward" if level is AreaLevel.WARD else "neighbourhood (LSOA)"
    features = chart_specs.features_of(queries.boundaries(assessment), level=level.value)
    if not features:
        return f"No {level_name} map: the boundaries have no {level_name} outlines."
    values = {
        row.area_code: {
            "value": row.value,
            "shown": presentation.format_rate(row.value, suppressed=row.suppressed),
            "label": presentation.benchmark_label(row).text,
        }
        for row in rows
    }
    shown = [row for row in rows if row.value is not None]
    highest = max(shown, key=lambda row: row.value or 0.0, default=None)
    lowest = min(shown, key=lambda row: row.value or 0.0, default=None)
    description = f"Map of {indicator.name.lower()} {per} by {level_name}, {assessment.period}."
    if highest is not None and lowest is not None:
        description += (
            f" Highest: {highest.area_name} ({presentation.format_rate(highest.value)});"
            f" lowest: {lowest.area_name} ({presentation.format_rate(lowest.value)})."
        )
    suppressed = sum(1 for row in rows if row.suppressed and row.value is None)
    if suppressed:
        description += f" {suppressed} areas are suppressed (shown grey)."
    title = f"{indicator.name} {per} by {level_name}, {assessment.period}"
    return PageChart(
        chart_id=f"map-{level.value}-{indicator.indicator_id}",
        title=title,
        alt_text=description,
        spec=chart_specs.choropleth_spec(
            features=features,
            values=values,
            title=title,
            description=description,
            value_title=f"Rate {per}",
        ),
        headings=[
            "Area",
            "GSS code",
            "Rate",
            f"{assessment.confidence * 100:g}% confidence interval",
            "Compared with",
        ],
        rows=[
            [
                row.area_name,
                row.area_code,
                presentation.format_rate(row.value, suppressed=row.suppressed),
                presentation.format_interval(row.lower_ci, row.upper_ci, suppressed=row.suppressed),
                presentation.benchmark_label(row).text,
            ]
            for row in rows
        ],
        table_caption=f"Data for the map: {title}",
    )


DEPRIVATION_GROUPING = "national decile"


def deprivation_chart(assessment: PublishedAssessment, indicator: Indicator) -> PageChart | str:
    """Rates by national IMD decile with the most/least deprived gap (or why there is none)."""

    def build() -> PageChart | str:
        rates = queries.table_rows(
            assessment, "deprivation_rates", group_key=indicator.indicator_id
        )
        rows = [
            row
            for row in (rates.rows if rates else [])
            if row.get("grouping") == DEPRIVATION_GROUPING
        ]
        if not rows:
            return (
                "No deprivation gradient: this assessment published no rates by deprivation "
                "decile for this indicator."
            )
        gaps = queries.table_rows(assessment, "deprivation_gaps", group_key=indicator.indicator_id)
        gap = next(
            (
                row
                for row in (gaps.rows if gaps else [])
                if row.get("grouping") == DEPRIVATION_GROUPING
            ),
            None,
        )
        try:
            chart = core_gateway.deprivation_gradient_chart(
                rates=rows,
                gap=gap,
                indicator_id=indicator.indicator_id,
                indicator_name=indicator.name,
                area_name=assessment.area_name,
                period=assessment.period,
                grouping=DEPRIVATION_GROUPING,
            )
        except core_gateway.ChartUnavailableError as error:
            return f"No deprivation gradient: {error}"
        return from_gateway(chart)

    return queries.cached(assessment, f"deprivation-chart:{indicator.indicator_id}", build)
