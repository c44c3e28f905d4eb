"""A small force extract in a made-up records system's columns, with its mapping file."""

from __future__ import annotations

import csv
from pathlib import Path

MAPPING = """\
name: Test Constabulary (Example RMS)
files:
  crimes: Crimes.csv
  victims: Victims.csv
  offenders: Offenders.csv
datetime_formats: ["%d/%m/%Y %H:%M"]
date_formats: ["%d/%m/%Y"]
true_values: ["Y"]
false_values: ["N"]
columns:
  crimes:
    CrimeRef: crime_reference
    HOCode: offence_code
    OffenceDesc: offence_description
    FromDT: committed_from
    ToDT: committed_to
    RecDate: recorded_date
    Long: longitude
    Lat: latitude
    LSOA: lsoa_code
    DA: flag_domestic
    ALC: flag_alcohol
  victims:
    CrimeRef: crime_reference
    PersonID: victim_id
    Age: age
    Gender: sex
    Ethnicity: ethnicity
    VictimType: victim_type
  offenders:
    CrimeRef: crime_reference
    NominalID: offender_id
    Age: age
    Gender: sex
    Ethnicity: ethnicity
"""

CRIME_HEADER = [
    "CrimeRef",
    "HOCode",
    "OffenceDesc",
    "FromDT",
    "ToDT",
    "RecDate",
    "Long",
    "Lat",
    "LSOA",
    "DA",
    "ALC",
    "Officer",
]
VICTIM_HEADER = ["CrimeRef", "PersonID", "Age", "Gender", "Ethnicity", "VictimType"]
OFFENDER_HEADER = ["CrimeRef", "NominalID", "Age", "Gender", "Ethnicity"]


def crime(reference: str, **changes: str) -> list[str]:
    """A valid crime row (a domestic assault in Southampton) with fields changed by name."""
    row = {
        "CrimeRef": reference,
        "HOCode": "8/1",
        "OffenceDesc": "Assault with injury",
        "FromDT": "03/04/2021 23:10",
        "ToDT": "",
        "RecDate": "04/04/2021",
        "Long": "-1.404",
        "Lat": "50.909",
        "LSOA": "E01017136",
        "DA": "Y",
        "ALC": "N",
        "Officer": "PC 123",
    }
    row.update(changes)
    return [row[column] for column in CRIME_HEADER]


def write_extract(
    folder: Path,
    *,
    crimes: list[list[str]],
    victims: list[list[str]],
    offenders: list[list[str]],
    mapping: str = MAPPING,
) -> Path:
    """Write the three files and the mapping into ``folder``; return the mapping's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (
        ("Crimes.csv", CRIME_HEADER, crimes),
        ("Victims.csv", VICTIM_HEADER, victims),
        ("Offenders.csv", OFFENDER_HEADER, offenders),
    ):
        with (folder / name).open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(header)
            writer.writerows(rows)
    mapping_path = folder / "mapping.yaml"
    mapping_path.write_text(mapping, encoding="utf-8")
    return mapping_path
