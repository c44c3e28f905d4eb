"""Exporting a whole warehouse to a lake, rewriting only the partitions that changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from safecity.data.lake.aggregates import sync_street_month
from safecity.data.lake.commit import LakeWriteSummary, write_lake
from safecity.data.lake.layout import STREET_MONTH_TABLE
from safecity.data.lake.manifest import LakeManifest, LakeTable
from safecity.data.lake.parquet_writer import StagedWriter, sql_identifier
from safecity.data.lake.table_sync import TableChange, sync_table, table_columns

if TYPE_CHECKING:
    from safecity.data.warehouse import Warehouse

STREET_TABLE = "police_uk_street"


def export_lake(
    warehouse: Warehouse, *, out_dir: Path, street_aggregates: bool = True
) -> LakeWriteSummary:
    """Export every table of the warehouse to the lake in ``out_dir``.

    Fact tables are written as Parquet partitioned by force and month (extracts by source),
    every other table as one reference file, with a manifest of every file (``docs/lake.md``).
    Exporting again to an existing lake rewrites only the partitions whose content changed,
    commits by replacing the manifest atomically, and then deletes the files it no longer
    lists; a failure before the commit leaves the old lake as it was.

    Parameters
    ----------
    warehouse
        The warehouse to export (it may be open read-only).
    out_dir
        The lake's folder: new, empty, or a lake written before.
    street_aggregates
        Also bring the monthly street aggregate (``aggregates/street_month``) up to date,
        computing it only for street partitions whose file changed.

    Returns
    -------
    LakeWriteSummary
        Files and rows written, rewritten, left unchanged and removed, per table.

    Raises
    ------
    safecity.data.lake.errors.NotALakeError
        If ``out_dir`` exists and holds other things than a lake.
    safecity.data.lake.errors.LakeVersionError
        If the lake there was written by a newer Safe City.
    safecity.data.lake.errors.LakeBusyError
        If another process is writing to that lake.
    ValueError
        If a fact row's force is not a police.uk slug (it could not be a partition folder).

    Notes
    -----
    Whether a partition changed is decided by a fingerprint of its rows (their number, the
    columns and the sum of every row's 64-bit hash), computed in one pass over the table, so
    the order rows are stored in does not matter and unchanged partitions are not written.
    """
    connection = warehouse.connection
    version = _schema_version(warehouse)

    def build(
        writer: StagedWriter, previous: LakeManifest | None
    ) -> tuple[LakeManifest, dict[str, TableChange]]:
        before = previous.tables if previous is not None else {}
        tables: dict[str, LakeTable] = {}
        changes: dict[str, TableChange] = {}
        for table in warehouse.table_names():
            tables[table], changes[table] = sync_table(
                writer,
                table,
                relation=sql_identifier(table),
                columns=table_columns(connection, table),
                previous=before.get(table),
            )
        removed_tables = set(before) - set(tables) - {STREET_MONTH_TABLE}
        for table in removed_tables:
            changes[table] = TableChange(removed=len(before[table].files))
        if street_aggregates and STREET_TABLE in tables:
            tables[STREET_MONTH_TABLE], changes[STREET_MONTH_TABLE] = sync_street_month(
                writer,
                street=tables[STREET_TABLE],
                relation=sql_identifier(STREET_TABLE),
                previous=before.get(STREET_MONTH_TABLE),
            )
        elif STREET_MONTH_TABLE in before:
            changes[STREET_MONTH_TABLE] = TableChange(removed=len(before[STREET_MONTH_TABLE].files))
        return LakeManifest(warehouse_schema=version, tables=tables), changes

    return write_lake(out_dir, connection=connection, build=build)


def _schema_version(warehouse: Warehouse) -> int:
    """The warehouse's migration version (0 when it has none), without writing to it."""
    if "schema_migration" not in warehouse.table_names():
        return 0
    row = warehouse.connection.execute("SELECT max(version) FROM schema_migration").fetchone()
    return int(row[0]) if row and row[0] is not None else 0
