"""Property tests (Hypothesis) of the spatial statistics."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from safecity.spatial import gi_star, lattice_weights, local_moran

shapes = st.tuples(st.integers(min_value=3, max_value=6), st.integers(min_value=3, max_value=6))


def _counts(draw, n: int) -> np.ndarray:
    return np.asarray(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)), dtype=float)


@st.composite
def lattice_cases(draw):
    n_rows, n_cols = draw(shapes)
    counts = _counts(draw, n_rows * n_cols)
    assume(np.ptp(counts) > 0)
    return lattice_weights(n_rows=n_rows, n_cols=n_cols), counts


@settings(max_examples=25, deadline=None)
@given(lattice_cases(), st.integers(0, 2**32 - 1))
def test_same_seed_gives_identical_permutation_results(case, seed) -> None:
    weights, counts = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = gi_star(values=counts, weights=weights, permutations=49, seed=seed)
        second = gi_star(values=counts, weights=weights, permutations=49, seed=seed)
    assert first.equals(second)
    first_moran = local_moran(values=counts, weights=weights, permutations=49, seed=seed)
    assert first_moran.equals(
        local_moran(values=counts, weights=weights, permutations=49, seed=seed)
    )


@settings(max_examples=25, deadline=None)
@given(lattice_cases(), st.integers(0, 1000))
def test_pseudo_p_values_lie_in_their_range(case, seed) -> None:
    weights, counts = case
    permutations = 39
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = gi_star(values=counts, weights=weights, permutations=permutations, seed=seed)
    p_sim = result["p_sim"].dropna().to_numpy()
    assert np.all(p_sim >= 1 / (permutations + 1))
    assert np.all(p_sim <= 0.5 + 1 / (permutations + 1))
    adjusted = result["p_fdr"].dropna().to_numpy()
    raw = result["p"].dropna().to_numpy()
    assert np.all(adjusted >= raw - 1e-15)


@settings(max_examples=25, deadline=None)
@given(lattice_cases(), st.floats(min_value=0.01, max_value=1000), st.floats(0, 1000))
def test_gi_star_z_is_invariant_to_rescaling_values(case, scale, shift) -> None:
    weights, counts = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = gi_star(values=counts, weights=weights)["gi_z"].to_numpy()
        scaled = gi_star(values=counts * scale + shift, weights=weights)["gi_z"].to_numpy()
    np.testing.assert_allclose(scaled, base, rtol=1e-7, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(lattice_cases())
def test_local_moran_sums_to_n_minus_one_times_global_form(case) -> None:
    weights, counts = case
    result = local_moran(values=counts, weights=weights, permutations=0)
    z = counts - counts.mean()
    standardised = weights.row_standardised().matrix
    global_form = (len(counts) - 1) * (z @ (standardised @ z)) / (z @ z)
    np.testing.assert_allclose(result["local_i"].sum(), global_form, rtol=1e-9, atol=1e-9)
