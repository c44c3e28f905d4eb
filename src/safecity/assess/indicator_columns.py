"""The columns of the assessment's main table, ``indicators`` (one row per indicator x area)."""

from __future__ import annotations

from enum import StrEnum


class AreaLevel(StrEnum):
    """Levels of the areas an indicator row is for."""

    CSP = "csp"
    LOCAL_AUTHORITY = "lad"
    POLICE_FORCE_AREA = "pfa"
    WARD = "ward"
    LSOA = "lsoa"


INDICATOR_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "area_code",
    "area_name",
    "area_level",
    "period",
    "source",
    "numerator",
    "denominator",
    "denominator_type",
    "multiplier",
    "months_in_period",
    "months_with_data",
    "data_months",
    "exposure",
    "value",
    "lower_ci",
    "upper_ci",
    "method",
    "confidence",
    "baseline_period",
    "baseline_numerator",
    "baseline_denominator",
    "baseline_value",
    "baseline_months_with_data",
    "change_numerator",
    "change_baseline_numerator",
    "change_months",
    "change_baseline_months",
    "change_basis",
    "change_not_made",
    "change_pct",
    "change_ratio",
    "change_p_value",
    "change_significant",
    "change_test",
    "benchmark_code",
    "benchmark_value",
    "benchmark_label",
    "benchmark_method",
    "rank",
    "rank_of",
    "suppressed",
    "unreliable",
    "caveat",
)
"""Every column of ``indicators``, in order (``docs/assessment.md`` describes each)."""
