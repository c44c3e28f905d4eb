"""The area against other CSPs: ranked rates with 95% intervals, and the averages compared.

With a comparator group (e.g. the Home Office most similar CSPs) the chart shows the area and
its comparators as ranked horizontal bars with whiskers, the pooled comparator rate and, when
the loaded data cover the nation, the national rate (named as the artefact names it: "England",
or "England excluding …") as lines. Without a comparator group it shows the CSPs the area is
ranked among (every covered CSP of its nation, or, when the data do not cover the nation, the
CSPs of its nation loaded, named as such) as a "caterpillar" of points with whiskers in rank
order, the area marked with a large diamond and named, with their average as a line.

References
----------
Spiegelhalter, D. J. (2005) Funnel plots for comparing institutional performance, *Statistics
in Medicine* 24(8):1185-1202 (why ranks need intervals); OHID Fingertips, comparisons with
England by 95% confidence intervals; methods.md §2.1, §3.1, §3.2. Vega-Lite v5 documentation,
https://vega.github.io/vega-lite/docs/layer.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from safecity.report.figures import palette
from safecity.report.figures.figure import (
    Figure,
    FigureDataError,
    FigureKind,
    base_spec,
    figure_id,
    format_number,
    require_columns,
    spec_records,
)

THIS_AREA = "This area"
COMPARATOR = "Comparator"
OTHER = "Other CSP"
_ROLE_STYLE = {
    THIS_AREA: (palette.OKABE_ITO["vermillion"], palette.OKABE_ITO["vermillion"], "diamond"),
    COMPARATOR: (palette.NEUTRAL, palette.LIGHT_GREY, "circle"),
    OTHER: (palette.COMPARATOR_GREY, palette.PALE_GREY, "circle"),
}
"""Point colour, bar fill and point shape of each role: the area stands out by all three."""
_DASHES = ([6, 3], [2, 2])
"""Dash patterns of the first and second reference line."""
COMPARATOR_LINE = "Comparator group"
REGIONAL_LINE = "Average of these CSPs"
_COLUMNS = ("csp_code", "csp_name", "value", "lower_ci", "upper_ci")


def comparator_codes(members: str | None) -> list[str]:
    """The pooled comparator codes from ``benchmarking.comparator_members`` text."""
    if not members:
        return []
    pooled = str(members).split(";", 1)[0]
    return sorted(code.strip() for code in pooled.split(",") if code.strip())


def comparator_table(
    csps: pd.DataFrame, *, area_code: str, comparators: Sequence[str], nation: str | None = None
) -> pd.DataFrame:
    """The plotted table: the area and its comparators (or the covered CSPs of ``nation``),
    highest first."""
    require_columns(csps, _COLUMNS, where="comparator chart")
    rows = csps
    if "complete_coverage" in rows.columns:
        covered = rows["complete_coverage"].fillna(False).astype(bool)
        rows = rows[covered | (rows["csp_code"] == area_code)]
    if comparators:
        rows = rows[rows["csp_code"].isin([area_code, *comparators])]
    elif nation and "nation" in rows.columns:
        rows = rows[(rows["nation"] == nation) | (rows["csp_code"] == area_code)]
    columns = [
        c for c in (*_COLUMNS, "count", "population", "rank", "rank_of") if c in rows.columns
    ]
    table = rows.loc[:, columns].copy()
    for column in ("value", "lower_ci", "upper_ci"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    table = table[table["value"].notna()]
    table["role"] = [
        THIS_AREA if code == area_code else COMPARATOR if code in comparators else OTHER
        for code in table["csp_code"]
    ]
    table = table.sort_values(["value", "csp_code"], ascending=[False, True], kind="mergesort")
    table = table.reset_index(drop=True)
    table["position"] = range(1, len(table) + 1)
    return table


def comparator_chart(
    *,
    csps: pd.DataFrame,
    area_code: str,
    area_name: str,
    group_name: str,
    period: str,
    group_id: str,
    scope: str,
    nation: str | None = None,
    national_name: str = "",
    national_rate: float | None = None,
    regional_rate: float | None = None,
    comparators: Sequence[str] = (),
    comparator_rate: float | None = None,
    crime_group: str | None = None,
    source_table: str = "benchmarking_csps",
) -> Figure:
    """Rates per 1,000 of the area against its comparators (or other CSPs) with 95% intervals.

    Parameters
    ----------
    csps
        ``benchmarking_csps`` rows of one group: ``csp_code, csp_name, value, lower_ci,
        upper_ci`` (``complete_coverage``, ``nation``, ``rank``, ``rank_of``, ``count``,
        ``population``).
    area_code, area_name, group_name, period, group_id
        The assessed area, the crime group and the period.
    scope
        What the area is ranked among without comparators (``benchmarking.rank_scope`` or
        ``regional_scope``: "English CSPs", "the 12 CSPs of Hampshire Constabulary's area
        loaded").
    nation
        The area's nation: without comparators only its covered CSPs are drawn.
    national_name, national_rate
        The national figure (``benchmarking.national_name``, ``national_rate``), drawn as a
        line only when the artefact made it.
    regional_rate
        The pooled rate of the CSPs loaded (no national coverage), drawn without comparators.
    comparators
        The comparator CSP codes; none draws the CSPs of ``scope``.
    comparator_rate
        The pooled comparator rate, drawn as a line.
    crime_group, source_table
        Identity of the figure.

    Raises
    ------
    FigureDataError
        When a column is missing or the area has no rate in the table.
    """
    table = comparator_table(csps, area_code=area_code, comparators=comparators, nation=nation)
    area = table[table["role"] == THIS_AREA]
    if area.empty:
        raise FigureDataError(f"comparator chart: {area_code} has no rate for {group_name}")
    own = area.iloc[0]
    grouping = "its comparators" if comparators else scope
    title = f"{group_name}: {area_name} against {grouping}, {period}"
    sentences = [
        f"Rate of {group_name} per 1,000 residents in {area_name} and {len(table) - 1} other"
        f" CSPs ({grouping}), {period}, highest first, with 95% confidence intervals."
        f" {area_name}: {format_number(float(own['value']))}, position {int(own['position'])}"
        f" of {len(table)}."
    ]
    references: list[dict[str, Any]] = []
    lines = [
        (national_name, national_rate),
        (REGIONAL_LINE, None if comparators else regional_rate),
        (COMPARATOR_LINE, comparator_rate),
    ]
    for line, rate in lines:
        if line and rate is not None and pd.notna(rate):
            sentences.append(f"{line}: {format_number(float(rate))}.")
            references.append({"line": line, "rate": float(rate)})
    alt_text = " ".join(sentences)
    names = [reference["line"] for reference in references]
    rate_title = "Rate per 1,000 residents (95% confidence interval)"
    reference_layer: dict[str, Any] = {
        "data": {"values": references},
        "mark": {"type": "rule", "strokeWidth": 1.5, "color": palette.OKABE_ITO["vermillion"]},
        "encoding": {
            "strokeDash": {
                "field": "line",
                "type": "nominal",
                "title": "Reference",
                "scale": {"domain": names, "range": [_DASHES[i % 2] for i in range(len(names))]},
            },
        },
    }
    roles = [role for role in _ROLE_STYLE if (table["role"] == role).any()]
    colour = {
        "field": "role",
        "type": "nominal",
        "title": None,
        "scale": {"domain": roles, "range": [_ROLE_STYLE[role][0] for role in roles]},
    }
    bar_fill = {
        **colour,
        "scale": {"domain": roles, "range": [_ROLE_STYLE[role][1] for role in roles]},
    }
    shape = {
        "field": "role",
        "type": "nominal",
        "scale": {"domain": roles, "range": [_ROLE_STYLE[role][2] for role in roles]},
    }
    layers: list[dict[str, Any]]
    if comparators or len(table) <= 40:
        names = table["csp_name"].astype(str).tolist()
        y = {"field": "csp_name", "type": "nominal", "sort": names, "title": None}
        layers = [
            {"mark": {"type": "bar", "stroke": palette.INK, "strokeWidth": 0.8,
                      "height": {"band": 0.7}},
             "encoding": {"y": y,
                          "x": {"field": "value", "type": "quantitative", "title": rate_title},
                          "fill": bar_fill}},
            {"mark": {"type": "rule", "color": palette.BLACK, "strokeWidth": 1.2},
             "encoding": {"y": y, "x": {"field": "lower_ci", "type": "quantitative"},
                          "x2": {"field": "upper_ci"}}},
            {**reference_layer, "encoding": {**reference_layer["encoding"],
                                             "x": {"field": "rate", "type": "quantitative"}}},
        ]  # fmt: skip
        size = {"width": 460, "height": max(60, 20 * len(table))}
    else:
        x = {
            "field": "position",
            "type": "quantitative",
            "title": "CSPs in order of rate (1 = highest)",
            "scale": {"domain": [0, len(table) + 1], "nice": False},
        }
        layers = [
            {"mark": {"type": "rule", "color": palette.COMPARATOR_GREY, "strokeWidth": 0.8},
             "encoding": {"x": x, "y": {"field": "lower_ci", "type": "quantitative"},
                          "y2": {"field": "upper_ci"}}},
            {"mark": {"type": "point", "filled": True, "opacity": 1},
             "encoding": {"x": x, "y": {"field": "value", "type": "quantitative",
                                        "title": rate_title},
                          "color": colour, "shape": shape,
                          "size": {"condition": {"test": f"datum.role === '{THIS_AREA}'",
                                                 "value": 140}, "value": 14}}},
            {"transform": [{"filter": f"datum.role === '{THIS_AREA}'"}],
             "mark": {"type": "text", "align": "left", "dx": 8, "dy": -8, "fontSize": 11},
             "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"},
                          "text": {"field": "csp_name"}}},
            {**reference_layer, "encoding": {**reference_layer["encoding"],
                                             "y": {"field": "rate", "type": "quantitative"}}},
        ]  # fmt: skip
        size = {"width": 560, "height": 280}
    if not references:
        layers = layers[:-1]
    dashes = "; ".join(
        f"{'dashed' if position % 2 == 0 else 'dotted'} line: {name}"
        for position, name in enumerate(names)
    )
    spec = base_spec(
        title=title,
        subtitle=[
            "Whiskers: 95% confidence intervals" + (f"; {dashes}." if dashes else "."),
            "Police.uk data; CSPs with incomplete police.uk coverage are not ranked.",
        ],
        description=alt_text,
    )
    spec.update({**size, "data": {"values": spec_records(table)}, "layer": layers})
    return Figure(
        figure_id=figure_id(FigureKind.COMPARATORS, group_id),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=crime_group,
        note=(
            f"{national_name}: the pooled police.uk rate of its CSPs with complete data, not the"
            " ONS figure."
            if national_name and national_rate is not None
            else "No national figure: the police.uk data loaded do not cover the nation;"
            " averages are pooled police.uk rates of the CSPs named."
        ),
    )


NATIONAL_CONTEXT_PART = "national-context"
"""The second part of the national-context chart's id (``comparators-national-context``)."""
_COMPARISON_ORDER = ("area", "nation", "comparators")
_COMPARISON_COLOURS = {
    "area": palette.OKABE_ITO["vermillion"],
    "nation": palette.NEUTRAL,
    "comparators": palette.OKABE_ITO["blue"],
}
_MEASURE_ORDER = ("volume", "rate", "severity")


def national_context_rows(context: pd.DataFrame) -> pd.DataFrame:
    """The rows the national-context chart and table show: per measure, one source.

    Of ``benchmarking_context``, the figures made (a value, no ``not_made``); per measure the
    published table's rows when there are any (they give England without national police.uk
    coverage), else police.uk's.
    """
    made = context[context["value"].notna() & (context["not_made"].fillna("") == "")].copy()
    made["published"] = made["source"].astype(str).str.startswith("published:")
    chosen = []
    for measure in _MEASURE_ORDER:
        rows = made[made["measure"] == measure]
        if rows.empty:
            continue
        chosen.append(rows[rows["published"]] if rows["published"].any() else rows)
    if not chosen:
        return made.iloc[0:0]
    table = pd.concat(chosen, ignore_index=True)
    table["order"] = table["comparison"].map({name: i for i, name in enumerate(_COMPARISON_ORDER)})
    table["measure_order"] = table["measure"].map(
        {name: i for i, name in enumerate(_MEASURE_ORDER)}
    )
    table = table.sort_values(["measure_order", "order"], kind="mergesort")
    return table.drop(columns=["measure_order"]).reset_index(drop=True)


def national_context_chart(*, context: pd.DataFrame, area_name: str, period: str) -> Figure:
    """Small multiples of the area against its nation and comparator group: volume, rate and
    severity, each on its own scale, with 95% intervals where the figure has one.

    Parameters
    ----------
    context
        ``benchmarking_context`` rows (``measure, measure_name, comparison, comparison_name,
        source, value, lower_ci, upper_ci, unit, not_made``).
    area_name, period
        The assessed area and period, for the title.

    Raises
    ------
    FigureDataError
        When no figure of the area is made.
    """
    require_columns(
        context,
        ("measure", "measure_name", "comparison", "comparison_name", "source", "value",
         "lower_ci", "upper_ci", "unit", "not_made"),
        where="national context chart",
    )  # fmt: skip
    table = national_context_rows(context)
    if table.empty or not (table["comparison"] == "area").any():
        raise FigureDataError(f"national context chart: no figure of {area_name} is made")
    plotted = table[
        ["measure", "measure_name", "comparison", "comparison_name", "value", "lower_ci",
         "upper_ci", "unit", "source"]
    ].copy()  # fmt: skip
    plotted["panel"] = plotted["measure_name"] + " (" + plotted["unit"].astype(str) + ")"
    sentences = []
    for (measure, measure_name), rows in plotted.groupby(["measure", "measure_name"], sort=False):
        parts = [
            f"{name} {format_number(float(value), digits=0 if measure == 'volume' else 1)}"
            for name, value in zip(
                rows["comparison_name"].astype(str),
                rows["value"].astype(float),
                strict=True,
            )
        ]
        sentences.append(f"{measure_name}: {', '.join(parts)}.")
    sources = sorted(set(plotted["source"].astype(str)))
    alt_text = f"{area_name} against its nation and comparator group, {period}. " + " ".join(
        sentences
    )
    title = f"{area_name} against England and its comparators, {period}"
    comparisons = [name for name in _COMPARISON_ORDER if (plotted["comparison"] == name).any()]
    y = {"field": "comparison_name", "type": "nominal", "title": None, "sort": None}
    colour = {
        "field": "comparison",
        "type": "nominal",
        "title": None,
        "legend": None,
        "scale": {
            "domain": comparisons,
            "range": [_COMPARISON_COLOURS[name] for name in comparisons],
        },
    }
    spec = base_spec(
        title=title,
        subtitle=["Whiskers: 95% confidence intervals (rates only; published scores have none)."],
        description=alt_text,
    )
    spec.update(
        {
            "data": {"values": spec_records(plotted)},
            "facet": {
                "row": {
                    "field": "panel",
                    "type": "nominal",
                    "title": None,
                    "sort": list(dict.fromkeys(plotted["panel"])),
                }
            },
            "spec": {
                "width": 380,
                "height": {"step": 22},
                "layer": [
                    {
                        "mark": {"type": "bar", "height": {"band": 0.7}},
                        "encoding": {
                            "y": y,
                            "x": {"field": "value", "type": "quantitative", "title": None},
                            "color": colour,
                        },
                    },
                    {
                        "mark": {
                            "type": "rule",
                            "color": palette.OKABE_ITO["black"],
                            "strokeWidth": 1.2,
                        },
                        "encoding": {
                            "y": y,
                            "x": {"field": "lower_ci", "type": "quantitative"},
                            "x2": {"field": "upper_ci"},
                        },
                    },
                ],
            },
            "resolve": {"scale": {"x": "independent", "y": "independent"}},
        }
    )
    return Figure(
        figure_id=figure_id(FigureKind.COMPARATORS, NATIONAL_CONTEXT_PART),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=plotted.drop(columns=["panel"]),
        source_table="benchmarking_context",
        crime_group=None,
        note="Sources: " + "; ".join(source.removeprefix("published: ") for source in sources),
    )
