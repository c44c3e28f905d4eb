"""Local Moran's I against esda.Moran_Local: statistics, moments, quadrants, permutations."""

from __future__ import annotations

import warnings

import esda
import numpy as np
import pytest
from tests.spatial.helpers import ATOL, RTOL, to_libpysal

from safecity.spatial import (
    LisaCluster,
    MoranQuadrant,
    SpatialInputError,
    distance_band_weights,
    lattice_weights,
    local_moran,
)


def _case(seed: int, n: int):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1000, n) + 400_000
    y = rng.uniform(0, 1000, n) + 100_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = distance_band_weights(x=x, y=y, threshold=250, crs=27700)
    values = rng.lognormal(1.0, 0.8, n) + 0.01 * x / 1000
    w = to_libpysal(weights)
    return values, weights, w


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_esda(seed: int) -> None:
    values, weights, w = _case(seed, n=70 + 30 * seed)
    ours = local_moran(values=values, weights=weights, permutations=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.Moran_Local(values, w, transformation="r", permutations=0)
    np.testing.assert_allclose(ours["local_i"], theirs.Is, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours["expected_i"], theirs.EI, rtol=RTOL, atol=ATOL)
    connected = ours["n_neighbours"].to_numpy() > 0
    np.testing.assert_allclose(
        ours["variance_i"][connected], theirs.VI[connected], rtol=RTOL, atol=ATOL
    )
    assert [quadrant.pysal_code for quadrant in ours["quadrant"]] == theirs.q.tolist()


def test_geoda_codes_match_esda_geoda_quads() -> None:
    values, weights, w = _case(9, n=60)
    ours = local_moran(values=values, weights=weights, permutations=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.Moran_Local(values, w, permutations=0, geoda_quads=True)
    assert [quadrant.geoda_code for quadrant in ours["quadrant"]] == theirs.q.tolist()


def test_permutation_p_values_agree_with_esda_statistically() -> None:
    values, weights, w = _case(4, n=90)
    permutations = 999
    ours = local_moran(values=values, weights=weights, permutations=permutations, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.Moran_Local(values, w, permutations=permutations, seed=3, n_jobs=1)
    defined = np.isfinite(ours["p_sim"].to_numpy())
    p_ours = ours["p_sim"].to_numpy()[defined]
    p_theirs = theirs.p_sim[defined]
    standard_error = np.sqrt((p_ours * (1 - p_ours) + p_theirs * (1 - p_theirs)) / permutations)
    assert np.all(np.abs(p_ours - p_theirs) <= 5 * standard_error + 2 / (permutations + 1))


def test_clusters_are_significant_quadrants() -> None:
    values = np.zeros(49)
    values[[8, 9, 10, 15, 16, 17, 22, 23, 24]] = [8, 9, 7, 9, 12, 8, 7, 9, 8]
    values += np.tile([0.1, 0.3, 0.2], 17)[:49]
    result = local_moran(
        values=values, weights=lattice_weights(n_rows=7, n_cols=7), permutations=499, seed=2
    )
    for quadrant, cluster, p in zip(
        result["quadrant"], result["cluster"], result["p_sim_fdr"], strict=True
    ):
        assert isinstance(quadrant, MoranQuadrant)
        assert cluster is (LisaCluster(quadrant.value) if p < 0.05 else LisaCluster.NOT_SIGNIFICANT)
    assert result["cluster"][16] is LisaCluster.HIGH_HIGH


def test_same_seed_same_result() -> None:
    values, weights, _ = _case(5, n=40)
    first = local_moran(values=values, weights=weights, permutations=99, seed=8)
    second = local_moran(values=values, weights=weights, permutations=99, seed=8)
    assert first.equals(second)


def test_invalid_input_names_the_row() -> None:
    weights = lattice_weights(n_rows=2, n_cols=2)
    with pytest.raises(SpatialInputError, match="row 1 is inf"):
        local_moran(values=[1, np.inf, 2, 3], weights=weights)
    with pytest.raises(SpatialInputError, match=r"every value equals 1\.0"):
        local_moran(values=[1, 1, 1, 1], weights=weights)
