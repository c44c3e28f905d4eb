"""Charts of the residents' survey: headline measures by wave, and the biggest issues ranked.

Both charts take the ``survey_estimates`` table of the Assessment artefact (shares 0-1 with
their 95% intervals) and draw shares as percentages. A suppressed estimate (its unweighted
base under the minimum) is never drawn as a number: its value and interval are emptied and
the chart writes "fewer than N respondents" where the mark would be.

* :func:`survey_headline_chart` - a dot-and-interval chart: one row per headline measure, one
  dot per wave (colour and shape differ, so waves read in greyscale) with its 95% interval.
* :func:`survey_issues_chart` - the options of a multiple-choice measure ("biggest issues")
  as horizontal bars ranked by share, each with its 95% interval.

References
----------
Cleveland, W. S. & McGill, R. (1984) Graphical perception, *JASA* 79(387):531-554 (dots on a
common scale); Office for National Statistics (2023) *Crime Survey for England and Wales
technical report* (estimates with confidence intervals; unweighted bases). Vega-Lite v5
documentation, https://vega.github.io/vega-lite/docs/.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from safecity.report.figures import palette
from safecity.report.figures.figure import (
    Figure,
    FigureDataError,
    base_spec,
    require_columns,
    spec_records,
)

HEADLINE_ID = "survey-headline-measures"
ISSUES_ID = "survey-biggest-issues"
ALL_GROUP = "all"
"""``group_variable`` of the estimates for every respondent."""
WAVE_COLOURS = (palette.OKABE_ITO["blue"], palette.OKABE_ITO["orange"], palette.NEUTRAL)
WAVE_SHAPES = ("circle", "square", "triangle-up")
_COLUMNS = (
    "wave",
    "measure",
    "measure_label",
    "category",
    "headline",
    "group_variable",
    "value",
    "lower_ci",
    "upper_ci",
    "unweighted_base",
    "suppressed",
)


def fewer_than(minimum_base: int | None) -> str:
    """How a suppressed estimate reads: "fewer than 50 respondents" (never a number)."""
    if minimum_base is None:
        return "too few respondents to publish"
    return f"fewer than {minimum_base:,} respondents"


def percent(value: object) -> str:
    """A share 0-1 as a whole-number-and-one-decimal percentage (``0.741`` -> ``74.1%``)."""
    return f"{float(str(value)) * 100:.1f}%"


def shown_estimates(frame: pd.DataFrame, *, minimum_base: int | None) -> pd.DataFrame:
    """The estimates as charts show them: suppressed rows without value or interval.

    The partners' copy of ``survey_estimates`` keeps the numbers of suppressed rows; a chart
    never shows them (nor their unweighted base), in either edition. ``shown`` is the text a
    reader sees in place of each value (the percentage and interval, or "fewer than N
    respondents").
    """
    require_columns(frame, _COLUMNS, where="survey estimates")
    table = frame.copy()
    hidden = table["suppressed"].astype("boolean").fillna(False).astype(bool)
    for column in ("value", "lower_ci", "upper_ci", "unweighted_base"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
        table.loc[hidden, column] = float("nan")
    table["suppressed"] = hidden
    table["shown"] = [
        fewer_than(minimum_base)
        if is_hidden or pd.isna(value)
        else f"{percent(value)} ({percent(lower)} to {percent(upper)})"
        for is_hidden, value, lower, upper in zip(
            hidden, table["value"], table["lower_ci"], table["upper_ci"], strict=True
        )
    ]
    return table


PLOTTED = {"value": "share", "lower_ci": "share_lower", "upper_ci": "share_upper"}
"""The estimate's columns as plotted: percentages, under names headed in readers' words."""


def _percent_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Shares as percentages for the axis and the data table (``share``, ``share_lower`` ...)."""
    out = table.copy()
    for column in PLOTTED:
        out[column] = out[column] * 100.0
    return out.rename(columns=PLOTTED)


def survey_headline_chart(
    *,
    estimates: pd.DataFrame,
    waves: Sequence[str],
    area_name: str,
    minimum_base: int | None,
) -> Figure:
    """Headline measures by wave: a dot per wave with its 95% confidence interval.

    Parameters
    ----------
    estimates
        ``survey_estimates`` rows (any; the headline category of each single-choice measure
        for all respondents is drawn).
    waves
        The waves to draw, oldest first (the artefact's ``survey_waves`` order).
    area_name
        For the title.
    minimum_base
        The minimum unweighted base (suppressed rows read "fewer than N respondents").

    Raises
    ------
    FigureDataError
        When a column is missing or no headline estimate is there to draw.
    """
    table = shown_estimates(estimates, minimum_base=minimum_base)
    headline = table["headline"].astype("boolean").fillna(False).astype(bool)
    kind = (
        table["kind"].astype(str) if "kind" in table.columns else pd.Series("single", table.index)
    )
    chosen = table[
        headline
        & (table["group_variable"].astype(str) == ALL_GROUP)
        & (kind != "multiple")
        & table["wave"].astype(str).isin(list(waves))
    ].copy()
    if chosen.empty:
        raise FigureDataError("survey headline measures: no headline estimate for all respondents")
    chosen["wave"] = chosen["wave"].astype(str)
    order = list(dict.fromkeys(chosen["measure_label"].astype(str)))
    wave_order = [wave for wave in waves if wave in set(chosen["wave"])]
    chosen["_wave"] = chosen["wave"].map({wave: n for n, wave in enumerate(wave_order)})
    chosen = chosen.sort_values(["measure_label", "_wave"], kind="mergesort").drop(columns="_wave")
    data = _percent_columns(
        chosen.loc[
            :,
            [
                "measure_label",
                "wave",
                "category",
                "value",
                "lower_ci",
                "upper_ci",
                "unweighted_base",
                "suppressed",
                "shown",
            ],
        ].reset_index(drop=True)
    )
    title = f"What residents told us in {area_name}: headline measures by survey wave"
    latest = data[data["wave"] == wave_order[-1]]
    parts = [
        f"{label} ({category}): {shown}"
        for label, category, shown in zip(
            latest["measure_label"], latest["category"], latest["shown"], strict=True
        )
    ]
    alt_text = (
        f"Dot chart of {len(order)} headline survey measures in {len(wave_order)} wave(s)"
        f" ({', '.join(wave_order)}), each share with its 95% confidence interval. In"
        f" {wave_order[-1]}: " + "; ".join(parts) + "."
    )
    colours = {wave: WAVE_COLOURS[n % len(WAVE_COLOURS)] for n, wave in enumerate(wave_order)}
    shapes = {wave: WAVE_SHAPES[n % len(WAVE_SHAPES)] for n, wave in enumerate(wave_order)}
    y = {"field": "measure_label", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 260}}  # fmt: skip
    y_offset = {"field": "wave", "type": "nominal", "sort": wave_order}
    x = {"field": "share", "type": "quantitative", "title": "Share of respondents (%)",
         "scale": {"domain": [0, 100]}}  # fmt: skip
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "rule", "color": palette.INK, "strokeWidth": 1.2},
            "encoding": {"y": y, "yOffset": y_offset,
                         "x": {"field": "share_lower", "type": "quantitative"},
                         "x2": {"field": "share_upper"}},
        },
        {
            "mark": {"type": "point", "filled": True, "size": 70, "stroke": palette.INK,
                     "strokeWidth": 0.8, "opacity": 1},
            "encoding": {
                "y": y, "yOffset": y_offset, "x": x,
                "color": {"field": "wave", "type": "nominal", "title": "Survey wave",
                          "scale": {"domain": wave_order,
                                    "range": [colours[wave] for wave in wave_order]}},
                "shape": {"field": "wave", "type": "nominal", "title": "Survey wave",
                          "scale": {"domain": wave_order,
                                    "range": [shapes[wave] for wave in wave_order]}},
            },
        },
        {
            "transform": [{"filter": "datum.suppressed"}],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10,
                     "color": palette.INK, "x": 0},
            "encoding": {"y": y, "yOffset": y_offset, "text": {"field": "shown"}},
        },
    ]  # fmt: skip
    spec = base_spec(
        title=title,
        subtitle=[
            "Weighted shares of respondents with 95% confidence intervals (lines).",
            f"Estimates on {fewer_than(minimum_base)} are not shown.",
        ],
        description=alt_text,
    )
    spec.update(
        {
            "width": 380,
            "height": {"step": 14 * max(1, len(wave_order))},
            "data": {"values": spec_records(data)},
            "layer": layers,
        }
    )
    return Figure(
        figure_id=HEADLINE_ID,
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=data,
        source_table="survey_estimates",
        crime_group=None,
        note=_note(data, minimum_base=minimum_base),
    )


def _note(data: pd.DataFrame, *, minimum_base: int | None) -> str:
    bases = pd.to_numeric(data["unweighted_base"], errors="coerce").dropna()
    base = (
        f" Unweighted bases from {int(bases.min()):,} to {int(bases.max()):,} respondents."
        if not bases.empty
        else ""
    )
    return (
        "Method: shares weighted to the area's population, with 95% confidence intervals that"
        " allow for the weighting (design effect); the base is the respondents who answered."
        f"{base} Estimates on {fewer_than(minimum_base)} are withheld."
    )


def survey_issues_chart(
    *,
    estimates: pd.DataFrame,
    measure: str,
    wave: str,
    area_name: str,
    minimum_base: int | None,
) -> Figure:
    """The options of a multiple-choice measure for all respondents in ``wave``, ranked.

    Raises
    ------
    FigureDataError
        When a column is missing or the measure has no options in that wave.
    """
    table = shown_estimates(estimates, minimum_base=minimum_base)
    chosen = table[
        (table["measure"].astype(str) == measure)
        & (table["group_variable"].astype(str) == ALL_GROUP)
        & (table["wave"].astype(str) == wave)
    ].copy()
    if chosen.empty:
        raise FigureDataError(f"survey issues: no estimates of {measure} in wave {wave}")
    if "rank" in chosen.columns:
        chosen["rank"] = pd.to_numeric(chosen["rank"], errors="coerce")
    else:
        chosen["rank"] = float("nan")
    chosen = chosen.sort_values(
        ["suppressed", "rank", "value", "category"],
        ascending=[True, True, False, True],
        kind="mergesort",
        na_position="last",
    )
    label = str(chosen["measure_label"].iloc[0])
    data = _percent_columns(
        chosen.loc[
            :,
            ["category", "rank", "value", "lower_ci", "upper_ci", "unweighted_base",
             "suppressed", "shown"],
        ].reset_index(drop=True)
    )  # fmt: skip
    order = data["category"].astype(str).tolist()
    title = f"{label}: share of residents naming each, {area_name}, {wave}"
    top = data[~data["suppressed"]].head(3)
    named = "; ".join(
        f"{category} {shown}" for category, shown in zip(top["category"], top["shown"], strict=True)
    )
    alt_text = (
        f"Bar chart of {len(data)} issues ranked by the share of residents naming each, with"
        f" 95% confidence intervals ({wave}). Most named: {named or 'none published'}."
    )
    hidden = int(data["suppressed"].sum())
    if hidden:
        alt_text += f" {hidden} issue(s) on {fewer_than(minimum_base)} not shown."
    y = {"field": "category", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 240}}  # fmt: skip
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": palette.OKABE_ITO["blue"], "stroke": palette.INK,
                     "strokeWidth": 0.8, "height": {"band": 0.7}},
            "encoding": {"y": y, "x": {"field": "share", "type": "quantitative",
                                       "title": "Share of residents naming it (%)",
                                       "scale": {"domain": [0, 100]}}},
        },
        *(
            {
                "mark": {"type": "rule", "color": colour, "strokeWidth": width},
                "encoding": {"y": y, "x": {"field": "share_lower", "type": "quantitative"},
                             "x2": {"field": "share_upper"}},
            }
            for colour, width in ((palette.WHITE, 3.5), (palette.BLACK, 1.2))
        ),
        {
            "transform": [{"filter": "datum.suppressed"}],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10,
                     "color": palette.INK, "x": 0},
            "encoding": {"y": y, "text": {"field": "shown"}},
        },
    ]  # fmt: skip
    spec = base_spec(
        title=title,
        subtitle="Whiskers: 95% confidence intervals. Residents could name more than one.",
        description=alt_text,
    )
    spec.update(
        {
            "width": 380,
            "height": max(60, 22 * len(data)),
            "data": {"values": spec_records(data)},
            "layer": layers,
        }
    )
    return Figure(
        figure_id=f"{ISSUES_ID}-{measure}",
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=data,
        source_table="survey_estimates",
        crime_group=None,
        note=_note(data, minimum_base=minimum_base),
    )


__all__ = [
    "fewer_than",
    "shown_estimates",
    "survey_headline_chart",
    "survey_issues_chart",
]
