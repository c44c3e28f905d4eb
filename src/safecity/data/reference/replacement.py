"""Writing validated reference rows: replace what an earlier file said about the same areas.

A new file of a kind and vintage replaces, key by key, the rows earlier files wrote for the same
areas (or offence codes); rows of other areas are kept. An earlier load whose rows are all
replaced is marked ``superseded_by`` the new load in the load log.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

REFERENCE_TABLES: tuple[str, ...] = (
    "area_lookup",
    "csp_lookup",
    "population",
    "population_total",
    "deprivation",
    "boundary",
    "offence_classification",
    "harm_weight",
    "published_indicator",
    "comparator_group",
    "offence_count",
    "postcode_lookup",
)
"""Every table reference loads write (all carry ``file_id``)."""


@dataclass(frozen=True, slots=True)
class TableInsert:
    """Rows for one table: a SELECT giving the table's columns except ``file_id``.

    ``replace_key`` names the columns identifying what a row is about (e.g. the area and year):
    incoming rows replace existing rows with the same values of these columns.
    """

    table: str
    select: str
    replace_key: tuple[str, ...]
    keys: str | None = None
    """Optional cheaper SQL for the distinct ``replace_key`` values of ``select`` (e.g. one row
    per area rather than per area and age)."""


def replace_rows(
    connection: duckdb.DuckDBPyConnection, *, insert: TableInsert, file_id: int
) -> dict[int, int]:
    """Insert ``insert``'s rows for load ``file_id``, replacing rows with the same key.

    Returns
    -------
    dict
        Earlier load's file id -> number of its rows replaced.
    """
    if insert.table not in REFERENCE_TABLES:
        raise ValueError(f"{insert.table} is not a reference table")
    keys = ", ".join(insert.replace_key)
    keys_select = insert.keys or f"SELECT DISTINCT {keys} FROM ({insert.select})"
    connection.execute(f"CREATE OR REPLACE TEMP TABLE ref_incoming_key AS {keys_select}")
    join = " AND ".join(
        f"existing.{column} = ref_incoming_key.{column}" for column in insert.replace_key
    )
    replaced_rows = connection.execute(
        f"SELECT existing.file_id, count(*) FROM {insert.table} AS existing "
        f"JOIN ref_incoming_key ON {join} GROUP BY existing.file_id"
    ).fetchall()
    if replaced_rows:
        connection.execute(
            f"DELETE FROM {insert.table} AS existing USING ref_incoming_key WHERE {join}"
        )
    connection.execute(
        f"INSERT INTO {insert.table} BY NAME "
        f"SELECT *, {int(file_id)} AS file_id FROM ({insert.select})"
    )
    connection.execute("DROP TABLE ref_incoming_key")
    return {int(old_file_id): int(count) for old_file_id, count in replaced_rows}


def mark_superseded(
    connection: duckdb.DuckDBPyConnection, *, replaced_file_ids: set[int], file_id: int
) -> list[int]:
    """Mark earlier loads with no rows left in any reference table as superseded by ``file_id``."""
    superseded = []
    for old_file_id in sorted(replaced_file_ids):
        remaining = sum(
            int(row[0])
            for table in REFERENCE_TABLES
            if (
                row := connection.execute(
                    f"SELECT count(*) FROM {table} WHERE file_id = ?", [old_file_id]
                ).fetchone()
            )
            is not None
        )
        if remaining == 0:
            connection.execute(
                "UPDATE load_file SET superseded_by = ? WHERE file_id = ?", [file_id, old_file_id]
            )
            superseded.append(old_file_id)
    return superseded
