"""The SQL that reads a lake table's Parquet files with the warehouse's columns and types."""

from __future__ import annotations

from pathlib import Path

from safecity.data.lake.layout import PartitionKey
from safecity.data.lake.manifest import LakeTable
from safecity.data.lake.parquet_writer import sql_identifier, sql_text

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


def table_view_sql(lake_dir: Path, table: LakeTable, *, files: list[str] | None = None) -> str:
    """The query of the view of ``table``: its columns in order and types, over its files.

    ``files`` (paths relative to the lake) reads only those of the table's files.
    """
    if not table.files or files == []:
        columns = ", ".join(
            f"CAST(NULL AS {column.type}) AS {sql_identifier(column.name)}"
            for column in table.columns
        )
        return f"SELECT {columns} WHERE false"
    columns = ", ".join(
        f"CAST({sql_identifier(column.name)} AS {column.type}) AS {sql_identifier(column.name)}"
        for column in table.columns
    )
    return f"SELECT {columns} FROM {parquet_relation(lake_dir, table, files=files)}"
