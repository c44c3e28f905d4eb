"""Public-health-grade statistics for crime indicators (``methods.md``).

Pure functions: array-likes in, a tidy :class:`pandas.DataFrame` out, one row per input (or
per group for methods that pool rows). Rate- and proportion-style results carry
``value, lower_ci, upper_ci, confidence, method``; comparisons return
:class:`~safecity.stats.labels.ComparisonLabel` and other named labels. Invalid input raises
:class:`~safecity.stats.errors.StatisticsInputError` naming the argument and the row.
The methods, formulas and references are listed in ``docs/methods.md``.
"""

from safecity.stats.benchmark import compare_intervals, compare_to_benchmark
from safecity.stats.differences import (
    chi_square_trend,
    compare_to_baseline_average,
    proportion_difference,
    rate_difference,
    rate_ratio_test,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.funnel import funnel_limits, funnel_significance
from safecity.stats.harm import (
    category_mean_weights,
    crime_severity_score,
    fine_custody_days,
    harm_rate,
    harm_share,
)
from safecity.stats.inequality import InequalityValueType, slope_index_of_inequality
from safecity.stats.labels import (
    AssociationDirection,
    BenchmarkMethod,
    ChangeStatus,
    ComparisonLabel,
    FunnelSignificance,
    FunnelStatistic,
    IntervalMethod,
    Polarity,
    QuantileAlgorithm,
    RateRatioMethod,
    SpecialCause,
    TrendLabel,
    TrendValueType,
)
from safecity.stats.priority import (
    UnscoredRule,
    combine_priority_scores,
    comparison_score,
    quintile_score,
    trend_score,
)
from safecity.stats.proportions import proportion
from safecity.stats.ranking import (
    exact_rates,
    quantile_bounds,
    quantile_groups,
    rank_areas,
    rank_rates,
    rate_quantile_groups,
)
from safecity.stats.rates import crude_rate
from safecity.stats.repeats import (
    implied_repeat_means,
    repeat_concentration,
    repeat_counts_from_ids,
)
from safecity.stats.spc import ImprovementDirection, Variation, u_chart_limits, xmr_limits
from safecity.stats.standardised import dsr, indirectly_standardised_ratio, repeat_event_variance
from safecity.stats.suppression import suppress_counts, suppression_mask
from safecity.stats.survey import (
    compare_weighted_proportions,
    kish_design_effect,
    margin_of_error,
    weighted_proportion,
)
from safecity.stats.timing import (
    aoristic_hour_of_week,
    crimes_per_day,
    hour_of_week_peaks,
    seasonal_indices,
)
from safecity.stats.trend import trend_test

__all__ = [
    "AssociationDirection",
    "BenchmarkMethod",
    "ChangeStatus",
    "ComparisonLabel",
    "FunnelSignificance",
    "FunnelStatistic",
    "ImprovementDirection",
    "InequalityValueType",
    "IntervalMethod",
    "Polarity",
    "QuantileAlgorithm",
    "RateRatioMethod",
    "SpecialCause",
    "StatisticsInputError",
    "TrendLabel",
    "TrendValueType",
    "UnscoredRule",
    "Variation",
    "aoristic_hour_of_week",
    "category_mean_weights",
    "chi_square_trend",
    "combine_priority_scores",
    "compare_intervals",
    "compare_to_baseline_average",
    "compare_to_benchmark",
    "compare_weighted_proportions",
    "comparison_score",
    "crime_severity_score",
    "crimes_per_day",
    "crude_rate",
    "dsr",
    "exact_rates",
    "fine_custody_days",
    "funnel_limits",
    "funnel_significance",
    "harm_rate",
    "harm_share",
    "hour_of_week_peaks",
    "implied_repeat_means",
    "indirectly_standardised_ratio",
    "kish_design_effect",
    "margin_of_error",
    "proportion",
    "proportion_difference",
    "quantile_bounds",
    "quantile_groups",
    "quintile_score",
    "rank_areas",
    "rank_rates",
    "rate_difference",
    "rate_quantile_groups",
    "rate_ratio_test",
    "repeat_concentration",
    "repeat_counts_from_ids",
    "repeat_event_variance",
    "seasonal_indices",
    "slope_index_of_inequality",
    "suppress_counts",
    "suppression_mask",
    "trend_score",
    "trend_test",
    "u_chart_limits",
    "weighted_proportion",
    "xmr_limits",
]
