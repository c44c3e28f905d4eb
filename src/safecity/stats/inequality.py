"""Slope and Relative Index of Inequality (``methods.md`` §5.3; PHE method)."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    normalise_confidence,
    set_label_column,
)
from safecity.stats.errors import StatisticsInputError

__all__ = ["InequalityValueType", "slope_index_of_inequality"]

MINIMUM_GROUPS = 5
MAXIMUM_GROUPS = 100
MINIMUM_REPETITIONS = 1000


class InequalityValueType(StrEnum):
    """Scale on which group values are simulated (PHEindicatormethods ``value_type``)."""

    OTHER = "other"
    """Normal on the natural scale (``value_type = 0``), e.g. life expectancy."""
    RATE = "rate"
    """Normal on the log scale (``value_type = 1``)."""
    PROPORTION = "proportion"
    """Normal on the logit scale (``value_type = 2``)."""


def _transform(values: FloatArray, value_type: InequalityValueType) -> FloatArray:
    if value_type is InequalityValueType.RATE:
        return np.log(values)
    if value_type is InequalityValueType.PROPORTION:
        return np.asarray(special.logit(values), dtype=np.float64)
    return values


def _back_transform(values: FloatArray, value_type: InequalityValueType) -> FloatArray:
    if value_type is InequalityValueType.RATE:
        return np.exp(values)
    if value_type is InequalityValueType.PROPORTION:
        return np.asarray(special.expit(values), dtype=np.float64)
    return values


def _fit_one(
    value: FloatArray,
    population: FloatArray,
    standard_error: FloatArray,
    *,
    value_type: InequalityValueType,
    repetitions: int,
    confidence: float,
    multiplier: float,
    generator: np.random.Generator,
) -> dict[str, float]:
    share = population / population.sum()
    midpoint = np.cumsum(share) - share / 2.0
    root_share = np.sqrt(share)
    design = np.column_stack([root_share, midpoint * root_share])
    projection = np.linalg.solve(design.T @ design, design.T)
    intercept, slope = projection @ (root_share * value)
    draws = generator.normal(
        loc=_transform(value, value_type),
        scale=standard_error,
        size=(repetitions, value.size),
    )
    simulated = (_back_transform(draws, value_type) * root_share) @ projection.T
    simulated_sii = simulated[:, 1] * multiplier
    simulated_rii = (simulated[:, 0] + simulated[:, 1]) / simulated[:, 0]
    rii = (intercept + slope) / intercept
    if multiplier < 0:
        rii = 1.0 / rii
        simulated_rii = 1.0 / simulated_rii
    tail = (1.0 - confidence) / 2.0 * 100.0
    sii_limits = np.percentile(simulated_sii, [tail, 100.0 - tail])
    rii_limits = np.percentile(simulated_rii, [tail, 100.0 - tail])
    return {
        "sii": float(slope * multiplier),
        "sii_lower_ci": float(sii_limits[0]),
        "sii_upper_ci": float(sii_limits[1]),
        "rii": float(rii),
        "rii_lower_ci": float(rii_limits[0]),
        "rii_upper_ci": float(rii_limits[1]),
        "intercept": float(intercept),
        "quantiles": float(value.size),
    }


def slope_index_of_inequality(
    *,
    value: npt.ArrayLike,
    population: npt.ArrayLike,
    lower_ci: npt.ArrayLike | None = None,
    upper_ci: npt.ArrayLike | None = None,
    standard_error: npt.ArrayLike | None = None,
    value_type: InequalityValueType | str = InequalityValueType.RATE,
    group: npt.ArrayLike | None = None,
    multiplier: float = 1.0,
    confidence: float = 0.95,
    ci_confidence: float = 0.95,
    repetitions: int = 100_000,
    seed: int,
) -> pd.DataFrame:
    """Slope Index of Inequality (SII) and Relative Index of Inequality (RII).

    Rows are deprivation groups ordered from most to least deprived (5–100 groups per area).
    ``a_j = pop_j/Σpop``, ``b_j = Σ_{i<j} a_i + a_j/2`` (cumulative midpoint); weighted least
    squares without an intercept term: ``√a_j·y_j = β₀√a_j + β₁·b_j√a_j``.
    ``SII = β₁ × multiplier`` (the modelled gap between the most and least deprived ends; its
    sign shows the direction), ``RII = (β₀ + β₁)/β₀`` (inverted when the multiplier is
    negative). Confidence limits are simulated as in PHEindicatormethods ``phe_sii``: each
    group's value is drawn from a normal distribution on the log (rates), logit (proportions)
    or natural scale with standard error ``(U − L)/(2·z)`` from its interval on that scale,
    back-transformed, refitted, and the percentiles of the simulated SII and RII taken. The
    draws come from :func:`numpy.random.default_rng` with the given ``seed``, so results are
    reproducible; they cannot reproduce R's random stream, so they agree with PHE's to
    Monte-Carlo error, not exactly.

    Parameters
    ----------
    value : array-like
        Indicator value per group (> 0 for rates; in (0, 1) for proportions).
    population : array-like
        Population per group (> 0).
    lower_ci, upper_ci : array-like, optional
        Each group's confidence limits at ``ci_confidence``; give these or ``standard_error``.
    standard_error : array-like, optional
        Standard error on the simulation scale (log, logit or natural).
    value_type : InequalityValueType or str
        ``"rate"`` (default), ``"proportion"`` or ``"other"``.
    group : array-like, optional
        Area key per row; one result row per area. Rows of an area must be in deprivation
        order.
    multiplier : float
        Multiplies the SII (e.g. 100 for percentages; negative to reverse polarity, as in
        PHEindicatormethods). Must be finite and not zero.
    confidence : float
        Level of the SII/RII interval, as a fraction.
    ci_confidence : float
        Level of the input group intervals (PHEindicatormethods assumes 95%).
    repetitions : int
        Number of simulations (≥ 1,000; default 100,000).
    seed : int
        Seed of the random generator; required so that results are reproducible.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``sii, sii_lower_ci, sii_upper_ci, rii, rii_lower_ci,
        rii_upper_ci, intercept, quantiles, confidence, repetitions, seed, value_type``.

    References
    ----------
    Low A, Low A (2004). Measuring the gap: quantifying and comparing local health
    inequalities. *J Public Health* 26:388–395. PHEindicatormethods ``phe_sii`` (v2.1.0);
    ``methods.md`` §5.3.

    Examples
    --------
    >>> result = slope_index_of_inequality(
    ...     value=[10.0, 8.0, 6.0, 5.0, 4.0], population=[100, 100, 100, 100, 100],
    ...     standard_error=[0.1] * 5, repetitions=1000, seed=1,
    ... )
    >>> result[["sii", "rii", "intercept"]].iloc[0].round(4).tolist()
    [-7.5, 0.2754, 10.35]
    """
    level = normalise_confidence(confidence)
    input_level = normalise_confidence(ci_confidence)
    try:
        chosen_type = InequalityValueType(value_type)
    except ValueError as error:
        raise StatisticsInputError(f"unknown value_type {value_type!r}") from error
    if repetitions < MINIMUM_REPETITIONS:
        raise StatisticsInputError(
            f"repetitions must be at least {MINIMUM_REPETITIONS}; got {repetitions}"
        )
    try:
        scale = float(multiplier)
    except (TypeError, ValueError) as error:
        raise StatisticsInputError(
            f"multiplier must be a finite, non-zero number; got {multiplier!r}"
        ) from error
    if not np.isfinite(scale) or scale == 0.0:
        raise StatisticsInputError(
            f"multiplier must be a finite, non-zero number (negative reverses polarity); "
            f"got {multiplier!r}"
        )
    columns: dict[str, npt.ArrayLike] = {"value": value, "population": population}
    if standard_error is not None:
        columns["standard_error"] = standard_error
    elif lower_ci is not None and upper_ci is not None:
        columns["lower_ci"] = lower_ci
        columns["upper_ci"] = upper_ci
    else:
        raise StatisticsInputError("give either standard_error or both lower_ci and upper_ci")
    inputs = InputArrays(**columns)
    inputs.require_positive("population")
    inputs.require_finite("value")
    if chosen_type is InequalityValueType.RATE:
        inputs.require_positive("value")
    if chosen_type is InequalityValueType.PROPORTION:
        inputs.require_positive("value")
        inputs.fail("value", inputs["value"] >= 1, "must be below 1 for a proportion")
    if "standard_error" in inputs.arrays:
        inputs.require_non_negative("standard_error")
        error_scale = inputs["standard_error"]
    else:
        for name in ("lower_ci", "upper_ci"):
            if chosen_type is InequalityValueType.OTHER:
                inputs.require_finite(name)
            else:
                inputs.require_positive(name)
            if chosen_type is InequalityValueType.PROPORTION:
                inputs.fail(name, inputs[name] >= 1, "must be below 1 for a proportion")
        inputs.require_not_greater("lower_ci", "upper_ci")
        z = float(special.ndtri(0.5 + input_level / 2.0))
        error_scale = (
            _transform(inputs["upper_ci"], chosen_type)
            - _transform(inputs["lower_ci"], chosen_type)
        ) / (2.0 * z)
    if group is None:
        codes = np.zeros(inputs.length, dtype=np.intp)
        keys = pd.Index([0], name="group")
    else:
        key_values = pd.Series(np.asarray(group).reshape(-1))
        if key_values.size != inputs.length:
            raise StatisticsInputError("group must have one key per row")
        factorised, uniques = pd.factorize(key_values, sort=False)
        codes = factorised.astype(np.intp)
        keys = pd.Index(uniques, name="group")
    generator = np.random.default_rng(seed)
    rows = []
    for code, key in enumerate(keys):
        members = np.flatnonzero(codes == code)
        if not MINIMUM_GROUPS <= members.size <= MAXIMUM_GROUPS:
            raise StatisticsInputError(
                f"area {key!r} has {members.size} deprivation groups; "
                f"{MINIMUM_GROUPS} to {MAXIMUM_GROUPS} are needed"
            )
        rows.append(
            _fit_one(
                inputs["value"][members],
                inputs["population"][members],
                error_scale[members],
                value_type=chosen_type,
                repetitions=repetitions,
                confidence=level,
                multiplier=scale,
                generator=generator,
            )
        )
    result = pd.DataFrame(rows, index=keys)
    result["quantiles"] = result["quantiles"].astype(np.int64)
    result["confidence"] = level
    result["repetitions"] = repetitions
    result["seed"] = seed
    set_label_column(result, "value_type", chosen_type)
    return result
