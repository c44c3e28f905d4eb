"""Template filters of the strategy pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

register = template.Library()


@register.filter
def date_parts(value: Any) -> list[Any]:
    """Day, month and year of a date field's value (a date, or the three typed parts)."""
    if isinstance(value, datetime.date):
        return [value.day, value.month, value.year]
    if isinstance(value, list | tuple) and len(value) == 3:
        return list(value)
    return ["", "", ""]


@register.filter
def number(value: float | None, places: int = 1) -> str:
    """A number with thousands separators and ``places`` decimals; a dash for none."""
    if value is None:
        return "–"
    return f"{value:,.{places}f}"


@register.simple_tag
def statement_published() -> bool:
    """``{% statement_published as published %}``: whether a statement page exists to link to.

    Pages link to ``/statement/`` only when this is true, so the site never links to the page
    while it answers 404 (nothing published yet).
    """
    from safecity_web.strategy.statement import statement_is_published

    return statement_is_published()
