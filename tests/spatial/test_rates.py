"""Empirical-Bayes rates against esda.smoothing, and EB local Moran's I against Moran_Local_Rate."""

from __future__ import annotations

import warnings

import esda
import numpy as np
import pytest
from esda.smoothing import Empirical_Bayes, assuncao_rate
from tests.spatial.helpers import ATOL, RTOL, to_libpysal

from safecity.spatial import (
    SpatialInputError,
    eb_standardised_rates,
    empirical_bayes_rates,
    lattice_weights,
    local_moran,
)


def _areas(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    population = rng.integers(800, 3000, n).astype(float)
    risk = rng.gamma(4.0, 0.02 / 4.0, n)
    return rng.poisson(risk * population).astype(float), population


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_smoothed_rates_agree_with_esda_when_areas_differ(seed: int) -> None:
    events, population = _areas(seed, 64)
    ours = empirical_bayes_rates(events=events, population=population)
    assert (ours["shrinkage_weight"] > 0).all()
    np.testing.assert_allclose(
        ours["eb_rate"], Empirical_Bayes(events, population).r.ravel(), rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(ours["crude_rate"], events / population, rtol=RTOL)


def test_negative_between_area_variance_shrinks_to_the_overall_rate() -> None:
    events = np.array([30, 25, 25, 15, 33, 21, 30, 20.0])
    population = np.array([100, 100, 110, 90, 100, 90, 110, 90.0])
    ours = empirical_bayes_rates(events=events, population=population, multiplier=1000)
    assert (ours["shrinkage_weight"] == 0).all()
    np.testing.assert_allclose(ours["eb_rate"], 1000 * events.sum() / population.sum())


@pytest.mark.parametrize("seed", [4, 5])
def test_standardised_rates_and_eb_local_moran_agree_with_esda(seed: int) -> None:
    events, population = _areas(seed, 49)
    ours = eb_standardised_rates(events=events, population=population)
    np.testing.assert_allclose(ours, assuncao_rate(events, population), rtol=RTOL, atol=ATOL)
    weights = lattice_weights(n_rows=7, n_cols=7)
    lisa = local_moran(values=ours, weights=weights, permutations=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.Moran_Local_Rate(events, population, to_libpysal(weights), permutations=0)
    np.testing.assert_allclose(lisa["local_i"], theirs.Is, rtol=RTOL, atol=ATOL)


def test_invalid_rates_input_names_the_row() -> None:
    with pytest.raises(SpatialInputError, match=r"population must be positive: row 1 is 0\.0"):
        empirical_bayes_rates(events=[1, 2], population=[10, 0])
    with pytest.raises(SpatialInputError, match="no events"):
        eb_standardised_rates(events=[0, 0], population=[10, 20])
    with pytest.raises(SpatialInputError, match="rows but population has"):
        empirical_bayes_rates(events=[1, 2, 3], population=[10, 20])
