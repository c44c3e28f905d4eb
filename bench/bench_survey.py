"""Benchmark: a residents' survey — 10,000 respondents, 50 measures, 8 subgroups — estimated.

Issue 12's performance target: loading and weighting 10,000 respondents and estimating 50
measures by 8 subgroups in under 5 s on 2 cores, with an equivalent straightforward pandas
computation timed in the same run as the baseline.

Steps, each timed:

1. **Load** — here a synthetic wave built in memory (respondents with 8 characteristics of
   about 5 categories each, 50 binary measures with 5% "don't know" and 10 measures asked of a
   sub-sample). ``load_wave`` is the place to swap in ``safecity.data.survey.loader.load_survey``
   and reading the warehouse once the loader is merged.
2. **Weight** — raking to population margins of age band, sex and ward by a plain NumPy
   iterative proportional fitting written inline (the baseline analyst's step; the product's
   raking is ``safecity.stats.raking.rake``, to be timed here once merged).
3. **Estimate** — every measure overall and by each subgroup (50 × (1 + 8) tables, about 2,000
   estimates with intervals): ``safecity.stats.survey.survey_proportions`` (all measures of a
   grouping in one pass; also timed: ``survey_proportion`` called once per measure and grouping)
   with Taylor linearisation (respondents independent: the usual residents' survey), against a
   pandas
   ``groupby`` computation of the same numbers (weighted share, linearised standard error of the
   domain ratio, logit interval on ``n − 1`` degrees of freedom). Both must agree to 1e-9
   relative before timing. A stratified, clustered design (20 strata, 400 PSUs) is timed too.

Times are the best of several repeats. Run: ``.venv/bin/python bench/bench_survey.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as scipy_stats

from safecity.stats.survey import SurveyDesign, survey_proportion, survey_proportions

RESPONDENTS = 10_000
MEASURES = 50
SUBGROUPS = 8
REPEATS = 3
CONFIDENCE = 0.95
RAKED = ("age_band", "sex", "ward")


def best_time(function: Callable[[], object], repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def load_wave(seed: int = 20261207) -> pd.DataFrame:
    """One synthetic wave: characteristics, design variables and 50 measures (0/1/NaN)."""
    rng = np.random.default_rng(seed)
    size = RESPONDENTS
    columns: dict[str, np.ndarray] = {
        "age_band": rng.choice(
            ["16-24", "25-34", "35-44", "45-54", "55-64", "65+"],
            size=size,
            p=[0.06, 0.12, 0.16, 0.2, 0.22, 0.24],
        ),
        "sex": rng.choice(["Male", "Female", "Other"], size=size, p=[0.46, 0.53, 0.01]),
        "ward": rng.choice([f"E0500{index:04d}" for index in range(6)], size=size),
        "deprivation_quintile": rng.choice(["1", "2", "3", "4", "5"], size=size),
        "ethnicity": rng.choice(
            ["White", "Asian", "Black", "Mixed", "Other"], size=size, p=[0.8, 0.1, 0.05, 0.03, 0.02]
        ),
        "disability": rng.choice(
            ["Yes", "No", "Prefer not to say"], size=size, p=[0.2, 0.75, 0.05]
        ),
        "tenure": rng.choice(
            ["Owner", "Mortgage", "Social rent", "Private rent", "Other"], size=size
        ),
        "locality": rng.choice(["North", "South", "East", "West", "Centre"], size=size),
    }
    frame = pd.DataFrame(columns)
    frame["stratum"] = rng.integers(0, 20, size=size)
    frame["psu"] = frame["stratum"] * 20 + rng.integers(0, 20, size=size)
    young = frame["age_band"].isin(["16-24", "25-34"]).to_numpy()
    for index in range(MEASURES):
        share = 0.15 + 0.7 * rng.random()
        probability = np.clip(share + np.where(young, -0.08, 0.03), 0.01, 0.99)
        answer = (rng.random(size) < probability).astype(np.float64)
        answer[rng.random(size) < 0.05] = np.nan
        if index % 5 == 4:
            answer[rng.random(size) < 0.6] = np.nan
        frame[f"measure_{index:02d}"] = answer
    return frame


def population_margins(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Margins of a population older than the sample (so raking moves the weights)."""
    age = pd.Series(
        [0.13, 0.17, 0.17, 0.17, 0.16, 0.20],
        index=["16-24", "25-34", "35-44", "45-54", "55-64", "65+"],
    )
    sex = pd.Series([0.49, 0.505, 0.005], index=["Male", "Female", "Other"])
    wards = sorted(frame["ward"].unique())
    ward = pd.Series(np.linspace(0.8, 1.2, len(wards)), index=wards)
    return {
        "age_band": age / age.sum() * 250_000,
        "sex": sex / sex.sum() * 250_000,
        "ward": ward / ward.sum() * 250_000,
    }


def rake_numpy(
    frame: pd.DataFrame, margins: dict[str, pd.Series], iterations: int = 50
) -> np.ndarray:
    """Plain iterative proportional fitting (the baseline analyst's raking)."""
    weights = np.ones(len(frame))
    codes = {}
    for name, margin in margins.items():
        codes[name] = (
            pd.Categorical(frame[name], categories=margin.index).codes,
            margin.to_numpy(),
        )
    for _ in range(iterations):
        largest = 0.0
        for code, target in codes.values():
            current = np.bincount(code, weights, minlength=target.size)
            factor = target / current
            largest = max(largest, float(np.max(np.abs(factor - 1.0))))
            weights = weights * factor[code]
        if largest < 1e-10:
            break
    return weights


def library_estimates(
    frame: pd.DataFrame, weights: np.ndarray, *, clustered: bool = False
) -> dict[tuple[str, str], pd.DataFrame]:
    design = {"strata": frame["stratum"], "clusters": frame["psu"]} if clustered else {}
    results = {}
    groupings = [None, *list(frame.columns[:SUBGROUPS])]
    for index in range(MEASURES):
        measure = f"measure_{index:02d}"
        for grouping in groupings:
            results[(measure, grouping or "all")] = survey_proportion(
                response=frame[measure],
                weights=weights,
                group=None if grouping is None else frame[grouping],
                design=SurveyDesign.TAYLOR,
                confidence=CONFIDENCE,
                **design,
            )
    return results


def batch_estimates(
    frame: pd.DataFrame, weights: np.ndarray, *, clustered: bool = False
) -> dict[str, pd.DataFrame]:
    """One table per grouping, every measure in it (what is timed)."""
    design = {"strata": frame["stratum"], "clusters": frame["psu"]} if clustered else {}
    measures = [f"measure_{index:02d}" for index in range(MEASURES)]
    return {
        grouping or "all": survey_proportions(
            responses=frame[measures],
            weights=weights,
            group=None if grouping is None else frame[grouping],
            design=SurveyDesign.TAYLOR,
            confidence=CONFIDENCE,
            **design,
        )
        for grouping in [None, *list(frame.columns[:SUBGROUPS])]
    }


def by_measure(tables: dict[str, pd.DataFrame]) -> dict[tuple[str, str], pd.DataFrame]:
    """The batch tables split per (measure, grouping), for the comparison (not timed)."""
    return {
        (measure, grouping): table.loc[measure]
        for grouping, table in tables.items()
        for measure in table.index.get_level_values("measure").unique()
    }


def pandas_estimates(
    frame: pd.DataFrame, weights: np.ndarray
) -> dict[tuple[str, str], pd.DataFrame]:
    """What an analyst writes with groupby: the same numbers for independent respondents.

    For a domain ``g`` of ``N`` respondents drawn independently with replacement the
    linearised variance of ``p_g = Σwy/Σw`` is ``N/(N − 1) Σ_{j∈g} (w_j(y_j − p_g)/W_g)²``.
    """
    results = {}
    size = len(frame)
    data = frame.assign(weight=weights, all="All respondents")
    quantile_cache: dict[float, float] = {}
    for index in range(MEASURES):
        measure = f"measure_{index:02d}"
        valid = data[data[measure].notna()].copy()
        valid["weighted_yes"] = valid["weight"] * valid[measure]
        for grouping in ["all", *list(frame.columns[:SUBGROUPS])]:
            sums = valid.groupby(grouping)[["weight", "weighted_yes"]].sum()
            counts = valid.groupby(grouping)[measure].count()
            share = sums["weighted_yes"] / sums["weight"]
            keyed = valid[grouping].map(share)
            total = valid[grouping].map(sums["weight"])
            residual = (valid["weight"] * (valid[measure] - keyed) / total) ** 2
            variance = residual.groupby(valid[grouping]).sum() * size / (size - 1)
            standard_error = np.sqrt(variance)
            degrees = counts - 1
            quantile = degrees.map(
                lambda df: quantile_cache.setdefault(
                    df, float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, df))
                )
            )
            logit_se = standard_error / (share * (1 - share))
            centre = special.logit(share)
            table = pd.DataFrame(
                {
                    "value": share,
                    "lower_ci": special.expit(centre - quantile * logit_se),
                    "upper_ci": special.expit(centre + quantile * logit_se),
                    "standard_error": standard_error,
                    "unweighted_base": counts,
                }
            )
            results[(measure, grouping)] = table
    return results


def check_agreement(
    library: dict[tuple[str, str], pd.DataFrame], baseline: dict[tuple[str, str], pd.DataFrame]
) -> int:
    compared = 0
    for key, expected in baseline.items():
        actual = library[key].reindex(expected.index.astype(object))
        for column in ("value", "lower_ci", "upper_ci", "standard_error"):
            np.testing.assert_allclose(
                actual[column].to_numpy(dtype=float),
                expected[column].to_numpy(dtype=float),
                rtol=1e-9,
                err_msg=f"{key} {column}",
            )
        np.testing.assert_array_equal(
            actual["unweighted_base"].to_numpy(), expected["unweighted_base"].to_numpy()
        )
        compared += len(expected)
    return compared


def main() -> int:
    start = time.perf_counter()
    frame = load_wave()
    load = time.perf_counter() - start
    margins = population_margins(frame)
    weights = rake_numpy(frame, margins)
    for name, margin in margins.items():
        achieved = pd.Series(weights).groupby(frame[name].to_numpy()).sum()
        np.testing.assert_allclose(achieved.reindex(margin.index), margin, rtol=1e-8)
    weighting = best_time(lambda: rake_numpy(frame, margins))

    library = by_measure(batch_estimates(frame, weights))
    baseline = pandas_estimates(frame, weights)
    compared = check_agreement(library, baseline)
    check_agreement(library_estimates(frame, weights), baseline)
    clustered = by_measure(batch_estimates(frame, weights, clustered=True))
    one_by_one = library_estimates(frame, weights, clustered=True)
    for key, table in clustered.items():
        np.testing.assert_allclose(
            table["standard_error"].to_numpy(), one_by_one[key]["standard_error"].to_numpy()
        )

    library_time = best_time(lambda: batch_estimates(frame, weights))
    per_call_time = best_time(lambda: library_estimates(frame, weights))
    clustered_time = best_time(lambda: batch_estimates(frame, weights, clustered=True))
    baseline_time = best_time(lambda: pandas_estimates(frame, weights))

    tables = len(library)
    print(
        f"survey of {RESPONDENTS:,} respondents, {MEASURES} measures, {SUBGROUPS} subgroups: "
        f"{tables} tables, {compared:,} estimates with intervals (agree to 1e-9 relative)"
    )
    print(f"  load (synthetic wave in memory; LOAD to be timed here): {load:.3f} s")
    print(f"  weight (NumPy raking to age, sex, ward margins): {weighting:.3f} s")
    print(f"  estimate, safecity survey_proportions (Taylor, independent): {library_time:.3f} s")
    print(f"  estimate, same with 20 strata and 400 clusters: {clustered_time:.3f} s")
    print(f"  estimate, survey_proportion once per measure and grouping: {per_call_time:.3f} s")
    print(f"  estimate, pandas groupby baseline: {baseline_time:.3f} s")
    print(f"  ratio baseline / safecity: {baseline_time / library_time:.2f}")
    total = load + weighting + library_time
    print(f"  load + weight + estimate: {total:.3f} s (target < 5 s)")
    return 0 if total < 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
