"""Area levels and their GSS codes, and how reference files name their area columns.

GSS codes (Government Statistical Service) are nine characters: an entity code of a letter
(E England, W Wales, S Scotland, N Northern Ireland, K cross-border) and two digits, then a
six-digit instance number. Each area level has a known set of entity codes.

References
----------
Office for National Statistics (2024), *Code History Database* and *Register of Geographic
Codes* (entity codes E01 LSOA, E05 ward, E06-E09 district, E22 CSP, E23 PFA ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class AreaLevel(StrEnum):
    """A level of statistical or administrative geography."""

    OUTPUT_AREA = "oa"
    LSOA = "lsoa"
    MSOA = "msoa"
    WARD = "ward"
    LAD = "lad"
    CSP = "csp"
    PFA = "pfa"
    REGION = "region"
    COUNTRY = "country"


ENTITY_CODES: dict[AreaLevel, tuple[str, ...]] = {
    AreaLevel.OUTPUT_AREA: ("E00", "W00", "S00", "N00"),
    AreaLevel.LSOA: ("E01", "W01"),
    AreaLevel.MSOA: ("E02", "W02"),
    AreaLevel.WARD: ("E05", "W05", "S13", "N08"),
    AreaLevel.LAD: ("E06", "E07", "E08", "E09", "W06", "S12", "N09"),
    AreaLevel.CSP: ("E22", "W14"),
    AreaLevel.PFA: ("E23", "W15", "S32", "N24"),
    AreaLevel.REGION: ("E12",),
    AreaLevel.COUNTRY: ("E92", "W92", "S92", "N92", "K02", "K03", "K04"),
}
"""Entity codes (first three characters of a GSS code) valid at each level."""

FINEST_FIRST: tuple[AreaLevel, ...] = (
    AreaLevel.OUTPUT_AREA,
    AreaLevel.LSOA,
    AreaLevel.MSOA,
    AreaLevel.WARD,
    AreaLevel.LAD,
    AreaLevel.CSP,
    AreaLevel.PFA,
    AreaLevel.REGION,
    AreaLevel.COUNTRY,
)

_LEVEL_TOKENS: dict[str, AreaLevel] = {
    "oa": AreaLevel.OUTPUT_AREA,
    "lsoa": AreaLevel.LSOA,
    "msoa": AreaLevel.MSOA,
    "wd": AreaLevel.WARD,
    "ward": AreaLevel.WARD,
    "lad": AreaLevel.LAD,
    "ltla": AreaLevel.LAD,
    "csp": AreaLevel.CSP,
    "pfa": AreaLevel.PFA,
    "rgn": AreaLevel.REGION,
    "ctry": AreaLevel.COUNTRY,
}

_AREA_COLUMN = re.compile(
    r"^(?P<level>oa|lsoa|msoa|wd|ward|lad|ltla|csp|pfa|rgn|ctry)_?(?P<year>\d{2})?_?"
    r"(?P<role>cd|code|nm|name)$"
)


_PUBLISHED_AREA_COLUMN = re.compile(
    r"^(?P<level>lsoa|msoa|ward|local_authority_district)_(?P<role>code|name)_(?P<year>\d{4})$"
)
"""MHCLG/ONS spreadsheet style: ``LSOA code (2011)``, ``Local Authority District code (2019)``."""
_PUBLISHED_LEVELS: dict[str, AreaLevel] = {
    "lsoa": AreaLevel.LSOA,
    "msoa": AreaLevel.MSOA,
    "ward": AreaLevel.WARD,
    "local_authority_district": AreaLevel.LAD,
}


class ColumnRole(StrEnum):
    """Whether an area column holds codes or names."""

    CODE = "code"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class AreaColumn:
    """What an area column's header says: level, vintage (if any) and code or name."""

    level: AreaLevel
    vintage: int | None
    role: ColumnRole


def normalise_header(name: str) -> str:
    """Lower case, with runs of anything but letters and digits turned into one ``_``.

    >>> normalise_header(" Police.uk_Cat ")
    'police_uk_cat'
    """
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def parse_area_column(name: str) -> AreaColumn | None:
    """Read an area column header (``LSOA11CD``, ``wd21_code``, ``ltla24_name``, ``LSOA code
    (2021)`` ...).

    Two-digit years are vintages 20YY.

    >>> parse_area_column("LAD20CD")
    AreaColumn(level=<AreaLevel.LAD: 'lad'>, vintage=2020, role=<ColumnRole.CODE: 'code'>)
    >>> parse_area_column("ward21_name").role
    <ColumnRole.NAME: 'name'>
    >>> parse_area_column("LSOA Code").vintage is None
    True
    >>> parse_area_column("Local Authority District code (2019)").vintage
    2019
    >>> parse_area_column("Persons") is None
    True
    """
    normalised = normalise_header(name)
    published = _PUBLISHED_AREA_COLUMN.match(normalised)
    if published is not None:
        return AreaColumn(
            level=_PUBLISHED_LEVELS[published["level"]],
            vintage=int(published["year"]),
            role=ColumnRole(published["role"]),
        )
    match = _AREA_COLUMN.match(normalised)
    if match is None:
        return None
    year = match["year"]
    role = ColumnRole.CODE if match["role"] in {"cd", "code"} else ColumnRole.NAME
    return AreaColumn(
        level=_LEVEL_TOKENS[match["level"]],
        vintage=2000 + int(year) if year is not None else None,
        role=role,
    )


def gss_pattern(level: AreaLevel) -> str:
    """A regular expression matching a whole GSS code of ``level``.

    >>> import re
    >>> bool(re.fullmatch(gss_pattern(AreaLevel.LSOA), "E01017136"))
    True
    >>> bool(re.fullmatch(gss_pattern(AreaLevel.LSOA), "E05002455"))
    False
    """
    return "(" + "|".join(ENTITY_CODES[level]) + r")[0-9]{6}"


def is_gss_code(code: str, *, level: AreaLevel) -> bool:
    """Whether ``code`` is a well-formed GSS code of ``level``."""
    return re.fullmatch(gss_pattern(level), code) is not None
