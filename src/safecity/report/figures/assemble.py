"""The report's figures from an Assessment artefact: the overview's and each theme's.

Every chart is built from the artefact's tables for the artefact's audience (public tables
are disclosure-controlled); a chart whose table or rows are absent is left out, and a plain
sentence says which and why (the manifest's ``skipped`` reason when it has one).

References
----------
docs/assessment.md (the artefact's tables); Vega-Lite v5 documentation,
https://vega.github.io/vega-lite/docs/.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from safecity.report.artefact_reader import AssessmentArtefact
from safecity.report.figures.change import change_by_group_chart
from safecity.report.figures.comparators import comparator_chart, comparator_codes
from safecity.report.figures.deprivation import deprivation_gradient_chart
from safecity.report.figures.figure import Figure, FigureDataError
from safecity.report.figures.grid_maps import hotspot_classes_map, hotspot_grid_map, kde_map
from safecity.report.figures.maps import hotspot_lsoa_map, lsoa_quintile_map
from safecity.report.figures.multiples import small_multiples
from safecity.report.figures.trend import monthly_trend_chart
from safecity.report.figures.ward_rates import ward_rates_chart
from safecity.report.reader_words import SNAP_POINT_NOTE, table_words

HEADLINE_GROUP = "all_crime"
"""The crime group of the overview's single-group charts, when the artefact has it."""
DEPRIVATION_GROUPING = "national decile"


@dataclass(frozen=True, slots=True)
class _Context:
    artefact: AssessmentArtefact
    area_code: str
    area_name: str
    area_level: str
    period: str
    baseline: str
    skipped: dict[str, str]
    boundaries: dict[str, Any] | None
    hotspots: dict[str, Any]

    @classmethod
    def of(cls, artefact: AssessmentArtefact) -> _Context:
        manifest = artefact.manifest
        parameters = manifest.get("parameters", {})
        return cls(
            artefact=artefact,
            area_code=artefact.area_code,
            area_name=str(manifest["area"].get("name", artefact.area_code)),
            area_level=str(manifest["area"].get("level", "csp")),
            period=str(parameters.get("period", "")),
            baseline=str(parameters.get("baseline", "")),
            skipped={str(key): str(value) for key, value in manifest.get("skipped", {}).items()},
            boundaries=artefact.boundaries(),
            hotspots=dict(manifest.get("families", {}).get("hotspots") or {}),
        )

    def no_boundaries(self) -> str:
        """Why maps are left out when the artefact has no boundaries."""
        return self.skipped.get("boundaries", "the assessment has no boundaries to draw maps with")

    def group_rows(self, table: str, group_id: str, *, column: str = "group_id") -> pd.DataFrame:
        """Rows of ``table`` for one group (empty when the table is absent)."""
        frame = self.artefact.table(table)
        if frame is None or column not in frame.columns:
            return pd.DataFrame()
        return frame[frame[column] == group_id]

    def grid_caveat(self, rows: pd.DataFrame) -> str | None:
        """The snap-point caveat (the report's words) for police.uk locations, else the rows'
        own caveat."""
        caveats = rows["caveat"].dropna().astype(str) if "caveat" in rows.columns else pd.Series()
        if "source" in rows.columns:
            police_uk = bool((rows["source"] == "police_uk").any())
        else:
            police_uk = bool(caveats.str.contains("data.police.uk", regex=False).any())
        if police_uk:
            return SNAP_POINT_NOTE
        return str(caveats.iloc[0]) if not caveats.empty else None

    def reason(self, *, tables: Sequence[str], skipped_keys: Sequence[str] = ()) -> str:
        """Why a chart is left out: the manifest's skip reason, else the missing table."""
        for key in skipped_keys:
            if key in self.skipped:
                return self.skipped[key]
        missing = [name for name in tables if not self.artefact.has_table(name)]
        if missing:
            return (
                " or ".join(table_words(name) for name in missing)
                + f" are not in the {self.artefact.audience.value} edition"
            )
        return "the assessment has no figures for it"

    def group_name(self, group_id: str) -> str:
        indicators = self.artefact.table("indicators")
        if indicators is not None:
            names = indicators.loc[indicators["indicator_id"] == group_id, "indicator_name"]
            if not names.empty:
                return str(names.iloc[0])
        groups = self.artefact.table("crime_groups")
        if groups is not None and {"group_id", "name"} <= set(groups.columns):
            names = groups.loc[groups["group_id"] == group_id, "name"]
            if not names.empty:
                return str(names.iloc[0])
        return group_id.replace("_", " ").capitalize()

    def area_rows(self, group_id: str | None = None) -> pd.DataFrame:
        """The ``indicators`` rows of the assessed area (one per group), or of one group."""
        indicators = self.artefact.table("indicators")
        if indicators is None:
            return pd.DataFrame()
        rows = indicators[indicators["area_code"] == self.area_code]
        if group_id is not None:
            rows = rows[rows["indicator_id"] == group_id]
        return rows


ChartResult = Figure | str
"""A figure, or the sentence saying why it is left out."""


def _left_out(chart: str, reason: str) -> str:
    reason = reason.rstrip(".")
    return f"No {chart}: {reason}."


def _change(context: _Context) -> ChartResult:
    chart = "chart of change by crime group"
    rows = context.area_rows()
    if rows.empty:
        return _left_out(chart, context.reason(tables=["indicators"]))
    has_change = "change_pct" in rows.columns and (
        rows["change_pct"].notna().any() or rows.get("suppressed", pd.Series(False)).any()
    )
    if not has_change:
        return _left_out(
            chart,
            context.reason(tables=["indicators"], skipped_keys=["change"])
            if "change" in context.skipped
            else f"no change against {context.baseline or 'a baseline'} was computed",
        )
    try:
        return change_by_group_chart(
            indicators=rows,
            area_name=context.area_name,
            period=context.period,
            baseline=context.baseline,
        )
    except FigureDataError as error:
        return _left_out(chart, str(error))


def _trend(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    chart = f"monthly trend of {name}"
    series = context.artefact.table("monthly_series")
    if series is None or series[series["group_id"] == group_id].empty:
        return _left_out(chart, context.reason(tables=["monthly_series"]))
    return monthly_trend_chart(
        series=series,
        group_id=group_id,
        group_name=name,
        area_name=context.area_name,
        crime_group=crime_group,
    )


def _wards(
    context: _Context,
    group_id: str,
    crime_group: str | None,
    *,
    ward_order: Sequence[str] | None = None,
    show_ward_names: bool = True,
) -> ChartResult:
    name = context.group_name(group_id)
    chart = f"ward chart of {name}"
    indicators = context.artefact.table("indicators")
    if indicators is None:
        return _left_out(chart, context.reason(tables=["indicators"]))
    rows = indicators[indicators["indicator_id"] == group_id]
    wards = rows[rows["area_level"] == "ward"]
    area = rows[rows["area_code"] == context.area_code]
    if wards.empty or area.empty:
        return _left_out(chart, "the assessment has no ward rates for this group")
    area_value = pd.to_numeric(area["value"], errors="coerce").iloc[0]
    if pd.isna(area_value):
        return _left_out(chart, f"the {context.area_name} rate is suppressed")
    denominator = str(area["denominator_type"].iloc[0]) if "denominator_type" in area else ""
    return ward_rates_chart(
        wards=wards,
        area_value=float(area_value),
        area_name=context.area_name,
        indicator_name=name,
        period=context.period,
        group_id=group_id,
        crime_group=crime_group,
        denominator_label=denominator
        if denominator in ("residents", "households")
        else "residents",
        ward_order=ward_order,
        show_ward_names=show_ward_names,
        compact=ward_order is not None,
    )


def _deprivation(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    chart = f"deprivation gradient of {name}"
    rates = context.artefact.table("deprivation_rates")
    if rates is None:
        return _left_out(
            chart, context.reason(tables=["deprivation_rates"], skipped_keys=["deprivation"])
        )
    rows = rates[(rates["group_id"] == group_id) & (rates["grouping"] == DEPRIVATION_GROUPING)]
    if rows.empty:
        return _left_out(
            chart, f"the assessment has no {DEPRIVATION_GROUPING} rates for this group"
        )
    gaps = context.artefact.table("deprivation_gaps")
    gap = None
    if gaps is not None:
        match = gaps[(gaps["group_id"] == group_id) & (gaps["grouping"] == DEPRIVATION_GROUPING)]
        gap = match.iloc[0] if not match.empty else None
    return deprivation_gradient_chart(
        rates=rows,
        gap=gap,
        indicator_name=name,
        area_name=context.area_name,
        period=context.period,
        group_id=group_id,
        grouping=DEPRIVATION_GROUPING,
        crime_group=crime_group,
    )


def _quintile_map(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    chart = f"LSOA quintile map of {name}"
    if context.boundaries is None:
        return _left_out(chart, context.no_boundaries())
    rows = context.group_rows("lsoa_quintiles", group_id, column="indicator_id")
    if rows.empty:
        return _left_out(chart, context.reason(tables=["lsoa_quintiles"]))
    try:
        return lsoa_quintile_map(
            quintiles=rows,
            boundaries=context.boundaries,
            indicator_name=name,
            area_name=context.area_name,
            period=context.period,
            group_id=group_id,
            area_level=context.area_level,
            crime_group=crime_group,
        )
    except FigureDataError as error:
        return _left_out(chart, str(error))


def _map_rows(
    context: _Context, *, chart: str, table: str, group_id: str, skipped_keys: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, Any]] | str:
    """The group's rows of ``table`` and the boundaries for a map, or why the map is left out."""
    if context.boundaries is None:
        return _left_out(chart, context.no_boundaries())
    rows = context.group_rows(table, group_id)
    if rows.empty:
        return _left_out(chart, context.reason(tables=[table], skipped_keys=skipped_keys))
    return rows, context.boundaries


def _hotspot_lsoas(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    found = _map_rows(
        context,
        chart=f"LSOA hot spot map of {name}",
        table="hotspots_lsoa",
        group_id=group_id,
        skipped_keys=[f"hotspots_lsoa:{group_id}", "hotspots_lsoa", "hotspots"],
    )
    if isinstance(found, str):
        return found
    rows, boundaries = found
    return hotspot_lsoa_map(
        hotspots=rows,
        boundaries=boundaries,
        group_name=name,
        area_name=context.area_name,
        period=context.period,
        group_id=group_id,
        area_level=context.area_level,
        crime_group=crime_group,
    )


def _hotspot_grid(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    found = _map_rows(
        context,
        chart=f"hot spot grid map of {name}",
        table="hotspots_grid",
        group_id=group_id,
        skipped_keys=[f"hotspots_grid:{group_id}", "hotspots_grid", "hotspots"],
    )
    if isinstance(found, str):
        return found
    rows, boundaries = found
    return hotspot_grid_map(
        cells=rows,
        boundaries=boundaries,
        group_name=name,
        area_name=context.area_name,
        period=context.period,
        group_id=group_id,
        area_level=context.area_level,
        crime_group=crime_group,
        caveat=context.grid_caveat(rows),
    )


def _grid_cell_size(context: _Context) -> float:
    grid = context.hotspots.get("grid") or {}
    return float(grid.get("cell_size_m", 0.0)) if isinstance(grid, dict) else 0.0


def _hotspot_classes(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    chart = f"map of emerging and persistent hot spots of {name}"
    found = _map_rows(
        context,
        chart=chart,
        table="hotspot_classes",
        group_id=group_id,
        skipped_keys=[f"hotspots_grid:{group_id}", "hotspot_classes", "hotspots_grid", "hotspots"],
    )
    if isinstance(found, str):
        return found
    rows, boundaries = found
    cell_size = _grid_cell_size(context)
    if not cell_size > 0:
        return _left_out(chart, "the manifest does not give the grid's cell size")
    return hotspot_classes_map(
        cells=rows,
        boundaries=boundaries,
        cell_size=cell_size,
        group_name=name,
        area_name=context.area_name,
        period=context.period,
        group_id=group_id,
        area_level=context.area_level,
        crime_group=crime_group,
        caveat=context.grid_caveat(rows),
    )


def _kde(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    chart = f"kernel density map of {name}"
    if context.boundaries is None:
        return _left_out(chart, context.no_boundaries())
    rows = context.group_rows("kde_grid", group_id)
    if rows.empty:
        grid = context.hotspots.get("grid") or {}
        groups = grid.get("kde_groups") if isinstance(grid, dict) else None
        if groups and group_id not in groups and f"hotspots_grid:{group_id}" not in context.skipped:
            return _left_out(
                chart,
                "kernel density is computed for "
                + ", ".join(context.group_name(str(group)).lower() for group in groups)
                + " only",
            )
        return _left_out(
            chart,
            context.reason(
                tables=["kde_grid"],
                skipped_keys=[f"hotspots_grid:{group_id}", "hotspots_grid", "hotspots"],
            ),
        )
    cell_size = _grid_cell_size(context)
    if not cell_size > 0:
        return _left_out(chart, "the manifest does not give the grid's cell size")
    return kde_map(
        cells=rows,
        boundaries=context.boundaries,
        cell_size=cell_size,
        group_name=name,
        area_name=context.area_name,
        period=context.period,
        group_id=group_id,
        area_level=context.area_level,
        crime_group=crime_group,
        caveat=context.grid_caveat(rows),
    )


def _number(value: object) -> float | None:
    """A finite number, or ``None`` for missing or non-numeric values."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _comparators(context: _Context, group_id: str, crime_group: str | None) -> ChartResult:
    name = context.group_name(group_id)
    chart = f"comparator chart of {name}"
    summary = context.group_rows("benchmarking", group_id)
    csps = context.group_rows("benchmarking_csps", group_id)
    if summary.empty or csps.empty:
        if context.artefact.has_table("benchmarking") and "benchmarking" not in context.skipped:
            return _left_out(chart, "benchmarking covers police.uk-defined crime groups only")
        return _left_out(
            chart,
            context.reason(
                tables=["benchmarking", "benchmarking_csps"], skipped_keys=["benchmarking"]
            ),
        )
    row = summary.iloc[0]
    members = comparator_codes(row.get("comparator_members"))
    comparator_rate = _number(row.get("comparator_rate")) if members else None
    scope = str(row.get("rank_scope") or "") or str(row.get("regional_scope") or "")
    if not scope and comparator_rate is None:
        return _left_out(chart, "the area is ranked neither nationally nor among the CSPs loaded")
    try:
        return comparator_chart(
            csps=csps,
            area_code=context.area_code,
            area_name=context.area_name,
            group_name=name,
            period=context.period,
            group_id=group_id,
            scope=scope,
            nation=str(row.get("nation") or "") or None,
            national_name=str(row.get("national_name") or ""),
            national_rate=_number(row.get("national_rate")),
            regional_rate=_number(row.get("regional_rate")),
            comparators=members if comparator_rate is not None else (),
            comparator_rate=comparator_rate,
            crime_group=crime_group,
        )
    except FigureDataError as error:
        return _left_out(chart, str(error))


GroupChart = Callable[[_Context, str, str | None], ChartResult]
_GROUP_CHARTS: tuple[GroupChart, ...] = (
    _trend,
    _wards,
    _quintile_map,
    _deprivation,
    _hotspot_lsoas,
    _hotspot_grid,
    _hotspot_classes,
    _kde,
    _comparators,
)


def _collect(results: Sequence[ChartResult]) -> tuple[list[Figure], list[str]]:
    figures = [result for result in results if isinstance(result, Figure)]
    left_out = [result for result in results if isinstance(result, str)]
    return figures, left_out


def headline_group(artefact: AssessmentArtefact) -> str | None:
    """The overview's crime group: all crime when the artefact has it, else the first group."""
    indicators = artefact.table("indicators")
    if indicators is None or indicators.empty:
        return None
    groups = sorted(set(indicators["indicator_id"].astype(str)))
    return HEADLINE_GROUP if HEADLINE_GROUP in groups else groups[0]


def overview_figures(*, artefact: AssessmentArtefact) -> tuple[list[Figure], list[str]]:
    """The overview section's figures, and a sentence for each overview chart left out.

    Parameters
    ----------
    artefact
        An Assessment artefact opened for one audience (``open_artefact``).

    Returns
    -------
    figures, left_out
        The figures in the order of the section, and plain sentences naming each chart left
        out and why.
    """
    context = _Context.of(artefact)
    results: list[ChartResult] = [_change(context)]
    group = headline_group(artefact)
    if group is None:
        results.append(_left_out("crime group charts", context.reason(tables=["indicators"])))
    else:
        results.extend(chart(context, group, None) for chart in _GROUP_CHARTS)
    return _collect(results)


def theme_figures(
    *, artefact: AssessmentArtefact, crime_group: str
) -> tuple[list[Figure], list[str]]:
    """One priority theme's figures (trend, ward rates, deprivation, maps) and what is left out.

    Parameters
    ----------
    artefact
        An Assessment artefact opened for one audience.
    crime_group
        The theme's crime group id (``indicators.indicator_id``).

    Figure ids end with the group id, as the overview's do: a theme for the overview's own
    group (:func:`headline_group`) would repeat the overview's ids.
    """
    context = _Context.of(artefact)
    if context.area_rows(crime_group).empty:
        name = context.group_name(crime_group)
        reason = context.skipped.get(crime_group, "the assessment has no figures for it")
        return [], [_left_out(f"charts of {name}", reason)]
    results: list[ChartResult] = [
        chart(context, crime_group, crime_group) for chart in _GROUP_CHARTS
    ]
    return _collect(results)


GROUP_CHARTS: dict[str, GroupChart] = {
    "trend": _trend,
    "wards": _wards,
    "quintile_map": _quintile_map,
    "deprivation": _deprivation,
    "hotspot_lsoa": _hotspot_lsoas,
    "hotspot_grid": _hotspot_grid,
    "hotspot_classes": _hotspot_classes,
    "kde": _kde,
    "comparators": _comparators,
}
"""Single-group charts by the name an edition's configuration gives them (``editions.yaml``)."""
CHANGE_CHART = "change"
"""The overview's chart of change across every crime group."""
SMALL_MULTIPLE_CHARTS = ("trend", "wards")
FIGURE_WIDTH = 640
"""Width of a small multiple in CSS pixels (the A4 text width at 96 pixels per inch)."""
WARD_LABELS = 120
"""Width taken by the ward names of a small multiple of ward rates, in CSS pixels."""
WARD_BAND = 11
"""Height of a ward's row in CSS pixels in a small multiple of ward rates."""
"""Charts an edition may draw as small multiples of a theme's groups."""


def chart_names() -> tuple[str, ...]:
    """Every chart name an edition may list: the change chart and :data:`GROUP_CHARTS`."""
    return (CHANGE_CHART, *GROUP_CHARTS)


def named_figures(
    *, artefact: AssessmentArtefact, names: Sequence[str], crime_group: str | None
) -> tuple[list[Figure], list[str]]:
    """The charts ``names`` (in that order) for one group, and a sentence for each left out.

    Parameters
    ----------
    artefact
        An Assessment artefact opened for one audience.
    names
        Chart names of :func:`chart_names`; ``change`` is drawn across every group.
    crime_group
        The theme's crime group, or ``None`` for the overview (its :func:`headline_group`).

    Raises
    ------
    ValueError
        When a name is not a known chart.
    """
    unknown = [name for name in names if name not in chart_names()]
    if unknown:
        raise ValueError(f"unknown chart name(s) {', '.join(unknown)}; known: {chart_names()}")
    context = _Context.of(artefact)
    group = crime_group if crime_group is not None else headline_group(artefact)
    results: list[ChartResult] = []
    for name in names:
        if name == CHANGE_CHART:
            results.append(_change(context))
        elif group is None:
            results.append(_left_out("crime group charts", context.reason(tables=["indicators"])))
            break
        else:
            results.append(GROUP_CHARTS[name](context, group, crime_group))
    return _collect(results)


def theme_small_multiples(
    *,
    artefact: AssessmentArtefact,
    chart: str,
    group_ids: Sequence[str],
    theme_id: str,
    theme_title: str,
) -> tuple[list[Figure], list[str]]:
    """One figure drawing ``chart`` for each of ``group_ids`` side by side (small multiples).

    Groups whose chart cannot be drawn are left out of the figure and said in a sentence; a
    theme with a single group gets a figure of one panel, at the same compact height.

    Parameters
    ----------
    artefact
        An Assessment artefact opened for one audience.
    chart
        ``trend`` (monthly counts with process limits) or ``wards`` (ward rates with 95%
        confidence intervals, every panel in one ward order, alphabetical).
    group_ids
        The theme's crime groups with data, main group first.
    theme_id, theme_title
        The theme (the figure's id ends with ``theme_id``).

    Raises
    ------
    ValueError
        When ``chart`` cannot be drawn as small multiples.
    """
    if chart not in SMALL_MULTIPLE_CHARTS:
        raise ValueError(f"{chart!r} is not drawn as small multiples ({SMALL_MULTIPLE_CHARTS})")
    context = _Context.of(artefact)
    crime_group = group_ids[0] if group_ids else None
    order = _ward_names(context) if chart == "wards" else []
    results: list[ChartResult] = []
    if chart == "trend":
        results = [_trend(context, group_id, crime_group) for group_id in group_ids]
    else:
        results = [
            _wards(context, group_id, crime_group, ward_order=order, show_ward_names=position == 0)
            for position, group_id in enumerate(group_ids)
        ]
    figures, left_out = _collect(results)
    if not figures:
        return figures, left_out
    panels = [(_panel_name(context, figure), figure) for figure in figures]
    if chart == "trend":
        combined = small_multiples(
            panels,
            figure_id=f"monthly-trends-{theme_id}",
            title=f"{theme_title}: monthly counts with process limits",
            subtitle=[
                f"{context.area_name}. Points: crimes recorded each month; solid line: mean;",
                "dashed lines: process limits (XmR, NHS 'Making data count').",
                "Each panel has its own vertical scale.",
            ],
            columns=min(len(panels), 3),
            panel_width=min(FIGURE_WIDTH // min(len(panels), 3) - 70, 420),
            panel_height=70,
            crime_group=crime_group,
            resolve={"scale": {"y": "independent"}},
        )
    else:
        combined = small_multiples(
            panels,
            figure_id=f"ward-rates-{theme_id}",
            title=f"{theme_title}: rate per 1,000 by ward, {context.period}",
            subtitle=[
                f"Whiskers: 95% confidence intervals; dashed line: the {context.area_name} rate.",
                "Dark bars: significantly higher than the area; light: similar; white:"
                " significantly lower.",
                "Wards in alphabetical order, the same in every panel.",
            ],
            columns=len(panels),
            panel_width=min((FIGURE_WIDTH - WARD_LABELS) // len(panels) - 30, 320),
            panel_height=max(60, WARD_BAND * len(order)),
            crime_group=crime_group,
            resolve={"scale": {"x": "independent"}},
        )
    return [combined], left_out


def _panel_name(context: _Context, figure: Figure) -> str:
    return figure.title.split(":", 1)[0] or context.area_name


def _ward_names(context: _Context) -> list[str]:
    indicators = context.artefact.table("indicators")
    if indicators is None:
        return []
    wards = indicators.loc[indicators["area_level"] == "ward", "area_name"].astype(str)
    return sorted(set(wards))
