"""Property tests (Hypothesis) for the interval and simulation methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from safecity import stats

counts = st.integers(min_value=0, max_value=2_000_000)
populations = st.floats(min_value=1.0, max_value=1e8, allow_nan=False, allow_infinity=False)
confidences = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])
multipliers = st.sampled_from([1.0, 100.0, 1000.0, 10_000.0, 100_000.0])
FEW = settings(max_examples=60, deadline=None)


@st.composite
def proportions(draw: st.DrawFn) -> tuple[int, int]:
    denominator = draw(st.integers(min_value=1, max_value=1_000_000))
    numerator = draw(st.integers(min_value=0, max_value=denominator))
    return numerator, denominator


@FEW
@given(count=counts, population=populations, confidence=confidences)
def test_rate_interval_contains_value(count: int, population: float, confidence: float) -> None:
    row = stats.crude_rate([count], [population], confidence=confidence).iloc[0]
    assert 0.0 <= row["lower_ci"] <= row["value"] <= row["upper_ci"]


@FEW
@given(fraction=proportions(), confidence=confidences)
def test_proportion_interval_contains_value(fraction: tuple[int, int], confidence: float) -> None:
    numerator, denominator = fraction
    row = stats.proportion([numerator], [denominator], confidence=confidence).iloc[0]
    assert 0.0 <= row["lower_ci"] <= row["value"] <= row["upper_ci"] <= 1.0


@FEW
@given(count=counts, population=populations)
def test_rate_998_interval_contains_95(count: int, population: float) -> None:
    narrow = stats.crude_rate([count], [population], confidence=0.95).iloc[0]
    wide = stats.crude_rate([count], [population], confidence=0.998).iloc[0]
    assert wide["lower_ci"] <= narrow["lower_ci"]
    assert wide["upper_ci"] >= narrow["upper_ci"]


@FEW
@given(fraction=proportions())
def test_proportion_998_interval_contains_95(fraction: tuple[int, int]) -> None:
    numerator, denominator = fraction
    narrow = stats.proportion([numerator], [denominator], confidence=0.95).iloc[0]
    wide = stats.proportion([numerator], [denominator], confidence=0.998).iloc[0]
    assert wide["lower_ci"] <= narrow["lower_ci"]
    assert wide["upper_ci"] >= narrow["upper_ci"]


@FEW
@given(
    count=st.integers(min_value=0, max_value=100_000),
    population=st.integers(min_value=1, max_value=10_000_000),
    factor=st.integers(min_value=2, max_value=50),
)
def test_rate_interval_narrows_as_denominator_grows(
    count: int, population: int, factor: int
) -> None:
    small, large = stats.crude_rate(
        [count, count * factor], [population, population * factor]
    ).itertuples()
    assert np.isclose(large.value, small.value, rtol=1e-12)
    assert large.upper_ci - large.lower_ci < small.upper_ci - small.lower_ci


@FEW
@given(fraction=proportions(), factor=st.integers(min_value=2, max_value=50))
def test_proportion_interval_narrows_as_denominator_grows(
    fraction: tuple[int, int], factor: int
) -> None:
    numerator, denominator = fraction
    small, large = stats.proportion(
        [numerator, numerator * factor], [denominator, denominator * factor]
    ).itertuples()
    assert large.upper_ci - large.lower_ci < small.upper_ci - small.lower_ci


@FEW
@given(count=counts, population=populations, multiplier=multipliers)
def test_rate_scales_with_multiplier(count: int, population: float, multiplier: float) -> None:
    base = stats.crude_rate([count], [population], multiplier=1).iloc[0]
    scaled = stats.crude_rate([count], [population], multiplier=multiplier).iloc[0]
    for column in ("value", "lower_ci", "upper_ci"):
        assert np.isclose(scaled[column], base[column] * multiplier, rtol=1e-12, atol=0)


@FEW
@given(fraction=proportions(), multiplier=st.sampled_from([1.0, 100.0, 1000.0]))
def test_proportion_scales_with_multiplier(fraction: tuple[int, int], multiplier: float) -> None:
    numerator, denominator = fraction
    base = stats.proportion([numerator], [denominator]).iloc[0]
    scaled = stats.proportion([numerator], [denominator], multiplier=multiplier).iloc[0]
    for column in ("value", "lower_ci", "upper_ci"):
        assert np.isclose(scaled[column], base[column] * multiplier, rtol=1e-12, atol=0)


@st.composite
def age_bands(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(min_value=2, max_value=19))
    count = draw(st.lists(st.integers(0, 500), min_size=size, max_size=size))
    population = draw(st.lists(st.integers(50, 50_000), min_size=size, max_size=size))
    standard = draw(st.lists(st.integers(500, 8_000), min_size=size, max_size=size))
    return pd.DataFrame({"count": count, "population": population, "standard": standard})


@FEW
@given(bands=age_bands(), multiplier=multipliers)
def test_dsr_interval_contains_value_and_scales(bands: pd.DataFrame, multiplier: float) -> None:
    base = stats.dsr(bands["count"], bands["population"], bands["standard"], multiplier=1).iloc[0]
    scaled = stats.dsr(
        bands["count"], bands["population"], bands["standard"], multiplier=multiplier
    ).iloc[0]
    if bands["count"].sum() < 10:
        assert np.isnan(base["value"])
        assert base["method"] == "Not calculated"
        return
    assert base["lower_ci"] <= base["value"] <= base["upper_ci"]
    for column in ("value", "lower_ci", "upper_ci"):
        assert np.isclose(scaled[column], base[column] * multiplier, rtol=1e-12)


@FEW
@given(
    count=st.integers(0, 5000),
    comparator=st.integers(1, 5000),
    population=st.integers(1000, 100_000),
)
def test_rate_ratio_interval_contains_ratio(count: int, comparator: int, population: int) -> None:
    row = stats.rate_ratio_test(
        count=count,
        population=population,
        comparator_count=comparator,
        comparator_population=population * 2,
    ).iloc[0]
    assert row["lower_ci"] <= row["value"] <= row["upper_ci"]
    assert 0.0 <= row["p_value"] <= 1.0


@FEW
@given(first=proportions(), second=proportions())
def test_newcombe_interval_contains_difference(
    first: tuple[int, int], second: tuple[int, int]
) -> None:
    row = stats.proportion_difference(
        numerator=first[0],
        denominator=first[1],
        comparator_numerator=second[0],
        comparator_denominator=second[1],
    ).iloc[0]
    assert -1.0 <= row["lower_ci"] <= row["value"] <= row["upper_ci"] <= 1.0


@FEW
@given(
    denominator=st.integers(1, 1_000_000),
    baseline=st.floats(0.01, 0.99),
)
def test_funnel_limits_bracket_baseline(denominator: int, baseline: float) -> None:
    row = stats.funnel_limits(denominator=[denominator], baseline=baseline).iloc[0]
    assert row["lower_limit_998"] <= row["lower_limit_95"] <= baseline * 100
    assert baseline * 100 <= row["upper_limit_95"] <= row["upper_limit_998"]


@FEW
@given(expected=st.floats(0.01, 1e5))
def test_ratio_funnel_limits_bracket_one(expected: float) -> None:
    row = stats.funnel_limits(denominator=[expected], statistic="ratio", multiplier=1).iloc[0]
    assert row["lower_limit_998"] <= row["lower_limit_95"] <= 1.0
    assert 1.0 <= row["upper_limit_95"] <= row["upper_limit_998"]


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_sii_same_seed_same_result(seed: int) -> None:
    arguments = {
        "value": [9.0, 7.5, 6.0, 5.5, 4.0, 3.0],
        "population": [1000, 1200, 900, 1100, 1000, 800],
        "lower_ci": [8.0, 6.6, 5.1, 4.7, 3.3, 2.4],
        "upper_ci": [10.1, 8.5, 7.0, 6.4, 4.8, 3.7],
        "repetitions": 2000,
    }
    first = stats.slope_index_of_inequality(seed=seed, **arguments)
    second = stats.slope_index_of_inequality(seed=seed, **arguments)
    pd.testing.assert_frame_equal(first, second)
    other = stats.slope_index_of_inequality(seed=seed + 1, **arguments)
    assert other["sii_lower_ci"].iloc[0] != first["sii_lower_ci"].iloc[0]
    row = first.iloc[0]
    assert row["sii_lower_ci"] <= row["sii"] <= row["sii_upper_ci"]
    assert row["rii_lower_ci"] <= row["rii"] <= row["rii_upper_ci"]
