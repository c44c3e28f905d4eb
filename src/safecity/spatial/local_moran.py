"""Local Moran's I (LISA) with quadrants and conditional permutation inference (§6.4).

With ``z_i = y_i − ȳ`` and row-standardised weights ``w_ij`` (no self-weight)::

    I_i = (n − 1) · z_i · Σ_j w_ij z_j / Σ_j z_j²

(the esda ``Moran_Local`` form; texts using ``n`` instead of ``n − 1`` differ by ``(n − 1)/n``).
Quadrants compare ``z_i`` with its spatial lag ``Σ_j w_ij z_j``: high–high, low–high, low–low,
high–low. Significance is by conditional permutation with a fixed seed; the analytic moments
under total randomisation (Sokal et al. 1998, eqs. A3–A4) are reported too.

References
----------
Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*
27(2), 93–115.
Sokal, R. R., Oden, N. L. and Thomson, B. A. (1998). Local spatial autocorrelation in a
biological model. *Geographical Analysis* 30(4), 331–354.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from safecity.spatial._inputs import as_float_vector, label_column, require_probability
from safecity.spatial.errors import SpatialInputError
from safecity.spatial.getis_ord import DEFAULT_ALPHA
from safecity.spatial.multiple_testing import PAdjustment, adjust_p_values, benjamini_hochberg
from safecity.spatial.permutation import DEFAULT_SEED, conditional_lags, folded_pseudo_p
from safecity.spatial.weights import SpatialWeights

DEFAULT_PERMUTATIONS = 999


class MoranQuadrant(StrEnum):
    """Moran scatter-plot quadrant of a unit: its own value vs its neighbours' average.

    :attr:`pysal_code` and :attr:`geoda_code` give the integers of those schemes.
    """

    HIGH_HIGH = "high-high"
    LOW_HIGH = "low-high"
    LOW_LOW = "low-low"
    HIGH_LOW = "high-low"

    @property
    def pysal_code(self) -> int:
        """PySAL numbering: HH=1, LH=2, LL=3, HL=4."""
        return {"high-high": 1, "low-high": 2, "low-low": 3, "high-low": 4}[self.value]

    @property
    def geoda_code(self) -> int:
        """GeoDa numbering: HH=1, LL=2, LH=3, HL=4."""
        return {"high-high": 1, "low-low": 2, "low-high": 3, "high-low": 4}[self.value]


class LisaCluster(StrEnum):
    """LISA cluster map class: a significant quadrant, or not significant."""

    HIGH_HIGH = "high-high"
    LOW_HIGH = "low-high"
    LOW_LOW = "low-low"
    HIGH_LOW = "high-low"
    NOT_SIGNIFICANT = "not significant"


def _quadrants(z: npt.NDArray[np.float64], lag: npt.NDArray[np.float64]) -> list[MoranQuadrant]:
    labels = []
    for own_high, lag_high in zip((z > 0).tolist(), (lag > 0).tolist(), strict=True):
        if own_high:
            labels.append(MoranQuadrant.HIGH_HIGH if lag_high else MoranQuadrant.HIGH_LOW)
        else:
            labels.append(MoranQuadrant.LOW_HIGH if lag_high else MoranQuadrant.LOW_LOW)
    return labels


def local_moran(
    *,
    values: npt.ArrayLike,
    weights: SpatialWeights,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
    adjustment: PAdjustment = PAdjustment.BENJAMINI_HOCHBERG,
) -> pd.DataFrame:
    """Local Moran's I for every unit, with quadrant and LISA cluster class.

    Parameters
    ----------
    values : array-like
        One finite value per unit, in the order of the weights.
    weights : SpatialWeights
        Spatial weights; any self-weight is removed and rows are standardised to sum to 1.
        Units without neighbours get ``I = 0`` and no p-value.
    permutations : int
        Conditional permutations for the pseudo p-value (default 999; 0 skips them and the
        cluster class then uses the analytic p-value).
    seed : int, numpy.random.Generator or None
        Randomness for the permutations; the same seed gives identical results. Default
        :data:`~safecity.spatial.permutation.DEFAULT_SEED` (20240101), so two identical calls
        agree (``methods.md`` §6.4, fixed seed); ``None`` draws fresh OS randomness.
    alpha : float
        Significance level of the cluster class. Default 0.05.
    adjustment : PAdjustment
        Adjustment applied to the p-values before comparing with ``alpha`` (default
        Benjamini–Hochberg across all units).

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``id`` (when the weights carry ids), ``value``, ``n_neighbours``,
        ``local_i``, ``lag`` (row-standardised lag of ``y − ȳ``), ``quadrant``
        (:class:`MoranQuadrant`), ``expected_i`` and ``variance_i`` (total randomisation),
        ``z`` and ``p`` (two-sided normal approximation), with permutations ``p_sim`` (folded
        one-sided pseudo p) and ``p_sim_fdr``, then ``cluster`` (:class:`LisaCluster`).

    Raises
    ------
    SpatialInputError
        If values are not finite (naming the row), do not match the weights, are all equal, or
        there are fewer than 3 units.

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*
    27(2), 93–115. Sokal, R. R., Oden, N. L. and Thomson, B. A. (1998), *Geographical
    Analysis* 30(4), 331–354. Matches ``esda.Moran_Local(y, w, transformation="r")``.

    Examples
    --------
    ``methods.md`` §6.4 (H4):

    >>> from safecity.spatial.weights import distance_band_weights
    >>> weights = distance_band_weights(
    ...     x=[10, 20, 40, 15, 30, 30], y=[10, 10, 10, 20, 20, 30], threshold=15, crs=27700
    ... )
    >>> result = local_moran(values=[2, 3, 3.2, 5, 8, 7], weights=weights, seed=1)
    >>> result["local_i"].round(8).tolist()
    [0.32926829, -0.08885017, -0.86236934, -0.01916376, -0.08623693, 1.32229965]
    >>> [quadrant.pysal_code for quadrant in result["quadrant"]]
    [3, 2, 2, 4, 4, 1]
    """
    require_probability(alpha, name="alpha")
    adjustment = PAdjustment(adjustment)
    if permutations < 0:
        raise SpatialInputError(f"permutations must be >= 0, got {permutations}")
    y = as_float_vector(values, name="values")
    if y.size != weights.n:
        raise SpatialInputError(
            f"values has {y.size} rows but the weights describe {weights.n} units"
        )
    n = y.size
    if n < 3:
        raise SpatialInputError(f"local Moran's I needs at least 3 units, got {n}")
    if np.ptp(y) == 0:
        raise SpatialInputError(
            f"local Moran's I is undefined: every value equals {float(y[0])!r} (zero variance)"
        )
    used = weights.without_self_weight()
    standardised = used.row_standardised()
    matrix = standardised.matrix
    z = y - y.mean()
    z = z / z.std()
    sum_squares = float((z * z).sum())
    lag = matrix @ z
    scaling = (n - 1) / sum_squares
    local_i = scaling * z * lag

    row_sum = np.asarray(matrix.sum(axis=1)).ravel()
    row_square_sum = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    m2 = sum_squares / n
    b2 = float((z**4).sum() / n) / m2**2
    expected = -row_sum / (n - 1)
    variance = (
        row_square_sum * (n - b2) / (n - 1)
        + (row_sum**2 - row_square_sum) * (2 * b2 - n) / ((n - 1) * (n - 2))
        - expected**2
    )
    islands = used.cardinalities == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        z_score = (local_i - expected) / np.sqrt(variance)
    z_score[islands | ~np.isfinite(z_score)] = np.nan
    p = 2.0 * stats.norm.sf(np.abs(z_score))

    result: dict[str, Any] = {}
    if weights.ids is not None:
        result["id"] = list(weights.ids)
    result |= {
        "value": y,
        "n_neighbours": used.cardinalities,
        "local_i": local_i,
        "lag": lag,
        "quadrant": label_column(_quadrants(z, lag)),
        "expected_i": expected,
        "variance_i": variance,
        "z": z_score,
        "p": p,
    }
    decisive_p = p
    if permutations:
        rng = np.random.default_rng(seed)
        simulated_lags = conditional_lags(
            values=z, neighbour_weights=matrix, permutations=permutations, rng=rng
        )
        simulated = scaling * z[:, None] * simulated_lags
        p_sim = folded_pseudo_p(simulated=simulated, observed=local_i)
        p_sim[islands] = np.nan
        result |= {"p_sim": p_sim, "p_sim_fdr": benjamini_hochberg(p_sim)}
        decisive_p = p_sim
    significant = adjust_p_values(decisive_p, method=adjustment) < alpha
    result["cluster"] = label_column(
        [
            LisaCluster(quadrant.value) if is_significant else LisaCluster.NOT_SIGNIFICANT
            for quadrant, is_significant in zip(
                result["quadrant"], significant.tolist(), strict=True
            )
        ]
    )
    return pd.DataFrame(result)
