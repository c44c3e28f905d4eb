"""Repeat victimisation and repeat offending measures (``methods.md`` §7).

The same arithmetic serves victims and offenders: pass offender counts to get the share of
offenders with more than one offence and the share of offences they committed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import (
    InputArrays,
    critical_value,
    normalise_confidence,
    require_multiplier,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.proportions import wilson_limits

__all__ = ["implied_repeat_means", "repeat_concentration", "repeat_counts_from_ids"]


def repeat_counts_from_ids(
    *, ids: npt.ArrayLike, group: npt.ArrayLike | None = None
) -> pd.DataFrame:
    """Count crimes, distinct victims and repeat victims from one id per crime.

    Parameters
    ----------
    ids : array-like
        Resolved (pseudonymised) victim or offender id of each crime; missing ids raise,
        because an unidentified victim cannot be counted either way.
    group : array-like, optional
        Key per crime (e.g. crime type); one result row per key.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``crimes`` (C), ``victims`` (V), ``repeat_victims`` (V₂₊, ids with at
        least two crimes) and ``crimes_against_repeat_victims`` (C(V₂₊), including each
        repeat victim's first crime) — the inputs of :func:`repeat_concentration`.

    Examples
    --------
    >>> repeat_counts_from_ids(ids=["a", "b", "a", "c", "a", "b"]).iloc[0].tolist()
    [6, 3, 2, 5]
    """
    identifiers = pd.Series(np.asarray(ids, dtype=object).reshape(-1))
    missing = identifiers.isna().to_numpy()
    if missing.any():
        raise StatisticsInputError(
            f"ids must not be missing: row {int(np.flatnonzero(missing)[0])} "
            f"({int(missing.sum())} rows in all)"
        )
    keys = (
        pd.Series(np.zeros(identifiers.size, dtype=np.int64))
        if group is None
        else pd.Series(np.asarray(group, dtype=object).reshape(-1))
    )
    if keys.size != identifiers.size:
        raise StatisticsInputError("group must have one key per id")
    per_victim = (
        pd.DataFrame({"group": keys, "id": identifiers}).groupby(["group", "id"], sort=False).size()
    )
    grouped = per_victim.groupby(level="group", sort=False)
    repeat = per_victim[per_victim >= 2].groupby(level="group", sort=False)
    result = pd.DataFrame(
        {
            "crimes": grouped.sum(),
            "victims": grouped.size(),
            "repeat_victims": repeat.size(),
            "crimes_against_repeat_victims": repeat.sum(),
        }
    ).fillna(0)
    return result.astype(np.int64)


def repeat_concentration(
    *,
    crimes: npt.ArrayLike,
    victims: npt.ArrayLike,
    repeat_victims: npt.ArrayLike | None = None,
    crimes_against_repeat_victims: npt.ArrayLike | None = None,
    population: npt.ArrayLike | None = None,
    multiplier: float = 1000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Prevalence, incidence, concentration and both repeat-share definitions.

    With crimes ``C``, victims ``V``, repeat victims ``V₂₊`` and their crimes ``C(V₂₊)``:
    incidence ``C/P × M``; prevalence ``V/P × M``; concentration ``C/V`` (incidence =
    prevalence × concentration, Rogerson 2008); repeat-victim share ``V₂₊/V``; share of crimes
    suffered by repeat victims (definition A) ``C(V₂₊)/C``; share of crimes that are repeats
    (definition B, Home Office toolkit) ``(C − V)/C``; mean crimes per repeat victim
    ``C(V₂₊)/V₂₊``. Shares carry Wilson intervals (§1.2); crimes are clustered within victims,
    so the crime-share intervals are too narrow — use :func:`safecity.stats.dsr` with
    ``count_variance`` for honest rate intervals. Each single victim has exactly one crime, so
    the inputs must satisfy ``C − C(V₂₊) = V − V₂₊``; a violation raises.

    Parameters
    ----------
    crimes, victims : array-like
        Crimes ``C`` and distinct victims ``V`` per row (e.g. per crime type; > 0, ``V ≤ C``).
    repeat_victims, crimes_against_repeat_victims : array-like, optional
        ``V₂₊`` and ``C(V₂₊)``, needed for the repeat-victim share and definition A; see
        :func:`repeat_counts_from_ids`. Give both or neither.
    population : array-like, optional
        Resident population for incidence and prevalence.
    multiplier : float
        Rates per this many residents (default 1,000).
    confidence : float
        Level of the share intervals, as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row per input: the inputs and ``incidence, prevalence`` (with a population),
        ``concentration``, ``repeat_victim_share`` and ``repeat_victim_crime_share`` (with
        repeat counts; each with ``_lower_ci``/``_upper_ci``), ``repeat_crime_share`` (+
        limits), ``crimes_per_repeat_victim`` (with repeat counts), ``confidence,
        multiplier``.

    References
    ----------
    Home Office Crime Reduction Toolkit, "Repeat victimisation" (rv08, table 3); Rogerson M
    (2008), Counting crimes: the importance of understanding crime concentration;
    ``methods.md`` §7.

    Examples
    --------
    >>> result = repeat_concentration(crimes=459, victims=250)
    >>> round(float(result["repeat_crime_share"].iloc[0]), 4)
    0.4553
    """
    level = normalise_confidence(confidence)
    if (repeat_victims is None) != (crimes_against_repeat_victims is None):
        raise StatisticsInputError(
            "give both repeat_victims and crimes_against_repeat_victims, or neither"
        )
    with_repeats = repeat_victims is not None and crimes_against_repeat_victims is not None
    columns: dict[str, npt.ArrayLike] = {"crimes": crimes, "victims": victims}
    if repeat_victims is not None and crimes_against_repeat_victims is not None:
        columns["repeat_victims"] = repeat_victims
        columns["crimes_against_repeat_victims"] = crimes_against_repeat_victims
    if population is not None:
        columns["population"] = population
    inputs = InputArrays(**columns)
    inputs.require_positive("crimes", "victims")
    inputs.require_not_greater("victims", "crimes")
    c = inputs["crimes"]
    v = inputs["victims"]
    shares = [("repeat_crime_share", c - v, c)]
    if with_repeats:
        inputs.require_non_negative("repeat_victims", "crimes_against_repeat_victims")
        inputs.require_not_greater("repeat_victims", "victims")
        inputs.require_not_greater("crimes_against_repeat_victims", "crimes")
        v2 = inputs["repeat_victims"]
        c2 = inputs["crimes_against_repeat_victims"]
        inputs.fail(
            "crimes_against_repeat_victims",
            c2 < 2 * v2,
            "must be at least twice repeat_victims (each repeat victim has two or more crimes)",
        )
        inputs.fail(
            "crimes_against_repeat_victims",
            ~np.isclose(c - c2, v - v2),
            "is inconsistent: crimes − crimes_against_repeat_victims must equal "
            "victims − repeat_victims (single victims have one crime each)",
        )
        shares = [
            ("repeat_victim_share", v2, v),
            ("repeat_victim_crime_share", c2, c),
            *shares,
        ]
    z = critical_value(level)
    result = pd.DataFrame(inputs.arrays, index=inputs.index)
    scale = require_multiplier(multiplier)
    if population is not None:
        inputs.require_positive("population")
        result["incidence"] = c / inputs["population"] * scale
        result["prevalence"] = v / inputs["population"] * scale
    result["concentration"] = c / v
    for name, numerator, denominator in shares:
        lower, upper = wilson_limits(numerator, denominator, z)
        result[name] = numerator / denominator
        result[f"{name}_lower_ci"] = lower
        result[f"{name}_upper_ci"] = upper
    if with_repeats:
        v2 = inputs["repeat_victims"]
        c2 = inputs["crimes_against_repeat_victims"]
        with np.errstate(divide="ignore", invalid="ignore"):
            result["crimes_per_repeat_victim"] = np.where(v2 > 0, c2 / v2, np.nan)
    result["confidence"] = level
    result["multiplier"] = scale
    return result


def implied_repeat_means(
    *, repeat_victim_share: npt.ArrayLike, repeat_victim_crime_share: npt.ArrayLike
) -> pd.DataFrame:
    """Means implied by a published pair of repeat shares (a QA check, ``methods.md`` §7).

    If a share ``s_v`` of victims are repeats and they suffer a share ``s_c`` of crimes
    (definition A), single victims account for ``1 − s_c`` of crimes with one each, so
    ``C/V = (1 − s_v)/(1 − s_c)`` and repeat victims average ``s_c·(C/V)/s_v`` crimes.
    Works for offenders too.

    Returns
    -------
    pandas.DataFrame
        One row per input: the shares, ``crimes_per_victim`` and ``crimes_per_repeat_victim``.

    Examples
    --------
    >>> result = implied_repeat_means(repeat_victim_share=0.225, repeat_victim_crime_share=0.452)
    >>> result[["crimes_per_victim", "crimes_per_repeat_victim"]].round(3)
       crimes_per_victim  crimes_per_repeat_victim
    0              1.414                     2.841
    """
    inputs = InputArrays(
        repeat_victim_share=repeat_victim_share,
        repeat_victim_crime_share=repeat_victim_crime_share,
    )
    inputs.require_positive("repeat_victim_share", "repeat_victim_crime_share")
    for name in inputs.names:
        inputs.fail(name, inputs[name] >= 1, "must be a fraction below 1")
    victims_share = inputs["repeat_victim_share"]
    crime_share = inputs["repeat_victim_crime_share"]
    inputs.fail(
        "repeat_victim_crime_share",
        crime_share < victims_share,
        "must be at least repeat_victim_share (repeat victims have more crimes than others)",
    )
    per_victim = (1.0 - victims_share) / (1.0 - crime_share)
    result = pd.DataFrame(inputs.arrays, index=inputs.index)
    result["crimes_per_victim"] = per_victim
    result["crimes_per_repeat_victim"] = crime_share * per_victim / victims_share
    return result
