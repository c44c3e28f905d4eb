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


def proportion(
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    *,
    multiplier: float = 1,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Proportion ``x / n`` with a Wilson score confidence interval.

    ``lower, upper = (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))``, scaled by the
    multiplier (1 for a fraction, 100 for a percentage).

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
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``numerator, denominator, value, lower_ci, upper_ci, confidence,
        multiplier, method`` (``"Wilson"``).

    Raises
    ------
    StatisticsInputError
        Negative or non-finite numerator, zero/negative/non-finite denominator, or numerator
        greater than denominator; the message gives the row.

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
    level = normalise_confidence(confidence)
    inputs = InputArrays(numerator=numerator, denominator=denominator)
    inputs.require_non_negative("numerator")
    inputs.require_positive("denominator")
    inputs.require_not_greater("numerator", "denominator")
    x = inputs["numerator"]
    n = inputs["denominator"]
    lower, upper = wilson_limits(x, n, critical_value(level))
    scale = float(multiplier)
    return pd.DataFrame(
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
