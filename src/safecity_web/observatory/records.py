"""Read-model rows back as plain records with the artefact's column names (charts, downloads)."""

from __future__ import annotations

from typing import Any

from safecity_web import core_gateway
from safecity_web.observatory.models import IndicatorValue

INTEGRAL_COLUMNS = frozenset(
    {"numerator", "denominator", "baseline_numerator", "baseline_denominator"}
)


def indicator_columns() -> list[str]:
    """The columns of the artefact's ``indicators`` table, in order (``row_id`` first)."""
    return core_gateway.indicator_columns()


def value_record(row: IndicatorValue, *, columns: list[str] | None = None) -> dict[str, Any]:
    """One indicator row as a record with every artefact column (missing values None)."""
    record: dict[str, Any] = {}
    for column in columns or indicator_columns():
        value = getattr(row, column)
        if value == "" and column not in ("row_id",):
            value = None
        record[column] = value
    return record


PRECISE_MARKERS = ("ratio", "p_value", "share", "proportion")


def chart_cell(column: str, value: Any) -> Any:
    """A value for a chart's data table as text: counts whole, ratios and p-values to three
    significant figures, rates to one decimal."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if any(marker in column for marker in PRECISE_MARKERS):
            return f"{value:.3g}"
        if value.is_integer():
            return f"{round(value):,}"
        return f"{value:,.1f}" if abs(value) >= 0.05 else f"{value:.3g}"
    return value
