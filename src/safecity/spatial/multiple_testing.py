"""Multiple-testing adjustment of p-values across the units of one map (``methods.md`` §6.1).

The engine default is the Benjamini–Hochberg false-discovery-rate adjustment of every unit's
two-sided p-value; Holm's step-down adjustment is what sfhotspot applies across the periods of
one cell (§6.6).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from safecity.spatial._inputs import FloatArray, as_float_vector
from safecity.spatial.errors import SpatialInputError


class PAdjustment(StrEnum):
    """How p-values are adjusted for testing many units (or periods) at once."""

    BENJAMINI_HOCHBERG = "benjamini_hochberg"
    """False discovery rate, step-up (R ``p.adjust(method = "BH")``)."""
    HOLM = "holm"
    """Family-wise error, step-down (R ``p.adjust(method = "holm")``)."""
    NONE = "none"
    """No adjustment."""


def _as_p_values(p_values: npt.ArrayLike) -> FloatArray:
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise SpatialInputError(f"p-values must be one-dimensional, got shape {p.shape}")
    present = ~np.isnan(p)
    checked = as_float_vector(p[present], name="p-values")
    outside = np.flatnonzero(present)[(checked < 0) | (checked > 1)]
    if outside.size:
        raise SpatialInputError(
            f"p-values must lie in [0, 1]: row {int(outside[0])} is {float(p[outside[0]])!r}"
        )
    return p


def _adjust_sorted(
    p_values: npt.ArrayLike, adjust: Callable[[FloatArray], FloatArray]
) -> FloatArray:
    """Apply ``adjust`` to the non-missing p-values in ascending order; capped at 1.

    NaN stays NaN and does not count among the ``m`` tests (as R ``p.adjust``).
    """
    p = _as_p_values(p_values)
    adjusted = np.full_like(p, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    if present.size == 0:
        return adjusted
    order = np.argsort(p[present], kind="stable")
    adjusted[present[order]] = np.minimum(adjust(p[present][order]), 1.0)
    return adjusted


def benjamini_hochberg(p_values: npt.ArrayLike) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate).

    ``p_adj(i) = min_{k ≥ rank(i)} min(1, m·p_(k)/k)`` over the ``m`` non-missing p-values;
    a unit is significant at FDR ``q`` when ``p_adj ≤ q``. Missing values (NaN) stay missing and
    do not count in ``m`` (as R ``p.adjust``).

    Parameters
    ----------
    p_values : array-like
        Raw p-values in [0, 1]; NaN allowed.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same order; each is ≥ its raw p-value, and they are monotone in the
        raw p-values.

    Raises
    ------
    SpatialInputError
        If a p-value is outside [0, 1] or infinite (naming the row).

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a practical
    and powerful approach to multiple testing. *Journal of the Royal Statistical Society B*
    57(1), 289–300. Same values as ``scipy.stats.false_discovery_control(p, method="bh")``.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.2]).round(6).tolist()
    [0.04, 0.053333, 0.053333, 0.2]
    """

    def step_up(ordered: FloatArray) -> FloatArray:
        m = ordered.size
        ranked = ordered * m / np.arange(1, m + 1)
        return np.asarray(np.minimum.accumulate(ranked[::-1])[::-1], dtype=np.float64)

    return _adjust_sorted(p_values, step_up)


def holm(p_values: npt.ArrayLike) -> FloatArray:
    """Holm step-down adjusted p-values (family-wise error rate).

    ``p_adj(i) = max_{k ≤ rank(i)} min(1, (m − k + 1)·p_(k))`` over the ``m`` non-missing
    p-values; NaN stays NaN and does not count in ``m`` (as R ``p.adjust``).

    Parameters
    ----------
    p_values : array-like
        Raw p-values in [0, 1]; NaN allowed.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Raises
    ------
    SpatialInputError
        If a p-value is outside [0, 1] (naming the row).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics* 6(2), 65–70.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, 0.2]).round(6).tolist()
    [0.04, 0.09, 0.09, 0.2]
    """

    def step_down(ordered: FloatArray) -> FloatArray:
        scaled = ordered * (ordered.size - np.arange(ordered.size))
        return np.asarray(np.maximum.accumulate(scaled), dtype=np.float64)

    return _adjust_sorted(p_values, step_down)


def adjust_p_values(p_values: npt.ArrayLike, *, method: PAdjustment) -> FloatArray:
    """Adjust p-values with ``method`` (see :class:`PAdjustment`).

    Parameters
    ----------
    p_values : array-like
        Raw p-values in [0, 1]; NaN allowed.
    method : PAdjustment
        Benjamini–Hochberg, Holm or none.

    Returns
    -------
    numpy.ndarray

    References
    ----------
    Benjamini and Hochberg (1995); Holm (1979) — see :func:`benjamini_hochberg`, :func:`holm`.

    Examples
    --------
    >>> adjust_p_values([0.5, 0.01], method=PAdjustment.NONE).tolist()
    [0.5, 0.01]
    """
    method = PAdjustment(method)
    if method is PAdjustment.BENJAMINI_HOCHBERG:
        return benjamini_hochberg(p_values)
    if method is PAdjustment.HOLM:
        return holm(p_values)
    return _as_p_values(p_values).copy()


def fdr_cutoff(p_values: npt.ArrayLike, *, alpha: float = 0.05) -> float:
    """A single p-value cut-off controlling the false discovery rate (``esda.fdr``).

    With the ``m`` p-values sorted ascending, the cut-off is ``k·alpha/m`` for the largest
    ``k`` with ``p_(k) < k·alpha/m`` (Benjamini–Hochberg step-up); when no ``k`` qualifies, the
    Bonferroni bound ``alpha/m`` is returned. Units with ``p`` below the cut-off are those
    BH declares significant. Unlike :func:`benjamini_hochberg` it gives no per-unit values.

    Parameters
    ----------
    p_values : array-like
        Raw p-values in [0, 1], no missing values.
    alpha : float
        False discovery rate. Default 0.05.

    Returns
    -------
    float

    Raises
    ------
    SpatialInputError
        If a p-value is missing or outside [0, 1], or ``alpha`` is not in (0, 1).

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995), *JRSS B* 57(1), 289–300; Caldas de Castro, M. and
    Singer, B. H. (2006). Controlling the false discovery rate: a new application to account
    for multiple and dependent tests in local statistics of spatial association.
    *Geographical Analysis* 38(2), 180–208. Same value as ``esda.fdr(p, alpha)``.

    Examples
    --------
    >>> fdr_cutoff([0.001, 0.2, 0.3, 0.5], alpha=0.05)
    0.0125
    """
    if not 0.0 < alpha < 1.0:
        raise SpatialInputError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    p = _as_p_values(p_values)
    missing = np.flatnonzero(np.isnan(p))
    if missing.size:
        raise SpatialInputError(f"fdr_cutoff: row {int(missing[0])} has no p-value (NaN)")
    m = p.size
    if m == 0:
        raise SpatialInputError("fdr_cutoff needs at least one p-value")
    thresholds = np.arange(1, m + 1) * alpha / m
    passing = np.flatnonzero(np.sort(p) < thresholds)
    if passing.size == 0:
        return alpha / m
    return float(thresholds[passing[-1]])


def neighbourhood_adjusted_p(
    p_values: npt.ArrayLike, *, neighbour_counts: npt.ArrayLike, method: PAdjustment
) -> FloatArray:
    """Adjust each unit's p-value for its own neighbourhood size (``spdep::p.adjustSP``).

    Each p-value is adjusted alone, as R ``p.adjust(p_i, method, n = card_i + 1)`` with
    ``card_i`` the length of unit i's neighbour list; for one p-value both Holm and
    Benjamini–Hochberg give ``min(1, n_i · p_i)``. sfhotspot's ``gistar()`` calls it with the
    neighbour lists after ``include.self``, so there ``card_i`` already counts the cell itself:
    pass ``weights.matrix`` row lengths (``numpy.diff(weights.matrix.indptr)``) to reproduce it.

    Parameters
    ----------
    p_values : array-like
        Raw p-values in [0, 1]; NaN allowed.
    neighbour_counts : array-like of int
        ``card_i`` per unit (non-negative).
    method : PAdjustment
        ``HOLM``, ``BENJAMINI_HOCHBERG`` (identical here) or ``NONE``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    SpatialInputError
        If lengths differ, a count is negative or a p-value is outside [0, 1] (naming the row).

    References
    ----------
    Caldas de Castro, M. and Singer, B. H. (2006). *Geographical Analysis* 38(2), 180–208.
    Bivand, R. and Yu, D. spdep ``p.adjustSP``.

    Examples
    --------
    >>> neighbourhood_adjusted_p(
    ...     [0.01, 0.2], neighbour_counts=[4, 8], method=PAdjustment.HOLM
    ... ).tolist()
    [0.05, 1.0]
    """
    p = _as_p_values(p_values)
    counts = as_float_vector(neighbour_counts, name="neighbour_counts")
    if counts.shape != p.shape:
        raise SpatialInputError(
            f"neighbour_counts has {counts.size} rows but there are {p.size} p-values"
        )
    negative = np.flatnonzero(counts < 0)
    if negative.size:
        raise SpatialInputError(
            f"neighbour_counts must be non-negative: row {int(negative[0])} is "
            f"{float(counts[negative[0]])!r}"
        )
    if PAdjustment(method) is PAdjustment.NONE:
        return p.copy()
    adjusted: FloatArray = np.minimum(1.0, (counts + 1.0) * p)
    return adjusted
