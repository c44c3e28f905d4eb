"""Rebuild the harm reference data shipped in ``src/safecity/config/harm/`` (issue 11).

Two files are derived, never hand-typed (``methods.md`` §4.1, "never hand-type weights"):

* ``ons_css_weights.csv``: the ONS Crime Severity Score weights by Home Office offence code,
  from the "List of weights" sheet of the ONS CSS data tool (cssdatatool.xls, about December
  2020), as kept in ``severity/ons_css_weights_by_offence_code.csv`` of the shared data;
* ``national_offence_mix.csv``: police recorded crime in England and Wales by offence code,
  financial year 2017/18, summed over the 43 territorial police force areas and the four
  quarters of the Home Office police recorded crime open data table
  (``csp-tables/prc_pfa_2017_18_by_offence_code.csv.gz``), with the police.uk category of each
  code.

Usage::

    python scripts/build_harm_reference.py /work/shared/data

The codes are written in the numbering of the Home Office open data tables and of Safe City's
``offence_codes.yaml`` and force extracts ("8N", "105A", "28E", "56A"). The ONS file's
``code_original`` column is in that numbering already; its ``code_severity`` column folds a few
outcome-only codes into their successors (28A into 28C, 30A into 30C) and the homicide codes
into one row. The police.uk "category mappings" numbering (56/1, 58/4, …) used by the shared
join file is a different numbering and is not used here.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
TARGET = REPOSITORY / "src" / "safecity" / "config" / "harm"
WEIGHTS_SOURCE = Path("severity") / "ons_css_weights_by_offence_code.csv"
COUNTS_SOURCE = Path("csp-tables") / "prc_pfa_2017_18_by_offence_code.csv.gz"

NOT_TERRITORIAL = (
    "Action Fraud",
    "CIFAS",
    "Financial Fraud Action UK",
    "UK Finance",
    "British Transport Police",
)
"""Reporting bodies left out of the national offence mix: the three fraud bodies record no
crime in any police force area, and British Transport Police's crimes are on the railway
network (police.uk publishes them as their own force); the mix is that of the 43 territorial
forces whose street-level files make up CSP areas."""

HOMICIDE_CODES = ("1", "4.1", "4.2", "4.10", "1/4.1/4.10/4.2")
"""Homicide: one ONS weight for murder (1), manslaughter (4.1), infanticide (4.2) and corporate
manslaughter (4.10), and the combined code the open data tables count homicide under."""

POLICE_UK_CATEGORIES = (
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
"""The police.uk street-level crime categories (``config/police_uk.yaml``), spelt as there."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_weights(path: Path) -> dict[str, tuple[float, str]]:
    """Code -> (weight, description), one row per code of the open data numbering."""
    weights: dict[str, tuple[float, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code_original"].strip()
            description = row["description"].strip()
            weight = float(row["weight"])
            if row["code_severity"].startswith("1, 4.1"):
                # The ONS file lists corporate manslaughter under 4.1 beside manslaughter; in the
                # Home Office classification it is 4.10. All homicide codes share one weight.
                if description == "Corporate manslaughter":
                    code = "4.10"
                for homicide in HOMICIDE_CODES:
                    weights.setdefault(homicide, (weight, "Homicide"))
                weights[code] = (weight, description)
                continue
            if code in weights and weights[code][0] != weight:
                raise ValueError(f"{path}: code {code} has two weights")
            weights[code] = (weight, description)
    return weights


def police_uk_category(text: str) -> str:
    """The police.uk spelling of a category written in another case."""
    for category in POLICE_UK_CATEGORIES:
        if category.lower() == text.strip().lower():
            return category
    raise ValueError(f"not a police.uk category: {text!r}")


def read_national_counts(path: Path) -> dict[str, dict[str, str | int]]:
    """Code -> description, group, police.uk category and offences (territorial forces)."""
    totals: dict[str, dict[str, str | int]] = {}
    quarters: dict[str, set[str]] = defaultdict(set)
    with gzip.open(path, mode="rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            force = row["Force_Name"]
            quarters[force].add(row["Financial_Quarter"])
            if force in NOT_TERRITORIAL:
                continue
            code = row["Offence_Code"].strip()
            entry = totals.setdefault(
                code,
                {
                    "offence_description": row["Offence_Description"].strip(),
                    "offence_group": row["Offence_Group"].strip(),
                    "police_uk_category": police_uk_category(row["Policeuk_Cat"]),
                    "offences": 0,
                },
            )
            entry["offences"] = int(entry["offences"]) + int(row["Number_of_Offences"])
    territorial = [force for force in quarters if force not in NOT_TERRITORIAL]
    if len(territorial) != 43 or any(len(quarters[force]) != 4 for force in territorial):
        raise ValueError(f"{path}: expected 43 territorial forces with four quarters each")
    return totals


def main(shared: Path) -> None:
    """Write both files under ``src/safecity/config/harm/`` and print what was left out."""
    weights_path = shared / WEIGHTS_SOURCE
    counts_path = shared / COUNTS_SOURCE
    weights = read_weights(weights_path)
    counts = read_national_counts(counts_path)
    TARGET.mkdir(parents=True, exist_ok=True)
    with (TARGET / "ons_css_weights.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# ONS Crime Severity Score weights by Home Office offence code (equivalent days of"
            " custody).\n"
            "# Source: Office for National Statistics, Crime Severity Score (experimental"
            " statistics) data tool,\n"
            "#   cssdatatool.xls, sheet 'List of weights'; vintage: the tool of about December"
            " 2020.\n"
            "# Licence: Open Government Licence v3.0 (contains public sector information).\n"
            f"# Derived by scripts/build_harm_reference.py from {WEIGHTS_SOURCE}"
            f" (sha256 {_sha256(weights_path)}),\n"
            "#   the subset of the tool's weights matched to police recorded crime codes (M-O-P-D/"
            "crims data/severity_codes.csv).\n"
            "# Codes are in the numbering of the Home Office open data tables and force extracts"
            " ('8N', '28E', '56A');\n"
            "#   all homicide codes (1, 4.1, 4.2, 4.10 and the combined '1/4.1/4.10/4.2') share"
            " the homicide weight.\n"
            "# index_name: ONS Crime Severity Score; index_version: 2020-12\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["offence_code", "weight", "offence_description"])
        for code in sorted(weights, key=_code_order):
            weight, description = weights[code]
            writer.writerow([code, repr(weight), description])
    with (TARGET / "national_offence_mix.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# Police recorded crime in England and Wales by Home Office offence code, financial"
            " year 2017/18.\n"
            "# Source: Home Office, police recorded crime open data tables (by police force area,"
            " quarter and offence code),\n"
            "#   with the data.police.uk category of each code added by crime-sim-toolkit"
            " (University of Leeds).\n"
            "# Licence: Open Government Licence v3.0 (contains public sector information).\n"
            f"# Derived by scripts/build_harm_reference.py from {COUNTS_SOURCE}"
            f" (sha256 {_sha256(counts_path)}):\n"
            "#   the four quarters summed over the 43 territorial police force areas; Action"
            " Fraud, CIFAS, Financial Fraud\n"
            "#   Action UK, UK Finance and British Transport Police are left out.\n"
            "# financial_year: 2017/18; table_version: prc-pfa-2017-18\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "offence_code",
                "offence_description",
                "offence_group",
                "police_uk_category",
                "offences",
            ]
        )
        for code in sorted(counts, key=_code_order):
            entry = counts[code]
            writer.writerow(
                [
                    code,
                    entry["offence_description"],
                    entry["offence_group"],
                    entry["police_uk_category"],
                    entry["offences"],
                ]
            )
    unweighed = sorted(code for code in counts if code not in weights)
    print("national codes without an ONS weight:", ", ".join(unweighed))
    print(
        "their offences:",
        sum(int(counts[code]["offences"]) for code in unweighed),
        "of",
        sum(int(entry["offences"]) for entry in counts.values()),
    )


def _code_order(code: str) -> tuple[int, str]:
    digits = ""
    for character in code:
        if not character.isdigit():
            break
        digits += character
    return (int(digits) if digits else 10_000, code)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data"))
