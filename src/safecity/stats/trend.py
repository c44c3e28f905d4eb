"""Fingertips recent-trend test on the five most recent points (``methods.md`` §9.2)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import FloatArray, InputArrays, set_label_column
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import TrendLabel, TrendValueType

__all__ = ["trend_test"]

TREND_POINTS = 5
CRITICAL_CHI_SQUARE = 9.54953570608324
"""χ² on 1 df at 99.8% confidence (``scipy.stats.chi2.ppf(0.998, 1)``)."""
CI_WIDTH_IN_STANDARD_ERRORS = 3.92
"""Fingertips divides the 95% interval width by 3.92 (2 × 1.96) to get a standard error."""


def _general(
    values: FloatArray, lower: FloatArray, upper: FloatArray, times: FloatArray
) -> tuple[float, float]:
    """Weighted least-squares slope and its χ² (Fingertips ``TrendMarkerCalculator``)."""
    standard_error = (upper - lower) / CI_WIDTH_IN_STANDARD_ERRORS
    weight = 1.0 / standard_error**2
    s1 = weight.sum()
    s2 = (weight * values * times).sum()
    s3 = (weight * times).sum()
    s4 = (weight * values).sum()
    s5 = (weight * times**2).sum()
    spread = s1 * s5 - s3**2
    slope = (s1 * s2 - s3 * s4) / spread
    slope_error = np.sqrt(s1 / spread)
    return float(slope), float((slope / slope_error) ** 2)


def _proportion(
    numerator: FloatArray, denominator: FloatArray, times: FloatArray
) -> tuple[float, float]:
    """Slope of the logit of the proportion on time, and the Cochran–Armitage χ² for trend.

    Fingertips judges the direction of a proportion trend by the ordinary least-squares slope
    of ``ln(x/(n − x))`` on ``t``; when a point has no events (or only events) its logit is
    undefined and the sign of the Cochran–Armitage numerator is used instead.
    """
    total = denominator.sum()
    successes = numerator.sum()
    direction = total * (numerator * times).sum() - successes * (denominator * times).sum()
    spread = total * (denominator * times**2).sum() - (denominator * times).sum() ** 2
    bottom = successes * (total - successes) * spread
    chi_square = float(total * direction**2 / bottom) if bottom > 0 else 0.0
    if ((numerator > 0) & (numerator < denominator)).all():
        logit = np.log(numerator / (denominator - numerator))
        points = times.size
        slope = (points * (logit * times).sum() - logit.sum() * times.sum()) / (
            points * (times**2).sum() - times.sum() ** 2
        )
        return float(slope), chi_square
    return float(direction), chi_square


def _result(row: dict[str, object], label: TrendLabel, value_type: TrendValueType) -> pd.DataFrame:
    """The one-row result, with the labels as enum members in object columns."""
    result = pd.DataFrame([row])
    set_label_column(result, "trend", label)
    set_label_column(result, "value_type", value_type)
    return result


def _sign(slope: float) -> int:
    """Fingertips counts a slope of exactly 0 as positive."""
    return -1 if slope < 0 else 1


def trend_test(
    *,
    value: npt.ArrayLike | None = None,
    lower_ci: npt.ArrayLike | None = None,
    upper_ci: npt.ArrayLike | None = None,
    numerator: npt.ArrayLike | None = None,
    denominator: npt.ArrayLike | None = None,
    value_type: TrendValueType | str = TrendValueType.GENERAL,
) -> pd.DataFrame:
    """Fingertips recent-trend marker: Increasing, Decreasing or No significant change.

    The five most recent valid points (in time order, ``t = 1..5``) are used; points with a
    missing value or limit (NaN) are skipped, as Fingertips skips invalid points. *General*
    (rates etc.): ``se_t = (U_t − L_t)/3.92`` (the 95% interval, as Fingertips), weights
    ``w_t = 1/se_t²``, slope ``β = (S1·S2 − S3·S4)/(S1·S5 − S3²)`` with ``S1 = Σw``,
    ``S2 = Σwyt``, ``S3 = Σwt``, ``S4 = Σwy``, ``S5 = Σwt²``; ``SE = √(S1/(S1·S5 − S3²))``;
    ``χ² = (β/SE)²``. *Proportions*: the Cochran–Armitage χ² on the counts, with the slope
    (for direction) of the logit ``ln(x/(n − x))`` on ``t`` by ordinary least squares.
    Significant when ``χ² > 9.5495`` (χ²₁ at 99.8%) **and** the slope keeps its sign in all six
    fits (all points, then each point dropped in turn; a zero slope counts as positive, as in
    Fingertips); fewer than 5 valid points → "Cannot be calculated". (Fingertips' proportion
    path never assigns the slope it uses for the marker's direction, so it would label every
    significant proportion trend "Decreasing"; the logit slope's sign is used here.)

    Parameters
    ----------
    value, lower_ci, upper_ci : array-like, optional
        Values with 95% limits, oldest first (general type).
    numerator, denominator : array-like, optional
        Counts, oldest first (proportion type).
    value_type : TrendValueType or str
        ``"general"`` (default) or ``"proportion"``.

    Returns
    -------
    pandas.DataFrame
        One row: ``points_used, slope`` (for proportions, of the logit), ``chi_square,
        critical_value, sign_stable, trend`` (a :class:`TrendLabel` member) and ``value_type``
        (a :class:`TrendValueType` member).

    References
    ----------
    OHID Fingertips ``PholioVisualisationWS/Analysis/TrendMarkers/TrendMarkerCalculator``
    (fingertips-open, commit 6780894); ``methods.md`` §9.2.

    Examples
    --------
    >>> trend_test(
    ...     value=[24.67, 24.6, 28, 30.2, 30.6],
    ...     lower_ci=[23.16, 23.15, 26.44, 28.63, 28.98],
    ...     upper_ci=[26.25, 26.19, 29.64, 31.9, 32.25],
    ... )[["chi_square", "trend"]].round(4)
       chi_square       trend
    0     46.7653  Increasing
    """
    try:
        chosen = TrendValueType(value_type)
    except ValueError as error:
        raise StatisticsInputError(f"unknown value_type {value_type!r}") from error
    if chosen is TrendValueType.GENERAL:
        if value is None or lower_ci is None or upper_ci is None:
            raise StatisticsInputError("a general trend needs value, lower_ci and upper_ci")
        inputs = InputArrays(value=value, lower_ci=lower_ci, upper_ci=upper_ci)
        valid = np.isfinite(inputs["value"]) & np.isfinite(inputs["lower_ci"])
        valid &= np.isfinite(inputs["upper_ci"]) & (inputs["upper_ci"] > inputs["lower_ci"])
    else:
        if numerator is None or denominator is None:
            raise StatisticsInputError("a proportion trend needs numerator and denominator")
        inputs = InputArrays(numerator=numerator, denominator=denominator)
        valid = np.isfinite(inputs["numerator"]) & np.isfinite(inputs["denominator"])
        valid &= (inputs["denominator"] > 0) & (inputs["numerator"] >= 0)
        valid &= inputs["numerator"] <= inputs["denominator"]
    recent = np.flatnonzero(valid)[-TREND_POINTS:]
    row: dict[str, object] = {
        "points_used": int(recent.size),
        "slope": np.nan,
        "chi_square": np.nan,
        "critical_value": CRITICAL_CHI_SQUARE,
        "sign_stable": False,
        "trend": TrendLabel.CANNOT_BE_CALCULATED.value,
        "value_type": chosen.value,
    }
    if recent.size < TREND_POINTS:
        return _result(row, TrendLabel.CANNOT_BE_CALCULATED, chosen)
    times = np.arange(1.0, TREND_POINTS + 1.0)

    def fit(keep: npt.NDArray[np.intp]) -> tuple[float, float]:
        rows = recent[keep]
        if chosen is TrendValueType.GENERAL:
            return _general(
                inputs["value"][rows],
                inputs["lower_ci"][rows],
                inputs["upper_ci"][rows],
                times[keep],
            )
        return _proportion(inputs["numerator"][rows], inputs["denominator"][rows], times[keep])

    everything = np.arange(TREND_POINTS)
    slope, chi_square = fit(everything)
    signs = {_sign(fit(np.delete(everything, dropped))[0]) for dropped in everything}
    sign_stable = signs == {_sign(slope)}
    row.update(slope=slope, chi_square=chi_square, sign_stable=bool(sign_stable))
    if chi_square > CRITICAL_CHI_SQUARE and sign_stable:
        label = TrendLabel.INCREASING if slope > 0 else TrendLabel.DECREASING
    else:
        label = TrendLabel.NO_SIGNIFICANT_CHANGE
    return _result(row, label, chosen)
