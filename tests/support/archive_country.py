"""A small national archive over many months: the twelve CSPs of ``csp_country`` with street
files for every month from March to December 2020, for multi-period and refresh tests.

Place ``i`` (1-12; ten ``northshire`` places, place 10 Welsh, two ``southshire`` places) has
:func:`burglaries` burglaries in month ``k`` (0 = March 2020) and ``i % 3`` anti-social
behaviour rows. ``southshire`` has no street file for October 2020. The northshire file of May
2020 repeats one Crime ID (counted once). No file is written before March 2020, so a period
before then has no data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import count
from pathlib import Path
from typing import Any

from csp_country import country_csps
from police_uk_files import STREET_HEADER
from reference_files import load_reference_files, write_csv
from street_rows import lsoa_month_rows

from safecity.data.warehouse import Warehouse

ARCHIVE_MONTHS = [f"2020-{month:02d}" for month in range(3, 13)]
ARCHIVE_MISSING = (("southshire", "2020-10"),)
FORCES = ("northshire", "southshire")
PLACES: list[dict[str, Any]] = country_csps()


def burglaries(place: int, month: str) -> int:
    """Burglaries planted in place ``place`` (1-12) in ``month`` (``YYYY-MM`` of 2020)."""
    k = int(month[5:]) - 3
    return (place * 3 + k * 2) % 11 + 1 + (k if place in (1, 2) else 0)


def street_file_rows(*, force: str, month: str, serials: Iterator[int]) -> list[list[str]]:
    """One force's street rows for ``month``, Crime IDs drawn from ``serials``."""
    rows = [
        row
        for index, place in enumerate(PLACES, start=1)
        if place["force"] == force
        for row in lsoa_month_rows(
            month=month,
            lsoa_code=str(place["lsoa"]),
            lsoa_name=str(place["name"]),
            burglaries=burglaries(index, month),
            asb=index % 3,
            serials=serials,
        )
    ]
    if force == "northshire" and month == "2020-05":
        rows.append(rows[0])  # police.uk repeats a Crime ID: it counts once
    return rows


def write_street_files(
    folder: Path,
    *,
    months: Sequence[str] = ARCHIVE_MONTHS,
    missing: tuple[tuple[str, str], ...] = ARCHIVE_MISSING,
) -> list[Path]:
    """Write the street files of ``months`` (all forces, less ``missing``) into ``folder``.

    A month's files are the same whichever months are written with it (its Crime IDs are
    numbered from the month).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for month in months:
        serials = count(1 + 100_000 * (int(month[:4]) * 12 + int(month[5:])))
        for force in FORCES:
            if (force, month) in missing:
                continue
            rows = street_file_rows(force=force, month=month, serials=serials)
            written.append(write_csv(folder / f"{month}-{force}-street.csv", STREET_HEADER, rows))
    return written


def load_archive_references(warehouse: Warehouse, folder: Path) -> None:
    """Load the twelve places' LSOA and CSP lookups and mid-2020 populations."""
    load_reference_files(
        warehouse,
        folder,
        lsoa_lookup=[
            [e["lsoa"], e["name"], f"E0500{i:04d}", e["name"], e["lad"], e["name"]]
            for i, e in enumerate(PLACES, start=1)
        ],
        csp_lookup=[
            [e["lad"], e["name"], e["csp"], e["name"], e["pfa"], e["force"]] for e in PLACES
        ],
        population=[(e["name"], e["lsoa"], e["population"]) for e in PLACES],
    )


def period_burglaries(place: int, months: Sequence[str]) -> int:
    """Burglaries of place ``place`` summed over ``months`` that have its force's file."""
    force = PLACES[place - 1]["force"]
    return sum(
        burglaries(place, month) for month in months if (force, month) not in ARCHIVE_MISSING
    )
