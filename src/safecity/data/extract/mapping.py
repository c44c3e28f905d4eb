"""The mapping file that adapts a force records system's extract to Safe City's columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml


class ExtractTable(StrEnum):
    """The three tables of a force extract."""

    CRIMES = "crimes"
    VICTIMS = "victims"
    OFFENDERS = "offenders"


FLAG_COLUMNS = (
    "flag_domestic",
    "flag_alcohol",
    "flag_drugs",
    "flag_hate_race",
    "flag_hate_religion",
    "flag_hate_sexual_orientation",
    "flag_hate_disability",
    "flag_hate_transgender",
    "flag_weapon_bladed",
    "flag_weapon_firearm",
    "flag_public_place",
    "flag_night_time_economy",
)

OUR_COLUMNS: dict[ExtractTable, tuple[str, ...]] = {
    ExtractTable.CRIMES: (
        "crime_reference",
        "offence_code",
        "offence_description",
        "committed_from",
        "committed_to",
        "recorded_date",
        "longitude",
        "latitude",
        "easting",
        "northing",
        "lsoa_code",
        "outcome",
        *FLAG_COLUMNS,
    ),
    ExtractTable.VICTIMS: (
        "crime_reference",
        "victim_id",
        "age",
        "sex",
        "ethnicity",
        "victim_type",
    ),
    ExtractTable.OFFENDERS: ("crime_reference", "offender_id", "age", "sex", "ethnicity"),
}

REQUIRED_COLUMNS: dict[ExtractTable, tuple[str, ...]] = {
    ExtractTable.CRIMES: ("crime_reference", "offence_code", "committed_from"),
    ExtractTable.VICTIMS: ("crime_reference", "victim_id"),
    ExtractTable.OFFENDERS: ("crime_reference", "offender_id"),
}


DEFAULT_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)
DEFAULT_TRUE_VALUES = ("Y", "Yes", "1", "TRUE", "true", "True")
DEFAULT_FALSE_VALUES = ("N", "No", "0", "FALSE", "false", "False")


class MappingError(ValueError):
    """A mapping file that is not valid: says which key is wrong and why."""


@dataclass(frozen=True, slots=True)
class ExtractMapping:
    """A parsed mapping file (format in ``docs/data-model.md``)."""

    name: str
    folder: Path
    files: dict[ExtractTable, str]
    columns: dict[ExtractTable, dict[str, str]]
    datetime_formats: tuple[str, ...] = DEFAULT_DATETIME_FORMATS
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    true_values: tuple[str, ...] = DEFAULT_TRUE_VALUES
    false_values: tuple[str, ...] = DEFAULT_FALSE_VALUES
    sex_values: dict[str, str] = field(default_factory=dict)

    def source_column(self, table: ExtractTable, ours: str) -> str | None:
        """The force's column that maps to ``ours`` in ``table``, if any."""
        for theirs, mapped in self.columns[table].items():
            if mapped == ours:
                return theirs
        return None


def _string_list(
    data: dict[str, Any], key: str, default: tuple[str, ...], where: Path
) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, list) or not all(isinstance(item, str | int) for item in value):
        raise MappingError(f"{where}: '{key}' must be a list of texts")
    return tuple(str(item) for item in value)


def read_mapping(path: Path) -> ExtractMapping:
    """Parse and check a mapping file.

    Raises
    ------
    MappingError
        If a key is missing or maps to a column Safe City does not have, naming it.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise MappingError(f"{path}: cannot read the mapping file: {error}") from error
    if not isinstance(data, dict):
        raise MappingError(f"{path}: a mapping file must be a YAML mapping")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MappingError(f"{path}: 'name' (the force records system) is required")
    files_section = data.get("files") or {}
    columns_section = data.get("columns") or {}
    files: dict[ExtractTable, str] = {}
    columns: dict[ExtractTable, dict[str, str]] = {}
    for table in ExtractTable:
        file_name = files_section.get(table.value)
        if not isinstance(file_name, str):
            raise MappingError(f"{path}: files.{table.value} (the {table.value} CSV) is required")
        files[table] = file_name
        renames = columns_section.get(table.value) or {}
        if not isinstance(renames, dict):
            raise MappingError(f"{path}: columns.{table.value} must map their column: our column")
        unknown = sorted(set(map(str, renames.values())) - set(OUR_COLUMNS[table]))
        if unknown:
            raise MappingError(
                f"{path}: columns.{table.value} maps to unknown columns {unknown}; ours are "
                f"{', '.join(OUR_COLUMNS[table])}"
            )
        missing = [column for column in REQUIRED_COLUMNS[table] if column not in renames.values()]
        if missing:
            raise MappingError(
                f"{path}: columns.{table.value} must map a column to each of {missing}"
            )
        columns[table] = {str(theirs): str(ours) for theirs, ours in renames.items()}
    sex_values = data.get("sex_values") or {}
    return ExtractMapping(
        name=name.strip(),
        folder=path.parent,
        files=files,
        columns=columns,
        datetime_formats=_string_list(data, "datetime_formats", DEFAULT_DATETIME_FORMATS, path),
        date_formats=_string_list(data, "date_formats", DEFAULT_DATE_FORMATS, path),
        true_values=_string_list(data, "true_values", DEFAULT_TRUE_VALUES, path),
        false_values=_string_list(data, "false_values", DEFAULT_FALSE_VALUES, path),
        sex_values={str(key): str(value) for key, value in sex_values.items()},
    )
