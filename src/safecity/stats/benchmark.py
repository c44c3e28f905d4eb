"""Fingertips comparisons of estimates with a benchmark or with each other (``methods.md`` §2.1).

Fingertips compares by confidence-interval position, not by a formal test: the benchmark is
treated as fixed and only the area's interval is used. The overlap of two intervals
(:func:`compare_intervals`) is conservative: non-overlap of two 95% intervals implies a
difference, but overlap does not imply none (§2.2d). For a formal test use
:func:`safecity.stats.rate_ratio_test` or :func:`safecity.stats.proportion_difference`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import BoolArray, InputArrays, label_array, set_label_column
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import BenchmarkMethod, ComparisonLabel, Polarity

__all__ = ["compare_intervals", "compare_to_benchmark"]

_SIGNIFICANT = {
    Polarity.LOW_IS_GOOD: (ComparisonLabel.BETTER, ComparisonLabel.WORSE),
    Polarity.HIGH_IS_GOOD: (ComparisonLabel.WORSE, ComparisonLabel.BETTER),
    Polarity.NO_JUDGEMENT: (ComparisonLabel.LOWER, ComparisonLabel.HIGHER),
}
_EXTREME = {
    Polarity.LOW_IS_GOOD: (ComparisonLabel.BEST, ComparisonLabel.WORST),
    Polarity.HIGH_IS_GOOD: (ComparisonLabel.WORST, ComparisonLabel.BEST),
    Polarity.NO_JUDGEMENT: (ComparisonLabel.LOWER, ComparisonLabel.HIGHER),
}


def _polarity(polarity: Polarity | str) -> Polarity:
    try:
        return Polarity(polarity)
    except ValueError as error:
        choices = ", ".join(member.value for member in Polarity)
        raise StatisticsInputError(
            f"polarity must be one of {choices}; got {polarity!r}"
        ) from error


def _labels(
    length: int,
    *,
    missing: BoolArray,
    similar: BoolArray,
    lower: BoolArray,
    lower_label: ComparisonLabel,
    higher_label: ComparisonLabel,
) -> npt.NDArray[np.object_]:
    labels = label_array(higher_label, length)
    labels[lower] = lower_label
    labels[similar] = ComparisonLabel.SIMILAR
    labels[missing] = ComparisonLabel.NOT_COMPARED
    return labels


def compare_to_benchmark(
    *,
    value: npt.ArrayLike,
    lower_ci: npt.ArrayLike,
    upper_ci: npt.ArrayLike,
    benchmark: npt.ArrayLike,
    polarity: Polarity | str,
    lower_ci_998: npt.ArrayLike | None = None,
    upper_ci_998: npt.ArrayLike | None = None,
    method: BenchmarkMethod | str = BenchmarkMethod.CI95,
) -> pd.DataFrame:
    """Compare each value's confidence interval with a fixed benchmark, as Fingertips does.

    ``ci95`` (``SingleOverlappingCIsForOneCILevelComparer``): ``Similar`` when
    ``lower_ci ≤ benchmark ≤ upper_ci`` (inclusive), otherwise higher or lower than the
    benchmark. ``ci95_998`` (``SingleOverlappingCIsForTwoCILevelsComparer``): additionally,
    a benchmark outside the 99.8% interval gives ``Best``/``Worst``. Direction is then turned
    into a judgement by polarity (Fingertips ``AdjustForPolarity``): with ``low_is_good`` a
    value below the benchmark is ``Better``; with ``no_judgement`` the labels are ``Higher``
    and ``Lower`` at both levels. A missing (NaN) value, benchmark or limit gives
    ``Not compared``, as Fingertips returns no comparison; NaN is therefore allowed here.

    The benchmark should be the pooled rate of the comparator population (Σ counts /
    Σ population), not the mean of member rates (§2.1). Comparing a ward with its own city
    (ward ⊂ city) is what Fingertips does; the two are not independent.

    Parameters
    ----------
    value, lower_ci, upper_ci : array-like
        Estimate and its 95% (or chosen-level) interval.
    benchmark : array-like
        Benchmark value(s), e.g. the England rate.
    polarity : Polarity or str
        ``low_is_good`` (crime), ``high_is_good`` or ``no_judgement``.
    lower_ci_998, upper_ci_998 : array-like, optional
        The 99.8% interval, required for ``method="ci95_998"``.
    method : BenchmarkMethod or str
        ``ci95`` (default) or ``ci95_998``.

    Returns
    -------
    pandas.DataFrame
        One row per input: the inputs, ``comparison`` (a :class:`ComparisonLabel` member),
        ``polarity`` (:class:`Polarity`) and ``method`` (:class:`BenchmarkMethod`). The label
        columns hold the enum members themselves (object dtype); they compare equal to their
        text.

    References
    ----------
    OHID Fingertips ``PholioVisualisationWS/Analysis/SingleOverlappingCIsForOneCILevelComparer``
    and ``SingleOverlappingCIsForTwoCILevelsComparer`` (fingertips-open, commit 6780894);
    ``methods.md`` §2.1.

    Examples
    --------
    >>> compare_to_benchmark(
    ...     value=[3.3, 3.05], lower_ci=[3.2, 2.7], upper_ci=[3.5, 3.1],
    ...     benchmark=3.0, polarity="low_is_good",
    ... )["comparison"].tolist()
    [<ComparisonLabel.WORSE: 'Worse'>, <ComparisonLabel.SIMILAR: 'Similar'>]
    """
    chosen_polarity = _polarity(polarity)
    try:
        chosen_method = BenchmarkMethod(method)
    except ValueError as error:
        raise StatisticsInputError(f"unknown benchmark method {method!r}") from error
    if chosen_method is BenchmarkMethod.CI_OVERLAP:
        raise StatisticsInputError(
            "method 'ci_overlap' compares two intervals: use compare_intervals, not "
            "compare_to_benchmark (which takes 'ci95' or 'ci95_998')"
        )
    two_levels = chosen_method is BenchmarkMethod.CI95_998
    if two_levels and (lower_ci_998 is None or upper_ci_998 is None):
        raise StatisticsInputError("method 'ci95_998' needs lower_ci_998 and upper_ci_998")
    columns: dict[str, npt.ArrayLike] = {
        "value": value,
        "lower_ci": lower_ci,
        "upper_ci": upper_ci,
        "benchmark": benchmark,
    }
    if two_levels:
        columns["lower_ci_998"] = np.asarray(lower_ci_998, dtype=np.float64)
        columns["upper_ci_998"] = np.asarray(upper_ci_998, dtype=np.float64)
    inputs = InputArrays(**columns)
    missing = np.zeros(inputs.length, dtype=bool)
    for name in inputs.names:
        missing |= np.isnan(inputs[name])
    estimate = inputs["value"]
    reference = inputs["benchmark"]
    with np.errstate(invalid="ignore"):
        similar = (inputs["lower_ci"] <= reference) & (reference <= inputs["upper_ci"])
        lower = estimate < reference
    lower_label, higher_label = _SIGNIFICANT[chosen_polarity]
    labels = _labels(
        inputs.length,
        missing=missing,
        similar=similar,
        lower=lower,
        lower_label=lower_label,
        higher_label=higher_label,
    )
    if two_levels:
        with np.errstate(invalid="ignore"):
            outside_998 = (reference < inputs["lower_ci_998"]) | (
                reference > inputs["upper_ci_998"]
            )
        extreme_lower, extreme_higher = _EXTREME[chosen_polarity]
        extreme = outside_998 & ~missing & ~similar
        labels[extreme & lower] = extreme_lower
        labels[extreme & ~lower] = extreme_higher
    result = pd.DataFrame(inputs.arrays, index=inputs.index)
    set_label_column(result, "comparison", labels)
    set_label_column(result, "polarity", chosen_polarity)
    set_label_column(result, "method", chosen_method)
    return result


def compare_intervals(
    *,
    value: npt.ArrayLike,
    lower_ci: npt.ArrayLike,
    upper_ci: npt.ArrayLike,
    comparator_value: npt.ArrayLike,
    comparator_lower_ci: npt.ArrayLike,
    comparator_upper_ci: npt.ArrayLike,
    polarity: Polarity | str,
) -> pd.DataFrame:
    """Compare two estimates by the overlap of their confidence intervals.

    Fingertips ``DoubleOverlappingCIsComparer``: ``Similar`` if the intervals overlap —
    the lower limit of the higher estimate is at or below the upper limit of the lower one
    (touching counts as overlap) — otherwise the first estimate is higher or lower than the
    comparator, judged by polarity. Conservative: for equal standard errors non-overlap of two
    95% intervals corresponds to p ≈ 0.006, and overlap does not imply p > 0.05. Missing
    values or limits give ``Not compared``.

    Parameters
    ----------
    value, lower_ci, upper_ci : array-like
        The estimate being judged and its interval.
    comparator_value, comparator_lower_ci, comparator_upper_ci : array-like
        The estimate it is compared with (e.g. last year) and its interval.
    polarity : Polarity or str
        ``low_is_good``, ``high_is_good`` or ``no_judgement``.

    Returns
    -------
    pandas.DataFrame
        One row per input: the inputs, ``comparison`` (:class:`ComparisonLabel`),
        ``polarity`` (:class:`Polarity`) and ``method`` (``BenchmarkMethod.CI_OVERLAP``,
        ``"ci_overlap"``); enum members in object columns.

    References
    ----------
    OHID Fingertips ``PholioVisualisationWS/Analysis/DoubleOverlappingCIsComparer``
    (fingertips-open, commit 6780894); ``methods.md`` §2.1, §2.2(d).

    Examples
    --------
    >>> compare_intervals(
    ...     value=[3.0, 3.0], lower_ci=[2.7, 2.7], upper_ci=[3.6, 3.1],
    ...     comparator_value=4.0, comparator_lower_ci=3.5, comparator_upper_ci=4.5,
    ...     polarity="low_is_good",
    ... )["comparison"].tolist()
    [<ComparisonLabel.SIMILAR: 'Similar'>, <ComparisonLabel.BETTER: 'Better'>]
    """
    chosen_polarity = _polarity(polarity)
    inputs = InputArrays(
        value=value,
        lower_ci=lower_ci,
        upper_ci=upper_ci,
        comparator_value=comparator_value,
        comparator_lower_ci=comparator_lower_ci,
        comparator_upper_ci=comparator_upper_ci,
    )
    missing = np.zeros(inputs.length, dtype=bool)
    for name in inputs.names:
        missing |= np.isnan(inputs[name])
    with np.errstate(invalid="ignore"):
        lower = inputs["value"] < inputs["comparator_value"]
        comparator_lower = inputs["comparator_value"] < inputs["value"]
        similar = np.where(
            comparator_lower,
            inputs["lower_ci"] <= inputs["comparator_upper_ci"],
            inputs["comparator_lower_ci"] <= inputs["upper_ci"],
        )
    lower_label, higher_label = _SIGNIFICANT[chosen_polarity]
    result = pd.DataFrame(inputs.arrays, index=inputs.index)
    labels = _labels(
        inputs.length,
        missing=missing,
        similar=similar,
        lower=lower,
        lower_label=lower_label,
        higher_label=higher_label,
    )
    set_label_column(result, "comparison", labels)
    set_label_column(result, "polarity", chosen_polarity)
    set_label_column(result, "method", BenchmarkMethod.CI_OVERLAP)
    return result
