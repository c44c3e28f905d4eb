"""Benjamini–Hochberg, Holm and the esda-style FDR cut-off."""

from __future__ import annotations

import esda
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import false_discovery_control

from safecity.spatial import (
    PAdjustment,
    SpatialInputError,
    adjust_p_values,
    benjamini_hochberg,
    fdr_cutoff,
    holm,
    neighbourhood_adjusted_p,
)

p_values = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(p_values)
def test_benjamini_hochberg_equals_scipy_and_is_monotone_and_not_below_raw(values) -> None:
    p = np.asarray(values)
    adjusted = benjamini_hochberg(p)
    np.testing.assert_allclose(adjusted, false_discovery_control(p, method="bh"), rtol=1e-12)
    assert np.all(adjusted >= p - 1e-15)
    assert np.all(adjusted <= 1.0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= -1e-15)


@settings(max_examples=60, deadline=None)
@given(p_values)
def test_holm_is_monotone_not_below_raw_and_not_below_bh(values) -> None:
    p = np.asarray(values)
    adjusted = holm(p)
    assert np.all(adjusted >= p - 1e-15)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= -1e-15)
    assert np.all(adjusted >= benjamini_hochberg(p) - 1e-12)


@settings(max_examples=60, deadline=None)
@given(p_values, st.floats(min_value=0.001, max_value=0.5))
def test_fdr_cutoff_equals_esda_fdr(values, alpha) -> None:
    assert fdr_cutoff(values, alpha=alpha) == pytest.approx(esda.fdr(np.asarray(values), alpha))


def test_holm_matches_r_p_adjust() -> None:
    # By hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1, then running maximum.
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])


def test_missing_p_values_stay_missing_and_are_not_counted() -> None:
    adjusted = benjamini_hochberg([0.01, np.nan, 0.04])
    assert np.isnan(adjusted[1])
    np.testing.assert_allclose(adjusted[[0, 2]], [0.02, 0.04])
    np.testing.assert_allclose(holm([0.01, np.nan, 0.04])[[0, 2]], [0.02, 0.04])


def test_none_leaves_values_unchanged() -> None:
    assert adjust_p_values([0.2, 0.01], method=PAdjustment.NONE).tolist() == [0.2, 0.01]


def test_out_of_range_p_value_names_the_row() -> None:
    with pytest.raises(SpatialInputError, match=r"row 1 is 1\.5"):
        benjamini_hochberg([0.1, 1.5])
    with pytest.raises(SpatialInputError, match="row 0 has no p-value"):
        fdr_cutoff([np.nan, 0.1])


def test_neighbourhood_adjustment_is_p_adjust_with_card_plus_one() -> None:
    # spdep p.adjustSP: p.adjust(p_i, n = card_i + 1), i.e. (card_i + 1)·p_i for one value.
    adjusted = neighbourhood_adjusted_p(
        [0.004, 0.03, np.nan], neighbour_counts=[2, 8, 3], method=PAdjustment.HOLM
    )
    np.testing.assert_allclose(adjusted[:2], [0.012, 0.27])
    assert np.isnan(adjusted[2])
    unchanged = neighbourhood_adjusted_p([0.3], neighbour_counts=[5], method=PAdjustment.NONE)
    assert unchanged.tolist() == [0.3]
    with pytest.raises(SpatialInputError, match="row 1 is -1"):
        neighbourhood_adjusted_p([0.1, 0.2], neighbour_counts=[1, -1], method=PAdjustment.HOLM)
