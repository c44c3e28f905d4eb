"""Conditional permutation inference for local statistics.

For each unit ``i`` its own value is held fixed and its ``k_i`` neighbours' values are replaced
by ``k_i`` values drawn without replacement from the other ``n − 1`` units, ``permutations``
times. As in ``esda.crand``, one set of draws from ``{0, …, n − 2}`` is shared by all units and
shifted past ``i``; the pseudo p-value is folded to the tail the observed value lies in:
``p_sim = (min(M, R − M) + 1) / (R + 1)`` where ``M`` counts simulated values ≥ the observed
one. It is one-sided (towards the observed direction) and lies in ``(0, 0.5 + 1/(R+1)]``.

The folded value counts a simulated value equal to the observed one in the upper tail only, so
on sparse counts, where most simulated local sums tie with an observed zero, it comes out
smallest exactly where nothing is unusual (every draw ties, ``M = R``, ``p_sim = 1/(R+1)``).
:func:`two_sided_pseudo_p` counts ties in both tails and doubles the smaller: the usual
two-sided Monte Carlo p-value, valid however many values tie.

References
----------
Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*
27(2), 93–115.
Rey, S. J. and Anselin, L. (2007). PySAL, ``esda.crand._crand_plus``.
Davison, A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
Cambridge University Press, ch. 4 (Monte Carlo and permutation tests; a two-sided p-value
as twice the smaller one-sided one).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

from safecity.spatial._inputs import FloatArray

DEFAULT_SEED = 20240101
"""Seed used when a caller gives none, so two identical calls give identical pseudo p-values
(``methods.md`` §6.4: "conditional permutation (``permutations=999``, fixed seed)"). Pass
``seed=None`` explicitly for fresh operating-system randomness."""

TIE_TOLERANCE = 1e-9
"""Relative difference below which a simulated statistic counts as equal to the observed one."""

UNITS_PER_CHUNK_BUDGET = 4_000_000
"""Upper bound on ``units × permutations × neighbours`` held in memory at once."""


def _draws(
    population: int, *, size: int, permutations: int, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """``permutations`` random ordered ``size``-subsets of ``{0, …, population − 1}`` (rows).

    Each row is the start of a uniformly random permutation (``Generator.permuted``), drawn a
    block of rows at a time so memory stays within :data:`UNITS_PER_CHUNK_BUDGET` values.
    """
    draws = np.empty((permutations, size), dtype=np.int64)
    block = max(1, UNITS_PER_CHUNK_BUDGET // population)
    for start in range(0, permutations, block):
        rows = min(block, permutations - start)
        shuffled = rng.permuted(np.broadcast_to(np.arange(population), (rows, population)), axis=1)
        draws[start : start + rows] = shuffled[:, :size]
    return draws


def conditional_lags(
    *,
    values: FloatArray,
    neighbour_weights: sparse.csr_array,
    permutations: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Spatial lags ``Σ_j w_ij x_π(j)`` (self excluded) of every unit under conditional permutation.

    Parameters
    ----------
    values : numpy.ndarray
        The variable, one value per unit.
    neighbour_weights : scipy.sparse.csr_array
        Weights with a zero diagonal.
    permutations : int
        Number of random draws (at least 1).
    rng : numpy.random.Generator
        Source of randomness; the same seed gives the same lags.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, permutations)``.

    References
    ----------
    Anselin, L. (1995). *Geographical Analysis* 27(2), 93–115 (conditional randomisation).
    """
    n = values.size
    counts = np.diff(neighbour_weights.indptr)
    max_neighbours = int(counts.max()) if n else 0
    lags = np.zeros((n, permutations), dtype=np.float64)
    if max_neighbours == 0 or n < 2:
        return lags
    draws = _draws(n - 1, size=max_neighbours, permutations=permutations, rng=rng)
    padded = np.zeros((n, max_neighbours), dtype=np.float64)
    slot = np.arange(neighbour_weights.nnz) - np.repeat(neighbour_weights.indptr[:-1], counts)
    padded[np.repeat(np.arange(n), counts), slot] = neighbour_weights.data
    below = values[draws]
    above = values[draws + 1]
    for cardinality in np.unique(counts[counts > 0]).tolist():
        group = np.flatnonzero(counts == cardinality)
        group_draws = draws[:, :cardinality]
        group_below = below[:, :cardinality]
        group_above = above[:, :cardinality]
        chunk = max(1, UNITS_PER_CHUNK_BUDGET // (permutations * cardinality))
        for start in range(0, group.size, chunk):
            units = group[start : start + chunk]
            drawn = np.where(
                group_draws[np.newaxis, :, :] < units[:, None, None],
                group_below[np.newaxis, :, :],
                group_above[np.newaxis, :, :],
            )
            lags[units] = np.einsum("upk,uk->up", drawn, padded[units, :cardinality])
    return lags


def folded_pseudo_p(*, simulated: FloatArray, observed: FloatArray) -> FloatArray:
    """``(min(M, R − M) + 1) / (R + 1)`` with ``M = #(simulated ≥ observed)`` per unit.

    Parameters
    ----------
    simulated : numpy.ndarray
        Simulated statistics, shape ``(n, R)``.
    observed : numpy.ndarray
        Observed statistics, shape ``(n,)``.

    Returns
    -------
    numpy.ndarray
        Folded one-sided pseudo p-values in ``(0, 0.5 + 1/(R+1)]``.

    References
    ----------
    Hope, A. C. A. (1968). A simplified Monte Carlo significance test procedure. *JRSS B* 30,
    582–598; Anselin (1995); ``esda`` ``p_sim``.

    Examples
    --------
    >>> folded_pseudo_p(simulated=np.array([[1.0, 2.0, 3.0]]), observed=np.array([3.0])).tolist()
    [0.5]
    """
    permutations = simulated.shape[1]
    larger = (simulated >= observed[:, None]).sum(axis=1)
    larger = np.minimum(larger, permutations - larger)
    p_values: FloatArray = (larger + 1.0) / (permutations + 1.0)
    return p_values


def two_sided_pseudo_p(
    *, simulated: FloatArray, observed: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Two-sided permutation p-values with ties in both tails, and the tail of each unit.

    With ``R`` simulated statistics per unit, ``U = #(simulated ≥ observed)`` and
    ``L = #(simulated ≤ observed)`` (a simulated value within :data:`TIE_TOLERANCE` of the
    observed one, relatively, counts in both), the p-value is
    ``min(1, 2 · (min(U, L) + 1) / (R + 1))``. Counting ties in both tails keeps the test valid
    when many values are equal, as on sparse counts where most local sums are zero: an
    observed zero that every draw matches has ``p = 1``, not the smallest possible value.
    The direction is ``+1`` when the observed value lies in the upper tail (``U < L``), ``−1``
    in the lower tail (``L < U``), else 0.

    Parameters
    ----------
    simulated : numpy.ndarray
        Simulated statistics, shape ``(n, R)``.
    observed : numpy.ndarray
        Observed statistics, shape ``(n,)``.

    Returns
    -------
    p_values, direction : numpy.ndarray
        Two-sided p-values in ``[2/(R+1), 1]`` and the direction (+1, −1 or 0) per unit.

    References
    ----------
    Davison, A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their Application*, ch. 4;
    Hope, A. C. A. (1968). *JRSS B* 30, 582–598.

    Examples
    --------
    >>> p, direction = two_sided_pseudo_p(
    ...     simulated=np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]), observed=np.array([0.0, 4.0])
    ... )
    >>> p.tolist(), direction.tolist()
    ([1.0, 0.5], [0.0, 1.0])
    """
    permutations = simulated.shape[1]
    tolerance = TIE_TOLERANCE * np.maximum(np.abs(observed), np.finfo(np.float64).tiny)
    upper = (simulated >= (observed - tolerance)[:, None]).sum(axis=1)
    lower = (simulated <= (observed + tolerance)[:, None]).sum(axis=1)
    p_values: FloatArray = np.minimum(
        1.0, 2.0 * (np.minimum(upper, lower) + 1.0) / (permutations + 1.0)
    )
    direction: FloatArray = np.sign(lower - upper).astype(np.float64)
    return p_values, direction
