"""Why an input row was quarantined: the reasons shared by every loader.

A loader never drops a row silently: each input row is either loaded or written to the
``quarantine`` table with one of these reasons (and a detail in words), so that per file
``rows_in == loaded + quarantined`` (see :mod:`safecity.data.load_report`).
"""

from __future__ import annotations

from enum import StrEnum


class QuarantineReason(StrEnum):
    """The reason an input row was not loaded (the ``quarantine.reason`` column)."""

    UNPARSEABLE_MONTH = "unparseable_month"
    """A month field that is not ``YYYY-MM``."""
    MONTH_MISMATCH = "month_mismatch"
    """A month that differs from the month the file is for (e.g. its name)."""
    COORDINATES_OUTSIDE_UK = "coordinates_outside_uk"
    """Longitude/latitude (or easting/northing) outside the United Kingdom's extent."""
    UNPARSEABLE_COORDINATES = "unparseable_coordinates"
    """A coordinate that is not a number."""
    MALFORMED_LSOA_CODE = "malformed_lsoa_code"
    """An LSOA code that is not a GSS code of the form ``E01``/``W01`` + 6 digits."""
    MALFORMED_AREA_CODE = "malformed_area_code"
    """Another area code (ward, district, CSP, force ...) that is not a well-formed GSS code."""
    UNKNOWN_CRIME_TYPE = "unknown_crime_type"
    """A crime type that is not in the known classification."""
    ENCODING_ERROR = "encoding_error"
    """A row whose bytes are not valid in the file's text encoding."""
    WRONG_FIELD_COUNT = "wrong_field_count"
    """A row with more or fewer fields than the header."""
    MALFORMED_CSV_ROW = "malformed_csv_row"
    """A row the CSV parser cannot read (e.g. an unterminated or stray quote)."""
    LINE_TOO_LONG = "line_too_long"
    """A line longer than the line limit (``config/input_limits.yaml``): quarantined by
    reference (line number and byte length), its text never read into memory or kept."""
    UNPARSEABLE_NUMBER = "unparseable_number"
    """A field that should be a number (count, rank, score, weight) but is not."""
    UNPARSEABLE_DATE = "unparseable_date"
    """A field that should be a date or date-time but is not."""
    MISSING_REQUIRED_VALUE = "missing_required_value"
    """A required field that is empty."""
    DUPLICATE_KEY = "duplicate_key"
    """A row whose key (e.g. area code) already occurred earlier in the same file."""
    OUT_OF_RANGE = "out_of_range"
    """A number outside its allowed range (e.g. a decile not in 1..10, a negative count)."""
    INCONSISTENT_TOTAL = "inconsistent_total"
    """Parts that do not add up to the total the row states (e.g. ages vs. total population)."""
    MALFORMED_OFFENCE_CODE = "malformed_offence_code"
    """A Home Office offence code not of the form ``8N``, ``105A``, ``8/1`` or ``37.1``."""
    UNPARSEABLE_BOOLEAN = "unparseable_boolean"
    """A flag that is neither one of the mapping's true values nor one of its false values."""
    UNKNOWN_CRIME_REFERENCE = "unknown_crime_reference"
    """A victim or offender row whose crime reference is in no loaded crime."""
    INVALID_GEOMETRY = "invalid_geometry"
    """A boundary feature whose geometry is missing, not a polygon or cannot be parsed."""
    UNKNOWN_CATEGORY = "unknown_category"
    """A coded field (e.g. sex) whose value is none of the values it may take."""
    MALFORMED_POSTCODE = "malformed_postcode"
    """A postcode that is not a UK postcode (outward code, then digit and two letters)."""
    OUTSIDE_THE_AREA = "outside_the_area"
    """A row counted outside every partnership area (an empty area code in a site's export)."""
    UNKNOWN_AREA_CODE = "unknown_area_code"
    """A well-formed area code (e.g. a ward) that no loaded lookup knows."""
