"""``safecity status``: what is loaded, what is missing, what was quarantined."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text

from safecity.cli.options import (
    DEFAULT_WAREHOUSE,
    JsonOption,
    WarehouseOption,
    console,
    fail,
    print_json,
    styled,
)
from safecity.data.status import WarehouseStatus, warehouse_status
from safecity.data.warehouse import Warehouse


def status_command(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: JsonOption = False,
) -> None:
    """Show coverage (months x forces, gaps flagged), row counts, quarantine and reference data."""
    if not warehouse.exists():
        raise fail(f"no warehouse at {warehouse}: load some data first (safecity load ...)")
    with Warehouse(warehouse) as store:
        status = warehouse_status(store)
    if as_json:
        print_json(status.as_dict())
        return
    print_status(status)


def month_ranges(months: list[date]) -> str:
    """Consecutive months folded into ranges.

    Examples
    --------
    >>> month_ranges([date(2019, 7, 1), date(2019, 8, 1), date(2019, 9, 1), date(2020, 1, 1)])
    '2019-07..2019-09 (3), 2020-01'
    """
    ranges: list[list[date]] = []
    for month in months:
        previous = ranges[-1][-1] if ranges else None
        if (
            previous is not None
            and (month.year * 12 + month.month) - (previous.year * 12 + previous.month) == 1
        ):
            ranges[-1].append(month)
        else:
            ranges.append([month])
    return ", ".join(
        f"{run[0]:%Y-%m}" if len(run) == 1 else f"{run[0]:%Y-%m}..{run[-1]:%Y-%m} ({len(run)})"
        for run in ranges
    )


def print_status(status: WarehouseStatus) -> None:
    """The status report as text tables."""
    console.print(
        styled(("Warehouse", "bold"), f" {status.path} (schema version {status.schema_version})"),
        soft_wrap=True,
    )
    rows = Table(title="Rows")
    rows.add_column("table", overflow="fold")
    rows.add_column("rows", justify="right")
    for table, count in status.table_rows.items():
        rows.add_row(table, f"{count:,}")
    console.print(rows)
    if status.coverage:
        first, last = status.all_months[0], status.all_months[-1]
        coverage = Table(title=f"Street-level coverage {first:%Y-%m} to {last:%Y-%m}")
        for heading in ("force", "first", "last", "months", "rows", "missing months"):
            coverage.add_column(heading, overflow="fold")
        for force in status.coverage:
            missing = month_ranges(force.missing_months)
            coverage.add_row(
                force.force,
                f"{force.first_month:%Y-%m}",
                f"{force.last_month:%Y-%m}",
                str(force.months),
                f"{force.rows:,}",
                Text(missing, style="red") if missing else "none",
            )
        console.print(coverage)
    else:
        console.print("No street-level police data loaded.")
    if status.quarantine_by_reason:
        quarantine = Table(title="Quarantined rows by reason")
        quarantine.add_column("reason", overflow="fold")
        quarantine.add_column("rows", justify="right")
        for reason, count in status.quarantine_by_reason.items():
            quarantine.add_row(reason, f"{count:,}")
        console.print(quarantine)
    else:
        console.print("Quarantine: empty.")
    console.print(
        "Files: " + ", ".join(f"{name} {count}" for name, count in status.files_by_status.items())
    )
    if not status.lsoa_lookup_loaded:
        console.print("LSOA lookup: not loaded (safecity load reference lsoa-lookup PATH).")
    elif status.unknown_lsoa_codes:
        console.print(
            styled(
                (
                    f"{status.unknown_lsoa_codes:,} LSOA codes ({status.unknown_lsoa_rows:,} rows)"
                    " are not in the loaded lookups",
                    "yellow",
                ),
                " (another vintage, or a lookup not loaded): kept.",
            )
        )
    else:
        console.print("Every LSOA code in the police data is in the loaded lookups.")
    if status.reference:
        reference = Table(title="Reference data (sources: --json)")
        shown = ("kind", "vintage", "year", "label", "areas or codes", "rows")
        for heading in shown:
            reference.add_column(heading, overflow="fold")
        for entry in status.reference:
            reference.add_row(*("-" if entry[key] is None else f"{entry[key]}" for key in shown))
        console.print(reference)
    else:
        console.print("Reference data: none loaded.")
