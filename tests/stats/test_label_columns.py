"""Every label column of a ``safecity.stats`` result holds the StrEnum members themselves.

pandas 3 turns lists of StrEnum members into plain ``str`` unless the column has object dtype;
these tests fail if a result stores ``label.value`` (or lets pandas convert the members).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd
import pytest

from safecity import stats


def assert_members(column: pd.Series, enum: type[StrEnum]) -> None:
    assert len(column) > 0
    for item in column:
        assert isinstance(item, enum), f"{column.name}: {item!r} is not a {enum.__name__}"


def test_compare_to_benchmark_labels_are_members() -> None:
    result = stats.compare_to_benchmark(
        value=[3.3, 3.05, np.nan],
        lower_ci=[3.2, 2.7, 1.0],
        upper_ci=[3.5, 3.1, 2.0],
        benchmark=3.0,
        polarity="low_is_good",
    )
    assert isinstance(result["comparison"].iloc[0], stats.ComparisonLabel)
    assert_members(result["comparison"], stats.ComparisonLabel)
    assert result["comparison"].tolist() == ["Worse", "Similar", "Not compared"]
    assert_members(result["polarity"], stats.Polarity)
    assert_members(result["method"], stats.BenchmarkMethod)


def test_two_level_benchmark_labels_are_members() -> None:
    result = stats.compare_to_benchmark(
        value=[2.6, 2.6],
        lower_ci=[2.5, 2.5],
        upper_ci=[2.7, 2.7],
        lower_ci_998=[2.3, 2.3],
        upper_ci_998=[2.9, 2.9],
        benchmark=[3.0, 2.8],
        polarity="low_is_good",
        method="ci95_998",
    )
    assert_members(result["comparison"], stats.ComparisonLabel)
    assert result["comparison"].tolist() == [stats.ComparisonLabel.BEST, "Better"]


def test_compare_intervals_labels_are_members() -> None:
    result = stats.compare_intervals(
        value=[3.0],
        lower_ci=[2.7],
        upper_ci=[3.1],
        comparator_value=4.0,
        comparator_lower_ci=3.5,
        comparator_upper_ci=4.5,
        polarity="low_is_good",
    )
    assert_members(result["comparison"], stats.ComparisonLabel)
    assert result["method"].iloc[0] is stats.BenchmarkMethod.CI_OVERLAP


def test_ci_overlap_is_not_a_benchmark_method() -> None:
    with pytest.raises(stats.StatisticsInputError, match="use compare_intervals"):
        stats.compare_to_benchmark(
            value=[1.0], lower_ci=[0.5], upper_ci=[1.5], benchmark=1.0,
            polarity="low_is_good", method="ci_overlap",
        )  # fmt: skip


def test_funnel_labels_are_members() -> None:
    result = stats.funnel_significance(
        numerator=[8, 151, 159], denominator=[6.2, 106.4, 232.9], statistic="ratio"
    )
    assert isinstance(result["significance"].iloc[0], stats.FunnelSignificance)
    assert_members(result["significance"], stats.FunnelSignificance)
    assert_members(result["statistic"], stats.FunnelStatistic)
    limits = stats.funnel_limits(denominator=[10, 100], baseline=0.5)
    assert_members(limits["statistic"], stats.FunnelStatistic)


def test_trend_labels_are_members() -> None:
    result = stats.trend_test(
        value=[24.67, 24.6, 28, 30.2, 30.6],
        lower_ci=[23.16, 23.15, 26.44, 28.63, 28.98],
        upper_ci=[26.25, 26.19, 29.64, 31.9, 32.25],
    )
    assert isinstance(result["trend"].iloc[0], stats.TrendLabel)
    assert result["trend"].iloc[0] == "Increasing"
    assert_members(result["value_type"], stats.TrendValueType)
    too_short = stats.trend_test(value=[1.0], lower_ci=[0.5], upper_ci=[1.5])
    assert too_short["trend"].iloc[0] is stats.TrendLabel.CANNOT_BE_CALCULATED


def test_rate_and_proportion_methods_are_members() -> None:
    rates = stats.crude_rate([1, 65], [100, 100], multiplier=100)
    assert_members(rates["method"], stats.IntervalMethod)
    assert rates["method"].tolist() == ["Exact", "Byars"]
    assert_members(stats.proportion([1], [10])["method"], stats.IntervalMethod)
    dsr = stats.dsr([10, 20, 1], [1000, 2000, 10], [1000, 1000, 10], group=["a", "a", "b"])
    assert_members(dsr["method"], stats.IntervalMethod)
    assert dsr["method"].tolist() == ["Dobson", "Not calculated"]
    ratio = stats.indirectly_standardised_ratio([151, 5], [106.4, 4.0])
    assert_members(ratio["method"], stats.IntervalMethod)


def test_difference_labels_are_members() -> None:
    test = stats.rate_ratio_test(
        count=[120, 5], population=1, comparator_count=[100, 0], comparator_population=1
    )
    assert isinstance(test["method"].iloc[0], stats.RateRatioMethod)
    assert_members(test["change_status"], stats.ChangeStatus)
    baseline = stats.compare_to_baseline_average(count=120, baseline_counts=[[100, 90, 95]])
    assert_members(baseline["method"], stats.RateRatioMethod)
    newcombe = stats.proportion_difference(
        numerator=56, denominator=70, comparator_numerator=48, comparator_denominator=80
    )
    assert newcombe["method"].iloc[0] is stats.IntervalMethod.NEWCOMBE
    gap = stats.rate_difference(
        count=300, population=1e4, comparator_count=100, comparator_population=1e4
    )
    assert gap["method"].iloc[0] is stats.IntervalMethod.NORMAL_POISSON
    trend = stats.chi_square_trend(numerator=[1, 2, 3], denominator=[10, 10, 10])
    assert trend["direction"].iloc[0] is stats.AssociationDirection.INCREASING


def test_spc_labels_are_members() -> None:
    chart = stats.xmr_limits(values=[10, 12, 11, 13, 12, 11, 30])
    assert_members(chart["special_cause"], stats.SpecialCause)
    assert_members(chart["variation"], stats.Variation)
    assert chart["special_cause"].iloc[-1] is stats.SpecialCause.OUTSIDE_LIMITS


def test_ranking_inequality_survey_harm_priority_labels_are_members() -> None:
    groups = stats.quantile_groups(values=np.arange(10.0), groups=5)
    assert_members(groups["algorithm"], stats.QuantileAlgorithm)
    sii = stats.slope_index_of_inequality(
        value=[5.0, 4.0, 3.0, 2.0, 1.0],
        population=[100.0] * 5,
        standard_error=[0.1] * 5,
        repetitions=1000,
        seed=1,
    )
    assert_members(sii["value_type"], stats.InequalityValueType)
    survey = stats.weighted_proportion(response=[1, 0, 1, 1], weights=[1, 1, 2, 2])
    assert survey["method"].iloc[0] is stats.IntervalMethod.WEIGHTED_WILSON
    harm = stats.crime_severity_score(count=[79], weight=[128], population=[1000])
    assert harm["method"].iloc[0] is stats.IntervalMethod.NORMAL_POISSON
    trend = stats.trend_score(trend=["Increasing", "Decreasing"])
    assert_members(trend["trend"], stats.TrendLabel)
    position = stats.comparison_score(versus_england=["Worse"], versus_comparators=["Similar"])
    assert_members(position["versus_england"], stats.ComparisonLabel)
    assert_members(position["versus_comparators"], stats.ComparisonLabel)


def test_labels_survive_series_index_and_filtering() -> None:
    values = pd.Series([3.3, 2.5], index=["E05000001", "E05000002"])
    result = stats.compare_to_benchmark(
        value=values, lower_ci=[3.2, 2.2], upper_ci=[3.5, 2.8], benchmark=3.0,
        polarity="high_is_good",
    )  # fmt: skip
    assert list(result.index) == ["E05000001", "E05000002"]
    assert result.loc["E05000002", "comparison"] is stats.ComparisonLabel.WORSE
    assert_members(pd.concat([result, result])["comparison"], stats.ComparisonLabel)
