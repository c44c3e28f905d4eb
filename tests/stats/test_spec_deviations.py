"""Multiplier validation and the smaller specification points (methods.md §1.2, §2.2a, §2.4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from safecity import stats
from safecity.stats import StatisticsInputError

BAD_MULTIPLIERS = [0, -1000, math.nan, math.inf, -math.inf, "per thousand"]


@pytest.mark.parametrize("multiplier", BAD_MULTIPLIERS)
def test_crude_rate_rejects_a_bad_multiplier(multiplier: object) -> None:
    with pytest.raises(StatisticsInputError, match="multiplier must be a positive finite number"):
        stats.crude_rate([5], [100], multiplier=multiplier)  # type: ignore[arg-type]


@pytest.mark.parametrize("multiplier", BAD_MULTIPLIERS)
def test_proportion_rejects_a_bad_multiplier(multiplier: object) -> None:
    with pytest.raises(StatisticsInputError, match="multiplier must be a positive finite number"):
        stats.proportion([5], [100], multiplier=multiplier)  # type: ignore[arg-type]


@pytest.mark.parametrize("multiplier", [0, -1.0, math.nan, math.inf])
def test_every_other_multiplier_is_validated(multiplier: float) -> None:
    calls = [
        lambda: stats.dsr([10], [100], [100], multiplier=multiplier),
        lambda: stats.rate_difference(
            count=5, population=100, comparator_count=4, comparator_population=100,
            multiplier=multiplier,
        ),
        lambda: stats.funnel_limits(denominator=[10], baseline=0.5, multiplier=multiplier),
        lambda: stats.repeat_concentration(crimes=10, victims=5, multiplier=multiplier),
        lambda: stats.weighted_proportion(response=[1, 0], weights=[1, 1], multiplier=multiplier),
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(StatisticsInputError, match="must be a positive finite number"):
            call()
    with pytest.raises(StatisticsInputError, match="reference_value must be a positive finite"):
        stats.indirectly_standardised_ratio([5], [4.0], reference_value=multiplier)


@pytest.mark.parametrize("multiplier", [0.0, math.nan, math.inf])
def test_sii_multiplier_must_be_finite_and_not_zero(multiplier: float) -> None:
    with pytest.raises(StatisticsInputError, match="multiplier must be a finite, non-zero"):
        stats.slope_index_of_inequality(
            value=[5.0, 4.0, 3.0, 2.0, 1.0], population=[100.0] * 5, standard_error=[0.1] * 5,
            repetitions=1000, seed=1, multiplier=multiplier,
        )  # fmt: skip


def test_proportion_at_full_confidence_is_the_whole_range() -> None:
    result = stats.proportion([0, 3, 10], [10, 10, 10], confidence=1, multiplier=100)
    assert result["lower_ci"].tolist() == [0.0, 0.0, 0.0]
    assert result["upper_ci"].tolist() == [100.0, 100.0, 100.0]
    assert result["value"].tolist() == [0.0, 30.0, 100.0]
    assert result["confidence"].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(StatisticsInputError, match="strictly between 0 and 1"):
        stats.proportion([1], [10], confidence=1.5)


def test_log_normal_rate_ratio_flags_counts_below_ten() -> None:
    result = stats.rate_ratio_test(
        count=[9, 10, 50, 12],
        population=1,
        comparator_count=[40, 10, 9, 0],
        comparator_population=1,
        method="log-normal",
    )
    assert result["unreliable"].tolist() == [True, False, True, True]
    assert math.isfinite(result["value"].iloc[0])
    exact = stats.rate_ratio_test(
        count=[9, 3], population=1, comparator_count=[40, 2], comparator_population=1
    )
    assert exact["unreliable"].tolist() == [False, False]


def test_percentage_change_status_when_the_comparator_is_zero_or_small() -> None:
    result = stats.rate_ratio_test(
        count=[12, 0, 30, 30], population=1, comparator_count=[0, 0, 5, 20],
        comparator_population=1,
    )  # fmt: skip
    assert math.isnan(result["percentage_change"].iloc[0])
    assert math.isnan(result["percentage_change"].iloc[1])
    assert result["change_status"].tolist() == [
        stats.ChangeStatus.NEW,
        stats.ChangeStatus.NO_EVENTS,
        stats.ChangeStatus.SMALL_COMPARATOR,
        stats.ChangeStatus.COMPUTED,
    ]
    assert result["percentage_change"].iloc[2] == pytest.approx(500.0)
    assert result["percentage_change"].iloc[3] == pytest.approx(50.0)


def test_rate_funnel_is_the_ratio_funnel_at_expected_count() -> None:
    population = np.array([2_000.0, 20_000.0])
    average = 0.05
    rates = stats.funnel_limits(
        denominator=population, statistic="rate", baseline=average, multiplier=1000
    )
    ratios = stats.funnel_limits(denominator=population * average, statistic="ratio", multiplier=1)
    for column in ("lower_limit_95", "upper_limit_95", "lower_limit_998", "upper_limit_998"):
        np.testing.assert_allclose(rates[column], ratios[column] * average * 1000, rtol=1e-12)
    assert rates["baseline"].tolist() == [50.0, 50.0]
    assert rates["statistic"].iloc[0] is stats.FunnelStatistic.RATE
    with pytest.raises(StatisticsInputError, match="rate funnel needs baseline"):
        stats.funnel_limits(denominator=population, statistic="rate")


def test_rate_funnel_significance_uses_expected_from_the_average_rate() -> None:
    # Golden ratio inputs (methods.md §2.4): O = 151 with E = 106.4429719 is High (0.001);
    # as a rate with N = 106.4429719 / 0.01 and average rate 0.01 the label must not change.
    observed = [8, 151, 159, 0, 113]
    expected = np.array([6.239860227, 106.4429719, 232.9329036, 240.6273499, 96.14566494])
    as_ratio = stats.funnel_significance(
        numerator=observed, denominator=expected, statistic="ratio"
    )
    as_rate = stats.funnel_significance(
        numerator=observed, denominator=expected / 0.01, statistic="rate", baseline=0.01
    )
    assert as_rate["significance"].tolist() == as_ratio["significance"].tolist()
    assert as_rate["significance"].tolist() == [
        "Not significant", "High (0.001)", "Low (0.001)", "Low (0.001)", "Not significant",
    ]  # fmt: skip
    pooled = stats.funnel_significance(
        numerator=[50, 150], denominator=[1000, 1000], statistic="rate"
    )
    assert pooled["baseline"].iloc[0] == pytest.approx(0.1)
    assert pooled["significance"].tolist() == ["Low (0.001)", "High (0.001)"]
