"""Statistical process control: XmR (individuals) charts with NHS rules (``methods.md`` §9.3)."""

from __future__ import annotations

import itertools
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import (
    BoolArray,
    FloatArray,
    InputArrays,
    label_array,
    set_label_column,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import SpecialCause

__all__ = ["ImprovementDirection", "Variation", "u_chart_limits", "xmr_limits"]

LIMIT_FACTOR = 2.66
"""Process limits are mean ± 2.66 × mean moving range (3σ for an individuals chart)."""
SCREENING_FACTOR = 3.267
"""Moving ranges at or above 3.267 × their mean are screened out before recomputing it."""
RUN_LENGTH = 7


class ImprovementDirection(StrEnum):
    """Which direction of change is an improvement (PTD ``improvement_direction``)."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class Variation(StrEnum):
    """Making Data Count variation icon for a point."""

    COMMON_CAUSE = "Common cause"
    IMPROVEMENT = "Special cause improvement"
    CONCERN = "Special cause concern"
    NEITHER = "Special cause neither"


def _runs(condition: BoolArray, length: int) -> BoolArray:
    """Mark every point belonging to a run of at least ``length`` consecutive true values."""
    marked = np.zeros(condition.size, dtype=bool)
    start = None
    for position, flag in enumerate([*condition.tolist(), False]):
        if flag and start is None:
            start = position
        elif not flag and start is not None:
            if position - start >= length:
                marked[start:position] = True
            start = None
    return marked


def _trend_points(values: FloatArray, rising: bool) -> BoolArray:
    """Points in a run of ``RUN_LENGTH`` values each strictly beyond the previous one."""
    steps = np.diff(values) > 0 if rising else np.diff(values) < 0
    in_step_run = _runs(steps, RUN_LENGTH - 1)
    marked = np.zeros(values.size, dtype=bool)
    marked[1:] |= in_step_run
    marked[:-1] |= in_step_run
    return marked


def _two_of_three(in_zone: BoolArray, same_side: BoolArray) -> BoolArray:
    """In-zone points of a 3-point window on one side of the mean with ≥ 2 in the zone."""
    marked = np.zeros(in_zone.size, dtype=bool)
    for start in range(in_zone.size - 2):
        window = slice(start, start + 3)
        if same_side[window].all() and in_zone[window].sum() >= 2:
            marked[window] |= in_zone[window]
    return marked


def _segment(
    values: FloatArray, baseline_points: int | None, screen_outliers: bool
) -> dict[str, FloatArray]:
    baseline = values if baseline_points is None else values[:baseline_points]
    if baseline.size < 2:
        raise StatisticsInputError("an XmR baseline needs at least two points")
    centre = float(baseline.mean())
    moving_range = np.abs(np.diff(baseline))
    mean_range = float(moving_range.mean())
    if screen_outliers:
        kept = moving_range[moving_range < SCREENING_FACTOR * mean_range]
        mean_range = float(kept.mean()) if kept.size else mean_range
    width = LIMIT_FACTOR * mean_range
    ones = np.ones_like(values)
    all_ranges = np.concatenate([[np.nan], np.abs(np.diff(values))])
    return {
        "mean": centre * ones,
        "moving_range": all_ranges,
        "lower_process_limit": (centre - width) * ones,
        "upper_process_limit": (centre + width) * ones,
        "lower_near_limit": (centre - 2.0 / 3.0 * width) * ones,
        "upper_near_limit": (centre + 2.0 / 3.0 * width) * ones,
    }


def xmr_limits(
    *,
    values: npt.ArrayLike,
    improvement_direction: ImprovementDirection | str = ImprovementDirection.DECREASE,
    fix_after_n_points: int | None = None,
    rebase_at: list[int] | None = None,
    screen_outliers: bool = True,
) -> pd.DataFrame:
    """XmR chart limits and NHS "Making Data Count" special-cause rules.

    Centre line = mean of the baseline points; ``MR_t = |y_t − y_{t−1}|``; with screening
    (default) moving ranges ≥ 3.267·MR̄ are dropped and MR̄ recomputed; process limits
    ``mean ± 2.66·MR̄``; near limits ``mean ± ⅔·2.66·MR̄``. Rules, in priority order:
    (1) a point outside the process limits; (2) part of a run of 7 points each strictly higher
    (or lower) than the previous; (3) a point between a near limit and its process limit in a
    window of 3 consecutive points on the same side of the mean of which ≥ 2 are in that zone
    (only in-zone points are flagged); (4) part of a run of 7 points on the same side of the
    mean (a point on the mean breaks it). A flagged point is an improvement or a concern by
    the side of the rule that flagged it (above/below the mean, or the direction of a trend)
    and ``improvement_direction``; with ``neutral`` it is "neither". Limits and rules are
    computed separately in each period between rebases. Two deliberate differences from
    NHSRplotthedots: it colours every flagged point by its own side of the mean (so points of
    a rising trend that lie below the mean show as the opposite of the trend), and its
    trend helper marks only rising runs; here a trend's points take the trend's direction and
    falling runs are flagged too, as ``methods.md`` §9.3 states.

    Parameters
    ----------
    values : array-like
        The series in time order (finite), e.g. monthly crimes per day.
    improvement_direction : ImprovementDirection or str
        ``"decrease"`` (default; crime), ``"increase"`` or ``"neutral"``.
    fix_after_n_points : int, optional
        Compute limits from the first ``n`` points of each period only (a baseline).
    rebase_at : list of int, optional
        Positions where a new period starts (e.g. after a recording-practice change).
    screen_outliers : bool
        Screen large moving ranges before computing limits (default True).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``value, period, mean, moving_range, lower_process_limit,
        upper_process_limit, lower_near_limit, upper_near_limit, special_cause`` (the
        highest-priority :class:`SpecialCause` rule) and ``variation``.

    References
    ----------
    NHS England, *Making Data Count* (2019); Wheeler DJ (1995), *Advanced Topics in
    Statistical Process Control*; NHSRplotthedots ``ptd_spc`` (commit 050b07d);
    ``methods.md`` §9.3.

    Examples
    --------
    >>> chart = xmr_limits(values=[10, 12, 11, 13, 12, 11, 30])
    >>> chart["special_cause"].iloc[-1]
    <SpecialCause.OUTSIDE_LIMITS: 'Outside process limits'>
    >>> chart["variation"].iloc[-1]
    <Variation.CONCERN: 'Special cause concern'>
    """
    try:
        direction = ImprovementDirection(improvement_direction)
    except ValueError as error:
        raise StatisticsInputError(
            f"unknown improvement_direction {improvement_direction!r}"
        ) from error
    if fix_after_n_points is not None and fix_after_n_points < 2:
        raise StatisticsInputError("fix_after_n_points must be at least 2")
    inputs = InputArrays(values=values)
    inputs.require_finite("values")
    series = inputs["values"]
    starts = sorted({0, *(rebase_at or [])})
    if any(start < 0 or start >= series.size for start in starts):
        raise StatisticsInputError(f"rebase_at positions must lie within the {series.size} points")
    bounds = [*starts, series.size]
    pieces: list[pd.DataFrame] = []
    for period, (start, stop) in enumerate(itertools.pairwise(bounds)):
        segment = series[start:stop]
        columns = _segment(segment, fix_after_n_points, screen_outliers)
        above = segment > columns["mean"]
        below = segment < columns["mean"]
        outside_high = segment > columns["upper_process_limit"]
        outside_low = segment < columns["lower_process_limit"]
        trend_high = _trend_points(segment, rising=True)
        trend_low = _trend_points(segment, rising=False)
        zone_high = (segment > columns["upper_near_limit"]) & ~outside_high
        zone_low = (segment < columns["lower_near_limit"]) & ~outside_low
        two_high = _two_of_three(zone_high, above)
        two_low = _two_of_three(zone_low, below)
        shift_high = _runs(above, RUN_LENGTH)
        shift_low = _runs(below, RUN_LENGTH)
        cause = label_array(SpecialCause.NONE, segment.size)
        high_side = np.zeros(segment.size, dtype=bool)
        flagged = np.zeros(segment.size, dtype=bool)
        rules = (
            (SpecialCause.OUTSIDE_LIMITS, outside_high, outside_low),
            (SpecialCause.TREND, trend_high, trend_low),
            (SpecialCause.TWO_OF_THREE, two_high, two_low),
            (SpecialCause.SHIFT, shift_high, shift_low),
        )
        for rule, high, low in rules:
            for mask, is_high in ((high, True), (low, False)):
                new = mask & ~flagged
                cause[new] = rule
                high_side[new] = is_high
                flagged |= new
        variation = label_array(Variation.COMMON_CAUSE, segment.size)
        if direction is ImprovementDirection.NEUTRAL:
            variation[flagged] = Variation.NEITHER
        else:
            good_high = direction is ImprovementDirection.INCREASE
            improving = flagged & (high_side == good_high)
            variation[improving] = Variation.IMPROVEMENT
            variation[flagged & ~improving] = Variation.CONCERN
        piece = pd.DataFrame({"value": segment, "period": period, **columns})
        set_label_column(piece, "special_cause", cause)
        set_label_column(piece, "variation", variation)
        pieces.append(piece)
    result = pd.concat(pieces, ignore_index=True)
    result.index = inputs.index
    return result


def u_chart_limits(*, count: npt.ArrayLike, exposure: npt.ArrayLike) -> pd.DataFrame:
    """u-chart limits for counts with changing exposure (``methods.md`` §9.3).

    ``ū = Σc/Σn``; for each point ``u_t = c_t/n_t`` with limits ``ū ± 3√(ū/n_t)`` (lower limit
    floored at 0). Preferable to an XmR chart for monthly crime counts whose exposure (days in
    month, population) changes; flags points outside their limits.

    Parameters
    ----------
    count : array-like
        Events per period (≥ 0).
    exposure : array-like
        Exposure per period (> 0), e.g. days in the month or population in thousands.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``count, exposure, value`` (``u_t``), ``centre, lower_limit,
        upper_limit, outside_limits``.

    References
    ----------
    Montgomery DC (2009). *Introduction to Statistical Quality Control*, 6th edn, §7.3.

    Examples
    --------
    >>> chart = u_chart_limits(count=[30, 31, 28, 60], exposure=[30, 31, 28, 30])
    >>> chart["outside_limits"].tolist()
    [False, False, False, True]
    """
    inputs = InputArrays(count=count, exposure=exposure)
    inputs.require_non_negative("count")
    inputs.require_positive("exposure")
    events = inputs["count"]
    size = inputs["exposure"]
    centre = events.sum() / size.sum()
    spread = 3.0 * np.sqrt(centre / size)
    value = events / size
    lower = np.maximum(centre - spread, 0.0)
    upper = centre + spread
    return pd.DataFrame(
        {
            "count": events,
            "exposure": size,
            "value": value,
            "centre": centre,
            "lower_limit": lower,
            "upper_limit": upper,
            "outside_limits": (value > upper) | (value < lower),
        },
        index=inputs.index,
    )
