"""What reference data a warehouse holds: per kind, the vintages and years loaded."""

from __future__ import annotations

from dataclasses import dataclass

from safecity.data.reference.kinds import ReferenceKind
from safecity.data.warehouse import Warehouse


@dataclass(frozen=True, slots=True)
class ReferenceHolding:
    """One loaded reference dataset (e.g. LSOA 2011 -> ward 2020 -> LAD 2020 lookup).

    ``vintage`` describes the areas' vintages (``lsoa 2011``, ``lsoa 2011 / ward 2020 / lad
    2020``), ``year`` the year the figures are for (population), ``label`` the index (``IMD2019``,
    a harm-weight index and version). ``keys`` counts distinct areas (or offence codes),
    ``rows`` the table rows; ``sources`` are the paths of the files the rows came from.
    """

    kind: ReferenceKind
    table: str
    vintage: str | None
    year: int | None
    label: str | None
    keys: int
    rows: int
    sources: tuple[str, ...]


_QUERIES: tuple[tuple[ReferenceKind, str, str, str, str, str], ...] = (
    # kind, table, vintage SQL, year SQL, label SQL, key SQL
    (
        ReferenceKind.LSOA_LOOKUP,
        "area_lookup",
        "'lsoa ' || lsoa_vintage || ' / ward ' || ward_vintage || ' / lad ' || lad_vintage",
        "NULL",
        "NULL",
        "lsoa_code",
    ),
    (
        ReferenceKind.CSP_LOOKUP,
        "csp_lookup",
        "'lad ' || lad_vintage || ' / csp ' || csp_vintage || ' / pfa ' || pfa_vintage",
        "NULL",
        "NULL",
        "lad_code",
    ),
    (
        ReferenceKind.POPULATION,
        "population",
        "area_level || ' ' || area_vintage",
        "year",
        "'by age, ' || sex",
        "area_code",
    ),
    (
        ReferenceKind.POPULATION,
        "population_total",
        "area_level || ' ' || area_vintage",
        "year",
        "'totals'",
        "area_code",
    ),
    (
        ReferenceKind.IMD,
        "deprivation",
        "area_level || ' ' || area_vintage",
        "NULL",
        "index_name",
        "area_code",
    ),
    (
        ReferenceKind.BOUNDARIES,
        "boundary",
        "area_level || ' ' || area_vintage",
        "NULL",
        "NULL",
        "area_code",
    ),
    (ReferenceKind.OFFENCE_CODES, "offence_classification", "NULL", "NULL", "NULL", "offence_code"),
    (
        ReferenceKind.HARM_WEIGHTS,
        "harm_weight",
        "NULL",
        "NULL",
        "index_name || ' ' || index_version",
        "offence_code",
    ),
    (
        ReferenceKind.PUBLISHED_INDICATORS,
        "published_indicator",
        "vintage",
        "NULL",
        "publisher || ': ' || title || ' (' || indicator || ')'",
        "area_code",
    ),
    (
        ReferenceKind.COMPARATOR_GROUPS,
        "comparator_group",
        "vintage",
        "NULL",
        "group_name",
        "subject_code",
    ),
    (
        ReferenceKind.POSTCODE_LOOKUP,
        "postcode_lookup",
        "'lsoa ' || lsoa_vintage || coalesce(' / ward ' || ward_vintage, '')",
        "NULL",
        "NULL",
        "postcode",
    ),
    (
        ReferenceKind.OFFENCE_COUNTS,
        "offence_count",
        "table_version",
        "NULL",
        "financial_year",
        "area_name",
    ),
)


def reference_vintages(warehouse: Warehouse) -> list[ReferenceHolding]:
    """Every reference dataset loaded, by kind, vintage, year and label (in that order)."""
    holdings = []
    for kind, table, vintage, year, label, key in _QUERIES:
        rows = warehouse.connection.execute(
            f"SELECT {vintage} AS vintage, {year} AS year, {label} AS label, "
            f"count(DISTINCT {key}), count(*), "
            "list(DISTINCT load_file.path ORDER BY load_file.path) "
            f"FROM {table} LEFT JOIN load_file USING (file_id) "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        for row in rows:
            if int(row[4]) == 0:
                continue  # an empty table grouped only by constants still yields one row
            holdings.append(
                ReferenceHolding(
                    kind=kind,
                    table=table,
                    vintage=None if row[0] is None else str(row[0]),
                    year=None if row[1] is None else int(row[1]),
                    label=None if row[2] is None else str(row[2]),
                    keys=int(row[3]),
                    rows=int(row[4]),
                    sources=tuple(str(path) for path in row[5] or () if path is not None),
                )
            )
    return holdings
