"""Ward rates as horizontal bars with 95% confidence intervals and the area's rate as a line.

The strategy's ward chart, drawn the Fingertips way: each ward's crude rate per 1,000 with
its 95% interval as a whisker, the assessed area's rate as a vertical rule, and each ward
labelled Higher, Similar or Lower than the area by the interval rule (polarity no judgement:
one hue, lighter to darker, and the words "Higher"/"Lower" beside the bar).

References
----------
Office for Health Improvement and Disparities, *Fingertips* (2024): comparisons with the
benchmark by 95% confidence intervals, https://fingertips.phe.org.uk/; methods.md §1.1, §2.1.
Vega-Lite v5 documentation: bar, rule and error bar marks,
https://vega.github.io/vega-lite/docs/rule.html.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    require_columns,
    spec_records,
)

_COLUMNS = ("area_code", "area_name", "numerator", "value", "lower_ci", "upper_ci")
LABEL_ORDER = ("Higher", "Similar", "Lower")


def ward_table(wards: pd.DataFrame) -> pd.DataFrame:
    """The plotted table: one row per ward, highest rate first, suppressed wards last."""
    require_columns(wards, _COLUMNS, where="ward rates")
    columns = [
        column
        for column in (*_COLUMNS, "denominator", "benchmark_label", "rank", "rank_of")
        if column in wards.columns
    ]
    table = wards.loc[:, columns].copy()
    for column in ("numerator", "value", "lower_ci", "upper_ci", "denominator", "rank"):
        if column in table.columns:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    if "benchmark_label" not in table.columns:
        table["benchmark_label"] = None
    table["benchmark_label"] = table["benchmark_label"].where(
        table["benchmark_label"].isin(LABEL_ORDER), None
    )
    if "suppressed" in wards.columns:
        table["suppressed"] = wards["suppressed"].fillna(False).astype(bool)
    else:
        table["suppressed"] = table["value"].isna()
    hidden = table["suppressed"] & table["value"].isna()
    table["label"] = [
        SUPPRESSED if is_hidden else (label if label in ("Higher", "Lower") else "")
        for is_hidden, label in zip(hidden, table["benchmark_label"], strict=True)
    ]
    table = table.assign(_hidden=hidden).sort_values(
        ["_hidden", "value", "area_name"], ascending=[True, False, True], kind="mergesort"
    )
    table = table.drop(columns="_hidden")
    return table.reset_index(drop=True)


def _alt_text(
    table: pd.DataFrame, *, indicator_name: str, area_name: str, area_value: float, period: str
) -> str:
    shown = table[table["value"].notna()]
    sentences = [
        f"Rate of {indicator_name} per 1,000 residents in {len(table)} wards of {area_name},"
        f" {period}, against the {area_name} rate of {format_number(area_value)}."
    ]
    if not shown.empty:
        top, bottom = shown.iloc[0], shown.iloc[-1]
        sentences.append(
            f"Highest: {top['area_name']} ({format_number(top['value'])}); lowest:"
            f" {bottom['area_name']} ({format_number(bottom['value'])})."
        )
    counts = {label: int((table["benchmark_label"] == label).sum()) for label in LABEL_ORDER}
    sentences.append(
        f"{counts['Higher']} ward(s) significantly higher than {area_name},"
        f" {counts['Lower']} significantly lower, {counts['Similar']} similar (95% CI)."
    )
    suppressed = int((table["suppressed"] & table["value"].isna()).sum())
    if suppressed:
        sentences.append(f"{suppressed} ward rate(s) are suppressed to protect small counts.")
    return " ".join(sentences)


def ward_rates_chart(
    *,
    wards: pd.DataFrame,
    area_value: float,
    area_name: str,
    indicator_name: str,
    period: str,
    group_id: str,
    crime_group: str | None = None,
    denominator_label: str = "residents",
    source_table: str = "indicators",
    ward_order: Sequence[str] | None = None,
    show_ward_names: bool = True,
    compact: bool = False,
) -> Figure:
    """Ward rates per 1,000 with 95% intervals, labelled against the area's rate (a rule line).

    Parameters
    ----------
    wards
        The ward rows of ``indicators`` for one crime group: ``area_code, area_name,
        numerator, value, lower_ci, upper_ci`` and, when present, ``denominator,
        benchmark_label, rank, rank_of, suppressed``.
    area_value
        The assessed area's rate per 1,000, drawn as the comparison line.
    area_name, indicator_name, period
        For the title and text alternative.
    group_id
        The crime group (part of the figure id).
    crime_group
        ``group_id`` for a theme chart, ``None`` for the overview.
    denominator_label
        ``residents`` or ``households``.
    source_table
        The artefact table the rows come from.
    ward_order
        Ward names in the order drawn (a small multiple keeps every panel in one order, so a
        row is the same ward in each); by default the highest rate first.
    show_ward_names
        Whether the ward names label the bars (a small multiple names them once, in its first
        panel).
    compact
        A panel of a small multiple: a short axis title, the area's rate alone beside its line
        and no legend (the figure's subtitle says what the shades and the line are).

    Raises
    ------
    FigureDataError
        When a column is missing or there are no wards.
    """
    if wards.empty:
        raise FigureDataError(f"ward rates: no ward rows for {indicator_name}")
    table = ward_table(wards)
    title = f"{indicator_name}: rate per 1,000 {denominator_label} by ward, {period}"
    alt_text = _alt_text(
        table,
        indicator_name=indicator_name,
        area_name=area_name,
        area_value=area_value,
        period=period,
    )
    names = table["area_name"].astype(str).tolist()
    if ward_order is not None:
        names = [name for name in ward_order if name in set(names)] + [
            name for name in names if name not in set(ward_order)
        ]
    axis: dict[str, Any] = (
        {"labelLimit": 220} if show_ward_names else {"labels": False, "ticks": False}
    )
    y_encoding = {"field": "area_name", "type": "nominal", "sort": names, "title": None,
                  "axis": axis}  # fmt: skip
    upper = table["upper_ci"].max()
    x_max = max(float(upper) if pd.notna(upper) else 0.0, area_value) * 1.18 or 1.0
    x_encoding = {
        "field": "value",
        "type": "quantitative",
        "title": f"Per 1,000 {denominator_label}"
        if compact
        else f"Rate per 1,000 {denominator_label} (95% confidence interval)",
        "scale": {"domain": [0, x_max], "nice": False},
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "stroke": palette.INK, "strokeWidth": 0.8,
                     "height": {"band": 0.7}},
            "encoding": {
                "y": y_encoding,
                "x": x_encoding,
                "fill": {
                    "field": "benchmark_label",
                    "type": "nominal",
                    "title": f"Compared with {area_name}",
                    **({"legend": None} if compact else {}),
                    "scale": {
                        "domain": list(LABEL_ORDER),
                        "range": [palette.BENCHMARK_COLOURS[label] for label in LABEL_ORDER],
                    },
                },
                "tooltip": [
                    {"field": "area_name", "title": "Ward"},
                    {"field": "value", "title": "Rate", "format": ",.1f"},
                    {"field": "lower_ci", "title": "Lower 95% CI", "format": ",.1f"},
                    {"field": "upper_ci", "title": "Upper 95% CI", "format": ",.1f"},
                    {"field": "numerator", "title": "Count", "format": ","},
                    {"field": "benchmark_label", "title": "Compared with area"},
                ],
            },
        },
        *(
            {
                "mark": {"type": "rule", "color": colour, "strokeWidth": width},
                "encoding": {
                    "y": y_encoding,
                    "x": {"field": "lower_ci", "type": "quantitative"},
                    "x2": {"field": "upper_ci"},
                },
            }
            for colour, width in ((palette.WHITE, 3.5), (palette.BLACK, 1.2))
        ),
        {
            "transform": [
                {"calculate": "isValid(datum.upper_ci) ? datum.upper_ci : 0", "as": "label_at"}
            ],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10,
                     "color": palette.INK},
            "encoding": {"y": y_encoding,
                         "x": {"field": "label_at", "type": "quantitative"},
                         "text": {"field": "label"}},
        },
        {
            "data": {"values": [{"area_value": area_value, "area_name": area_name}]},
            "layer": [
                {
                    "mark": {"type": "rule", "color": palette.OKABE_ITO["vermillion"],
                             "strokeWidth": 2, "strokeDash": [6, 3]},
                    "encoding": {"x": {"field": "area_value", "type": "quantitative"}},
                },
                {
                    "mark": {"type": "text", "align": "left", "dx": 4, "dy": -6,
                             "fontSize": 10, "color": palette.INK,
                             "y": 0},
                    "encoding": {
                        "x": {"field": "area_value", "type": "quantitative"},
                        "text": {
                            "value": format_number(area_value)
                            if compact
                            else f"{area_name} {format_number(area_value)}"
                        },
                    },
                },
            ],
        },
    ]  # fmt: skip
    spec = base_spec(
        title=title,
        subtitle=[
            f"Whiskers: 95% confidence intervals. Dashed line: {area_name}"
            f" ({format_number(area_value)} per 1,000).",
            "Dark bars: significantly higher than the area; white: significantly lower.",
        ],
        description=alt_text,
    )
    spec.update(
        {
            "width": 460,
            "height": max(60, 20 * len(table)),
            "data": {"values": spec_records(table)},
            "layer": layers,
        }
    )
    return Figure(
        figure_id=figure_id(FigureKind.WARD_RATES, group_id),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=crime_group,
        note=None,
    )
