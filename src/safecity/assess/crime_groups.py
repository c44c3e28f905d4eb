"""Crime groups (config as data): which police.uk categories, offence codes and flags make each."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from safecity.config.packaged_yaml import read_packaged_yaml
from safecity.data.police_uk.formats import known_crime_types


class DataSource(StrEnum):
    """Where crime counts come from."""

    POLICE_UK = "police_uk"
    """data.police.uk street-level files: categories, month, LSOA; no flags, codes or people."""
    EXTRACT = "extract"
    """A force record-level extract: offence codes, flags, date-times, victims and offenders."""


class CrimeGroupError(ValueError):
    """A crime-group file that is not valid, naming the group and the key."""


@dataclass(frozen=True, slots=True)
class ExtractCriteria:
    """Which extract crimes belong to a group (all stated conditions must hold)."""

    all_crime: bool = False
    offence_codes: tuple[str, ...] = ()
    offence_groups: tuple[str, ...] = ()
    offence_subgroups: tuple[str, ...] = ()
    flags_any: tuple[str, ...] = ()
    flags_all: tuple[str, ...] = ()
    any_of: tuple[ExtractCriteria, ...] = ()
    victim_sex: str | None = None


@dataclass(frozen=True, slots=True)
class CrimeGroup:
    """One reported crime group."""

    id: str
    name: str
    police_uk_categories: tuple[str, ...] = ()
    police_uk_all_crime: bool = False
    extract: ExtractCriteria | None = None
    unit: str = "crimes"
    per_household: bool = False
    sources: tuple[DataSource, ...] = field(default=())

    def police_uk_defined(self) -> bool:
        """True when the group can be counted from police.uk street data."""
        return self.police_uk_all_crime or bool(self.police_uk_categories)


def _texts(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CrimeGroupError(f"{where}: '{key}' must be a list of texts")
    return tuple(value)


def _criteria(entry: dict[str, Any], where: str) -> ExtractCriteria:
    known = {
        "all_crime",
        "offence_codes",
        "offence_groups",
        "offence_subgroups",
        "flags_any",
        "flags_all",
        "any_of",
        "victim_sex",
    }
    unknown = sorted(set(entry) - known)
    if unknown:
        raise CrimeGroupError(f"{where}: unknown keys {unknown}; known: {sorted(known)}")
    any_of = entry.get("any_of", [])
    if not isinstance(any_of, list):
        raise CrimeGroupError(f"{where}: 'any_of' must be a list of criteria")
    return ExtractCriteria(
        all_crime=bool(entry.get("all_crime", False)),
        offence_codes=_texts(entry, "offence_codes", where),
        offence_groups=_texts(entry, "offence_groups", where),
        offence_subgroups=_texts(entry, "offence_subgroups", where),
        flags_any=_texts(entry, "flags_any", where),
        flags_all=_texts(entry, "flags_all", where),
        any_of=tuple(_criteria(item, f"{where}.any_of") for item in any_of),
        victim_sex=entry.get("victim_sex"),
    )


def parse_crime_groups(document: Any, *, origin: str) -> list[CrimeGroup]:
    """Crime groups from a parsed YAML document (see ``config/crime_groups.yaml``)."""
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        raise CrimeGroupError(f"{origin}: expected a mapping with a 'groups' list")
    groups = []
    seen: set[str] = set()
    for index, entry in enumerate(document["groups"]):
        where = f"{origin}: groups[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise CrimeGroupError(f"{where}: each group needs an 'id'")
        group_id = entry["id"]
        if group_id in seen:
            raise CrimeGroupError(f"{where}: the id {group_id!r} is used twice")
        seen.add(group_id)
        police_uk = entry.get("police_uk") or {}
        extract = entry.get("extract")
        sources = []
        if police_uk:
            sources.append(DataSource.POLICE_UK)
        if extract:
            sources.append(DataSource.EXTRACT)
        groups.append(
            CrimeGroup(
                id=group_id,
                name=str(entry.get("name", group_id)),
                police_uk_categories=_texts(police_uk, "categories", f"{where}.police_uk"),
                police_uk_all_crime=bool(police_uk.get("all_crime", False)),
                extract=_criteria(extract, f"{where}.extract") if extract else None,
                unit=str(entry.get("unit", "crimes")),
                per_household=bool(entry.get("per_household", False)),
                sources=tuple(sources),
            )
        )
    return groups


def load_crime_groups(path: Path | None = None) -> list[CrimeGroup]:
    """The crime groups of ``path``, or those shipped with the package."""
    if path is None:
        return parse_crime_groups(
            read_packaged_yaml("crime_groups.yaml"), origin="safecity.config/crime_groups.yaml"
        )
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CrimeGroupError(f"{path}: cannot read the crime groups: {error}") from error
    return parse_crime_groups(document, origin=str(path))


def police_uk_category_groups(
    groups: list[CrimeGroup], *, asb_category: str
) -> dict[str, list[str]]:
    """For each police.uk category, the ids of the groups that count it."""
    mapping: dict[str, list[str]] = {}
    for category in sorted(known_crime_types()):
        mapping[category] = [
            group.id
            for group in groups
            if category in group.police_uk_categories
            or (group.police_uk_all_crime and category != asb_category)
        ]
    return mapping
