"""The chart a report or the observatory shows: a Vega-Lite specification with its data.

A :class:`Figure` carries everything a document needs to publish a chart accessibly: a title,
a text alternative computed from the data, the complete Vega-Lite specification with its data
inline, and the data table plotted (published beside the chart as CSV).

References
----------
Satyanarayan, A., Moritz, D., Wongsuphasawat, K. & Heer, J. (2017) Vega-Lite: a grammar of
interactive graphics, *IEEE TVCG* 23(1):341-350; Vega-Lite v5 documentation,
https://vega.github.io/vega-lite/docs/. W3C WAI (2024) *Images tutorial: complex images*
(a short text alternative plus the data table).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from safecity.report.figures import palette

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
FONT = "DejaVu Sans"
"""One font, installed with the system: text is measured the same way on every run."""
SUPPRESSED = "suppressed"
"""What a suppressed figure is shown as in charts and data tables (never zero)."""


class FigureKind(StrEnum):
    """The kinds of chart the report draws; the value starts each figure's id."""

    CHANGE_BY_GROUP = "change-by-crime-group"
    MONTHLY_TREND = "monthly-trend"
    WARD_RATES = "ward-rates"
    LSOA_QUINTILE_MAP = "lsoa-quintile-map"
    DEPRIVATION_GRADIENT = "deprivation-gradient"
    HOTSPOT_MAP = "hotspot-map"
    KDE_MAP = "kde-map"
    COMPARATORS = "comparators"


class FigureDataError(ValueError):
    """A table given to a chart builder lacks columns or rows the chart needs."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One chart: its id, title, text alternative, Vega-Lite spec and the data plotted.

    Attributes
    ----------
    figure_id
        Stable slug, unique in a report, e.g. ``"monthly-trend-all_crime"``.
    title
        Sentence-case chart title.
    alt_text
        Text alternative computed from the data (1-3 sentences).
    spec
        Complete Vega-Lite v5 JSON with the data inline.
    data
        The chart's data table, exactly the values plotted.
    source_table
        The artefact table the data come from.
    crime_group
        Crime group id for a theme chart, ``None`` for an overview chart.
    note
        Caveat printed under the chart, if any.
    """

    figure_id: str
    title: str
    alt_text: str
    spec: dict[str, Any]
    data: pd.DataFrame
    source_table: str
    crime_group: str | None
    note: str | None = None


def figure_id(kind: FigureKind, *parts: str | None) -> str:
    """The figure's id: the kind's slug followed by the given parts, e.g. the crime group."""
    return "-".join([kind.value, *(part for part in parts if part)])


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, where: str) -> None:
    """Raise :class:`FigureDataError` naming the columns ``frame`` lacks for chart ``where``."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise FigureDataError(
            f"{where}: the table lacks column(s) {', '.join(missing)}"
            f" (it has {', '.join(map(str, frame.columns))})"
        )


def json_value(value: object) -> Any:
    """A value as plain JSON: missing and non-finite numbers become ``None``, dates ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, pd.Timestamp | datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def spec_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON records, in the frame's order (Vega-Lite inline data)."""
    columns = [str(column) for column in frame.columns]
    return [
        {column: json_value(value) for column, value in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def is_missing(value: object) -> bool:
    """Whether ``value`` is missing (``None``, NaN, NA)."""
    return json_value(value) is None


def base_spec(
    *, title: str, subtitle: Sequence[str] | str | None, description: str
) -> dict[str, Any]:
    """The top of every specification: schema, title, text alternative and shared config.

    ``description`` becomes the SVG's ``aria-label``, so the rendered chart carries its text
    alternative (Vega-Lite docs, "Accessibility: description"). ``aria: false`` stops Vega
    labelling every mark with its raw field names (``x_min: 444371.99``): the chart is one
    image whose text alternative and data table say what it shows (Vega-Lite docs, "config:
    aria").
    """
    title_block: dict[str, Any] = {"text": title, "anchor": "start", "fontSize": 15}
    if subtitle:
        title_block["subtitle"] = subtitle
        title_block["subtitleFontSize"] = 12
        title_block["subtitleColor"] = palette.SUBTITLE_INK
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description,
        "title": title_block,
        "background": "white",
        "config": {
            "aria": False,
            "font": FONT,
            "view": {"stroke": None},
            "axis": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "labelColor": palette.INK,
                "titleColor": palette.INK,
                "gridColor": palette.GRID_GREY,
            },
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
        },
    }


def format_number(value: float, *, digits: int = 1) -> str:
    """A number with thousands separators and ``digits`` decimals (``1,234.5``)."""
    return f"{value:,.{digits}f}"


def format_count(value: float) -> str:
    """A whole count with thousands separators."""
    return f"{round(value):,}"


def signed_percent(value: float) -> str:
    """A percentage change with its sign (``+34.7%``, ``−5.0%``)."""
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    return f"{sign}{abs(value):,.1f}%"


def display_table(figure: Figure) -> pd.DataFrame:
    """The figure's data as text for a published table: missing figures on suppressed rows
    read ``suppressed``, other missing figures stay empty.

    Numbers keep full precision as text (``repr``-style) so that the CSV equals the data.
    """
    table = figure.data.copy()
    if "suppressed" not in table.columns:
        return table
    hidden = table["suppressed"].fillna(False).astype(bool)
    for column in table.columns:
        if column == "suppressed":
            continue
        missing = table[column].isna() & hidden
        if missing.any():
            table[column] = table[column].astype(object)
            table.loc[missing, column] = SUPPRESSED
    return table
