"""The data.police.uk file kinds, recognised by their header, and what their names tell."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from safecity.config.packaged_yaml import read_packaged_yaml

_FILE_NAME = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)"
    r"\.csv(?:\.gz)?$",
    re.IGNORECASE,
)


class FileFormat(StrEnum):
    """The data.police.uk file kinds the loader knows (``load_file.format``)."""

    STREET = "police_uk_street"
    OUTCOMES = "police_uk_outcomes"
    STOP_AND_SEARCH = "police_uk_stop_and_search"


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """A file kind: its header (in police.uk's order) and the file-name ending it uses."""

    file_format: FileFormat
    columns: tuple[str, ...]
    file_suffix: str

    @property
    def column_names(self) -> tuple[str, ...]:
        """The columns as snake_case identifiers, in the same order."""
        return tuple(snake_case(column) for column in self.columns)


def snake_case(column: str) -> str:
    """A column name as a snake_case identifier: ``'Crime ID'`` -> ``'crime_id'``.

    Examples
    --------
    >>> snake_case("Last outcome category")
    'last_outcome_category'
    """
    return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")


@cache
def _police_uk_config() -> dict[str, Any]:
    config = read_packaged_yaml("police_uk.yaml")
    if not isinstance(config, dict):
        raise ValueError("safecity.config/police_uk.yaml is not a YAML mapping")
    return config


@cache
def format_specs() -> dict[FileFormat, FormatSpec]:
    """Every known police.uk file kind, from ``config/police_uk.yaml``."""
    config = _police_uk_config()["formats"]
    return {
        file_format: FormatSpec(
            file_format=file_format,
            columns=tuple(config[file_format.value]["columns"]),
            file_suffix=config[file_format.value]["file_suffix"],
        )
        for file_format in FileFormat
    }


@cache
def known_crime_types() -> frozenset[str]:
    """Crime types a street-level file may contain (current and historical categories)."""
    config = _police_uk_config()["crime_types"]
    return frozenset(config["current"]) | frozenset(config["historical"])


def asb_crime_type() -> str:
    """The crime type police.uk uses for anti-social behaviour incidents."""
    return str(_police_uk_config()["asb_crime_type"])


def united_kingdom_extent() -> dict[str, float]:
    """The longitude/latitude box accepted as inside the United Kingdom."""
    return {
        key: float(value) for key, value in _police_uk_config()["united_kingdom_extent"].items()
    }


def recognise_header(header: list[str]) -> FileFormat | None:
    """The file kind whose columns are exactly ``header`` (case and spacing aside), if any."""
    normalised = tuple(column.strip().lower() for column in header)
    for spec in format_specs().values():
        if normalised == tuple(column.lower() for column in spec.columns):
            return spec.file_format
    return None


def wanted_suffixes() -> tuple[str, ...]:
    """File-name endings of every police.uk file kind (for folders and archives)."""
    return tuple(spec.file_suffix for spec in format_specs().values())


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """What a police.uk file name says: the month and the force the file is for."""

    month: date
    force: str


def identity_from_name(name: str) -> FileIdentity | None:
    """Month and force slug from ``YYYY-MM-<force>-<kind>.csv[.gz]``, if the name has that form.

    Examples
    --------
    >>> identity_from_name("2017-04-hampshire-street.csv.gz")
    FileIdentity(month=datetime.date(2017, 4, 1), force='hampshire')
    >>> identity_from_name("crimes.csv") is None
    True
    """
    match = _FILE_NAME.match(name)
    if match is None:
        return None
    year, month = (int(part) for part in match["month"].split("-"))
    if not 1 <= month <= 12:
        return None
    return FileIdentity(month=date(year, month, 1), force=match["force"].lower())


def force_slug(force_name: str) -> str:
    """The police.uk slug of a force's name, e.g. ``'Hampshire Constabulary'`` -> ``'hampshire'``.

    Examples
    --------
    >>> force_slug("City of London Police")
    'city-of-london'
    """
    slug = force_name.lower()
    for word in (" constabulary", " police service", " police"):
        slug = slug.removesuffix(word)
    return re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
