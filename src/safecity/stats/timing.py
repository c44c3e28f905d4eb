"""When crime happens: per-day normalisation, seasonal indices, aoristic hour-of-week
profiles and peak windows (``methods.md`` §9.4, §9.5)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as scipy_stats

from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    critical_value,
    normalise_confidence,
)
from safecity.stats.errors import StatisticsInputError

__all__ = [
    "aoristic_hour_of_week",
    "crimes_per_day",
    "hour_of_week_peaks",
    "seasonal_indices",
]

HOURS_IN_WEEK = 168
MINUTES_IN_WEEK = 10_080
DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
"""Weekday 1 is Sunday, as lubridate ``wday`` and the aoristic package number them."""


def crimes_per_day(*, count: npt.ArrayLike, month: npt.ArrayLike) -> pd.DataFrame:
    """Monthly counts divided by the days in the month, so months can be compared.

    Parameters
    ----------
    count : array-like
        Crimes per month (≥ 0).
    month : array-like
        The month of each count, as ``"YYYY-MM"`` text or dates.

    Returns
    -------
    pandas.DataFrame
        One row per month: ``month`` (``YYYY-MM``), ``count, days, value`` (crimes per day).

    References
    ----------
    ``methods.md`` §9.4.

    Examples
    --------
    >>> crimes_per_day(count=[280, 310], month=["2024-02", "2024-03"])["value"].tolist()
    [9.655172413793103, 10.0]
    """
    inputs = InputArrays(count=count)
    inputs.require_non_negative("count")
    try:
        periods = pd.PeriodIndex(pd.to_datetime(pd.Series(month).astype(str)), freq="M")
    except (ValueError, TypeError) as error:
        raise StatisticsInputError(f"month must be YYYY-MM text or dates: {error}") from error
    if len(periods) != inputs.length:
        raise StatisticsInputError(
            f"month must have one entry per count: {len(periods)} for {inputs.length}"
        )
    days = np.asarray(periods.days_in_month, dtype=np.float64)
    return pd.DataFrame(
        {
            "month": periods.strftime("%Y-%m"),
            "count": inputs["count"],
            "days": days,
            "value": inputs["count"] / days,
        },
        index=inputs.index,
    )


def seasonal_indices(
    *, values: npt.ArrayLike, period: int = 12, first_season: int = 1
) -> pd.DataFrame:
    """Classical multiplicative seasonal indices (ratio to a centred moving average).

    The centred moving average of order ``period`` (a 2×``period`` average when the period is
    even) is the trend; each ratio ``y_t / trend_t`` is assigned to its season; each season's
    index is the mean of its ratios, rescaled so that the indices average 1. At least three
    full periods are required (``methods.md`` §9.4). Normalise monthly counts by days first
    (:func:`crimes_per_day`).

    Parameters
    ----------
    values : array-like
        The series in time order (finite, > 0 where the trend is formed).
    period : int
        Seasons per cycle (12 for months).
    first_season : int
        Season number of the first value (e.g. 4 when the series starts in April).

    Returns
    -------
    pandas.DataFrame
        One row per season 1..``period``: ``season, index, ratios`` (how many ratios were
        averaged).

    References
    ----------
    Makridakis S, Wheelwright SC, Hyndman RJ (1998). *Forecasting: Methods and Applications*,
    3rd edn, §4/3 (classical decomposition).

    Examples
    --------
    >>> pattern = [1.2, 1.0, 0.8, 1.0] * 4
    >>> seasonal_indices(values=pattern, period=4)["index"].round(3).tolist()
    [1.2, 1.0, 0.8, 1.0]
    """
    if period < 2:
        raise StatisticsInputError(f"period must be at least 2; got {period}")
    if not 1 <= first_season <= period:
        raise StatisticsInputError(f"first_season must be between 1 and {period}")
    inputs = InputArrays(values=values)
    inputs.require_finite("values")
    series = inputs["values"]
    if series.size < 3 * period:
        raise StatisticsInputError(
            f"seasonal indices need at least three full periods ({3 * period} values); "
            f"got {series.size}"
        )
    if period % 2 == 0:
        kernel = np.concatenate([[0.5], np.ones(period - 1), [0.5]]) / period
    else:
        kernel = np.ones(period) / period
    trend = np.convolve(series, kernel, mode="valid")
    offset = (kernel.size - 1) // 2
    centred = series[offset : offset + trend.size]
    if (trend <= 0).any():
        raise StatisticsInputError("the moving-average trend must be positive for ratios")
    ratios = centred / trend
    seasons = (np.arange(offset, offset + trend.size) + first_season - 1) % period
    means = np.array([ratios[seasons == season].mean() for season in range(period)])
    counts = np.array([(seasons == season).sum() for season in range(period)])
    return pd.DataFrame(
        {
            "season": np.arange(1, period + 1),
            "index": means / means.mean(),
            "ratios": counts,
        }
    )


def _minute_of_week(times: pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    weekday = (np.asarray(times.day_of_week, dtype=np.int64) + 1) % 7
    hour = np.asarray(times.hour, dtype=np.int64)
    minute = np.asarray(times.minute, dtype=np.int64)
    minutes: npt.NDArray[np.int64] = weekday * 1440 + hour * 60 + minute
    return minutes


def aoristic_hour_of_week(
    *, start: npt.ArrayLike, end: npt.ArrayLike | None = None
) -> pd.DataFrame:
    """Hour-of-week profile with aoristic weights (Ratcliffe 2002).

    Each event contributes a total weight of 1, spread over the minutes of its window
    ``[start, end)`` (times are taken to the minute), so an hour cell receives the share of
    the window's minutes that fall in it. A missing end, an end before the start, or a window
    shorter than a minute puts weight 1 in the start hour; a window of a week or more
    (10,080 minutes) gives 1/168 to every hour. Windows crossing Saturday midnight wrap to
    Sunday. Cell ``24·(weekday − 1) + hour + 1`` with weekday 1 = Sunday.

    Parameters
    ----------
    start : array-like of datetimes
        Earliest possible time of each event (required, not missing).
    end : array-like of datetimes, optional
        Latest possible time (NaT when unknown).

    Returns
    -------
    pandas.DataFrame
        168 rows: ``cell`` (1–168), ``day`` (Sun…Sat), ``hour`` (0–23), ``weight``.

    References
    ----------
    Ratcliffe JH (2002). Aoristic signatures and the spatio-temporal analysis of high volume
    crime patterns. *J Quant Criminol* 18:23–43. ``aoristic::aoristic.df``; ``methods.md``
    §9.5.

    Examples
    --------
    >>> profile = aoristic_hour_of_week(start=["2024-06-14 22:30"], end=["2024-06-15 00:30"])
    >>> profile.loc[profile["weight"] > 0, ["day", "hour", "weight"]].to_numpy().tolist()
    [['Fri', 22, 0.25], ['Fri', 23, 0.5], ['Sat', 0, 0.25]]
    """
    starts = pd.DatetimeIndex(pd.to_datetime(pd.Series(start)))
    missing_start = np.asarray(starts.isna())
    if missing_start.any():
        raise StatisticsInputError(
            f"start must not be missing: row {int(np.flatnonzero(missing_start)[0])}"
        )
    if end is None:
        ends = pd.DatetimeIndex([pd.NaT] * len(starts))
    else:
        ends = pd.DatetimeIndex(pd.to_datetime(pd.Series(end)))
        if len(ends) != len(starts):
            raise StatisticsInputError(
                f"end must have one entry per start: {len(ends)} for {len(starts)}"
            )
    start_minute = _minute_of_week(starts.floor("min"))
    duration = np.asarray(
        (ends.floor("min") - starts.floor("min")) / pd.Timedelta(minutes=1), dtype=np.float64
    )
    weights = np.zeros(HOURS_IN_WEEK)
    point = np.isnan(duration) | (duration < 1)
    whole_week = ~point & (duration >= MINUTES_IN_WEEK)
    spread = ~point & ~whole_week
    np.add.at(weights, start_minute[point] // 60, 1.0)
    weights += whole_week.sum() / HOURS_IN_WEEK
    if spread.any():
        first = start_minute[spread].astype(np.float64)
        length = duration[spread]
        first_hour = start_minute[spread] // 60
        spans = int(np.ceil(((first % 60) + length) / 60).max())
        for offset in range(spans):
            hour = first_hour + offset
            cell_start = hour * 60.0
            overlap = np.minimum(first + length, cell_start + 60.0) - np.maximum(first, cell_start)
            np.add.at(weights, hour % HOURS_IN_WEEK, np.clip(overlap, 0.0, None) / length)
    cells = np.arange(HOURS_IN_WEEK)
    return pd.DataFrame(
        {
            "cell": cells + 1,
            "day": [DAY_NAMES[cell // 24] for cell in cells],
            "hour": cells % 24,
            "weight": weights,
        }
    )


def _window_label(first: int, last: int) -> str:
    end = (last + 1) % HOURS_IN_WEEK
    return f"{DAY_NAMES[first // 24]} {first % 24:02d}:00–{DAY_NAMES[end // 24]} {end % 24:02d}:00"


def hour_of_week_peaks(*, weight: npt.ArrayLike, confidence: float = 0.95) -> pd.DataFrame:
    """Peak hours: cells above the uniform expectation by adjusted standardised residual.

    With ``T = Σ`` weights over the 168 cells and expectation ``E = T/168``, the adjusted
    residual of a cell is ``(O − E)/√(E(1 − 1/168))``; a peak is a residual above
    ``z = Φ⁻¹(1 − α/2)`` (1.96 at 95%). Consecutive peak hours (wrapping from Saturday to
    Sunday) are reported as named windows, e.g. ``"Fri 22:00–Sat 04:00"``. The overall χ²
    goodness-of-fit (167 df) is also given.

    Parameters
    ----------
    weight : array-like
        168 hour-of-week weights in cell order (Sunday 00:00 first), e.g. the ``weight``
        column of :func:`aoristic_hour_of_week`.
    confidence : float
        Level for the residual threshold, as a fraction.

    Returns
    -------
    pandas.DataFrame
        168 rows: ``cell, day, hour, weight, expected, adjusted_residual, peak, window``
        (the window label of a peak hour, else empty), ``chi_square, p_value``.

    References
    ----------
    Agresti A (2013). *Categorical Data Analysis*, 3rd edn, §2.4.5 (adjusted residuals);
    ``methods.md`` §9.5.

    Examples
    --------
    >>> weights = [10.0] * 168
    >>> weights[142:148] = [40.0] * 6
    >>> result = hour_of_week_peaks(weight=weights)
    >>> sorted(set(result.loc[result["peak"], "window"]))
    ['Fri 22:00–Sat 04:00']
    """
    level = normalise_confidence(confidence)
    inputs = InputArrays(weight=weight)
    if inputs.length != HOURS_IN_WEEK:
        raise StatisticsInputError(f"weight must have 168 hour-of-week cells; got {inputs.length}")
    inputs.require_non_negative("weight")
    observed: FloatArray = inputs["weight"]
    total = observed.sum()
    if total <= 0:
        raise StatisticsInputError("weight must not be all zero")
    expected = total / HOURS_IN_WEEK
    residual = (observed - expected) / np.sqrt(expected * (1 - 1 / HOURS_IN_WEEK))
    peak = residual > critical_value(level)
    chi_square = float(((observed - expected) ** 2 / expected).sum())
    labels = np.full(HOURS_IN_WEEK, "", dtype=object)
    if peak.any() and not peak.all():
        begin = int(np.flatnonzero(~peak)[0])
        order = [(begin + step) % HOURS_IN_WEEK for step in range(HOURS_IN_WEEK)]
        run: list[int] = []
        for cell in [*order, order[0]]:
            if peak[cell]:
                run.append(cell)
            elif run:
                for member in run:
                    labels[member] = _window_label(run[0], run[-1])
                run = []
    elif peak.all():
        labels[:] = "all week"
    cells = np.arange(HOURS_IN_WEEK)
    return pd.DataFrame(
        {
            "cell": cells + 1,
            "day": [DAY_NAMES[cell // 24] for cell in cells],
            "hour": cells % 24,
            "weight": observed,
            "expected": expected,
            "adjusted_residual": residual,
            "peak": peak,
            "window": labels,
            "chi_square": chi_square,
            "p_value": float(scipy_stats.chi2.sf(chi_square, HOURS_IN_WEEK - 1)),
        }
    )
