"""Where the assessment's heavy aggregations run: the fact tables and the engine that reads them.

The fact tables (``police_uk_street``, ``extract_crime``, ``extract_victim``, and the monthly
street aggregate ``street_month`` where it is materialised) can be millions of rows; every
aggregation over them is an Ibis expression, so it runs in whichever engine holds them. A
:class:`FactSource` names that engine's Ibis backend: by default the warehouse's own DuckDB
connection; DuckDB reading a Parquet lake in place; or Spark reading the same lake (see
``docs/lake.md`` and the "Engines" section of ``docs/operations.md``). Lookups, populations and
every statistic after the aggregation stay on the driver (small tables), whatever the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from safecity.data.lake.spark_session import spark_lake
from safecity.data.warehouse import Warehouse


class ComputeEngine(StrEnum):
    """The engine that runs the aggregations over the fact tables."""

    DUCKDB = "duckdb"
    SPARK = "spark"


@dataclass(frozen=True, slots=True)
class FactSource:
    """An Ibis backend holding the fact tables, and what it is.

    Attributes
    ----------
    backend
        The Ibis backend: it must hold ``police_uk_street`` (and ``extract_crime``,
        ``extract_victim`` for extract-based groups), and may hold ``street_month``, the
        materialised monthly street aggregate of :mod:`safecity.assess.street_aggregate`.
    engine
        Which engine the backend is.
    description
        In words, for manifests and messages (e.g. "DuckDB on the warehouse safecity.duckdb").
    """

    backend: Any
    engine: ComputeEngine
    description: str

    def has_table(self, name: str) -> bool:
        """Whether the backend holds a table or view called ``name``.

        Asked by looking the table up (``list_tables`` of the installed Ibis does not work with
        every DuckDB release); any engine raises when the name is unknown.
        """
        try:
            self.backend.table(name)
        except Exception:  # each engine raises its own "table not found"
            return False
        return True


def warehouse_facts(warehouse: Warehouse) -> FactSource:
    """The warehouse's own fact tables, aggregated by its DuckDB connection."""
    return FactSource(
        backend=warehouse.ibis,
        engine=ComputeEngine.DUCKDB,
        description=f"DuckDB on the warehouse {warehouse.path}",
    )


def lake_facts(
    lake_dir: Path,
    *,
    engine: ComputeEngine,
    spark_master: str | None = None,
    lake: Warehouse | None = None,
) -> FactSource:
    """The fact tables of the Parquet lake in ``lake_dir``, aggregated by ``engine``.

    Parameters
    ----------
    lake_dir
        The lake's folder (``docs/lake.md``).
    engine
        DuckDB reads the lake in place (its views, :meth:`Warehouse.on_lake`); Spark reads the
        same files in a Spark session (:mod:`safecity.data.lake.spark_session`).
    spark_master
        For Spark: the master URL (default ``$SPARK_REMOTE`` when set, else ``local[*]``).
    lake
        For DuckDB: the lake already open (``Warehouse.on_lake``), whose connection is reused.

    Returns
    -------
    FactSource
        Stop a Spark source's session with ``source.backend.disconnect()`` when done.

    Raises
    ------
    safecity.data.lake.spark_session.SparkEngineError
        If Spark cannot start (the extra, Java or the master is missing).
    """
    if engine is ComputeEngine.DUCKDB:
        opened = lake if lake is not None else Warehouse.on_lake(lake_dir)
        return FactSource(
            backend=opened.ibis, engine=engine, description=f"DuckDB on the lake {lake_dir}"
        )
    spark = spark_lake(lake_dir, master=spark_master)
    return FactSource(
        backend=spark.backend,
        engine=engine,
        description=f"Spark ({spark.where}) on the lake {lake_dir}",
    )
