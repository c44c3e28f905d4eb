"""Behaviour of each method beyond the golden register: edge cases, grouping, labels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from safecity import stats
from safecity.stats import ComparisonLabel, FunnelSignificance, TrendLabel


class TestCrudeRate:
    def test_switches_from_exact_to_byars_at_ten(self) -> None:
        result = stats.crude_rate([9, 10], [1000, 1000])
        assert result["method"].tolist() == ["Exact", "Byars"]
        assert result["unreliable"].tolist() == [True, False]

    def test_exact_limits_match_scipy_chi_square(self) -> None:
        row = stats.crude_rate([3], [1], multiplier=1, confidence=0.9).iloc[0]
        assert row["lower_ci"] == pytest.approx(scipy_stats.chi2.ppf(0.05, 6) / 2, rel=1e-12)
        assert row["upper_ci"] == pytest.approx(scipy_stats.chi2.ppf(0.95, 8) / 2, rel=1e-12)

    def test_keeps_series_index(self) -> None:
        counts = pd.Series([12, 30], index=pd.Index(["E05002461", "E05002462"], name="ward"))
        result = stats.crude_rate(counts, 1000)
        assert result.index.tolist() == ["E05002461", "E05002462"]
        assert result["population"].tolist() == [1000.0, 1000.0]

    def test_southampton_headline_rate(self) -> None:
        row = stats.crude_rate([28239], [252000]).iloc[0]
        assert round(row["value"], 1) == 112.1

    def test_empty_input_gives_empty_frame(self) -> None:
        result = stats.crude_rate([], [])
        assert len(result) == 0
        assert "lower_ci" in result.columns


class TestStandardised:
    BANDS = pd.DataFrame(
        {
            "area": ["A"] * 3 + ["B"] * 3,
            "count": [10, 20, 30, 1, 2, 3],
            "population": [1000, 2000, 1500, 500, 400, 300],
            "standard": [3000, 2000, 1000, 3000, 2000, 1000],
        }
    )

    def test_one_row_per_area_and_small_counts_not_calculated(self) -> None:
        result = stats.dsr(
            self.BANDS["count"],
            self.BANDS["population"],
            self.BANDS["standard"],
            group=self.BANDS["area"],
        )
        assert result.index.tolist() == ["A", "B"]
        assert result.loc["A", "value"] == pytest.approx(
            (10 * 3 + 20 * 1 + 30 * 2 / 3) / 6000 * 100_000, rel=1e-12
        )
        assert math.isnan(result.loc["B", "value"])
        assert result.loc["B", "statistic"] == "dsr NA for total count < 10"

    def test_non_independent_variance_with_single_events_equals_independent(self) -> None:
        independent = stats.dsr([10, 20, 30], [1000, 2000, 1500], [3000, 2000, 1000]).iloc[0]
        variance = stats.repeat_event_variance(
            event_frequency=[1, 1, 1], persons=[10, 20, 30], group=["0-4", "5-9", "10-14"]
        )
        repeated = stats.dsr(
            [10, 20, 30],
            [1000, 2000, 1500],
            [3000, 2000, 1000],
            count_variance=variance["count_variance"],
        ).iloc[0]
        for column in ("value", "lower_ci", "upper_ci"):
            assert repeated[column] == pytest.approx(independent[column], rel=1e-12)
        assert repeated["method"] == stats.IntervalMethod.DOBSON_NON_INDEPENDENT

    def test_everyone_with_two_events_widens_interval_by_root_two(self) -> None:
        counts = [10, 20, 30]
        independent = stats.dsr(counts, [1000, 2000, 1500], [3000, 2000, 1000]).iloc[0]
        variance = stats.repeat_event_variance(
            event_frequency=[2, 2, 2], persons=[5, 10, 15], group=["a", "b", "c"]
        )
        assert variance["events"].tolist() == counts
        repeated = stats.dsr(
            counts,
            [1000, 2000, 1500],
            [3000, 2000, 1000],
            count_variance=variance["count_variance"],
        ).iloc[0]
        for column in ("lower_ci", "upper_ci"):
            widened = repeated[column] - repeated["value"]
            assert widened == pytest.approx(
                math.sqrt(2) * (independent[column] - independent["value"]), rel=1e-12
            )

    def test_one_band_dsr_reproduces_crude_rate(self) -> None:
        single = stats.dsr([120], [5000], [5000], multiplier=1000).iloc[0]
        crude = stats.crude_rate([120], [5000]).iloc[0]
        for column in ("value", "lower_ci", "upper_ci"):
            assert single[column] == pytest.approx(crude[column], rel=1e-12)

    def test_indirectly_standardised_ratio_uses_poisson_limits(self) -> None:
        result = stats.indirectly_standardised_ratio([5, 65], [10, 50], reference_value=100)
        rates = stats.crude_rate([5, 65], [10, 50], multiplier=100)
        np.testing.assert_allclose(result["value"], [50.0, 130.0])
        np.testing.assert_allclose(result["lower_ci"], rates["lower_ci"], rtol=1e-14)
        np.testing.assert_allclose(result["upper_ci"], rates["upper_ci"], rtol=1e-14)
        assert result["method"].tolist() == ["Exact", "Byars"]


class TestBenchmark:
    def test_no_judgement_gives_higher_and_lower(self) -> None:
        result = stats.compare_to_benchmark(
            value=[3.3, 2.5, 3.0],
            lower_ci=[3.2, 2.2, 2.9],
            upper_ci=[3.5, 2.8, 3.1],
            benchmark=3.0,
            polarity="no_judgement",
        )
        assert result["comparison"].tolist() == [
            ComparisonLabel.HIGHER,
            ComparisonLabel.LOWER,
            ComparisonLabel.SIMILAR,
        ]

    def test_benchmark_on_the_limit_is_similar(self) -> None:
        result = stats.compare_to_benchmark(
            value=[3.0], lower_ci=[2.5], upper_ci=[3.5], benchmark=3.5, polarity="low_is_good"
        )
        assert result["comparison"].iloc[0] == ComparisonLabel.SIMILAR

    def test_dsr_not_calculated_is_not_compared(self) -> None:
        tiny = stats.dsr([2, 3], [100, 100], [1000, 1000]).iloc[0]
        result = stats.compare_to_benchmark(
            value=[tiny["value"]],
            lower_ci=[tiny["lower_ci"]],
            upper_ci=[tiny["upper_ci"]],
            benchmark=[1000.0],
            polarity="low_is_good",
        )
        assert result["comparison"].iloc[0] == ComparisonLabel.NOT_COMPARED

    def test_touching_intervals_overlap(self) -> None:
        result = stats.compare_intervals(
            value=[3.0],
            lower_ci=[2.5],
            upper_ci=[3.5],
            comparator_value=[4.0],
            comparator_lower_ci=[3.5],
            comparator_upper_ci=[4.5],
            polarity="high_is_good",
        )
        assert result["comparison"].iloc[0] == ComparisonLabel.SIMILAR

    def test_ward_significantly_above_city_rate(self) -> None:
        wards = stats.crude_rate([400, 150], [2000, 1500])
        city = 120.0
        result = stats.compare_to_benchmark(
            value=wards["value"],
            lower_ci=wards["lower_ci"],
            upper_ci=wards["upper_ci"],
            benchmark=city,
            polarity="low_is_good",
        )
        assert result["comparison"].tolist() == [ComparisonLabel.WORSE, ComparisonLabel.BETTER]


class TestDifferences:
    def test_exact_rate_ratio_matches_scipy_binomtest(self) -> None:
        row = stats.rate_ratio_test(
            count=30, population=1000, comparator_count=18, comparator_population=1500
        ).iloc[0]
        expected = scipy_stats.binomtest(30, 48, 1000 / 2500)
        assert row["p_value"] == pytest.approx(expected.pvalue, rel=1e-12)
        interval = expected.proportion_ci(0.95, method="exact")
        odds = 1500 / 1000
        assert row["lower_ci"] == pytest.approx(interval.low / (1 - interval.low) * odds, rel=1e-9)
        assert row["upper_ci"] == pytest.approx(
            interval.high / (1 - interval.high) * odds, rel=1e-9
        )

    def test_zero_comparator_count_has_no_percentage_change(self) -> None:
        row = stats.rate_ratio_test(
            count=5, population=1, comparator_count=0, comparator_population=1
        ).iloc[0]
        assert math.isinf(row["value"])
        assert math.isnan(row["percentage_change"])
        assert math.isinf(row["upper_ci"])
        assert row["lower_ci"] > 0

    def test_both_counts_zero_cannot_be_tested(self) -> None:
        row = stats.rate_ratio_test(
            count=0, population=1, comparator_count=0, comparator_population=1
        ).iloc[0]
        assert math.isnan(row["value"])
        assert math.isnan(row["p_value"])
        assert not row["significant"]

    def test_log_normal_needs_both_counts(self) -> None:
        row = stats.rate_ratio_test(
            count=0, population=1, comparator_count=12, comparator_population=1, method="log-normal"
        ).iloc[0]
        assert math.isnan(row["lower_ci"])
        assert math.isnan(row["p_value"])

    def test_newcombe_identical_proportions_not_significant(self) -> None:
        row = stats.proportion_difference(
            numerator=40, denominator=100, comparator_numerator=40, comparator_denominator=100
        ).iloc[0]
        assert row["value"] == 0
        assert row["lower_ci"] < 0 < row["upper_ci"]
        assert not row["significant"]
        assert row["p_value"] == pytest.approx(1.0)

    def test_newcombe_all_zero_gives_unit_p_value(self) -> None:
        row = stats.proportion_difference(
            numerator=0, denominator=10, comparator_numerator=0, comparator_denominator=20
        ).iloc[0]
        assert row["z"] == 0
        assert row["p_value"] == 1

    def test_chi_square_trend_decreasing_direction(self) -> None:
        result = stats.chi_square_trend(numerator=[50, 40, 30, 20, 10], denominator=[100] * 5)
        assert result["direction"].iloc[0] == "decreasing"
        assert result["chi_square"].iloc[0] > 9.55

    def test_chi_square_trend_two_groups_equals_pearson(self) -> None:
        table = np.array([[56, 14], [48, 32]])
        pearson = scipy_stats.chi2_contingency(table, correction=False)[0]
        result = stats.chi_square_trend(numerator=[56, 48], denominator=[70, 80])
        assert result["chi_square"].iloc[0] == pytest.approx(pearson, rel=1e-12)

    def test_baseline_with_unequal_exposures(self) -> None:
        row = stats.compare_to_baseline_average(
            count=[100],
            exposure=[2000],
            baseline_counts=[[80, 90]],
            baseline_exposures=[[1000, 1000]],
        ).iloc[0]
        assert row["value"] == pytest.approx((100 / 2000) / (170 / 2000))
        assert row["p_value"] == pytest.approx(
            scipy_stats.binomtest(100, 270, 2000 / 4000).pvalue, rel=1e-12
        )


class TestFunnel:
    def test_proportion_significance_uses_pooled_baseline(self) -> None:
        result = stats.funnel_significance(
            numerator=[10232, 12321, 15123, 13213], denominator=[15232, 16123, 17932, 18475]
        )
        pooled = (10232 + 12321 + 15123 + 13213) / (15232 + 16123 + 17932 + 18475)
        assert result["baseline"].iloc[0] == pytest.approx(pooled)
        assert result["significance"].tolist() == [
            FunnelSignificance.LOW_0_001,
            FunnelSignificance.HIGH_0_001,
            FunnelSignificance.HIGH_0_001,
            FunnelSignificance.LOW_0_001,
        ]

    def test_point_between_limits_is_high_0_025(self) -> None:
        limits = stats.funnel_limits(denominator=[400], baseline=0.5).iloc[0]
        inside = (limits["upper_limit_95"] + limits["upper_limit_998"]) / 2 / 100 * 400
        result = stats.funnel_significance(
            numerator=[math.floor(inside)], denominator=[400], baseline=0.5
        )
        assert result["significance"].iloc[0] == FunnelSignificance.HIGH_0_025

    def test_ratio_limits_are_zero_while_no_count_can_be_low(self) -> None:
        result = stats.funnel_limits(denominator=[3.0, 3.7], statistic="ratio", multiplier=1)
        assert result["lower_limit_95"].tolist()[0] == 0.0
        assert result["lower_limit_95"].tolist()[1] > 0.0


class TestRanking:
    def test_ranks_highest_first_with_min_ties(self) -> None:
        result = stats.rank_areas(values=[3.0, 9.0, 9.0, 1.0, 5.0])
        assert result["rank"].tolist() == [4, 1, 1, 5, 3]
        assert result["n_ranked"].tolist() == [5] * 5

    def test_worst_ten_percent_of_300(self) -> None:
        values = np.linspace(300.0, 1.0, 300)
        result = stats.rank_areas(values=values)
        assert result["band"].iloc[20] == 1
        assert result["rank"].iloc[20] == 21
        assert result["band"].iloc[30] == 2
        assert result["percentile_position"].iloc[20] == pytest.approx(0.07)

    def test_ascending_ranking(self) -> None:
        result = stats.rank_areas(values=[3.0, 1.0, 2.0], descending=False)
        assert result["rank"].tolist() == [3, 1, 2]

    def test_equal_count_quintiles_inverted_by_default(self) -> None:
        result = stats.quantile_groups(values=np.arange(1.0, 11.0))
        assert result["quantile"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]

    def test_equal_count_quintiles_of_twelve_areas(self) -> None:
        # k = 12, Q = 5: q = floor(6 - ceil((13 - r) / 2.4)), worked by hand for r = 1..12
        result = stats.quantile_groups(values=np.arange(1.0, 13.0), groups=5, invert=False)
        assert result["quantile"].tolist() == [1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5]

    def test_too_few_areas_get_no_quantile(self) -> None:
        result = stats.quantile_groups(values=[1.0, 2.0, 3.0], groups=5)
        assert result["quantile"].isna().all()

    def test_quantiles_within_groups(self) -> None:
        result = stats.quantile_groups(
            values=[1.0, 2.0, 3.0, 4.0, 5.0, 50.0, 40.0, 30.0, 20.0, 10.0],
            group_by=["A"] * 5 + ["B"] * 5,
            invert=False,
        )
        assert result["quantile"].tolist() == [1, 2, 3, 4, 5, 5, 4, 3, 2, 1]

    def test_value_bounds_are_excel_percentile_inc(self) -> None:
        values = np.random.default_rng(1).normal(size=37)
        bounds = stats.quantile_bounds(values=values, groups=10)
        expected = np.percentile(values, np.linspace(0, 100, 11), method="linear")
        np.testing.assert_allclose(bounds, expected, rtol=0, atol=1e-10)

    def test_value_bounds_need_four_values(self) -> None:
        assert stats.quantile_bounds(values=[1.0, 2.0, 3.0]).size == 0
        result = stats.quantile_groups(values=[1.0, 2.0, 3.0], algorithm="value_bounds")
        assert result["quantile"].isna().all()

    def test_value_bound_quintiles(self) -> None:
        result = stats.quantile_groups(
            values=[1.0, 10.8, 10.9, 50.0], algorithm="value_bounds", invert=False
        )
        bounds = stats.quantile_bounds(values=[1.0, 10.8, 10.9, 50.0])
        expected = [
            int(np.searchsorted(bounds[1:], value)) + 1 for value in [1.0, 10.8, 10.9, 50.0]
        ]
        assert result["quantile"].tolist() == expected
        assert result["algorithm"].iloc[0] == "value_bounds"


class TestInequality:
    def test_proportions_are_simulated_on_logit_scale(self) -> None:
        result = stats.slope_index_of_inequality(
            value=[0.30, 0.25, 0.20, 0.18, 0.15],
            population=[100, 100, 100, 100, 100],
            lower_ci=[0.26, 0.21, 0.17, 0.15, 0.12],
            upper_ci=[0.34, 0.29, 0.24, 0.22, 0.19],
            value_type="proportion",
            multiplier=100,
            repetitions=5000,
            seed=7,
        ).iloc[0]
        assert result["sii"] == pytest.approx(-18.5, rel=1e-12)
        assert result["sii_lower_ci"] < result["sii"] < result["sii_upper_ci"]

    def test_negative_multiplier_inverts_rii(self) -> None:
        arguments = {
            "value": [10.0, 8.0, 6.0, 5.0, 4.0],
            "population": [100] * 5,
            "standard_error": [0.05] * 5,
            "repetitions": 1000,
            "seed": 3,
        }
        positive = stats.slope_index_of_inequality(**arguments).iloc[0]
        negative = stats.slope_index_of_inequality(multiplier=-1, **arguments).iloc[0]
        assert negative["sii"] == pytest.approx(-positive["sii"])
        assert negative["rii"] == pytest.approx(1 / positive["rii"])
        assert negative["sii_lower_ci"] <= negative["sii_upper_ci"]


class TestRepeats:
    def test_counts_from_ids_by_crime_type(self) -> None:
        result = stats.repeat_counts_from_ids(
            ids=["a", "a", "b", "c", "c", "c", "d"],
            group=["burglary", "burglary", "burglary", "assault", "assault", "assault", "assault"],
        )
        assert result.loc["burglary"].tolist() == [3, 2, 1, 2]
        assert result.loc["assault"].tolist() == [4, 2, 1, 3]

    def test_measures_from_counts(self) -> None:
        row = stats.repeat_concentration(
            crimes=3, victims=2, repeat_victims=1, crimes_against_repeat_victims=2, population=1000
        ).iloc[0]
        assert row["incidence"] == 3.0
        assert row["prevalence"] == 2.0
        assert row["concentration"] == 1.5
        assert row["repeat_victim_share"] == 0.5
        assert row["repeat_victim_crime_share"] == pytest.approx(2 / 3)
        assert row["repeat_crime_share"] == pytest.approx(1 / 3)
        assert row["crimes_per_repeat_victim"] == 2.0


class TestSurvey:
    def test_weighted_proportion_by_group(self) -> None:
        result = stats.weighted_proportion(
            response=[1, 0, 1, 1, None, 0],
            weights=[2.0, 1.0, 1.0, 1.0, 3.0, 1.0],
            group=["F", "F", "F", "M", "M", "M"],
            multiplier=100,
        )
        assert result.loc["F", "value"] == pytest.approx(75.0)
        assert result.loc["M", "value"] == pytest.approx(50.0)
        assert result.loc["M", "valid_n"] == 2
        assert result.loc["F", "design_effect"] == pytest.approx(3 * 6 / 16)
        assert result.loc["F", "lower_ci"] < 75.0 < result.loc["F", "upper_ci"]

    def test_small_bases_are_flagged(self) -> None:
        result = stats.weighted_proportion(
            response=[1, 0] * 20 + [1, 0] * 40 + [1, 0] * 60,
            weights=[1.0] * 240,
            group=["a"] * 40 + ["b"] * 80 + ["c"] * 120,
        )
        assert result["suppress"].tolist() == [True, False, False]
        assert result["low_base"].tolist() == [True, True, False]

    def test_equal_weights_reduce_to_wilson(self) -> None:
        result = stats.weighted_proportion(response=[1] * 65 + [0] * 35, weights=[1.5] * 100)
        wilson = stats.proportion([65], [100]).iloc[0]
        assert result["effective_sample_size"].iloc[0] == pytest.approx(100.0)
        assert result["lower_ci"].iloc[0] == pytest.approx(wilson["lower_ci"], rel=1e-12)

    def test_compare_years(self) -> None:
        result = stats.compare_weighted_proportions(
            response=[1] * 60 + [0] * 40 + [1] * 40 + [0] * 60,
            weights=[1.0] * 200,
            group=[2024] * 100 + [2025] * 100,
            first=2025,
            second=2024,
        ).iloc[0]
        assert result["value"] == pytest.approx(-0.2)
        assert result["significant"]


class TestHarm:
    def test_css_is_per_head_and_grouped(self) -> None:
        result = stats.crime_severity_score(
            count=[10, 100, 5],
            weight=[500.0, 5.0, 100.0],
            population=[1000, 1000, 200],
            group=["A", "A", "B"],
        )
        assert result.loc["A", "value"] == pytest.approx(5.5)
        assert result.loc["B", "value"] == pytest.approx(2.5)
        assert result.loc["A", "lower_ci"] < 5.5 < result.loc["A", "upper_ci"]

    def test_population_must_be_constant_within_area(self) -> None:
        with pytest.raises(stats.StatisticsInputError, match="population must be the same"):
            stats.crime_severity_score(count=[1, 2], weight=[1.0, 2.0], population=[10, 20])

    def test_harm_share_southampton_style(self) -> None:
        result = stats.harm_share(count=[32, 968], weight=[1420.0, 56.2])
        assert result["volume_share"].iloc[0] == pytest.approx(0.032)
        assert result["harm_share"].sum() == pytest.approx(1.0)


class TestTrend:
    def test_fewer_than_five_points_cannot_be_calculated(self) -> None:
        result = stats.trend_test(value=[1, 2, 3, 4], lower_ci=[0, 1, 2, 3], upper_ci=[2, 3, 4, 5])
        assert result["trend"].iloc[0] == TrendLabel.CANNOT_BE_CALCULATED

    def test_missing_points_are_skipped(self) -> None:
        result = stats.trend_test(
            value=[24.67, math.nan, 24.6, 28, 30.2, 30.6],
            lower_ci=[23.16, 1, 23.15, 26.44, 28.63, 28.98],
            upper_ci=[26.25, 2, 26.19, 29.64, 31.9, 32.25],
        )
        assert result["points_used"].iloc[0] == 5
        assert result["chi_square"].iloc[0] == pytest.approx(46.7653, abs=5e-5)

    def test_flat_series_is_no_significant_change(self) -> None:
        result = stats.trend_test(
            value=[10, 11, 10, 11, 10], lower_ci=[9, 10, 9, 10, 9], upper_ci=[11, 12, 11, 12, 11]
        )
        assert result["trend"].iloc[0] == TrendLabel.NO_SIGNIFICANT_CHANGE

    def test_one_influential_point_is_not_a_trend(self) -> None:
        # the last point drives a large chi-square, but without it the slope turns negative
        result = stats.trend_test(
            value=[12, 10, 10, 10, 30], lower_ci=[11, 9, 9, 9, 29], upper_ci=[13, 11, 11, 11, 31]
        ).iloc[0]
        assert result["chi_square"] > 9.55
        assert not result["sign_stable"]
        assert result["trend"] == TrendLabel.NO_SIGNIFICANT_CHANGE

    def test_decreasing_proportion(self) -> None:
        result = stats.trend_test(
            numerator=[1367, 1332, 1199, 1023, 994],
            denominator=[44701, 44064, 42811, 41527, 40299],
            value_type="proportion",
        ).iloc[0]
        assert result["chi_square"] == pytest.approx(47.8967, abs=5e-5)
        assert result["slope"] < 0
        assert result["trend"] == TrendLabel.DECREASING

    def test_only_the_last_five_points_are_used(self) -> None:
        result = stats.trend_test(
            value=[100, 24.67, 24.6, 28, 30.2, 30.6],
            lower_ci=[99, 23.16, 23.15, 26.44, 28.63, 28.98],
            upper_ci=[101, 26.25, 26.19, 29.64, 31.9, 32.25],
        )
        assert result["chi_square"].iloc[0] == pytest.approx(46.7653, abs=5e-5)
