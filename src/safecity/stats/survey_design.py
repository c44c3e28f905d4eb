"""Taylor-linearisation variance for stratified, clustered, weighted surveys (``methods.md`` §10).

The engine behind :func:`safecity.stats.survey.survey_proportion` and the survey comparisons.
A design is R's ``svydesign(ids = ~cluster or ~1, strata = ~stratum, weights = ~w, fpc =
~population_psus, nest = TRUE)``: the first-stage sampling units (PSUs) are treated as drawn
with replacement within strata (later stages contribute through the PSU totals), unless a
finite population correction is given. Ratio estimators (means and proportions) are linearised;
domains (subgroups, respondents with a valid answer) keep the whole design — a PSU or stratum
without members of the domain contributes a zero total, exactly as ``survey::svyby`` and
``subset()`` of a ``survey.design2`` do. Everything is vectorised with ``numpy.bincount`` over
group × PSU.

References
----------
Wolter KM (2007). *Introduction to Variance Estimation*, 2nd ed. Springer, ch. 6.
Lumley T (2010). *Complex Surveys: a Guide to Analysis Using R*. Wiley, ch. 2–3.
R package ``survey`` 4.5 (``cran/survey``): ``R/multistage.R`` ``onestrat``/``onestage``
(variance within strata, lonely PSUs), ``R/surveyrep.R`` ``degf.survey.design2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import FloatArray
from safecity.stats.errors import StatisticsInputError

__all__ = [
    "DomainMeans",
    "LonelyPsu",
    "SurveyDesignFrame",
    "build_design",
    "domain_means",
    "psu_covariance",
    "psu_variance",
    "stratum_variance",
]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

SELF_REPRESENTING = 1e-7
"""A stratum whose sampling fraction is within this of 1 is self-representing (no variance),
as R ``onestrat``."""


class LonelyPsu(StrEnum):
    """What to do with a stratum that has a single PSU (R ``options(survey.lonely.psu)``)."""

    ADJUST = "adjust"
    """Centre the stratum's PSU total on the mean PSU total of the whole sample rather than
    on the stratum mean (conservative; for a mean or proportion the centre is 0)."""
    FAIL = "fail"
    """Refuse, naming the stratum (R's default)."""


@dataclass(frozen=True)
class SurveyDesignFrame:
    """A survey's sampling structure, resolved once per call.

    Attributes
    ----------
    length : int
        Respondents.
    psu : numpy.ndarray
        PSU code ``0..n_psu − 1`` of each respondent (PSUs nested within strata).
    psu_stratum : numpy.ndarray
        Stratum code of each PSU.
    stratum_psus : numpy.ndarray
        Number of sampled PSUs ``n_h`` in each stratum.
    stratum_fraction : numpy.ndarray
        Finite population factor ``f_h = (N_h − n_h)/N_h`` of each stratum (1 without fpc).
    stratum_labels : pandas.Index
        The stratum keys, for messages.
    lonely_psu : LonelyPsu
        Treatment of single-PSU strata.
    """

    length: int
    psu: IntArray
    psu_stratum: IntArray
    stratum_psus: FloatArray
    stratum_fraction: FloatArray
    stratum_labels: pd.Index
    lonely_psu: LonelyPsu

    @property
    def n_psu(self) -> int:
        """Number of PSUs in the sample."""
        return int(self.psu_stratum.size)

    @property
    def n_strata(self) -> int:
        """Number of strata."""
        return int(self.stratum_psus.size)

    @property
    def independent(self) -> bool:
        """True when every respondent is its own PSU (no clusters)."""
        return self.n_psu == self.length

    def psu_scale(self) -> tuple[FloatArray, BoolArray]:
        """Per PSU: the variance factor ``f_h·n_h/(n_h − 1)`` (``f_h`` for a lonely PSU) and
        whether the PSU is centred on the whole-sample mean (a lonely PSU under ADJUST)."""
        n_h = self.stratum_psus[self.psu_stratum]
        f_h = self.stratum_fraction[self.psu_stratum]
        lonely = n_h < 2
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(lonely, f_h, f_h * n_h / (n_h - 1.0))
        return scale, lonely


def _keys(values: npt.ArrayLike, length: int, name: str) -> tuple[IntArray, pd.Index]:
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values).reshape(-1))
    if series.size != length:
        raise StatisticsInputError(
            f"{name} must have one value per respondent: {series.size} for {length}"
        )
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        raise StatisticsInputError(
            f"{name} must not be missing (design variables): row {int(np.flatnonzero(missing)[0])}"
        )
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques)


def build_design(
    *,
    length: int,
    strata: npt.ArrayLike | None = None,
    clusters: npt.ArrayLike | None = None,
    fpc: npt.ArrayLike | None = None,
    lonely_psu: LonelyPsu = LonelyPsu.ADJUST,
) -> SurveyDesignFrame:
    """Resolve strata, clusters and the finite population correction into PSU codes.

    Parameters
    ----------
    length : int
        Number of respondents.
    strata : array-like, optional
        Stratum key per respondent; one stratum when omitted.
    clusters : array-like, optional
        First-stage cluster (PSU) key per respondent; each respondent is its own PSU when
        omitted (R ``ids = ~1``). Keys are nested within strata (R ``nest = TRUE``).
    fpc : array-like, optional
        Population number of PSUs in the respondent's stratum (R ``fpc`` given as a population
        size; constant within a stratum, at least the sampled PSUs); ``inf`` for none.
    lonely_psu : LonelyPsu
        Treatment of strata with one PSU.

    Returns
    -------
    SurveyDesignFrame
    """
    if strata is None:
        stratum = np.zeros(length, dtype=np.intp)
        stratum_labels = pd.Index([0])
    else:
        stratum, stratum_labels = _keys(strata, length, "strata")
    if clusters is None:
        psu = np.arange(length, dtype=np.intp)
    else:
        cluster, _ = _keys(clusters, length, "clusters")
        pair = stratum.astype(np.int64) * (int(cluster.max(initial=0)) + 1) + cluster
        codes, _ = pd.factorize(pair, sort=False)
        psu = codes.astype(np.intp)
    n_psu = int(psu.max(initial=-1)) + 1
    psu_stratum = np.zeros(n_psu, dtype=np.intp)
    psu_stratum[psu] = stratum
    n_strata = len(stratum_labels)
    stratum_psus = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    fraction = np.ones(n_strata, dtype=np.float64)
    if fpc is not None:
        population = np.asarray(fpc, dtype=np.float64).reshape(-1)
        if population.size != length:
            raise StatisticsInputError(
                f"fpc must have one value per respondent: {population.size} for {length}"
            )
        if np.isnan(population).any():
            raise StatisticsInputError("fpc must not be missing")
        first = np.full(n_strata, np.nan)
        first[stratum[::-1]] = population[::-1]
        if not np.array_equal(first[stratum], population):
            raise StatisticsInputError("fpc must be constant within each stratum")
        short = first < stratum_psus
        if short.any():
            label = stratum_labels[int(np.flatnonzero(short)[0])]
            raise StatisticsInputError(
                f"fpc of stratum {label} is below its number of sampled PSUs"
            )
        with np.errstate(invalid="ignore"):
            fraction = np.where(np.isinf(first), 1.0, (first - stratum_psus) / first)
    if lonely_psu is LonelyPsu.FAIL:
        lonely = (stratum_psus < 2) & (fraction >= SELF_REPRESENTING)
        if lonely.any():
            label = stratum_labels[int(np.flatnonzero(lonely)[0])]
            raise StatisticsInputError(
                f"stratum {label} has only one PSU (lonely_psu=fail; use "
                "LonelyPsu.ADJUST or merge strata)"
            )
    fraction = np.where(fraction < SELF_REPRESENTING, 0.0, fraction)
    return SurveyDesignFrame(
        length=length,
        psu=psu,
        psu_stratum=psu_stratum,
        stratum_psus=stratum_psus,
        stratum_fraction=fraction,
        stratum_labels=stratum_labels,
        lonely_psu=LonelyPsu(lonely_psu),
    )


def psu_variance(totals: FloatArray, design: SurveyDesignFrame) -> FloatArray:
    """Variance of each row's estimator from its linearised PSU totals.

    ``V = Σ_h f_h·n_h/(n_h − 1)·Σ_i (z_hi − z̄_h)²`` (R ``onestrat``); a lonely PSU under
    ``ADJUST`` contributes ``f_h·(z_h − z̄)²`` with ``z̄`` the mean PSU total of the sample.

    Parameters
    ----------
    totals : numpy.ndarray
        ``(rows, n_psu)`` linearised totals ``z`` (one row per estimate).
    design : SurveyDesignFrame

    Returns
    -------
    numpy.ndarray
        Variance per row.
    """
    rows = totals.shape[0]
    strata = design.n_strata
    codes = (np.arange(rows, dtype=np.intp)[:, None] * strata + design.psu_stratum[None, :]).ravel()
    stratum_sum = np.bincount(codes, totals.ravel(), minlength=rows * strata).reshape(rows, strata)
    scale, lonely = design.psu_scale()
    stratum_mean = stratum_sum / design.stratum_psus[None, :]
    centre = stratum_mean[:, design.psu_stratum]
    if lonely.any():
        overall = totals.sum(axis=1, keepdims=True) / design.n_psu
        centre = np.where(lonely[None, :], overall, centre)
    deviation = totals - centre
    result: FloatArray = (deviation * deviation) @ scale
    return result


def psu_covariance(totals: FloatArray, design: SurveyDesignFrame) -> FloatArray:
    """Covariance matrix of several estimators from their ``(n_psu, k)`` PSU totals."""
    strata = design.n_strata
    columns = totals.shape[1]
    stratum_sum = np.zeros((strata, columns))
    np.add.at(stratum_sum, design.psu_stratum, totals)
    scale, lonely = design.psu_scale()
    centre = (stratum_sum / design.stratum_psus[:, None])[design.psu_stratum]
    if lonely.any():
        overall = totals.sum(axis=0) / design.n_psu
        centre[lonely] = overall
    deviation = totals - centre
    result: FloatArray = deviation.T @ (deviation * scale[:, None])
    return result


def stratum_variance(
    first: FloatArray, second: FloatArray, design: SurveyDesignFrame
) -> FloatArray:
    """Variance per row from stratum sums of PSU totals ``S1 = Σ_i z_hi`` and squares
    ``S2 = Σ_i z_hi²`` (each ``(rows, n_strata)``): ``Σ_h f_h·n_h/(n_h − 1)·(S2 − S1²/n_h)``;
    a lonely PSU under ``ADJUST`` adds ``f_h·(S1 − z̄)²`` with ``z̄ = Σ_h S1/n_psu``."""
    n_h = design.stratum_psus[None, :]
    f_h = design.stratum_fraction[None, :]
    lonely = design.stratum_psus < 2
    with np.errstate(divide="ignore", invalid="ignore"):
        within = np.where(
            lonely[None, :], 0.0, f_h * n_h / (n_h - 1.0) * (second - first * first / n_h)
        )
    if lonely.any():
        overall = first.sum(axis=1, keepdims=True) / design.n_psu
        within = within + np.where(lonely[None, :], f_h * (first - overall) ** 2, 0.0)
    variance: FloatArray = np.maximum(within.sum(axis=1), 0.0)
    return variance


@dataclass(frozen=True)
class DomainMeans:
    """Weighted means of one variable in each domain, with their Taylor variance.

    Attributes hold one value per domain: ``count`` (respondents with a valid value),
    ``weight`` (``Σw``), ``total`` (``Σwy``), ``mean`` (``Σwy/Σw``), ``variance``,
    ``degrees_of_freedom`` (PSUs − strata with a valid member, R ``degf``), and, when asked
    for, ``totals`` (the ``(domains, n_psu)`` linearised PSU totals, for contrasts between
    domains; else ``None``).
    """

    count: FloatArray
    weight: FloatArray
    total: FloatArray
    mean: FloatArray
    variance: FloatArray
    degrees_of_freedom: FloatArray
    totals: FloatArray | None


def domain_means(
    *,
    values: FloatArray,
    weights: FloatArray,
    domain: IntArray,
    domains: int,
    design: SurveyDesignFrame,
    keep_totals: bool = False,
    psu: IntArray | None = None,
) -> DomainMeans:
    """Ratio means ``Σwy/Σw`` per domain with Taylor-linearised variances.

    Parameters
    ----------
    values : numpy.ndarray
        Value per respondent; NaN (no valid answer) leaves the respondent out of every domain
        while the design keeps its PSU.
    weights : numpy.ndarray
        Weight per respondent (> 0).
    domain : numpy.ndarray
        Domain code ``0..domains − 1`` per respondent, ``-1`` for none.
    domains : int
        Number of domains.
    design : SurveyDesignFrame
    keep_totals : bool
        Also return the dense ``(domains, n_psu)`` PSU totals.
    psu : numpy.ndarray, optional
        PSU code of each element of ``values`` when they are several variables stacked
        (respondent-major copies of ``design.psu``); by default ``design.psu``.

    Returns
    -------
    DomainMeans
        The linearised total of PSU ``i`` for domain ``d`` is
        ``z_di = Σ_{j∈i, j∈d} w_j (y_j − ȳ_d) / Σ_{j∈d} w_j`` (R ``svymean`` on ``subset``);
        only the (domain, PSU) pairs with members are formed, so the cost is linear in the
        respondents whatever the number of PSUs.
    """
    element_psu = design.psu if psu is None else psu
    member = (domain >= 0) & ~np.isnan(values)
    group = domain[member]
    weight = weights[member]
    value = values[member]
    count = np.bincount(group, minlength=domains).astype(np.float64)
    weight_sum: FloatArray = np.bincount(group, weight, minlength=domains).astype(np.float64)
    total: FloatArray = np.bincount(group, weight * value, minlength=domains).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / weight_sum
        row_total = weight * (value - mean[group]) / weight_sum[group]
    strata = design.n_strata
    if design.independent:
        pair_group = group
        pair_psu = element_psu[member]
        pair_stratum = design.psu_stratum[pair_psu]
        pair_total = row_total
    else:
        code = group.astype(np.int64) * design.n_psu + element_psu[member]
        if domains * design.n_psu <= 4 * max(code.size, 1):
            dense = np.bincount(code, minlength=domains * design.n_psu)
            pairs = np.flatnonzero(dense)
            dense_total = np.bincount(code, row_total, minlength=domains * design.n_psu)
            pair_total = dense_total[pairs].astype(np.float64)
        else:
            pairs, inverse = np.unique(code, return_inverse=True)
            pair_total = np.bincount(inverse, row_total, minlength=pairs.size).astype(np.float64)
        pair_group = (pairs // design.n_psu).astype(np.intp)
        pair_psu = (pairs % design.n_psu).astype(np.intp)
        pair_stratum = design.psu_stratum[pair_psu]
    cell = pair_group * strata + pair_stratum
    size = domains * strata
    first = np.bincount(cell, pair_total, minlength=size).astype(np.float64)
    second = np.bincount(cell, pair_total * pair_total, minlength=size).astype(np.float64)
    first = first.reshape(domains, strata)
    second = second.reshape(domains, strata)
    variance = np.where(count > 0, stratum_variance(first, second, design), np.nan)
    psus = np.bincount(pair_group, minlength=domains).astype(np.float64)
    strata_present = (np.bincount(cell, minlength=size).reshape(domains, strata) > 0).sum(axis=1)
    totals = None
    if keep_totals:
        totals = np.zeros((domains, design.n_psu))
        np.add.at(totals, (pair_group, pair_psu), pair_total)
    return DomainMeans(
        count=count,
        weight=weight_sum,
        total=total,
        mean=mean,
        variance=variance,
        degrees_of_freedom=psus - strata_present,
        totals=totals,
    )
