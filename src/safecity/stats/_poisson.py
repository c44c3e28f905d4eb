"""Confidence limits for a Poisson count: exact (Garwood) below 10 events, Byar's from 10."""

from __future__ import annotations

import numpy as np
from scipy import special

from safecity.stats._validation import BoolArray, FloatArray

__all__ = ["BYARS_THRESHOLD", "byars_limits", "count_limits", "exact_limits"]

BYARS_THRESHOLD = 10.0
"""Counts at or above this use Byar's approximation (PHEindicatormethods ``phe_rate``)."""


def exact_limits(count: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Garwood (1936) exact limits for a Poisson count.

    ``χ²_{α/2}(2O)/2`` is the inverse regularised lower incomplete gamma function
    ``P⁻¹(O, α/2)``, so :func:`scipy.special.gammaincinv` gives the chi-square quantiles
    directly; the lower limit is 0 when ``O = 0`` (SciPy returns NaN for 0 degrees of freedom,
    R returns 0). Distinct counts are evaluated once, which keeps a million-row call fast.
    """
    alpha = 1.0 - confidence
    lower = np.zeros_like(count)
    upper = np.empty_like(count)
    if count.size == 0:
        return lower, upper
    distinct, inverse = np.unique(count, return_inverse=True)
    distinct_upper = special.gammaincinv(distinct + 1.0, 1.0 - alpha / 2.0)
    distinct_lower = np.zeros_like(distinct)
    positive = distinct > 0
    distinct_lower[positive] = special.gammaincinv(distinct[positive], alpha / 2.0)
    lower = distinct_lower[inverse]
    upper = distinct_upper[inverse]
    return lower, upper


def byars_limits(count: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Byar's approximation to the Poisson limits (Breslow & Day 1987).

    ``O_L = O(1 − 1/(9O) − z/(3√O))³`` and ``O_U = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³``.
    Only meaningful for ``O > 0``; callers use it for counts of 10 or more.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = count * (1.0 - 1.0 / (9.0 * count) - z / (3.0 * np.sqrt(count))) ** 3
    following = count + 1.0
    upper = following * (1.0 - 1.0 / (9.0 * following) + z / (3.0 * np.sqrt(following))) ** 3
    return lower, upper


def count_limits(
    count: FloatArray, confidence: float, z: float
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Limits for counts: exact below 10, Byar's from 10; also returns the Byar's mask."""
    use_byars = count >= BYARS_THRESHOLD
    lower = np.empty_like(count)
    upper = np.empty_like(count)
    if use_byars.any():
        lower[use_byars], upper[use_byars] = byars_limits(count[use_byars], z)
    use_exact = ~use_byars
    if use_exact.any():
        lower[use_exact], upper[use_exact] = exact_limits(count[use_exact], confidence)
    return lower, upper, use_byars
