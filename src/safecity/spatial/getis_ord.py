"""Getis–Ord local statistics Gi* and Gi, with FDR adjustment and ArcGIS-style bins (§6.1).

For units ``i = 1..n`` with non-negative values ``x_j`` and weights ``w_ij``:

* **Gi*** (self included, ``w_ii = 1`` unless set otherwise), with ``x̄ = Σx/n`` and
  ``S = √(Σx²/n − x̄²)``::

      Gi*(i) = [Σ_j w_ij x_j − x̄ W_i] / ( S √( [n S2_i − W_i²] / (n − 1) ) )

  where ``W_i = Σ_j w_ij`` and ``S2_i = Σ_j w_ij²``. It is a z-score; the two-sided p-value is
  ``2 Φ(−|z|)``.
* **Gi** (self excluded): the same form with ``x̄``, ``S`` and the sums taken over ``j ≠ i``
  and ``n − 1`` in place of ``n``.

The ratio statistic ``G_i = Σ_j w_ij x_j / Σ_j x_j`` (Getis & Ord 1992), its expectation
``W_i/n`` and variance are reported too; ``(G_i − E[G_i]) / √Var[G_i]`` equals the z-score. For
binary weights the results equal ``esda.G_Local(y, w, transform="B", star=True/False)``.

References
----------
Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24(3), 189–206.
Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27(4), 286–306.
Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1),
289–300.
Esri. ArcGIS Pro tool reference, "Hot Spot Analysis (Getis-Ord Gi*)" (``Gi_Bin`` field).
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from safecity.spatial._inputs import (
    FloatArray,
    as_float_vector,
    label_column,
    require_non_negative,
    require_probability,
)
from safecity.spatial.errors import SpatialInputError, UndefinedStatisticWarning
from safecity.spatial.multiple_testing import PAdjustment, adjust_p_values, benjamini_hochberg
from safecity.spatial.permutation import (
    DEFAULT_SEED,
    conditional_lags,
    folded_pseudo_p,
    two_sided_pseudo_p,
)
from safecity.spatial.weights import SpatialWeights

DEFAULT_ALPHA = 0.05
GI_BIN_LEVELS = (0.01, 0.05, 0.10)
"""Two-sided p-value thresholds of ArcGIS's ``Gi_Bin`` ±3, ±2, ±1 (99, 95, 90% confidence)."""


class HotspotType(StrEnum):
    """Whether a unit is a significant hot spot, cold spot, or neither."""

    HOT_SPOT = "hot spot"
    """Statistic above its expectation and the (adjusted) p-value below ``alpha``."""
    COLD_SPOT = "cold spot"
    """Statistic below its expectation and the (adjusted) p-value below ``alpha``."""
    NOT_SIGNIFICANT = "not significant"
    """Otherwise, including units where the statistic is undefined."""


class GiBin(StrEnum):
    """ArcGIS ``Gi_Bin`` classes; :attr:`arcgis_code` gives Esri's integer (−3 … 3)."""

    HOT_SPOT_99 = "hot spot, 99% confidence"
    HOT_SPOT_95 = "hot spot, 95% confidence"
    HOT_SPOT_90 = "hot spot, 90% confidence"
    NOT_SIGNIFICANT = "not significant"
    COLD_SPOT_90 = "cold spot, 90% confidence"
    COLD_SPOT_95 = "cold spot, 95% confidence"
    COLD_SPOT_99 = "cold spot, 99% confidence"

    @property
    def arcgis_code(self) -> int:
        """Esri's ``Gi_Bin`` value: 3, 2, 1 for hot spots, 0, −1, −2, −3 for cold spots."""
        return _ARCGIS_CODES[self]


_ARCGIS_CODES = {
    GiBin.HOT_SPOT_99: 3,
    GiBin.HOT_SPOT_95: 2,
    GiBin.HOT_SPOT_90: 1,
    GiBin.NOT_SIGNIFICANT: 0,
    GiBin.COLD_SPOT_90: -1,
    GiBin.COLD_SPOT_95: -2,
    GiBin.COLD_SPOT_99: -3,
}
_BINS_BY_CODE = {code: label for label, code in _ARCGIS_CODES.items()}


class Significance(StrEnum):
    """Which p-value decides hot/cold spot status."""

    ANALYTIC = "analytic"
    """Two-sided normal p-value of the z-score (Ord & Getis 1995)."""
    PERMUTATION = "permutation"
    """Folded conditional-permutation pseudo p-value (needs ``permutations > 0``)."""
    PERMUTATION_TWO_SIDED = "permutation_two_sided"
    """Two-sided conditional-permutation p-value with ties counted in both tails (``p_perm``,
    needs ``permutations > 0``); hot or cold by the tail the observed statistic lies in, and
    ``gi_bin`` from the same p-value. For sparse counts, where the normal approximation fails
    and the folded pseudo p-value is smallest where every draw ties."""


def gi_bin(*, z: npt.ArrayLike, p: npt.ArrayLike, fdr: bool = False) -> list[GiBin]:
    """ArcGIS-style confidence bins from z-scores and two-sided p-values.

    A unit is in bin ±3 when ``p < 0.01``, ±2 when ``p < 0.05``, ±1 when ``p < 0.10`` (sign of
    ``z``), otherwise 0. With ``fdr=True`` the Benjamini–Hochberg adjusted p-values are binned
    instead (ArcGIS's optional "Apply False Discovery Rate (FDR) Correction", which changes the
    bins only). Missing p-values (undefined statistics) are not significant.

    Parameters
    ----------
    z : array-like
        Gi* (or Gi) z-scores.
    p : array-like
        Their two-sided p-values.
    fdr : bool
        Bin Benjamini–Hochberg adjusted p-values. Default ``False``.

    Returns
    -------
    list of GiBin
        One label per unit.

    Raises
    ------
    SpatialInputError
        If ``z`` and ``p`` differ in length or a p-value is outside [0, 1].

    References
    ----------
    Esri. ArcGIS Pro tool reference, "Hot Spot Analysis (Getis-Ord Gi*)", output field
    ``Gi_Bin``. Benjamini, Y. and Hochberg, Y. (1995), *JRSS B* 57(1), 289–300.

    Examples
    --------
    >>> [label.arcgis_code for label in gi_bin(z=[3.9, -2.1, 0.3], p=[8.8e-5, 0.0357, 0.764])]
    [3, -2, 0]
    """
    z_array = np.asarray(z, dtype=np.float64)
    p_array = benjamini_hochberg(p) if fdr else adjust_p_values(p, method=PAdjustment.NONE)
    if z_array.shape != p_array.shape:
        raise SpatialInputError(
            f"gi_bin: z has {z_array.size} values but p has {p_array.size}; they must pair up"
        )
    level = np.zeros(z_array.shape, dtype=np.int64)
    for threshold in GI_BIN_LEVELS:
        level += (p_array < threshold) & ~np.isnan(z_array)
    codes = (level * np.sign(np.nan_to_num(z_array))).astype(np.int64)
    return [_BINS_BY_CODE[int(code)] for code in codes]


def hotspot_type(
    *, direction: npt.ArrayLike, p: npt.ArrayLike, alpha: float = DEFAULT_ALPHA
) -> list[HotspotType]:
    """Hot spot if ``direction > 0`` and ``p < alpha``; cold spot if ``direction < 0`` and so.

    Parameters
    ----------
    direction : array-like
        Signed statistic (the Gi* z-score); NaN counts as neither direction.
    p : array-like
        The (adjusted) p-values deciding significance; NaN is not significant.
    alpha : float
        Significance level. Default 0.05.

    Returns
    -------
    list of HotspotType

    Raises
    ------
    SpatialInputError
        If the lengths differ or ``alpha`` is not in (0, 1).

    References
    ----------
    Ord, J. K. and Getis, A. (1995). *Geographical Analysis* 27(4), 286–306 (``methods.md``
    §6.1: hot spot if Gi* > 0 and p < α).

    Examples
    --------
    >>> [str(label) for label in hotspot_type(direction=[2.5, -3.0, 2.5], p=[0.01, 0.002, 0.2])]
    ['hot spot', 'cold spot', 'not significant']
    """
    require_probability(alpha, name="alpha")
    direction_array = np.asarray(direction, dtype=np.float64)
    p_array = np.asarray(p, dtype=np.float64)
    if direction_array.shape != p_array.shape:
        raise SpatialInputError(
            f"hotspot_type: {direction_array.size} directions but {p_array.size} p-values"
        )
    significant = p_array < alpha
    hot = significant & (direction_array > 0)
    cold = significant & (direction_array < 0)
    return [
        HotspotType.HOT_SPOT
        if is_hot
        else HotspotType.COLD_SPOT
        if is_cold
        else HotspotType.NOT_SIGNIFICANT
        for is_hot, is_cold in zip(hot.tolist(), cold.tolist(), strict=True)
    ]


def _check_values(values: Any, weights: SpatialWeights) -> FloatArray:
    x = as_float_vector(values, name="values")
    require_non_negative(x, name="values")
    if x.size != weights.n:
        raise SpatialInputError(
            f"values has {x.size} rows but the weights describe {weights.n} units"
        )
    return x


def _getis_ord(
    *,
    values: Any,
    weights: SpatialWeights,
    star: bool,
    alpha: float,
    adjustment: PAdjustment,
    permutations: int,
    seed: int | np.random.Generator | None,
    significance: Significance,
    bin_fdr: bool,
) -> pd.DataFrame:
    name = "Gi*" if star else "Gi"
    require_probability(alpha, name="alpha")
    adjustment = PAdjustment(adjustment)
    significance = Significance(significance)
    if permutations < 0:
        raise SpatialInputError(f"permutations must be >= 0, got {permutations}")
    if significance is not Significance.ANALYTIC and permutations == 0:
        raise SpatialInputError(f"significance={significance.name} needs permutations > 0")
    x = _check_values(values, weights)
    n = x.size
    minimum_units = 2 if star else 3
    if n < minimum_units:
        raise SpatialInputError(f"{name} needs at least {minimum_units} units, got {n}")
    if np.ptp(x) == 0:
        raise SpatialInputError(
            f"{name} is undefined: every value equals {float(x[0])!r} (zero variance)"
        )
    used = weights.with_self_weight(1.0) if star else weights.without_self_weight()
    matrix = used.matrix
    lag = matrix @ x
    weight_sum = np.asarray(matrix.sum(axis=1)).ravel()
    weight_square_sum = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    total = x.sum()
    if star:
        units = float(n)
        others_total = np.full(n, total)
        mean = np.full(n, total / n)
        variance_x = np.full(n, x.var())
    else:
        units = float(n - 1)
        others_total = total - x
        mean = others_total / units
        variance_x = np.maximum(((x**2).sum() - x**2) / units - mean**2, 0.0)
    spread = units * weight_square_sum - weight_sum**2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - mean * weight_sum) / np.sqrt(variance_x * spread / (units - 1.0))
        statistic = lag / others_total
        expected = weight_sum / units
        variance = variance_x * spread / ((units - 1.0) * units**2 * mean**2)
    undefined = ~np.isfinite(z)
    if undefined.any():
        z[undefined] = np.nan
        rows = np.flatnonzero(undefined)
        warnings.warn(
            f"{name} is undefined for {rows.size} unit(s) (no neighbours, neighbours of every "
            f"unit, or constant values among the others), first row {int(rows[0])}; "
            "their z and p are NaN",
            UndefinedStatisticWarning,
            stacklevel=3,
        )
    p = 2.0 * stats.norm.sf(np.abs(z))
    result: dict[str, Any] = {}
    if weights.ids is not None:
        result["id"] = list(weights.ids)
    result |= {
        "value": x,
        "n_neighbours": used.cardinalities,
        "statistic": name,
        "g": statistic,
        "expected_g": expected,
        "variance_g": variance,
        "gi_z": z,
        "p": p,
        "p_fdr": benjamini_hochberg(p),
    }
    decisive_p = p
    direction = np.nan_to_num(z)
    bin_z, bin_p = z, p
    if permutations:
        rng = np.random.default_rng(seed)
        self_weight = matrix.diagonal()
        neighbour_matrix = used.without_self_weight().matrix
        simulated_lags = conditional_lags(
            values=x, neighbour_weights=neighbour_matrix, permutations=permutations, rng=rng
        )
        simulated = (simulated_lags + (self_weight * x)[:, None]) / others_total[:, None]
        p_sim = folded_pseudo_p(simulated=simulated, observed=statistic)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim = (statistic - simulated.mean(axis=1)) / simulated.std(axis=1)
        p_sim[undefined] = np.nan
        p_perm, tail = two_sided_pseudo_p(simulated=simulated, observed=statistic)
        p_perm[undefined] = np.nan
        tail[undefined] = 0.0
        result |= {
            "z_sim": z_sim,
            "p_sim": p_sim,
            "p_sim_fdr": benjamini_hochberg(p_sim),
            "p_perm": p_perm,
            "p_perm_fdr": benjamini_hochberg(p_perm),
        }
        if significance is Significance.PERMUTATION:
            decisive_p = p_sim
        elif significance is Significance.PERMUTATION_TWO_SIDED:
            decisive_p = p_perm
            direction = tail
            bin_z, bin_p = np.where(undefined, np.nan, tail), p_perm
    result["gi_bin"] = label_column(gi_bin(z=bin_z, p=bin_p, fdr=bin_fdr))
    result["hotspot"] = label_column(
        hotspot_type(
            direction=direction,
            p=adjust_p_values(decisive_p, method=adjustment),
            alpha=alpha,
        )
    )
    return pd.DataFrame(result)


def gi_star(
    *,
    values: npt.ArrayLike,
    weights: SpatialWeights,
    alpha: float = DEFAULT_ALPHA,
    adjustment: PAdjustment = PAdjustment.BENJAMINI_HOCHBERG,
    permutations: int = 0,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    significance: Significance = Significance.ANALYTIC,
    bin_fdr: bool = False,
) -> pd.DataFrame:
    """Getis–Ord Gi* hot-spot statistic (self included), one row per unit.

    Parameters
    ----------
    values : array-like
        Non-negative values per unit (counts per grid cell or LSOA, or rates; ``methods.md``
        §6.3), in the order of the weights.
    weights : SpatialWeights
        Spatial weights; a self-weight of 1 is added where the diagonal is zero.
    alpha : float
        Significance level for :class:`HotspotType`. Default 0.05.
    adjustment : PAdjustment
        Multiple-testing adjustment used for the ``hotspot`` column. Default Benjamini–Hochberg
        across all units of the map.
    permutations : int
        Conditional permutations for pseudo p-values (0, the default, skips them).
    seed : int, numpy.random.Generator or None
        Randomness for the permutations; the same seed gives identical results. Default
        :data:`~safecity.spatial.permutation.DEFAULT_SEED` (20240101), so two identical calls
        agree (``methods.md`` §6.4); ``None`` draws fresh OS randomness.
    significance : Significance
        Whether the analytic p-value (default), the folded permutation pseudo p-value
        (``PERMUTATION``, esda/GeoDa's ``p_sim``) or the two-sided permutation p-value with ties
        in both tails (``PERMUTATION_TWO_SIDED``, ``p_perm``; it also decides ``gi_bin``)
        decides the ``hotspot`` column.
    bin_fdr : bool
        Build ``gi_bin`` from BH-adjusted p-values (ArcGIS "FDR correction"). Default ``False``.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``id`` (when the weights carry ids), ``value``, ``n_neighbours``,
        ``statistic`` (``"Gi*"``), ``g`` (``Σ_j w_ij x_j / Σ_j x_j``), ``expected_g``,
        ``variance_g``, ``gi_z``, ``p`` (two-sided), ``p_fdr`` (Benjamini–Hochberg of ``p``),
        with permutations ``z_sim``, ``p_sim`` (folded one-sided pseudo p), ``p_sim_fdr``,
        ``p_perm`` (two-sided, ties in both tails) and ``p_perm_fdr``, then ``gi_bin``
        (:class:`GiBin`) and ``hotspot`` (:class:`HotspotType`).

    Raises
    ------
    SpatialInputError
        If values are not finite or negative (naming the row), do not match the weights, are
        all equal, or there are fewer than 2 units.

    Warns
    -----
    UndefinedStatisticWarning
        For units whose z-score is undefined (their ``gi_z`` and ``p`` are NaN).

    Notes
    -----
    The variance uses Ord & Getis's general form ``n S2_i − W_i²``; for binary weights this is
    ``W_i (n − W_i)``, which ``esda.G_Local`` uses, and the two agree.

    References
    ----------
    Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics: distributional
    issues and an application. *Geographical Analysis* 27(4), 286–306.
    Getis, A. and Ord, J. K. (1992). *Geographical Analysis* 24(3), 189–206.

    Examples
    --------
    The golden example of ``esda.G_Local`` (``methods.md`` §6.1, H1):

    >>> from safecity.spatial.weights import distance_band_weights
    >>> weights = distance_band_weights(
    ...     x=[10, 20, 40, 15, 30, 30], y=[10, 10, 10, 20, 20, 30], threshold=15, crs=27700
    ... )
    >>> result = gi_star(values=[2, 3, 3.2, 5, 8, 7], weights=weights)
    >>> result["gi_z"].round(8).tolist()
    [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331]
    >>> result["hotspot"].map(str).tolist()[-1]
    'not significant'
    """
    return _getis_ord(
        values=values,
        weights=weights,
        star=True,
        alpha=alpha,
        adjustment=adjustment,
        permutations=permutations,
        seed=seed,
        significance=significance,
        bin_fdr=bin_fdr,
    )


def gi(
    *,
    values: npt.ArrayLike,
    weights: SpatialWeights,
    alpha: float = DEFAULT_ALPHA,
    adjustment: PAdjustment = PAdjustment.BENJAMINI_HOCHBERG,
    permutations: int = 0,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    significance: Significance = Significance.ANALYTIC,
    bin_fdr: bool = False,
) -> pd.DataFrame:
    """Getis–Ord Gi statistic (self excluded), one row per unit.

    As :func:`gi_star`, but any self-weight is removed, and the mean, standard deviation and
    ``n`` are those of the other ``n − 1`` units. Units without neighbours have no Gi (NaN).

    Parameters
    ----------
    values : array-like
        Non-negative values per unit, in the order of the weights.
    weights : SpatialWeights
        Spatial weights (the diagonal is ignored).
    alpha, adjustment, permutations, seed, significance, bin_fdr
        As for :func:`gi_star`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`gi_star`, with ``statistic`` ``"Gi"`` and
        ``g = Σ_{j≠i} w_ij x_j / Σ_{j≠i} x_j``.

    Raises
    ------
    SpatialInputError
        As :func:`gi_star`; at least 3 units are needed.

    Warns
    -----
    UndefinedStatisticWarning
        For units whose z-score is undefined (e.g. islands).

    References
    ----------
    Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. *Geographical Analysis* 24(3), 189–206.
    Ord, J. K. and Getis, A. (1995). *Geographical Analysis* 27(4), 286–306.

    Examples
    --------
    >>> from safecity.spatial.weights import distance_band_weights
    >>> weights = distance_band_weights(
    ...     x=[10, 20, 40, 15, 30, 30], y=[10, 10, 10, 20, 20, 30], threshold=15, crs=27700
    ... )
    >>> gi(values=[2, 3, 3.2, 5, 8, 7], weights=weights)["gi_z"].round(8).tolist()
    [-1.0136729, -0.04361589, 1.31558703, -0.31412676, 1.15373986, 1.77833941]
    """
    return _getis_ord(
        values=values,
        weights=weights,
        star=False,
        alpha=alpha,
        adjustment=adjustment,
        permutations=permutations,
        seed=seed,
        significance=significance,
        bin_fdr=bin_fdr,
    )
