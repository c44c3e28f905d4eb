"""The artefact's names in readers' words: table names, column headings, parts of the assessment.

The artefact names its tables and columns for programs (``monthly_series``, ``lower_ci``); a
reader of the report or the observatory sees these words instead. Identifier columns (a crime
group's or a row's id) are left out of printed tables altogether: the table's caption already
says what the rows are, and the CSV beside the table keeps every column under its own name.

References
----------
GOV.UK Service Manual, "Writing for user interfaces" and "Content design: planning, writing and
managing content" (plain English; no internal jargon).
"""

from __future__ import annotations

from collections.abc import Mapping

HIDDEN_COLUMNS = frozenset(
    {"row_id", "group_id", "indicator_id", "priority_id", "benchmark_id", "suppressed", "has_data"}
)
"""Identifier and flag columns a printed table leaves out (the CSV keeps them)."""

SNAP_POINT_NOTE = (
    "data.police.uk moves each crime to the nearest of a fixed list of anonymous map points (the"
    " centre of a street, a public place or premises), so crimes stack on a few points: never"
    " read a location on this map as an address."
)
"""The caveat under a grid map of data.police.uk crimes (the report's own words)."""

GI_COUNTS_NOTE = (
    "Gi* is computed on counts, not rates: a neighbourhood with more residents, shops or"
    " night-time venues has more crimes for that reason alone."
)
"""The caveat under a neighbourhood hot spot map (the report's own words)."""

NO_DATA = "no data"
"""How a month without data reads in a chart's table and text alternative (never 0)."""

COLUMN_HEADINGS: Mapping[str, str] = {
    "area_code": "GSS code",
    "area_name": "Area",
    "bandwidth": "Bandwidth (metres)",
    "baseline_numerator": "Count in the baseline",
    "benchmark_label": "Compared with the whole area",
    "cell_id": "Grid cell",
    "change_p_value": "p-value",
    "change_pct": "Change (%)",
    "change_ratio": "Rate ratio",
    "change_significant": "Statistically significant",
    "count": "Count",
    "csp_code": "GSS code",
    "csp_name": "Partnership",
    "denominator": "Residents",
    "density_class": "Density class",
    "density_per_km2": "Crimes per square kilometre",
    "density_range": "Density range",
    "gi_bin": "Hot spot class",
    "gi_z": "Gi* z-score",
    "group": "Group",
    "group_label": "Deprivation group",
    "grouping": "Grouping",
    "hotspot_category": "Hot spot category",
    "indicator_name": "Crime group",
    "label": "Label",
    "lower_ci": "Lower 95% limit",
    "lower_process_limit": "Lower process limit",
    "lsoa_code": "GSS code",
    "lsoa_name": "Neighbourhood (LSOA)",
    "lsoas": "Neighbourhoods",
    "mean": "Mean",
    "month": "Month",
    "numerator": "Count",
    "p_fdr": "Adjusted p-value",
    "periods": "Periods",
    "population": "Residents",
    "position": "Position",
    "quintile": "Quintile",
    "quintile_label": "Quintile label",
    "rank": "Rank",
    "rank_of": "Of",
    "measure_label": "Survey measure",
    "wave": "Survey wave",
    "category": "Answer",
    "share": "Share (%)",
    "share_lower": "Lower 95% limit (%)",
    "share_upper": "Upper 95% limit (%)",
    "unweighted_base": "Respondents (unweighted base)",
    "shown": "As published",
    "recent_periods": "Recent periods",
    "role": "Role",
    "significance": "Significance",
    "significant_cold": "Periods a cold spot",
    "significant_hot": "Periods a hot spot",
    "special_cause": "Special cause rule",
    "upper_ci": "Upper 95% limit",
    "upper_process_limit": "Upper process limit",
    "value": "Rate",
    "variation": "Variation",
    "ward_name": "Ward",
    "x_centre": "Easting of the centre",
    "x_max": "Easting, east edge",
    "x_min": "Easting, west edge",
    "y_centre": "Northing of the centre",
    "y_max": "Northing, north edge",
    "y_min": "Northing, south edge",
}
"""Column name -> the heading a printed table gives it."""

TABLE_WORDS: Mapping[str, str] = {
    "indicators": "the assessment's counts and rates",
    "monthly_series": "the assessment's monthly counts",
    "deprivation_rates": "the assessment's rates by deprivation group",
    "deprivation_gaps": "the assessment's gaps between the most and least deprived",
    "lsoa_quintiles": "the assessment's neighbourhood rates in fifths",
    "hotspots_lsoa": "the assessment's hot spot tests of neighbourhoods",
    "hotspots_grid": "the assessment's hot spot tests of grid cells",
    "hotspot_classes": "the assessment's hot spots month by month",
    "kde_grid": "the assessment's density of crime on a grid",
    "benchmarking": "the assessment's comparisons with other partnerships",
    "benchmarking_csps": "the assessment's rates of every partnership",
    "priority_scores": "the assessment's priority scores",
    "priority_top": "the assessment's top priorities",
    "harm_total": "the assessment's crime severity scores",
    "harm_by_crime_group": "the assessment's crime severity by crime group",
    "survey_estimates": "the residents' survey estimates",
    "survey_comparisons": "the residents' survey comparisons",
    "community_reports_strand": "the community reports by hate-crime strand",
    "community_reports_monthly": "the community reports by month",
    "community_reports_summary": "the community reports by kind and channel",
    "community_reports_ward": "the community reports by ward",
    "community_reports_business": "the business crime reports by category",
    "partner_intelligence_counts": "the partners' intelligence submissions by topic and ward",
}
"""Artefact table -> what it holds, for a chart's source line."""

PART_WORDS: Mapping[str, str] = {
    "benchmarking": "Comparison with other partnerships",
    "benchmarking_comparators": "Comparison with comparator partnerships",
    "priorities_comparator_position": "Priority scores: comparator position",
    "priorities_harm": "Priority scores: harm",
    "priorities_user_inputs": "Priority scores: public concern and organisational position",
    "priorities_organisational_position": "Priority scores: organisational position",
    "three_period_average": "Change on the average of the three previous periods",
    "time_hour_of_week": "Peak times of the week",
    "time_seasonality": "Seasonal pattern",
    "boundaries": "Maps",
    "change": "Change on the baseline",
    "data_quality": "Data quality",
    "deprivation": "Deprivation",
    "harm": "Crime severity (harm)",
    "hotspots": "Hot spots",
    "hotspots_grid": "Hot spots on a grid",
    "hotspots_lsoa": "Hot spots by neighbourhood",
    "hotspot_classes": "Hot spots month by month",
    "kde_grid": "Density of crime",
    "people": "Victims and offenders",
    "priorities": "Priorities",
    "time": "Time of day and season",
    "survey": "Residents' survey",
    "community_reports": "Community reports",
    "partner_intelligence": "Partner intelligence (partners' edition only)",
}
"""A part of the assessment (a key of the manifest's ``skipped``) in readers' words."""


def column_heading(column: str) -> str:
    """The heading a printed table gives ``column`` (``lower_ci`` -> ``Lower 95% limit``)."""
    known = COLUMN_HEADINGS.get(column)
    if known is not None:
        return known
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def shown_columns(columns: list[str]) -> list[str]:
    """The columns a printed table shows: all but identifiers and flags, in order."""
    return [column for column in columns if column not in HIDDEN_COLUMNS]


def table_words(table: str) -> str:
    """What the artefact table ``table`` holds, in words (a chart's source line)."""
    return TABLE_WORDS.get(table, "the assessment's " + table.replace("_", " "))


def part_words(key: str, *, group_names: Mapping[str, str]) -> str:
    """A part of the assessment (``hotspots_grid:all_crime``) in words (``Hot spots on a grid:
    All police recorded crime``); crime groups by their names in ``group_names``."""
    pieces = [piece for piece in key.split(":") if piece]
    words = [
        group_names.get(piece) or PART_WORDS.get(piece) or piece.replace("_", " ").capitalize()
        for piece in pieces
    ]
    return ": ".join(words)


NOT_ASSESSED = "not assessed"


def not_assessed(reason: str) -> str:
    """A crime group's skip reason as readers see it: ``not assessed: needs ...`` (the reason
    kept as the assessment wrote it, prefixed unless it already says so)."""
    reason = " ".join(reason.split()).rstrip(".")
    return reason if reason.lower().startswith(NOT_ASSESSED) else f"{NOT_ASSESSED}: {reason}"
