"""Gi* and Gi against esda.G_Local, permutation inference, bins, labels and errors."""

from __future__ import annotations

import warnings

import esda
import libpysal
import numpy as np
import pytest
from tests.spatial.helpers import ATOL, RTOL, to_libpysal

from safecity.spatial import (
    Contiguity,
    GiBin,
    HotspotType,
    IslandWarning,
    PAdjustment,
    Significance,
    SpatialInputError,
    SpatialWeights,
    UndefinedStatisticWarning,
    distance_band_weights,
    gi,
    gi_bin,
    gi_star,
    lattice_weights,
)


def _libpysal_weights(weights: SpatialWeights) -> libpysal.weights.W:
    return to_libpysal(weights)


def _random_case(seed: int, n: int) -> tuple[np.ndarray, SpatialWeights]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1000, n) + 400_000
    y = rng.uniform(0, 1000, n) + 100_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = distance_band_weights(x=x, y=y, threshold=220, crs=27700)
    values = rng.poisson(rng.uniform(0.5, 12), n).astype(float)
    return values, weights


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("star", [True, False])
def test_agrees_with_esda_on_random_inputs(seed: int, star: bool) -> None:
    values, weights = _random_case(seed, n=60 + 40 * seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = (gi_star if star else gi)(values=values, weights=weights)
        theirs = esda.G_Local(
            values, _libpysal_weights(weights), transform="B", star=star, permutations=0
        )
    defined = np.isfinite(ours["gi_z"].to_numpy())
    assert defined.sum() > 0.9 * values.size
    np.testing.assert_allclose(ours["gi_z"][defined], theirs.Zs[defined], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours["g"], theirs.Gs, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours["expected_g"], theirs.EGs, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(
        ours["variance_g"][defined], theirs.VGs[defined], rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(ours["p"][defined], 2 * theirs.p_norm[defined], rtol=RTOL, atol=ATOL)


def test_gi_star_agrees_with_esda_on_a_lattice_with_continuous_values() -> None:
    rng = np.random.default_rng(7)
    values = rng.gamma(2.0, 3.0, 12 * 9)
    weights = lattice_weights(n_rows=12, n_cols=9)
    theirs = esda.G_Local(
        values,
        libpysal.weights.lat2W(12, 9, rook=False),
        transform="B",
        star=True,
        permutations=0,
    )
    ours = gi_star(values=values, weights=weights)
    np.testing.assert_allclose(ours["gi_z"], theirs.Zs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("star", [True, False])
def test_permutation_p_values_agree_with_esda_statistically(star: bool) -> None:
    values, weights = _random_case(11, n=80)
    permutations = 999
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = (gi_star if star else gi)(
            values=values, weights=weights, permutations=permutations, seed=5
        )
        theirs = esda.G_Local(
            values,
            _libpysal_weights(weights),
            transform="B",
            star=star,
            permutations=permutations,
            seed=5,
            n_jobs=1,
        )
    defined = np.isfinite(ours["p_sim"].to_numpy())
    p_ours = ours["p_sim"].to_numpy()[defined]
    p_theirs = theirs.p_sim[defined]
    standard_error = np.sqrt((p_ours * (1 - p_ours) + p_theirs * (1 - p_theirs)) / permutations)
    assert np.all(np.abs(p_ours - p_theirs) <= 5 * standard_error + 2 / (permutations + 1))
    assert np.corrcoef(p_ours, p_theirs)[0, 1] > 0.95


def test_same_seed_same_permutation_results_and_different_seed_differs() -> None:
    values, weights = _random_case(3, n=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = gi_star(values=values, weights=weights, permutations=199, seed=42)
        second = gi_star(values=values, weights=weights, permutations=199, seed=42)
        other = gi_star(values=values, weights=weights, permutations=199, seed=43)
    assert first.equals(second)
    assert not np.array_equal(first["p_sim"], other["p_sim"])


def test_permutation_significance_uses_the_pseudo_p_value() -> None:
    counts = np.zeros(25)
    counts[[6, 7, 8, 11, 12, 13, 16, 17, 18]] = [3, 5, 2, 4, 9, 6, 2, 5, 3]
    result = gi_star(
        values=counts,
        weights=lattice_weights(n_rows=5, n_cols=5),
        permutations=99,
        seed=1,
        significance=Significance.PERMUTATION,
        adjustment=PAdjustment.NONE,
        alpha=0.05,
    )
    expected = [
        HotspotType.HOT_SPOT
        if p < 0.05 and z > 0
        else HotspotType.COLD_SPOT
        if p < 0.05 and z < 0
        else HotspotType.NOT_SIGNIFICANT
        for p, z in zip(result["p_sim"], result["gi_z"], strict=True)
    ]
    assert list(result["hotspot"]) == expected
    assert HotspotType.HOT_SPOT in expected


def test_output_columns_and_labels() -> None:
    weights = lattice_weights(n_rows=3, n_cols=4)
    result = gi_star(values=np.arange(12.0), weights=weights, permutations=9, seed=0)
    assert list(result.columns) == [
        "value",
        "n_neighbours",
        "statistic",
        "g",
        "expected_g",
        "variance_g",
        "gi_z",
        "p",
        "p_fdr",
        "z_sim",
        "p_sim",
        "p_sim_fdr",
        "p_perm",
        "p_perm_fdr",
        "gi_bin",
        "hotspot",
    ]
    assert len(result) == 12
    assert all(isinstance(label, GiBin) for label in result["gi_bin"])
    assert all(isinstance(label, HotspotType) for label in result["hotspot"])
    assert set(result["statistic"]) == {"Gi*"}


def test_ids_are_carried_into_the_output() -> None:
    codes = ["E01", "E02", "E03", "E04", "E05", "E06"]
    weights = SpatialWeights(
        matrix=lattice_weights(n_rows=2, n_cols=3, contiguity=Contiguity.ROOK).matrix, ids=codes
    )
    result = gi_star(values=[1, 2, 3, 9, 4, 4], weights=weights)
    assert result["id"].tolist() == codes
    assert np.isfinite(result["gi_z"]).all()


def test_gi_bin_thresholds_and_codes() -> None:
    bins = gi_bin(
        z=[3.0, 2.0, 1.7, 0.5, -1.7, -2.0, -3.0, np.nan],
        p=[0.009, 0.049, 0.099, 0.5, 0.099, 0.049, 0.009, np.nan],
    )
    assert [label.arcgis_code for label in bins] == [3, 2, 1, 0, -1, -2, -3, 0]
    assert bins[0] is GiBin.HOT_SPOT_99
    assert bins[-2] is GiBin.COLD_SPOT_99


def test_gi_bin_with_fdr_bins_adjusted_p_values() -> None:
    p = [0.001, 0.012, 0.033, 0.044, 0.6]
    raw = [label.arcgis_code for label in gi_bin(z=[1] * 5, p=p)]
    adjusted = [label.arcgis_code for label in gi_bin(z=[1] * 5, p=p, fdr=True)]
    assert raw == [3, 2, 2, 2, 0]
    # BH adjusted: 0.005, 0.03, 0.055, 0.055, 0.6
    assert adjusted == [3, 2, 1, 1, 0]


def test_gi_of_an_island_is_undefined_and_warned() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = distance_band_weights(
            x=[0, 10, 20, 500], y=[0, 0, 0, 500], threshold=15, crs=27700
        )
    with pytest.warns(UndefinedStatisticWarning, match="first row 3"):
        result = gi(values=[1, 2, 3, 4], weights=weights)
    assert np.isnan(result["gi_z"][3])
    assert result["hotspot"][3] is HotspotType.NOT_SIGNIFICANT


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1, 2, -3, 4], "row 2 is -3.0"),
        ([1, 2, np.nan, 4], "row 2 is nan"),
        ([2, 2, 2, 2], "every value equals 2.0"),
        ([1, 2, 3], "values has 3 rows but the weights describe 4"),
        ([[1, 2], [3, 4]], "one-dimensional"),
        (["a", "b", "c", "d"], "numeric"),
    ],
)
def test_invalid_values_are_refused_with_the_row(values: object, message: str) -> None:
    weights = lattice_weights(n_rows=2, n_cols=2)
    with pytest.raises(SpatialInputError, match=message):
        gi_star(values=values, weights=weights)


def test_invalid_options_are_refused() -> None:
    weights = lattice_weights(n_rows=2, n_cols=2)
    with pytest.raises(SpatialInputError, match="alpha"):
        gi_star(values=[1, 2, 3, 4], weights=weights, alpha=1.5)
    with pytest.raises(SpatialInputError, match="needs permutations > 0"):
        gi_star(values=[1, 2, 3, 4], weights=weights, significance=Significance.PERMUTATION)
    with pytest.raises(SpatialInputError, match="permutations must be >= 0"):
        gi_star(values=[1, 2, 3, 4], weights=weights, permutations=-1)


def test_gi_star_of_an_island_agrees_with_esda() -> None:
    x = [0, 10, 20, 10, 500]
    y = [0, 0, 0, 10, 500]
    values = np.array([4.0, 7.0, 1.0, 3.0, 9.0])
    with pytest.warns(IslandWarning, match="row 4"):
        weights = distance_band_weights(x=x, y=y, threshold=15, crs=27700)
    ours = gi_star(values=values, weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.G_Local(
            values, to_libpysal(weights), transform="B", star=True, permutations=0
        )
    np.testing.assert_allclose(ours["gi_z"], theirs.Zs, rtol=RTOL, atol=ATOL)
    assert ours["n_neighbours"].tolist() == [2, 3, 2, 3, 0]
