"""A hand-made country of twelve CSPs, one LSOA each, written as real-format files and loaded.

Ten CSPs are policed by ``northshire`` (place 10 is Welsh), two by ``southshire``, whose street
file for June 2020 is missing (unless ``build_country`` is told otherwise). Burglaries are
planted in March-June 2020 and anti-social behaviour in June; the May ``northshire`` file
repeats one Crime ID, which counts once.

Neither force is a real police force, so with the shipped force list the country is not England
(no English force has data): it is a set of CSPs loaded, named as such. Tests of national figures
pass :data:`COUNTRY_FORCES` (both forces English) as the force list, which makes the eleven
English places all of England.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import count
from pathlib import Path
from typing import Any

from police_uk_files import STREET_HEADER
from reference_files import load_reference_files, write_csv
from street_rows import lsoa_month_rows

from safecity.config.nations import Nation
from safecity.config.police_forces import PoliceForce
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

MONTHS = ["2020-03", "2020-04", "2020-05", "2020-06"]
MISSING = (("southshire", "2020-06"),)
"""The force-months without a street file, by default."""
COUNTRY_FORCES = (
    PoliceForce(
        slug="northshire",
        name="Northshire Police",
        population_millions=0.01,
        community_safety_partnerships=10,
        nation=Nation.ENGLAND,
    ),
    PoliceForce(
        slug="southshire",
        name="Southshire Constabulary",
        population_millions=0.01,
        community_safety_partnerships=2,
        nation=Nation.ENGLAND,
    ),
)
"""The country's forces as a force list: with it, the country's English places are England."""


def csp_entry(index: int, *, period_burglary: tuple[int, int] | None = None) -> dict[str, Any]:
    """Place ``index`` (1-12): its codes, force, population and monthly counts.

    ``period_burglary`` replaces its burglaries in May and June (by default ``2 * index`` and
    ``15 - index``).
    """
    country = "W" if index == 10 else "E"
    return {
        "lsoa": f"{country}0100{index:04d}",
        "lad": f"{country}0600{index:04d}",
        "csp": f"W1400{index:04d}" if country == "W" else f"E2200{index:04d}",
        "name": f"Place {index}",
        "force": "northshire" if index <= 10 else "southshire",
        "pfa": "W15000001" if index == 10 else "E23000001" if index < 10 else "E23000002",
        "population": 1000 + 100 * index,
        # Burglaries per month: (baseline March, April), (period May, June).
        "burglary": (
            (index, index + 1),
            (2 * index, 15 - index) if period_burglary is None else period_burglary,
        ),
        "asb": (0, index % 4),
    }


def country_csps(
    *, period_burglary: Mapping[int, tuple[int, int]] | None = None
) -> list[dict[str, Any]]:
    """The twelve places, with planted May and June burglaries for the places named."""
    planted = period_burglary or {}
    return [csp_entry(index, period_burglary=planted.get(index)) for index in range(1, 13)]


def _street_rows(
    csps: list[dict[str, Any]], *, force: str, position: int, serials: Iterator[int]
) -> list[list[str]]:
    """One force's street rows for month ``MONTHS[position]``, Crime IDs drawn from ``serials``."""
    period_index, month_index = divmod(position, 2)
    return [
        row
        for entry in csps
        if entry["force"] == force
        for row in lsoa_month_rows(
            month=MONTHS[position],
            lsoa_code=str(entry["lsoa"]),
            lsoa_name=str(entry["name"]),
            burglaries=entry["burglary"][period_index][month_index],
            asb=entry["asb"][month_index] if period_index == 1 else 0,
            serials=serials,
        )
    ]


def build_country(
    folder: Path,
    csps: list[dict[str, Any]],
    *,
    missing: tuple[tuple[str, str], ...] = MISSING,
) -> Warehouse:
    """Write and load the street files, lookups and populations of the twelve CSPs.

    ``missing`` lists the (force, month) street files not written.
    """
    police = folder / "police"
    police.mkdir()
    serials = count(1)
    for force in ("northshire", "southshire"):
        for position, month in enumerate(MONTHS):
            if (force, month) in missing:
                continue
            rows = _street_rows(csps, force=force, position=position, serials=serials)
            if force == "northshire" and month == "2020-05":
                rows.append(rows[0])  # police.uk repeats a Crime ID: it counts once
            write_csv(police / f"{month}-{force}-street.csv", STREET_HEADER, rows)
    warehouse = Warehouse(folder / "w.duckdb")
    load_police_uk(warehouse, paths=[police])
    load_reference_files(
        warehouse,
        folder,
        lsoa_lookup=[
            [e["lsoa"], e["name"], f"E0500{i:04d}", e["name"], e["lad"], e["name"]]
            for i, e in enumerate(csps, start=1)
        ],
        csp_lookup=[[e["lad"], e["name"], e["csp"], e["name"], e["pfa"], e["force"]] for e in csps],
        population=[(e["name"], e["lsoa"], e["population"]) for e in csps],
    )
    return warehouse
