"""Proportions with Wilson score confidence intervals (``methods.md`` §1.2)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    critical_value,
    normalise_confidence,
    require_multiplier,
    set_label_column,
)
from safecity.stats.labels import IntervalMethod

__all__ = ["proportion", "wilson_limits"]


def wilson_limits(
    numerator: FloatArray, denominator: FloatArray, z: float
) -> tuple[FloatArray, FloatArray]:
    """Wilson (1927) score limits for ``x`` successes out of ``n`` (as fractions).

    ``(2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))``; the lower limit is exactly 0 when
    ``x = 0`` and the upper exactly 1 when ``x = n``. Inputs must already be validated.
    """
    z_squared = z * z
    spread = z * np.sqrt(
        np.maximum(z_squared + 4.0 * numerator * (1.0 - numerator / denominator), 0.0)
    )
    centre = 2.0 * numerator + z_squared
    scale = 2.0 * (denominator + z_squared)
    lower = np.where(numerator == 0, 0.0, (centre - spread) / scale)
    upper = np.where(numerator == denominator, 1.0, (centre + spread) / scale)
    return lower, upper


def _is_full_confidence(confidence: float) -> bool:
    """True for a confidence level of exactly 1 (100%)."""
    try:
        return float(confidence) == 1.0
    except (TypeError, ValueError):
        return False


def proportion(
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    *,
    multiplier: float = 1,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Proportion ``x / n`` with a Wilson score confidence interval.

    ``lower, upper = (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))``, scaled by the
    multiplier (1 for a fraction, 100 for a percentage). At ``confidence=1`` (100%) the
    interval is the whole range, ``(0, 1) × multiplier``, as PHEindicatormethods
    ``phe_proportion`` returns (``methods.md`` §1.2).

    Parameters
    ----------
    numerator : array-like
        Successes ``x`` (≥ 0 and ≤ ``n``; non-integer values are accepted, as in
        PHEindicatormethods).
    denominator : array-like
        Trials ``n`` (> 0).
    multiplier : float, keyword-only
        1 for a fraction, 100 for a percentage.
    confidence : float, keyword-only
        Confidence level as a fraction, strictly above 0 and at most 1.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``numerator, denominator, value, lower_ci, upper_ci, confidence,
        multiplier, method`` (``IntervalMethod.WILSON``, ``"Wilson"``).

    Raises
    ------
    StatisticsInputError
        Negative or non-finite numerator, zero/negative/non-finite denominator, or numerator
        greater than denominator (the message gives the row); a multiplier that is not a
        positive finite number; a confidence level outside (0, 1].

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
    *J Am Stat Assoc* 22:209–212. Newcombe RG, Altman DG (2000). Proportions and their
    differences. In *Statistics with Confidence*, 2nd edn, BMJ Books, 46–48.
    PHEindicatormethods ``phe_proportion``; ``methods.md`` §1.2.

    Examples
    --------
    >>> proportion([65, 0], [100, 10])[["value", "lower_ci", "upper_ci"]].round(7)
       value  lower_ci  upper_ci
    0   0.65  0.552544  0.736357
    1   0.00  0.000000  0.277533
    """
    whole_range = _is_full_confidence(confidence)
    level = 1.0 if whole_range else normalise_confidence(confidence)
    scale = require_multiplier(multiplier)
    inputs = InputArrays(numerator=numerator, denominator=denominator)
    inputs.require_non_negative("numerator")
    inputs.require_positive("denominator")
    inputs.require_not_greater("numerator", "denominator")
    x = inputs["numerator"]
    n = inputs["denominator"]
    if whole_range:
        lower, upper = np.zeros_like(x), np.ones_like(x)
    else:
        lower, upper = wilson_limits(x, n, critical_value(level))
    result = pd.DataFrame(
        {
            "numerator": x,
            "denominator": n,
            "value": x / n * scale,
            "lower_ci": lower * scale,
            "upper_ci": upper * scale,
            "confidence": level,
            "multiplier": scale,
            "method": IntervalMethod.WILSON.value,
        },
        index=inputs.index,
    )
    set_label_column(result, "method", IntervalMethod.WILSON)
    return result
