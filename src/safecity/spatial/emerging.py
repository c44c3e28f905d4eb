"""Emerging, persistent, former and intermittent hot/cold spots over time (``methods.md`` §6.6).

The sfhotspot ``hotspot_classify`` algorithm (v1.0.0): Gi* per period on the counts of each
grid cell (unadjusted within the period), then per cell the p-values of its periods are
adjusted (Holm by default), and a cell is a significant hot (cold) spot in a period when the
adjusted ``p < critical_p`` and ``Gi* > 0`` (``< 0``). With ``P`` periods and
``R = ⌊recent_prop · P⌋`` (at least 1) recent periods, the shares of significant periods give:

* persistent: share of all periods ≥ ``persistent_prop``;
* emerging: share of older periods < ``hotspot_prop`` and share of recent periods
  ≥ ``hotspot_prop``;
* former: share of older periods ≥ ``hotspot_prop`` and share of recent periods
  < ``hotspot_prop``;
* intermittent: share of all periods ≥ ``hotspot_prop``;

first match wins, else "no pattern"; a cell with both a hot and a cold pattern is "mixed".

``sfhotspot_compat=True`` reproduces two quirks of the sfhotspot code: emerging compares the
recent share with ``recent_prop`` (the documentation says ``hotspot_prop``), and the recent
share is the number of significant periods among the last ``R + 1`` divided by ``R``.

References
----------
Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``R/hotspot_classify.R``,
``hotspot_classify_params()``. Ord, J. K. and Getis, A. (1995). *Geographical Analysis* 27(4),
286–306. Holm, S. (1979). *Scandinavian Journal of Statistics* 6(2), 65–70.
(Esri's "Emerging Hot Spot Analysis", based on Mann–Kendall trends, is a different algorithm.)
"""

from __future__ import annotations

import math
import warnings
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.spatial._inputs import FloatArray, label_column, require_probability
from safecity.spatial.errors import SpatialInputError, UndefinedStatisticWarning
from safecity.spatial.getis_ord import gi_star
from safecity.spatial.multiple_testing import PAdjustment
from safecity.spatial.weights import SpatialWeights


class HotspotCategory(StrEnum):
    """How a cell's hot/cold spot status developed over the periods."""

    PERSISTENT_HOTSPOT = "persistent hotspot"
    EMERGING_HOTSPOT = "emerging hotspot"
    FORMER_HOTSPOT = "former hotspot"
    INTERMITTENT_HOTSPOT = "intermittent hotspot"
    PERSISTENT_COLDSPOT = "persistent coldspot"
    EMERGING_COLDSPOT = "emerging coldspot"
    FORMER_COLDSPOT = "former coldspot"
    INTERMITTENT_COLDSPOT = "intermittent coldspot"
    MIXED = "mixed hot/coldspot"
    NO_PATTERN = "no pattern"


_HOT = (
    HotspotCategory.PERSISTENT_HOTSPOT,
    HotspotCategory.EMERGING_HOTSPOT,
    HotspotCategory.FORMER_HOTSPOT,
    HotspotCategory.INTERMITTENT_HOTSPOT,
)
_COLD = (
    HotspotCategory.PERSISTENT_COLDSPOT,
    HotspotCategory.EMERGING_COLDSPOT,
    HotspotCategory.FORMER_COLDSPOT,
    HotspotCategory.INTERMITTENT_COLDSPOT,
)


def _adjust_rows(p: FloatArray, method: PAdjustment) -> FloatArray:
    """Adjust each row's p-values separately (NaN kept and not counted, as R ``p.adjust``)."""
    if method is PAdjustment.NONE:
        return p.copy()
    present = (~np.isnan(p)).sum(axis=1, keepdims=True)
    order = np.argsort(p, axis=1, kind="stable")
    ordered = np.take_along_axis(p, order, axis=1)
    rank = np.arange(1, p.shape[1] + 1)[None, :]
    if method is PAdjustment.HOLM:
        scaled = ordered * (present - rank + 1)
        adjusted_sorted = np.minimum(np.fmax.accumulate(scaled, axis=1), 1.0)
    else:
        scaled = ordered * present / rank
        reverse = np.fmin.accumulate(scaled[:, ::-1], axis=1)[:, ::-1]
        adjusted_sorted = np.minimum(reverse, 1.0)
    adjusted_sorted[np.isnan(ordered)] = np.nan
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, adjusted_sorted, axis=1)
    return adjusted


def _category(
    share: FloatArray,
    older: FloatArray,
    recent: FloatArray,
    *,
    labels: tuple[HotspotCategory, ...],
    hotspot_prop: float,
    persistent_prop: float,
    emerging_threshold: float,
) -> list[HotspotCategory]:
    persistent = share >= persistent_prop
    emerging = (older < hotspot_prop) & (recent >= emerging_threshold)
    former = (older >= hotspot_prop) & (recent < hotspot_prop)
    intermittent = share >= hotspot_prop
    choice = np.select([persistent, emerging, former, intermittent], [0, 1, 2, 3], default=4)
    return [labels[index] if index < 4 else HotspotCategory.NO_PATTERN for index in choice]


def classify_hotspots(
    *,
    counts: npt.ArrayLike,
    weights: SpatialWeights,
    critical_p: float = 0.05,
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
    period_adjustment: PAdjustment = PAdjustment.HOLM,
    sfhotspot_compat: bool = False,
) -> pd.DataFrame:
    """Classify grid cells as persistent, emerging, former or intermittent hot/cold spots.

    Parameters
    ----------
    counts : array-like, shape (cells, periods)
        Count of events per cell (rows, in the order of the weights) and period (columns, oldest
        first), e.g. from :func:`~safecity.spatial.grid.count_in_cells` per period.
    weights : SpatialWeights
        Grid weights (:func:`~safecity.spatial.weights.grid_weights`); Gi* adds self-weights.
    critical_p : float
        Significance threshold on the adjusted p-values. Default 0.05.
    hotspot_prop, persistent_prop, recent_prop : float
        sfhotspot ``hotspot_classify_params`` defaults 0.1, 0.8 and 0.2.
    period_adjustment : PAdjustment
        Adjustment of each cell's p-values across periods; default Holm, which is what
        sfhotspot applies with its default ``p_adjust_method = NULL``.
    sfhotspot_compat : bool
        Reproduce sfhotspot v1.0.0's two quirks (see the module notes). Default ``False``.

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``id`` (when the weights carry ids), ``periods``,
        ``recent_periods``, ``significant_hot`` and ``significant_cold`` (number of periods),
        ``share_hot``, ``share_cold``, ``older_share_hot``, ``older_share_cold``,
        ``recent_share_hot``, ``recent_share_cold`` and ``hotspot_category``
        (:class:`HotspotCategory`).

    Raises
    ------
    SpatialInputError
        If counts are not a finite non-negative 2-D array matching the weights (naming the
        cell and period), there are fewer than 2 periods, or a proportion is outside (0, 1).

    Warns
    -----
    UndefinedStatisticWarning
        When a period's counts are all equal (e.g. no events): Gi* is undefined, and no cell is
        significant in that period (the period still counts in the shares).

    References
    ----------
    Ashby, M. P. J. (2025). sfhotspot v1.0.0, ``hotspot_classify()``.

    Examples
    --------
    A 5 × 5 grid over 5 periods whose central block is busy only in the last period:

    >>> from safecity.spatial.weights import lattice_weights
    >>> quiet = np.tile([1, 2], 13)[:25]
    >>> busy = quiet.copy()
    >>> busy[[6, 7, 8, 11, 12, 13, 16, 17, 18]] = 9
    >>> counts = np.column_stack([quiet, quiet, quiet, quiet, busy])
    >>> result = classify_hotspots(counts=counts, weights=lattice_weights(n_rows=5, n_cols=5))
    >>> str(result["hotspot_category"][12]), str(result["hotspot_category"][0])
    ('emerging hotspot', 'no pattern')
    """
    for name, value in (
        ("critical_p", critical_p),
        ("hotspot_prop", hotspot_prop),
        ("persistent_prop", persistent_prop),
        ("recent_prop", recent_prop),
    ):
        require_probability(value, name=name)
    period_adjustment = PAdjustment(period_adjustment)
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2:
        raise SpatialInputError(f"counts must be 2-D (cells × periods), got shape {table.shape}")
    cells, periods = table.shape
    if cells != weights.n:
        raise SpatialInputError(f"counts has {cells} cells but the weights describe {weights.n}")
    bad = np.argwhere(~np.isfinite(table) | (table < 0))
    if bad.size:
        cell, period = (int(index) for index in bad[0])
        raise SpatialInputError(
            f"counts must be finite and non-negative: cell row {cell}, period {period} is "
            f"{float(table[cell, period])!r}"
        )
    if periods < 2:
        raise SpatialInputError(f"classify_hotspots needs at least 2 periods, got {periods}")

    z = np.full(table.shape, np.nan)
    p = np.full(table.shape, np.nan)
    constant_periods = []
    for period in range(periods):
        column = table[:, period]
        if np.ptp(column) == 0:
            constant_periods.append(period)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedStatisticWarning)
            result = gi_star(values=column, weights=weights, adjustment=PAdjustment.NONE)
        z[:, period] = result["gi_z"].to_numpy()
        p[:, period] = result["p"].to_numpy()
    if constant_periods:
        warnings.warn(
            f"Gi* is undefined in period(s) {constant_periods} (all counts equal); no cell is "
            "significant in them",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    adjusted = _adjust_rows(p, period_adjustment)
    significant = adjusted < critical_p
    hot = (significant & (z > 0)).astype(np.float64)
    cold = (significant & ~(z > 0)).astype(np.float64)

    recent_periods = math.floor(recent_prop * periods)
    if recent_periods < 1 or periods - recent_periods < 1:
        recent_periods = 1
    older_periods = periods - recent_periods
    recent_columns = recent_periods + 1 if sfhotspot_compat else recent_periods

    def shares(flags: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        return (
            flags.sum(axis=1) / periods,
            flags[:, :older_periods].sum(axis=1) / older_periods,
            flags[:, periods - recent_columns :].sum(axis=1) / recent_periods,
        )

    share_hot, older_hot, recent_hot = shares(hot)
    share_cold, older_cold, recent_cold = shares(cold)
    emerging_threshold = recent_prop if sfhotspot_compat else hotspot_prop
    options: dict[str, Any] = {
        "hotspot_prop": hotspot_prop,
        "persistent_prop": persistent_prop,
        "emerging_threshold": emerging_threshold,
    }
    hot_category = _category(share_hot, older_hot, recent_hot, labels=_HOT, **options)
    cold_category = _category(share_cold, older_cold, recent_cold, labels=_COLD, **options)
    categories = [
        HotspotCategory.MIXED
        if hot_label is not HotspotCategory.NO_PATTERN
        and cold_label is not HotspotCategory.NO_PATTERN
        else hot_label
        if hot_label is not HotspotCategory.NO_PATTERN
        else cold_label
        for hot_label, cold_label in zip(hot_category, cold_category, strict=True)
    ]
    frame: dict[str, Any] = {}
    if weights.ids is not None:
        frame["id"] = list(weights.ids)
    frame |= {
        "periods": periods,
        "recent_periods": recent_periods,
        "significant_hot": hot.sum(axis=1).astype(np.int64),
        "significant_cold": cold.sum(axis=1).astype(np.int64),
        "share_hot": share_hot,
        "share_cold": share_cold,
        "older_share_hot": older_hot,
        "older_share_cold": older_cold,
        "recent_share_hot": recent_hot,
        "recent_share_cold": recent_cold,
        "hotspot_category": label_column(categories),
    }
    return pd.DataFrame(frame)
