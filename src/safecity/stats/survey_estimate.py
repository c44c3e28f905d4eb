"""Survey proportions by subgroup with design-based intervals (``methods.md`` §10).

:func:`survey_proportion` is the estimator every survey measure goes through: the weighted share
``p_w = Σwy/Σw`` of the valid answers, its Taylor-linearised standard error under the survey
design (strata, clusters, weights; R ``survey::svymean``), and a logit interval on the design
degrees of freedom (R ``survey::svyciprop(method = "logit")``) — or, where the design is unknown,
the Kish effective-sample-size Wilson interval of :func:`safecity.stats.weighted_proportion`.
Subgroups are domains of the whole design (R ``survey::svyby``), never separate subsets.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special
from scipy import stats as scipy_stats

from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    critical_value,
    label_array,
    normalise_confidence,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import IntervalMethod
from safecity.stats.proportions import wilson_limits
from safecity.stats.survey_design import (
    DomainMeans,
    LonelyPsu,
    SurveyDesignFrame,
    build_design,
    domain_means,
)

__all__ = [
    "ALL_RESPONDENTS",
    "ESTIMATE_COLUMNS",
    "SurveyDesign",
    "survey_proportion",
    "survey_proportions",
]

ALL_RESPONDENTS = "All respondents"
"""The index label of the single row when no ``group`` is given."""

ESTIMATE_COLUMNS = (
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "method",
    "standard_error",
    "unweighted_base",
    "weighted_base",
    "weighted_numerator",
    "design_effect",
    "effective_sample_size",
)
"""The columns of :func:`survey_proportion`, in order (the survey contract, issue 12)."""


class SurveyDesign(StrEnum):
    """How the sampling variance of a survey proportion is estimated (``methods.md`` §10)."""

    TAYLOR = "taylor"
    """Taylor linearisation of the ratio ``Σwy/Σw`` under the design given by ``strata`` and
    ``clusters`` (respondents independent when there are no clusters), with-replacement first
    stage: R ``svydesign(ids = ~cluster or ~1, strata = ~stratum, weights = ~w)``; interval
    R ``svyciprop(method = "logit")``."""
    KISH = "kish"
    """The design is unknown: Wilson's interval on the Kish effective sample size
    ``(Σw)²/Σw²`` (Korn–Graubard style; :func:`safecity.stats.weighted_proportion`)."""


def response_array(response: npt.ArrayLike, name: str = "response") -> FloatArray:
    """``response`` as floats: 1, 0 or NaN (no valid answer); anything else raises."""
    try:
        answers = np.asarray(response, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        answers = np.asarray(
            pd.to_numeric(
                pd.Series(np.asarray(response, dtype=object).reshape(-1)), errors="coerce"
            ),
            dtype=np.float64,
        )
    bad = ~((answers == 0.0) | (answers == 1.0) | np.isnan(answers))
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise StatisticsInputError(
            f"{name} must be 0, 1 or missing: {float(answers[position])!r} at row {position}"
        )
    return answers


def weight_array(weights: npt.ArrayLike, length: int) -> FloatArray:
    """Positive finite weights, one per respondent."""
    inputs = InputArrays(weights=weights)
    inputs.require_positive("weights")
    weight = inputs["weights"]
    if weight.size != length:
        raise StatisticsInputError(
            f"weights must have one value per respondent: {weight.size} for {length}"
        )
    return weight


def group_codes(group: npt.ArrayLike | None, length: int) -> tuple[npt.NDArray[np.intp], pd.Index]:
    """Domain code per respondent (``-1`` where the group is missing) and the group keys.

    A :class:`pandas.Categorical` (or categorical Series) keeps its categories in order, empty
    ones included; other keys are sorted where they can be, else kept in order of appearance.
    """
    if group is None:
        return np.zeros(length, dtype=np.intp), pd.Index([ALL_RESPONDENTS], name="group")
    if isinstance(group, pd.Series | pd.Categorical | pd.Index) and isinstance(
        group.dtype, pd.CategoricalDtype
    ):
        categorical = pd.Categorical(group)
        codes = np.asarray(categorical.codes, dtype=np.intp)
        keys = pd.Index(list(categorical.categories), name="group")
    else:
        series = group if isinstance(group, pd.Series) else pd.Series(np.asarray(group).reshape(-1))
        try:
            raw_codes, uniques = pd.factorize(series, sort=True)
        except TypeError:
            raw_codes, uniques = pd.factorize(series, sort=False)
        codes = np.asarray(raw_codes, dtype=np.intp)
        keys = pd.Index(uniques, name="group")
    if codes.size != length:
        raise StatisticsInputError(
            f"group must have one key per respondent: {codes.size} for {length}"
        )
    return codes, keys


def t_quantile(confidence: float, degrees_of_freedom: FloatArray) -> FloatArray:
    """Two-sided t critical value on each row's degrees of freedom (NaN below 1)."""
    with np.errstate(invalid="ignore"):
        quantile: FloatArray = np.where(
            degrees_of_freedom >= 1,
            scipy_stats.t.ppf(0.5 + confidence / 2.0, np.maximum(degrees_of_freedom, 1.0)),
            np.nan,
        )
    return quantile


def kish_effective(
    *, weights: FloatArray, valid: npt.NDArray[np.bool_], domain: npt.NDArray[np.intp], size: int
) -> FloatArray:
    """Kish effective sample size ``(Σw)²/Σw²`` of the valid members of each domain."""
    member = valid & (domain >= 0)
    total = np.bincount(domain[member], weights[member], minlength=size)
    squares = np.bincount(domain[member], weights[member] ** 2, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        effective: FloatArray = total**2 / squares
    return effective


def _taylor_columns(
    means: DomainMeans, kish: FloatArray, level: float
) -> tuple[dict[str, FloatArray], list[IntervalMethod]]:
    count = means.count
    value = means.mean
    variance = means.variance
    with np.errstate(divide="ignore", invalid="ignore"):
        srs_variance = value * (1.0 - value) / (count - 1.0)
        design_effect = np.where(count > 1, variance / srs_variance, np.nan)
        effective = count / design_effect
        logit_se = np.sqrt(variance) / (value * (1.0 - value))
        quantile = t_quantile(level, means.degrees_of_freedom)
        centre = special.logit(value)
        lower = special.expit(centre - quantile * logit_se)
        upper = special.expit(centre + quantile * logit_se)
    usable = (
        (count > 0)
        & (value > 0)
        & (value < 1)
        & (variance > 0)
        & np.isfinite(lower)
        & np.isfinite(upper)
    )
    fallback = (count > 0) & ~usable
    if fallback.any():
        kish_lower, kish_upper = wilson_limits(
            value[fallback] * kish[fallback], kish[fallback], critical_value(level)
        )
        lower[fallback] = kish_lower
        upper[fallback] = kish_upper
        design_effect[fallback] = count[fallback] / kish[fallback]
        effective[fallback] = kish[fallback]
    methods = [
        IntervalMethod.TAYLOR_LOGIT
        if use
        else (IntervalMethod.WEIGHTED_WILSON if given else IntervalMethod.NOT_CALCULATED)
        for use, given in zip(usable, count > 0, strict=True)
    ]
    columns = {
        "value": value,
        "lower_ci": np.where(count > 0, lower, np.nan),
        "upper_ci": np.where(count > 0, upper, np.nan),
        "standard_error": np.sqrt(variance),
        "design_effect": design_effect,
        "effective_sample_size": effective,
    }
    return columns, methods


def _kish_columns(
    means: DomainMeans, kish: FloatArray, level: float
) -> tuple[dict[str, FloatArray], list[IntervalMethod]]:
    count = means.count
    value = means.mean
    given = count > 0
    lower = np.full(count.size, np.nan)
    upper = np.full(count.size, np.nan)
    lower[given], upper[given] = wilson_limits(
        value[given] * kish[given], kish[given], critical_value(level)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        standard_error = np.sqrt(value * (1.0 - value) / kish)
        design_effect = count / kish
    methods = [
        IntervalMethod.WEIGHTED_WILSON if row else IntervalMethod.NOT_CALCULATED for row in given
    ]
    columns = {
        "value": value,
        "lower_ci": lower,
        "upper_ci": upper,
        "standard_error": standard_error,
        "design_effect": design_effect,
        "effective_sample_size": kish,
    }
    return columns, methods


def estimate_frame(
    *,
    answers: FloatArray,
    weight: FloatArray,
    codes: npt.NDArray[np.intp],
    keys: pd.Index,
    frame_design: SurveyDesignFrame,
    design: SurveyDesign,
    level: float,
    psu: npt.NDArray[np.intp] | None = None,
) -> tuple[pd.DataFrame, DomainMeans]:
    """The estimates table of :func:`survey_proportion` from resolved inputs (``answers``
    may be several measures stacked, with ``codes`` numbering measure × group and ``psu``
    the PSU of each element)."""
    size = len(keys)
    means = domain_means(
        values=answers,
        weights=weight,
        domain=codes,
        domains=size,
        design=frame_design,
        psu=psu,
    )
    kish = kish_effective(weights=weight, valid=~np.isnan(answers), domain=codes, size=size)
    if design is SurveyDesign.TAYLOR:
        columns, methods = _taylor_columns(means, kish, level)
    else:
        columns, methods = _kish_columns(means, kish, level)
    frame = pd.DataFrame(
        {
            "value": columns["value"],
            "lower_ci": columns["lower_ci"],
            "upper_ci": columns["upper_ci"],
            "confidence": np.full(size, level),
            "method": pd.Series(label_array(methods, size), index=keys, dtype=object),
            "standard_error": columns["standard_error"],
            "unweighted_base": means.count.astype(np.int64),
            "weighted_base": means.weight,
            "weighted_numerator": means.total,
            "design_effect": columns["design_effect"],
            "effective_sample_size": columns["effective_sample_size"],
        },
        index=keys,
    )
    return frame, means


def survey_proportion(
    *,
    response: npt.ArrayLike,
    weights: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    strata: npt.ArrayLike | None = None,
    clusters: npt.ArrayLike | None = None,
    design: SurveyDesign,
    confidence: float = 0.95,
    fpc: npt.ArrayLike | None = None,
    lonely_psu: LonelyPsu = LonelyPsu.ADJUST,
) -> pd.DataFrame:
    """Weighted proportion of a survey measure, overall or by subgroup, with its interval.

    ``p_w = Σwᵢyᵢ/Σwᵢ`` over the valid answers (``y ∈ {0, 1}``; NaN — "don't know", refused,
    not asked, or outside the measure's base such as non-victims for "did not report" — is no
    valid answer). With :attr:`SurveyDesign.TAYLOR` the standard error is the Taylor
    linearisation of the ratio under the design (strata, clusters as first-stage units drawn
    with replacement, optional ``fpc``), each subgroup a domain of the whole design (R
    ``svyby(~y, ~group, design, svymean)``); the interval is the logit interval
    ``expit(logit p ± t_{df} · SE/(p(1 − p)))`` on the domain's design degrees of freedom ``df
    = PSUs − strata`` with valid members (R ``svyciprop(method = "logit")``, whose default
    ``df = degf(design)``). A share of exactly 0 or 1 (no variance, no logit) falls back to
    the Kish Wilson interval, and its ``method`` says so. ``design_effect`` is the variance
    over the with-replacement simple-random-sample variance ``p(1 − p)/(n − 1)`` (R
    ``svymean(deff = "replace")``) and ``effective_sample_size = n/design_effect``. With
    :attr:`SurveyDesign.KISH` the interval is Wilson's on the Kish ``n_eff`` and the design
    effect Kish's (identical to :func:`safecity.stats.weighted_proportion`).

    Parameters
    ----------
    response : array-like
        1 (yes), 0 (no) or NaN (no valid answer) per respondent.
    weights : array-like
        Weight per respondent (> 0).
    group : array-like, optional
        Subgroup key per respondent (a missing key leaves the respondent out of every
        subgroup, not out of the design). A categorical keeps its categories' order, empty
        ones included (a row with ``unweighted_base`` 0 and NaN estimates).
    strata, clusters : array-like, optional
        Design stratum and first-stage cluster (PSU) keys; clusters are nested in strata.
    design : SurveyDesign
        Taylor linearisation or the Kish effective sample size.
    confidence : float
        Confidence level as a fraction.
    fpc : array-like, optional
        Population number of PSUs in each respondent's stratum (finite population correction,
        R ``fpc`` as a population size); omit for with-replacement sampling.
    lonely_psu : LonelyPsu
        A stratum with one PSU: ``ADJUST`` (default; R ``survey.lonely.psu = "adjust"``, centred
        on the sample mean, conservative) or ``FAIL`` (R's default; raises).

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``"All respondents"`` without ``group``): ``value, lower_ci,
        upper_ci, confidence, method, standard_error, unweighted_base, weighted_base,
        weighted_numerator, design_effect, effective_sample_size``. Proportions are fractions.

    References
    ----------
    Binder DA (1983). On the variances of asymptotically normal estimators from complex
    surveys. *Int Stat Rev* 51:279–292. Lumley T (2010), op. cit., §2.2, §2.3.1. Korn EL,
    Graubard BI (1998), op. cit. R ``survey`` 4.5: ``svymean``, ``svyby``, ``svyciprop``.
    ``methods.md`` §10.

    Examples
    --------
    >>> result = survey_proportion(
    ...     response=[1, 0, 1, 1, 0, 1], weights=[1, 2, 1, 2, 1, 2], design=SurveyDesign.TAYLOR
    ... )
    >>> round(float(result["value"].iloc[0]), 4), int(result["unweighted_base"].iloc[0])
    (0.6667, 6)
    """
    level = normalise_confidence(confidence)
    design = SurveyDesign(design)
    answers = response_array(response)
    length = answers.size
    weight = weight_array(weights, length)
    codes, keys = group_codes(group, length)
    frame_design = build_design(
        length=length, strata=strata, clusters=clusters, fpc=fpc, lonely_psu=lonely_psu
    )
    frame, _ = estimate_frame(
        answers=answers,
        weight=weight,
        codes=codes,
        keys=keys,
        frame_design=frame_design,
        design=design,
        level=level,
    )
    return frame


def survey_proportions(
    *,
    responses: pd.DataFrame,
    weights: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    strata: npt.ArrayLike | None = None,
    clusters: npt.ArrayLike | None = None,
    design: SurveyDesign,
    confidence: float = 0.95,
    fpc: npt.ArrayLike | None = None,
    lonely_psu: LonelyPsu = LonelyPsu.ADJUST,
) -> pd.DataFrame:
    """:func:`survey_proportion` of many measures at once (one column each), by one grouping.

    The same estimates, computed in one pass over measure × group × PSU — the way to estimate
    a whole questionnaire (options of a multiple-choice question are measures too).

    Parameters
    ----------
    responses : pandas.DataFrame
        One 0/1/NaN column per measure (the column name is the measure), one row per
        respondent.
    weights, group, strata, clusters, design, confidence, fpc, lonely_psu
        As :func:`survey_proportion`.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``measure``, ``group``): the columns of :func:`survey_proportion`.

    Examples
    --------
    >>> table = survey_proportions(
    ...     responses=pd.DataFrame({"safe": [1, 0, 1, 1], "victim": [0, 0, 1, None]}),
    ...     weights=[1, 1, 2, 2], design=SurveyDesign.TAYLOR,
    ... )
    >>> table["value"].round(4).tolist(), table["unweighted_base"].tolist()
    ([0.8333, 0.5], [4, 3])
    """
    level = normalise_confidence(confidence)
    design = SurveyDesign(design)
    if responses.shape[1] == 0:
        raise StatisticsInputError("responses must have at least one measure column")
    length = len(responses)
    weight = weight_array(weights, length)
    codes, keys = group_codes(group, length)
    frame_design = build_design(
        length=length, strata=strata, clusters=clusters, fpc=fpc, lonely_psu=lonely_psu
    )
    measures = list(responses.columns)
    matrix = np.column_stack(
        [
            response_array(responses[name].to_numpy(), name=f"responses[{name!r}]")
            for name in measures
        ]
    )
    groups = len(keys)
    stacked_codes = np.where(
        codes[:, None] >= 0, np.arange(len(measures))[None, :] * groups + codes[:, None], -1
    ).astype(np.intp)
    index = pd.MultiIndex.from_product([pd.Index(measures), keys], names=["measure", "group"])
    frame, _ = estimate_frame(
        answers=matrix.ravel(),
        weight=np.repeat(weight, len(measures)),
        codes=stacked_codes.ravel(),
        keys=index,
        frame_design=frame_design,
        design=design,
        level=level,
        psu=np.repeat(frame_design.psu, len(measures)),
    )
    return frame
