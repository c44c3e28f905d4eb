"""The chart of the community reports: hate reports by strand in the two years.

Both take the ``community_reports`` family's tables of the Assessment artefact for the report's
audience. A withheld count (under the threshold, or withheld so that another cannot be worked
back) is never drawn: the chart writes "withheld" where its dot would be.

* :func:`strand_chart` - a dot chart: one row per strand, one dot per year (colour *and* shape
  differ, so the years read in greyscale), on a common count scale.

References
----------
Cleveland, W. S. & McGill, R. (1984) Graphical perception, *JASA* 79(387):531-554 (dots on a
common scale); Okabe, M. & Ito, K. (2008) *Color Universal Design* (the palette). Vega-Lite v5
documentation, https://vega.github.io/vega-lite/docs/.
"""

from __future__ import annotations

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

STRAND_ID = "community-reports-by-strand"
YEAR_COLOURS = (palette.NEUTRAL, palette.OKABE_ITO["blue"])
YEAR_SHAPES = ("square", "circle")


def fewer_than(threshold: int) -> str:
    """How a withheld count reads: "fewer than 5 reports, or withheld" (never a number)."""
    return f"withheld (under {threshold}, or would reveal one)"


def _count(value: object) -> float:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float("nan") if pd.isna(number) else float(number)


def strand_chart(
    *,
    strands: pd.DataFrame,
    period: str,
    baseline: str,
    area_name: str,
    threshold: int,
) -> Figure:
    """Hate reports naming each strand, previous and assessed year, as dots.

    Parameters
    ----------
    strands
        ``community_reports_strand`` (the audience's copy).
    period, baseline
        Labels of the assessed and the previous period.
    area_name
        For the title.
    threshold
        The small-number threshold (for the words of a withheld count).

    Raises
    ------
    FigureDataError
        When a column is missing or no strand has reports in either year.
    """
    require_columns(
        strands,
        ("strand_label", "community_reports", "community_reports_previous"),
        where="community reports by strand",
    )
    rows = []
    for record in strands.to_dict("records"):
        for year, column in (
            (baseline, "community_reports_previous"),
            (period, "community_reports"),
        ):
            value = _count(record[column])
            rows.append(
                {
                    "strand": str(record["strand_label"]),
                    "year": year,
                    "reports": value,
                    "withheld": pd.isna(value),
                    "shown": fewer_than(threshold) if pd.isna(value) else f"{value:,.0f}",
                }
            )
    data = pd.DataFrame(rows)
    shown = data.loc[~data["withheld"], "reports"]
    if not bool(data["withheld"].any()) and (shown.empty or float(shown.max()) == 0):
        raise FigureDataError("community reports by strand: no strand has reports in either year")
    order = list(dict.fromkeys(data["strand"]))
    years = [baseline, period]
    latest = data[data["year"] == period]
    described = "; ".join(
        f"{strand} {text}" for strand, text in zip(latest["strand"], latest["shown"], strict=True)
    )
    title = f"Hate incident reports by strand, {area_name}, {baseline} and {period}"
    alt_text = (
        f"Dot chart of hate incident reports naming each of {len(order)} strands in {baseline}"
        f" and {period} (a report naming two strands counts in both). In {period}: {described}."
    )
    y = {"field": "strand", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 260}}  # fmt: skip
    y_offset = {"field": "year", "type": "nominal", "sort": years}
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "point", "filled": True, "size": 70, "stroke": palette.INK,
                     "strokeWidth": 0.8, "opacity": 1},
            "encoding": {
                "y": y, "yOffset": y_offset,
                "x": {"field": "reports", "type": "quantitative", "title": "Reports",
                      "scale": {"zero": True}},
                "color": {"field": "year", "type": "nominal", "title": "Year",
                          "scale": {"domain": years, "range": list(YEAR_COLOURS)}},
                "shape": {"field": "year", "type": "nominal", "title": "Year",
                          "scale": {"domain": years, "range": list(YEAR_SHAPES)}},
            },
        },
        {
            "transform": [{"filter": "datum.withheld"}],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10,
                     "color": palette.INK, "x": 0},
            "encoding": {"y": y, "yOffset": y_offset, "text": {"field": "shown"}},
        },
    ]  # fmt: skip
    spec = base_spec(
        title=title,
        subtitle=[
            "Reports to the partnership (online form, reporting centres, apps).",
            f"Counts under {threshold} (and any that would reveal one) are withheld.",
        ],
        description=alt_text,
    )
    spec.update(
        {
            "width": 380,
            "height": {"step": 18},
            "data": {"values": spec_records(data)},
            "layer": layers,
        }
    )
    return Figure(
        figure_id=STRAND_ID,
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=data,
        source_table="community_reports_strand",
        crime_group=None,
        note=(
            "A report naming two strands counts under both, so the strands add up to more than"
            " the hate reports. Police-recorded hate crime by strand is in the text above."
        ),
    )


__all__ = ["STRAND_ID", "fewer_than", "strand_chart"]
