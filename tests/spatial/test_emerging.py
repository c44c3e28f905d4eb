"""Emerging/persistent hot spot classification, documented definitions and sfhotspot quirks."""

from __future__ import annotations

import numpy as np
import pytest

from safecity.spatial import (
    HotspotCategory,
    PAdjustment,
    SpatialInputError,
    UndefinedStatisticWarning,
    classify_hotspots,
    lattice_weights,
)

WEIGHTS = lattice_weights(n_rows=5, n_cols=5)
CENTRE_BLOCK = [6, 7, 8, 11, 12, 13, 16, 17, 18]
QUIET = np.tile([1.0, 2.0], 13)[:25]
BUSY = QUIET.copy()
BUSY[CENTRE_BLOCK] = 9


def _periods(*columns: np.ndarray) -> np.ndarray:
    return np.column_stack(columns)


def test_persistent_former_and_emerging() -> None:
    persistent = classify_hotspots(counts=_periods(*[BUSY] * 5), weights=WEIGHTS)
    assert persistent["hotspot_category"][12] is HotspotCategory.PERSISTENT_HOTSPOT
    former = classify_hotspots(counts=_periods(BUSY, BUSY, QUIET, QUIET, QUIET), weights=WEIGHTS)
    assert former["hotspot_category"][12] is HotspotCategory.FORMER_HOTSPOT
    emerging = classify_hotspots(counts=_periods(QUIET, QUIET, QUIET, QUIET, BUSY), weights=WEIGHTS)
    assert emerging["hotspot_category"][12] is HotspotCategory.EMERGING_HOTSPOT
    assert emerging["hotspot_category"][0] is HotspotCategory.NO_PATTERN
    assert emerging["recent_periods"][0] == 1


def test_sfhotspot_compat_reproduces_the_recent_window_quirk() -> None:
    # 10 periods, R = 2 recent. Busy in period 8 only (0-based 7), i.e. just before the window.
    columns = [QUIET] * 10
    columns[7] = BUSY
    documented = classify_hotspots(counts=_periods(*columns), weights=WEIGHTS)
    compat = classify_hotspots(counts=_periods(*columns), weights=WEIGHTS, sfhotspot_compat=True)
    # Documented: older share 1/8 >= 0.1 and recent share 0 -> former.
    assert documented["recent_share_hot"][12] == 0.0
    assert documented["hotspot_category"][12] is HotspotCategory.FORMER_HOTSPOT
    # sfhotspot: the last R + 1 columns, divided by R -> recent share 1/2, emerging needs
    # older < 0.1 (false), so former needs recent < 0.1 (false) -> intermittent.
    assert compat["recent_share_hot"][12] == 0.5
    assert compat["hotspot_category"][12] is HotspotCategory.INTERMITTENT_HOTSPOT


def test_sfhotspot_compat_uses_recent_prop_for_emerging() -> None:
    columns = [QUIET] * 10
    columns[9] = BUSY
    params = {"hotspot_prop": 0.1, "recent_prop": 0.6}
    # R = 6; recent share 1/6 ~ 0.167 >= hotspot_prop but < recent_prop.
    documented = classify_hotspots(counts=_periods(*columns), weights=WEIGHTS, **params)
    compat = classify_hotspots(
        counts=_periods(*columns), weights=WEIGHTS, sfhotspot_compat=True, **params
    )
    assert documented["hotspot_category"][12] is HotspotCategory.EMERGING_HOTSPOT
    assert compat["hotspot_category"][12] is HotspotCategory.INTERMITTENT_HOTSPOT


def test_holm_across_periods_is_stricter_than_none() -> None:
    columns = [QUIET] * 4 + [QUIET.copy()]
    columns[4][CENTRE_BLOCK] = 5
    counts = _periods(*columns)
    none = classify_hotspots(counts=counts, weights=WEIGHTS, period_adjustment=PAdjustment.NONE)
    holm = classify_hotspots(counts=counts, weights=WEIGHTS)
    assert (holm["significant_hot"] <= none["significant_hot"]).all()


def test_empty_period_warns_and_counts_as_not_significant() -> None:
    counts = _periods(BUSY, np.zeros(25), BUSY, BUSY, BUSY)
    with pytest.warns(UndefinedStatisticWarning, match=r"period\(s\) \[1\]"):
        result = classify_hotspots(counts=counts, weights=WEIGHTS)
    assert result["significant_hot"][12] == 4
    assert result["hotspot_category"][12] is HotspotCategory.PERSISTENT_HOTSPOT


def test_invalid_counts_name_cell_and_period() -> None:
    counts = _periods(BUSY, BUSY)
    counts[3, 1] = -2
    with pytest.raises(SpatialInputError, match=r"cell row 3, period 1 is -2\.0"):
        classify_hotspots(counts=counts, weights=WEIGHTS)
    with pytest.raises(SpatialInputError, match="at least 2 periods"):
        classify_hotspots(counts=_periods(BUSY), weights=WEIGHTS)
