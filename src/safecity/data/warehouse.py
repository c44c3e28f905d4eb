"""The warehouse: one DuckDB file per project folder, reached through Ibis.

Loaders write with SQL on the DuckDB connection inside one transaction per load (atomic);
readers build Ibis expressions on :attr:`Warehouse.ibis`, so that the same expressions can run
on another backend (PySpark) for national-scale work. :meth:`Warehouse.on_lake` gives the same
interface over a Parquet lake (``docs/lake.md``), read in place.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import ibis

from safecity.data.lake.reading import lake_connection
from safecity.schema.migrations import migrate

WAREHOUSE_ENVIRONMENT_VARIABLE = "SAFECITY_WAREHOUSE"
DEFAULT_WAREHOUSE_FILE = "safecity.duckdb"


def default_warehouse_path() -> Path:
    """``$SAFECITY_WAREHOUSE`` if set, else ``./safecity.duckdb``."""
    return Path(os.environ.get(WAREHOUSE_ENVIRONMENT_VARIABLE, DEFAULT_WAREHOUSE_FILE))


class Warehouse:
    """An open warehouse file, migrated to the schema this package knows.

    Parameters
    ----------
    path
        The DuckDB file; created (with its folder) if absent.
    read_only
        Open without the right to write (no migrations are run).
    """

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise FileNotFoundError(f"no warehouse at {self.path}: load some data first")
        # No progress bar: DuckDB prints it to standard output on long queries, which would
        # corrupt the CLI's --json output.
        self.connection: duckdb.DuckDBPyConnection = duckdb.connect(
            str(self.path), read_only=read_only
        )
        self.connection.execute("SET enable_progress_bar = false")
        if not read_only:
            migrate(self.connection)
        self.lake: Path | None = None
        """The lake's folder when the warehouse is a view of a lake (:meth:`on_lake`)."""
        self._open_reader()

    def _open_reader(self) -> None:
        # Readers get their own cursor (a connection to the same database), so an expression
        # never trips over a loader's unfinished result; it sees committed data.
        reader = self.connection.cursor()
        reader.execute("SET enable_progress_bar = false")
        self.ibis: Any = ibis.duckdb.from_connection(reader)

    @classmethod
    def on_lake(cls, lake_dir: Path | str) -> Warehouse:
        """The warehouse held in a Parquet lake, read in place (read-only, nothing copied).

        An in-memory DuckDB whose every warehouse table is a view over exactly the files the
        lake's manifest lists, with the warehouse's columns, order and types, so every reader
        of a warehouse (SQL on :attr:`connection`, Ibis on :attr:`ibis`) runs unchanged on the
        lake. The monthly street aggregate ``street_month`` is a view too when the lake holds
        it computed from its present street files.

        Parameters
        ----------
        lake_dir
            The lake's folder (``safecity export lake`` or ``safecity load ... --lake``).

        Returns
        -------
        Warehouse
            With :attr:`path` and :attr:`lake` the lake's folder. Its views cannot be written.

        Raises
        ------
        safecity.data.lake.errors.NotALakeError
            If there is no lake in ``lake_dir``.
        safecity.data.lake.errors.LakeVersionError
            If the lake was written by a newer Safe City.
        """
        folder = Path(lake_dir)
        connection, _ = lake_connection(folder)
        warehouse = cls.__new__(cls)
        warehouse.path = folder
        warehouse.connection = connection
        warehouse.lake = folder
        warehouse._open_reader()
        return warehouse

    def close(self) -> None:
        """Close the file (checkpointing the write-ahead log)."""
        self.ibis.disconnect()
        self.connection.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction that commits on success and rolls back on any exception or Ctrl-C."""
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def table_names(self) -> list[str]:
        """Names of the tables in the warehouse's main schema."""
        rows = self.connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            " ORDER BY table_name"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def count(self, table: str) -> int:
        """Number of rows in ``table``."""
        rows = self.connection.execute(f'SELECT count(*) FROM "{table}"').fetchall()
        return int(rows[0][0])
