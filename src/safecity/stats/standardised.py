"""Directly and indirectly standardised rates and ratios (``methods.md`` §1.3, §1.4)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._poisson import BYARS_THRESHOLD, byars_limits, count_limits
from safecity.stats._validation import (
    InputArrays,
    critical_value,
    label_array,
    normalise_confidence,
    require_multiplier,
    set_label_column,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import IntervalMethod

__all__ = ["dsr", "indirectly_standardised_ratio", "repeat_event_variance"]

NOT_CALCULATED_STATISTIC = "dsr NA for total count < 10"


def _group_codes(group: npt.ArrayLike | None, length: int) -> tuple[npt.NDArray[np.intp], pd.Index]:
    """Factorise group keys in order of first appearance; one group when ``group`` is None."""
    if group is None:
        return np.zeros(length, dtype=np.intp), pd.Index([0], name="group")
    keys = pd.Series(np.asarray(group).reshape(-1) if not isinstance(group, pd.Series) else group)
    if len(keys) != length:
        raise StatisticsInputError(
            f"group must have one key per row: got {len(keys)} keys for {length} rows"
        )
    missing = keys.isna().to_numpy()
    if missing.any():
        raise StatisticsInputError(
            f"group must not be missing: row {int(np.flatnonzero(missing)[0])}"
        )
    codes, uniques = pd.factorize(keys, sort=False)
    return codes.astype(np.intp), pd.Index(uniques, name="group")


def repeat_event_variance(
    *,
    event_frequency: npt.ArrayLike,
    persons: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Variance of an event count when people can have several events (``methods.md`` §1.3).

    For persons ``P_f`` with exactly ``f`` events, the count of events ``Σ f·P_f`` has variance
    ``Σ f²·P_f`` (the persons are Poisson, the events are not). This is the non-independent
    events correction of PHEindicatormethods ``calculate_dsr(independent_events = FALSE)``;
    pass the result as ``count_variance`` to :func:`dsr` (one value per age band). For a crude
    rate with repeat victims, call :func:`dsr` with one band and ``standard_population`` equal
    to ``population``: with ``count_variance = count`` that reproduces Byar's interval, and
    with ``Σ f²·P_f`` it widens it for the clustering of crimes within victims.

    Parameters
    ----------
    event_frequency : array-like
        Number of events ``f`` (≥ 1) each row's persons had.
    persons : array-like
        Number of persons ``P_f`` with exactly that many events (≥ 0).
    group : array-like, optional
        Key per row (e.g. age band, or area × age band); one result row per key.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``events`` (``Σ f·P_f``), ``persons`` (``Σ P_f``) and
        ``count_variance`` (``Σ f²·P_f``).

    References
    ----------
    PHEindicatormethods ``calculate_dsr`` (v2.1.0, ``independent_events = FALSE``).

    Examples
    --------
    >>> repeat_event_variance(event_frequency=[1, 2, 3, 4], persons=[75, 16, 4, 2]).iloc[0].tolist()
    [127.0, 97.0, 207.0]
    """
    inputs = InputArrays(event_frequency=event_frequency, persons=persons)
    inputs.require_non_negative("persons")
    inputs.require_finite("event_frequency")
    inputs.fail("event_frequency", inputs["event_frequency"] < 1, "must be at least 1")
    codes, keys = _group_codes(group, inputs.length)
    frequency = inputs["event_frequency"]
    people = inputs["persons"]
    size = len(keys)
    return pd.DataFrame(
        {
            "events": np.bincount(codes, frequency * people, minlength=size),
            "persons": np.bincount(codes, people, minlength=size),
            "count_variance": np.bincount(codes, frequency**2 * people, minlength=size),
        },
        index=keys,
    )


def dsr(
    count: npt.ArrayLike,
    population: npt.ArrayLike,
    standard_population: npt.ArrayLike,
    *,
    group: npt.ArrayLike | None = None,
    count_variance: npt.ArrayLike | None = None,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Directly standardised rate with Dobson et al. (1991) confidence limits.

    Rows are age bands (of one or several areas, told apart by ``group``). With ``O_i`` events,
    ``n_i`` population and ``w_i`` standard population in band ``i`` and ``O = ΣO_i``:
    ``DSR = Σ(O_i·w_i/n_i) / Σw_i × M``; ``Var = Σ(V_i·(w_i/n_i)²) / (Σw_i)²`` where
    ``V_i = O_i`` for independent events; ``lower/upper = DSR + √(Var/O)·(O_{L/U} − O) × M``
    with Byar's limits ``O_L, O_U`` for ``O``. When the same person can contribute several
    events (repeat victims), pass ``count_variance`` ``V_i = Σ_f f²·P_{f,i}`` from
    :func:`repeat_event_variance`; this equals PHEindicatormethods' ``Σ_f f²·Var_f``.
    When ``O < 10`` the DSR is not calculated: value and limits are NaN and ``statistic`` says
    ``"dsr NA for total count < 10"`` (PHEindicatormethods ``calculate_dsr``).

    Parameters
    ----------
    count : array-like
        Events ``O_i`` per row (≥ 0).
    population : array-like
        Population ``n_i`` per row (> 0).
    standard_population : array-like
        Standard population ``w_i`` per row (> 0), e.g. the European Standard Population 2013.
    group : array-like, keyword-only, optional
        Area key per row; one output row per key, in order of first appearance.
    count_variance : array-like, keyword-only, optional
        Variance of each row's count for non-independent events (≥ 0); default ``O_i``.
    multiplier : float, keyword-only
        Rate per this many of the population (default 100,000).
    confidence : float, keyword-only
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``count, population, value, lower_ci, upper_ci, confidence,
        multiplier, method, statistic``.

    References
    ----------
    Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted sums
    of Poisson parameters. *Stat Med* 10:457–462. PHEindicatormethods ``calculate_dsr``
    (v2.1.0); ``methods.md`` §1.3.

    Examples
    --------
    >>> result = dsr([10, 20], [1000, 2000], [1000, 1000], multiplier=1000)
    >>> float(result["value"].iloc[0]), result["method"].iloc[0]
    (10.0, <IntervalMethod.DOBSON: 'Dobson'>)
    """
    level = normalise_confidence(confidence)
    variance_input = count if count_variance is None else count_variance
    inputs = InputArrays(
        count=count,
        population=population,
        standard_population=standard_population,
        count_variance=variance_input,
    )
    inputs.require_non_negative("count", "count_variance")
    inputs.require_positive("population", "standard_population")
    scale = require_multiplier(multiplier)
    codes, keys = _group_codes(group, inputs.length)
    size = len(keys)
    observed = inputs["count"]
    weight = inputs["standard_population"] / inputs["population"]
    total_count = np.bincount(codes, observed, minlength=size)
    total_population = np.bincount(codes, inputs["population"], minlength=size)
    total_weight = np.bincount(codes, inputs["standard_population"], minlength=size)
    rate = np.bincount(codes, observed * weight, minlength=size) / total_weight
    variance = (
        np.bincount(codes, inputs["count_variance"] * weight**2, minlength=size) / total_weight**2
    )
    calculable = total_count >= BYARS_THRESHOLD
    lower_count, upper_count = byars_limits(
        np.where(calculable, total_count, np.nan), critical_value(level)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / total_count)
    value = np.where(calculable, rate * scale, np.nan)
    lower = np.where(calculable, (rate + spread * (lower_count - total_count)) * scale, np.nan)
    upper = np.where(calculable, (rate + spread * (upper_count - total_count)) * scale, np.nan)
    method_name = (
        IntervalMethod.DOBSON if count_variance is None else IntervalMethod.DOBSON_NON_INDEPENDENT
    )
    result = pd.DataFrame(
        {
            "count": total_count,
            "population": total_population,
            "value": value,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": level,
            "multiplier": scale,
            "method": np.where(
                calculable, method_name.value, IntervalMethod.NOT_CALCULATED.value
            ).astype(object),
            "statistic": np.where(
                calculable, "dsr per " + f"{scale:g}", NOT_CALCULATED_STATISTIC
            ).astype(object),
        },
        index=keys,
    )
    methods = label_array(IntervalMethod.NOT_CALCULATED, size)
    methods[calculable] = method_name
    set_label_column(result, "method", methods)
    return result


def indirectly_standardised_ratio(
    observed: npt.ArrayLike,
    expected: npt.ArrayLike,
    *,
    reference_value: float = 1.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Indirectly standardised ratio ``O / E × reference_value`` with Poisson limits.

    ``E = Σ_i ref_rate_i · n_i`` is computed by the caller. Limits are the exact (``O < 10``)
    or Byar's (``O ≥ 10``) limits of ``O`` divided by ``E``, as in PHEindicatormethods
    ``calculate_ISRatio``. Pass ``reference_value = 100`` for a ratio expressed as a
    percentage, or the reference crude rate × multiplier for an indirectly standardised rate
    (``calculate_ISRate``).

    Parameters
    ----------
    observed : array-like
        Observed events ``O`` (≥ 0).
    expected : array-like
        Expected events ``E`` (> 0).
    reference_value : float, keyword-only
        Value the ratio is multiplied by (1, 100, or a reference rate).
    confidence : float, keyword-only
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``observed, expected, value, lower_ci, upper_ci, confidence,
        reference_value, method``.

    References
    ----------
    Breslow NE, Day NE (1987), op. cit.; PHEindicatormethods ``calculate_ISRatio``,
    ``calculate_ISRate``; ``methods.md`` §1.4.

    Examples
    --------
    >>> indirectly_standardised_ratio([151], [106.4429719])[["value", "method"]].round(4)
        value method
    0  1.4186  Byars
    """
    level = normalise_confidence(confidence)
    reference = require_multiplier(reference_value, name="reference_value")
    inputs = InputArrays(observed=observed, expected=expected)
    inputs.require_non_negative("observed")
    inputs.require_positive("expected")
    count = inputs["observed"]
    scale = reference / inputs["expected"]
    lower, upper, use_byars = count_limits(count, level, critical_value(level))
    result = pd.DataFrame(
        {
            "observed": count,
            "expected": inputs["expected"],
            "value": count * scale,
            "lower_ci": lower * scale,
            "upper_ci": upper * scale,
            "confidence": level,
            "reference_value": reference,
            "method": np.where(
                use_byars, IntervalMethod.BYARS.value, IntervalMethod.EXACT.value
            ).astype(object),
        },
        index=inputs.index,
    )
    methods = label_array(IntervalMethod.EXACT, inputs.length)
    methods[use_byars] = IntervalMethod.BYARS
    set_label_column(result, "method", methods)
    return result
