"""Refreshing a lake's monthly street aggregate after its facts changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from safecity.data.lake.aggregates import sync_street_month
from safecity.data.lake.commit import LakeWriteSummary, write_lake
from safecity.data.lake.errors import NotALakeError
from safecity.data.lake.layout import STREET_MONTH_TABLE
from safecity.data.lake.manifest import LakeManifest, is_lake
from safecity.data.lake.parquet_writer import StagedWriter
from safecity.data.lake.table_sync import TableChange

STREET_TABLE = "police_uk_street"


def refresh_street_aggregates(lake_dir: Path) -> LakeWriteSummary:
    """(Re)compute ``aggregates/street_month`` where the street partitions changed.

    Only street partitions whose file's SHA-256 differs from the ``source_sha256`` their
    aggregate records (or that have none) are computed, reading just those files; aggregates
    of partitions no longer in the lake are dropped; the rest keep their files. The new
    aggregate files are committed with the manifest, atomically.

    Parameters
    ----------
    lake_dir
        The lake.

    Returns
    -------
    LakeWriteSummary
        What was written, rewritten, kept and removed (in ``tables["street_month"]``).

    Raises
    ------
    safecity.data.lake.errors.NotALakeError
        If there is no lake in ``lake_dir``.
    safecity.data.lake.errors.LakeBusyError
        If another process is writing to the lake.
    """
    if not is_lake(lake_dir):
        raise NotALakeError(f"{lake_dir} is not a lake: it has no _lake.json")
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")

    def build(
        writer: StagedWriter, previous: LakeManifest | None
    ) -> tuple[LakeManifest, dict[str, TableChange]]:
        assert previous is not None
        tables = dict(previous.tables)
        street = tables.get(STREET_TABLE)
        before = tables.get(STREET_MONTH_TABLE)
        if street is None:
            tables.pop(STREET_MONTH_TABLE, None)
            removed = len(before.files) if before is not None else 0
            return replace(previous, tables=tables), {
                STREET_MONTH_TABLE: TableChange(removed=removed)
            }
        tables[STREET_MONTH_TABLE], change = sync_street_month(
            writer, street=street, previous=before
        )
        return replace(previous, tables=tables), {STREET_MONTH_TABLE: change}

    try:
        return write_lake(lake_dir, connection=connection, build=build)
    finally:
        connection.close()
