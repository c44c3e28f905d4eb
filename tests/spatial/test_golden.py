"""Every spatial golden value of methods.md §6 / §15 (H1–H4), from the vendored CSV files."""

from __future__ import annotations

import math

import esda
import libpysal
import numpy as np
import pytest
from tests.spatial.helpers import assert_published, read_golden

from safecity.spatial import (
    benjamini_hochberg,
    distance_band_weights,
    fdr_cutoff,
    gi,
    gi_star,
    global_moran,
    lattice_weights,
    local_moran,
)


@pytest.fixture(scope="module")
def six_points():
    table = read_golden("getis_ord_six_points.csv").sort_values("unit")
    weights = distance_band_weights(x=table["x"], y=table["y"], threshold=15, crs="EPSG:27700")
    return table, weights


def test_h1_distance_band_neighbours(six_points) -> None:
    _, weights = six_points
    golden = read_golden("getis_ord_six_points_neighbours.csv").sort_values("unit")
    expected = [{int(token) for token in row.split()} for row in golden["neighbours"]]
    assert weights.neighbour_sets() == expected


def test_h1_gi_star_z(six_points) -> None:
    table, weights = six_points
    result = gi_star(values=table["value"], weights=weights)
    for unit, expected, decimals in zip(
        table["unit"], table["gi_star_z"], table["decimals"], strict=True
    ):
        assert_published(result["gi_z"][unit], expected, decimals)


def test_h2_gi_z(six_points) -> None:
    table, weights = six_points
    result = gi(values=table["value"], weights=weights)
    for unit, expected, decimals in zip(
        table["unit"], table["gi_z"], table["decimals"], strict=True
    ):
        assert_published(result["gi_z"][unit], expected, decimals)


@pytest.fixture(scope="module")
def grid_result():
    table = read_golden("getis_ord_grid_5x5.csv")
    counts = np.zeros(25)
    counts[(table["row"] - 1) * 5 + (table["col"] - 1)] = table["count"]
    return table, gi_star(values=counts, weights=lattice_weights(n_rows=5, n_cols=5))


def test_h3_grid_gi_star_z(grid_result) -> None:
    table, result = grid_result
    for row, col, expected, decimals in zip(
        table["row"], table["col"], table["gi_star_z"], table["decimals"], strict=True
    ):
        assert_published(result["gi_z"][(row - 1) * 5 + col - 1], expected, decimals)


def test_h3_grid_inference(grid_result) -> None:
    _, result = grid_result
    inference = read_golden("getis_ord_grid_5x5_inference.csv").set_index("case_id")

    centre = inference.loc["H3-p"]
    p_centre = result["p"][(int(centre["row"]) - 1) * 5 + int(centre["col"]) - 1]
    figures = int(centre["significant_figures"])
    exponent = math.floor(math.log10(abs(p_centre)))
    assert round(p_centre, figures - 1 - exponent) == pytest.approx(centre["expected"], rel=1e-12)

    bh = benjamini_hochberg(result["p"])
    assert np.allclose(bh, result["p_fdr"], rtol=0, atol=0)
    for case in ("H3-bh-centre", "H3-bh-2-3", "H3-bh-3-2"):
        row = inference.loc[case]
        unit = (int(row["row"]) - 1) * 5 + int(row["col"]) - 1
        assert_published(bh[unit], row["expected"], int(row["decimals"]))

    cutoff = inference.loc["H3-esda-fdr"]
    assert_published(
        fdr_cutoff(result["p"], alpha=0.05), cutoff["expected"], int(cutoff["decimals"])
    )
    # methods.md: at alpha = 0.05 only the centre survives FDR, by either FDR form.
    assert np.flatnonzero(bh < 0.05).tolist() == [12]
    assert [str(label) for label in result["hotspot"]].count("hot spot") == 1
    assert str(result["hotspot"][12]) == "hot spot"


def test_h4_local_moran(six_points) -> None:
    _, weights = six_points
    table = read_golden("local_moran_six_points.csv").sort_values("unit")
    result = local_moran(values=table["value"], weights=weights, permutations=0)
    for unit, expected, decimals, quadrant in zip(
        table["unit"], table["local_i"], table["decimals"], table["pysal_quadrant"], strict=True
    ):
        assert_published(result["local_i"][unit], expected, decimals)
        assert result["quadrant"][unit].pysal_code == quadrant


def test_h4_global_moran(six_points) -> None:
    _, weights = six_points
    values = read_golden("local_moran_six_points.csv").sort_values("unit")["value"]
    result = global_moran(values=values, weights=weights).iloc[0]
    for quantity, expected, decimals in read_golden("global_moran_six_points.csv")[
        ["quantity", "expected", "decimals"]
    ].itertuples(index=False):
        assert_published(result[quantity], expected, decimals)


def test_golden_cases_agree_with_esda_to_1e_9(six_points) -> None:
    table, weights = six_points
    points = list(zip(table["x"], table["y"], strict=True))
    values = table["value"].to_numpy(dtype=float)
    band = libpysal.weights.DistanceBand(points, threshold=15)
    for star, function in ((True, gi_star), (False, gi)):
        theirs = esda.G_Local(values, band, transform="B", star=star, permutations=0)
        ours = function(values=values, weights=weights)
        np.testing.assert_allclose(ours["gi_z"], theirs.Zs, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours["g"], theirs.Gs, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours["expected_g"], theirs.EGs, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours["variance_g"], theirs.VGs, rtol=1e-9, atol=1e-12)
    lisa = esda.Moran_Local(values, band, transformation="r", permutations=0)
    ours_lisa = local_moran(values=values, weights=weights, permutations=0)
    np.testing.assert_allclose(ours_lisa["local_i"], lisa.Is, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours_lisa["expected_i"], lisa.EI, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours_lisa["variance_i"], lisa.VI, rtol=1e-9, atol=1e-12)
    moran = esda.Moran(values, band, transformation="r", permutations=0)
    ours_global = global_moran(values=values, weights=weights).iloc[0]
    np.testing.assert_allclose(
        [ours_global["i"], ours_global["variance_i"], ours_global["z"], ours_global["p"]],
        [moran.I, moran.VI_norm, moran.z_norm, moran.p_norm],
        rtol=1e-9,
    )

    grid_counts = read_golden("getis_ord_grid_5x5.csv").sort_values(["row", "col"])["count"]
    lattice = libpysal.weights.lat2W(5, 5, rook=False)
    theirs_grid = esda.G_Local(
        grid_counts.to_numpy(dtype=float), lattice, transform="B", star=True, permutations=0
    )
    ours_grid = gi_star(values=grid_counts, weights=lattice_weights(n_rows=5, n_cols=5))
    np.testing.assert_allclose(ours_grid["gi_z"], theirs_grid.Zs, rtol=1e-9, atol=1e-12)
    assert fdr_cutoff(ours_grid["p"], alpha=0.05) == esda.fdr(2 * theirs_grid.p_norm, 0.05)
