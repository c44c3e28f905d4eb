"""Change by crime group: the strategy's "notable increases and declines" panel.

Each crime group's percentage change in recorded crime against the baseline period, as a bar,
with the exact conditional rate-ratio test's verdict drawn three ways: colour (orange rise,
blue fall), fill (filled when significant, hollow with a dashed outline when not) and a label
naming it. Suppressed changes (public audience) are labelled "suppressed", never drawn as zero.

References
----------
Vega-Lite v5 documentation: bar and text marks, layering,
https://vega.github.io/vega-lite/docs/bar.html. Southampton Safe City Partnership (2022)
*Safe City Strategy 2022-2027* (increases/declines panel). Exact conditional rate-ratio test:
methods.md §2.2a.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from safecity.report.figures import palette
from safecity.report.figures.figure import (
    SUPPRESSED,
    Figure,
    FigureDataError,
    FigureKind,
    base_spec,
    figure_id,
    require_columns,
    signed_percent,
    spec_records,
)

SIGNIFICANT_INCREASE = "Significant increase"
SIGNIFICANT_DECREASE = "Significant decrease"
NO_SIGNIFICANT_CHANGE = "No significant change"
_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "numerator",
    "baseline_numerator",
    "change_pct",
    "change_ratio",
    "change_p_value",
    "change_significant",
)


def _significance(row: pd.Series) -> str:
    if bool(row["suppressed"]) and pd.isna(row["change_pct"]):
        return SUPPRESSED
    if row["change_significant"] is True or row["change_significant"] == 1:
        return SIGNIFICANT_INCREASE if row["change_pct"] > 0 else SIGNIFICANT_DECREASE
    return NO_SIGNIFICANT_CHANGE


def _label(row: pd.Series) -> str:
    if row["significance"] == SUPPRESSED:
        return SUPPRESSED
    verdict = "not significant" if row["significance"] == NO_SIGNIFICANT_CHANGE else "significant"
    return f"{signed_percent(float(row['change_pct']))}, {verdict}"


WIDTH = 460
_LABEL_ROOM = 150
"""Pixels kept beside the bars for their labels ("+34.7%, not significant")."""


def _domain(changes: pd.Series) -> list[float]:
    """The x domain: zero, every change, and room for the labels beyond the longest bars."""
    low = min(0.0, float(changes.min())) if not changes.empty else 0.0
    high = max(0.0, float(changes.max())) if not changes.empty else 1.0
    sides = (low < 0) + (high > 0) or 1
    span = max(high - low, 1.0)
    per_pixel = span / (WIDTH - sides * _LABEL_ROOM)
    return [
        low - (_LABEL_ROOM * per_pixel if low < 0 else 0.0),
        high + (_LABEL_ROOM * per_pixel if high > 0 or low == 0 else 0.0),
    ]


def change_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """The plotted table: one row per group with a change (or a suppressed one), sorted.

    Rows come in order of percentage change, largest rise first, suppressed rows last; groups
    whose change is not defined (no crimes in the baseline) are left out.
    """
    require_columns(indicators, _COLUMNS, where="change by crime group")
    table = indicators.loc[:, [*_COLUMNS]].copy()
    if "suppressed" in indicators.columns:
        table["suppressed"] = indicators["suppressed"].fillna(False).astype(bool)
    else:
        table["suppressed"] = False
    change = pd.to_numeric(table["change_pct"], errors="coerce")
    table["change_pct"] = change
    for column in ("numerator", "baseline_numerator", "change_ratio", "change_p_value"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    finite = np.isfinite(change.to_numpy(dtype=float))
    table = table[table["suppressed"].to_numpy() | finite]
    table["significance"] = table.apply(_significance, axis=1)
    table["label"] = table.apply(_label, axis=1)
    table["change_significant"] = table["change_significant"].map(
        lambda value: None if pd.isna(value) else bool(value)
    )
    hidden = table["suppressed"] & table["change_pct"].isna()
    ordered: pd.DataFrame = (
        table.assign(_hidden=hidden)
        .sort_values(
            ["_hidden", "change_pct", "indicator_id"],
            ascending=[True, False, True],
            kind="mergesort",
        )
        .drop(columns="_hidden")
        .reset_index(drop=True)
    )
    return ordered


def _alt_text(table: pd.DataFrame, *, area_name: str, period: str, baseline: str) -> str:
    shown = table[table["change_pct"].notna()]
    sentences = [
        f"Percentage change in recorded crime in {area_name} from {baseline} to {period}"
        f" for {len(table)} crime groups."
    ]
    parts = []
    for verdict, words, pick in (
        (SIGNIFICANT_INCREASE, "significant increase", 0),
        (SIGNIFICANT_DECREASE, "significant decrease", -1),
    ):
        rows = shown[shown["significance"] == verdict]
        if rows.empty:
            parts.append(f"no {words}s")
            continue
        extreme = rows.iloc[pick]
        plural = "" if len(rows) == 1 else "s"
        parts.append(
            f"{len(rows)} {words}{plural} (largest: {extreme['indicator_name']},"
            f" {signed_percent(float(extreme['change_pct']))})"
        )
    steady = int((shown["significance"] == NO_SIGNIFICANT_CHANGE).sum())
    parts.append(f"{steady} with no significant change")
    sentences.append("There were " + "; ".join(parts) + ".")
    suppressed = int(table["change_pct"].isna().sum())
    if suppressed:
        sentences.append(f"{suppressed} change(s) are suppressed to protect small counts.")
    return " ".join(sentences)


def change_by_group_chart(
    *,
    indicators: pd.DataFrame,
    area_name: str,
    period: str,
    baseline: str,
    source_table: str = "indicators",
) -> Figure:
    """Percentage change by crime group against the baseline, coloured and labelled by the
    significance of the exact conditional rate-ratio test.

    Parameters
    ----------
    indicators
        One row per crime group for the assessed area, with the ``indicators`` columns
        ``indicator_id, indicator_name, numerator, baseline_numerator, change_pct,
        change_ratio, change_p_value, change_significant`` (and ``suppressed`` in public
        tables).
    area_name, period, baseline
        For the title and the text alternative.
    source_table
        The artefact table the rows come from.

    Raises
    ------
    FigureDataError
        When a column is missing or no group has a change.
    """
    table = change_table(indicators)
    if table.empty:
        raise FigureDataError("change by crime group: no group has a change against the baseline")
    title = f"Change in recorded crime by crime group, {baseline} to {period}"
    alt_text = _alt_text(table, area_name=area_name, period=period, baseline=baseline)
    names = table["indicator_name"].astype(str).tolist()
    domain = _domain(table["change_pct"].dropna())
    y_encoding = {
        "field": "indicator_name",
        "type": "nominal",
        "sort": names,
        "title": None,
        "axis": {"labelLimit": 260},
    }
    spec: dict[str, Any] = base_spec(
        title=title,
        subtitle=[
            f"{area_name}: percentage change in crimes recorded.",
            "Filled bars: significant change (exact conditional rate-ratio test, p < 0.05);"
            " hollow dashed bars: not significant.",
        ],
        description=alt_text,
    )
    spec.update(
        {
            "width": WIDTH,
            "height": max(60, 20 * len(table)),
            "data": {"values": spec_records(table)},
            "transform": [
                {
                    "calculate": "isValid(datum.change_pct) ? datum.change_pct : 0",
                    "as": "label_position",
                }
            ],
            "encoding": {"y": y_encoding},
            "layer": [
                {
                    "mark": {"type": "bar", "strokeWidth": 1.2, "height": {"band": 0.7}},
                    "encoding": {
                        "x": {
                            "field": "change_pct",
                            "type": "quantitative",
                            "title": f"Change against {baseline} (%)",
                            "scale": {"domain": domain, "nice": False},
                        },
                        "fill": {
                            "field": "significance",
                            "type": "nominal",
                            "title": "Rate-ratio test",
                            "scale": {
                                "domain": [
                                    SIGNIFICANT_INCREASE,
                                    SIGNIFICANT_DECREASE,
                                    NO_SIGNIFICANT_CHANGE,
                                ],
                                "range": [
                                    palette.INCREASE,
                                    palette.DECREASE,
                                    palette.NOT_SIGNIFICANT_FILL,
                                ],
                            },
                        },
                        "stroke": {
                            "condition": {
                                "test": f"datum.significance === '{NO_SIGNIFICANT_CHANGE}'",
                                "value": palette.NOT_SIGNIFICANT_STROKE,
                            },
                            "value": palette.INK,
                        },
                        "strokeDash": {
                            "condition": {
                                "test": f"datum.significance === '{NO_SIGNIFICANT_CHANGE}'",
                                "value": [3, 2],
                            },
                            "value": [1, 0],
                        },
                        "tooltip": [
                            {"field": "indicator_name", "title": "Crime group"},
                            {"field": "label", "title": "Change"},
                            {"field": "numerator", "title": period, "format": ","},
                            {"field": "baseline_numerator", "title": baseline, "format": ","},
                            {"field": "change_p_value", "title": "p-value", "format": ".2g"},
                        ],
                    },
                },
                {
                    "mark": {"type": "rule", "color": palette.INK},
                    "encoding": {"x": {"datum": 0}},  # spans the whole height
                },
                {
                    "mark": {
                        "type": "text",
                        "fontSize": 10,
                        "align": {"expr": "datum.label_position < 0 ? 'right' : 'left'"},
                        "dx": {"expr": "datum.label_position < 0 ? -4 : 4"},
                        "color": palette.INK,
                    },
                    "encoding": {
                        "x": {"field": "label_position", "type": "quantitative"},
                        "text": {"field": "label"},
                    },
                },
            ],
        }
    )
    return Figure(
        figure_id=figure_id(FigureKind.CHANGE_BY_GROUP),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=None,
        note=(
            "Change is in the number of crimes recorded; groups overlap (violent crime includes"
            " its subgroups). Significance: exact conditional rate-ratio test, p < 0.05."
        ),
    )
