"""Formal tests between two areas or two periods (``methods.md`` §2.2, §2.3, §9.1).

These are the default for Strategic Assessment text ("significantly higher"); the
Fingertips interval-overlap mode lives in :mod:`safecity.stats.benchmark`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats

from safecity.stats._binomial import binomial_p_values, clopper_pearson
from safecity.stats._poisson import BYARS_THRESHOLD
from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    critical_value,
    label_array,
    normalise_confidence,
    require_multiplier,
    set_label_column,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import (
    AssociationDirection,
    ChangeStatus,
    IntervalMethod,
    RateRatioMethod,
)
from safecity.stats.proportions import wilson_limits

__all__ = [
    "chi_square_trend",
    "compare_to_baseline_average",
    "proportion_difference",
    "rate_difference",
    "rate_ratio_test",
]

NEWCOMBE_METHOD = IntervalMethod.NEWCOMBE


def _odds_to_ratio(probability: FloatArray, exposure_ratio: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return probability / (1.0 - probability) * exposure_ratio


def _require_whole(inputs: InputArrays, *names: str) -> None:
    for name in names:
        values = inputs[name]
        inputs.fail(name, values != np.round(values), "must be a whole number for an exact test")


def rate_ratio_test(
    *,
    count: npt.ArrayLike,
    population: npt.ArrayLike,
    comparator_count: npt.ArrayLike,
    comparator_population: npt.ArrayLike,
    method: RateRatioMethod | str = RateRatioMethod.EXACT_CONDITIONAL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Ratio of two Poisson rates with a test and confidence interval.

    ``RR = (O₁/N₁) / (O₂/N₂)``. Exact conditional (default): given ``T = O₁ + O₂``,
    ``O₁ ~ Binomial(T, π₀)`` with ``π₀ = N₁/(N₁+N₂)`` under equal rates; the p-value is
    that of ``scipy.stats.binomtest(O₁, T, π₀)`` (two-sided, "minlike": the sum of ``pmf(k)``
    over every ``k`` with ``pmf(k) ≤ pmf(O₁)·(1 + 1e-7)``), computed for all rows at once with
    the same binary search for the far tail, and the Clopper–Pearson interval for ``π`` is
    mapped to ``RR = π/(1−π)·N₂/N₁``. Log-normal: ``ln RR ± z·√(1/O₁ + 1/O₂)`` with a Wald z
    p-value. §2.2(a) gives it as the *large-count* method (both counts ≥ 10): with either
    count below 10 the row is computed but flagged ``unreliable = True`` (it is always
    ``False`` for the exact test, which is valid at any count); with a zero count it is NaN.

    ``percentage_change`` is ``(RR − 1) × 100`` (on counts when populations are equal). It is
    undefined, and kept NaN, when the comparator count is 0; ``change_status`` then says why
    (:class:`~safecity.stats.labels.ChangeStatus`): ``"new"`` (events where there were none) or
    ``"no events"`` (none in either, when every statistic is NaN and ``significant = False``).
    With a comparator count from 1 to 9 the change is computed but ``change_status`` asks for
    the counts to be reported alongside (§2.2a); otherwise it is ``"computed"``.

    Parameters
    ----------
    count, population : array-like
        Events and population (or person-years) of the area or period being judged.
    comparator_count, comparator_population : array-like
        Events and population of the comparator (e.g. last year, or the rest of the city).
    method : RateRatioMethod or str
        ``"exact conditional"`` (default) or ``"log-normal"``.
    confidence : float
        Confidence level as a fraction; ``significant`` means p < 1 − confidence.

    Returns
    -------
    pandas.DataFrame
        One row per input: inputs, ``value`` (the rate ratio), ``lower_ci, upper_ci,
        confidence, method`` (a :class:`RateRatioMethod` member), ``p_value, significant,
        percentage_change, change_status`` (a :class:`ChangeStatus` member) and
        ``unreliable``.

    References
    ----------
    R ``poisson.test(c(O1, O2), c(N1, N2))``; Python
    ``statsmodels.stats.rates.test_poisson_2indep(method="exact-cond")``; Breslow & Day
    (1987) §2; ``methods.md`` §2.2(a).

    Examples
    --------
    >>> result = rate_ratio_test(
    ...     count=28239, population=1, comparator_count=31872, comparator_population=1
    ... )
    >>> result[["value", "lower_ci", "upper_ci", "percentage_change"]].iloc[0].round(5).tolist()
    [0.88601, 0.8719, 0.90035, -11.39872]
    """
    level = normalise_confidence(confidence)
    try:
        chosen = RateRatioMethod(method)
    except ValueError as error:
        raise StatisticsInputError(f"unknown rate ratio method {method!r}") from error
    inputs = InputArrays(
        count=count,
        population=population,
        comparator_count=comparator_count,
        comparator_population=comparator_population,
    )
    inputs.require_non_negative("count", "comparator_count")
    inputs.require_positive("population", "comparator_population")
    first = inputs["count"]
    second = inputs["comparator_count"]
    exposure_ratio = inputs["comparator_population"] / inputs["population"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = first / second * exposure_ratio
    total = first + second
    if chosen is RateRatioMethod.EXACT_CONDITIONAL:
        _require_whole(inputs, "count", "comparator_count")
        null_probability = inputs["population"] / (
            inputs["population"] + inputs["comparator_population"]
        )
        p_value = binomial_p_values(first, total, null_probability)
        low_pi, high_pi = clopper_pearson(first, total, level)
        lower = _odds_to_ratio(low_pi, exposure_ratio)
        upper = _odds_to_ratio(high_pi, exposure_ratio)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            standard_error = np.sqrt(1.0 / first + 1.0 / second)
            log_ratio = np.log(ratio)
            spread = critical_value(level) * standard_error
            lower = np.exp(log_ratio - spread)
            upper = np.exp(log_ratio + spread)
            p_value = 2.0 * special.ndtr(-np.abs(log_ratio / standard_error))
        unusable = (first == 0) | (second == 0)
        lower[unusable] = np.nan
        upper[unusable] = np.nan
        p_value[unusable] = np.nan
    nothing = total == 0
    ratio[nothing] = np.nan
    lower[nothing] = np.nan
    upper[nothing] = np.nan
    result = pd.DataFrame(inputs.arrays, index=inputs.index)
    result["value"] = ratio
    result["lower_ci"] = lower
    result["upper_ci"] = upper
    result["confidence"] = level
    set_label_column(result, "method", chosen)
    result["p_value"] = p_value
    result["significant"] = np.nan_to_num(p_value, nan=1.0) < 1.0 - level
    with np.errstate(invalid="ignore"):
        result["percentage_change"] = np.where(second > 0, (ratio - 1.0) * 100.0, np.nan)
    status = label_array(ChangeStatus.COMPUTED, inputs.length)
    status[second < BYARS_THRESHOLD] = ChangeStatus.SMALL_COMPARATOR
    status[(second == 0) & (first > 0)] = ChangeStatus.NEW
    status[nothing] = ChangeStatus.NO_EVENTS
    set_label_column(result, "change_status", status)
    small = (first < BYARS_THRESHOLD) | (second < BYARS_THRESHOLD)
    result["unreliable"] = small if chosen is RateRatioMethod.LOG_NORMAL else np.zeros_like(small)
    return result


def rate_difference(
    *,
    count: npt.ArrayLike,
    population: npt.ArrayLike,
    comparator_count: npt.ArrayLike,
    comparator_population: npt.ArrayLike,
    multiplier: float = 1000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Absolute gap between two rates with a normal-approximation interval.

    ``RD = (O₁/N₁ − O₂/N₂) × M`` with ``SE = √(O₁/N₁² + O₂/N₂²) × M`` (Poisson counts);
    ``RD ± z·SE``. The companion of the rate ratio for "the gap between the most and least
    deprived" (§5.2); reliable when both counts are reasonably large (≥ 10).

    Parameters
    ----------
    count, population : array-like
        Events and population of the group being judged (e.g. most deprived quintile).
    comparator_count, comparator_population : array-like
        Events and population of the comparator (e.g. least deprived quintile).
    multiplier : float
        Rates per this many of the population (default 1,000).
    confidence : float
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row per input: inputs, ``value`` (the difference), ``standard_error, lower_ci,
        upper_ci, confidence, multiplier, method, significant``.

    References
    ----------
    Breslow & Day (1987); ``methods.md`` §5.2.

    Examples
    --------
    >>> result = rate_difference(
    ...     count=300, population=10000, comparator_count=100, comparator_population=10000
    ... )
    >>> result[["value", "standard_error"]].iloc[0].round(4).tolist()
    [20.0, 2.0]
    """
    level = normalise_confidence(confidence)
    inputs = InputArrays(
        count=count,
        population=population,
        comparator_count=comparator_count,
        comparator_population=comparator_population,
    )
    inputs.require_non_negative("count", "comparator_count")
    inputs.require_positive("population", "comparator_population")
    scale = require_multiplier(multiplier)
    first_population = inputs["population"]
    second_population = inputs["comparator_population"]
    difference = (
        inputs["count"] / first_population - inputs["comparator_count"] / second_population
    ) * scale
    standard_error = (
        np.sqrt(
            inputs["count"] / first_population**2
            + inputs["comparator_count"] / second_population**2
        )
        * scale
    )
    spread = critical_value(level) * standard_error
    result = pd.DataFrame(inputs.arrays, index=inputs.index)
    result["value"] = difference
    result["standard_error"] = standard_error
    result["lower_ci"] = difference - spread
    result["upper_ci"] = difference + spread
    result["confidence"] = level
    result["multiplier"] = scale
    set_label_column(result, "method", IntervalMethod.NORMAL_POISSON)
    result["significant"] = (result["lower_ci"] > 0) | (result["upper_ci"] < 0)
    return result


def proportion_difference(
    *,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    comparator_numerator: npt.ArrayLike,
    comparator_denominator: npt.ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Difference of two independent proportions with Newcombe's hybrid score interval.

    With Wilson limits ``(l₁, u₁)`` and ``(l₂, u₂)`` and ``D = p₁ − p₂``:
    ``L = D − √((p₁−l₁)² + (u₂−p₂)²)``, ``U = D + √((u₁−p₁)² + (p₂−l₂)²)`` (Newcombe 1998,
    method 10). ``significant`` iff 0 lies outside ``(L, U)``. Also reported: the pooled
    two-proportion ``z`` (equal to the square root of Pearson's χ² without continuity
    correction, 1 df) and its two-sided ``p_value``; when the pooled proportion is 0 or 1 the
    groups cannot differ and ``z = 0``, ``p = 1``.

    Parameters
    ----------
    numerator, denominator : array-like
        Successes and trials of the group being judged (e.g. this year).
    comparator_numerator, comparator_denominator : array-like
        Successes and trials of the comparator (e.g. last year).
    confidence : float
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row per input: inputs, ``value`` (``p₁ − p₂``, as a fraction), ``lower_ci,
        upper_ci, confidence, method, significant, z, p_value``.

    References
    ----------
    Newcombe RG (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Stat Med* 17:873–890. ``PropCIs::diffscoreci``;
    ``statsmodels confint_proportions_2indep(method="newcomb")``; ``methods.md`` §2.2(b).

    Examples
    --------
    >>> result = proportion_difference(
    ...     numerator=56, denominator=70, comparator_numerator=48, comparator_denominator=80
    ... )
    >>> result[["value", "lower_ci", "upper_ci", "z"]].round(4)
       value  lower_ci  upper_ci       z
    0    0.2    0.0524    0.3339  2.6502
    """
    level = normalise_confidence(confidence)
    inputs = InputArrays(
        numerator=numerator,
        denominator=denominator,
        comparator_numerator=comparator_numerator,
        comparator_denominator=comparator_denominator,
    )
    inputs.require_non_negative("numerator", "comparator_numerator")
    inputs.require_positive("denominator", "comparator_denominator")
    inputs.require_not_greater("numerator", "denominator")
    inputs.require_not_greater("comparator_numerator", "comparator_denominator")
    z_level = critical_value(level)
    x1, n1 = inputs["numerator"], inputs["denominator"]
    x2, n2 = inputs["comparator_numerator"], inputs["comparator_denominator"]
    p1 = x1 / n1
    p2 = x2 / n2
    l1, u1 = wilson_limits(x1, n1, z_level)
    l2, u2 = wilson_limits(x2, n2, z_level)
    difference = p1 - p2
    lower = difference - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = difference + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pooled = (x1 + x2) / (n1 + n2)
    pooled_variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    degenerate = pooled_variance <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(degenerate, 0.0, difference / np.sqrt(pooled_variance))
    result = pd.DataFrame(inputs.arrays, index=inputs.index)
    result["value"] = difference
    result["lower_ci"] = lower
    result["upper_ci"] = upper
    result["confidence"] = level
    set_label_column(result, "method", IntervalMethod.NEWCOMBE)
    result["significant"] = (lower > 0) | (upper < 0)
    result["z"] = z
    result["p_value"] = 2.0 * special.ndtr(-np.abs(z))
    return result


def chi_square_trend(
    *,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    score: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Chi-square test for trend in proportions across ordered groups (Cochran–Armitage).

    With ``x_t`` successes of ``n_t`` in group ``t`` scored ``s_t`` (default 1, 2, …),
    ``N = Σn_t``, ``X = Σx_t``:
    ``χ² = N(N·Σx_t s_t − X·Σn_t s_t)² / (X(N − X)(N·Σn_t s_t² − (Σn_t s_t)²))`` on 1 df.
    This is the form Fingertips uses for proportion trends (§9.2) and the test for trend
    across ordered deprivation groups (§2.2c).

    Parameters
    ----------
    numerator, denominator : array-like
        Successes and trials per ordered group (at least two groups).
    score : array-like, optional
        Score of each group (e.g. quintile number); default 1, 2, ….

    Returns
    -------
    pandas.DataFrame
        A single row: ``groups, chi_square, degrees_of_freedom, p_value, direction``
        (``"increasing"``, ``"decreasing"`` or ``"none"`` for the sign of the association).

    References
    ----------
    Armitage P (1955). Tests for linear trends in proportions and frequencies. *Biometrics*
    11:375–386. OHID Fingertips ``TrendMarkerCalculator``; ``methods.md`` §2.2(c), §9.2.

    Examples
    --------
    >>> chi_square_trend(
    ...     numerator=[994, 1023, 1199, 1332, 1367],
    ...     denominator=[40299, 41527, 42811, 44064, 44701],
    ... )[["chi_square", "direction"]].round(4)
       chi_square   direction
    0     47.8967  increasing
    """
    if score is None:
        count = np.asarray(numerator, dtype=np.float64).reshape(-1).size
        score = np.arange(1, count + 1, dtype=np.float64)
    inputs = InputArrays(numerator=numerator, denominator=denominator, score=score)
    if inputs.length < 2:
        raise StatisticsInputError("chi_square_trend needs at least two groups")
    inputs.require_non_negative("numerator")
    inputs.require_positive("denominator")
    inputs.require_not_greater("numerator", "denominator")
    inputs.require_finite("score")
    x, n, s = inputs["numerator"], inputs["denominator"], inputs["score"]
    total_n = n.sum()
    total_x = x.sum()
    numerator_term = total_n * (x * s).sum() - total_x * (n * s).sum()
    spread = total_n * (n * s * s).sum() - (n * s).sum() ** 2
    denominator_term = total_x * (total_n - total_x) * spread
    if denominator_term <= 0:
        raise StatisticsInputError(
            "chi_square_trend is undefined when all groups share one score or the overall "
            "proportion is 0 or 1"
        )
    chi_square = total_n * numerator_term**2 / denominator_term
    direction = (
        AssociationDirection.INCREASING
        if numerator_term > 0
        else AssociationDirection.DECREASING
        if numerator_term < 0
        else AssociationDirection.NONE
    )
    result = pd.DataFrame(
        {
            "groups": [inputs.length],
            "chi_square": [chi_square],
            "degrees_of_freedom": [1],
            "p_value": [float(stats.chi2.sf(chi_square, 1))],
            "direction": [direction.value],
        }
    )
    set_label_column(result, "direction", direction)
    return result


def compare_to_baseline_average(
    *,
    count: npt.ArrayLike,
    baseline_counts: npt.ArrayLike,
    exposure: npt.ArrayLike = 1.0,
    baseline_exposures: npt.ArrayLike | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Current count against the average of ``k`` previous periods (e.g. a 3-year average).

    With current count ``x`` and exposure ``e₀``, baseline total ``x_b = Σ`` of the ``k``
    previous counts and total baseline exposure ``e_b``: under equal rates
    ``x ~ Binomial(x + x_b, e₀/(e₀ + e_b))``. The ratio to the baseline average is
    ``(x/e₀)/(x_b/e_b)``; its exact interval maps the Clopper–Pearson interval of ``π`` by
    ``π/(1−π)·e_b/e₀``; the p-value is the two-sided exact binomial test. Treating the
    baseline mean as a fixed expectation over-states significance and is not offered.

    Parameters
    ----------
    count : array-like
        Current-period count per row (whole numbers ≥ 0).
    baseline_counts : array-like, two-dimensional
        One row per input row, one column per baseline period.
    exposure : array-like
        Current-period exposure (population or person-years); default 1 (equal exposures).
    baseline_exposures : array-like, optional
        Same shape as ``baseline_counts``; default: each baseline period has the current
        exposure.
    confidence : float
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``count, baseline_total, baseline_periods, baseline_average,
        value`` (ratio), ``lower_ci, upper_ci, confidence, method, p_value, significant``.

    References
    ----------
    ``scipy.stats.binomtest``; Breslow & Day (1987); ``methods.md`` §2.3.

    Examples
    --------
    >>> result = compare_to_baseline_average(count=120, baseline_counts=[[100, 90, 95]])
    >>> result[["value", "lower_ci", "upper_ci", "p_value"]].round(4)
        value  lower_ci  upper_ci  p_value
    0  1.2632    1.0119    1.5688   0.0337
    """
    level = normalise_confidence(confidence)
    baseline = np.asarray(baseline_counts, dtype=np.float64)
    if baseline.ndim == 1:
        baseline = baseline.reshape(1, -1)
    if baseline.ndim != 2 or baseline.shape[1] < 1:
        raise StatisticsInputError(
            "baseline_counts must be two-dimensional: one row per input, one column per period"
        )
    if baseline_exposures is None:
        baseline_exposure_array = np.ones_like(baseline) * np.asarray(
            exposure, dtype=np.float64
        ).reshape(-1, 1)
    else:
        baseline_exposure_array = np.asarray(baseline_exposures, dtype=np.float64)
        if baseline_exposure_array.ndim == 1:
            baseline_exposure_array = baseline_exposure_array.reshape(1, -1)
        if baseline_exposure_array.shape != baseline.shape:
            raise StatisticsInputError(
                f"baseline_exposures has shape {baseline_exposure_array.shape}; "
                f"baseline_counts has {baseline.shape}"
            )
    if not np.isfinite(baseline).all() or (baseline < 0).any():
        row = int(np.flatnonzero(~(np.isfinite(baseline) & (baseline >= 0)).all(axis=1))[0])
        raise StatisticsInputError(f"baseline_counts must be finite and not negative: row {row}")
    if not np.isfinite(baseline_exposure_array).all() or (baseline_exposure_array <= 0).any():
        row = int(
            np.flatnonzero(
                ~(np.isfinite(baseline_exposure_array) & (baseline_exposure_array > 0)).all(axis=1)
            )[0]
        )
        raise StatisticsInputError(f"baseline_exposures must be greater than zero: row {row}")
    inputs = InputArrays(
        count=count,
        exposure=exposure,
        baseline_total=baseline.sum(axis=1),
        baseline_exposure=baseline_exposure_array.sum(axis=1),
    )
    inputs.require_non_negative("count")
    inputs.require_positive("exposure")
    _require_whole(inputs, "count", "baseline_total")
    current = inputs["count"]
    base = inputs["baseline_total"]
    exposure_ratio = inputs["baseline_exposure"] / inputs["exposure"]
    total = current + base
    null_probability = inputs["exposure"] / (inputs["exposure"] + inputs["baseline_exposure"])
    p_value = binomial_p_values(current, total, null_probability)
    low_pi, high_pi = clopper_pearson(current, total, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = current / base * exposure_ratio
    nothing = total == 0
    lower = _odds_to_ratio(low_pi, exposure_ratio)
    upper = _odds_to_ratio(high_pi, exposure_ratio)
    for array in (ratio, lower, upper):
        array[nothing] = np.nan
    periods = np.broadcast_to(np.array(baseline.shape[1]), (inputs.length,))
    result = pd.DataFrame(
        {
            "count": current,
            "baseline_total": base,
            "baseline_periods": periods,
            "baseline_average": base / baseline.shape[1],
            "value": ratio,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": level,
            "method": RateRatioMethod.EXACT_CONDITIONAL.value,
            "p_value": p_value,
            "significant": np.nan_to_num(p_value, nan=1.0) < 1.0 - level,
        },
        index=inputs.index,
    )
    set_label_column(result, "method", RateRatioMethod.EXACT_CONDITIONAL)
    return result
