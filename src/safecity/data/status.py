"""What the warehouse holds: coverage of police data by force and month, row counts, quarantine,
LSOA codes the loaded lookups do not know, and the reference data with its vintages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from safecity.data.reference.vintages import reference_vintages
from safecity.data.warehouse import Warehouse

_COUNTED_TABLES = (
    "police_uk_street",
    "police_uk_outcome",
    "police_uk_stop_search",
    "extract_crime",
    "extract_victim",
    "extract_offender",
    "quarantine",
)


@dataclass(frozen=True, slots=True)
class ForceCoverage:
    """The months of street-level data loaded for one force, and the gaps between them."""

    force: str
    first_month: date
    last_month: date
    months: int
    rows: int
    missing_months: list[date]


@dataclass(slots=True)
class WarehouseStatus:
    """A summary of the warehouse (the ``safecity status`` report)."""

    path: str
    schema_version: int
    table_rows: dict[str, int]
    coverage: list[ForceCoverage]
    all_months: list[date]
    quarantine_by_reason: dict[str, int]
    files_by_status: dict[str, int]
    unknown_lsoa_codes: int
    unknown_lsoa_rows: int
    lsoa_lookup_loaded: bool
    reference: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return asdict(self)


def _months_between(first: date, last: date) -> list[date]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def warehouse_status(warehouse: Warehouse) -> WarehouseStatus:
    """Summarise what is loaded.

    A force's missing months are those between the first and last month loaded for *any*
    force that have no street file for this force: police.uk leaves gaps when a force does not
    supply data (e.g. Greater Manchester from July 2019).
    """
    connection = warehouse.connection
    tables = set(warehouse.table_names())
    table_rows = {table: warehouse.count(table) for table in _COUNTED_TABLES if table in tables}
    street = warehouse.ibis.table("police_uk_street")
    by_force_month = (
        street.group_by(["force", "month"])
        .aggregate(rows=street.count())
        .order_by(["force", "month"])
    )
    rows = [
        (record["force"], record["month"], record["rows"])
        for record in by_force_month.to_pyarrow().to_pylist()
    ]
    by_force: dict[str, dict[date, int]] = {}
    for force, month, count in rows:
        by_force.setdefault(str(force), {})[month] = int(count)
    all_months = (
        _months_between(min(month for _, month, _ in rows), max(month for _, month, _ in rows))
        if rows
        else []
    )
    coverage = [
        ForceCoverage(
            force=force,
            first_month=min(months),
            last_month=max(months),
            months=len(months),
            rows=sum(months.values()),
            missing_months=[month for month in all_months if month not in months],
        )
        for force, months in sorted(by_force.items())
    ]
    quarantine_by_reason = {
        str(reason): int(count)
        for reason, count in connection.execute(
            "SELECT q.reason, count(*) FROM quarantine q JOIN load_file f USING (file_id)"
            " WHERE f.superseded_by IS NULL GROUP BY ALL ORDER BY 2 DESC"
        ).fetchall()
    }
    files_by_status = {
        str(status): int(count)
        for status, count in connection.execute(
            "SELECT status, count(*) FROM load_file GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    }
    lookup_loaded = "area_lookup" in tables and warehouse.count("area_lookup") > 0
    unknown_codes, unknown_rows = 0, 0
    if lookup_loaded:
        result = connection.execute(
            "SELECT count(DISTINCT lsoa_code), count(*) FROM police_uk_street"
            " WHERE lsoa_code IS NOT NULL AND lsoa_code NOT IN"
            " (SELECT lsoa_code FROM area_lookup)"
        ).fetchone()
        if result is not None:
            unknown_codes, unknown_rows = int(result[0]), int(result[1])
    schema_row = connection.execute("SELECT max(version) FROM schema_migration").fetchone()
    return WarehouseStatus(
        path=str(warehouse.path),
        schema_version=int(schema_row[0]) if schema_row and schema_row[0] is not None else 0,
        table_rows=table_rows,
        coverage=coverage,
        all_months=all_months,
        quarantine_by_reason=quarantine_by_reason,
        files_by_status=files_by_status,
        unknown_lsoa_codes=unknown_codes,
        unknown_lsoa_rows=unknown_rows,
        lsoa_lookup_loaded=lookup_loaded,
        reference=[
            {
                "kind": holding.kind.value,
                "table": holding.table,
                "vintage": holding.vintage,
                "year": holding.year,
                "label": holding.label,
                "areas or codes": holding.keys,
                "rows": holding.rows,
                "source": ", ".join(holding.sources),
            }
            for holding in reference_vintages(warehouse)
        ],
    )
