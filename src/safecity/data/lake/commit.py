"""The write protocol every change to a lake follows, whatever writes it.

1. Take the lake's write lock; read the current manifest (if any).
2. Write new files: each in a staging folder, then moved to its partition folder under a new
   content-hash name (files the current manifest lists are never touched).
3. Commit: replace ``_lake.json`` atomically with the manifest listing the new set of files.
4. Delete the files the new manifest no longer lists.

A failure before step 3 removes the files step 2 placed and leaves the old manifest, and so
the old lake, exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from safecity.data.lake.layout import MANIFEST_FILE
from safecity.data.lake.lock import lake_write_lock
from safecity.data.lake.manifest import (
    LakeManifest,
    check_lake_folder,
    commit_manifest,
    is_lake,
    read_manifest,
)
from safecity.data.lake.parquet_writer import StagedWriter
from safecity.data.lake.table_sync import TableChange


@dataclass(frozen=True, slots=True)
class LakeWriteSummary:
    """What a write to a lake did: per table, files and rows written, rewritten, kept, removed.

    ``written`` counts files of partitions new to the lake, ``rewritten`` files of partitions
    whose content changed, ``unchanged`` files left as they were.
    """

    lake_dir: Path
    manifest: LakeManifest
    tables: dict[str, TableChange] = field(default_factory=dict)
    deleted_files: int = 0

    @property
    def total(self) -> TableChange:
        """The changes of every table added up."""
        total = TableChange()
        for change in self.tables.values():
            total += change
        return total

    def as_json(self) -> dict[str, Any]:
        """The summary as a JSON object (for ``--json``)."""

        def counts(change: TableChange) -> dict[str, int]:
            return {
                "files_written": change.written,
                "files_rewritten": change.rewritten,
                "files_unchanged": change.unchanged,
                "files_removed": change.removed,
                "rows_written": change.rows_written,
                "rows_unchanged": change.rows_unchanged,
                "bytes_written": change.bytes_written,
            }

        return {
            "lake": str(self.lake_dir),
            "manifest": str(self.lake_dir / MANIFEST_FILE),
            "written_at": self.manifest.written_at,
            "total": counts(self.total),
            "tables": {name: counts(change) for name, change in sorted(self.tables.items())},
        }


LakeBuild = Callable[
    [StagedWriter, LakeManifest | None], tuple[LakeManifest, dict[str, TableChange]]
]
"""Writes new files through the writer and returns the manifest to commit and the changes."""


def write_lake(
    lake_dir: Path, *, connection: duckdb.DuckDBPyConnection, build: LakeBuild
) -> LakeWriteSummary:
    """Run one write of a lake under the protocol of this module.

    Parameters
    ----------
    lake_dir
        The lake's folder (created, and the lake started, if new).
    connection
        The DuckDB connection the writer runs its queries on.
    build
        Given the writer and the current manifest (None for a new lake), writes the files and
        returns the manifest to commit with the changes per table.

    Returns
    -------
    LakeWriteSummary
        What was written, rewritten, kept and removed.

    Raises
    ------
    NotALakeError
        If ``lake_dir`` exists and holds other things than a lake.
    LakeVersionError
        If the lake was written by a newer Safe City.
    LakeBusyError
        If another process is writing to the lake.
    """
    check_lake_folder(lake_dir)
    with lake_write_lock(lake_dir):
        previous = read_manifest(lake_dir) if is_lake(lake_dir) else None
        writer = StagedWriter(connection=connection, lake_dir=lake_dir)
        try:
            manifest, changes = build(writer, previous)
            committed = commit_manifest(lake_dir, manifest)
        except BaseException:
            writer.discard()
            raise
        finally:
            writer.close()
        deleted = delete_unlisted_files(lake_dir, committed)
    return LakeWriteSummary(
        lake_dir=lake_dir, manifest=committed, tables=changes, deleted_files=deleted
    )


def delete_unlisted_files(lake_dir: Path, manifest: LakeManifest) -> int:
    """Delete data files the manifest does not list, and folders left empty; return how many.

    Only the lake's data folders (``facts/``, ``reference/``, ``aggregates/``) are looked at.
    """
    listed = {lake_dir / item.path for item in manifest.files()}
    deleted = 0
    for folder_name in ("facts", "reference", "aggregates"):
        folder = lake_dir / folder_name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file() and path not in listed:
                path.unlink()
                deleted += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()
    return deleted
