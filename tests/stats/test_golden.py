"""Golden values from ``methods.md`` §15 and the method sections, vendored in
``tests/golden/stats/`` (citations and the tolerance policy in ``SOURCES.md``)."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from safecity import stats
from safecity.stats._poisson import exact_limits

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "stats"


def load(name: str) -> list[Any]:
    """One pytest parameter per row of a golden CSV, with the row's case_id as its id."""
    with (GOLDEN / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, f"{name} has no rows"
    return [pytest.param(row, id=row["case_id"]) for row in rows]


def number(text: str) -> float:
    return float(text) if text.strip() else math.nan


def numbers(text: str) -> list[float]:
    if ":" in text:
        start, stop = text.split(":")
        return [float(value) for value in range(int(start), int(stop) + 1)]
    return [float(value) for value in text.split()]


def assert_close(
    actual: float, expected: float, *, rel_tol: float = 0.0, abs_tol: float = 0.0
) -> None:
    assert math.isclose(actual, expected, rel_tol=rel_tol, abs_tol=abs_tol), (
        f"got {actual!r}, expected {expected!r} (rel_tol={rel_tol}, abs_tol={abs_tol})"
    )


@pytest.mark.parametrize("row", load("crude_rate.csv"))
def test_crude_rate(row: dict[str, str]) -> None:
    result = stats.crude_rate(
        [number(row["count"])],
        [number(row["population"])],
        multiplier=number(row["multiplier"]),
        confidence=number(row["confidence"]),
    ).iloc[0]
    tolerance = {"rel_tol": number(row["rel_tol"]), "abs_tol": number(row["abs_tol"])}
    for column in ("value", "lower_ci", "upper_ci"):
        assert_close(float(result[column]), number(row[column]), **tolerance)
    assert result["method"] == row["method"]


@pytest.mark.parametrize("row", load("proportion.csv"))
def test_proportion(row: dict[str, str]) -> None:
    result = stats.proportion(
        [number(row["numerator"])],
        [number(row["denominator"])],
        multiplier=number(row["multiplier"]),
        confidence=number(row["confidence"]),
    ).iloc[0]
    tolerance = {"rel_tol": number(row["rel_tol"]), "abs_tol": number(row["abs_tol"])}
    for column in ("value", "lower_ci", "upper_ci"):
        assert_close(float(result[column]), number(row[column]), **tolerance)
    assert result["method"] == "Wilson"


@pytest.mark.parametrize("row", load("dsr.csv"))
def test_dsr(row: dict[str, str]) -> None:
    bands = pd.read_csv(GOLDEN / "dsr_inputs.csv")
    bands = bands[bands["area"] == row["area"]]
    result = stats.dsr(
        bands["count"],
        bands["population"],
        bands["standard_population"],
        group=bands["area"],
        multiplier=number(row["multiplier"]),
        confidence=number(row["confidence"]),
    ).loc[row["area"]]
    tolerance = {"rel_tol": number(row["rel_tol"]), "abs_tol": number(row["abs_tol"])}
    assert int(result["count"]) == int(bands["count"].sum())
    for column in ("value", "lower_ci", "upper_ci"):
        if row[column]:
            assert_close(float(result[column]), number(row[column]), **tolerance)
        else:
            assert math.isnan(float(result[column])), f"{column} should be NA"
    assert result["method"] == stats.IntervalMethod(row["method"])
    assert result["statistic"] == row["statistic"]


@pytest.mark.parametrize("row", load("css_scale.csv"))
def test_crime_severity_score_scale(row: dict[str, str]) -> None:
    # A population of 100,000 with the published crime rate, every crime at the implied mean
    # weight: the score is per head (about 10), not per 1,000 (about 10,000).
    population = 100_000.0
    crimes = number(row["crimes_per_1000"]) * population / 1000
    weight = number(row["mean_weight_days"])
    score = stats.crime_severity_score(count=[crimes], weight=[weight], population=[population])
    assert_close(
        float(score["value"].iloc[0]), number(row["css"]), abs_tol=number(row["css_abs_tol"])
    )
    implied_weight = number(row["css"]) / (number(row["crimes_per_1000"]) / 1000)
    assert_close(implied_weight, weight, abs_tol=number(row["weight_abs_tol"]))


@pytest.mark.parametrize("row", load("baseline_fixed_expectation.csv"))
def test_fixed_expectation_contrast(row: dict[str, str]) -> None:
    """§2.3: treating the baseline mean as fixed gives p = 0.0150; the library's test does not."""
    count = number(row["count"])
    expected = number(row["fixed_expectation"])
    golden = number(row["p_fixed_expectation"])
    tolerance = number(row["p_abs_tol"])
    baseline = numbers(row["baseline_counts"])
    assert expected == sum(baseline) / len(baseline)
    # Exact (Garwood) limits invert twice the one-sided Poisson tail: at confidence 1 − p the
    # lower limit for 120 events is the fixed expectation 95.
    lower, _ = exact_limits(np.array([count]), 1.0 - golden)
    assert_close(float(lower[0]), expected, abs_tol=0.01)
    assert_close(
        2.0 * float(scipy_stats.poisson.sf(count - 1, expected)), golden, abs_tol=tolerance
    )
    result = stats.compare_to_baseline_average(count=[count], baseline_counts=[baseline]).iloc[0]
    assert_close(float(result["p_value"]), number(row["binomial_p_value"]), abs_tol=tolerance)
    assert float(result["p_value"]) > 2 * golden


@pytest.mark.parametrize("row", load("benchmark.csv"))
def test_compare_to_benchmark(row: dict[str, str]) -> None:
    two_levels = row["method"] == "ci95_998"
    result = stats.compare_to_benchmark(
        value=[number(row["value"])],
        lower_ci=[number(row["lower_ci"])],
        upper_ci=[number(row["upper_ci"])],
        lower_ci_998=[number(row["lower_ci_998"])] if two_levels else None,
        upper_ci_998=[number(row["upper_ci_998"])] if two_levels else None,
        benchmark=[number(row["benchmark"])],
        polarity=row["polarity"],
        method=row["method"],
    )
    assert result["comparison"].iloc[0] == stats.ComparisonLabel(row["expected"])


@pytest.mark.parametrize("row", load("compare_intervals.csv"))
def test_compare_intervals(row: dict[str, str]) -> None:
    result = stats.compare_intervals(
        value=[number(row["value"])],
        lower_ci=[number(row["lower_ci"])],
        upper_ci=[number(row["upper_ci"])],
        comparator_value=[number(row["comparator_value"])],
        comparator_lower_ci=[number(row["comparator_lower_ci"])],
        comparator_upper_ci=[number(row["comparator_upper_ci"])],
        polarity=row["polarity"],
    )
    assert result["comparison"].iloc[0] == stats.ComparisonLabel(row["expected"])


@pytest.mark.parametrize("row", load("rate_ratio.csv"))
def test_rate_ratio(row: dict[str, str]) -> None:
    result = stats.rate_ratio_test(
        count=[number(row["count"])],
        population=[number(row["population"])],
        comparator_count=[number(row["comparator_count"])],
        comparator_population=[number(row["comparator_population"])],
        method=row["method"],
        confidence=number(row["confidence"]),
    ).iloc[0]
    assert_close(float(result["value"]), number(row["value"]), abs_tol=number(row["value_abs_tol"]))
    for column in ("lower_ci", "upper_ci"):
        assert_close(float(result[column]), number(row[column]), abs_tol=number(row["ci_abs_tol"]))
    assert_close(
        float(result["percentage_change"]),
        number(row["percentage_change"]),
        abs_tol=number(row["change_abs_tol"]),
    )
    if row["p_value"]:
        assert_close(
            float(result["p_value"]), number(row["p_value"]), rel_tol=number(row["p_rel_tol"])
        )
    assert bool(result["significant"])


@pytest.mark.parametrize("row", load("proportion_difference.csv"))
def test_proportion_difference(row: dict[str, str]) -> None:
    result = stats.proportion_difference(
        numerator=[number(row["numerator"])],
        denominator=[number(row["denominator"])],
        comparator_numerator=[number(row["comparator_numerator"])],
        comparator_denominator=[number(row["comparator_denominator"])],
        confidence=number(row["confidence"]),
    ).iloc[0]
    assert_close(float(result["value"]), number(row["value"]), abs_tol=5e-7)
    if row["lower_ci"]:
        for column in ("lower_ci", "upper_ci"):
            assert_close(
                float(result[column]), number(row[column]), abs_tol=number(row["ci_abs_tol"])
            )
    assert_close(float(result["z"]), number(row["z"]), abs_tol=number(row["z_abs_tol"]))
    assert_close(float(result["p_value"]), number(row["p_value"]), abs_tol=number(row["p_abs_tol"]))
    assert bool(result["significant"]) is (row["significant"] == "True")


@pytest.mark.parametrize("row", load("baseline_average.csv"))
def test_compare_to_baseline_average(row: dict[str, str]) -> None:
    result = stats.compare_to_baseline_average(
        count=[number(row["count"])],
        baseline_counts=[numbers(row["baseline_counts"])],
        confidence=number(row["confidence"]),
    ).iloc[0]
    for column in ("value", "lower_ci", "upper_ci"):
        assert_close(float(result[column]), number(row[column]), abs_tol=number(row["abs_tol"]))
    assert_close(float(result["p_value"]), number(row["p_value"]), abs_tol=number(row["p_abs_tol"]))


@pytest.mark.parametrize("row", load("chi_square_trend.csv"))
def test_chi_square_trend(row: dict[str, str]) -> None:
    result = stats.chi_square_trend(
        numerator=numbers(row["numerator"]), denominator=numbers(row["denominator"])
    ).iloc[0]
    assert_close(
        float(result["chi_square"]), number(row["chi_square"]), abs_tol=number(row["abs_tol"])
    )


@pytest.mark.parametrize("row", load("funnel_proportion_limits.csv"))
def test_funnel_proportion_limits(row: dict[str, str]) -> None:
    result = stats.funnel_limits(
        denominator=[number(row["denominator"])], baseline=number(row["baseline"]), multiplier=100
    ).iloc[0]
    for column in ("lower_limit_95", "upper_limit_95", "lower_limit_998", "upper_limit_998"):
        assert_close(float(result[column]), number(row[column]), abs_tol=number(row["abs_tol"]))


@pytest.mark.parametrize("row", load("funnel_ratio_limits.csv"))
def test_funnel_ratio_limits(row: dict[str, str]) -> None:
    result = stats.funnel_limits(
        denominator=[number(row["expected"])], statistic="ratio", multiplier=100
    ).iloc[0]
    assert_close(
        float(result[row["limit"]]), number(row["ratio_percent"]), rel_tol=number(row["rel_tol"])
    )


@pytest.mark.parametrize("row", load("funnel_ratio_significance.csv"))
def test_funnel_ratio_significance(row: dict[str, str]) -> None:
    result = stats.funnel_significance(
        numerator=[number(row["observed"])],
        denominator=[number(row["expected"])],
        statistic="ratio",
    )
    assert result["significance"].iloc[0] == stats.FunnelSignificance(row["expected_significance"])


@pytest.mark.parametrize("row", load("quantile_bounds.csv"))
def test_quantile_bounds(row: dict[str, str]) -> None:
    bounds = stats.quantile_bounds(values=numbers(row["values"]), groups=int(row["groups"]))
    np.testing.assert_allclose(bounds, numbers(row["bounds"]), rtol=0, atol=number(row["abs_tol"]))


@pytest.fixture(scope="module")
def sii_result() -> pd.DataFrame:
    groups = pd.read_csv(GOLDEN / "sii_inputs.csv")
    limits = stats.crude_rate(groups["count"], groups["population"], multiplier=1000)
    np.testing.assert_allclose(limits["value"], groups["value"], rtol=1e-12)
    return stats.slope_index_of_inequality(
        value=groups["value"],
        population=groups["population"],
        lower_ci=limits["lower_ci"],
        upper_ci=limits["upper_ci"],
        group=groups["area"],
        value_type="rate",
        seed=20240101,
    )


@pytest.mark.parametrize("row", load("sii.csv"))
def test_slope_index_of_inequality(row: dict[str, str], sii_result: pd.DataFrame) -> None:
    actual = float(sii_result.loc[row["area"], row["statistic"]])
    assert_close(actual, number(row["expected"]), abs_tol=number(row["abs_tol"]))


@pytest.mark.parametrize("row", load("trend.csv"))
def test_trend(row: dict[str, str]) -> None:
    if row["value_type"] == "general":
        result = stats.trend_test(
            value=numbers(row["value"]),
            lower_ci=numbers(row["lower_ci"]),
            upper_ci=numbers(row["upper_ci"]),
        )
    else:
        result = stats.trend_test(
            numerator=numbers(row["numerator"]),
            denominator=numbers(row["denominator"]),
            value_type="proportion",
        )
    assert_close(
        float(result["chi_square"].iloc[0]),
        number(row["chi_square"]),
        abs_tol=number(row["abs_tol"]),
    )
    assert result["trend"].iloc[0] == stats.TrendLabel(row["expected_trend"])


@pytest.mark.parametrize("row", load("xmr.csv"))
def test_xmr_limits(row: dict[str, str]) -> None:
    chart = stats.xmr_limits(
        values=numbers(row["values"]), screen_outliers=row["screen_outliers"] == "True"
    )
    first = chart.iloc[0]
    tolerance = number(row["abs_tol"])
    if row["mean"]:
        assert_close(float(first["mean"]), number(row["mean"]), abs_tol=tolerance)
    for column in ("lower_process_limit", "upper_process_limit"):
        assert_close(float(first[column]), number(row[column]), abs_tol=tolerance)


@pytest.mark.parametrize("row", load("repeats.csv"))
def test_repeats(row: dict[str, str]) -> None:
    first, second = numbers(row["inputs"])
    if row["measure"] in {"repeat_crimes", "repeat_crime_share"}:
        crimes, victims = first, second
        result = stats.repeat_concentration(crimes=crimes, victims=victims).iloc[0]
        actual = (
            float(result["repeat_crime_share"] * crimes)
            if row["measure"] == "repeat_crimes"
            else float(result["repeat_crime_share"])
        )
    else:
        result = stats.implied_repeat_means(
            repeat_victim_share=first, repeat_victim_crime_share=second
        ).iloc[0]
        actual = float(result[row["measure"]])
    assert_close(actual, number(row["expected"]), abs_tol=number(row["abs_tol"]) + 1e-12)


@pytest.mark.parametrize("row", load("survey.csv"))
def test_survey(row: dict[str, str]) -> None:
    values = numbers(row["inputs"])
    if row["measure"] == "margin_of_error":
        actual = float(stats.margin_of_error(sample_size=values)["margin_of_error"].iloc[0])
    else:
        actual = float(stats.kish_design_effect(weights=values)[row["measure"]].iloc[0])
    assert_close(actual, number(row["expected"]), abs_tol=number(row["abs_tol"]))


@pytest.mark.parametrize("row", load("harm.csv"))
def test_fine_custody_days(row: dict[str, str]) -> None:
    result = stats.fine_custody_days(
        total_fines_value=number(row["total_fines_value"]),
        number_of_fines=number(row["number_of_fines"]),
        average_daily_earnings=number(row["average_daily_earnings"]),
    ).iloc[0]
    assert_close(
        float(result["average_fine"]),
        number(row["average_fine"]),
        abs_tol=number(row["abs_tol_fine"]),
    )
    assert_close(
        float(result["custody_days"]),
        number(row["custody_days"]),
        abs_tol=number(row["abs_tol_days"]),
    )
