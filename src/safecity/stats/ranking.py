"""Ranking areas, percentile bands and quantile groups (``methods.md`` §3.1, §5.1).

Rates are ranked on floats by :func:`rank_areas` and :func:`quantile_groups`, and on exact
rationals by :func:`rank_rates` and :func:`rate_quantile_groups`: ``methods.md`` §0.2a requires
ties to be "compared on exact rationals (count, population), not floats". Two rates that are
equal as fractions (4 in 1,760 residents and 3 in 1,320 are both 1 in 440) can differ in the
last bit as floats (``crude_rate`` gives 2.272727272727273 and 2.2727272727272725 per 1,000),
and a float ranking then gives them different ranks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from numbers import Integral, Real

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import FloatArray, InputArrays, set_label_column
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import QuantileAlgorithm

__all__ = [
    "exact_rates",
    "quantile_bounds",
    "quantile_groups",
    "rank_areas",
    "rank_rates",
    "rate_quantile_groups",
]

MONTHS_IN_YEAR = 12


def _min_rank(values: FloatArray, *, descending: bool) -> FloatArray:
    """Rank with ties sharing the smallest rank (R ``ties.method = "min"``)."""
    series = pd.Series(-values if descending else values)
    return np.asarray(series.rank(method="min"), dtype=np.float64)


def _min_rank_exact(keys: Sequence[Fraction], *, descending: bool) -> FloatArray:
    """Rank exact rationals, ties (equal as fractions) sharing the smallest rank."""
    order = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
    ranks = np.empty(len(keys), dtype=np.float64)
    current = 0
    for position, index in enumerate(order, start=1):
        if position == 1 or keys[index] != keys[order[position - 2]]:
            current = position
        ranks[index] = current
    return ranks


def _exact(value: object, *, name: str, position: int) -> Fraction:
    """``value`` as an exact fraction: integers as they are, floats by their binary value."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool | np.bool_):
        raise StatisticsInputError(f"{name} must be numeric, got a boolean at row {position}")
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, Real):
        number = float(value)
        if not math.isfinite(number):
            raise StatisticsInputError(
                f"{name} must be a finite number: {number!r} at row {position}"
            )
        return Fraction(number)
    raise StatisticsInputError(
        f"{name} must be numeric, got {type(value).__name__} at row {position}"
    )


def _as_list(values: npt.ArrayLike | Sequence[object], *, name: str) -> list[object]:
    if isinstance(values, pd.Series | pd.Index):
        return list(values.tolist())
    array = np.asarray(values, dtype=object)
    if array.ndim > 1:
        raise StatisticsInputError(f"{name} must be one-dimensional, got shape {array.shape}")
    return [item.item() if isinstance(item, np.generic) else item for item in array.reshape(-1)]


def exact_rates(
    *,
    counts: npt.ArrayLike,
    populations: npt.ArrayLike,
    months: npt.ArrayLike | None = None,
) -> list[Fraction]:
    """Annual rates per person as exact fractions: ``count × 12 / (population × months)``.

    The exposure of ``methods.md`` §0.2a is person-time, ``population × months / 12`` (months
    with data in the period); the rate per person-year is then ``count × 12 / (population ×
    months)``. Without ``months`` every rate is over 12 months, i.e. ``count / population``.
    Integers are used as they are; floats (e.g. a population estimated to a fraction) are
    converted exactly from their binary value (``fractions.Fraction(float)``), so two rates
    compare equal exactly when the rationals the inputs denote are equal.

    Parameters
    ----------
    counts : array-like
        Events per area (finite, ≥ 0).
    populations : array-like
        Residents (or households) per area (finite, > 0).
    months : array-like, optional
        Months with data per area (finite, > 0); a scalar applies to every area. Default 12.

    Returns
    -------
    list of fractions.Fraction
        One exact rate per area (events per person per year).

    Raises
    ------
    StatisticsInputError
        If the lengths differ, or a count is negative, a population or months not positive,
        or any value not a finite number (naming the row).

    Examples
    --------
    >>> [str(rate) for rate in exact_rates(counts=[4, 3], populations=[1760, 1320])]
    ['1/440', '1/440']
    >>> [str(rate) for rate in exact_rates(counts=[7], populations=[1200], months=[7])]
    ['1/100']
    """
    count_values = _as_list(counts, name="counts")
    population_values = _as_list(populations, name="populations")
    month_values = (
        [MONTHS_IN_YEAR] * len(count_values) if months is None else _as_list(months, name="months")
    )
    if len(month_values) == 1 and len(count_values) != 1:
        month_values = month_values * len(count_values)
    if not len(count_values) == len(population_values) == len(month_values):
        raise StatisticsInputError(
            "counts, populations and months must have one value per area; got lengths "
            f"{len(count_values)}, {len(population_values)} and {len(month_values)}"
        )
    rates = []
    for position, (count, population, month) in enumerate(
        zip(count_values, population_values, month_values, strict=True)
    ):
        exact_count = _exact(count, name="counts", position=position)
        exact_population = _exact(population, name="populations", position=position)
        exact_months = _exact(month, name="months", position=position)
        if exact_count < 0:
            raise StatisticsInputError(f"counts must not be negative: {count!r} at row {position}")
        if exact_population <= 0:
            raise StatisticsInputError(
                f"populations must be greater than zero: {population!r} at row {position}"
            )
        if exact_months <= 0:
            raise StatisticsInputError(
                f"months must be greater than zero: {month!r} at row {position}"
            )
        rates.append(exact_count * MONTHS_IN_YEAR / (exact_population * exact_months))
    return rates


def _bands(rank: FloatArray, *, count: int, band_width: float) -> npt.NDArray[np.intp]:
    bands = math.ceil(round(1.0 / band_width, 9))
    thresholds = np.floor(np.arange(1, bands + 1) * band_width * count + 1e-9)
    thresholds[-1] = count
    band: npt.NDArray[np.intp] = np.searchsorted(thresholds, rank, side="left") + 1
    return band


def _ranked_frame(
    *, values: FloatArray, rank: FloatArray, band_width: float, index: pd.Index
) -> pd.DataFrame:
    count = int(values.size)
    return pd.DataFrame(
        {
            "value": values,
            "rank": rank.astype(np.int64),
            "n_ranked": count,
            "percentile_position": rank / count if count else rank,
            "band": _bands(rank, count=count, band_width=band_width).astype(np.int64),
        },
        index=index,
    )


def _check_band_width(band_width: float) -> None:
    if not 0.0 < band_width <= 1.0:
        raise StatisticsInputError(f"band_width must be in (0, 1]; got {band_width!r}")


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

    Values are compared as floats: to rank rates so that equal rates tie exactly (§0.2a), use
    :func:`rank_rates` with the counts and populations.

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
    _check_band_width(band_width)
    inputs = InputArrays(values=values)
    inputs.require_finite("values")
    data = inputs["values"]
    rank = _min_rank(data, descending=descending)
    return _ranked_frame(values=data, rank=rank, band_width=band_width, index=inputs.index)


def rank_rates(
    *,
    counts: npt.ArrayLike,
    populations: npt.ArrayLike,
    months: npt.ArrayLike | None = None,
    multiplier: float = 1000,
    descending: bool = True,
    band_width: float = 0.1,
) -> pd.DataFrame:
    """Rank areas by rate compared exactly (ties equal as fractions share the smallest rank).

    As :func:`rank_areas`, but the rates ``count × 12 / (population × months)`` are compared as
    exact rationals (:func:`exact_rates`), as ``methods.md`` §0.2a requires: 4 crimes in 1,760
    residents and 3 in 1,320 are both 1 in 440 and share a rank, though their floating-point
    rates differ in the last bit. Ties share the smallest rank (``ties.method = "min"``,
    PHEindicatormethods ``phe_quantile``; ``methods.md`` §3.1).

    Parameters
    ----------
    counts, populations, months : array-like
        As :func:`exact_rates` (``months`` with data per area, default 12: exposure is
        ``population × months / 12``).
    multiplier : float
        Scale of the reported ``value`` (per 1,000 by default); it does not affect the ranks.
    descending : bool
        Rank 1 is the highest rate (default) or, if False, the lowest.
    band_width : float
        Width of a percentile band as a fraction (0.1 for deciles of position).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``value`` (the annual rate per ``multiplier``, the float nearest
        the exact rate, so equal rates have equal values), ``rank, n_ranked,
        percentile_position, band``.

    Raises
    ------
    StatisticsInputError
        As :func:`exact_rates`, or if ``band_width`` is not in (0, 1].

    References
    ----------
    PHEindicatormethods ``phe_quantile`` (tie rule); ``methods.md`` §0.2a (ties), §3.1.

    Examples
    --------
    >>> rank_rates(counts=[4, 3, 9], populations=[1760, 1320, 1000])["rank"].tolist()
    [2, 2, 1]
    """
    _check_band_width(band_width)
    scale = Fraction(multiplier)
    if scale <= 0:
        raise StatisticsInputError(f"multiplier must be greater than zero; got {multiplier!r}")
    rates = exact_rates(counts=counts, populations=populations, months=months)
    values = np.array([float(rate * scale) for rate in rates], dtype=np.float64)
    rank = _min_rank_exact(rates, descending=descending)
    index = counts.index if isinstance(counts, pd.Series) else pd.RangeIndex(len(rates))
    return _ranked_frame(values=values, rank=rank, band_width=band_width, index=index)


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


def _equal_count(rank: FloatArray, *, groups: int) -> FloatArray:
    """``q = ⌊(Q+1) − ⌈((k+1) − r)/(k/Q)⌉⌋``, ``q := 1`` if 0 (PHEindicatormethods)."""
    size = rank.size
    assigned: FloatArray = np.floor((groups + 1) - np.ceil(((size + 1) - rank) / (size / groups)))
    assigned[assigned == 0] = 1
    return assigned


def _group_codes(group_by: npt.ArrayLike | None, *, length: int) -> npt.NDArray[np.intp]:
    if group_by is None:
        return np.zeros(length, dtype=np.intp)
    keys = np.asarray(group_by).reshape(-1)
    if keys.size != length:
        raise StatisticsInputError(
            f"group_by must have one key per value: {keys.size} keys for {length} values"
        )
    codes: npt.NDArray[np.intp] = pd.factorize(pd.Series(keys), sort=False)[0].astype(np.intp)
    return codes


def _quantile_frame(
    *,
    values: FloatArray,
    quantile: FloatArray,
    groups: int,
    algorithm: QuantileAlgorithm,
    index: pd.Index,
) -> pd.DataFrame:
    result = pd.DataFrame(
        {
            "value": values,
            "quantile": pd.array(
                [None if np.isnan(item) else int(item) for item in quantile], dtype="Int64"
            ),
            "groups": groups,
            "algorithm": algorithm.value,
        },
        index=index,
    )
    set_label_column(result, "algorithm", algorithm)
    return result


def _algorithm(algorithm: QuantileAlgorithm | str, *, groups: int) -> QuantileAlgorithm:
    try:
        chosen = QuantileAlgorithm(algorithm)
    except ValueError as error:
        raise StatisticsInputError(f"unknown quantile algorithm {algorithm!r}") from error
    if groups < 1:
        raise StatisticsInputError(f"groups must be at least 1; got {groups}")
    return chosen


def _value_bound_groups(subset: FloatArray, *, groups: int, invert: bool) -> FloatArray | None:
    bounds = quantile_bounds(values=subset, groups=groups)
    if bounds.size == 0:
        return None
    position = np.searchsorted(bounds[1:], subset, side="left") + 1
    assigned = np.minimum(position, groups).astype(np.float64)
    if invert:
        assigned = (groups + 1) - assigned
    return assigned


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
    ⌈((k+1) − r)/(k/Q)⌉⌋``, ``q := 1`` if 0; no groups (missing) when ``k < Q``. Tied values
    share a rank and so a group; a block of ties wider than ``k/Q`` areas is placed in the
    highest group it reaches (with ``invert``, the group of higher values): many areas tied at
    zero can land above the lowest group.

    ``value_bounds`` (Fingertips ``QuintilesCalculator``): bounds from :func:`quantile_bounds`;
    the group is the first bound (after the minimum) ≥ the value, so group 1 holds the lowest
    values; with ``invert`` the order is reversed (``Q + 1 − q``); no groups with three values
    or fewer.

    ``invert=True`` (default for both, as in ``phe_quantile``) makes group 1 the highest values
    — e.g. quintile 1 = most deprived when ranking IMD scores.

    Values are compared as floats: to group rates so that equal rates tie exactly (§0.2a), use
    :func:`rate_quantile_groups` with the counts and populations.

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
    chosen = _algorithm(algorithm, groups=groups)
    inputs = InputArrays(values=values)
    inputs.require_finite("values")
    data = inputs["values"]
    codes = _group_codes(group_by, length=inputs.length)
    quantile = np.full(inputs.length, np.nan)
    for code in np.unique(codes):
        members = np.flatnonzero(codes == code)
        subset = data[members]
        if chosen is QuantileAlgorithm.EQUAL_COUNT:
            if subset.size < groups:
                continue
            adjusted = subset.max() - subset if invert else subset
            quantile[members] = _equal_count(_min_rank(adjusted, descending=False), groups=groups)
        else:
            assigned = _value_bound_groups(subset, groups=groups, invert=invert)
            if assigned is not None:
                quantile[members] = assigned
    return _quantile_frame(
        values=data, quantile=quantile, groups=groups, algorithm=chosen, index=inputs.index
    )


def rate_quantile_groups(
    *,
    counts: npt.ArrayLike,
    populations: npt.ArrayLike,
    months: npt.ArrayLike | None = None,
    multiplier: float = 1000,
    groups: int = 5,
    algorithm: QuantileAlgorithm | str = QuantileAlgorithm.EQUAL_COUNT,
    invert: bool = True,
    group_by: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Quantile groups of rates, equal rates (as exact fractions) always in the same group.

    As :func:`quantile_groups` on the rates ``count × 12 / (population × months)``
    (:func:`exact_rates`). ``equal_count`` ranks the exact rationals (ties ``min``, as
    PHEindicatormethods ``phe_quantile``), so two areas with the same rate share a rank and a
    group even when their floating-point rates differ in the last bit (``methods.md`` §0.2a).
    ``value_bounds`` interpolates Fingertips' bounds on the floats nearest the exact rates
    (equal rationals give identical floats, so they fall in the same group).

    Parameters
    ----------
    counts, populations, months : array-like
        As :func:`exact_rates`.
    multiplier : float
        Scale of the reported ``value`` (per 1,000 by default); the groups do not depend on it.
    groups, algorithm, invert, group_by
        As :func:`quantile_groups`.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``value`` (annual rate per ``multiplier``), ``quantile`` (nullable
        integer), ``groups, algorithm``.

    References
    ----------
    PHEindicatormethods ``phe_quantile`` (v2.1.0); OHID Fingertips ``QuintilesCalculator``;
    ``methods.md`` §0.2a, §3.1.

    Examples
    --------
    >>> rate_quantile_groups(
    ...     counts=[9, 4, 3, 2, 1], populations=[1000, 1760, 1320, 1000, 1000]
    ... )["quantile"].tolist()
    [1, 2, 2, 4, 5]
    """
    chosen = _algorithm(algorithm, groups=groups)
    scale = Fraction(multiplier)
    if scale <= 0:
        raise StatisticsInputError(f"multiplier must be greater than zero; got {multiplier!r}")
    rates = exact_rates(counts=counts, populations=populations, months=months)
    values = np.array([float(rate * scale) for rate in rates], dtype=np.float64)
    codes = _group_codes(group_by, length=len(rates))
    quantile = np.full(len(rates), np.nan)
    for code in np.unique(codes):
        members = np.flatnonzero(codes == code)
        if chosen is QuantileAlgorithm.EQUAL_COUNT:
            if members.size < groups:
                continue
            rank = _min_rank_exact([rates[member] for member in members], descending=invert)
            quantile[members] = _equal_count(rank, groups=groups)
        else:
            assigned = _value_bound_groups(values[members], groups=groups, invert=invert)
            if assigned is not None:
                quantile[members] = assigned
    index = counts.index if isinstance(counts, pd.Series) else pd.RangeIndex(len(rates))
    return _quantile_frame(
        values=values, quantile=quantile, groups=groups, algorithm=chosen, index=index
    )
