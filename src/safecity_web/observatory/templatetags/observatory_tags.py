"""Template filters writing the observatory's numbers and labels (see ``presentation``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from safecity_web.observatory import methods_catalogue, presentation
from safecity_web.observatory.models import Finding, IndicatorValue

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


@register.simple_tag
def method_link(method_id: str) -> SafeString:
    """``{% method_link "rate_ratio_test" %}``: the method in readers' words, linked to its
    entry on the methods page (plain text when the appendix has no such entry)."""
    entry = methods_catalogue.entry(method_id)
    if entry is None:
        return SafeString("")
    return format_html(
        '<a class="govuk-link" href="{}">{}</a>', methods_catalogue.url(method_id), entry.plain
    )


@register.simple_tag
def change_test(row: IndicatorValue) -> SafeString:
    """How the row's change was tested, in words with a link, and its p-value; empty when the
    change was not tested."""
    if not row.change_test or row.change_significant is None:
        return SafeString("")
    p_value = presentation.format_p_value(row.change_p_value)
    return format_html(
        "Tested with {}{}",
        method_link(methods_catalogue.CHANGE_TEST),
        f", {p_value}" if p_value else "",
    )


@register.simple_tag
def finding_methods(finding: Finding) -> SafeString:
    """The methods a finding rests on, linked to the methods page: `` (how this was worked
    out: an exact test comparing the two rates)``; empty for a finding without methods."""
    known = [method_id for method_id in finding.methods or [] if methods_catalogue.entry(method_id)]
    if not known:
        return SafeString("")
    links = format_html_join("; ", "{}", ((method_link(method_id),) for method_id in known))
    return format_html(" (how this was worked out: {})", links)


@register.filter
def percent(share: Any) -> str:
    """A share as a percentage for headings: ``0.95`` -> ``95%``, ``0.998`` -> ``99.8%``.

    Headings write the confidence level the assessment used (its manifest's ``confidence``),
    never a fixed "95%".
    """
    try:
        return f"{float(share) * 100:g}%"
    except (TypeError, ValueError):
        return ""
