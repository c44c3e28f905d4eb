"""A month without data is a gap in the monthly trend, never a zero (methods.md §0.2a).

The series has the shape ``safecity assess`` writes: one row per month, ``count`` empty (NA)
and ``has_data`` false for a month without data. Six months, March and April without data;
the counts are made up for the test.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from safecity.report.charts import data_table
from safecity.report.figures import display_table, render_svg
from safecity.report.figures.trend import BREAK_AT_GAPS, monthly_trend_chart

COUNTS = [10, 12, None, None, 11, 9]
HAS_DATA = [True, True, False, False, True, True]


@pytest.fixture
def series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_id": "all_crime",
            "area_code": "E22900001",
            "month": pd.date_range("2023-01-01", periods=6, freq="MS"),
            "count": pd.array(COUNTS, dtype="Int64"),
            "has_data": HAS_DATA,
        }
    )


def _line_path(svg: str) -> str:
    """The ``d`` of the monthly counts' line (the first line mark of the chart)."""
    match = re.search(
        r'<g class="mark-line role-mark layer_0_layer_0_marks"[^>]*><path d="([^"]+)"', svg
    )
    assert match is not None, "the chart has no line"
    return match.group(1)


def test_months_without_data_break_the_line_and_are_marked(series: pd.DataFrame) -> None:
    figure = monthly_trend_chart(
        series=series, group_id="all_crime", group_name="All crime", area_name="Demoton"
    )
    values = figure.spec["data"]["values"]
    assert [row["count"] for row in values] == COUNTS  # null, not 0
    assert [row["has_data"] for row in values] == HAS_DATA
    line = next(layer for layer in figure.spec["layer"] if layer["mark"]["type"] == "line")
    assert line["mark"]["invalid"] == BREAK_AT_GAPS
    marker = next(
        layer
        for layer in figure.spec["layer"]
        if layer["encoding"].get("text") == {"value": "no data"}
    )
    assert marker["transform"] == [{"filter": "!datum.has_data"}]
    svg = render_svg(spec=figure.spec)
    # Two pieces of line (January-February, May-June), none drawn through March and April:
    # each piece starts with a move (M) and has one segment (L).
    path = _line_path(svg)
    assert path.count("M") == 2
    assert path.count("L") == 2
    assert svg.count(">no data<") == 2


def test_a_null_would_draw_the_gap_at_the_foot_of_the_scale(series: pd.DataFrame) -> None:
    """Why ``invalid`` is not ``null``: Vega-Lite 5.20 then plots the empty months as points at
    the bottom of the axis, joined to their neighbours, which reads as a low count."""
    figure = monthly_trend_chart(
        series=series, group_id="all_crime", group_name="All crime", area_name="Demoton"
    )
    for layer in figure.spec["layer"]:
        if layer["mark"]["type"] == "line" and "invalid" in layer["mark"]:
            layer["mark"]["invalid"] = None
    path = _line_path(render_svg(spec=figure.spec))
    assert path.count("M") == 1
    assert path.count("L") == 5


def test_gaps_are_named_in_the_text_alternative_table_and_csv(series: pd.DataFrame) -> None:
    figure = monthly_trend_chart(
        series=series, group_id="all_crime", group_name="All crime", area_name="Demoton"
    )
    assert "Counts ranged from 9 (June 2023) to 12 (February 2023)." in figure.alt_text
    assert (
        "2 month(s) have no data (March 2023, April 2023): the line breaks there; they are not"
        " counted as zero." in figure.alt_text
    )
    assert "A break in the line is a month with no data." in figure.spec["title"]["subtitle"][0]
    table = data_table(figure)
    count = table.columns.index("Count")
    assert [row[count].text for row in table.rows] == ["10", "12", "no data", "no data", "11", "9"]
    assert [row[count].count for row in table.rows] == [10, 12, None, None, 11, 9]
    csv = pd.read_csv(io.StringIO(display_table(figure).to_csv(index=False)))
    assert csv["count"].isna().tolist() == [False, False, True, True, False, False]
    assert csv["has_data"].tolist() == HAS_DATA


def test_a_series_without_the_flag_keeps_suppressed_months_apart_from_gaps() -> None:
    """A public series has ``suppressed``; an empty count there is suppressed, not a gap."""
    series = pd.DataFrame(
        {
            "group_id": "rape",
            "month": pd.date_range("2023-01-01", periods=3, freq="MS"),
            "count": pd.array([7, None, 6], dtype="Int64"),
            "suppressed": [False, True, False],
        }
    )
    figure = monthly_trend_chart(series=series, group_id="rape", group_name="Rape", area_name="X")
    assert figure.data["has_data"].tolist() == [True, True, True]
    assert "no data" not in figure.alt_text
    assert "1 month(s) are suppressed" in figure.alt_text
    count = data_table(figure).columns.index("Count")
    assert [row[count].text for row in data_table(figure).rows] == ["7", "suppressed", "6"]
