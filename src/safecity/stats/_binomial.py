"""Exact binomial test p-values and Clopper–Pearson limits over arrays (private).

The two-sided p-value is SciPy's ``binomtest`` "minlike" definition, computed for many rows at
once instead of one ``scipy.stats.binomtest`` call per row (``methods.md`` §2.2a, §2.3).
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from safecity.stats._validation import BoolArray, FloatArray

__all__ = ["RELATIVE_ERROR", "binomial_p_values", "clopper_pearson"]

RELATIVE_ERROR = 1.0 + 1e-7
"""Outcomes with ``pmf(k) ≤ pmf(x)·(1 + 1e-7)`` count as at least as extreme (as in SciPy)."""


def _search(
    trials: FloatArray,
    probability: FloatArray,
    *,
    target: FloatArray,
    low: FloatArray,
    high: FloatArray,
    sign: FloatArray,
) -> FloatArray:
    """Row-wise binary search of SciPy's ``_binary_search_for_binom_tst``.

    For each row, ``a(i) = sign·pmf(i)`` is ascending on ``[low, high]``; returns the ``i`` with
    ``a(i) ≤ target < a(i + 1)``, taking the same steps as SciPy (so the result is identical,
    ties and rounding included).
    """
    low = low.copy()
    high = high.copy()
    found = np.full(low.shape, np.nan)
    active = low < high
    while active.any():
        rows = np.flatnonzero(active)
        row_low = low[rows]
        row_high = high[rows]
        middle = row_low + np.floor((row_high - row_low) / 2.0)
        value = sign[rows] * stats.binom.pmf(middle, trials[rows], probability[rows])
        row_target = target[rows]
        below = value < row_target
        above = value > row_target
        equal = ~below & ~above
        low[rows] = np.where(below, middle + 1.0, row_low)
        high[rows] = np.where(above, middle - 1.0, row_high)
        found[rows[equal]] = middle[equal]
        active[rows[equal]] = False
        active[rows] &= low[rows] < high[rows]
    pending = np.isnan(found)
    if pending.any():
        rows = np.flatnonzero(pending)
        at_low = sign[rows] * stats.binom.pmf(low[rows], trials[rows], probability[rows])
        found[rows] = np.where(at_low <= target[rows], low[rows], low[rows] - 1.0)
    return found


def binomial_p_values(
    successes: FloatArray, trials: FloatArray, probability: FloatArray
) -> FloatArray:
    """Two-sided exact binomial p-values, equal to ``scipy.stats.binomtest(x, n, p).pvalue``.

    SciPy's "minlike" definition: the sum of ``pmf(k)`` over every ``k`` with
    ``pmf(k) ≤ pmf(x)·(1 + 1e-7)``. The tail on the side of ``x`` is ``cdf(x)`` (or ``sf(x − 1)``);
    the other tail starts where the pmf on the far side of the mode falls to ``pmf(x)·(1 + 1e-7)``,
    found by the same binary search SciPy uses, run for all rows together. Rows with no trials
    give NaN. Inputs must be whole numbers with ``0 ≤ x ≤ n`` and ``0 ≤ p ≤ 1``.

    References
    ----------
    SciPy ``scipy.stats.binomtest`` (``_binomtest.py``, v1.17); Zar JH, *Biostatistical
    Analysis*, 5th edn, §24.
    """
    successes, trials, probability = np.broadcast_arrays(
        np.asarray(successes, dtype=np.float64),
        np.asarray(trials, dtype=np.float64),
        np.asarray(probability, dtype=np.float64),
    )
    p_values = np.full(successes.shape, np.nan)
    usable: BoolArray = trials > 0
    if not usable.any():
        return p_values
    x = successes[usable]
    n = trials[usable]
    p = probability[usable]
    expected = p * n
    density = stats.binom.pmf(x, n, p)
    target = density * RELATIVE_ERROR
    below_mode = x < expected
    above_mode = x > expected
    result = np.ones(x.shape)
    if below_mode.any():
        rows = below_mode
        index = _search(
            n[rows],
            p[rows],
            target=-target[rows],
            low=np.ceil(expected[rows]),
            high=n[rows],
            sign=np.full(int(rows.sum()), -1.0),
        )
        at_index = stats.binom.pmf(index, n[rows], p[rows])
        far_terms = n[rows] - index + (target[rows] == at_index).astype(np.float64)
        result[rows] = stats.binom.cdf(x[rows], n[rows], p[rows]) + stats.binom.sf(
            n[rows] - far_terms, n[rows], p[rows]
        )
    if above_mode.any():
        rows = above_mode
        index = _search(
            n[rows],
            p[rows],
            target=target[rows],
            low=np.zeros(int(rows.sum())),
            high=np.floor(expected[rows]),
            sign=np.ones(int(rows.sum())),
        )
        far_terms = index + 1.0
        result[rows] = stats.binom.cdf(far_terms - 1.0, n[rows], p[rows]) + stats.binom.sf(
            x[rows] - 1.0, n[rows], p[rows]
        )
    p_values[usable] = np.minimum(result, 1.0)
    return p_values


def clopper_pearson(
    successes: FloatArray, trials: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """Clopper–Pearson exact limits for a binomial proportion (0 and 1 at the edges).

    ``lower = B⁻¹(α/2; x, n − x + 1)``, ``upper = B⁻¹(1 − α/2; x + 1, n − x)`` with the inverse
    regularised incomplete beta function, for all rows at once.

    References
    ----------
    Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated in the
    case of the binomial. *Biometrika* 26:404–413.
    """
    alpha = 1.0 - confidence
    lower = np.zeros_like(successes)
    upper = np.ones_like(successes)
    has_successes = successes > 0
    has_failures = successes < trials
    lower[has_successes] = special.betaincinv(
        successes[has_successes],
        trials[has_successes] - successes[has_successes] + 1.0,
        alpha / 2.0,
    )
    upper[has_failures] = special.betaincinv(
        successes[has_failures] + 1.0,
        trials[has_failures] - successes[has_failures],
        1.0 - alpha / 2.0,
    )
    return lower, upper
