"""Exceptions raised by :mod:`safecity.stats`."""

from __future__ import annotations

__all__ = ["StatisticsInputError"]


class StatisticsInputError(ValueError):
    """Input to a statistical method is invalid.

    The message names the argument, says what is wrong and gives the first offending row
    (its position and, when the input was a :class:`pandas.Series`, its index label).
    """
