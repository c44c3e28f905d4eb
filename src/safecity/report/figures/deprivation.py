"""Deprivation gradient: crime rate by IMD decile (or quintile) with 95% intervals.

Bars from the most deprived group (1) to the least deprived, with Byar's/exact 95% intervals
as whiskers; the subtitle gives the rate ratio of the most to the least deprived group with
its interval and the exact conditional test's verdict.

References
----------
Ministry of Housing, Communities & Local Government (2019) *English Indices of Deprivation
2019*; Low, A. & Low, A. (2004) Measuring the gap, *J Public Health* 26:388-395; methods.md
§1.1, §2.2a, §5. Fingertips inequality charts (OHID). Vega-Lite v5 documentation,
https://vega.github.io/vega-lite/docs/bar.html.
"""

from __future__ import annotations

import math
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
    format_number,
    is_missing,
    require_columns,
    spec_records,
)

_COLUMNS = ("group", "lsoas", "count", "population", "value", "lower_ci", "upper_ci")


def gradient_table(rates: pd.DataFrame) -> pd.DataFrame:
    """The plotted table: one row per deprivation group, most deprived (1) first."""
    require_columns(rates, _COLUMNS, where="deprivation gradient")
    columns = [c for c in ("row_id", "group_id", "grouping", *_COLUMNS) if c in rates.columns]
    table = rates.loc[:, columns].copy()
    for column in ("count", "population", "value", "lower_ci", "upper_ci"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    table["group"] = table["group"].astype(int)
    if "suppressed" in rates.columns:
        table["suppressed"] = rates["suppressed"].fillna(False).astype(bool)
    else:
        table["suppressed"] = table["value"].isna()
    count = int(table["group"].max())
    table["group_label"] = [
        f"{group} (most deprived)" if group == 1
        else f"{group} (least deprived)" if group == count
        else str(group)
        for group in table["group"]
    ]  # fmt: skip
    table["label"] = [
        SUPPRESSED if hidden and is_missing(value) else ""
        for hidden, value in zip(table["suppressed"], table["value"], strict=True)
    ]
    return table.sort_values("group", kind="mergesort").reset_index(drop=True)


def _wrap(sentence: str) -> list[str]:
    """A long subtitle sentence split before its parenthesis, for a readable width."""
    head, bracket, rest = sentence.partition(" (")
    return [head, f"({rest}"] if bracket else [head]


def ratio_sentence(gap: pd.Series | None, *, grouping: str) -> str:
    """The most/least deprived rate ratio in words, or why it is not given."""
    unit = grouping.rsplit(maxsplit=1)[-1]
    if gap is None:
        return f"The assessment gives no ratio of the most to the least deprived {unit}."
    raw = pd.to_numeric(pd.Series([gap.get("rate_ratio")]), errors="coerce").iloc[0]
    if pd.notna(raw) and math.isinf(float(raw)):
        return f"The least deprived {unit} had no crimes: the ratio is not defined."
    if pd.isna(raw):
        hidden = bool(gap.get("suppressed", False)) or is_missing(gap.get("least_count"))
        why = "not published (small counts)" if hidden else "not computed"
        return f"Ratio of the most to the least deprived {unit}: {why}."
    ratio = float(raw)
    significant = gap.get("ratio_significant")
    verdict = (
        "a statistically significant difference"
        if significant is True or significant == 1
        else "not a statistically significant difference"
    )
    interval = ""
    if not is_missing(gap.get("ratio_lower_ci")) and not is_missing(gap.get("ratio_upper_ci")):
        interval = (
            f", 95% CI {format_number(float(gap['ratio_lower_ci']), digits=2)} to"
            f" {format_number(float(gap['ratio_upper_ci']), digits=2)}"
        )
    return (
        f"Most deprived {unit}: {format_number(ratio, digits=2)} times the rate of the least"
        f" deprived (rate ratio{interval}; {verdict}, exact conditional test)."
    )


def deprivation_gradient_chart(
    *,
    rates: pd.DataFrame,
    gap: pd.Series | None,
    indicator_name: str,
    area_name: str,
    period: str,
    group_id: str,
    grouping: str = "national decile",
    crime_group: str | None = None,
    source_table: str = "deprivation_rates",
) -> Figure:
    """Rate per 1,000 residents by deprivation group with 95% intervals and the gap ratio.

    Parameters
    ----------
    rates
        The ``deprivation_rates`` rows of one crime group and one grouping: ``group, lsoas,
        count, population, value, lower_ci, upper_ci`` (``suppressed`` in public tables).
    gap
        The matching ``deprivation_gaps`` row (``rate_ratio``, ``ratio_lower_ci``,
        ``ratio_upper_ci``, ``ratio_significant``), or ``None``.
    indicator_name, area_name, period
        For the title and text alternative.
    group_id
        The crime group (part of the figure id).
    grouping
        ``national decile``, ``national quintile`` or ``local quintile``.
    crime_group
        ``group_id`` for a theme chart, ``None`` for the overview.
    source_table
        The artefact table the rows come from.

    Raises
    ------
    FigureDataError
        When a column is missing or there are no rows.
    """
    if rates.empty:
        raise FigureDataError(f"deprivation gradient: no {grouping} rows for {indicator_name}")
    table = gradient_table(rates)
    ratio = ratio_sentence(gap, grouping=grouping)
    unit = grouping.rsplit(maxsplit=1)[-1]
    title = f"{indicator_name}: rate by deprivation ({grouping}), {period}"
    shown = table[table["value"].notna()]
    alt_parts = [
        f"Rate of {indicator_name} per 1,000 residents in {area_name} by {grouping} of the"
        f" Index of Multiple Deprivation, from 1 (most deprived) to {int(table['group'].max())}."
    ]
    if not shown.empty:
        alt_parts.append(
            f"Most deprived {unit}: {format_number(float(shown['value'].iloc[0]))}; least"
            f" deprived: {format_number(float(shown['value'].iloc[-1]))} per 1,000."
        )
    alt_parts.append(ratio)
    alt_text = " ".join(alt_parts)
    order = table["group_label"].tolist()
    x_encoding = {
        "field": "group_label",
        "type": "ordinal",
        "sort": order,
        "title": f"IMD {grouping} (1 = most deprived)",
        "axis": {"labelAngle": -30, "labelLimit": 140},
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": palette.VIRIDIS_5[1], "width": {"band": 0.7}},
            "encoding": {
                "x": x_encoding,
                "y": {"field": "value", "type": "quantitative",
                      "title": "Rate per 1,000 residents (95% CI)"},
                "tooltip": [
                    {"field": "group_label", "title": grouping},
                    {"field": "value", "title": "Rate", "format": ",.1f"},
                    {"field": "lower_ci", "title": "Lower 95% CI", "format": ",.1f"},
                    {"field": "upper_ci", "title": "Upper 95% CI", "format": ",.1f"},
                    {"field": "count", "title": "Count", "format": ","},
                    {"field": "lsoas", "title": "LSOAs"},
                ],
            },
        },
        *(
            {
                "mark": {"type": "rule", "color": colour, "strokeWidth": width},
                "encoding": {
                    "x": x_encoding,
                    "y": {"field": "lower_ci", "type": "quantitative"},
                    "y2": {"field": "upper_ci"},
                },
            }
            for colour, width in ((palette.WHITE, 3.5), (palette.BLACK, 1.2))
        ),
        {
            "transform": [{"filter": "datum.label !== ''"}],
            "mark": {"type": "text", "angle": 270, "align": "left", "dx": 4, "fontSize": 10,
                     "y": {"expr": "height"}},
            "encoding": {"x": x_encoding, "text": {"field": "label"}},
        },
    ]  # fmt: skip
    spec = base_spec(
        title=title,
        subtitle=[f"{area_name}. Whiskers: 95% confidence intervals.", *_wrap(ratio)],
        description=alt_text,
    )
    spec.update(
        {
            "width": 460,
            "height": 260,
            "data": {"values": spec_records(table)},
            "layer": layers,
        }
    )
    return Figure(
        figure_id=figure_id(FigureKind.DEPRIVATION_GRADIENT, group_id),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=crime_group,
        note="Deciles of the English Index of Multiple Deprivation (1 = most deprived 10% of"
        " LSOAs in England); rates per 1,000 residents.",
    )
