"""Kernel density estimation on a grid of cells (``methods.md`` §6.5).

sfhotspot's ``hotspot_kde`` calls ``SpatialKDE::kde`` (the QGIS heatmap algorithm): each cell
centroid gets ``Σ_i w_i K(d_i)`` over the points within the bandwidth ``h`` (``d ≤ h``). The
kernels, with ``u = d/h``:

============  ===================  ===============================  =======================
kernel        unscaled ``K``       QGIS ``scaled`` constant          normalised (∫ = 1)
============  ===================  ===============================  =======================
quartic       ``(1 − u²)²``        ``116/(5πh²) · 15/16``            ``3/(πh²)``
epanechnikov  ``1 − u²``           ``8/(3πh²) · 3/4``                ``2/(πh²)``
triweight     ``(1 − u²)³``        ``128/(35πh²) · 35/32``           ``4/(πh²)``
triangular    ``1 − u``            ``3/(πh²)``                       ``3/(πh²)``
uniform       ``1``                ``1/(πh²)``                       ``1/(πh²)``
============  ===================  ===============================  =======================

The QGIS quartic constant does not integrate to 1 (it is 7.25 times the normalised one); the
other QGIS constants are the normalised ones. ``kde`` reports the chosen variant (unscaled, as
sfhotspot, by default); ``density_per_km2`` and ``expected_per_cell`` always use the
normalised kernel, so they are an intensity (points per km²) and its integral over a cell.

Default bandwidth (sfhotspot ``bandwidth_nrd``, MASS ``bandwidth.nrd``):
``h = 4 · 1.06 · min(sd, IQR/1.34) · n^(−1/5)`` per coordinate, averaged over x and y.
sfhotspot's ``mean(bandwidth_nrd(x), bandwidth_nrd(y))`` passes the y bandwidth as R's ``trim``
argument, so it uses the **x bandwidth only**; ``replicate_sfhotspot_quirk=True`` does the same.

References
----------
Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*. Chapman & Hall.
Venables, W. N. and Ripley, B. D. (2002). *Modern Applied Statistics with S*, 4th ed.
(``MASS::bandwidth.nrd``). Caha, J. SpatialKDE, ``src/kde.cpp`` (after QGIS ``qgskde.cpp``).
Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``hotspot_kde()``, ``R/bandwidth_nrd.R``.
"""

from __future__ import annotations

import math
import warnings
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from safecity.spatial._inputs import (
    CRSLike,
    FloatArray,
    as_coordinates,
    as_float_vector,
    require_non_negative,
    require_positive,
    require_projected,
)
from safecity.spatial.errors import SmallBandwidthWarning, SpatialInputError
from safecity.spatial.grid import make_grid

SQUARE_METRES_PER_KM2 = 1_000_000.0
POLICE_UK_MINIMUM_BANDWIDTH = 250.0
"""Design default (``methods.md`` §6.5): below this, snapped police.uk points make peaks."""
POLICE_UK_MINIMUM_CELL_SIZE = 100.0


class Kernel(StrEnum):
    """Kernel shape for :func:`kde_grid`."""

    QUARTIC = "quartic"
    EPANECHNIKOV = "epanechnikov"
    TRIWEIGHT = "triweight"
    TRIANGULAR = "triangular"
    UNIFORM = "uniform"


def _unscaled(kernel: Kernel, u: FloatArray) -> FloatArray:
    """The kernel's shape at ``u = d/h`` for ``0 ≤ u ≤ 1`` (SpatialKDE, ``scaled = FALSE``)."""
    shape: FloatArray
    if kernel is Kernel.QUARTIC:
        shape = (1.0 - u**2) ** 2
    elif kernel is Kernel.EPANECHNIKOV:
        shape = 1.0 - u**2
    elif kernel is Kernel.TRIWEIGHT:
        shape = (1.0 - u**2) ** 3
    elif kernel is Kernel.TRIANGULAR:
        shape = 1.0 - u
    else:
        shape = np.ones_like(u)
    return shape


_NORMALISING = {
    Kernel.QUARTIC: 3.0,
    Kernel.EPANECHNIKOV: 2.0,
    Kernel.TRIWEIGHT: 4.0,
    Kernel.TRIANGULAR: 3.0,
    Kernel.UNIFORM: 1.0,
}
"""``c`` in ``c/(πh²)``, the constant making each kernel integrate to 1 over the plane."""
_QGIS_SCALED = {
    Kernel.QUARTIC: 116.0 / 5.0 * 15.0 / 16.0,
    Kernel.EPANECHNIKOV: 8.0 / 3.0 * 3.0 / 4.0,
    Kernel.TRIWEIGHT: 128.0 / 35.0 * 35.0 / 32.0,
    Kernel.TRIANGULAR: 3.0,
    Kernel.UNIFORM: 1.0,
}
"""``c`` in ``c/(πh²)`` of QGIS/SpatialKDE ``scaled = TRUE``."""


def bandwidth_nrd(values: npt.ArrayLike) -> float:
    """Normal-reference bandwidth of one coordinate (``MASS::bandwidth.nrd``).

    ``4 · 1.06 · min(sd, IQR/1.34) · n^(−1/5)``, with the sample standard deviation and the
    type-7 (linear) quartiles.

    Parameters
    ----------
    values : array-like
        One coordinate of the points.

    Returns
    -------
    float

    Raises
    ------
    SpatialInputError
        If there are fewer than 2 values or they are not finite.

    References
    ----------
    Venables, W. N. and Ripley, B. D. (2002), ``MASS::bandwidth.nrd``; Silverman (1986), eq. 3.31.

    Examples
    --------
    >>> round(bandwidth_nrd([1.0, 2.0, 3.0, 4.0, 10.0]), 6)
    4.586665
    """
    array = as_float_vector(values, name="coordinates")
    if array.size < 2:
        raise SpatialInputError(f"bandwidth_nrd needs at least 2 points, got {array.size}")
    lower, upper = np.quantile(array, [0.25, 0.75])
    spread = min(float(np.std(array, ddof=1)), float(upper - lower) / 1.34)
    return float(4.0 * 1.06 * spread * array.size ** (-1.0 / 5.0))


def default_bandwidth(
    *, x: npt.ArrayLike, y: npt.ArrayLike, replicate_sfhotspot_quirk: bool = False
) -> float:
    """sfhotspot's rule-of-thumb KDE bandwidth for points.

    The mean of :func:`bandwidth_nrd` of x and of y, or, with ``replicate_sfhotspot_quirk``,
    the x bandwidth alone (what sfhotspot v1.0.0 actually returns).

    Parameters
    ----------
    x, y : array-like
        Projected point coordinates.
    replicate_sfhotspot_quirk : bool
        Use the x bandwidth only, as sfhotspot's ``mean(a, b)`` call does. Default ``False``.

    Returns
    -------
    float

    Raises
    ------
    SpatialInputError
        If there are fewer than 2 points or coordinates are not finite.

    References
    ----------
    Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``R/bandwidth_nrd.R``; Venables and Ripley (2002).

    Examples
    --------
    >>> round(default_bandwidth(x=[0, 100, 200, 300], y=[0, 0, 0, 900]), 3)
    449.625
    >>> round(default_bandwidth(x=[0, 100, 200, 300], y=[0, 0, 0, 900],
    ...                         replicate_sfhotspot_quirk=True), 3)
    359.7
    """
    x_array, y_array = as_coordinates(x, y, name="points")
    x_bandwidth = bandwidth_nrd(x_array)
    if replicate_sfhotspot_quirk:
        return x_bandwidth
    return (x_bandwidth + bandwidth_nrd(y_array)) / 2.0


def kernel_values(
    *, distance: npt.ArrayLike, bandwidth: float, kernel: Kernel, scaled: bool = False
) -> FloatArray:
    """Kernel ``K(d)`` at distances ``d`` (0 beyond the bandwidth), as SpatialKDE.

    Parameters
    ----------
    distance : array-like
        Distances from the evaluation point.
    bandwidth : float
        Kernel radius ``h``.
    kernel : Kernel
        Kernel shape.
    scaled : bool
        Multiply by QGIS's scaling constant (see the module table). Default ``False``.

    Returns
    -------
    numpy.ndarray

    References
    ----------
    Caha, J. SpatialKDE ``src/kde.cpp`` (after QGIS ``qgskde.cpp``); Silverman (1986).

    Examples
    --------
    >>> kernel_values(distance=[0, 50, 100, 150], bandwidth=100, kernel=Kernel.QUARTIC).tolist()
    [1.0, 0.5625, 0.0, 0.0]
    """
    kernel = Kernel(kernel)
    require_positive(bandwidth, name="bandwidth")
    d = np.asarray(distance, dtype=np.float64)
    u = d / bandwidth
    values: FloatArray = np.where(u <= 1.0, _unscaled(kernel, np.minimum(u, 1.0)), 0.0)
    if scaled:
        values = values * _QGIS_SCALED[kernel] / (math.pi * bandwidth**2)
    return values


def kde_grid(
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    grid: pd.DataFrame | None = None,
    cell_size: float | None = None,
    bandwidth: float | None = None,
    kernel: Kernel = Kernel.QUARTIC,
    scaled: bool = False,
    point_weights: npt.ArrayLike | None = None,
    crs: CRSLike | None = None,
    replicate_sfhotspot_quirk: bool = False,
    snapped_points: bool = False,
) -> pd.DataFrame:
    """Kernel density of points at the centroids of square grid cells (sfhotspot ``hotspot_kde``).

    Parameters
    ----------
    x, y : array-like
        Projected point coordinates in metres (e.g. EPSG:27700).
    grid : pandas.DataFrame, optional
        Cells from :func:`~safecity.spatial.grid.make_grid`; default a grid over the points with
        ``cell_size``.
    cell_size : float, optional
        Cell side when ``grid`` is not given (default sfhotspot's automatic size).
    bandwidth : float, optional
        Kernel radius ``h`` in metres; default :func:`default_bandwidth`.
    kernel : Kernel
        Kernel shape (default quartic, as sfhotspot/QGIS).
    scaled : bool
        Report ``kde`` with QGIS's scaling constants (see the module table) instead of the
        unscaled kernel sfhotspot reports. Default ``False``.
    point_weights : array-like, optional
        Non-negative weight per point (default 1).
    crs : CRS-like, optional
        The coordinates' CRS; must be projected.
    replicate_sfhotspot_quirk : bool
        Default bandwidth from x only, as sfhotspot v1.0.0. Default ``False`` (mean of x and y).
    snapped_points : bool
        The points are data.police.uk snap points: warn (:class:`SmallBandwidthWarning`) when
        ``h < 250 m`` or the cell size ``< 100 m``, which make artefactual peaks.

    Returns
    -------
    pandas.DataFrame
        The grid's columns plus ``kernel``, ``bandwidth``, ``kde`` (``Σ w K(d)`` in the chosen
        scaling), ``density_per_km2`` (normalised kernel, points per km²) and
        ``expected_per_cell`` (``density × cell area``).

    Raises
    ------
    UnprojectedCoordinatesError
        If the coordinates are (or look) longitude/latitude.
    SpatialInputError
        If coordinates or weights are not finite or negative (naming the row), or there are too
        few points to choose a bandwidth.

    References
    ----------
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*.
    Caha, J. SpatialKDE ``kde()``; Ashby, M. P. J. (2025). sfhotspot v1.0.0 ``hotspot_kde()``.

    Examples
    --------
    >>> grid = make_grid(x=[0, 400, 0, 400], y=[0, 0, 400, 400], cell_size=200, crs=27700)
    >>> result = kde_grid(x=[100, 300], y=[100, 100], grid=grid, bandwidth=200, crs=27700)
    >>> result["kde"].round(4).tolist()
    [1.0, 1.0, 0.0, 0.0]
    >>> result["expected_per_cell"].round(4).tolist()
    [0.9549, 0.9549, 0.0, 0.0]
    """
    kernel = Kernel(kernel)
    x_array, y_array = as_coordinates(x, y, name="points")
    require_projected(x_array, y_array, crs=crs, method="kde_grid")
    if grid is None:
        grid = make_grid(x=x_array, y=y_array, cell_size=cell_size, crs=crs)
    size = float((grid["x_max"] - grid["x_min"]).iloc[0]) if len(grid) else 0.0
    if point_weights is None:
        weights = np.ones(x_array.size)
    else:
        weights = as_float_vector(point_weights, name="point_weights")
        require_non_negative(weights, name="point_weights")
        if weights.size != x_array.size:
            raise SpatialInputError(
                f"point_weights has {weights.size} rows but there are {x_array.size} points"
            )
    h = (
        default_bandwidth(x=x_array, y=y_array, replicate_sfhotspot_quirk=replicate_sfhotspot_quirk)
        if bandwidth is None
        else bandwidth
    )
    require_positive(h, name="bandwidth")
    if snapped_points and (h < POLICE_UK_MINIMUM_BANDWIDTH or size < POLICE_UK_MINIMUM_CELL_SIZE):
        warnings.warn(
            f"bandwidth {h:.0f} m / cell size {size:.0f} m on police.uk snap points: below "
            f"{POLICE_UK_MINIMUM_BANDWIDTH:.0f} m / {POLICE_UK_MINIMUM_CELL_SIZE:.0f} m the "
            "density peaks on the anonymised snap points rather than on crime",
            SmallBandwidthWarning,
            stacklevel=2,
        )
    centres = np.column_stack([grid["x_centre"].to_numpy(), grid["y_centre"].to_numpy()])
    pairs = cKDTree(centres).sparse_distance_matrix(
        cKDTree(np.column_stack([x_array, y_array])), h, output_type="ndarray"
    )
    cell_index = pairs["i"].astype(np.int64)
    point_index = pairs["j"].astype(np.int64)
    unscaled = kernel_values(distance=pairs["v"], bandwidth=h, kernel=kernel) * weights[point_index]
    raw = np.bincount(cell_index, weights=unscaled, minlength=len(grid))
    normalised = raw * _NORMALISING[kernel] / (math.pi * h**2)
    result = grid.copy()
    result["kernel"] = pd.Series([kernel] * len(grid), dtype=object)
    result["bandwidth"] = h
    result["kde"] = raw * _QGIS_SCALED[kernel] / (math.pi * h**2) if scaled else raw
    result["density_per_km2"] = normalised * SQUARE_METRES_PER_KM2
    result["expected_per_cell"] = normalised * size**2
    return result
