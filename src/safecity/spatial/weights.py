"""Spatial weights as sparse matrices: queen contiguity, distance bands, grids and lattices.

A :class:`SpatialWeights` holds an ``n × n`` CSR matrix ``W`` whose row ``i`` lists the
neighbours ``j`` of unit ``i`` with weight ``w_ij`` (1 for binary weights). Whether the
diagonal (a unit's weight on itself) is set is explicit: Gi* needs it, Gi and local Moran's I
do not; the statistics add or remove it themselves (``methods.md`` §6.1, §6.4).

Conventions (``methods.md`` §6.2):

* polygons (LSOAs, wards): queen contiguity, i.e. two polygons are neighbours when they share at
  least one vertex, exactly as ``libpysal.weights.Queen`` defines it; units without neighbours
  (islands) are handled by an explicit :class:`IslandPolicy`;
* grid cells (sfhotspot conventions): neighbours are cells whose centroids lie within
  ``cell_size·√2`` (queen), the cell itself included, binary style ``"B"``.

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer.
Rey, S. J. and Anselin, L. (2007). PySAL: a Python library of spatial analytical methods.
*Review of Regional Studies* 37(1), 5–27 (``libpysal.weights.Queen``, ``lat2W``, ``DistanceBand``).
Ashby, M. P. J. (2025). sfhotspot: hot-spot analysis with simple features, v1.0.0
(``gistar()``: ``spdep::dnearneigh(…, 0, cell_size * sqrt(2))`` + ``include.self``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from safecity.spatial._inputs import (
    CRSLike,
    as_coordinates,
    require_positive,
    require_projected,
    row_label,
)
from safecity.spatial.errors import IslandWarning, SpatialInputError

IntArray = npt.NDArray[np.int64]

GRID_DISTANCE_TOLERANCE = 1e-9
"""Relative slack on ``cell_size·√2`` so diagonal neighbours are not lost to float rounding."""


class IslandPolicy(StrEnum):
    """What to do with units that have no neighbours (``methods.md`` §6.2)."""

    ISOLATE = "isolate"
    """Keep them without neighbours and warn (:class:`IslandWarning`); libpysal's behaviour."""
    NEAREST = "nearest"
    """Join each to its nearest unit by centroid distance (k = 1), in both directions."""
    RAISE = "raise"
    """Refuse: raise :class:`SpatialInputError` naming them."""
    DROP = "drop"
    """Drop them from the weights with a warning (:class:`IslandWarning`) naming them; §6.2's
    "drop with warning". The weights then hold only the other units, in input order, and their
    ``ids`` say which (the input row positions when no ids were given): pass values for those
    units only."""


class Contiguity(StrEnum):
    """Which cells of a regular lattice touch."""

    QUEEN = "queen"
    """Shared edge or corner (8 neighbours inside the lattice)."""
    ROOK = "rook"
    """Shared edge only (4 neighbours inside the lattice)."""


@dataclass(frozen=True, slots=True, eq=False)
class SpatialWeights:
    """An ``n × n`` sparse spatial weights matrix.

    Parameters
    ----------
    matrix : scipy.sparse.csr_array
        Non-negative weights, row ``i`` holding unit ``i``'s neighbours. Converted to CSR
        ``float64`` with sorted indices and explicit zeros removed.
    ids : sequence, optional
        One identifier per unit (e.g. LSOA codes), used in messages and outputs.

    Raises
    ------
    SpatialInputError
        If the matrix is not square, has negative or non-finite weights, or ``ids`` does not
        match it.

    Examples
    --------
    >>> weights = lattice_weights(n_rows=2, n_cols=2, contiguity=Contiguity.ROOK)
    >>> weights.n, weights.cardinalities.tolist()
    (4, [2, 2, 2, 2])
    >>> weights.with_self_weight().matrix.diagonal().tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    matrix: sparse.csr_array
    ids: tuple[object, ...] | None = None

    def __post_init__(self) -> None:
        matrix = sparse.csr_array(self.matrix, dtype=np.float64, copy=True)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise SpatialInputError(f"weights matrix must be square, got shape {matrix.shape}")
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        matrix.sort_indices()
        if matrix.nnz and not np.all(np.isfinite(matrix.data)):
            raise SpatialInputError("weights must be finite")
        if matrix.nnz and matrix.data.min() < 0:
            row = int(np.searchsorted(matrix.indptr, np.argmin(matrix.data), side="right") - 1)
            raise SpatialInputError(
                f"weights must be non-negative: {row_label(row, self.ids)} has a negative weight"
            )
        if self.ids is not None:
            ids = tuple(self.ids)
            if len(ids) != matrix.shape[0]:
                raise SpatialInputError(
                    f"weights have {matrix.shape[0]} units but {len(ids)} ids were given"
                )
            object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "matrix", matrix)

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.matrix.shape[0])

    @property
    def has_self_weights(self) -> bool:
        """Whether any unit has a non-zero weight on itself."""
        return bool(np.any(self.matrix.diagonal() != 0))

    @property
    def cardinalities(self) -> IntArray:
        """Number of neighbours of each unit, not counting the unit itself."""
        counts: IntArray = np.diff(self.matrix.indptr).astype(np.int64)
        self_counts: IntArray = (self.matrix.diagonal() != 0).astype(np.int64)
        return counts - self_counts

    @property
    def islands(self) -> IntArray:
        """Positions of units with no neighbours other than themselves."""
        return np.flatnonzero(self.cardinalities == 0).astype(np.int64)

    def neighbours(self, unit: int) -> IntArray:
        """Positions of the neighbours of ``unit`` (not the unit itself), in ascending order."""
        start, stop = self.matrix.indptr[unit], self.matrix.indptr[unit + 1]
        columns: IntArray = self.matrix.indices[start:stop].astype(np.int64)
        others: IntArray = columns[columns != unit]
        return others

    def neighbour_sets(self) -> list[set[int]]:
        """Every unit's neighbours as a set of positions (self excluded)."""
        return [set(self.neighbours(unit).tolist()) for unit in range(self.n)]

    def with_self_weight(self, value: float = 1.0) -> SpatialWeights:
        """A copy whose diagonal is ``value`` wherever it is not already set (Gi*)."""
        missing = self.matrix.diagonal() == 0
        added = sparse.diags_array(np.where(missing, value, 0.0), format="csr")
        return SpatialWeights(matrix=sparse.csr_array(self.matrix + added), ids=self.ids)

    def without_self_weight(self) -> SpatialWeights:
        """A copy with a zero diagonal (Gi, local Moran's I)."""
        coo = self.matrix.tocoo()
        keep = coo.row != coo.col
        matrix = sparse.csr_array(
            (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=self.matrix.shape
        )
        return SpatialWeights(matrix=matrix, ids=self.ids)

    def row_standardised(self) -> SpatialWeights:
        """A copy whose rows sum to 1 (rows of islands stay zero); style ``"W"``/``"r"``."""
        row_sums = np.asarray(self.matrix.sum(axis=1)).ravel()
        scale = np.divide(1.0, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0)
        matrix = sparse.csr_array(sparse.diags_array(scale) @ self.matrix)
        return SpatialWeights(matrix=matrix, ids=self.ids)

    def to_frame(self) -> pd.DataFrame:
        """One row per (focal, neighbour) pair: ``focal``, ``neighbour``, ``weight``."""
        coo = self.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        focal = coo.row[order]
        neighbour = coo.col[order]
        if self.ids is not None:
            labels = np.asarray(self.ids, dtype=object)
            return pd.DataFrame(
                {"focal": labels[focal], "neighbour": labels[neighbour], "weight": coo.data[order]}
            )
        return pd.DataFrame({"focal": focal, "neighbour": neighbour, "weight": coo.data[order]})


def _binary_from_pairs(
    rows: npt.ArrayLike, columns: npt.ArrayLike, n: int, ids: tuple[object, ...] | None
) -> SpatialWeights:
    rows_array = np.asarray(rows, dtype=np.int64)
    columns_array = np.asarray(columns, dtype=np.int64)
    data = np.ones(rows_array.size, dtype=np.float64)
    matrix = sparse.csr_array((data, (rows_array, columns_array)), shape=(n, n))
    matrix.data[:] = 1.0  # duplicate pairs summed above: binary again
    return SpatialWeights(matrix=matrix, ids=ids)


def _ids_tuple(ids: Sequence[object] | None, n: int, *, name: str) -> tuple[object, ...] | None:
    if ids is None:
        return None
    ids_tuple = tuple(ids)
    if len(ids_tuple) != n:
        raise SpatialInputError(f"{name}: {n} units but {len(ids_tuple)} ids")
    if len(set(ids_tuple)) != n:
        seen: set[object] = set()
        for row, identifier in enumerate(ids_tuple):
            if identifier in seen:
                raise SpatialInputError(
                    f"{name}: ids must be unique; row {row} repeats {identifier!r}"
                )
            seen.add(identifier)
    return ids_tuple


def _polygon_array(polygons: Any, ids: tuple[object, ...] | None) -> npt.NDArray[np.object_]:
    geometries = np.asarray(polygons, dtype=object)
    if geometries.ndim != 1:
        raise SpatialInputError("polygons must be a one-dimensional sequence of geometries")
    for row, geometry in enumerate(geometries):
        if not isinstance(geometry, shapely.Geometry):
            raise SpatialInputError(
                f"polygons: {row_label(row, ids)} is {type(geometry).__name__}, not a geometry"
            )
    type_ids = shapely.get_type_id(geometries)
    polygonal = (type_ids == shapely.GeometryType.POLYGON) | (
        type_ids == shapely.GeometryType.MULTIPOLYGON
    )
    bad = np.flatnonzero(~polygonal | shapely.is_empty(geometries))
    if bad.size:
        row = int(bad[0])
        geometry = geometries[row]
        what = "empty" if shapely.is_empty(geometry) else geometry.geom_type
        raise SpatialInputError(
            f"polygons: {row_label(row, ids)} is {what}; every geometry must be a non-empty "
            "Polygon or MultiPolygon"
        )
    return geometries


def _handle_islands(
    weights: SpatialWeights,
    *,
    islands: IslandPolicy,
    centroid_x: npt.NDArray[np.float64],
    centroid_y: npt.NDArray[np.float64],
    crs: CRSLike | None,
    method: str,
) -> SpatialWeights:
    try:
        islands = IslandPolicy(islands)
    except ValueError as error:
        choices = ", ".join(member.value for member in IslandPolicy)
        raise SpatialInputError(
            f"{method}: islands must be one of {choices}; got {islands!r}"
        ) from error
    island_rows = weights.islands
    if island_rows.size == 0 or weights.n < 2:
        return weights
    shown = ", ".join(row_label(int(row), weights.ids) for row in island_rows[:5])
    more = "" if island_rows.size <= 5 else f" and {island_rows.size - 5} more"
    if islands is IslandPolicy.RAISE:
        raise SpatialInputError(
            f"{method}: {island_rows.size} unit(s) have no neighbours: {shown}{more}"
        )
    if islands is IslandPolicy.DROP:
        keep = np.setdiff1d(np.arange(weights.n), island_rows)
        warnings.warn(
            f"{method}: {island_rows.size} unit(s) have no neighbours and are dropped: "
            f"{shown}{more}; the weights keep the other {keep.size} units (see their ids)",
            IslandWarning,
            stacklevel=3,
        )
        ids = weights.ids if weights.ids is not None else tuple(range(weights.n))
        kept = sparse.csr_array(weights.matrix[keep][:, keep])
        return SpatialWeights(matrix=kept, ids=tuple(ids[int(row)] for row in keep))
    if islands is IslandPolicy.ISOLATE:
        warnings.warn(
            f"{method}: {island_rows.size} unit(s) have no neighbours and are kept isolated: "
            f"{shown}{more}",
            IslandWarning,
            stacklevel=3,
        )
        return weights
    require_projected(centroid_x, centroid_y, crs=crs, method=f"{method} nearest-neighbour islands")
    tree = cKDTree(np.column_stack([centroid_x, centroid_y]))
    _, nearest = tree.query(
        np.column_stack([centroid_x[island_rows], centroid_y[island_rows]]), k=2
    )
    # The closest point is the island itself unless another centroid coincides with it.
    nearest_other = np.where(nearest[:, 0] == island_rows, nearest[:, 1], nearest[:, 0])
    coo = weights.matrix.tocoo()
    rows = np.concatenate([coo.row, island_rows, nearest_other])
    columns = np.concatenate([coo.col, nearest_other, island_rows])
    return _binary_from_pairs(rows, columns, weights.n, weights.ids)


def queen_weights(
    polygons: Sequence[shapely.Geometry] | npt.ArrayLike,
    *,
    ids: Sequence[object] | None = None,
    islands: IslandPolicy = IslandPolicy.ISOLATE,
    decimals: int | None = None,
    crs: CRSLike | None = None,
) -> SpatialWeights:
    """Queen contiguity weights for polygons: neighbours share at least one vertex.

    Every vertex of every ring (exterior and holes) is hashed on its exact coordinates; the
    polygon × vertex incidence matrix ``B`` then gives the neighbours as the non-zero
    off-diagonal entries of ``B Bᵀ``. This is the definition of ``libpysal.weights.Queen``
    (shared vertices, exact coordinate equality), computed with sparse products instead of
    Python sets. Topology only: any coordinate system will do, including longitude/latitude.

    Parameters
    ----------
    polygons : sequence of shapely Polygon or MultiPolygon
        One geometry per unit.
    ids : sequence, optional
        Unique identifiers (e.g. GSS codes) carried into the weights and messages.
    islands : IslandPolicy
        What to do with polygons that share no vertex with any other (default: keep them
        isolated with an :class:`~safecity.spatial.errors.IslandWarning`; ``NEAREST`` joins
        each to its nearest polygon; ``DROP`` removes them with a warning, and the weights'
        ``ids`` then name the units kept; ``RAISE`` refuses).
    decimals : int, optional
        Round coordinates to this many decimals before matching vertices, for boundaries whose
        shared vertices differ by floating noise. ``None`` (default) matches exactly, as libpysal.
    crs : CRS-like, optional
        Needed only with ``islands=IslandPolicy.NEAREST``, which measures centroid distances and
        so refuses longitude/latitude.

    Returns
    -------
    SpatialWeights
        Binary, symmetric, zero diagonal; with ``islands=IslandPolicy.DROP``, only the units
        that have neighbours.

    Raises
    ------
    SpatialInputError
        If a geometry is missing, empty or not polygonal (naming the row), ids repeat, or
        ``islands=IslandPolicy.RAISE`` and there are islands.
    UnprojectedCoordinatesError
        With ``islands=IslandPolicy.NEAREST`` on longitude/latitude polygons.

    References
    ----------
    Rey, S. J. and Anselin, L. (2007). PySAL: a Python library of spatial analytical methods.
    *Review of Regional Studies* 37(1), 5–27 (``libpysal.weights.Queen``).

    Examples
    --------
    >>> from shapely import box
    >>> squares = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(1, 1, 2, 2), box(5, 5, 6, 6)]
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     weights = queen_weights(squares, ids=["a", "b", "c", "d"])
    >>> weights.neighbour_sets()
    [{1, 2}, {0, 2}, {0, 1}, set()]
    """
    n = len(polygons)  # type: ignore[arg-type]
    ids_tuple = _ids_tuple(ids, n, name="queen_weights")
    geometries = _polygon_array(polygons, ids_tuple)
    coordinates, owner = shapely.get_coordinates(geometries, return_index=True)
    if decimals is not None:
        coordinates = np.round(coordinates, decimals)
    # -0.0 and 0.0 are the same vertex
    coordinates = coordinates + 0.0
    vertex_keys = coordinates[:, 0] + 1j * coordinates[:, 1]
    vertex_codes, _ = pd.factorize(vertex_keys, sort=False)
    incidence = sparse.csr_array(
        (np.ones(owner.size, dtype=np.float64), (owner, vertex_codes)),
        shape=(n, int(vertex_codes.max()) + 1 if vertex_codes.size else 0),
    )
    shared = sparse.csr_array(incidence @ incidence.T).tocoo()
    off_diagonal = shared.row != shared.col
    weights = _binary_from_pairs(shared.row[off_diagonal], shared.col[off_diagonal], n, ids_tuple)
    centroids = shapely.centroid(geometries)
    return _handle_islands(
        weights,
        islands=islands,
        centroid_x=shapely.get_x(centroids),
        centroid_y=shapely.get_y(centroids),
        crs=crs,
        method="queen_weights",
    )


def distance_band_weights(
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    threshold: float,
    ids: Sequence[object] | None = None,
    crs: CRSLike | None = None,
    islands: IslandPolicy = IslandPolicy.ISOLATE,
) -> SpatialWeights:
    """Binary distance-band weights: neighbours lie within ``threshold`` (inclusive).

    Equivalent to ``libpysal.weights.DistanceBand(points, threshold, binary=True)`` and to
    ``spdep::dnearneigh(coords, 0, threshold)``.

    Parameters
    ----------
    x, y : array-like
        Projected coordinates of the units (e.g. population-weighted centroids).
    threshold : float
        Band width in the units of the coordinates (metres for EPSG:27700).
    ids : sequence, optional
        Unique identifiers.
    crs : CRS-like, optional
        The coordinates' CRS; must be projected. Without it, coordinates that all lie in
        longitude/latitude ranges are refused.
    islands : IslandPolicy
        What to do with units that have no neighbour within the band (see
        :func:`queen_weights`).

    Returns
    -------
    SpatialWeights
        Binary, symmetric, zero diagonal.

    Raises
    ------
    UnprojectedCoordinatesError
        If the coordinates are (or look) longitude/latitude.
    SpatialInputError
        If coordinates are not finite (naming the row) or ``threshold`` is not positive.

    References
    ----------
    Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. *Geographical Analysis* 24(3), 189–206.

    Examples
    --------
    >>> weights = distance_band_weights(
    ...     x=[10, 20, 40, 15, 30, 30], y=[10, 10, 10, 20, 20, 30], threshold=15, crs="EPSG:27700"
    ... )
    >>> [sorted(neighbours) for neighbours in weights.neighbour_sets()]
    [[1, 3], [0, 3, 4], [4], [0, 1, 4], [1, 2, 3, 5], [4]]
    """
    x_array, y_array = as_coordinates(x, y)
    require_positive(threshold, name="threshold")
    require_projected(x_array, y_array, crs=crs, method="distance_band_weights")
    ids_tuple = _ids_tuple(ids, x_array.size, name="distance_band_weights")
    tree = cKDTree(np.column_stack([x_array, y_array]))
    pairs = tree.query_pairs(r=threshold, output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    columns = np.concatenate([pairs[:, 1], pairs[:, 0]])
    weights = _binary_from_pairs(rows, columns, x_array.size, ids_tuple)
    return _handle_islands(
        weights,
        islands=islands,
        centroid_x=x_array,
        centroid_y=y_array,
        crs=crs,
        method="distance_band_weights",
    )


def grid_weights(
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    cell_size: float,
    neighbour_distance: float | None = None,
    include_self: bool = True,
    ids: Sequence[object] | None = None,
    crs: CRSLike | None = None,
) -> SpatialWeights:
    """Grid-cell weights with the sfhotspot conventions (``methods.md`` §6.2).

    Cells are neighbours when their centroids lie within ``neighbour_distance`` (default
    ``cell_size·√2``, i.e. queen contiguity on a square grid), the cell itself is included
    (``include_self=True``, as ``spdep::include.self``) and weights are binary (style ``"B"``).
    A relative slack of ``1e-9`` on the distance keeps diagonal neighbours whose computed
    distance exceeds ``cell_size·√2`` by rounding.

    Parameters
    ----------
    x, y : array-like
        Projected coordinates of the cell centroids.
    cell_size : float
        Side of the square cells, in the units of the coordinates.
    neighbour_distance : float, optional
        Neighbourhood radius (sfhotspot ``nb_dist``); default ``cell_size·√2``.
    include_self : bool
        Give each cell a weight of 1 on itself (Gi*). Default ``True``.
    ids : sequence, optional
        Unique cell identifiers.
    crs : CRS-like, optional
        The coordinates' CRS; must be projected.

    Returns
    -------
    SpatialWeights
        Binary and symmetric.

    Raises
    ------
    UnprojectedCoordinatesError
        If the coordinates are (or look) longitude/latitude.
    SpatialInputError
        If coordinates are not finite or the sizes are not positive.

    References
    ----------
    Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``R/gistar.R`` (``spdep::dnearneigh``,
    ``spdep::include.self``, ``spdep::nb2listw(style = "B")``).

    Examples
    --------
    >>> weights = grid_weights(
    ...     x=[50, 150, 250, 50], y=[50, 50, 50, 150], cell_size=100, crs="EPSG:27700"
    ... )
    >>> weights.matrix.toarray().astype(int).tolist()
    [[1, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 0], [1, 1, 0, 1]]
    """
    x_array, y_array = as_coordinates(x, y, name="cell centroids")
    require_positive(cell_size, name="cell_size")
    distance = cell_size * np.sqrt(2.0) if neighbour_distance is None else neighbour_distance
    require_positive(distance, name="neighbour_distance")
    require_projected(x_array, y_array, crs=crs, method="grid_weights")
    ids_tuple = _ids_tuple(ids, x_array.size, name="grid_weights")
    tree = cKDTree(np.column_stack([x_array, y_array]))
    pairs = tree.query_pairs(r=distance * (1.0 + GRID_DISTANCE_TOLERANCE), output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    columns = np.concatenate([pairs[:, 1], pairs[:, 0]])
    if include_self:
        diagonal = np.arange(x_array.size)
        rows = np.concatenate([rows, diagonal])
        columns = np.concatenate([columns, diagonal])
    return _binary_from_pairs(rows, columns, x_array.size, ids_tuple)


def lattice_weights(
    *,
    n_rows: int,
    n_cols: int,
    contiguity: Contiguity = Contiguity.QUEEN,
    include_self: bool = False,
) -> SpatialWeights:
    """Binary contiguity weights for a full ``n_rows × n_cols`` lattice, cells row-major.

    Cell ``(r, c)`` is unit ``r·n_cols + c``; the same numbering and neighbours as
    ``libpysal.weights.lat2W(n_rows, n_cols, rook=…)``.

    Parameters
    ----------
    n_rows, n_cols : int
        Lattice size (both at least 1).
    contiguity : Contiguity
        Queen (edges and corners, default) or rook (edges).
    include_self : bool
        Put 1 on the diagonal (for Gi*). Default ``False``.

    Returns
    -------
    SpatialWeights

    Raises
    ------
    SpatialInputError
        If a size is below 1.

    References
    ----------
    Rey, S. J. and Anselin, L. (2007), ``libpysal.weights.lat2W``.

    Examples
    --------
    >>> lattice_weights(n_rows=3, n_cols=3).cardinalities.reshape(3, 3).tolist()
    [[3, 5, 3], [5, 8, 5], [3, 5, 3]]
    """
    if n_rows < 1 or n_cols < 1:
        raise SpatialInputError(f"lattice needs at least 1×1 cells, got {n_rows}×{n_cols}")
    contiguity = Contiguity(contiguity)
    row_index, col_index = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    offsets = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    if contiguity is Contiguity.QUEEN:
        offsets += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    if include_self:
        offsets.append((0, 0))
    rows: list[IntArray] = []
    columns: list[IntArray] = []
    for row_offset, col_offset in offsets:
        neighbour_row = row_index + row_offset
        neighbour_col = col_index + col_offset
        inside = (
            (neighbour_row >= 0)
            & (neighbour_row < n_rows)
            & (neighbour_col >= 0)
            & (neighbour_col < n_cols)
        )
        rows.append(np.flatnonzero(inside))
        columns.append(neighbour_row[inside] * n_cols + neighbour_col[inside])
    return _binary_from_pairs(np.concatenate(rows), np.concatenate(columns), n_rows * n_cols, None)
