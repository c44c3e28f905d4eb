"""Grids (sfhotspot cell size, hull clipping, counts) and kernel density on them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from safecity.spatial import (
    Kernel,
    SmallBandwidthWarning,
    SpatialInputError,
    UnprojectedCoordinatesError,
    bandwidth_nrd,
    count_in_cells,
    default_bandwidth,
    default_cell_size,
    kde_grid,
    kernel_values,
    make_grid,
)


def test_default_cell_size_rounds_down_to_100_when_at_least_100() -> None:
    assert default_cell_size(x=[0, 12_345], y=[0, 20_000], crs=27700) == 200.0
    assert default_cell_size(x=[0, 12_345], y=[0, 20_000], crs=27700, round_to_100=False) == (
        pytest.approx(246.9)
    )
    assert default_cell_size(x=[0, 4_000], y=[0, 9_000], crs=27700) == 80.0


def test_make_grid_covers_the_hull_and_counts_every_point() -> None:
    rng = np.random.default_rng(1)
    x = 440_000 + rng.uniform(0, 3_000, 500)
    y = 110_000 + rng.uniform(0, 2_000, 500)
    grid = make_grid(x=x, y=y, cell_size=100)
    assert grid.attrs["cell_size"] == 100
    assert np.allclose(grid["x_max"] - grid["x_min"], 100)
    full = make_grid(x=x, y=y, cell_size=100, clip_to_hull=False)
    assert len(full) == 30 * 20
    assert len(grid) < len(full)
    counted = count_in_cells(x=x, y=y, grid=grid)
    assert counted["n"].sum() == 500
    assert counted.attrs["points_outside"] == 0


def test_kernels_match_formulas_and_normalised_kernels_integrate_to_one() -> None:
    d = np.array([0.0, 25.0, 50.0, 99.0, 100.0, 101.0])
    u = d / 100
    inside = u <= 1
    np.testing.assert_allclose(
        kernel_values(distance=d, bandwidth=100, kernel=Kernel.QUARTIC),
        np.where(inside, (1 - u**2) ** 2, 0),
    )
    np.testing.assert_allclose(
        kernel_values(distance=d, bandwidth=100, kernel=Kernel.QUARTIC, scaled=True),
        np.where(inside, 116 / (5 * math.pi * 100**2) * 15 / 16 * (1 - u**2) ** 2, 0),
    )
    np.testing.assert_allclose(
        kernel_values(distance=d, bandwidth=100, kernel=Kernel.TRIANGULAR),
        np.where(inside, 1 - u, 0),
    )
    # A single point at the centre of a fine grid: expected counts sum to 1 for every kernel.
    grid = make_grid(x=[-500, 500, -500, 500], y=[-500, -500, 500, 500], cell_size=5, crs=27700)
    for kernel in Kernel:
        result = kde_grid(x=[0.0], y=[0.0], grid=grid, bandwidth=200, kernel=kernel, crs=27700)
        assert result["expected_per_cell"].sum() == pytest.approx(1.0, rel=2e-3)


def test_kde_equals_brute_force_sum_with_point_weights() -> None:
    rng = np.random.default_rng(2)
    x = 430_000 + rng.uniform(0, 2_000, 80)
    y = 120_000 + rng.uniform(0, 2_000, 80)
    weights = rng.uniform(0.5, 2.0, 80)
    grid = make_grid(x=x, y=y, cell_size=200)
    result = kde_grid(x=x, y=y, grid=grid, bandwidth=400, point_weights=weights)
    distance = np.hypot(
        grid["x_centre"].to_numpy()[:, None] - x[None, :],
        grid["y_centre"].to_numpy()[:, None] - y[None, :],
    )
    expected = (np.where(distance <= 400, (1 - (distance / 400) ** 2) ** 2, 0) * weights).sum(1)
    np.testing.assert_allclose(result["kde"], expected, rtol=1e-12)
    np.testing.assert_allclose(
        result["density_per_km2"], expected * 3 / (math.pi * 400**2) * 1e6, rtol=1e-12
    )


def test_bandwidth_rule_and_sfhotspot_quirk() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(0, 300, 200) + 440_000
    y = rng.normal(0, 900, 200) + 110_000
    sd_x = np.std(x, ddof=1)
    iqr_x = np.subtract(*np.quantile(x, [0.75, 0.25]))
    assert bandwidth_nrd(x) == pytest.approx(4 * 1.06 * min(sd_x, iqr_x / 1.34) * 200**-0.2)
    assert default_bandwidth(x=x, y=y, replicate_sfhotspot_quirk=True) == bandwidth_nrd(x)
    assert default_bandwidth(x=x, y=y) == pytest.approx((bandwidth_nrd(x) + bandwidth_nrd(y)) / 2)


def test_snapped_points_warn_on_small_bandwidth() -> None:
    x = [440_000, 440_500, 441_000]
    y = [110_000, 110_800, 110_100]
    with pytest.warns(SmallBandwidthWarning, match="snap points"):
        kde_grid(x=x, y=y, cell_size=100, bandwidth=150, snapped_points=True)


def test_kde_refuses_longitude_latitude_and_bad_weights() -> None:
    with pytest.raises(UnprojectedCoordinatesError):
        kde_grid(x=[-1.4, -1.3, -1.35], y=[50.9, 50.95, 50.92], bandwidth=0.01)
    with pytest.raises(SpatialInputError, match=r"row 1 is -1\.0"):
        kde_grid(
            x=[440_000, 440_500, 441_000],
            y=[110_000, 110_800, 110_100],
            cell_size=100,
            bandwidth=300,
            point_weights=[1, -1, 1],
        )


def test_count_in_cells_edges_and_points_outside() -> None:
    grid = make_grid(x=[0, 300, 0, 300], y=[0, 0, 300, 300], cell_size=100, crs=27700)
    counted = count_in_cells(
        x=[100, 300, 300, 50, 1000], y=[50, 300, 50, 299.9, 50], grid=grid, crs=27700
    )
    by_cell = dict(zip(zip(counted["row"], counted["col"], strict=True), counted["n"], strict=True))
    assert by_cell[(0, 1)] == 1  # x = 100 lies on an edge: the cell to its right
    assert by_cell[(2, 2)] == 1  # the top-right corner belongs to the last cell
    assert by_cell[(0, 2)] == 1  # the right edge of the grid is closed
    assert by_cell[(2, 0)] == 1
    assert counted["n"].sum() == 4
    assert counted.attrs["points_outside"] == 1
