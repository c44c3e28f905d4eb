"""Square grids over point data, with sfhotspot's conventions (``methods.md`` §6.2).

* Default cell size (sfhotspot ``set_cell_size``): the shorter side of the points' bounding box
  divided by 50, rounded *down* to a multiple of 100 (metres) when that is at least 100.
* The grid starts at the bounding box's lower-left corner (``sf::st_make_grid``) and keeps the
  cells that overlap the convex hull of the points with positive area (``create_grid``).
* Cells are numbered row by row from the lower-left corner, x fastest.

References
----------
Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``R/set_cell_size.R`` and ``R/create_grid.R``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from safecity.spatial._inputs import (
    CRSLike,
    as_coordinates,
    require_positive,
    require_projected,
)
from safecity.spatial.errors import SpatialInputError

CELLS_ON_SHORTER_SIDE = 50
ROUNDING_UNIT = 100.0
GRID_COLUMNS = (
    "cell_id",
    "row",
    "col",
    "x_min",
    "y_min",
    "x_max",
    "y_max",
    "x_centre",
    "y_centre",
)


def default_cell_size(
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    crs: CRSLike | None = None,
    round_to_100: bool = True,
) -> float:
    """sfhotspot's automatic cell size for a grid over the points.

    ``side / 50`` where ``side`` is the shorter side of the bounding box, rounded down to a
    multiple of 100 when ``round_to_100`` and the rounded size is at least 100 (coordinates are
    taken to be metres or feet, as in any projected CRS used for British data).

    Parameters
    ----------
    x, y : array-like
        Projected point coordinates.
    crs : CRS-like, optional
        The coordinates' CRS; must be projected.
    round_to_100 : bool
        Round down to a multiple of 100 (sfhotspot ``round = TRUE``). Default ``True``.

    Returns
    -------
    float

    Raises
    ------
    UnprojectedCoordinatesError
        If the coordinates are (or look) longitude/latitude.
    SpatialInputError
        If the points span no area.

    References
    ----------
    Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``set_cell_size()``.

    Examples
    --------
    >>> default_cell_size(x=[430000, 436000], y=[108000, 120000])
    100.0
    >>> default_cell_size(x=[430000, 434000], y=[108000, 120000])
    80.0
    """
    x_array, y_array = as_coordinates(x, y, name="points")
    require_projected(x_array, y_array, crs=crs, method="default_cell_size")
    side = float(min(np.ptp(x_array), np.ptp(y_array))) if x_array.size else 0.0
    if side <= 0:
        raise SpatialInputError(
            "default_cell_size: the points span no area (their bounding box has a zero side)"
        )
    rounded = math.floor(side / CELLS_ON_SHORTER_SIDE / ROUNDING_UNIT)
    if round_to_100 and rounded > 0:
        return rounded * ROUNDING_UNIT
    return side / CELLS_ON_SHORTER_SIDE


def make_grid(
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    cell_size: float | None = None,
    crs: CRSLike | None = None,
    clip_to_hull: bool = True,
) -> pd.DataFrame:
    """Square grid cells covering the points (sfhotspot ``create_grid``).

    Parameters
    ----------
    x, y : array-like
        Projected point coordinates (e.g. British National Grid metres).
    cell_size : float, optional
        Cell side; default :func:`default_cell_size`.
    crs : CRS-like, optional
        The coordinates' CRS; must be projected.
    clip_to_hull : bool
        Keep only cells overlapping the convex hull of the points (default ``True``);
        otherwise keep the whole bounding-box grid.

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``cell_id`` (0…), ``row``, ``col``, ``x_min``, ``y_min``, ``x_max``,
        ``y_max``, ``x_centre``, ``y_centre``.

    Raises
    ------
    UnprojectedCoordinatesError
        If the coordinates are (or look) longitude/latitude.
    SpatialInputError
        If there are fewer than 3 points, they span no area, or ``cell_size`` is not positive.

    Notes
    -----
    Cells are kept whole: sfhotspot clips edge cells to the hull and uses the clipped cells'
    centroids, which moves them off the lattice; here centroids stay at cell centres so the
    neighbours of every cell are its queen neighbours.

    References
    ----------
    Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``create_grid()``.

    Examples
    --------
    >>> grid = make_grid(x=[0, 300, 0], y=[0, 0, 300], cell_size=100, crs=27700)
    >>> len(grid), grid[["x_centre", "y_centre"]].iloc[0].tolist()
    (6, [50.0, 50.0])
    """
    x_array, y_array = as_coordinates(x, y, name="points")
    require_projected(x_array, y_array, crs=crs, method="make_grid")
    if x_array.size < 3:
        raise SpatialInputError(f"make_grid needs at least 3 points, got {x_array.size}")
    size = default_cell_size(x=x_array, y=y_array, crs=crs) if cell_size is None else cell_size
    require_positive(size, name="cell_size")
    x_min, y_min = float(x_array.min()), float(y_array.min())
    n_cols = max(1, math.ceil((float(x_array.max()) - x_min) / size))
    n_rows = max(1, math.ceil((float(y_array.max()) - y_min) / size))
    row, col = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    left = x_min + col * size
    bottom = y_min + row * size
    keep = np.ones(row.size, dtype=bool)
    if clip_to_hull:
        hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x_array, y_array])))
        if hull.area <= 0:
            raise SpatialInputError(
                "make_grid: the points are collinear, so no cell can cover them"
            )
        cells = shapely.box(left, bottom, left + size, bottom + size)
        keep = shapely.area(shapely.intersection(cells, hull)) > 0
    frame = pd.DataFrame(
        {
            "row": row[keep],
            "col": col[keep],
            "x_min": left[keep],
            "y_min": bottom[keep],
            "x_max": left[keep] + size,
            "y_max": bottom[keep] + size,
            "x_centre": left[keep] + size / 2,
            "y_centre": bottom[keep] + size / 2,
        }
    )
    frame.insert(0, "cell_id", np.arange(len(frame), dtype=np.int64))
    frame.attrs["cell_size"] = size
    return frame


def _require_grid(grid: pd.DataFrame) -> float:
    missing = [column for column in GRID_COLUMNS if column not in grid.columns]
    if missing:
        raise SpatialInputError(f"grid lacks columns {missing}; build it with make_grid()")
    sizes = (grid["x_max"] - grid["x_min"]).to_numpy(dtype=np.float64)
    if sizes.size == 0 or not np.allclose(sizes, sizes[0]) or sizes[0] <= 0:
        raise SpatialInputError("grid cells must be squares of one positive size")
    return float(sizes[0])


def count_in_cells(
    *, x: npt.ArrayLike, y: npt.ArrayLike, grid: pd.DataFrame, crs: CRSLike | None = None
) -> pd.DataFrame:
    """Number of points in each grid cell.

    A point on a shared cell edge counts once, in the cell above/right of the edge (cells are
    half-open ``[x_min, x_max) × [y_min, y_max)``, the last row and column closed). Points in
    no cell of the grid are counted in ``grid.attrs["points_outside"]``.

    Parameters
    ----------
    x, y : array-like
        Projected point coordinates.
    grid : pandas.DataFrame
        Cells from :func:`make_grid`.
    crs : CRS-like, optional
        The coordinates' CRS; must be projected.

    Returns
    -------
    pandas.DataFrame
        The grid with a column ``n`` (int); ``attrs["points_outside"]`` holds the count of
        points that fell in no cell.

    Raises
    ------
    SpatialInputError
        If the grid is malformed or coordinates are not finite.

    Examples
    --------
    >>> grid = make_grid(x=[0, 300, 0], y=[0, 0, 300], cell_size=100, crs=27700)
    >>> count_in_cells(x=[10, 20, 150, 299], y=[10, 30, 50, 0], grid=grid, crs=27700)["n"].tolist()
    [2, 1, 1, 0, 0, 0]
    """
    size = _require_grid(grid)
    x_array, y_array = as_coordinates(x, y, name="points")
    require_projected(x_array, y_array, crs=crs, method="count_in_cells")
    origin_x = float((grid["x_min"] - grid["col"] * size).iloc[0])
    origin_y = float((grid["y_min"] - grid["row"] * size).iloc[0])
    n_cols = int(grid["col"].max()) + 1
    n_rows = int(grid["row"].max()) + 1
    col = np.floor((x_array - origin_x) / size).astype(np.int64)
    row = np.floor((y_array - origin_y) / size).astype(np.int64)
    col = np.where((col == n_cols) & np.isclose(x_array, origin_x + n_cols * size), n_cols - 1, col)
    row = np.where((row == n_rows) & np.isclose(y_array, origin_y + n_rows * size), n_rows - 1, row)
    lookup = np.full(n_rows * n_cols, -1, dtype=np.int64)
    lookup[grid["row"].to_numpy() * n_cols + grid["col"].to_numpy()] = np.arange(len(grid))
    inside = (col >= 0) & (col < n_cols) & (row >= 0) & (row < n_rows)
    cell = np.full(x_array.size, -1, dtype=np.int64)
    cell[inside] = lookup[row[inside] * n_cols + col[inside]]
    counted = grid.copy()
    counted["n"] = np.bincount(cell[cell >= 0], minlength=len(grid)).astype(np.int64)
    counted.attrs["points_outside"] = int((cell < 0).sum())
    return counted
