"""Reference files in the exact real ONS formats, written into a temp folder and loaded.

The LSOA (2011) -> ward -> local authority lookup (``LSOA11_WD20_LAD20_EW_LU.csv``), the local
authority -> CSP -> police force area lookup (``lookup_ltla24_csp24_pfa24.csv``) and the
single-year-of-age LSOA population (``population20_lsoa11_syoa.csv``), with the same columns as
the published files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse

LSOA_LOOKUP_HEADER = ["LSOA11CD", "LSOA11NM", "WD20CD", "WD20NM", "LAD20CD", "LAD20NM"]
CSP_LOOKUP_HEADER = [
    "ltla24_code",
    "ltla24_name",
    "csp24_code",
    "csp24_name",
    "pfa24_code",
    "pfa24_name",
]
AGES = [*(str(age) for age in range(90)), "90+"]
POPULATION_HEADER = ["lsoa11_name", "lsoa11_code", "total_population", *AGES]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write ``rows`` under ``header`` as a UTF-8 CSV file; return its path."""
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_lsoa_lookup(folder: Path, rows: Iterable[Sequence[object]]) -> Path:
    """The LSOA -> ward -> LAD lookup; each row is LSOA, its name, ward, its name, LAD, its name."""
    return write_csv(folder / "LSOA11_WD20_LAD20_EW_LU.csv", LSOA_LOOKUP_HEADER, rows)


def write_csp_lookup(folder: Path, rows: Iterable[Sequence[object]]) -> Path:
    """The LAD -> CSP -> PFA lookup; each row is LAD, its name, CSP, its name, PFA, its name."""
    return write_csv(folder / "lookup_ltla24_csp24_pfa24.csv", CSP_LOOKUP_HEADER, rows)


def write_population(folder: Path, rows: Iterable[tuple[str, str, int]]) -> Path:
    """Mid-2020 LSOA populations from (LSOA name, LSOA code, people), everyone aged 90+."""
    return write_csv(
        folder / "population20_lsoa11_syoa.csv",
        POPULATION_HEADER,
        ([name, code, people, *([0] * 90), people] for name, code, people in rows),
    )


def load_reference_files(
    warehouse: Warehouse,
    folder: Path,
    *,
    lsoa_lookup: Iterable[Sequence[object]],
    csp_lookup: Iterable[Sequence[object]],
    population: Iterable[tuple[str, str, int]],
) -> None:
    """Write the two lookups and the population file into ``folder`` and load them."""
    lookup_path = write_lsoa_lookup(folder, lsoa_lookup)
    csp_path = write_csp_lookup(folder, csp_lookup)
    population_path = write_population(folder, population)
    load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=lookup_path)
    load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=csp_path)
    load_reference(warehouse, kind=ReferenceKind.POPULATION, path=population_path)


# Testham CSP (two LSOAs in two wards) and Otherton CSP (one LSOA), both in Testshire.
TESTHAM_LAD, TESTHAM_CSP, TESTSHIRE_PFA = "E06000001", "E22000001", "E23000001"
OTHERTON_LAD, OTHERTON_CSP = "E06000002", "E22000002"
TWO_CSP_LSOAS = {
    # code: (name, ward code, ward name, LAD code, population)
    "E01000001": ("Testham 001A", "E05000001", "North", TESTHAM_LAD, 1500),
    "E01000002": ("Testham 001B", "E05000002", "South", TESTHAM_LAD, 1600),
    "E01000009": ("Otherton 001A", "E05000009", "Far", OTHERTON_LAD, 1200),
}


def load_two_csps(warehouse: Warehouse, folder: Path) -> None:
    """Write into ``folder`` and load the lookups and populations of Testham and Otherton."""
    load_reference_files(
        warehouse,
        folder,
        lsoa_lookup=[
            [code, name, ward, ward_name, lad, "Testham" if lad == TESTHAM_LAD else "Otherton"]
            for code, (name, ward, ward_name, lad, _) in TWO_CSP_LSOAS.items()
        ],
        csp_lookup=[
            [TESTHAM_LAD, "Testham", TESTHAM_CSP, "Testham CSP", TESTSHIRE_PFA, "Testshire"],
            [OTHERTON_LAD, "Otherton", OTHERTON_CSP, "Otherton CSP", TESTSHIRE_PFA, "Testshire"],
        ],
        population=[
            (name, code, people)
            for code, (name, _ward, _ward_name, _lad, people) in TWO_CSP_LSOAS.items()
        ],
    )
