"""Bringing one lake table up to date with a source: rewrite only the partitions that changed.

Each partition of the source gets a content fingerprint in one pass (its rows, its columns and
the sum of every row's hash, so the order rows are stored in does not matter). A partition whose
fingerprint is the one the manifest lists keeps its file; the others are written anew; partitions
the source no longer has are dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, replace

import duckdb

from safecity.data.lake.errors import LakeError
from safecity.data.lake.layout import (
    FORCE_MONTH_TABLES,
    Partition,
    check_force_value,
    partition_keys,
    table_kind,
)
from safecity.data.lake.manifest import LakeColumn, LakeFile, LakeTable
from safecity.data.lake.parquet_writer import StagedWriter, partition_expressions, sql_identifier


@dataclass(frozen=True, slots=True)
class TableChange:
    """What bringing a table up to date did, in files and rows."""

    written: int = 0
    rewritten: int = 0
    unchanged: int = 0
    removed: int = 0
    rows_written: int = 0
    rows_unchanged: int = 0
    bytes_written: int = 0

    def __add__(self, other: TableChange) -> TableChange:
        return TableChange(
            written=self.written + other.written,
            rewritten=self.rewritten + other.rewritten,
            unchanged=self.unchanged + other.unchanged,
            removed=self.removed + other.removed,
            rows_written=self.rows_written + other.rows_written,
            rows_unchanged=self.rows_unchanged + other.rows_unchanged,
            bytes_written=self.bytes_written + other.bytes_written,
        )


def table_columns(connection: duckdb.DuckDBPyConnection, table: str) -> tuple[LakeColumn, ...]:
    """The columns of a table of ``connection``'s main schema, in order, with their types."""
    rows = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return tuple(LakeColumn(name=str(name), type=str(kind)) for name, kind in rows)


def stored_columns(table: str, columns: tuple[LakeColumn, ...]) -> tuple[LakeColumn, ...]:
    """The columns stored in ``table``'s files: all but its Hive keys (Hive convention)."""
    keys = {key.value for key in partition_keys(table)}
    return tuple(column for column in columns if column.name not in keys)


def source_query(table: str, columns: tuple[LakeColumn, ...], *, relation: str) -> str:
    """The query that writes ``table`` from ``relation``: stored columns, then Hive keys."""
    stored = [sql_identifier(column.name) for column in stored_columns(table, columns)]
    keys = [
        f"{expression} AS {key.value}" for key, expression in partition_expressions(table).items()
    ]
    return f"SELECT {', '.join(stored + keys)} FROM {relation}"


def content_fingerprints(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[LakeColumn, ...],
    *,
    relation: str,
) -> dict[Partition, tuple[int, str]]:
    """Rows and content fingerprint of every partition of ``relation`` (one pass)."""
    expressions = partition_expressions(table)
    keys = [f"{expression} AS {key.value}" for key, expression in expressions.items()]
    hashed = ", ".join(sql_identifier(column.name) for column in columns)
    signature = ";".join(f"{column.name}:{column.type}" for column in columns)
    query = (
        f"SELECT {', '.join([*keys, 'count(*)', f'sum(hash({hashed})::HUGEINT)'])} FROM {relation}"
    )
    if keys:
        query += " GROUP BY ALL"
    fingerprints: dict[Partition, tuple[int, str]] = {}
    for row in connection.execute(query).fetchall():
        *values, rows, total = row
        if int(rows) == 0:
            continue
        partition = Partition(
            force=str(values[0]) if len(values) > 0 else None,
            month=values[1] if len(values) > 1 else None,
        )
        if partition.force is not None and table in FORCE_MONTH_TABLES:
            check_force_value(table, partition.force)
        digest = hashlib.sha256(f"{signature}|{rows}|{total}".encode()).hexdigest()
        fingerprints[partition] = (int(rows), digest)
    return fingerprints


def sync_table(
    writer: StagedWriter,
    table: str,
    *,
    relation: str,
    columns: tuple[LakeColumn, ...],
    previous: LakeTable | None,
    scope: Collection[Partition] | None = None,
) -> tuple[LakeTable, TableChange]:
    """Bring ``table`` of the lake up to date with ``relation`` of the writer's connection.

    Parameters
    ----------
    writer
        Writes the new files (on the connection holding ``relation``).
    table
        The lake table.
    relation
        A SQL relation (a table name or a parenthesised query) with the table's columns.
    columns
        The table's columns, in warehouse order, with their types.
    previous
        The table as the lake lists it now (None: not in the lake yet).
    scope
        Only these partitions come from ``relation`` (the others keep their files); a
        partition in scope that ``relation`` has no rows for is dropped. None: every
        partition comes from ``relation``.

    Returns
    -------
    tuple of LakeTable and TableChange
        The table's new entry for the manifest, and what changed.
    """
    fingerprints = content_fingerprints(writer.connection, table, columns, relation=relation)
    same_columns = previous is not None and previous.columns == columns
    if scope is not None and previous is not None and previous.files and not same_columns:
        raise LakeError(
            f"{table} has other columns in the lake than in this Safe City's warehouse (the"
            " lake was written by another version): export the whole warehouse to the lake"
            " again before publishing into it"
        )
    before = previous.by_partition() if previous is not None and same_columns else {}
    in_scope = set(before) if scope is None else set(scope)
    kept: list[LakeFile] = [item for partition, item in before.items() if partition not in in_scope]
    change = TableChange(
        unchanged=len(kept),
        rows_unchanged=sum(item.rows for item in kept),
        removed=sum(
            1 for partition in before if partition in in_scope and partition not in fingerprints
        ),
    )
    to_write: list[Partition] = []
    for partition, (_rows, fingerprint) in sorted(fingerprints.items()):
        old = before.get(partition)
        if old is not None and old.content_fingerprint == fingerprint:
            kept.append(old)
            change += TableChange(unchanged=1, rows_unchanged=old.rows)
        else:
            to_write.append(partition)
    written: list[LakeFile] = []
    if to_write:
        everything = len(to_write) == len(fingerprints)
        written = writer.write(
            table,
            query=source_query(table, columns, relation=relation),
            partitions=None if everything else to_write,
        )
        written = [
            replace(item, content_fingerprint=fingerprints[item.partition][1]) for item in written
        ]
    for item in written:
        rows = fingerprints[item.partition][0]
        if item.rows != rows:
            raise RuntimeError(
                f"{table}, {item.partition.describe()}: {item.rows} rows written but the source"
                f" has {rows}; nothing was committed"
            )
        existed = item.partition in before
        change += TableChange(
            written=0 if existed else 1,
            rewritten=1 if existed else 0,
            rows_written=item.rows,
            bytes_written=item.bytes,
        )
    if previous is not None and not same_columns:
        change += TableChange(removed=len(previous.files))
    entry = LakeTable(
        kind=table_kind(table),
        partition_by=tuple(key.value for key in partition_keys(table)),
        columns=columns,
        files=tuple(sorted([*kept, *written], key=lambda item: item.path)),
    )
    return entry, change
