"""Template filters writing the observatory's numbers and labels (see ``presentation``)."""

from __future__ import annotations

from typing import Any

from django import template

from safecity_web.observatory import presentation
from safecity_web.observatory.models import IndicatorValue

register = template.Library()


@register.filter
def rate(row: IndicatorValue) -> str:
    """The row's value (rate), or "suppressed"."""
    return presentation.format_rate(row.value, suppressed=row.suppressed)


@register.filter
def count(row: IndicatorValue) -> str:
    """The row's count (numerator), or "suppressed"."""
    return presentation.format_count(row.numerator, suppressed=row.suppressed)


@register.filter
def interval(row: IndicatorValue) -> str:
    """The row's confidence interval, or "suppressed"."""
    return presentation.format_interval(row.lower_ci, row.upper_ci, suppressed=row.suppressed)


@register.filter
def baseline_rate(row: IndicatorValue) -> str:
    """The row's baseline value."""
    return presentation.format_rate(row.baseline_value)


@register.filter
def change(row: IndicatorValue) -> str:
    """The row's percentage change against the baseline, signed."""
    return presentation.format_percent_change(row.change_pct)


@register.filter
def p_value(row: IndicatorValue) -> str:
    """The p-value of the change test."""
    return presentation.format_p_value(row.change_p_value)


@register.filter
def number(value: Any) -> str:
    """Any number with one decimal, or "not available"."""
    if value is None or value == "":
        return presentation.NOT_AVAILABLE
    try:
        return presentation.format_rate(float(value))
    except (TypeError, ValueError):
        return str(value)


@register.simple_tag
def change_label(row: IndicatorValue) -> presentation.Label:
    """``{% change_label row as label %}``: label.text and label.tag_class."""
    return presentation.change_label(row)


@register.simple_tag
def benchmark_label(row: IndicatorValue) -> presentation.Label:
    """``{% benchmark_label row as label %}``: label.text and label.tag_class."""
    return presentation.benchmark_label(row)


@register.filter
def cell(values: dict[str, Any], column: str) -> Any:
    """``values|cell:column``: one value of a published table row."""
    found = values.get(column)
    return "" if found is None else found


@register.filter
def thousands(value: Any) -> str:
    """A whole number with thousands separators (``1,000``)."""
    if value is None or value == "":
        return presentation.NOT_AVAILABLE
    return f"{round(float(value)):,}"
