"""Comparisons of survey proportions (``methods.md`` §10).

* Subgroups of one wave share the design: :func:`survey_chisq` is the Rao–Scott test of
  association (R ``survey::svychisq``), :func:`compare_survey_groups` the difference of two
  subgroups with its design-based interval and a named test.
* Independent waves: :func:`compare_survey_waves`, Newcombe's interval on effective sample sizes.
* Multiple-choice questions: :func:`rank_survey_options` ranks the options within a group.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as scipy_stats

from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    normalise_confidence,
    set_label_column,
)
from safecity.stats.differences import proportion_difference
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import IntervalMethod, SurveyTest
from safecity.stats.survey_design import (
    LonelyPsu,
    SurveyDesignFrame,
    build_design,
    domain_means,
    psu_covariance,
    psu_variance,
)
from safecity.stats.survey_estimate import (
    SurveyDesign,
    estimate_frame,
    group_codes,
    kish_effective,
    response_array,
    t_quantile,
    weight_array,
)

__all__ = [
    "compare_survey_groups",
    "compare_survey_waves",
    "rank_survey_options",
    "survey_chisq",
]


def _category_codes(
    values: npt.ArrayLike, length: int, name: str
) -> tuple[npt.NDArray[np.intp], int]:
    series = pd.Series(np.asarray(values, dtype=object).reshape(-1))
    if series.size != length:
        raise StatisticsInputError(f"{name} must have one value per respondent")
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.intp), len(uniques)


def _degrees_of_freedom(member: npt.NDArray[np.bool_], design: SurveyDesignFrame) -> float:
    """R ``degf`` of the subset ``member``: PSUs with a member minus strata with one."""
    psus = np.unique(design.psu[member])
    strata = np.unique(design.psu_stratum[psus])
    return float(psus.size - strata.size)


def _rao_scott(
    *,
    row: npt.NDArray[np.intp],
    rows: int,
    column: npt.NDArray[np.intp],
    columns: int,
    weight: FloatArray,
    design: SurveyDesignFrame,
) -> dict[str, float]:
    member = (row >= 0) & (column >= 0)
    count = float(member.sum())
    cells = rows * columns
    cell = row[member] + rows * column[member]
    psu = design.psu[member]
    w = weight[member]
    total = w.sum()
    mean = np.bincount(cell, w, minlength=cells) / total
    psu_weight = np.bincount(psu, w, minlength=design.n_psu)
    psu_cells = np.bincount(psu * cells + cell, w, minlength=design.n_psu * cells).reshape(
        design.n_psu, cells
    )
    totals = (psu_cells - psu_weight[:, None] * mean[None, :]) / total
    covariance = psu_covariance(totals, design)
    table = (mean * count).reshape(columns, rows).T
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / count
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((table - expected) ** 2 / expected))
    row_index = np.tile(np.arange(rows), columns)
    column_index = np.repeat(np.arange(columns), rows)
    main = np.column_stack(
        [np.ones(cells)]
        + [(row_index == r).astype(float) for r in range(1, rows)]
        + [(column_index == c).astype(float) for c in range(1, columns)]
    )
    interaction = np.column_stack(
        [
            ((row_index == r) & (column_index == c)).astype(float)
            for c in range(1, columns)
            for r in range(1, rows)
        ]
    )
    coefficients, *_ = np.linalg.lstsq(main, interaction, rcond=None)
    contrast = interaction - main @ coefficients
    inverse = np.where(mean == 0, 0.0, 1.0 / np.where(mean == 0, 1.0, mean))
    scaled = contrast * inverse[:, None]
    denominator = contrast.T @ (scaled / count)
    numerator = scaled.T @ covariance @ scaled
    delta = np.linalg.solve(denominator, numerator)
    trace = float(np.trace(delta))
    trace_squared = float(np.trace(delta @ delta))
    nu = _degrees_of_freedom(member, design)
    d0 = trace**2 / trace_squared
    statistic = pearson / trace
    first_order = pearson / (trace / delta.shape[0])
    return {
        "statistic": statistic,
        "numerator_df": d0,
        "denominator_df": d0 * nu,
        "p_value": float(scipy_stats.f.sf(statistic, d0, d0 * nu)),
        "pearson": pearson,
        "chisq": first_order,
        "chisq_df": float(delta.shape[0]),
        "chisq_p_value": float(scipy_stats.chi2.sf(first_order, delta.shape[0])),
    }


def survey_chisq(
    *,
    rows: npt.ArrayLike,
    columns: npt.ArrayLike,
    weights: npt.ArrayLike,
    strata: npt.ArrayLike | None = None,
    clusters: npt.ArrayLike | None = None,
    fpc: npt.ArrayLike | None = None,
    lonely_psu: LonelyPsu = LonelyPsu.ADJUST,
) -> pd.DataFrame:
    """Rao–Scott test of association in a two-way survey table (R ``survey::svychisq``).

    Pearson's ``X²`` on the weighted table scaled to the unweighted count ``N``, divided by
    the trace of the generalised design-effect matrix ``Δ = (C′D⁻¹C/N)⁻¹ (C′D⁻¹VD⁻¹C)``
    (``V`` the Taylor covariance of the cell proportions, ``D`` their diagonal, ``C`` the
    interaction contrasts), referred to ``F(d₀, d₀·ν)`` with ``d₀ = (tr Δ)²/tr Δ²`` and ``ν``
    the design degrees of freedom — the second-order correction, ``svychisq(statistic =
    "F")``, R's default. The first-order ``X²/mean(δ)`` on ``χ²((r−1)(c−1))``
    (``statistic = "Chisq"``) is also returned. Respondents with a missing value in either
    variable are left out as R ``subset()`` does (the design is kept).

    Parameters
    ----------
    rows, columns : array-like
        The two categorical variables (NaN = missing).
    weights, strata, clusters, fpc, lonely_psu
        As :func:`safecity.stats.survey.survey_proportion`.

    Returns
    -------
    pandas.DataFrame
        One row: ``statistic`` (F), ``numerator_df, denominator_df, p_value, pearson,
        chisq, chisq_df, chisq_p_value, test``.

    References
    ----------
    Rao JNK, Scott AJ (1984). On chi-squared tests for multiway contingency tables with cell
    proportions estimated from survey data. *Ann Stat* 12:46–60. R ``survey`` 4.5
    ``R/surveychisq.R``.
    """
    first = np.asarray(rows, dtype=object).reshape(-1)
    length = first.size
    weight = weight_array(weights, length)
    row, row_count = _category_codes(first, length, "rows")
    column, column_count = _category_codes(columns, length, "columns")
    member = (row >= 0) & (column >= 0)
    used_rows = np.unique(row[member]).size
    used_columns = np.unique(column[member]).size
    if used_rows < 2 or used_columns < 2:
        raise StatisticsInputError("survey_chisq needs at least two categories of each variable")
    design = build_design(
        length=length, strata=strata, clusters=clusters, fpc=fpc, lonely_psu=lonely_psu
    )
    row_map = np.full(row_count + 1, -1, dtype=np.intp)
    row_map[np.unique(row[member])] = np.arange(used_rows)
    column_map = np.full(column_count + 1, -1, dtype=np.intp)
    column_map[np.unique(column[member])] = np.arange(used_columns)
    result = _rao_scott(
        row=np.where(member, row_map[row], -1),
        rows=used_rows,
        column=np.where(member, column_map[column], -1),
        columns=used_columns,
        weight=weight,
        design=design,
    )
    frame = pd.DataFrame([result])
    set_label_column(frame, "test", SurveyTest.RAO_SCOTT)
    return frame


def compare_survey_groups(
    *,
    response: npt.ArrayLike,
    weights: npt.ArrayLike,
    group: npt.ArrayLike,
    first: Hashable,
    second: Hashable,
    strata: npt.ArrayLike | None = None,
    clusters: npt.ArrayLike | None = None,
    design: SurveyDesign,
    confidence: float = 0.95,
    test: SurveyTest = SurveyTest.RAO_SCOTT,
    fpc: npt.ArrayLike | None = None,
    lonely_psu: LonelyPsu = LonelyPsu.ADJUST,
) -> pd.DataFrame:
    """Difference between two subgroups of one survey wave (``first`` minus ``second``).

    With :attr:`SurveyDesign.TAYLOR` the difference of the two domain proportions has the
    Taylor-linearised standard error of ``z_first − z_second`` over the PSUs (their covariance
    included: the subgroups share clusters), and the interval is ``d ± t·SE`` on ``degf − 1``
    degrees of freedom of the two subgroups' respondents with a valid answer (R
    ``svyttest(y ~ group, subset(design, group %in% c(first, second)))``). ``p_value`` and
    ``significant`` come from ``test``: :attr:`SurveyTest.RAO_SCOTT` (default; the 2 × 2
    ``svychisq`` of answer by subgroup on those respondents) or :attr:`SurveyTest.DESIGN_T`
    (the t test of the same interval). With :attr:`SurveyDesign.KISH` the comparison is
    Newcombe's interval on each subgroup's effective numbers (``methods.md`` §10, "approximately,
    Newcombe difference with each group's n_eff"), which treats the subgroups as independent.

    Parameters
    ----------
    response, weights, group, strata, clusters, design, confidence, fpc, lonely_psu
        As :func:`safecity.stats.survey.survey_proportion`.
    first, second : object
        The subgroup keys compared.
    test : SurveyTest
        ``RAO_SCOTT`` or ``DESIGN_T`` for the Taylor design (ignored for Kish: Newcombe).

    Returns
    -------
    pandas.DataFrame
        One row: ``first, second, first_value, second_value, difference, lower_ci, upper_ci,
        confidence, method, standard_error, statistic, p_value, test, significant``.

    References
    ----------
    Rao JNK, Scott AJ (1984), op. cit.; Newcombe RG (1998), op. cit.; R ``survey`` 4.5
    ``svyttest``, ``svychisq``; ``methods.md`` §10.
    """
    level = normalise_confidence(confidence)
    design = SurveyDesign(design)
    test = SurveyTest(test)
    answers = response_array(response)
    length = answers.size
    weight = weight_array(weights, length)
    codes, keys = group_codes(group, length)
    for key in (first, second):
        if key not in keys:
            raise StatisticsInputError(f"group {key!r} has no respondents")
    positions = {key: position for position, key in enumerate(keys)}
    one = positions[first]
    two = positions[second]
    pair = np.full(length, -1, dtype=np.intp)
    pair[codes == one] = 0
    pair[codes == two] = 1
    frame_design = build_design(
        length=length, strata=strata, clusters=clusters, fpc=fpc, lonely_psu=lonely_psu
    )
    means = domain_means(
        values=answers,
        weights=weight,
        domain=pair,
        domains=2,
        design=frame_design,
        keep_totals=True,
    )
    if (means.count == 0).any():
        empty = first if means.count[0] == 0 else second
        raise StatisticsInputError(f"group {empty!r} has no valid responses")
    difference = float(means.mean[0] - means.mean[1])
    row: dict[str, object] = {
        "first": first,
        "second": second,
        "first_value": float(means.mean[0]),
        "second_value": float(means.mean[1]),
        "difference": difference,
    }
    if design is SurveyDesign.KISH:
        effective = kish_effective(weights=weight, valid=~np.isnan(answers), domain=pair, size=2)
        newcombe = proportion_difference(
            numerator=means.mean[0] * effective[0],
            denominator=effective[0],
            comparator_numerator=means.mean[1] * effective[1],
            comparator_denominator=effective[1],
            confidence=level,
        ).iloc[0]
        pooled_se = difference / float(newcombe["z"]) if float(newcombe["z"]) else np.nan
        row |= {
            "lower_ci": float(newcombe["lower_ci"]),
            "upper_ci": float(newcombe["upper_ci"]),
            "confidence": level,
            "method": IntervalMethod.NEWCOMBE_EFFECTIVE,
            "standard_error": pooled_se,
            "statistic": float(newcombe["z"]),
            "p_value": float(newcombe["p_value"]),
            "test": SurveyTest.NEWCOMBE_EFFECTIVE,
            "significant": bool(newcombe["significant"]),
        }
        return _one_row(row)
    if means.totals is None:
        raise StatisticsInputError("internal: PSU totals were not kept")
    contrast = means.totals[0] - means.totals[1]
    standard_error = float(np.sqrt(psu_variance(contrast[None, :], frame_design)[0]))
    valid_pair = (pair >= 0) & ~np.isnan(answers)
    t_df = _degrees_of_freedom(valid_pair, frame_design) - 1.0
    quantile = float(t_quantile(level, np.array([t_df]))[0])
    statistic_t = difference / standard_error if standard_error > 0 else np.nan
    if test is SurveyTest.DESIGN_T:
        statistic = statistic_t
        p_value = (
            float(2.0 * scipy_stats.t.sf(abs(statistic_t), t_df))
            if np.isfinite(statistic_t) and t_df >= 1
            else np.nan
        )
    else:
        yes = np.where(valid_pair, answers, np.nan)
        chisq = (
            _rao_scott(
                row=np.where(valid_pair, np.nan_to_num(yes).astype(np.intp), -1),
                rows=2,
                column=np.where(valid_pair, pair, -1),
                columns=2,
                weight=weight,
                design=frame_design,
            )
            if _both_answers(answers, valid_pair)
            else None
        )
        statistic = chisq["statistic"] if chisq else np.nan
        p_value = chisq["p_value"] if chisq else 1.0
    row |= {
        "lower_ci": difference - quantile * standard_error,
        "upper_ci": difference + quantile * standard_error,
        "confidence": level,
        "method": IntervalMethod.TAYLOR_DIFFERENCE,
        "standard_error": standard_error,
        "statistic": statistic,
        "p_value": p_value,
        "test": test,
        "significant": bool(np.isfinite(p_value) and p_value < 1.0 - level),
    }
    return _one_row(row)


def _both_answers(answers: FloatArray, member: npt.NDArray[np.bool_]) -> bool:
    given = answers[member]
    return bool((given == 1).any() and (given == 0).any())


def _one_row(row: dict[str, object]) -> pd.DataFrame:
    labels = {name: row.pop(name) for name in ("method", "test")}
    frame = pd.DataFrame([row])
    for name, label in labels.items():
        set_label_column(frame, name, label)
    ordered = [
        "first",
        "second",
        "first_value",
        "second_value",
        "difference",
        "lower_ci",
        "upper_ci",
        "confidence",
        "method",
        "standard_error",
        "statistic",
        "p_value",
        "test",
        "significant",
    ]
    return frame.loc[:, ordered]


def compare_survey_waves(
    *,
    value: npt.ArrayLike,
    effective_sample_size: npt.ArrayLike,
    comparator_value: npt.ArrayLike,
    comparator_effective_sample_size: npt.ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change between two independent survey waves (``value`` minus ``comparator_value``).

    Newcombe's hybrid score interval (``methods.md`` §2.2b, method 10) on effective numbers
    ``p·n_eff`` out of ``n_eff`` for each wave — ``n_eff`` from
    :func:`safecity.stats.survey.survey_proportion` (design-based for the Taylor design, Kish
    otherwise). ``significant`` when the interval excludes 0; ``p_value`` is the pooled
    two-proportion z test on the same effective numbers. Vectorised: one row per measure.
    Waves must be different respondents; do not use it for a panel.

    Parameters
    ----------
    value, effective_sample_size : array-like
        The later wave's proportions (fractions) and effective sample sizes.
    comparator_value, comparator_effective_sample_size : array-like
        The earlier wave's.
    confidence : float
        Confidence level as a fraction.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``value, comparator_value, difference, lower_ci, upper_ci,
        confidence, method, z, p_value, test, significant``.

    References
    ----------
    Newcombe RG (1998), op. cit.; Kish L (1965), op. cit.; ``methods.md`` §10.

    Examples
    --------
    >>> result = compare_survey_waves(
    ...     value=0.5, effective_sample_size=1400,
    ...     comparator_value=495 / 1151, comparator_effective_sample_size=1151,
    ... )
    >>> result[["difference", "z", "p_value"]].round(4).iloc[0].tolist()
    [0.0699, 3.5226, 0.0004]
    """
    level = normalise_confidence(confidence)
    inputs = InputArrays(
        value=value,
        effective_sample_size=effective_sample_size,
        comparator_value=comparator_value,
        comparator_effective_sample_size=comparator_effective_sample_size,
    )
    inputs.require_positive("effective_sample_size", "comparator_effective_sample_size")
    for name in ("value", "comparator_value"):
        share = inputs[name]
        outside = (share < 0) | (share > 1)
        if outside.any():
            position = int(np.flatnonzero(outside)[0])
            raise StatisticsInputError(
                f"{name} must be a proportion between 0 and 1: {float(share[position])!r} at "
                f"{inputs.row_label(position)}"
            )
    newcombe = proportion_difference(
        numerator=inputs["value"] * inputs["effective_sample_size"],
        denominator=inputs["effective_sample_size"],
        comparator_numerator=inputs["comparator_value"]
        * inputs["comparator_effective_sample_size"],
        comparator_denominator=inputs["comparator_effective_sample_size"],
        confidence=level,
    )
    frame = pd.DataFrame(
        {
            "value": inputs["value"],
            "comparator_value": inputs["comparator_value"],
            "difference": newcombe["value"].to_numpy(),
            "lower_ci": newcombe["lower_ci"].to_numpy(),
            "upper_ci": newcombe["upper_ci"].to_numpy(),
            "confidence": level,
        },
        index=inputs.index,
    )
    set_label_column(frame, "method", IntervalMethod.NEWCOMBE_EFFECTIVE)
    frame["z"] = newcombe["z"].to_numpy()
    frame["p_value"] = newcombe["p_value"].to_numpy()
    set_label_column(frame, "test", SurveyTest.NEWCOMBE_EFFECTIVE)
    frame["significant"] = newcombe["significant"].to_numpy()
    return frame


def rank_survey_options(
    *,
    selections: pd.DataFrame,
    weights: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    strata: npt.ArrayLike | None = None,
    clusters: npt.ArrayLike | None = None,
    design: SurveyDesign,
    confidence: float = 0.95,
    fpc: npt.ArrayLike | None = None,
    lonely_psu: LonelyPsu = LonelyPsu.ADJUST,
) -> pd.DataFrame:
    """Rank the options of a multiple-choice question by their share within each group.

    Each option's share is :func:`safecity.stats.survey.survey_proportion` of its 0/1 column
    (NaN: the respondent was not asked). Options are ranked 1 (largest share) downwards within
    each group (ties share the smaller rank). ``differs_from_next`` says whether the option's
    share differs from the next-ranked option's: the same respondents choose both, so the two
    shares are correlated and an interval-overlap or independent-samples test would be wrong;
    the paired difference ``p_a − p_b`` is tested with its Taylor-linearised standard error over
    the respondents valid on both (``z_a − z_b`` per PSU; respondents independent when there
    are no clusters, which is also what the Kish design assumes) — a design-based t test on
    ``degf − 1`` degrees of freedom at ``1 − confidence``. Each adjacent pair is tested on its
    own (no multiplicity adjustment); the last-ranked option's ``differs_from_next`` is missing
    (``pd.NA``), as it is for an option whose paired difference has no variance.

    Parameters
    ----------
    selections : pandas.DataFrame
        One 0/1/NaN column per option (the column name is the option), one row per respondent.
    weights, group, strata, clusters, design, confidence, fpc, lonely_psu
        As :func:`safecity.stats.survey.survey_proportion`.

    Returns
    -------
    pandas.DataFrame
        One row per group and option: ``group, option`` and the columns of
        :func:`survey_proportion`, then ``rank, next_option, difference_from_next,
        p_value_next, differs_from_next``.
    """
    level = normalise_confidence(confidence)
    design = SurveyDesign(design)
    if selections.shape[1] == 0:
        raise StatisticsInputError("selections must have at least one option column")
    length = len(selections)
    weight = weight_array(weights, length)
    codes, keys = group_codes(group, length)
    frame_design = build_design(
        length=length, strata=strata, clusters=clusters, fpc=fpc, lonely_psu=lonely_psu
    )
    answers = {
        option: response_array(selections[option].to_numpy(), name=f"selections[{option!r}]")
        for option in selections.columns
    }
    positions = {key: position for position, key in enumerate(keys)}
    pieces = []
    for option, values in answers.items():
        frame, _ = estimate_frame(
            answers=values,
            weight=weight,
            codes=codes,
            keys=keys,
            frame_design=frame_design,
            design=design,
            level=level,
        )
        frame.insert(0, "option", option)
        frame.insert(0, "group", frame.index)
        pieces.append(frame.reset_index(drop=True))
    table = pd.concat(pieces, ignore_index=True)
    table["rank"] = (
        table.groupby("group", sort=False)["value"]
        .rank(method="min", ascending=False)
        .astype("Int64")
    )
    table = table.sort_values(["group", "rank", "option"], kind="stable").reset_index(drop=True)
    next_option: list[object] = []
    gap: list[float] = []
    p_values: list[float] = []
    differs: list[object] = []
    for position in range(len(table)):
        current = table.iloc[position]
        following = table.iloc[position + 1] if position + 1 < len(table) else None
        if following is None or following["group"] != current["group"]:
            next_option.append(pd.NA)
            gap.append(np.nan)
            p_values.append(np.nan)
            differs.append(pd.NA)
            continue
        group_code = positions[current["group"]]
        first = answers[current["option"]]
        second = answers[following["option"]]
        both = (codes == group_code) & ~np.isnan(first) & ~np.isnan(second)
        paired = np.where(both, first - second, np.nan)
        domain = np.where(both, 0, -1).astype(np.intp)
        means = domain_means(
            values=paired, weights=weight, domain=domain, domains=1, design=frame_design
        )
        standard_error = float(np.sqrt(means.variance[0]))
        t_df = _degrees_of_freedom(both, frame_design) - 1.0
        next_option.append(following["option"])
        gap.append(float(means.mean[0]))
        if standard_error > 0 and t_df >= 1:
            p_value = float(2.0 * scipy_stats.t.sf(abs(means.mean[0]) / standard_error, t_df))
            p_values.append(p_value)
            differs.append(p_value < 1.0 - level)
        else:
            p_values.append(np.nan)
            differs.append(pd.NA)
    table["next_option"] = pd.Series(next_option, dtype=object)
    table["difference_from_next"] = gap
    table["p_value_next"] = p_values
    table["differs_from_next"] = pd.Series(differs, index=table.index, dtype="boolean")
    return table
