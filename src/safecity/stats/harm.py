"""Crime harm: Crime Severity Score, harm shares and weight helpers (``methods.md`` §4).

Weights (ONS Crime Severity Score or Cambridge Crime Harm Index, equivalent days of custody
per offence) are input data loaded from the publisher's file by the caller, never typed in
here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    critical_value,
    normalise_confidence,
    set_label_column,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import IntervalMethod

__all__ = [
    "category_mean_weights",
    "crime_severity_score",
    "fine_custody_days",
    "harm_rate",
    "harm_share",
]


def _codes(
    group: npt.ArrayLike | None, length: int, name: str
) -> tuple[npt.NDArray[np.intp], pd.Index]:
    if group is None:
        return np.zeros(length, dtype=np.intp), pd.Index([0], name=name)
    keys = pd.Series(np.asarray(group, dtype=object).reshape(-1))
    if keys.size != length:
        raise StatisticsInputError(f"{name} must have one key per row: {keys.size} for {length}")
    missing = keys.isna().to_numpy()
    if missing.any():
        raise StatisticsInputError(
            f"{name} must not be missing: row {int(np.flatnonzero(missing)[0])}"
        )
    codes, uniques = pd.factorize(keys, sort=False)
    return codes.astype(np.intp), pd.Index(uniques, name=name)


def crime_severity_score(
    *,
    count: npt.ArrayLike,
    weight: npt.ArrayLike,
    population: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """ONS Crime Severity Score: ``CSS = Σ_k w_k·n_k / P`` — per head, **not** per 1,000.

    Rows are offence codes (of one or several areas, told apart by ``group``); ``population``
    is the area's mid-year population, repeated on each of its rows (it must be the same on
    every row of a group). The optional interval treats counts as independent Poisson:
    ``Var(Σwn) = Σw²n``, a normal interval on the total divided by ``P``; it is dominated by
    rare, heavily weighted offences (homicide, rape), so report it but do not RAG on it.
    Exclude what ONS excludes (fraud; codes without a weight) before calling.

    Parameters
    ----------
    count : array-like
        Crimes per offence code (≥ 0).
    weight : array-like
        Severity weight of the offence code (≥ 0; days of custody equivalent).
    population : array-like
        Resident population of the row's area (> 0).
    group : array-like, optional
        Area key per row.
    confidence : float
        Level of the interval, as a fraction.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``crimes, harm, population, value`` (the CSS), ``lower_ci,
        upper_ci, confidence, mean_weight, method``.

    References
    ----------
    Office for National Statistics (2016). Research outputs: developing a Crime Severity Score
    for England and Wales using data on crimes recorded by the police. ``methods.md`` §4.1.

    Examples
    --------
    >>> result = crime_severity_score(count=[10, 100], weight=[500.0, 5.0], population=1000)
    >>> result[["harm", "value", "mean_weight"]].iloc[0].tolist()
    [5500.0, 5.5, 50.0]
    """
    level = normalise_confidence(confidence)
    inputs = InputArrays(count=count, weight=weight, population=population)
    inputs.require_non_negative("count", "weight")
    inputs.require_positive("population")
    codes, keys = _codes(group, inputs.length, "group")
    size = len(keys)
    crimes = np.bincount(codes, inputs["count"], minlength=size)
    harm = np.bincount(codes, inputs["count"] * inputs["weight"], minlength=size)
    variance = np.bincount(codes, inputs["count"] * inputs["weight"] ** 2, minlength=size)
    smallest = np.full(size, np.inf)
    largest = np.full(size, -np.inf)
    np.minimum.at(smallest, codes, inputs["population"])
    np.maximum.at(largest, codes, inputs["population"])
    differs = smallest != largest
    if differs.any():
        first = keys[int(np.flatnonzero(differs)[0])]
        raise StatisticsInputError(f"population must be the same on every row of group {first!r}")
    spread = critical_value(level) * np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_weight = np.where(crimes > 0, harm / crimes, np.nan)
    result = pd.DataFrame(
        {
            "crimes": crimes,
            "harm": harm,
            "population": smallest,
            "value": harm / smallest,
            "lower_ci": np.maximum(harm - spread, 0.0) / smallest,
            "upper_ci": (harm + spread) / smallest,
            "confidence": level,
            "mean_weight": mean_weight,
            "method": IntervalMethod.NORMAL_POISSON.value,
        },
        index=keys,
    )
    set_label_column(result, "method", IntervalMethod.NORMAL_POISSON)
    return result


def harm_rate(
    *,
    harm: npt.ArrayLike,
    variance: npt.ArrayLike,
    person_years: npt.ArrayLike,
    multiplier: float = 1000.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Harm per ``multiplier`` residents a year, with a weighted-Poisson normal interval.

    ``rate = multiplier · H / N`` with ``H = Σ_k w_k n_k`` and ``N`` the person-years at risk
    (residents × years of the period with data, ``methods.md`` §0.2a). Counts are independent
    Poisson, so ``Var(H) = Σ_k w_k² n_k`` (``variance``); the interval is normal on the total,
    ``H ± z·√Var(H)`` (the lower limit kept ≥ 0), then scaled like the rate. This is the
    severity score's interval (§4.1 step 5) on the per-1,000 scale; the score itself stays per
    head under its own name. Heavily weighted rare offences dominate the variance.

    Parameters
    ----------
    harm : array-like
        Harm totals ``Σ w·n`` (≥ 0).
    variance : array-like
        ``Σ w²·n`` of the same rows (≥ 0).
    person_years : array-like
        Person-years at risk (> 0).
    multiplier : float
        Residents per rate unit (1,000 by default).
    confidence : float
        Level of the interval, as a fraction (or a percentage ≥ 90).

    Returns
    -------
    pandas.DataFrame
        One row per input: ``value, lower_ci, upper_ci, confidence, method``.

    References
    ----------
    ONS (2016), op. cit.; ``methods.md`` §4.1 step 5 and §0.2a.

    Examples
    --------
    >>> # 10 crimes weighing 500 and 100 weighing 5: H = 5,500, Var = 10·500² + 100·5² = 2,502,500
    >>> row = harm_rate(harm=5500.0, variance=2502500.0, person_years=1000.0).iloc[0]
    >>> round(float(row["value"]), 1), round(float(row["lower_ci"]), 1)
    (5500.0, 2399.5)
    """
    level = normalise_confidence(confidence)
    inputs = InputArrays(harm=harm, variance=variance, person_years=person_years)
    inputs.require_non_negative("harm", "variance")
    inputs.require_positive("person_years")
    if not multiplier > 0:
        raise StatisticsInputError("multiplier must be > 0")
    spread = critical_value(level) * np.sqrt(inputs["variance"])
    scale = multiplier / inputs["person_years"]
    result = pd.DataFrame(
        {
            "value": inputs["harm"] * scale,
            "lower_ci": np.maximum(inputs["harm"] - spread, 0.0) * scale,
            "upper_ci": (inputs["harm"] + spread) * scale,
            "confidence": level,
        },
        index=inputs.index,
    )
    set_label_column(result, "method", IntervalMethod.WEIGHTED_POISSON)
    return result


def harm_share(
    *, count: npt.ArrayLike, weight: npt.ArrayLike, group: npt.ArrayLike | None = None
) -> pd.DataFrame:
    """Share of harm and share of volume of each row within its group.

    ``harm_share_k = w_k n_k / Σ w n``; ``volume_share_k = n_k / Σ n`` — e.g. "rape accounting
    for 45.3% of the harm caused by domestic flagged crime, yet only 3.2% of the number".

    Returns
    -------
    pandas.DataFrame
        One row per input: ``count, weight, harm, harm_share, volume_share``.

    References
    ----------
    ONS (2016), op. cit.; ``methods.md`` §4.1 step 4.

    Examples
    --------
    >>> harm_share(count=[1, 9], weight=[90.0, 1.0])[["harm_share", "volume_share"]].round(4)
       harm_share  volume_share
    0      0.9091           0.1
    1      0.0909           0.9
    """
    inputs = InputArrays(count=count, weight=weight)
    inputs.require_non_negative("count", "weight")
    codes, _ = _codes(group, inputs.length, "group")
    harm = inputs["count"] * inputs["weight"]
    total_harm = np.bincount(codes, harm)[codes]
    total_count = np.bincount(codes, inputs["count"])[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        result = pd.DataFrame(
            {
                "count": inputs["count"],
                "weight": inputs["weight"],
                "harm": harm,
                "harm_share": np.where(total_harm > 0, harm / total_harm, np.nan),
                "volume_share": np.where(total_count > 0, inputs["count"] / total_count, np.nan),
            },
            index=inputs.index,
        )
    return result


def category_mean_weights(
    *, weight: npt.ArrayLike, national_count: npt.ArrayLike, category: npt.ArrayLike
) -> pd.DataFrame:
    """Volume-weighted mean severity weight per police.uk category.

    ``w̄_c = Σ_{k∈c} w_k·n_k / Σ_{k∈c} n_k`` with national (or force) counts ``n_k`` by offence
    code, to approximate the CSS from police.uk categories (``CSS ≈ Σ_c w̄_c n_c / P``). The
    unweighted mean of weights within a category is wrong and is not offered.

    Returns
    -------
    pandas.DataFrame
        Indexed by category: ``national_count, mean_weight``.

    References
    ----------
    ``methods.md`` §4.1 ("Approximating CSS from data.police.uk categories").

    Examples
    --------
    >>> category_mean_weights(weight=[7978.79, 15.0], national_count=[1, 999],
    ...     category=["Violence", "Violence"])["mean_weight"].round(5).tolist()
    [22.96379]
    """
    inputs = InputArrays(weight=weight, national_count=national_count)
    inputs.require_non_negative("weight", "national_count")
    codes, keys = _codes(category, inputs.length, "category")
    size = len(keys)
    counts = np.bincount(codes, inputs["national_count"], minlength=size)
    weighted = np.bincount(codes, inputs["national_count"] * inputs["weight"], minlength=size)
    empty = counts == 0
    if empty.any():
        raise StatisticsInputError(
            f"category {keys[int(np.flatnonzero(empty)[0])]!r} has no national counts"
        )
    mean: FloatArray = weighted / counts
    return pd.DataFrame({"national_count": counts, "mean_weight": mean}, index=keys)


def fine_custody_days(
    *,
    total_fines_value: npt.ArrayLike,
    number_of_fines: npt.ArrayLike,
    average_daily_earnings: npt.ArrayLike,
) -> pd.DataFrame:
    """Equivalent days of custody of a fine: average fine ÷ average daily earnings.

    The ONS worked example: £5,302,730 over 62,731 fines is an average of £85 (84.53), and
    ÷ £88 a day gives 0.96 days.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``average_fine, average_daily_earnings, custody_days``.

    References
    ----------
    ONS (2016), op. cit.; ``methods.md`` §4.1.

    Examples
    --------
    >>> fine_custody_days(total_fines_value=5302730, number_of_fines=62731,
    ...     average_daily_earnings=88)["custody_days"].round(2).tolist()
    [0.96]
    """
    inputs = InputArrays(
        total_fines_value=total_fines_value,
        number_of_fines=number_of_fines,
        average_daily_earnings=average_daily_earnings,
    )
    inputs.require_non_negative("total_fines_value")
    inputs.require_positive("number_of_fines", "average_daily_earnings")
    average = inputs["total_fines_value"] / inputs["number_of_fines"]
    return pd.DataFrame(
        {
            "average_fine": average,
            "average_daily_earnings": inputs["average_daily_earnings"],
            "custody_days": average / inputs["average_daily_earnings"],
        },
        index=inputs.index,
    )
