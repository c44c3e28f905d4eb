"""How the observatory writes numbers and labels: one place, so every page reads the same.

Suppressed figures read "suppressed" (never 0); missing figures read "not available".
Significance labels always carry words (never colour alone, WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from safecity_web.observatory import visual
from safecity_web.observatory.models import IndicatorValue

SUPPRESSED = "suppressed"
NOT_AVAILABLE = "not available"
MINUS = "\u2212"


def format_rate(value: float | None, *, suppressed: bool = False, digits: int = 1) -> str:
    """A rate with thousands separators and one decimal (``1,234.5``)."""
    if value is None:
        return SUPPRESSED if suppressed else NOT_AVAILABLE
    return f"{value:,.{digits}f}"


def format_count(value: float | None, *, suppressed: bool = False) -> str:
    """A whole count with thousands separators (``29,682``)."""
    if value is None:
        return SUPPRESSED if suppressed else NOT_AVAILABLE
    return f"{round(value):,}"


def format_interval(lower: float | None, upper: float | None, *, suppressed: bool = False) -> str:
    """A confidence interval as ``24.2 to 25.5``."""
    if lower is None or upper is None:
        return SUPPRESSED if suppressed else NOT_AVAILABLE
    return f"{format_rate(lower)} to {format_rate(upper)}"


def format_percent_change(value: float | None) -> str:
    """A percentage change with its sign (``+2.0%``, ``−1.4%``)."""
    if value is None:
        return NOT_AVAILABLE
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{abs(value):,.1f}%"


def format_p_value(value: float | None) -> str:
    """A p-value as ``p = 0.019`` (``p < 0.001`` below that)."""
    if value is None:
        return ""
    if value < 0.001:
        return "p < 0.001"
    return f"p = {value:.3f}"


@dataclass(frozen=True, slots=True)
class Label:
    """A label as words and the tag class that colours it (from the core's palette)."""

    text: str
    tag_class: str


def change_label(row: IndicatorValue) -> Label:
    """Whether the change against the baseline is significant, and which way.

    Coloured as the change chart colours it (``visual.change_class``): an increase in the
    chart's vermillion, a decrease in its blue, whatever the indicator's polarity; the words say
    which.
    """
    if row.change_significant is None:
        return Label("Not tested", visual.comparison_class(visual.NOT_COMPARED))
    if not row.change_significant:
        return Label("No significant change", visual.change_class("not-significant"))
    increase = (row.change_ratio or 1.0) > 1.0 or (row.change_pct or 0.0) > 0
    return Label(
        "Significant increase" if increase else "Significant decrease",
        visual.change_class("increase" if increase else "decrease"),
    )


def benchmark_label(row: IndicatorValue) -> Label:
    """The row against its benchmark, in the words and colour of the label the artefact gives.

    The assessment labels a ward or neighbourhood against its own area's rate by the Fingertips
    95% interval rule without judgement (Higher, Similar, Lower: methods.md §2.1), and a
    partnership against other partnerships with the indicator's polarity (Better, Similar,
    Worse). The label is shown as made, coloured from the one palette, so that a ward's tag in
    the table, its bar on the chart and its fill on the map agree.
    """
    label = (row.benchmark_label or "").strip()
    if row.suppressed and row.value is None:
        return Label("Suppressed", visual.comparison_class(visual.NOT_COMPARED))
    if label not in visual.colours()["comparison"]:
        label = visual.NOT_COMPARED
    return Label(label, visual.comparison_class(label))
