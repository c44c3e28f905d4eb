"""Global Moran's I with its normality-assumption test (``methods.md`` §6.4).

With ``z_i = y_i − ȳ``, weights ``w_ij`` (row-standardised by default, no self-weight) and
``S0 = Σ_ij w_ij``::

    I = (n / S0) · Σ_ij w_ij z_i z_j / Σ_i z_i²

Under normality ``E[I] = −1/(n − 1)`` and
``Var[I] = (n² S1 − n S2 + 3 S0²) / ((n² − 1) S0²) − E[I]²`` with
``S1 = ½ Σ_ij (w_ij + w_ji)²`` and ``S2 = Σ_i (Σ_j w_ij + Σ_j w_ji)²``.

References
----------
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17–23.
Cliff, A. D. and Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse, stats

from safecity.spatial._inputs import as_float_vector
from safecity.spatial.errors import SpatialInputError
from safecity.spatial.weights import SpatialWeights


def global_moran(
    *, values: npt.ArrayLike, weights: SpatialWeights, row_standardise: bool = True
) -> pd.DataFrame:
    """Global Moran's I with expectation, variance, z and two-sided p under normality.

    Parameters
    ----------
    values : array-like
        One finite value per unit, in the order of the weights.
    weights : SpatialWeights
        Spatial weights; any self-weight is removed.
    row_standardise : bool
        Row-standardise the weights first (style ``"r"``, the default), as
        ``esda.Moran(y, w, transformation="r")``.

    Returns
    -------
    pandas.DataFrame
        One row: ``statistic`` (``"Moran's I"``), ``n``, ``i``, ``expected_i``,
        ``variance_i``, ``z``, ``p``.

    Raises
    ------
    SpatialInputError
        If values are not finite (naming the row), do not match the weights or are all equal,
        or the weights are empty.

    References
    ----------
    Cliff, A. D. and Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.

    Examples
    --------
    ``methods.md`` §6.4 (H4):

    >>> from safecity.spatial.weights import distance_band_weights
    >>> weights = distance_band_weights(
    ...     x=[10, 20, 40, 15, 30, 30], y=[10, 10, 10, 20, 20, 30], threshold=15, crs=27700
    ... )
    >>> result = global_moran(values=[2, 3, 3.2, 5, 8, 7], weights=weights)
    >>> result[["i", "expected_i", "z", "p"]].round(6).iloc[0].tolist()
    [0.11899, -0.2, 1.177735, 0.238902]
    """
    y = as_float_vector(values, name="values")
    if y.size != weights.n:
        raise SpatialInputError(
            f"values has {y.size} rows but the weights describe {weights.n} units"
        )
    n = y.size
    if n < 3:
        raise SpatialInputError(f"Moran's I needs at least 3 units, got {n}")
    if np.ptp(y) == 0:
        raise SpatialInputError(f"Moran's I is undefined: every value equals {float(y[0])!r}")
    used = weights.without_self_weight()
    if row_standardise:
        used = used.row_standardised()
    matrix = used.matrix
    s0 = float(matrix.sum())
    if s0 == 0:
        raise SpatialInputError("Moran's I is undefined: no unit has a neighbour")
    z = y - y.mean()
    statistic = n / s0 * float(z @ (matrix @ z)) / float(z @ z)
    symmetric = sparse.csr_array(matrix + matrix.T)
    s1 = float(symmetric.multiply(symmetric).sum()) / 2.0
    s2 = float(
        (
            (np.asarray(matrix.sum(axis=1)).ravel() + np.asarray(matrix.sum(axis=0)).ravel()) ** 2
        ).sum()
    )
    expected = -1.0 / (n - 1)
    variance = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    z_score = (statistic - expected) / np.sqrt(variance)
    return pd.DataFrame(
        {
            "statistic": ["Moran's I"],
            "n": [n],
            "i": [statistic],
            "expected_i": [expected],
            "variance_i": [variance],
            "z": [z_score],
            "p": [2.0 * stats.norm.sf(abs(z_score))],
        }
    )
