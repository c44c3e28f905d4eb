"""Monthly trend with XmR (individuals and moving range) mean and process limits.

The NHS "Making data count" statistical process control chart: the monthly counts, their
mean, the process limits at mean ± 2.66 × mean moving range, and the special-cause signals the
artefact flags, marked by colour (orange concern, blue improvement) and by shape (triangle up,
triangle down), so that the signal is readable without colour.

A month without data (``has_data`` false, its count empty) is a gap: the line breaks there
(Vega-Lite ``invalid: "break-paths-show-domains"``: an empty value breaks the path and keeps
its month on the axis; ``"filter"`` would join the line over it, and ``null`` would draw it at
the foot of the scale, as if it were a low count) and the month is marked "no data"; it is
never drawn as 0. The text alternative and the data table name those months.

References
----------
NHS England / NHS Improvement (2019) *Making data count: strengthening your decisions*, and the
"Making data count" SPC icons; Wheeler, D. J. (2000) *Understanding Variation*, 2nd ed.
methods.md §9.3. Vega-Lite v5 documentation: layering, fold transform,
https://vega.github.io/vega-lite/docs/fold.html.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from safecity.report.figures import palette
from safecity.report.figures.figure import (
    SUPPRESSED,
    Figure,
    FigureDataError,
    FigureKind,
    base_spec,
    figure_id,
    format_count,
    require_columns,
    spec_records,
)
from safecity.report.reader_words import NO_DATA

LIMIT_COLUMNS = ("mean", "lower_process_limit", "upper_process_limit")
BREAK_AT_GAPS = "break-paths-show-domains"
"""How the line treats a month without data: it breaks there (Vega-Lite 5.19+ ``invalid``)."""
SIGNAL_VARIATIONS = ("Special cause concern", "Special cause improvement")
_LINE_NAMES = {
    "mean": "Mean",
    "lower_process_limit": "Process limits",
    "upper_process_limit": "Process limits",
}


def trend_table(series: pd.DataFrame) -> pd.DataFrame:
    """The plotted table: one row per month, sorted, months as ``YYYY-MM-DD`` text.

    ``suppressed`` is the public table's flag (false when the table has none); ``has_data``
    is the series' own flag, else whether the month has a count or a suppressed one.
    """
    require_columns(series, ("month", "count"), where="monthly trend")
    table = series.copy()
    table["month"] = pd.to_datetime(table["month"]).dt.strftime("%Y-%m-%d")
    table["count"] = pd.to_numeric(table["count"], errors="coerce")
    for column in LIMIT_COLUMNS:
        if column not in table.columns:
            table[column] = float("nan")
        table[column] = pd.to_numeric(table[column], errors="coerce")
    for column in ("special_cause", "variation"):
        if column not in table.columns:
            table[column] = None
    if "suppressed" in table.columns:
        table["suppressed"] = table["suppressed"].astype("boolean").fillna(False).astype(bool)
    else:
        table["suppressed"] = False
    if "has_data" in table.columns:
        flags = table["has_data"].astype("boolean")
        table["has_data"] = flags.fillna(table["count"].notna() | table["suppressed"]).astype(bool)
    else:
        table["has_data"] = table["count"].notna() | table["suppressed"]
    columns = [
        column
        for column in ("group_id", "area_code", "month", "count", *LIMIT_COLUMNS,
                       "special_cause", "variation", "suppressed", "has_data")
        if column in table.columns
    ]  # fmt: skip
    return table[columns].sort_values("month", kind="mergesort").reset_index(drop=True)


def _month_words(month: str) -> str:
    return pd.Timestamp(month).strftime("%B %Y")


def _alt_text(table: pd.DataFrame, *, group_name: str, area_name: str) -> str:
    shown = table[table["count"].notna()]
    first, last = _month_words(table["month"].iloc[0]), _month_words(table["month"].iloc[-1])
    sentences = [f"Monthly count of {group_name} in {area_name}, {first} to {last}."]
    if not shown.empty:
        ordered = shown.sort_values(["count", "month"], kind="mergesort")
        low, high = ordered.iloc[0], ordered.iloc[-1]
        sentences.append(
            f"Counts ranged from {format_count(low['count'])} ({_month_words(low['month'])})"
            f" to {format_count(high['count'])} ({_month_words(high['month'])})."
        )
    if table["mean"].notna().any():
        row = table[table["mean"].notna()].iloc[-1]
        concern = int((table["variation"] == SIGNAL_VARIATIONS[0]).sum())
        improvement = int((table["variation"] == SIGNAL_VARIATIONS[1]).sum())
        sentences.append(
            f"The mean was {format_count(row['mean'])} with process limits"
            f" {format_count(row['lower_process_limit'])} to"
            f" {format_count(row['upper_process_limit'])} (XmR chart);"
            f" {concern} month(s) show special cause concern and {improvement} special cause"
            " improvement."
        )
    suppressed = int(table["suppressed"].sum())
    if suppressed:
        sentences.append(f"{suppressed} month(s) are suppressed to protect small counts.")
    gaps = table.loc[~table["has_data"], "month"].tolist()
    if gaps:
        months = ", ".join(_month_words(month) for month in gaps)
        sentences.append(
            f"{len(gaps)} month(s) have {NO_DATA} ({months}): the line breaks there; they are"
            " not counted as zero."
        )
    return " ".join(sentences)


def monthly_trend_chart(
    *,
    series: pd.DataFrame,
    group_id: str,
    group_name: str,
    area_name: str,
    crime_group: str | None = None,
    source_table: str = "monthly_series",
) -> Figure:
    """Monthly counts of one crime group with the XmR mean, process limits and signals.

    Parameters
    ----------
    series
        The ``monthly_series`` rows (``month, count, mean, lower_process_limit,
        upper_process_limit, special_cause, variation``; ``suppressed`` in public tables).
        Rows of other groups are dropped when a ``group_id`` column is present.
    group_id, group_name
        The crime group plotted.
    area_name
        For the title and text alternative.
    crime_group
        ``group_id`` for a theme chart, ``None`` for the overview.
    source_table
        The artefact table the rows come from.

    Raises
    ------
    FigureDataError
        When a column is missing or the group has no months.
    """
    rows = series[series["group_id"] == group_id] if "group_id" in series.columns else series
    if rows.empty:
        raise FigureDataError(f"monthly trend: no months for crime group {group_id!r}")
    table = trend_table(rows)
    title = f"{group_name}: monthly count with process limits"
    alt_text = _alt_text(table, group_name=group_name, area_name=area_name)
    has_limits = bool(table["mean"].notna().any())
    x_encoding = {
        "field": "month",
        "type": "temporal",
        "title": "Month",
        "axis": {"format": "%b %Y", "labelAngle": -40, "tickCount": "month"},
    }
    y_title = "Crimes recorded" if group_id != "asb" else "Incidents recorded"
    layers: list[dict[str, Any]] = []
    if has_limits:
        layers.append(
            {
                "transform": [
                    {"fold": list(LIMIT_COLUMNS), "as": ["line", "limit_value"]},
                    {
                        "calculate": "datum.line === 'mean' ? 'Mean' : 'Process limits'",
                        "as": "line_name",
                    },
                ],
                "mark": {"type": "line", "color": palette.NEUTRAL, "strokeWidth": 1.2},
                "encoding": {
                    "x": x_encoding,
                    "y": {"field": "limit_value", "type": "quantitative"},
                    "detail": {"field": "line", "type": "nominal"},
                    "strokeDash": {
                        "field": "line_name",
                        "type": "nominal",
                        "title": "XmR chart",
                        "scale": {
                            "domain": sorted(set(_LINE_NAMES.values())),
                            "range": [[1, 0], [6, 4]],
                        },
                    },
                },
            }
        )
    layers.extend(
        [
            {
                "mark": {
                    "type": "line",
                    "color": palette.INK,
                    "strokeWidth": 1.5,
                    "point": {"filled": True, "size": 18, "color": palette.INK},
                    "invalid": BREAK_AT_GAPS,
                },
                "encoding": {
                    "x": x_encoding,
                    "y": {
                        "field": "count",
                        "type": "quantitative",
                        "title": y_title,
                        "scale": {"zero": False},
                    },
                    "tooltip": [
                        {"field": "month", "type": "temporal", "format": "%B %Y"},
                        {"field": "count", "format": ","},
                        {"field": "variation"},
                        {"field": "special_cause", "title": "Rule"},
                    ],
                },
            },
            {
                "transform": [{"filter": {"field": "variation", "oneOf": list(SIGNAL_VARIATIONS)}}],
                "mark": {"type": "point", "filled": True, "size": 90, "opacity": 1},
                "encoding": {
                    "x": x_encoding,
                    "y": {"field": "count", "type": "quantitative"},
                    "color": {
                        "field": "variation",
                        "type": "nominal",
                        "title": "Signal",
                        "scale": {
                            "domain": list(SIGNAL_VARIATIONS),
                            "range": [palette.SPECIAL_CAUSE_COLOURS[name]
                                      for name in SIGNAL_VARIATIONS],
                        },
                    },
                    "shape": {
                        "field": "variation",
                        "type": "nominal",
                        "scale": {
                            "domain": list(SIGNAL_VARIATIONS),
                            "range": [palette.SPECIAL_CAUSE_SHAPES[name]
                                      for name in SIGNAL_VARIATIONS],
                        },
                    },
                },
            },
            {
                "transform": [{"filter": "datum.suppressed"}],
                "mark": {"type": "text", "angle": 270, "align": "left", "fontSize": 9,
                         "color": palette.OUTLINE, "y": {"expr": "height - 4"}},
                "encoding": {"x": x_encoding, "text": {"value": SUPPRESSED}},
            },
            {
                "transform": [{"filter": "!datum.has_data"}],
                "mark": {"type": "text", "angle": 270, "align": "left", "fontSize": 9,
                         "color": palette.OUTLINE, "y": {"expr": "height - 4"}},
                "encoding": {"x": x_encoding, "text": {"value": NO_DATA}},
            },
        ]
    )  # fmt: skip
    points = f"{area_name}. Points: crimes recorded each month."
    if not table["has_data"].all():
        points += f" A break in the line is a month with {NO_DATA}."
    subtitle = [points]
    if has_limits:
        subtitle.append(
            "Solid line: mean; dashed lines: process limits (XmR, NHS 'Making data count')."
        )
    spec = base_spec(title=title, subtitle=subtitle, description=alt_text)
    spec.update(
        {"width": 560, "height": 260, "data": {"values": spec_records(table)}, "layer": layers}
    )
    note = None if has_limits else "Fewer than 12 months: no process limits are drawn."
    return Figure(
        figure_id=figure_id(FigureKind.MONTHLY_TREND, group_id),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=crime_group,
        note=note,
    )
