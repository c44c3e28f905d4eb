"""Conditional permutation inference for local statistics.

For each unit ``i`` its own value is held fixed and its ``k_i`` neighbours' values are replaced
by ``k_i`` values drawn without replacement from the other ``n − 1`` units, ``permutations``
times. As in ``esda.crand``, one set of draws from ``{0, …, n − 2}`` is shared by all units and
shifted past ``i``; the pseudo p-value is folded to the tail the observed value lies in:
``p_sim = (min(M, R − M) + 1) / (R + 1)`` where ``M`` counts simulated values ≥ the observed
one. It is one-sided (towards the observed direction) and lies in ``(0, 0.5 + 1/(R+1)]``.

References
----------
Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*
27(2), 93–115.
Rey, S. J. and Anselin, L. (2007). PySAL, ``esda.crand._crand_plus``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from safecity.spatial._inputs import FloatArray

DEFAULT_SEED = 20240101
"""Seed used when a caller gives none, so two identical calls give identical pseudo p-values
(``methods.md`` §6.4: "conditional permutation (``permutations=999``, fixed seed)"). Pass
``seed=None`` explicitly for fresh operating-system randomness."""

UNITS_PER_CHUNK_BUDGET = 4_000_000
"""Upper bound on ``units × permutations × neighbours`` held in memory at once."""


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
    draws = np.empty((permutations, max_neighbours), dtype=np.int64)
    for permutation in range(permutations):
        draws[permutation] = rng.choice(n - 1, size=max_neighbours, replace=False)
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
