"""Time-of-day, seasonality, u-chart and rate-difference helpers (methods.md §5.2, §9)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from safecity import stats


def weights_by_cell(profile):  # type: ignore[no-untyped-def]
    return dict(zip(profile["cell"].tolist(), profile["weight"].tolist(), strict=True))


class TestAoristic:
    def test_window_spread_over_minutes(self) -> None:
        # Friday 14 June 2024 22:30 to Saturday 00:30: 30 + 60 + 30 minutes
        profile = stats.aoristic_hour_of_week(start=["2024-06-14 22:30"], end=["2024-06-15 00:30"])
        cells = weights_by_cell(profile)
        friday_22 = 24 * (6 - 1) + 22 + 1
        assert cells[friday_22] == pytest.approx(0.25)
        assert cells[friday_22 + 1] == pytest.approx(0.5)
        assert cells[friday_22 + 2] == pytest.approx(0.25)
        assert profile["weight"].sum() == pytest.approx(1.0)

    def test_window_wraps_from_saturday_to_sunday(self) -> None:
        profile = stats.aoristic_hour_of_week(start=["2024-06-15 23:30"], end=["2024-06-16 00:30"])
        cells = weights_by_cell(profile)
        assert cells[168] == pytest.approx(0.5)
        assert cells[1] == pytest.approx(0.5)

    def test_missing_or_backwards_end_goes_to_start_hour(self) -> None:
        profile = stats.aoristic_hour_of_week(
            start=["2024-06-10 10:15", "2024-06-10 10:15"], end=[None, "2024-06-10 09:00"]
        )
        monday_10 = 24 * (2 - 1) + 10 + 1
        assert weights_by_cell(profile)[monday_10] == pytest.approx(2.0)
        assert profile["weight"].sum() == pytest.approx(2.0)

    def test_week_long_window_is_uniform(self) -> None:
        profile = stats.aoristic_hour_of_week(start=["2024-06-10 10:00"], end=["2024-06-20 10:00"])
        np.testing.assert_allclose(profile["weight"], 1 / 168)

    def test_labels_follow_lubridate_weekday(self) -> None:
        profile = stats.aoristic_hour_of_week(start=["2024-06-16 00:05"])
        first = profile.iloc[0]
        assert (first["cell"], first["day"], first["hour"], first["weight"]) == (1, "Sun", 0, 1.0)

    def test_missing_start_is_rejected(self) -> None:
        with pytest.raises(stats.StatisticsInputError, match="start must not be missing: row 1"):
            stats.aoristic_hour_of_week(start=["2024-06-16 00:05", None])


class TestPeaks:
    def test_uniform_profile_has_no_peak(self) -> None:
        result = stats.hour_of_week_peaks(weight=[5.0] * 168)
        assert not result["peak"].any()
        assert result["chi_square"].iloc[0] == 0

    def test_window_wrapping_the_week_end(self) -> None:
        weights = [10.0] * 168
        for cell in (166, 167, 0, 1):
            weights[cell] = 40.0
        result = stats.hour_of_week_peaks(weight=weights)
        assert set(result.loc[result["peak"], "window"]) == {"Sat 22:00–Sun 02:00"}

    def test_needs_168_cells(self) -> None:
        with pytest.raises(stats.StatisticsInputError, match="168"):
            stats.hour_of_week_peaks(weight=[1.0] * 24)


class TestSeasonality:
    def test_needs_three_full_years(self) -> None:
        with pytest.raises(stats.StatisticsInputError, match="three full periods"):
            stats.seasonal_indices(values=[1.0] * 35)

    def test_monthly_pattern_recovered_with_trend(self) -> None:
        pattern = np.array([0.9, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.1, 1.0, 1.0, 0.95, 0.95])
        months = np.arange(48)
        values = (100 + months) * np.tile(pattern, 4)
        result = stats.seasonal_indices(values=values)
        np.testing.assert_allclose(result["index"], pattern / pattern.mean(), atol=0.01)
        assert result["index"].mean() == pytest.approx(1.0)

    def test_first_season_shifts_labels(self) -> None:
        pattern = [1.2, 1.0, 0.8, 1.0]
        result = stats.seasonal_indices(values=pattern * 4, period=4, first_season=2)
        assert result["index"].round(6).tolist() == [1.0, 1.2, 1.0, 0.8]

    def test_crimes_per_day_in_leap_february(self) -> None:
        result = stats.crimes_per_day(count=[290], month=["2024-02"])
        assert result["days"].iloc[0] == 29
        assert result["value"].iloc[0] == 10.0


class TestUChart:
    def test_limits_follow_exposure(self) -> None:
        result = stats.u_chart_limits(count=[5, 45], exposure=[5, 45])
        centre = 50 / 50
        assert result["upper_limit"].tolist() == pytest.approx(
            [centre + 3 * math.sqrt(centre / 5), centre + 3 * math.sqrt(centre / 45)]
        )
        assert result["lower_limit"].tolist() == pytest.approx(
            [0.0, centre - 3 * math.sqrt(centre / 45)]
        )


class TestRateDifference:
    def test_gap_and_interval(self) -> None:
        row = stats.rate_difference(
            count=300, population=10_000, comparator_count=100, comparator_population=10_000
        ).iloc[0]
        assert row["value"] == pytest.approx(20.0)
        assert row["standard_error"] == pytest.approx(math.sqrt(300 + 100) / 10_000 * 1000)
        assert row["lower_ci"] == pytest.approx(20.0 - 1.959963984540054 * 2.0)
        assert row["significant"]
