"""Spatial weights: queen contiguity on real LSOAs vs libpysal, lattices, bands, grids, islands."""

from __future__ import annotations

import warnings

import libpysal
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from scipy import sparse
from shapely import box
from tests.spatial.helpers import read_boundaries

from safecity.spatial import (
    Contiguity,
    IslandPolicy,
    IslandWarning,
    SpatialInputError,
    SpatialWeights,
    UnprojectedCoordinatesError,
    distance_band_weights,
    grid_weights,
    lattice_weights,
    queen_weights,
)


@pytest.mark.realdata
def test_queen_on_southampton_lsoas_matches_libpysal(southampton_lsoas) -> None:
    polygons, codes = southampton_lsoas
    assert len(polygons) == 148
    ours = queen_weights(polygons, ids=codes, islands=IslandPolicy.RAISE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = libpysal.weights.Queen.from_iterable(list(polygons))
    assert ours.neighbour_sets() == [set(theirs.neighbors[unit]) for unit in range(148)]
    assert ours.ids == tuple(codes)
    assert (ours.matrix != ours.matrix.T).nnz == 0
    assert not ours.has_self_weights


@pytest.mark.realdata
def test_queen_nearest_island_policy_refuses_longitude_latitude(southampton_lsoas) -> None:
    polygons, _ = southampton_lsoas
    far_away = shapely.box(-1.0, 50.0, -0.99, 50.01)
    with pytest.raises(UnprojectedCoordinatesError, match="longitude/latitude"):
        queen_weights([*polygons, far_away], islands=IslandPolicy.NEAREST)


def test_queen_islands_isolate_raise_and_nearest() -> None:
    squares = [box(0, 0, 100, 100), box(100, 0, 200, 100), box(1000, 1000, 1100, 1100)]
    with pytest.warns(IslandWarning, match=r"row 2 \(c\)"):
        isolated = queen_weights(squares, ids=["a", "b", "c"])
    assert isolated.neighbour_sets() == [{1}, {0}, set()]
    with pytest.raises(SpatialInputError, match=r"1 unit\(s\) have no neighbours: row 2"):
        queen_weights(squares, islands=IslandPolicy.RAISE)
    joined = queen_weights(squares, islands=IslandPolicy.NEAREST, crs=27700)
    assert joined.neighbour_sets() == [{1}, {0, 2}, {1}]


def test_queen_corner_touch_hole_and_multipolygon() -> None:
    outer_with_hole = shapely.Polygon(
        [(0, 0), (30, 0), (30, 30), (0, 30)], holes=[[(10, 10), (20, 10), (20, 20), (10, 20)]]
    )
    inner = box(10, 10, 20, 20)
    corner = box(30, 30, 40, 40)
    parts = shapely.MultiPolygon([box(50, 0, 60, 10), box(40, 30, 50, 40)])
    weights = queen_weights([outer_with_hole, inner, corner, parts], islands=IslandPolicy.RAISE)
    assert weights.neighbour_sets() == [{1, 2}, {0}, {0, 3}, {2}]


def test_queen_decimals_joins_vertices_that_differ_by_noise() -> None:
    left = box(0, 0, 1, 1)
    right = box(1 + 1e-12, 0, 2, 1)
    with pytest.warns(IslandWarning):
        assert queen_weights([left, right]).neighbour_sets() == [set(), set()]
    assert queen_weights([left, right], decimals=6).neighbour_sets() == [{1}, {0}]


@pytest.mark.parametrize("geometry", [None, shapely.Point(0, 0), shapely.Polygon()])
def test_queen_refuses_non_polygons_with_the_row(geometry) -> None:
    with pytest.raises(SpatialInputError, match="row 1"):
        queen_weights([box(0, 0, 1, 1), geometry])


@pytest.mark.parametrize("contiguity", [Contiguity.QUEEN, Contiguity.ROOK])
def test_lattice_matches_libpysal_lat2w(contiguity: Contiguity) -> None:
    ours = lattice_weights(n_rows=6, n_cols=4, contiguity=contiguity)
    theirs = libpysal.weights.lat2W(6, 4, rook=contiguity is Contiguity.ROOK)
    assert ours.neighbour_sets() == [set(theirs.neighbors[unit]) for unit in range(24)]


def test_distance_band_matches_libpysal() -> None:
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1000, 150) + 450_000
    y = rng.uniform(0, 1000, 150) + 110_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = distance_band_weights(x=x, y=y, threshold=120, crs="EPSG:27700")
        theirs = libpysal.weights.DistanceBand(np.column_stack([x, y]), threshold=120)
    assert ours.neighbour_sets() == [set(theirs.neighbors[unit]) for unit in range(150)]


def test_grid_weights_follow_sfhotspot_queen_with_self() -> None:
    cell = 250.0
    col, row = np.meshgrid(np.arange(4), np.arange(3))
    x = 430_000 + (col.ravel() + 0.5) * cell
    y = 110_000 + (row.ravel() + 0.5) * cell
    ours = grid_weights(x=x, y=y, cell_size=cell, crs=27700)
    expected = lattice_weights(n_rows=3, n_cols=4, include_self=True)
    assert (ours.matrix != expected.matrix).nnz == 0
    rook_like = grid_weights(x=x, y=y, cell_size=cell, neighbour_distance=cell, include_self=False)
    assert (
        rook_like.matrix != lattice_weights(n_rows=3, n_cols=4, contiguity="rook").matrix
    ).nnz == 0


def test_distance_methods_refuse_longitude_latitude() -> None:
    longitude = [-1.40, -1.39, -1.38]
    latitude = [50.90, 50.91, 50.92]
    with pytest.raises(UnprojectedCoordinatesError, match="look unprojected"):
        distance_band_weights(x=longitude, y=latitude, threshold=0.02)
    with pytest.raises(UnprojectedCoordinatesError, match="EPSG:4326"):
        grid_weights(x=longitude, y=latitude, cell_size=0.01, crs="EPSG:4326")


def test_spatial_weights_validation() -> None:
    with pytest.raises(SpatialInputError, match="square"):
        SpatialWeights(matrix=np.ones((2, 3)))
    with pytest.raises(SpatialInputError, match=r"row 1 \(b\) has a negative weight"):
        SpatialWeights(matrix=np.array([[0, 1.0], [-1.0, 0]]), ids=["a", "b"])
    with pytest.raises(SpatialInputError, match="ids must be unique; row 1 repeats 'x'"):
        queen_weights([box(0, 0, 1, 1), box(1, 0, 2, 1)], ids=["x", "x"])


def test_row_standardised_and_self_weights() -> None:
    weights = lattice_weights(n_rows=2, n_cols=3, contiguity=Contiguity.ROOK)
    standardised = weights.row_standardised()
    np.testing.assert_allclose(standardised.matrix.sum(axis=1), 1.0)
    with_self = weights.with_self_weight()
    assert with_self.has_self_weights
    assert (with_self.without_self_weight().matrix != weights.matrix).nnz == 0
    frame = weights.to_frame()
    assert list(frame.columns) == ["focal", "neighbour", "weight"]
    assert len(frame) == weights.matrix.nnz


@pytest.mark.realdata
def test_queen_on_hampshire_lsoas_matches_libpysal_and_nearest_joins_islands(shared_data) -> None:
    polygons, codes = read_boundaries(
        shared_data / "boundaries" / "lsoa11_bsc_hampshire_iow.geojson"
    )
    assert len(polygons) == 1194
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = queen_weights(polygons, ids=codes)
        theirs = libpysal.weights.Queen.from_iterable(list(polygons))
    assert ours.neighbour_sets() == [set(theirs.neighbors[unit]) for unit in range(len(codes))]

    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    projected = shapely.transform(polygons, lambda xy: np.column_stack(to_bng.transform(*xy.T)))
    far_island = shapely.box(470_000, 70_000, 470_500, 70_500)  # in the sea south of the IoW
    joined = queen_weights([*projected, far_island], islands=IslandPolicy.NEAREST, crs="EPSG:27700")
    assert joined.islands.size == 0
    (nearest,) = joined.neighbours(len(projected))
    centroids = shapely.centroid(projected)
    distances = shapely.distance(centroids, shapely.centroid(far_island))
    assert nearest == int(np.argmin(distances))
    assert len(projected) in joined.neighbours(nearest)


def test_spatial_weights_do_not_change_the_callers_matrix() -> None:
    given = sparse.csr_array(
        (np.array([0.0, 1.0, 1.0]), (np.array([0, 0, 1]), np.array([0, 1, 0]))), shape=(2, 2)
    )
    weights = SpatialWeights(matrix=given)
    assert given.nnz == 3
    assert weights.matrix.nnz == 2
    assert not weights.has_self_weights
