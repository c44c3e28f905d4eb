"""Named labels used in statistical results (``methods.md`` §0.2, §2, §9).

Every comparison returns one of these :class:`enum.StrEnum` members, never a bare integer, so
the text an output table carries is the text a report prints.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "COMPARISON_WORDS",
    "AssociationDirection",
    "BenchmarkMethod",
    "ChangeStatus",
    "ComparisonLabel",
    "FunnelSignificance",
    "FunnelStatistic",
    "IntervalMethod",
    "Polarity",
    "QuantileAlgorithm",
    "RateRatioMethod",
    "SpecialCause",
    "SurveyTest",
    "TrendLabel",
    "TrendValueType",
]


class Polarity(StrEnum):
    """Whether a higher value of an indicator is good, bad, or neither (§0.2)."""

    LOW_IS_GOOD = "low_is_good"
    HIGH_IS_GOOD = "high_is_good"
    NO_JUDGEMENT = "no_judgement"


class ComparisonLabel(StrEnum):
    """Outcome of comparing an estimate with a benchmark or another estimate (§2.1).

    Fingertips' "Same" is spelt ``Similar`` here, as on the Fingertips web pages.
    """

    BETTER = "Better"
    SIMILAR = "Similar"
    WORSE = "Worse"
    BEST = "Best"
    WORST = "Worst"
    HIGHER = "Higher"
    LOWER = "Lower"
    NOT_COMPARED = "Not compared"


COMPARISON_WORDS: dict[ComparisonLabel, str] = {
    ComparisonLabel.BETTER: "significantly better",
    ComparisonLabel.SIMILAR: "similar",
    ComparisonLabel.WORSE: "significantly worse",
    ComparisonLabel.BEST: "significantly better (99.8% interval)",
    ComparisonLabel.WORST: "significantly worse (99.8% interval)",
    ComparisonLabel.HIGHER: "significantly higher",
    ComparisonLabel.LOWER: "significantly lower",
    ComparisonLabel.NOT_COMPARED: "not compared",
}
"""Each label in a sentence ("3 wards significantly higher, 12 similar"): better, similar or
worse where the indicator's polarity is known, higher, similar or lower where it is not (the
Fingertips convention, methods.md §0.2); Best and Worst name the 99.8% interval they rest on."""


class BenchmarkMethod(StrEnum):
    """Fingertips benchmark comparison methods (§2.1)."""

    CI95 = "ci95"
    """Benchmark inside the 95% interval is Similar (Fingertips one-level comparer)."""
    CI95_998 = "ci95_998"
    """Adds Best/Worst beyond the 99.8% interval (Fingertips two-level comparer)."""
    CI_OVERLAP = "ci_overlap"
    """Two estimates by the overlap of their 95% intervals (``compare_intervals`` only)."""


class IntervalMethod(StrEnum):
    """How a confidence interval was computed (the ``method`` column)."""

    EXACT = "Exact"
    BYARS = "Byars"
    WILSON = "Wilson"
    DOBSON = "Dobson"
    DOBSON_NON_INDEPENDENT = "Dobson, with confidence adjusted for non-independent events"
    NOT_CALCULATED = "Not calculated"
    NEWCOMBE = "Newcombe hybrid score (method 10)"
    """Difference of two proportions (``proportion_difference``)."""
    NORMAL_POISSON = "Normal, Poisson counts"
    """Normal approximation with Poisson count variances (``rate_difference``, harm totals)."""
    WEIGHTED_POISSON = "Normal, weighted-Poisson variance (sum of weight squared x count)"
    """Normal interval on a harm total ``Σ w·n`` with ``Var = Σ w²·n`` (``harm_rate``)."""
    WEIGHTED_WILSON = "Wilson, Kish effective sample size"
    """Wilson interval on the Kish effective sample size (``weighted_proportion``)."""
    TAYLOR_LOGIT = "Logit, Taylor linearisation (survey::svyciprop)"
    """Survey proportion: Wald interval on the log-odds with the Taylor-linearised standard
    error and a t quantile on the design degrees of freedom (``survey_proportion``), as R
    ``survey::svyciprop(method = "logit")``."""
    TAYLOR_DIFFERENCE = "t interval, Taylor linearisation (survey::svyttest)"
    """Difference of two domain proportions of one survey ± t × its Taylor-linearised standard
    error (the covariance of the domains included), as R ``survey::svyttest``."""
    NEWCOMBE_EFFECTIVE = "Newcombe hybrid score, effective sample sizes"
    """Difference of two independent survey proportions: Newcombe's interval (method 10) on
    effective numbers ``p·n_eff`` out of ``n_eff`` (``methods.md`` §10)."""


class SurveyTest(StrEnum):
    """The test behind a survey comparison's ``p_value`` and ``significant`` (§10)."""

    RAO_SCOTT = "Rao-Scott second-order corrected chi-squared (F; survey::svychisq)"
    """Pearson's χ² on the weighted table divided by the mean generalised design effect, on
    an F distribution with Satterthwaite degrees of freedom (``svychisq(statistic = "F")``)."""
    DESIGN_T = "Design-based t test (Taylor linearisation; survey::svyttest)"
    """The difference over its Taylor-linearised standard error on ``degf − 1`` degrees of
    freedom."""
    NEWCOMBE_EFFECTIVE = "Newcombe difference with effective sample sizes"
    """Independent samples: significant when Newcombe's interval on effective numbers excludes
    0; the ``p_value`` is the pooled two-proportion z test on the same effective numbers."""


class AssociationDirection(StrEnum):
    """Sign of the association in a chi-square test for trend (``chi_square_trend``)."""

    INCREASING = "increasing"
    DECREASING = "decreasing"
    NONE = "none"


class ChangeStatus(StrEnum):
    """Whether a percentage change could be computed, and how far to trust it (§2.2a).

    The percentage change is undefined when the comparator count is 0: it is NaN and the
    status says ``new`` (events where there were none) or ``no events`` (none in either).
    """

    COMPUTED = "computed"
    SMALL_COMPARATOR = "comparator count below 10: report the counts alongside"
    NEW = "new"
    NO_EVENTS = "no events"


class RateRatioMethod(StrEnum):
    """Test and interval for the ratio of two Poisson rates (§2.2a)."""

    EXACT_CONDITIONAL = "exact conditional"
    LOG_NORMAL = "log-normal"


class FunnelStatistic(StrEnum):
    """Kind of statistic plotted on a funnel (§2.4)."""

    PROPORTION = "proportion"
    RATIO = "ratio"
    """Observed / expected counts around 1 (e.g. an indirectly standardised ratio)."""
    RATE = "rate"
    """A crude rate around an average rate: the ratio funnel with ``E = N × average rate``."""


class FunnelSignificance(StrEnum):
    """Position of a point relative to funnel control limits (PHEindicatormethods labels)."""

    HIGH_0_001 = "High (0.001)"
    HIGH_0_025 = "High (0.025)"
    NOT_SIGNIFICANT = "Not significant"
    LOW_0_025 = "Low (0.025)"
    LOW_0_001 = "Low (0.001)"


class QuantileAlgorithm(StrEnum):
    """The two admissible algorithms for grouping areas into quantiles (§3.1)."""

    EQUAL_COUNT = "equal_count"
    """PHEindicatormethods ``phe_quantile``: groups of (nearly) equal numbers of areas."""
    VALUE_BOUNDS = "value_bounds"
    """Fingertips ``QuintilesCalculator``: bounds at PERCENTILE.INC of the values."""


class TrendValueType(StrEnum):
    """Which Fingertips trend formula to apply (§9.2)."""

    GENERAL = "general"
    PROPORTION = "proportion"


class TrendLabel(StrEnum):
    """Fingertips recent-trend marker (§9.2)."""

    INCREASING = "Increasing"
    DECREASING = "Decreasing"
    NO_SIGNIFICANT_CHANGE = "No significant change"
    CANNOT_BE_CALCULATED = "Cannot be calculated"


class SpecialCause(StrEnum):
    """XmR special-cause rule that flagged a point (§9.3), in priority order."""

    NONE = "None"
    OUTSIDE_LIMITS = "Outside process limits"
    TREND = "Trend of 7"
    TWO_OF_THREE = "Two of three beyond two sigma"
    SHIFT = "Shift of 7"
