"""Writing a table's partitions as Parquet files named by their content, with DuckDB.

A table (or the rows of a query) is written in one ``COPY ... (FORMAT parquet, PARTITION_BY
...)`` into a staging folder inside the lake, then each file is hashed and moved to its place
(``part-<sha16>.parquet`` in its partition's folder). Nothing is listed until the manifest is
committed, so files placed by a write that fails are never read, and are removed.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb
import pyarrow.parquet as pq

from safecity.data.lake.layout import (
    EXTRACT_PARTITION_COLUMN,
    EXTRACT_TABLES,
    STAGING_PREFIX,
    Partition,
    PartitionKey,
    file_path,
    partition_from_folder,
    partition_keys,
)
from safecity.data.lake.manifest import LakeFile, file_sha256

HASHING_THREADS = 2
"""Files are hashed in this many threads (hashlib releases the interpreter lock)."""


def sql_identifier(name: str) -> str:
    """``name`` quoted as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def partition_expressions(table: str) -> dict[PartitionKey, str]:
    """The SQL expression of each Hive key of ``table`` over its rows.

    The force/month tables and ``street_month`` use their ``force`` and ``month`` columns; an
    extract table's ``force=`` partition is its ``source`` column.
    """
    keys = partition_keys(table)
    if table in EXTRACT_TABLES:
        return {PartitionKey.FORCE: sql_identifier(EXTRACT_PARTITION_COLUMN)}
    return {key: sql_identifier(key.value) for key in keys}


@dataclass(slots=True)
class StagedWriter:
    """Writes files into a lake through a staging folder, and can undo what it placed.

    Parameters
    ----------
    connection
        The DuckDB connection that runs the queries (the warehouse's, or a temporary one).
    lake_dir
        The lake's folder.
    """

    connection: duckdb.DuckDBPyConnection
    lake_dir: Path
    staging: Path = field(init=False)
    placed: list[Path] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.staging = self.lake_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        self.staging.mkdir(parents=True)

    def write(
        self,
        table: str,
        *,
        query: str,
        partitions: Sequence[Partition] | None = None,
    ) -> list[LakeFile]:
        """Write the rows of ``query`` as ``table``'s files, one per partition.

        Parameters
        ----------
        table
            The lake table the files belong to (decides folders and partition keys).
        query
            A SQL query giving the table's stored columns in order, plus for a partitioned
            table the Hive keys as columns named ``force`` (and ``month``), which are written
            to the paths, not into the files.
        partitions
            Write only these partitions (all that the query gives when None).

        Returns
        -------
        list of LakeFile
            The files placed, with rows, bytes and SHA-256 (no fingerprint yet).
        """
        keys = partition_keys(table)
        target = self.staging / uuid.uuid4().hex
        selected = query
        if partitions is not None and keys:
            selected = f"SELECT q.* FROM ({query}) q SEMI JOIN ({_values(partitions, keys)}) p"
            selected += " USING (" + ", ".join(key.value for key in keys) + ")"
        if keys:
            by = ", ".join(key.value for key in keys)
            self.connection.execute(
                f"COPY ({selected}) TO {sql_text(str(target))}"
                f" (FORMAT parquet, PARTITION_BY ({by}))"
            )
        else:
            target.mkdir()
            self.connection.execute(
                f"COPY ({selected}) TO {sql_text(str(target / 'data.parquet'))} (FORMAT parquet)"
            )
        staged: dict[Partition, list[Path]] = {}
        if target.exists():
            for path in sorted(target.rglob("*.parquet")):
                folder = PurePosixPath(path.parent.relative_to(target).as_posix())
                partition = partition_from_folder(folder) if keys else Partition()
                staged.setdefault(partition, []).append(path)
        singles = {partition: self._one_file(paths, target) for partition, paths in staged.items()}
        return self._place(table, singles)

    def _one_file(self, paths: list[Path], target: Path) -> Path:
        """One file of a partition DuckDB wrote in several (it may when a partition is big)."""
        if len(paths) == 1:
            return paths[0]
        merged = target / f"merged-{uuid.uuid4().hex}.parquet"
        listing = "[" + ", ".join(sql_text(str(path)) for path in paths) + "]"
        self.connection.execute(
            f"COPY (SELECT * FROM read_parquet({listing}, hive_partitioning = false))"
            f" TO {sql_text(str(merged))} (FORMAT parquet)"
        )
        return merged

    def _place(self, table: str, staged: dict[Partition, Path]) -> list[LakeFile]:
        items = sorted(staged.items())
        with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
            digests = list(pool.map(lambda item: file_sha256(item[1]), items))
        placed: list[LakeFile] = []
        for (partition, path), sha256 in zip(items, digests, strict=True):
            relative = file_path(table, partition, sha256)
            final = self.lake_dir / relative
            size = path.stat().st_size
            rows = pq.ParquetFile(path).metadata.num_rows
            if final.is_file() and final.stat().st_size == size:
                path.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                path.replace(final)
                self.placed.append(final)
            placed.append(
                LakeFile(
                    path=relative.as_posix(),
                    partition=partition,
                    rows=rows,
                    bytes=size,
                    sha256=sha256,
                )
            )
        return placed

    def discard(self, *, keep: Iterable[Path] = ()) -> None:
        """Remove the files this writer placed (after a failure), except those in ``keep``."""
        kept = set(keep)
        for path in self.placed:
            if path not in kept:
                path.unlink(missing_ok=True)
        self.placed.clear()

    def close(self) -> None:
        """Remove the staging folder."""
        shutil.rmtree(self.staging, ignore_errors=True)


def _values(partitions: Sequence[Partition], keys: tuple[PartitionKey, ...]) -> str:
    """A ``VALUES`` list of partitions, with the keys as column names."""
    rows = []
    for partition in partitions:
        values = []
        for key in keys:
            if key is PartitionKey.FORCE:
                values.append(sql_text(partition.force or ""))
            else:
                assert partition.month is not None
                values.append(f"DATE {sql_text(partition.month.isoformat())}")
        rows.append("(" + ", ".join(values) + ")")
    names = ", ".join(key.value for key in keys)
    return f"SELECT * FROM (VALUES {', '.join(rows)}) v({names})"
