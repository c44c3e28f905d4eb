"""How every number in the report is written: the one place numbers become text.

Templates never format a number; the narrative, tables and key figures call these functions,
and the tests format the artefact's raw values with the same functions to check that every
number printed is the number of the row it cites.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

MISSING = "–"
"""Printed where the artefact has no value (not computed or not applicable)."""

SUPPRESSED = "suppressed"
"""Printed where disclosure control removed a small count and what it would reveal."""


def is_missing(value: object) -> bool:
    """Whether ``value`` is absent: ``None``, NaN or pandas' missing markers."""
    if value is None:
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(float(value))
    return False


def format_count(value: object) -> str:
    """A whole count with thousands separators: ``29682`` -> ``"29,682"``."""
    if is_missing(value):
        return MISSING
    return f"{round(float(str(value))):,}"


def format_decimal(value: object, *, places: int = 1) -> str:
    """A number with ``places`` decimals and thousands separators: ``121.26`` -> ``"121.3"``."""
    if is_missing(value):
        return MISSING
    number = float(str(value))
    text = f"{number:,.{places}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        return text[1:]  # no "-0.0" for a small negative number
    return text


def format_rate(value: object) -> str:
    """A rate per 1,000 (or the artefact's multiplier) with one decimal."""
    return format_decimal(value, places=1)


def format_interval(lower: object, upper: object, *, places: int = 1) -> str:
    """A confidence interval as ``"119.9 to 122.7"`` (``"–"`` when either end is missing)."""
    if is_missing(lower) or is_missing(upper):
        return MISSING
    return f"{format_decimal(lower, places=places)} to {format_decimal(upper, places=places)}"


def format_percent(value: object, *, places: int = 1) -> str:
    """A percentage already in percent: ``2.03`` -> ``"2.0%"``."""
    if is_missing(value):
        return MISSING
    return f"{format_decimal(value, places=places)}%"


def format_share(value: object, *, places: int = 1) -> str:
    """A share between 0 and 1 as a percentage: ``0.176`` -> ``"17.6%"``."""
    if is_missing(value):
        return MISSING
    return format_percent(float(str(value)) * 100.0, places=places)


def format_change(value: object) -> str:
    """A percentage change with its direction word: ``2.03`` -> ``"2.0% increase"``."""
    if is_missing(value):
        return MISSING
    number = float(str(value))
    magnitude = format_percent(abs(number))
    if magnitude == "0.0%":
        return "no change (0.0%)"
    return f"{magnitude} {'increase' if number > 0 else 'decrease'}"


def format_signed_percent(value: object) -> str:
    """A percentage change with its sign: ``2.03`` -> ``"+2.0%"``, ``-1.36`` -> ``"-1.4%"``."""
    if is_missing(value):
        return MISSING
    text = format_percent(value)
    return text if text.startswith("-") or text == "0.0%" else f"+{text}"


def format_p_value(value: object) -> str:
    """A p-value as ``"p = 0.019"`` (three significant figures) or ``"p < 0.001"``."""
    if is_missing(value):
        return MISSING
    number = float(str(value))
    if number < 0.001:
        return "p < 0.001"
    return f"p = {number:.3g}"


def format_ratio(value: object) -> str:
    """A ratio with two decimals: ``3.7412`` -> ``"3.74"``."""
    return format_decimal(value, places=2)


def format_score(value: object) -> str:
    """A priority score to one decimal, without trailing zeros: ``21.0`` -> ``"21"``."""
    if is_missing(value):
        return MISSING
    number = round(float(str(value)), 1)
    return f"{number:g}"


NOT_SCORED = "not scored"
"""A criterion without evidence for an issue (the priority matrix leaves its score empty)."""


def format_criterion_score(value: object) -> str:
    """A criterion's score, or "not scored" where the matrix has none (no evidence)."""
    if is_missing(value):
        return NOT_SCORED
    return format_score(value)


def format_month(value: object) -> str:
    """A month as ``"April 2024"`` from a date or ``"2024-04"`` text."""
    if is_missing(value):
        return MISSING
    if isinstance(value, datetime | date):
        return value.strftime("%B %Y")
    text = str(value)
    return datetime.strptime(text[:7], "%Y-%m").strftime("%B %Y")


def format_date(value: datetime | date) -> str:
    """A date as ``"25 November 2026"`` (the generated-at date of the cover)."""
    return f"{value.day} {value.strftime('%B %Y')}"
