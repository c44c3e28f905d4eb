"""Benchmark: ``safecity.stats.crude_rate`` on one million rows (target: under one second).

Baselines, measured in the same run on the same data:

1. *Per-row SciPy loop*: the straightforward implementation, one ``scipy.stats.chi2.ppf`` pair
   (exact, below 10 events) or Byar's formula per row in a Python loop, timed on a 10,000-row
   sample and scaled by 100 to one million rows.
2. *Vectorised SciPy*: ``scipy.stats.chi2.ppf`` applied to every row at once for the exact
   branch and NumPy for Byar's, with a NumPy ``where`` to choose — what a careful
   NumPy user would write first.

Times are the best of several repeats. Run: ``.venv/bin/python bench/bench_crude_rate.py``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import numpy as np
from scipy import stats as scipy_stats

from safecity.stats import crude_rate

ROWS = 1_000_000
SAMPLE = 10_000
REPEATS = 5
TARGET_SECONDS = 1.0
CONFIDENCE = 0.95
MULTIPLIER = 1000.0


def make_data(rows: int, seed: int = 20240101) -> tuple[np.ndarray, np.ndarray]:
    """LSOA-like counts: populations 1,000–3,000, rates varying widely (many small counts)."""
    generator = np.random.default_rng(seed)
    population = generator.integers(1000, 3001, size=rows).astype(np.float64)
    rate = generator.gamma(shape=1.2, scale=0.02, size=rows)
    count = generator.poisson(rate * population).astype(np.float64)
    return count, population


def best_time(function: Callable[[], object], repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def per_row_loop(count: np.ndarray, population: np.ndarray) -> list[tuple[float, float, float]]:
    z = scipy_stats.norm.ppf(0.5 + CONFIDENCE / 2)
    alpha = 1 - CONFIDENCE
    rows = []
    for observed, people in zip(count.tolist(), population.tolist(), strict=True):
        if observed < 10:
            lower = 0.0 if observed == 0 else scipy_stats.chi2.ppf(alpha / 2, 2 * observed) / 2
            upper = scipy_stats.chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2
        else:
            lower = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
            following = observed + 1
            upper = following * (1 - 1 / (9 * following) + z / (3 * math.sqrt(following))) ** 3
        scale = MULTIPLIER / people
        rows.append((observed * scale, lower * scale, upper * scale))
    return rows


def vectorised_scipy(count: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, ...]:
    z = scipy_stats.norm.ppf(0.5 + CONFIDENCE / 2)
    alpha = 1 - CONFIDENCE
    with np.errstate(divide="ignore", invalid="ignore"):
        exact_lower = np.nan_to_num(scipy_stats.chi2.ppf(alpha / 2, 2 * count) / 2)
        exact_upper = scipy_stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
        byars_lower = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
    following = count + 1
    byars_upper = following * (1 - 1 / (9 * following) + z / (3 * np.sqrt(following))) ** 3
    exact = count < 10
    scale = MULTIPLIER / population
    return (
        count * scale,
        np.where(exact, exact_lower, byars_lower) * scale,
        np.where(exact, exact_upper, byars_upper) * scale,
    )


def main() -> int:
    count, population = make_data(ROWS)
    sample_count, sample_population = count[:SAMPLE], population[:SAMPLE]

    result = crude_rate(count, population, multiplier=MULTIPLIER, confidence=CONFIDENCE)
    reference = vectorised_scipy(count, population)
    np.testing.assert_allclose(result["lower_ci"], reference[1], rtol=1e-9)
    np.testing.assert_allclose(result["upper_ci"], reference[2], rtol=1e-9)
    looped = np.array(per_row_loop(sample_count, sample_population))
    np.testing.assert_allclose(result["upper_ci"].to_numpy()[:SAMPLE], looped[:, 2], rtol=1e-9)

    library = best_time(
        lambda: crude_rate(count, population, multiplier=MULTIPLIER, confidence=CONFIDENCE)
    )
    loop = best_time(lambda: per_row_loop(sample_count, sample_population), repeats=3)
    loop_scaled = loop * ROWS / SAMPLE
    vectorised = best_time(lambda: vectorised_scipy(count, population))

    exact_share = float((count < 10).mean())
    print(f"crude_rate on {ROWS:,} rows ({exact_share:.0%} below 10 events, exact branch)")
    print(f"  safecity.stats.crude_rate (DataFrame out): {library:.3f} s (best of {REPEATS})")
    print(
        f"  baseline 1, per-row SciPy loop: {loop:.3f} s on {SAMPLE:,} rows, "
        f"scaled to {loop_scaled:.1f} s -> ratio {loop_scaled / library:.0f}x faster"
    )
    print(
        f"  baseline 2, vectorised scipy.stats.chi2.ppf (arrays only, no DataFrame): "
        f"{vectorised:.3f} s -> ratio {vectorised / library:.2f}x"
    )
    verdict = "PASS" if library < TARGET_SECONDS else "FAIL"
    print(f"  target < {TARGET_SECONDS:.1f} s: {verdict}")
    return 0 if library < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
