"""XmR special-cause rules (methods.md §9.3) on series built to trigger each rule."""

from __future__ import annotations

import pytest

from safecity import stats
from safecity.stats import SpecialCause, Variation

BASELINE = [10.0, 12.0] * 5
"""Mean 11, mean moving range 2: process limits 11 ± 5.32, near limits 11 ± 3.5467."""


def chart(tail: list[float], direction: str = "decrease"):  # type: ignore[no-untyped-def]
    return stats.xmr_limits(
        values=BASELINE + tail, fix_after_n_points=len(BASELINE), improvement_direction=direction
    )


def test_baseline_limits() -> None:
    first = chart([11.0]).iloc[0]
    assert first["mean"] == pytest.approx(11.0)
    assert first["upper_process_limit"] == pytest.approx(11 + 2.66 * 2)
    assert first["lower_process_limit"] == pytest.approx(11 - 2.66 * 2)
    assert first["upper_near_limit"] == pytest.approx(11 + 2 / 3 * 2.66 * 2)


def test_baseline_is_common_cause() -> None:
    result = chart([11.0])
    assert set(result["special_cause"]) == {SpecialCause.NONE}
    assert set(result["variation"]) == {Variation.COMMON_CAUSE}


def test_point_outside_limits() -> None:
    result = chart([20.0, 11.0])
    assert result["special_cause"].tolist()[-2:] == [SpecialCause.OUTSIDE_LIMITS, SpecialCause.NONE]
    assert result["variation"].iloc[-2] == Variation.CONCERN


def test_point_below_limits_is_improvement_when_lower_is_better() -> None:
    result = chart([2.0])
    assert result["special_cause"].iloc[-1] == SpecialCause.OUTSIDE_LIMITS
    assert result["variation"].iloc[-1] == Variation.IMPROVEMENT


def test_trend_of_seven_rising_points() -> None:
    tail = [8.0, 9.0, 10.0, 10.5, 11.5, 12.5, 13.0]
    result = chart([11.0, *tail])
    assert result["special_cause"].tolist()[-7:] == [SpecialCause.TREND] * 7
    assert result["special_cause"].iloc[-8] == SpecialCause.NONE


def test_six_rising_points_are_not_a_trend() -> None:
    result = chart([11.0, 12.0, 8.0, 9.0, 10.0, 10.5, 11.5, 12.5, 10.0])
    assert SpecialCause.TREND not in set(result["special_cause"])


def test_two_of_three_beyond_two_sigma() -> None:
    result = chart([9.0, 15.0, 11.5, 15.5, 9.0])
    causes = result["special_cause"].tolist()[-5:]
    assert causes == [
        SpecialCause.NONE,
        SpecialCause.TWO_OF_THREE,
        SpecialCause.NONE,
        SpecialCause.TWO_OF_THREE,
        SpecialCause.NONE,
    ]
    assert result["variation"].iloc[-2] == Variation.CONCERN


def test_two_of_three_needs_all_three_on_one_side() -> None:
    result = chart([9.0, 15.0, 10.0, 15.5, 9.0])
    assert SpecialCause.TWO_OF_THREE not in set(result["special_cause"])


def test_shift_of_seven_points_on_one_side() -> None:
    result = chart([9.0, 12.0, 11.5, 12.0, 11.5, 12.0, 11.5, 12.0, 9.0])
    causes = result["special_cause"].tolist()[-9:]
    assert causes == [SpecialCause.NONE, *[SpecialCause.SHIFT] * 7, SpecialCause.NONE]
    assert result["variation"].iloc[-2] == Variation.CONCERN


def test_point_on_the_mean_breaks_a_shift() -> None:
    result = chart([9.0, 12.0, 11.5, 12.0, 11.0, 12.0, 11.5, 12.0, 9.0])
    assert SpecialCause.SHIFT not in set(result["special_cause"])


def test_neutral_direction_reports_neither() -> None:
    result = chart([20.0], direction="neutral")
    assert result["variation"].iloc[-1] == Variation.NEITHER


def test_outside_limits_takes_priority_over_shift() -> None:
    result = chart([12.0, 12.0, 12.0, 20.0, 12.0, 12.0, 12.0])
    assert result["special_cause"].iloc[-4] == SpecialCause.OUTSIDE_LIMITS
    assert result["special_cause"].iloc[-1] == SpecialCause.SHIFT


def test_rebase_recomputes_limits_per_period() -> None:
    values = [10.0, 12.0] * 5 + [30.0, 34.0] * 5
    result = stats.xmr_limits(values=values, rebase_at=[10])
    assert result["period"].tolist() == [0] * 10 + [1] * 10
    assert result["mean"].iloc[0] == pytest.approx(11.0)
    assert result["mean"].iloc[-1] == pytest.approx(32.0)
    assert result["upper_process_limit"].iloc[-1] == pytest.approx(32 + 2.66 * 4)
    assert set(result["special_cause"]) == {SpecialCause.NONE}


def test_screening_drops_large_moving_ranges() -> None:
    values = [10.0, 11.0] * 10 + [100.0] + [10.0, 11.0] * 10
    screened = stats.xmr_limits(values=values).iloc[0]
    unscreened = stats.xmr_limits(values=values, screen_outliers=False).iloc[0]
    assert screened["upper_process_limit"] - screened["mean"] == pytest.approx(2.66 * 1.0)
    assert unscreened["upper_process_limit"] > screened["upper_process_limit"]


def test_falling_trend_is_flagged_and_oriented_by_its_direction() -> None:
    tail = [14.0, 13.0, 12.0, 11.5, 10.5, 9.5, 9.0]
    result = chart([11.0, *tail])
    assert result["special_cause"].tolist()[-7:] == [SpecialCause.TREND] * 7
    assert set(result["variation"].tolist()[-7:]) == {Variation.IMPROVEMENT}
