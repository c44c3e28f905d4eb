"""The vectorised exact binomial p-value equals ``scipy.stats.binomtest(...).pvalue``.

``rate_ratio_test`` and ``compare_to_baseline_average`` compute every row's p-value at once
(``safecity.stats._binomial``); these tests compare with SciPy's own per-row test to 1e-12
relative, on random inputs and on the edges (x = 0, x = n, p near 0 or 1, n up to 10^6).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from safecity import stats
from safecity.stats._binomial import binomial_p_values, clopper_pearson

RELATIVE = 1e-12


def scipy_p(successes: int, trials: int, probability: float) -> float:
    return float(scipy_stats.binomtest(successes, trials, probability).pvalue)


def assert_matches(successes: list[int], trials: list[int], probabilities: list[float]) -> None:
    vectorised = binomial_p_values(
        np.array(successes, dtype=float),
        np.array(trials, dtype=float),
        np.array(probabilities, dtype=float),
    )
    for x, n, p, actual in zip(successes, trials, probabilities, vectorised, strict=True):
        expected = scipy_p(x, n, p)
        assert math.isclose(actual, expected, rel_tol=RELATIVE, abs_tol=0.0), (
            f"x={x}, n={n}, p={p!r}: vectorised {actual!r}, scipy {expected!r}"
        )


# SciPy's own binomtest overflows for p below about 1e-307, so the reference stops at 1e-300.
probabilities = st.one_of(
    st.floats(min_value=0.0, max_value=1.0).filter(lambda chance: chance == 0 or chance >= 1e-300),
    st.sampled_from([0.0, 1e-300, 1e-12, 1e-6, 0.5, 1 - 1e-6, 1 - 1e-12, 1.0]),
)


@st.composite
def binomial_rows(draw: st.DrawFn) -> tuple[int, int, float]:
    trials = draw(
        st.one_of(
            st.integers(min_value=1, max_value=50),
            st.integers(min_value=1, max_value=1_000_000),
            st.sampled_from([1, 2, 999_999, 1_000_000]),
        )
    )
    position = draw(st.sampled_from(["zero", "all", "any"]))
    successes = {
        "zero": 0,
        "all": trials,
        "any": draw(st.integers(min_value=0, max_value=trials)),
    }[position]
    return successes, trials, draw(probabilities)


@settings(max_examples=60, deadline=None)
@given(st.lists(binomial_rows(), min_size=1, max_size=25))
def test_vectorised_p_value_equals_scipy_binomtest(rows: list[tuple[int, int, float]]) -> None:
    successes, trials, chances = (list(column) for column in zip(*rows, strict=True))
    assert_matches(successes, trials, chances)


def test_edge_cases_equal_scipy() -> None:
    cases = [
        (0, 1, 0.5),
        (1, 1, 0.5),
        (0, 10, 0.0),
        (3, 10, 0.0),
        (10, 10, 1.0),
        (4, 10, 1.0),
        (0, 1_000_000, 1e-6),
        (1_000_000, 1_000_000, 1 - 1e-9),
        (1, 1_000_000, 1e-12),
        (500_000, 1_000_000, 0.5),
        (499_000, 1_000_000, 0.5),
        (120, 405, 0.25),
        (28239, 60111, 0.5),
        (5, 7, 1 / 3),
        (2, 7, 1 / 3),
    ]
    successes, trials, chances = (list(column) for column in zip(*cases, strict=True))
    assert_matches(successes, trials, chances)


def test_no_trials_gives_nan() -> None:
    result = binomial_p_values(np.array([0.0, 3.0]), np.array([0.0, 6.0]), np.array([0.5, 0.5]))
    assert math.isnan(result[0])
    assert math.isclose(result[1], scipy_p(3, 6, 0.5), rel_tol=RELATIVE)


@settings(max_examples=40, deadline=None)
@given(binomial_rows(), st.sampled_from([0.8, 0.95, 0.998]))
def test_clopper_pearson_equals_the_beta_quantiles(
    row: tuple[int, int, float], level: float
) -> None:
    successes, trials, _ = row
    lower, upper = clopper_pearson(np.array([float(successes)]), np.array([float(trials)]), level)
    alpha = 1.0 - level
    assert bool(lower[0] == 0.0) is (successes == 0)
    assert bool(upper[0] == 1.0) is (successes == trials)
    if successes > 0:
        beta_lower = scipy_stats.beta.ppf(alpha / 2, successes, trials - successes + 1)
        assert math.isclose(lower[0], beta_lower, rel_tol=1e-12)
    if successes < trials:
        beta_upper = scipy_stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes)
        assert math.isclose(upper[0], beta_upper, rel_tol=1e-12)


def test_rate_ratio_test_p_values_equal_scipy_per_row() -> None:
    generator = np.random.default_rng(20240101)
    count = generator.integers(0, 400, size=300)
    comparator = generator.integers(0, 400, size=300)
    population = generator.uniform(1_000, 5_000, size=300)
    comparator_population = generator.uniform(1_000, 5_000, size=300)
    result = stats.rate_ratio_test(
        count=count,
        population=population,
        comparator_count=comparator,
        comparator_population=comparator_population,
    )
    for row in range(300):
        total = int(count[row] + comparator[row])
        if total == 0:
            assert math.isnan(result["p_value"].iloc[row])
            continue
        chance = population[row] / (population[row] + comparator_population[row])
        expected = scipy_p(int(count[row]), total, float(chance))
        assert math.isclose(result["p_value"].iloc[row], expected, rel_tol=RELATIVE)


def test_baseline_average_p_values_equal_scipy_per_row() -> None:
    counts = [120, 0, 7, 300]
    baselines = [[100, 90, 95], [1, 0, 2], [0, 0, 0], [250, 260, 240]]
    result = stats.compare_to_baseline_average(count=counts, baseline_counts=baselines)
    for row, (current, previous) in enumerate(zip(counts, baselines, strict=True)):
        expected = scipy_p(current, current + sum(previous), 0.25)
        assert math.isclose(result["p_value"].iloc[row], expected, rel_tol=RELATIVE)
