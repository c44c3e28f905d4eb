"""Splitting dated events into consecutive periods for hot-spot classification (§6.6).

sfhotspot ``hotspot_classify`` chooses the period length from the span of the dates:
≤ 14 days → 1 day; ≤ 91 days → 7 days; ≤ 2 years (732 days) → 28 days; ≤ 10 years (3,653 days)
→ 91 days (quarters); ≤ 20 years → calendar years. Beyond that sfhotspot fails (its period is
left missing); here the span is split into 10 equal whole-day periods.

Periods start at the first date (midnight) and are half-open ``[start + kL, start + (k+1)L)``.
sfhotspot cuts dates with R's ``cut(…, include.lowest = TRUE)``, whose intervals are closed on
the right, so a date falling exactly on a period boundary joins the *earlier* period;
``sfhotspot_compat=True`` reproduces that.

References
----------
Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``R/hotspot_classify.R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.spatial._inputs import (
    CRSLike,
    IntArray,
    as_coordinates,
    require_projected,
)
from safecity.spatial.errors import SpatialInputError
from safecity.spatial.grid import count_in_cells

AUTOMATIC_DAY_PERIODS = ((14, 1), (91, 7), (366 * 2, 28), (3653, 91))
"""(largest span in days, period length in days) pairs of sfhotspot's automatic choice."""
YEARS_UP_TO_DAYS = 3653 * 2
FALLBACK_PERIOD_COUNT = 10


class PeriodUnit(StrEnum):
    """Unit of a period length."""

    DAYS = "days"
    YEARS = "years"
    """Calendar years (January to December)."""


@dataclass(frozen=True, slots=True)
class PeriodLength:
    """A period length such as 28 days or 1 calendar year."""

    count: int
    unit: PeriodUnit

    def __post_init__(self) -> None:
        if self.count < 1:
            raise SpatialInputError(f"a period must be at least 1 {self.unit}, got {self.count}")
        if self.unit is PeriodUnit.YEARS and self.count != 1:
            raise SpatialInputError("calendar-year periods must be 1 year long")


def _as_dates(dates: npt.ArrayLike) -> pd.DatetimeIndex:
    try:
        parsed = pd.DatetimeIndex(
            pd.to_datetime(np.asarray(dates), errors="raise", format="ISO8601")
        )
    except (TypeError, ValueError) as error:
        raise SpatialInputError(f"dates must be dates or date-times: {error}") from error
    missing = np.flatnonzero(parsed.isna())
    if missing.size:
        raise SpatialInputError(f"dates: row {int(missing[0])} has no date")
    if parsed.size == 0:
        raise SpatialInputError("dates: no events")
    return parsed


def default_period_length(*, dates: npt.ArrayLike) -> PeriodLength:
    """sfhotspot's automatic period length for the span of ``dates``.

    Parameters
    ----------
    dates : array-like
        Event dates or date-times.

    Returns
    -------
    PeriodLength

    Raises
    ------
    SpatialInputError
        If a date is missing (naming the row) or there are none.

    References
    ----------
    Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``hotspot_classify()``.

    Examples
    --------
    >>> default_period_length(dates=["2024-01-01", "2024-12-31"])
    PeriodLength(count=28, unit=<PeriodUnit.DAYS: 'days'>)
    >>> default_period_length(dates=["2010-01-01", "2024-12-31"]).unit
    <PeriodUnit.YEARS: 'years'>
    """
    parsed = _as_dates(dates)
    span_days = (parsed.max() - parsed.min()) / pd.Timedelta(days=1)
    for largest_span, length in AUTOMATIC_DAY_PERIODS:
        if span_days <= largest_span:
            return PeriodLength(count=length, unit=PeriodUnit.DAYS)
    if span_days <= YEARS_UP_TO_DAYS:
        return PeriodLength(count=1, unit=PeriodUnit.YEARS)
    return PeriodLength(
        count=max(1, math.floor(span_days / FALLBACK_PERIOD_COUNT)), unit=PeriodUnit.DAYS
    )


def assign_periods(
    *,
    dates: npt.ArrayLike,
    length: PeriodLength | None = None,
    sfhotspot_compat: bool = False,
) -> pd.DataFrame:
    """The period (0 = oldest) of every event.

    Parameters
    ----------
    dates : array-like
        Event dates or date-times.
    length : PeriodLength, optional
        Period length; default :func:`default_period_length`.
    sfhotspot_compat : bool
        Put dates on a period boundary in the earlier period, as sfhotspot's right-closed
        ``cut()`` does. Default ``False`` (half-open periods).

    Returns
    -------
    pandas.DataFrame
        One row per event: ``period`` (int) and ``period_start`` (timestamp).

    Raises
    ------
    SpatialInputError
        If a date is missing (naming the row) or there are none.

    References
    ----------
    Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``hotspot_classify()``.

    Examples
    --------
    >>> days = PeriodLength(count=7, unit=PeriodUnit.DAYS)
    >>> assign_periods(dates=["2024-01-01", "2024-01-08", "2024-01-20"], length=days)[
    ...     "period"].tolist()
    [0, 1, 2]
    >>> assign_periods(dates=["2024-01-01", "2024-01-08", "2024-01-20"], length=days,
    ...                sfhotspot_compat=True)["period"].tolist()
    [0, 0, 2]
    """
    parsed = _as_dates(dates)
    chosen = default_period_length(dates=parsed) if length is None else length
    if chosen.unit is PeriodUnit.YEARS:
        first_year = int(parsed.year.min())
        period = (parsed.year - first_year).to_numpy(dtype=np.int64)
        starts = pd.to_datetime([f"{first_year + int(index)}-01-01" for index in period])
        return pd.DataFrame({"period": period, "period_start": starts})
    start = parsed.min().normalize()
    if sfhotspot_compat:
        elapsed = ((parsed.normalize() - start) / pd.Timedelta(days=1)).to_numpy()
        period = np.maximum(np.ceil(elapsed / chosen.count) - 1, 0).astype(np.int64)
    else:
        elapsed = ((parsed - start) / pd.Timedelta(days=1)).to_numpy()
        period = np.floor(elapsed / chosen.count).astype(np.int64)
    starts = start + pd.to_timedelta(period * chosen.count, unit="D")
    return pd.DataFrame({"period": period, "period_start": starts})


def counts_by_period(
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    period: npt.ArrayLike,
    grid: pd.DataFrame,
    crs: CRSLike | None = None,
) -> IntArray:
    """Events per grid cell and period: the ``counts`` input of ``classify_hotspots``.

    Parameters
    ----------
    x, y : array-like
        Projected event coordinates.
    period : array-like of int
        Period of each event (0 = oldest), e.g. ``assign_periods(...)["period"]``.
    grid : pandas.DataFrame
        Cells from :func:`~safecity.spatial.grid.make_grid`.
    crs : CRS-like, optional
        The coordinates' CRS; must be projected.

    Returns
    -------
    numpy.ndarray
        Shape ``(cells, periods)``, periods ``0 … max(period)`` (empty periods included).

    Raises
    ------
    SpatialInputError
        If lengths differ or a period is negative (naming the row).

    Examples
    --------
    >>> from safecity.spatial.grid import make_grid
    >>> grid = make_grid(x=[0, 200, 0, 200], y=[0, 0, 200, 200], cell_size=100, crs=27700)
    >>> counts_by_period(x=[50, 150, 50], y=[50, 50, 50], period=[0, 0, 2], grid=grid,
    ...                  crs=27700).tolist()
    [[1, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 0]]
    """
    x_array, y_array = as_coordinates(x, y, name="events")
    require_projected(x_array, y_array, crs=crs, method="counts_by_period")
    periods = np.asarray(period)
    if periods.shape != x_array.shape:
        raise SpatialInputError(
            f"period has {periods.size} rows but there are {x_array.size} events"
        )
    if periods.size and (periods.dtype.kind not in "iu" or periods.min() < 0):
        bad = np.flatnonzero(periods.astype(np.float64) < 0)
        where = f": row {int(bad[0])} is {periods[bad[0]]!r}" if bad.size else ""
        raise SpatialInputError(f"period must hold non-negative integers{where}")
    n_periods = int(periods.max()) + 1 if periods.size else 0
    table = np.zeros((len(grid), n_periods), dtype=np.int64)
    for index in range(n_periods):
        chosen = periods == index
        counted = count_in_cells(x=x_array[chosen], y=y_array[chosen], grid=grid, crs=crs)
        table[:, index] = counted["n"].to_numpy()
    return table
