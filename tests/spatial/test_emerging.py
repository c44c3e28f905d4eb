"""Emerging/persistent hot spot classification, documented definitions and sfhotspot quirks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safecity.spatial import (
    HotspotCategory,
    PAdjustment,
    PeriodLength,
    PeriodUnit,
    SpatialInputError,
    UndefinedStatisticWarning,
    assign_periods,
    classify_hotspots,
    counts_by_period,
    default_period_length,
    grid_weights,
    lattice_weights,
    make_grid,
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


def test_default_period_length_follows_sfhotspot_spans() -> None:
    def length(first: str, last: str) -> tuple[int, str]:
        chosen = default_period_length(dates=[first, last])
        return chosen.count, str(chosen.unit)

    assert length("2024-01-01", "2024-01-15") == (1, "days")
    assert length("2024-01-01", "2024-03-31") == (7, "days")
    assert length("2023-01-01", "2024-12-31") == (28, "days")
    assert length("2016-01-01", "2024-12-31") == (91, "days")
    assert length("2006-01-01", "2024-12-31") == (1, "years")
    assert length("1990-01-01", "2024-12-31") == (1278, "days")


def test_assign_periods_half_open_and_compat_and_years() -> None:
    days = PeriodLength(count=28, unit=PeriodUnit.DAYS)
    dates = ["2024-01-01", "2024-01-28 23:00", "2024-01-29", "2024-02-26", "2024-03-01"]
    assert assign_periods(dates=dates, length=days)["period"].tolist() == [0, 0, 1, 2, 2]
    compat = assign_periods(dates=dates, length=days, sfhotspot_compat=True)
    assert compat["period"].tolist() == [0, 0, 0, 1, 2]
    years = assign_periods(
        dates=["2019-12-31", "2020-01-01", "2022-06-30"],
        length=PeriodLength(count=1, unit=PeriodUnit.YEARS),
    )
    assert years["period"].tolist() == [0, 1, 3]
    assert str(years["period_start"][2].date()) == "2022-01-01"
    with pytest.raises(SpatialInputError, match="row 1 has no date"):
        assign_periods(dates=["2024-01-01", None])


def test_points_to_classification_end_to_end() -> None:
    rng = np.random.default_rng(12)
    n_events = 3000
    x = 440_000 + rng.uniform(0, 2_000, n_events)
    y = 110_000 + rng.uniform(0, 2_000, n_events)
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 364, n_events), "D")
    extra = 400
    x = np.concatenate([x, 441_000 + rng.normal(0, 60, extra)])
    y = np.concatenate([y, 111_000 + rng.normal(0, 60, extra)])
    dates = dates.append(
        pd.Timestamp("2023-11-06") + pd.to_timedelta(rng.integers(0, 50, extra), "D")
    )
    grid = make_grid(x=x, y=y, cell_size=200, crs=27700)
    periods = assign_periods(dates=dates)
    counts = counts_by_period(x=x, y=y, period=periods["period"], grid=grid, crs=27700)
    assert counts.sum() == n_events + extra
    weights = grid_weights(x=grid["x_centre"], y=grid["y_centre"], cell_size=200, crs=27700)
    result = classify_hotspots(counts=counts, weights=weights)
    centre = int(
        np.flatnonzero(
            (grid["x_min"] <= 441_000)
            & (grid["x_max"] > 441_000)
            & (grid["y_min"] <= 111_000)
            & (grid["y_max"] > 111_000)
        )[0]
    )
    assert result["hotspot_category"][centre] is HotspotCategory.EMERGING_HOTSPOT
