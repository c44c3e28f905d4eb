"""What kinds of reference file Safe City loads, and the file formats it recognises for each."""

from __future__ import annotations

from enum import StrEnum


class ReferenceKind(StrEnum):
    """The kind of reference data a file holds (the ``KIND`` of ``safecity load reference``)."""

    LSOA_LOOKUP = "lsoa-lookup"
    """LSOA -> ward -> local authority district (ONS best-fit lookup)."""
    CSP_LOOKUP = "csp-lookup"
    """Local authority district -> Community Safety Partnership -> Police Force Area."""
    POPULATION = "population"
    """Population of small areas or districts: mid-year estimates by age, or census totals."""
    IMD = "imd"
    """Indices of Deprivation: ranks and deciles, scores, or local-authority summaries."""
    BOUNDARIES = "boundaries"
    """Area boundaries of any level (GeoJSON)."""
    HARM_WEIGHTS = "harm-weights"
    """Offence code -> harm weight of a named, versioned index (e.g. Crime Severity Score)."""
    OFFENCE_CODES = "offence-codes"
    """Home Office offence code -> offence group, subgroup, description and police.uk category."""
    PUBLISHED_INDICATORS = "published-indicators"
    """A published statistic by area (e.g. ONS Crime Severity Score by CSP), with its source."""
    COMPARATOR_GROUPS = "comparator-groups"
    """Named groups of comparable CSPs (e.g. a most-similar-group list), one per subject CSP."""
    OFFENCE_COUNTS = "offence-counts"
    """Home Office police recorded crime by force, financial year and offence code."""
    POSTCODE_LOOKUP = "postcode-lookup"
    """Postcode -> LSOA and ward (ONS Postcode Directory or NSPL), for survey respondents."""


class ReferenceFormat(StrEnum):
    """A recognised file layout (the ``format`` of a load report and of the load log)."""

    ONS_LSOA_WARD_LAD_LOOKUP = "ons-lsoa-ward-lad-lookup"
    ONS_LAD_CSP_PFA_LOOKUP = "ons-lad-csp-pfa-lookup"
    ONS_SINGLE_YEAR_OF_AGE = "ons-population-single-year-of-age"
    CENSUS_2011_LSOA_POPULATION = "census-2011-lsoa-population-households"
    IOD_MEASURES = "iod-measures"
    GEOJSON_BOUNDARIES = "geojson-boundaries"
    HARM_WEIGHTS_CSV = "harm-weights-csv"
    OFFENCE_CLASSIFICATION_CSV = "offence-classification-csv"
    PUBLISHED_INDICATOR_TABLE = "published-indicator-table"
    COMPARATOR_GROUP_TABLE = "comparator-group-table"
    HOME_OFFICE_PRC_OFFENCE_TABLE = "home-office-prc-offence-table"
    HOME_OFFICE_PRC_CSP_TABLE = "home-office-prc-csp-table"
    ONS_POSTCODE_DIRECTORY = "ons-postcode-directory"
    UNRECOGNISED = "unrecognised"
