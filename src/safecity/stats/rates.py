"""Crude rates with exact Poisson or Byar's confidence limits (``methods.md`` §1.1)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._poisson import BYARS_THRESHOLD, count_limits
from safecity.stats._validation import (
    InputArrays,
    critical_value,
    normalise_confidence,
    require_multiplier,
)
from safecity.stats.labels import IntervalMethod

__all__ = ["crude_rate"]


def crude_rate(
    count: npt.ArrayLike,
    population: npt.ArrayLike,
    *,
    multiplier: float = 1000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate per ``multiplier`` population with a Poisson confidence interval.

    ``value = O / N × M``. Below 10 events the interval is exact (Garwood 1936):
    ``lower = χ²_{α/2}(2O) / 2 / N × M`` (0 when ``O = 0``) and
    ``upper = χ²_{1−α/2}(2O + 2) / 2 / N × M``. From 10 events Byar's approximation
    (Breslow & Day 1987) is used: ``O_L = O(1 − 1/(9O) − z/(3√O))³``,
    ``O_U = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³``, divided by ``N`` and scaled by ``M``.
    Limits are computed on counts and then scaled, as in PHEindicatormethods ``phe_rate``.

    Parameters
    ----------
    count : array-like
        Observed events ``O`` (≥ 0; non-integer values are accepted, as in PHEindicatormethods).
    population : array-like
        Denominator ``N`` (> 0), e.g. mid-year residents or pooled person-years. ``O > N`` is
        allowed for rates.
    multiplier : float, keyword-only
        Rate per this many of the population: 1,000 for crime (CSP convention), 100,000 for
        PHE-style indicators.
    confidence : float, keyword-only
        Confidence level as a fraction, e.g. 0.95 or 0.998.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``count, population, value, lower_ci, upper_ci, confidence,
        multiplier, method`` (categorical whose categories are the :class:`IntervalMethod`
        members ``Exact`` and ``Byars``) and ``unreliable`` (count < 10, ``methods.md`` §0.2).
        The index is that of the first Series among the inputs.

    Raises
    ------
    StatisticsInputError
        A count is negative or not finite, or a population is zero, negative or not finite
        (the message gives the row); or the multiplier is not a positive finite number.

    References
    ----------
    Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, Volume II*. IARC.
    Garwood F (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28:437–442.
    PHEindicatormethods ``phe_rate`` (UKHSA, v2.1.0); ``methods.md`` §1.1.

    Examples
    --------
    >>> result = crude_rate([1, 65], [100, 100], multiplier=100)
    >>> result[["value", "lower_ci", "upper_ci", "method"]].round(6)
       value   lower_ci   upper_ci method
    0    1.0   0.025318   5.571643  Exact
    1   65.0  50.163188  82.849139  Byars
    """
    level = normalise_confidence(confidence)
    rate_multiplier = require_multiplier(multiplier)
    inputs = InputArrays(count=count, population=population)
    inputs.require_non_negative("count")
    inputs.require_positive("population")
    observed = inputs["count"]
    denominator = inputs["population"]
    scale = rate_multiplier / denominator
    lower, upper, use_byars = count_limits(observed, level, critical_value(level))
    method = pd.Categorical.from_codes(
        use_byars.astype(np.int8),
        categories=pd.Index([IntervalMethod.EXACT, IntervalMethod.BYARS], dtype=object),
    )
    return pd.DataFrame(
        {
            "count": observed,
            "population": denominator,
            "value": observed * scale,
            "lower_ci": lower * scale,
            "upper_ci": upper * scale,
            "confidence": level,
            "multiplier": rate_multiplier,
            "method": method,
            "unreliable": observed < BYARS_THRESHOLD,
        },
        index=inputs.index,
    )
