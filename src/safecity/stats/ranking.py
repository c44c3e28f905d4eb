"""Ranking areas, percentile bands and quantile groups (``methods.md`` §3.1, §5.1)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import FloatArray, InputArrays, set_label_column
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import QuantileAlgorithm

__all__ = ["quantile_bounds", "quantile_groups", "rank_areas"]


def _min_rank(values: FloatArray, *, descending: bool) -> FloatArray:
    """Rank with ties sharing the smallest rank (R ``ties.method = "min"``)."""
    series = pd.Series(-values if descending else values)
    return np.asarray(series.rank(method="min"), dtype=np.float64)


def rank_areas(
    *,
    values: npt.ArrayLike,
    descending: bool = True,
    band_width: float = 0.1,
) -> pd.DataFrame:
    """Rank areas (1 = highest by default), with percentile position and percentile band.

    Ties share the smallest rank (PHEindicatormethods ``phe_quantile`` uses
    ``ties.method = "min"``). ``percentile_position = rank / N``. ``band`` is the first
    ``b`` with ``rank ≤ ⌊b · band_width · N⌋`` (the last band ends at ``N``), so with the default
    10% bands an area is "among the highest 10%" exactly when ``band == 1``, i.e.
    ``rank ≤ ⌊0.1 N⌋`` (§3.1). With ``descending=True`` and a ``low_is_good`` indicator, band 1
    is the worst 10%. Rank the same indicator for every area over one consistent period and
    exclude areas with known data problems before calling; report ``n_ranked``.

    Parameters
    ----------
    values : array-like
        One value per area (finite).
    descending : bool
        Rank 1 is the highest value (default) or, if False, the lowest.
    band_width : float
        Width of a percentile band as a fraction (0.1 for deciles of position).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``value, rank, n_ranked, percentile_position, band``.

    References
    ----------
    PHEindicatormethods ``phe_quantile`` (tie rule); ``methods.md`` §3.1.

    Examples
    --------
    >>> rank_areas(values=[5.0, 9.0, 9.0, 1.0])[["rank", "band"]]
       rank  band
    0     3     8
    1     1     3
    2     1     3
    3     4    10
    """
    if not 0.0 < band_width <= 1.0:
        raise StatisticsInputError(f"band_width must be in (0, 1]; got {band_width!r}")
    inputs = InputArrays(values=values)
    inputs.require_finite("values")
    data = inputs["values"]
    count = inputs.length
    rank = _min_rank(data, descending=descending)
    bands = math.ceil(round(1.0 / band_width, 9))
    thresholds = np.floor(np.arange(1, bands + 1) * band_width * count + 1e-9)
    thresholds[-1] = count
    band = np.searchsorted(thresholds, rank, side="left") + 1
    return pd.DataFrame(
        {
            "value": data,
            "rank": rank.astype(np.int64),
            "n_ranked": count,
            "percentile_position": rank / count if count else rank,
            "band": band.astype(np.int64),
        },
        index=inputs.index,
    )


def quantile_bounds(*, values: npt.ArrayLike, groups: int = 5) -> FloatArray:
    """Value bounds of Fingertips quantiles: Excel ``PERCENTILE.INC`` at 0, 1/Q, …, 1.

    As Fingertips ``ValueCategoriesCalculator.GetCategoryBounds``: the minimum, then for
    ``i = 1 … Q−1`` the percentile at fraction ``i/Q`` by linear interpolation between order
    statistics (rank ``n = (k − 1)·fraction + 1``), rounded to 10 decimal places to remove
    floating-point artefacts, then the maximum. Fingertips needs more than three values; with
    fewer the result is empty and no groups are assigned.

    References
    ----------
    OHID Fingertips ``QuintilesCalculator`` / ``ValueCategoriesCalculator`` (fingertips-open);
    ``methods.md`` §3.1.

    Examples
    --------
    >>> quantile_bounds(values=range(1, 51)).tolist()
    [1.0, 10.8, 20.6, 30.4, 40.2, 50.0]
    """
    inputs = InputArrays(values=values)
    inputs.require_finite("values")
    if groups < 1:
        raise StatisticsInputError(f"groups must be at least 1; got {groups}")
    ordered = np.sort(inputs["values"])
    count = ordered.size
    if count <= 3:
        return np.empty(0, dtype=np.float64)
    bounds = [float(ordered[0])]
    step = 1.0 / groups
    for position in range(1, groups):
        rank = (count - 1) * (step * position) + 1
        whole = int(rank)
        if rank == 1.0:
            bound = float(ordered[0])
        elif rank == count:
            bound = float(ordered[-1])
        else:
            fraction = rank - whole
            interpolated = ordered[whole - 1] + fraction * (ordered[whole] - ordered[whole - 1])
            bound = round(float(interpolated), 10)
        bounds.append(bound)
    bounds.append(float(ordered[-1]))
    return np.asarray(bounds, dtype=np.float64)


def quantile_groups(
    *,
    values: npt.ArrayLike,
    groups: int = 5,
    algorithm: QuantileAlgorithm | str = QuantileAlgorithm.EQUAL_COUNT,
    invert: bool = True,
    group_by: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Assign areas to quantile groups (e.g. LSOA quintiles within a CSP).

    Two admissible algorithms (§3.1), named explicitly:

    ``equal_count`` (PHEindicatormethods ``phe_quantile``, default): with ``k`` areas and rank
    ``r`` (ties ``min``; on ``max − value`` when ``invert``), ``q = ⌊(Q+1) −
    ⌈((k+1) − r)/(k/Q)⌉⌋``, ``q := 1`` if 0; no groups (missing) when ``k < Q``.

    ``value_bounds`` (Fingertips ``QuintilesCalculator``): bounds from :func:`quantile_bounds`;
    the group is the first bound (after the minimum) ≥ the value, so group 1 holds the lowest
    values; with ``invert`` the order is reversed (``Q + 1 − q``); no groups with three values
    or fewer.

    ``invert=True`` (default for both, as in ``phe_quantile``) makes group 1 the highest values
    — e.g. quintile 1 = most deprived when ranking IMD scores.

    Parameters
    ----------
    values : array-like
        One finite value per area.
    groups : int
        Number of quantile groups ``Q`` (5 for quintiles, 10 for deciles).
    algorithm : QuantileAlgorithm or str
        ``"equal_count"`` or ``"value_bounds"``.
    invert : bool
        Group 1 = highest values (True) or lowest values (False).
    group_by : array-like, optional
        Key per area (e.g. CSP code); quantiles are assigned within each key.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``value, quantile`` (nullable integer), ``groups, algorithm``.

    References
    ----------
    PHEindicatormethods ``phe_quantile`` (v2.1.0); OHID Fingertips ``QuintilesCalculator``;
    ``methods.md`` §3.1, §5.1.

    Examples
    --------
    >>> quantile_groups(values=range(1, 11), groups=5, invert=False)["quantile"].tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    """
    try:
        chosen = QuantileAlgorithm(algorithm)
    except ValueError as error:
        raise StatisticsInputError(f"unknown quantile algorithm {algorithm!r}") from error
    if groups < 1:
        raise StatisticsInputError(f"groups must be at least 1; got {groups}")
    inputs = InputArrays(values=values)
    inputs.require_finite("values")
    data = inputs["values"]
    if group_by is None:
        codes = np.zeros(inputs.length, dtype=np.intp)
    else:
        keys = np.asarray(group_by).reshape(-1)
        if keys.size != inputs.length:
            raise StatisticsInputError(
                f"group_by must have one key per value: {keys.size} keys for {inputs.length} values"
            )
        codes = pd.factorize(pd.Series(keys), sort=False)[0].astype(np.intp)
    quantile = np.full(inputs.length, np.nan)
    for code in np.unique(codes):
        members = np.flatnonzero(codes == code)
        subset = data[members]
        size = subset.size
        if chosen is QuantileAlgorithm.EQUAL_COUNT:
            if size < groups:
                continue
            adjusted = subset.max() - subset if invert else subset
            rank = _min_rank(adjusted, descending=False)
            assigned = np.floor((groups + 1) - np.ceil(((size + 1) - rank) / (size / groups)))
            assigned[assigned == 0] = 1
        else:
            bounds = quantile_bounds(values=subset, groups=groups)
            if bounds.size == 0:
                continue
            assigned = np.searchsorted(bounds[1:], subset, side="left") + 1.0
            assigned = np.minimum(assigned, groups)
            if invert:
                assigned = groups + 1 - assigned
        quantile[members] = assigned
    result = pd.DataFrame(
        {
            "value": data,
            "quantile": pd.array(
                [None if np.isnan(item) else int(item) for item in quantile], dtype="Int64"
            ),
            "groups": groups,
            "algorithm": chosen.value,
        },
        index=inputs.index,
    )
    set_label_column(result, "algorithm", chosen)
    return result
