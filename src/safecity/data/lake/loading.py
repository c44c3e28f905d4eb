"""Loading files straight into a lake, through a temporary warehouse.

The loader runs exactly as it does for a warehouse, into a temporary DuckDB warehouse in the
lake's folder, so every row is loaded or quarantined with a reason and the load report is the
same. The temporary warehouse is first given what the loader consults from earlier loads: the
lake's load log and quarantine (so a file loaded before is ``unchanged`` and a re-published one
``replaces`` the earlier), and, as the loader needs, the pseudonym key check, the extract's
earlier rows of the same source, or the reference tables. Then only the partitions the load
touched, and the tables it changed, are published into the lake in one atomic commit; every
other file of the lake stays as it is.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import duckdb

from safecity.data.lake.aggregates import sync_street_month
from safecity.data.lake.commit import LakeWriteSummary, write_lake
from safecity.data.lake.errors import LakeError, LakeVersionError
from safecity.data.lake.layout import (
    STAGING_PREFIX,
    STREET_MONTH_TABLE,
    Partition,
    TableKind,
    table_kind,
)
from safecity.data.lake.lock import lake_write_lock
from safecity.data.lake.manifest import (
    LakeManifest,
    LakeTable,
    check_lake_folder,
    is_lake,
    read_manifest,
)
from safecity.data.lake.parquet_writer import StagedWriter, sql_identifier
from safecity.data.lake.table_sync import (
    TableChange,
    content_fingerprints,
    database_tables,
    sync_table,
    table_columns,
)
from safecity.data.lake.views import table_view_sql
from safecity.data.warehouse import Warehouse
from safecity.schema.migrations import available_migrations

LOG_TABLES = ("load_file", "quarantine")
"""The load log and quarantine: every load into a lake carries them over and appends to them."""

STREET_TABLE = "police_uk_street"
MIGRATIONS_TABLE = "schema_migration"

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class LakeSeed:
    """What a load into a lake needs from the lake before the loader runs.

    Attributes
    ----------
    tables
        Tables copied whole into the temporary warehouse (the loader reads and may change
        them; they are published whole, rewritten only if their content changed).
    partitions
        Fact partitions copied in, by table (e.g. an extract's earlier rows of its source);
        they are published again from the temporary warehouse.
    all_reference_tables
        Also copy every reference table of the lake whole (for loaders that replace reference
        rows by key).
    """

    tables: tuple[str, ...] = LOG_TABLES
    partitions: Mapping[str, Collection[Partition]] = field(default_factory=dict)
    all_reference_tables: bool = False

    def whole_tables(self, manifest: LakeManifest | None) -> set[str]:
        """The tables copied whole from the lake described by ``manifest``."""
        names = set(self.tables)
        if self.all_reference_tables and manifest is not None:
            names |= {
                name for name, entry in manifest.tables.items() if entry.kind is TableKind.REFERENCE
            }
        # The temporary warehouse records its own migrations (the same version, checked).
        return names - {MIGRATIONS_TABLE}


def load_into_lake(
    lake_dir: Path,
    *,
    load: Callable[[Warehouse], Result],
    seed: LakeSeed,
    touched: Callable[[Result], Mapping[str, Iterable[Partition]]] | None = None,
    street_aggregates: bool = True,
) -> tuple[Result, LakeWriteSummary]:
    """Run ``load`` on a temporary warehouse seeded from the lake, then publish what changed.

    Parameters
    ----------
    lake_dir
        The lake (created if the folder is new or empty).
    load
        Runs the loader on the temporary warehouse and returns its reports.
    seed
        What to copy from the lake into the temporary warehouse first.
    touched
        Fact partitions the load replaced, by table, from the load's result, beyond those it
        wrote rows to (a re-published file whose rows were all quarantined empties its
        partition).
    street_aggregates
        Keep ``aggregates/street_month`` up to date for the street partitions published (when
        the lake is new or already has it). When False, the lake's aggregate stays as it was
        (readers leave it aside while stale, until ``refresh_street_aggregates``).

    Returns
    -------
    tuple
        The load's result and what was published.

    Raises
    ------
    safecity.data.lake.errors.NotALakeError
        If ``lake_dir`` holds other things than a lake.
    safecity.data.lake.errors.LakeVersionError
        If the lake was written by another warehouse schema than this Safe City's.
    safecity.data.lake.errors.LakeBusyError
        If another process is writing to the lake.
    """
    check_lake_folder(lake_dir)
    with lake_write_lock(lake_dir):
        previous = read_manifest(lake_dir) if is_lake(lake_dir) else None
        _check_schema(lake_dir, previous)
        workspace = lake_dir / f"{STAGING_PREFIX}load-{uuid.uuid4().hex}"
        workspace.mkdir()
        try:
            with Warehouse(workspace / "load.duckdb") as staging:
                _seed(staging, lake_dir=lake_dir, previous=previous, seed=seed)
                result = load(staging)
                extra = touched(result) if touched is not None else {}
                summary = write_lake(
                    lake_dir,
                    connection=staging.connection,
                    build=lambda writer, before: _publish(
                        writer,
                        before,
                        staging=staging,
                        seed=seed,
                        extra={table: set(parts) for table, parts in extra.items()},
                        street_aggregates=street_aggregates,
                    ),
                    lock_held=True,
                )
        finally:
            shutil.rmtree(workspace, ignore_errors=True)
    return result, summary


def _check_schema(lake_dir: Path, previous: LakeManifest | None) -> None:
    newest = available_migrations()[-1].version
    if previous is not None and previous.warehouse_schema != newest:
        raise LakeVersionError(
            f"the lake in {lake_dir} holds warehouse schema version {previous.warehouse_schema},"
            f" this Safe City writes version {newest}: export a warehouse of this version to"
            " the lake (safecity export lake) before loading into it"
        )


def _seed(
    staging: Warehouse, *, lake_dir: Path, previous: LakeManifest | None, seed: LakeSeed
) -> None:
    """Copy the seed's tables and partitions from the lake into the temporary warehouse."""
    if previous is None:
        return
    root = lake_dir.resolve()
    with staging.transaction() as connection:
        for table in sorted(seed.whole_tables(previous)):
            entry = previous.tables.get(table)
            if entry is not None and entry.files:
                _copy_in(connection, table, entry, root)
        for table, partitions in seed.partitions.items():
            entry = previous.tables.get(table)
            if entry is None:
                continue
            wanted = set(partitions)
            chosen = replace(
                entry, files=tuple(item for item in entry.files if item.partition in wanted)
            )
            if chosen.files:
                _copy_in(connection, table, chosen, root)
        row = connection.execute("SELECT max(file_id) FROM load_file").fetchone()
        last = int(row[0]) if row and row[0] is not None else 0
        # New loads must not reuse the file ids of loads the lake already holds.
        connection.execute(f"CREATE OR REPLACE SEQUENCE load_file_id_sequence START {last + 1}")


def _copy_in(
    connection: duckdb.DuckDBPyConnection, table: str, entry: LakeTable, root: Path
) -> None:
    connection.execute(
        f"INSERT INTO {sql_identifier(table)} SELECT * FROM ({table_view_sql(root, entry)})"
    )


def _publish(
    writer: StagedWriter,
    previous: LakeManifest | None,
    *,
    staging: Warehouse,
    seed: LakeSeed,
    extra: dict[str, set[Partition]],
    street_aggregates: bool,
) -> tuple[LakeManifest, dict[str, TableChange]]:
    connection = staging.connection
    before = dict(previous.tables) if previous is not None else {}
    tables: dict[str, LakeTable] = {
        name: entry for name, entry in before.items() if name != STREET_MONTH_TABLE
    }
    changes: dict[str, TableChange] = {}
    whole = seed.whole_tables(previous)
    for table in database_tables(connection):
        if table == MIGRATIONS_TABLE and table in before:
            continue  # the same schema version (checked before loading): the lake's record stays
        columns = table_columns(connection, table)
        relation = sql_identifier(table)
        old = before.get(table)
        scope: set[Partition] | None = None
        if old is not None and table_kind(table) is TableKind.FACT:
            scope = set(seed.partitions.get(table, ())) | extra.get(table, set())
            scope |= set(content_fingerprints(connection, table, columns, relation=relation))
            if not scope:
                continue
        elif old is not None and table not in whole:
            if staging.count(table) and old.files:
                raise LakeError(
                    f"the load wrote to {table}, which it was not given from the lake: its"
                    " rows in the lake would be lost; nothing was published"
                )
            if not staging.count(table):
                continue
        tables[table], changes[table] = sync_table(
            writer, table, relation=relation, columns=columns, previous=old, scope=scope
        )
    street = tables.get(STREET_TABLE)
    has_aggregate = previous is None or STREET_MONTH_TABLE in before
    if street_aggregates and street is not None and has_aggregate:
        tables[STREET_MONTH_TABLE], changes[STREET_MONTH_TABLE] = sync_street_month(
            writer,
            street=street,
            previous=before.get(STREET_MONTH_TABLE),
        )
    elif STREET_MONTH_TABLE in before:
        # Kept as it was: readers leave it aside while it is stale, and
        # refresh_street_aggregates brings it up to date computing only what changed.
        tables[STREET_MONTH_TABLE] = before[STREET_MONTH_TABLE]
    version = available_migrations()[-1].version
    return LakeManifest(warehouse_schema=version, tables=tables), changes


FACT_TABLE_OF_FORMAT = {
    "police_uk_street": "police_uk_street",
    "police_uk_outcomes": "police_uk_outcome",
    "police_uk_stop_and_search": "police_uk_stop_search",
}
"""The fact table each police.uk file format (``load_file.format``) loads into."""
