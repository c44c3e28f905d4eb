"""How the observatory writes numbers and labels: one place, so every page reads the same.

Suppressed figures read "suppressed" (never 0); missing figures read "not available".
Significance labels always carry words (never colour alone, WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from safecity_web.observatory.models import IndicatorValue, Polarity

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
    """A label as words and the GOV.UK tag colour that goes with them."""

    text: str
    tag_class: str


def change_label(row: IndicatorValue) -> Label:
    """Whether the change against the baseline is significant, and which way."""
    if row.change_significant is None:
        return Label("Not tested", "govuk-tag--grey")
    if not row.change_significant:
        return Label("No significant change", "govuk-tag--grey")
    increase = (row.change_ratio or 1.0) > 1.0 or (row.change_pct or 0.0) > 0
    return Label(
        "Significant increase" if increase else "Significant decrease",
        _judged_class(worse=increase, polarity=row.indicator.polarity),
    )


def _judged_class(*, worse: bool, polarity: str) -> str:
    if polarity == Polarity.LOW_IS_GOOD:
        return "govuk-tag--red" if worse else "govuk-tag--green"
    if polarity == Polarity.HIGH_IS_GOOD:
        return "govuk-tag--green" if worse else "govuk-tag--red"
    return "govuk-tag--blue" if worse else "govuk-tag--light-blue"


def benchmark_label(row: IndicatorValue) -> Label:
    """The row against its benchmark: Higher, Similar or Lower, with better/worse by polarity."""
    label = (row.benchmark_label or "").strip()
    if row.suppressed and row.value is None:
        return Label("Suppressed", "govuk-tag--grey")
    if label not in ("Higher", "Lower", "Similar"):
        return Label("Not compared", "govuk-tag--grey")
    if label == "Similar":
        return Label("Similar", "govuk-tag--yellow")
    polarity = row.indicator.polarity
    if polarity == Polarity.NO_JUDGEMENT:
        return Label(label, _judged_class(worse=label == "Higher", polarity=polarity))
    worse = (label == "Higher") == (polarity == Polarity.LOW_IS_GOOD)
    return Label(
        f"{label} ({'worse' if worse else 'better'})",
        _judged_class(worse=label == "Higher", polarity=polarity),
    )
