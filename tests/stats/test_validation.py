"""Invalid input raises StatisticsInputError saying what is wrong and where."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from safecity import stats
from safecity.stats import StatisticsInputError


def test_error_is_a_value_error() -> None:
    assert issubclass(StatisticsInputError, ValueError)


def test_negative_count_names_argument_and_row() -> None:
    with pytest.raises(StatisticsInputError, match=r"count must not be negative: -1\.0 at row 2"):
        stats.crude_rate([5, 6, -1], [100, 100, 100])


def test_row_is_reported_by_series_index_label() -> None:
    counts = pd.Series([5, math.nan], index=["E05002461", "E05002462"])
    with pytest.raises(StatisticsInputError, match=r"row 1 \(index 'E05002462'\)"):
        stats.crude_rate(counts, 1000)


def test_zero_population_is_rejected() -> None:
    with pytest.raises(
        StatisticsInputError, match=r"population must be greater than zero: 0\.0 at row 1"
    ):
        stats.crude_rate([5, 6], [100, 0])


def test_infinite_population_is_rejected() -> None:
    with pytest.raises(StatisticsInputError, match="population must be a finite number"):
        stats.crude_rate([5], [math.inf])


def test_count_above_population_is_allowed_for_rates() -> None:
    row = stats.crude_rate([250], [220], multiplier=100).iloc[0]
    assert row["value"] == pytest.approx(250 / 220 * 100, rel=1e-15)


def test_numerator_above_denominator_is_rejected_for_proportions() -> None:
    with pytest.raises(
        StatisticsInputError, match=r"numerator must not exceed denominator: 11\.0 at row 0"
    ):
        stats.proportion([11], [10])


def test_nan_is_rejected() -> None:
    with pytest.raises(StatisticsInputError, match="numerator must be a finite number"):
        stats.proportion([math.nan], [10])


def test_percentage_confidence_is_rejected_with_a_hint() -> None:
    with pytest.raises(StatisticsInputError, match=r"did you mean 0\.95"):
        stats.crude_rate([5], [100], confidence=95)


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(StatisticsInputError, match="same length"):
        stats.crude_rate([1, 2, 3], [10, 20])


def test_two_dimensional_input_is_rejected() -> None:
    with pytest.raises(StatisticsInputError, match="one-dimensional"):
        stats.crude_rate([[1, 2]], [10, 20])


def test_non_numeric_input_is_rejected() -> None:
    with pytest.raises(StatisticsInputError, match="count must be numeric"):
        stats.crude_rate(["five"], [10])


def test_count_of_many_bad_rows_is_reported() -> None:
    with pytest.raises(StatisticsInputError, match=r"\(2 rows in all\)"):
        stats.crude_rate([-1, 2, -3], [10, 10, 10])


def test_unknown_polarity_lists_the_choices() -> None:
    with pytest.raises(StatisticsInputError, match="low_is_good, high_is_good, no_judgement"):
        stats.compare_to_benchmark(value=1, lower_ci=0, upper_ci=2, benchmark=1, polarity="up")


def test_two_level_comparison_needs_998_limits() -> None:
    with pytest.raises(StatisticsInputError, match="lower_ci_998"):
        stats.compare_to_benchmark(
            value=1, lower_ci=0, upper_ci=2, benchmark=1, polarity="low_is_good", method="ci95_998"
        )


def test_exact_rate_ratio_needs_whole_counts() -> None:
    with pytest.raises(StatisticsInputError, match="whole number"):
        stats.rate_ratio_test(count=1.5, population=1, comparator_count=2, comparator_population=1)


def test_sii_needs_enough_groups() -> None:
    with pytest.raises(StatisticsInputError, match="4 deprivation groups; 5 to 100"):
        stats.slope_index_of_inequality(
            value=[4.0, 3.0, 2.0, 1.0],
            population=[1, 1, 1, 1],
            standard_error=[0.1] * 4,
            seed=1,
        )


def test_sii_needs_a_seed() -> None:
    with pytest.raises(TypeError):
        stats.slope_index_of_inequality(  # type: ignore[call-arg]
            value=[5.0, 4.0, 3.0, 2.0, 1.0], population=[1] * 5, standard_error=[0.1] * 5
        )


def test_inconsistent_repeat_counts_are_rejected() -> None:
    with pytest.raises(StatisticsInputError, match="single victims have one crime each"):
        stats.repeat_concentration(
            crimes=100, victims=80, repeat_victims=10, crimes_against_repeat_victims=25
        )


def test_survey_response_must_be_binary() -> None:
    with pytest.raises(
        StatisticsInputError, match=r"response must be 0, 1 or missing: 2\.0 at row 1"
    ):
        stats.weighted_proportion(response=[1, 2], weights=[1, 1])


def test_missing_repeat_victim_id_is_rejected() -> None:
    with pytest.raises(StatisticsInputError, match="ids must not be missing: row 1"):
        stats.repeat_counts_from_ids(ids=["a", None, "a"])
