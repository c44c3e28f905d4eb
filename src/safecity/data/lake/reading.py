"""Reading a lake in place: an in-memory DuckDB whose tables are views over the manifest's files.

Every table of the manifest becomes a view with the warehouse's columns, in the warehouse's
order and types, over exactly the files the manifest lists (a consistent snapshot, never a
glob); an empty table becomes an empty view of the same columns. Nothing is copied: DuckDB reads
the Parquet files when a query runs, reading only the columns and row groups it needs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from safecity.data.lake.aggregates import stale_partitions
from safecity.data.lake.layout import STREET_MONTH_TABLE, PartitionKey
from safecity.data.lake.manifest import LakeManifest, LakeTable, read_manifest
from safecity.data.lake.parquet_writer import sql_identifier, sql_text

STREET_TABLE = "police_uk_street"

_HIVE_TYPES = {PartitionKey.FORCE.value: "VARCHAR", PartitionKey.MONTH.value: "DATE"}


def parquet_relation(lake_dir: Path, table: LakeTable, *, files: list[str] | None = None) -> str:
    """A ``read_parquet`` of ``table``'s files (or of ``files``, paths relative to the lake).

    Hive keys are read from the paths with the layout's types (``force`` text, ``month``
    date); for an extract table the ``force`` key is extra and its ``source`` column is read
    from the files.
    """
    paths = files if files is not None else [item.path for item in table.files]
    listing = "[" + ", ".join(sql_text(str(lake_dir / path)) for path in paths) + "]"
    if not table.partition_by:
        return f"read_parquet({listing})"
    hive_types = ", ".join(
        f"{sql_text(key)}: {sql_text(_HIVE_TYPES[key])}" for key in table.partition_by
    )
    return (
        f"read_parquet({listing}, hive_partitioning = true,"
        f" hive_types = {{{hive_types}}}, hive_types_autocast = false)"
    )


def table_view_sql(lake_dir: Path, table: LakeTable) -> str:
    """The query of the view of ``table``: its columns in order and types, over its files."""
    if not table.files:
        columns = ", ".join(
            f"CAST(NULL AS {column.type}) AS {sql_identifier(column.name)}"
            for column in table.columns
        )
        return f"SELECT {columns} WHERE false"
    columns = ", ".join(
        f"CAST({sql_identifier(column.name)} AS {column.type}) AS {sql_identifier(column.name)}"
        for column in table.columns
    )
    return f"SELECT {columns} FROM {parquet_relation(lake_dir, table)}"


def usable_tables(manifest: LakeManifest) -> dict[str, LakeTable]:
    """The manifest's tables a reader may use: all, but ``street_month`` only when current.

    The street aggregate is left out when any street partition has no aggregate computed from
    its present file (the lake's facts changed and the aggregate was not refreshed), so a
    reader never mixes old aggregates with new facts.
    """
    tables = dict(manifest.tables)
    aggregate = tables.get(STREET_MONTH_TABLE)
    street = tables.get(STREET_TABLE)
    if aggregate is not None:
        current = street is not None and not stale_partitions(street, aggregate)
        current = current and len(aggregate.files) == len(street.files if street else ())
        if not current:
            del tables[STREET_MONTH_TABLE]
    return tables


def lake_connection(lake_dir: Path) -> tuple[duckdb.DuckDBPyConnection, LakeManifest]:
    """An in-memory DuckDB holding a view of every table of the lake in ``lake_dir``.

    Raises
    ------
    safecity.data.lake.errors.NotALakeError
        If there is no lake there.
    safecity.data.lake.errors.LakeVersionError
        If the lake was written by a newer Safe City.
    """
    manifest = read_manifest(lake_dir)
    root = lake_dir.resolve()
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")
    for name, table in sorted(usable_tables(manifest).items()):
        connection.execute(f"CREATE VIEW {sql_identifier(name)} AS {table_view_sql(root, table)}")
    return connection, manifest
