"""Denominators: LSOA residents (ONS mid-year estimates) and households, from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from safecity.data.warehouse import Warehouse


class DenominatorError(ValueError):
    """No population loaded for the assessed LSOAs, saying what to load."""


@dataclass(frozen=True, slots=True)
class Denominators:
    """Residents and households by LSOA, with where they come from.

    ``table`` has ``lsoa_code, population, households`` (households may be missing).
    """

    table: pd.DataFrame
    population_year: int
    households_year: int | None
    note: str


def lsoa_denominators(
    warehouse: Warehouse, *, lsoa_codes: list[str], lsoa_vintage: int, year: int
) -> Denominators:
    """Population for ``year`` (or the nearest loaded year, earlier preferred) and households.

    Raises
    ------
    DenominatorError
        If no LSOA population of that vintage is loaded.
    """
    connection = warehouse.connection
    years = [
        int(row[0])
        for row in connection.execute(
            "SELECT DISTINCT year FROM population_total WHERE area_level = 'lsoa'"
            " AND area_vintage = ? ORDER BY 1",
            [lsoa_vintage],
        ).fetchall()
    ]
    if not years:
        raise DenominatorError(
            f"no LSOA {lsoa_vintage} population is loaded: safecity load reference population "
            "FILE (ONS mid-year LSOA estimates)"
        )
    chosen = min(years, key=lambda candidate: (abs(candidate - year), candidate > year))
    codes = pd.DataFrame({"lsoa_code": lsoa_codes})
    connection.complete()  # nothing may be pending when a frame is registered
    connection.register("assessed_lsoas", codes)
    population = connection.execute(
        "SELECT l.lsoa_code, p.persons AS population FROM assessed_lsoas l LEFT JOIN"
        " population_total p ON p.area_code = l.lsoa_code AND p.area_level = 'lsoa'"
        " AND p.area_vintage = ? AND p.year = ?",
        [lsoa_vintage, chosen],
    ).df()
    household_rows = connection.execute(
        "SELECT l.lsoa_code, p.households, p.year FROM assessed_lsoas l JOIN population_total p"
        " ON p.area_code = l.lsoa_code AND p.area_level = 'lsoa' AND p.area_vintage = ?"
        " AND p.households IS NOT NULL",
        [lsoa_vintage],
    ).df()
    connection.unregister("assessed_lsoas")
    households_year = None
    if not household_rows.empty:
        households_year = int(
            min(household_rows["year"], key=lambda candidate: abs(int(candidate) - year))
        )
        household_rows = household_rows[household_rows["year"] == households_year]
        population = population.merge(
            household_rows[["lsoa_code", "households"]], on="lsoa_code", how="left"
        )
    else:
        population["households"] = pd.NA
    note = f"ONS mid-{chosen} LSOA population estimates"
    if chosen != year:
        note += f" (nearest loaded year to {year})"
    if households_year is not None:
        note += f"; households from {households_year}"
    return Denominators(
        table=population,
        population_year=chosen,
        households_year=households_year,
        note=note,
    )
