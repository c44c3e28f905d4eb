"""``safecity export lake``: the warehouse as a Parquet lake that DuckDB, Spark and others read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from safecity.cli.lake_reporting import print_lake_summary
from safecity.cli.options import (
    DEFAULT_WAREHOUSE,
    JsonOption,
    WarehouseOption,
    console,
    fail,
    print_json,
)
from safecity.cli.reporting import working
from safecity.data.lake import LakeError, export_lake
from safecity.data.warehouse import Warehouse


def export_lake_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The lake's folder: new, empty, or a lake exported before (then only the "
            "partitions that changed are rewritten).",
            file_okay=False,
        ),
    ],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: JsonOption = False,
) -> None:
    """Export the warehouse to a Parquet lake partitioned by force and month (docs/lake.md).

    Fact tables go to facts/<table>/force=<force>/month=<YYYY-MM-01>/, extracts to
    facts/<table>/force=<source>/, every other table to reference/<table>/, with the monthly
    street aggregate in aggregates/street_month/ and a manifest, _lake.json, of every file with
    its rows and SHA-256. The new manifest replaces the old one atomically: a reader sees the
    old lake or the new one, and an export that fails leaves the old lake as it was.
    """
    try:
        with (
            Warehouse(warehouse, read_only=True) as store,
            working(f"Exporting {warehouse} to the lake in {out} ..."),
        ):
            summary = export_lake(store, out_dir=out)
    except FileNotFoundError as error:
        raise fail(str(error)) from error
    except (LakeError, ValueError) as error:
        raise fail(str(error)) from error
    if as_json:
        print_json(summary.as_json())
        return
    table = Table(title="Lake export", show_lines=False)
    for heading in ("table", "written", "rewritten", "unchanged", "removed", "rows written"):
        table.add_column(heading, justify="left" if heading == "table" else "right")
    for name, change in sorted(summary.tables.items()):
        if change.written or change.rewritten or change.removed or change.unchanged:
            table.add_row(
                name,
                f"{change.written:,}",
                f"{change.rewritten:,}",
                f"{change.unchanged:,}",
                f"{change.removed:,}",
                f"{change.rows_written:,}",
            )
    console.print(table)
    print_lake_summary(summary)
