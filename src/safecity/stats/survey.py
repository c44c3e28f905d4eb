"""Weighted survey estimates (``methods.md`` §10): Kish design effect, effective sample size,
weighted proportions with Wilson intervals, design-based (Taylor-linearised) proportions by
subgroup with logit intervals, and comparisons between groups of one wave (Rao–Scott) or
between independent waves (Newcombe on effective sample sizes)."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    critical_value,
    normalise_confidence,
    require_multiplier,
    set_label_column,
)
from safecity.stats.differences import proportion_difference
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import IntervalMethod
from safecity.stats.proportions import wilson_limits
from safecity.stats.survey_compare import (
    compare_survey_groups,
    compare_survey_waves,
    rank_survey_options,
    survey_chisq,
)
from safecity.stats.survey_design import LonelyPsu
from safecity.stats.survey_estimate import (
    ALL_RESPONDENTS,
    SurveyDesign,
    survey_proportion,
    survey_proportions,
)

__all__ = [
    "ALL_RESPONDENTS",
    "LonelyPsu",
    "SurveyDesign",
    "compare_survey_groups",
    "compare_survey_waves",
    "compare_weighted_proportions",
    "kish_design_effect",
    "margin_of_error",
    "rank_survey_options",
    "survey_chisq",
    "survey_proportion",
    "survey_proportions",
    "weighted_proportion",
]

WEIGHTED_WILSON = IntervalMethod.WEIGHTED_WILSON


def _codes(group: npt.ArrayLike | None, length: int) -> tuple[npt.NDArray[np.intp], pd.Index]:
    if group is None:
        return np.zeros(length, dtype=np.intp), pd.Index([0], name="group")
    keys = pd.Series(np.asarray(group, dtype=object).reshape(-1))
    if keys.size != length:
        raise StatisticsInputError(
            f"group must have one key per respondent: {keys.size} for {length}"
        )
    missing = keys.isna().to_numpy()
    if missing.any():
        raise StatisticsInputError(
            f"group must not be missing: row {int(np.flatnonzero(missing)[0])}"
        )
    codes, uniques = pd.factorize(keys, sort=False)
    return codes.astype(np.intp), pd.Index(uniques, name="group")


def _kish(
    codes: npt.NDArray[np.intp], weight: FloatArray, size: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    count = np.bincount(codes, minlength=size).astype(np.float64)
    total = np.bincount(codes, weight, minlength=size)
    squares = np.bincount(codes, weight**2, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        design_effect = count * squares / total**2
        effective = total**2 / squares
    return count, design_effect, effective


def kish_design_effect(
    *, weights: npt.ArrayLike, group: npt.ArrayLike | None = None
) -> pd.DataFrame:
    """Kish design effect due to unequal weights and the effective sample size.

    ``deff = n·Σw²/(Σw)² = 1 + CV²(w)``; ``n_eff = (Σw)²/Σw² = n/deff`` (as
    ``PracTools::deffK``; note ``surveysd::kishFactor`` reports the square root, deft).

    Parameters
    ----------
    weights : array-like
        Survey weight of each respondent (> 0).
    group : array-like, optional
        Key per respondent; one result row per key.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``sample_size, design_effect, effective_sample_size``.

    References
    ----------
    Kish L (1965). *Survey Sampling*. Wiley. ``methods.md`` §10.

    Examples
    --------
    >>> kish_design_effect(weights=[1, 1, 2, 2, 4]).iloc[0].round(4).tolist()
    [5.0, 1.3, 3.8462]
    """
    inputs = InputArrays(weights=weights)
    inputs.require_positive("weights")
    codes, keys = _codes(group, inputs.length)
    count, design_effect, effective = _kish(codes, inputs["weights"], len(keys))
    return pd.DataFrame(
        {"sample_size": count, "design_effect": design_effect, "effective_sample_size": effective},
        index=keys,
    )


def weighted_proportion(
    *,
    response: npt.ArrayLike,
    weights: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    multiplier: float = 1,
    confidence: float = 0.95,
    suppress_base_below: int = 50,
    flag_base_below: int = 100,
) -> pd.DataFrame:
    """Weighted proportion with a Wilson interval on the Kish effective sample size.

    ``p_w = Σwᵢyᵢ/Σwᵢ`` over valid responses (``y ∈ {0, 1}``); a missing response (NaN:
    "don't know", refused, not asked) is excluded from the denominator and the valid ``n``
    is reported. The interval is Wilson's (§1.2) with ``n`` replaced by ``n_eff`` and ``x`` by
    ``p_w·n_eff`` (Korn–Graubard style). For stratified or clustered designs use Taylor
    linearisation instead (``survey::svymean``). Small bases (``methods.md`` §10): a group
    whose unweighted valid base is under ``suppress_base_below`` (50) is marked ``suppress``
    (publish no percentage) and one under ``flag_base_below`` (100) ``low_base``.

    Parameters
    ----------
    response : array-like
        1 (yes), 0 (no) or NaN (no valid answer) per respondent.
    weights : array-like
        Weight per respondent (> 0).
    group : array-like, optional
        Key per respondent (e.g. sex, or survey year); one result row per key.
    multiplier : float
        1 for a fraction, 100 for a percentage.
    confidence : float
        Confidence level as a fraction.
    suppress_base_below, flag_base_below : int
        Unweighted-base thresholds for the ``suppress`` and ``low_base`` flags.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``valid_n, weighted_numerator, weighted_denominator, value,
        lower_ci, upper_ci, confidence, multiplier, method, design_effect,
        effective_sample_size, suppress, low_base``.

    References
    ----------
    Kish L (1965), op. cit.; Korn EL, Graubard BI (1998). Confidence intervals for proportions
    with small expected number of positive counts estimated from survey data. *Survey
    Methodology* 24:193–201. ``methods.md`` §10.

    Examples
    --------
    >>> result = weighted_proportion(response=[1, 0, 1, None, 1], weights=[1, 1, 2, 5, 4])
    >>> result[["valid_n", "value", "design_effect"]].iloc[0].tolist()
    [4.0, 0.875, 1.375]
    """
    level = normalise_confidence(confidence)
    answers = np.asarray(
        pd.to_numeric(pd.Series(np.asarray(response, dtype=object).reshape(-1)), errors="coerce"),
        dtype=np.float64,
    )
    inputs = InputArrays(response=answers, weights=weights)
    inputs.require_positive("weights")
    valid = ~np.isnan(inputs["response"])
    given = inputs["response"][valid]
    bad = ~np.isin(given, (0.0, 1.0))
    if bad.any():
        position = int(np.flatnonzero(valid)[np.flatnonzero(bad)[0]])
        raise StatisticsInputError(
            f"response must be 0, 1 or missing: {float(inputs['response'][position])!r} at "
            f"{inputs.row_label(position)}"
        )
    codes, keys = _codes(group, inputs.length)
    size = len(keys)
    weight = inputs["weights"][valid]
    valid_codes = codes[valid]
    count, design_effect, effective = _kish(valid_codes, weight, size)
    weighted_yes = np.bincount(valid_codes, weight * given, minlength=size)
    weighted_all = np.bincount(valid_codes, weight, minlength=size)
    empty = count == 0
    if empty.any():
        raise StatisticsInputError(
            f"group {keys[int(np.flatnonzero(empty)[0])]!r} has no valid responses"
        )
    value = weighted_yes / weighted_all
    lower, upper = wilson_limits(value * effective, effective, critical_value(level))
    scale = require_multiplier(multiplier)
    result = pd.DataFrame(
        {
            "valid_n": count,
            "weighted_numerator": weighted_yes,
            "weighted_denominator": weighted_all,
            "value": value * scale,
            "lower_ci": lower * scale,
            "upper_ci": upper * scale,
            "confidence": level,
            "multiplier": scale,
            "method": WEIGHTED_WILSON,
            "design_effect": design_effect,
            "effective_sample_size": effective,
            "suppress": count < suppress_base_below,
            "low_base": count < flag_base_below,
        },
        index=keys,
    )
    set_label_column(result, "method", IntervalMethod.WEIGHTED_WILSON)
    return result


def compare_weighted_proportions(
    *,
    response: npt.ArrayLike,
    weights: npt.ArrayLike,
    group: npt.ArrayLike,
    first: Hashable,
    second: Hashable,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare the weighted proportions of two groups (or two survey years).

    Newcombe's hybrid score interval for ``p₁ − p₂`` (§2.2b) with each group's effective
    sample size ``n_eff`` and effective numerator ``p_w·n_eff`` — the approximate alternative
    to a Rao–Scott χ² that ``methods.md`` §10 allows. Samples must be independent (different
    respondents); do not use it for overlapping samples.

    Parameters
    ----------
    response, weights, group : array-like
        As :func:`weighted_proportion`.
    first, second : object
        The group keys to compare (``first`` minus ``second``).
    confidence : float
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row: ``first, second, first_value, second_value``, then the columns of
        :func:`safecity.stats.proportion_difference` computed on effective numbers.

    References
    ----------
    Newcombe RG (1998), op. cit.; Kish L (1965), op. cit.; ``methods.md`` §10.

    Examples
    --------
    >>> result = compare_weighted_proportions(
    ...     response=[1] * 700 + [0] * 700 + [1] * 495 + [0] * 656,
    ...     weights=[1.0] * 2551, group=["F"] * 1400 + ["M"] * 1151, first="F", second="M",
    ... )
    >>> result[["value", "z"]].iloc[0].round(4).tolist(), bool(result["significant"].iloc[0])
    ([0.0699, 3.5226], True)
    """
    estimates = weighted_proportion(
        response=response, weights=weights, group=group, confidence=confidence
    )
    for key in (first, second):
        if key not in estimates.index:
            raise StatisticsInputError(f"group {key!r} has no responses")
    one = estimates.loc[[first]].iloc[0]
    two = estimates.loc[[second]].iloc[0]
    difference = proportion_difference(
        numerator=float(one["value"]) * float(one["effective_sample_size"]),
        denominator=float(one["effective_sample_size"]),
        comparator_numerator=float(two["value"]) * float(two["effective_sample_size"]),
        comparator_denominator=float(two["effective_sample_size"]),
        confidence=confidence,
    )
    difference.insert(0, "second_value", float(two["value"]))
    difference.insert(0, "first_value", float(one["value"]))
    difference.insert(0, "second", [second])
    difference.insert(0, "first", [first])
    return difference


def margin_of_error(
    *, sample_size: npt.ArrayLike, proportion: float = 0.5, confidence: float = 0.95
) -> pd.DataFrame:
    """Simple-random-sample margin of error ``z·√(p(1 − p)/n)`` (as a fraction).

    Examples
    --------
    >>> margin_of_error(sample_size=2551)["margin_of_error"].round(4).tolist()
    [0.0194]
    """
    level = normalise_confidence(confidence)
    if not 0.0 <= proportion <= 1.0:
        raise StatisticsInputError(f"proportion must be between 0 and 1; got {proportion!r}")
    inputs = InputArrays(sample_size=sample_size)
    inputs.require_positive("sample_size")
    size = inputs["sample_size"]
    return pd.DataFrame(
        {
            "sample_size": size,
            "proportion": proportion,
            "margin_of_error": critical_value(level)
            * np.sqrt(proportion * (1.0 - proportion) / size),
            "confidence": level,
        },
        index=inputs.index,
    )
