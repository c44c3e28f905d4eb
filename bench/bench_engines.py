"""Benchmark: the lake and the engines on the synthetic national archive (issue 16).

Four measurements, ratios printed in one run on the same machine (nothing here is asserted
about time in the test suite):

(a) *Export to the lake* (:func:`safecity.data.lake.export_lake`: every table, facts
    partitioned by force and month, hashed, with the manifest) against a bare DuckDB
    ``COPY police_uk_street TO 'x.parquet' (FORMAT parquet)`` of the same street rows.
    Target: the export at most 2x the bare COPY.

(b) *Families 1-6 for every CSP over three years* (:func:`assess_every_csp` for 2022/23,
    2023/24 and 2024/25, each against the year before it) on DuckDB over the lake and on Spark
    local (``local[*]`` unless ``--spark-master``) over the same lake. Ratio Spark / DuckDB;
    target at least 3. Spark's point is the cluster it can use, not one laptop: on one
    machine its fixed costs (JVM, planning, task scheduling, Python-JVM transfers) dominate.

(c) *Peak memory* (maximum resident set size of the child process and what it waited for,
    from ``os.wait4``) of the DuckDB run; target under 4 GB.

(d) *Per-partition cost*: seconds of the monthly street aggregate computed from the street
    rows (the engine's heavy aggregation, the one cost that grows with the archive;
    :func:`safecity.data.police_uk.street_month.street_month_expression`) per force-month
    partition it reads, on each engine, and the whole three-year assessment per partition (which
    reads the lake's materialised aggregate where it is up to date).
    ``docs/operations.md`` ("Scale: the full police.uk archive on a cluster") projects the full
    archive from these numbers.

Each engine runs in its own child process (``--child ENGINE``), writing its indicators and
tables to Parquet. Every engine's results are checked against DuckDB on the warehouse file:
the same rows, counts exact, statistics within 1e-9 (relative); the benchmark exits non-zero
otherwise.

Usage::

    python bench/bench_engines.py                                  # generates a small archive
    python bench/bench_engines.py --warehouse /work/scratch/archive/national-60m.duckdb \\
        --scratch /work/scratch/archive/bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import ibis
import numpy as np
import pandas as pd

from safecity.assess.all_csps_families import AllCspsAssessment, assess_every_csp
from safecity.assess.fact_source import ComputeEngine, lake_facts, warehouse_facts
from safecity.assess.periods import Period, parse_period
from safecity.data.lake import export_lake
from safecity.data.police_uk.street_month import street_month_expression
from safecity.data.synthetic.national_archive import generate_national_archive
from safecity.data.warehouse import Warehouse

YEARS = ("2022/23", "2023/24", "2024/25")
EXPORT_TARGET = 2.0
SPARK_TARGET = 3.0
MEMORY_TARGET_BYTES = 4 * 1024**3
TOLERANCE = 1e-9
EXACT_COLUMNS = (
    "numerator",
    "denominator",
    "baseline_numerator",
    "baseline_denominator",
    "count",
    "population",
    "rank",
    "rank_of",
    "months_with_data",
    "baseline_months_with_data",
)


class Engine:
    """The engines a child process can run."""

    WAREHOUSE = "warehouse"
    """DuckDB on the warehouse file (the reference the others are checked against)."""
    DUCKDB = "duckdb"
    """DuckDB over the lake, in place."""
    SPARK = "spark"
    """Spark over the lake."""

    ALL = (WAREHOUSE, DUCKDB, SPARK)


def _periods() -> list[tuple[Period, Period]]:
    """Each assessed financial year with the year before it as its baseline."""
    pairs = []
    for label in YEARS:
        period = parse_period(label)
        start = int(label[:4]) - 1
        pairs.append((period, parse_period(f"{start}/{(start + 1) % 100:02d}")))
    return pairs


# --- the child: one engine, three years --------------------------------------------------


def _limit_duckdb(connection: duckdb.DuckDBPyConnection, *, memory_limit: str) -> None:
    """DuckDB takes up to 80% of the machine's memory unless told; on a laptop shared with
    other work it is told (it spills to disk beyond the limit)."""
    connection.execute(f"SET memory_limit = '{memory_limit}'")


def _open_engine(
    engine: str, *, warehouse_path: Path, lake: Path | None, spark_master: str, memory_limit: str
) -> tuple[Warehouse, Any, Callable[[], None]]:
    """The warehouse to read reference data from, the fact source (None: the warehouse's) and
    a closer."""
    if engine == Engine.WAREHOUSE:
        warehouse = Warehouse(warehouse_path, read_only=True)
        _limit_duckdb(warehouse.connection, memory_limit=memory_limit)
        return warehouse, None, warehouse.close
    if lake is None:
        raise SystemExit(f"the {engine} engine reads the lake: give --lake")
    on_lake = Warehouse.on_lake(lake)
    _limit_duckdb(on_lake.connection, memory_limit=memory_limit)
    if engine == Engine.DUCKDB:
        return on_lake, lake_facts(lake, engine=ComputeEngine.DUCKDB, lake=on_lake), on_lake.close
    facts = lake_facts(lake, engine=ComputeEngine.SPARK, spark_master=spark_master)

    def close() -> None:
        facts.backend.disconnect()
        on_lake.close()

    return on_lake, facts, close


def _aggregate_seconds(warehouse: Warehouse, facts: Any, *, first: Period, last: Period) -> float:
    """Seconds to compute the monthly street aggregate of the months from ``first`` to ``last``
    from the street rows on the engine (never from a materialised aggregate: this is the cost
    that grows with the archive)."""
    source = facts if facts is not None else warehouse_facts(warehouse)
    street = source.backend.table("police_uk_street")
    street = street.filter(
        (street.month >= ibis.literal(first.first_month))
        & (street.month <= ibis.literal(last.last_month))
    )
    started = time.perf_counter()
    rows = source.backend.execute(street_month_expression(street).count())
    seconds = time.perf_counter() - started
    print(f"    [{source.description}] monthly aggregate: {int(rows):,} rows in {seconds:.2f} s")
    return seconds


def run_child(
    engine: str,
    *,
    warehouse_path: Path,
    lake: Path | None,
    spark_master: str,
    memory_limit: str,
    out: Path,
) -> None:
    """Run families 1-6 for every CSP for the three years; write results and timings."""
    started = time.perf_counter()
    warehouse, facts, close = _open_engine(
        engine,
        warehouse_path=warehouse_path,
        lake=lake,
        spark_master=spark_master,
        memory_limit=memory_limit,
    )
    opened = time.perf_counter() - started
    timings: dict[str, float] = {"open_seconds": opened}
    out.mkdir(parents=True, exist_ok=True)
    try:
        pairs = _periods()
        timings["aggregate_seconds"] = _aggregate_seconds(
            warehouse, facts, first=pairs[0][1], last=pairs[-1][0]
        )
        assess_started = time.perf_counter()
        for period, baseline in pairs:
            year_started = time.perf_counter()
            keywords: dict[str, Any] = {"period": period, "baseline": baseline}
            if facts is not None:
                keywords["facts"] = facts
            result = assess_every_csp(warehouse, **keywords)
            timings[f"{period.label}_seconds"] = time.perf_counter() - year_started
            _write_result(result, out=out / period.label.replace("/", "-"))
        timings["assess_seconds"] = time.perf_counter() - assess_started
    finally:
        close()
    timings["total_seconds"] = time.perf_counter() - started
    timings["peak_rss_bytes"] = _own_peak_rss()
    (out / "timings.json").write_text(json.dumps(timings, indent=1), encoding="utf-8")


def _own_peak_rss() -> float:
    """This process's peak resident set size in bytes (``VmHWM``: of this program only, not of
    the parent it was forked from, which ``ru_maxrss`` would include)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1]) * 1024
    return float("nan")


def _write_result(result: AllCspsAssessment, *, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    result.indicators.to_parquet(out / "indicators.parquet")
    for name, table in result.tables.items():
        table.to_parquet(out / f"{name}.parquet")


# --- the parent ----------------------------------------------------------------------------


def _spawn(
    engine: str,
    *,
    warehouse_path: Path,
    lake: Path | None,
    spark_master: str,
    memory_limit: str,
    out: Path,
) -> tuple[dict[str, float], int, float]:
    """Run one engine in a child; its timings, its peak RSS (bytes) and its wall seconds."""
    command = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--warehouse",
        str(warehouse_path),
        "--spark-master",
        spark_master,
        "--memory-limit",
        memory_limit,
        "--child-out",
        str(out),
    ]
    if lake is not None:
        command += ["--lake", str(lake)]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {engine} run failed (exit {process.returncode})")
    timings = json.loads((out / "timings.json").read_text(encoding="utf-8"))
    # ru_maxrss (kilobytes on Linux) counts the child's processes it waited for (a local Spark's
    # JVM) but also the parent's pages at the fork; VmHWM is the child's own program only.
    peak = max(int(timings["peak_rss_bytes"]), 0)
    if engine == Engine.SPARK:
        peak = max(peak, int(usage.ru_maxrss) * 1024)
    return timings, peak, seconds


def _compare_tables(ours: pd.DataFrame, reference: pd.DataFrame, *, what: str) -> list[str]:
    """Differences between two result tables keyed by ``row_id`` (empty when identical)."""
    problems = []
    if set(ours["row_id"]) != set(reference["row_id"]):
        problems.append(
            f"{what}: {len(set(ours['row_id']) ^ set(reference['row_id']))} rows in only one"
        )
        return problems
    if list(ours.columns) != list(reference.columns):
        problems.append(f"{what}: columns differ")
        return problems
    left = ours.set_index("row_id").sort_index()
    right = reference.set_index("row_id").sort_index()
    for column in left.columns:
        a, b = left[column], right[column]
        numeric = pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)
        if numeric and not pd.api.types.is_bool_dtype(a):
            x = a.to_numpy(dtype=float, na_value=np.nan)
            y = b.to_numpy(dtype=float, na_value=np.nan)
            if column in EXACT_COLUMNS:
                same = (x == y) | (np.isnan(x) & np.isnan(y))
            else:
                same = np.isclose(x, y, rtol=TOLERANCE, atol=0.0, equal_nan=True) | (
                    np.isinf(x) & (x == y)
                )
            if not same.all():
                problems.append(f"{what}.{column}: {int((~same).sum())} rows differ")
        else:
            same = a.astype("string").fillna("<NA>") == b.astype("string").fillna("<NA>")
            if not same.all():
                problems.append(f"{what}.{column}: {int((~same).sum())} rows differ")
    return problems


def compare_results(ours: Path, reference: Path) -> list[str]:
    """Every table of every year of ``ours`` against ``reference``."""
    problems = []
    for year in sorted(path.name for path in reference.iterdir() if path.is_dir()):
        for table in sorted((reference / year).glob("*.parquet")):
            mine = ours / year / table.name
            if not mine.is_file():
                problems.append(f"{year}/{table.stem}: missing")
                continue
            problems += _compare_tables(
                pd.read_parquet(mine), pd.read_parquet(table), what=f"{year}/{table.stem}"
            )
    return problems


def _partitions(warehouse_path: Path) -> tuple[int, int]:
    """Force-month partitions and street rows the three years and their baseline read."""
    pairs = _periods()
    first, last = pairs[0][1].first_month, pairs[-1][0].last_month
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        partitions, rows = connection.execute(
            "SELECT count(DISTINCT (force, month)), count(*) FROM police_uk_street"
            " WHERE month BETWEEN ? AND ?",
            [first, last],
        ).fetchall()[0]
    return int(partitions), int(rows)


def export_ratio(warehouse_path: Path, *, lake: Path, scratch: Path, memory_limit: str) -> float:
    """(a) The lake export against a bare COPY of the street rows to one Parquet file."""
    bare = scratch / "bare-copy.parquet"
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        _limit_duckdb(connection, memory_limit=memory_limit)
        rows = connection.execute("SELECT count(*) FROM police_uk_street").fetchall()[0][0]
        started = time.perf_counter()
        connection.execute(f"COPY police_uk_street TO '{bare}' (FORMAT parquet)")
        copy_seconds = time.perf_counter() - started
    bare_size = bare.stat().st_size
    bare.unlink()
    if lake.exists():
        shutil.rmtree(lake)
    with Warehouse(warehouse_path, read_only=True) as warehouse:
        _limit_duckdb(warehouse.connection, memory_limit=memory_limit)
        started = time.perf_counter()
        export_lake(warehouse, out_dir=lake)
        export_seconds = time.perf_counter() - started
    lake_size = sum(path.stat().st_size for path in lake.rglob("*") if path.is_file())
    ratio = export_seconds / copy_seconds
    print(
        f"(a) export to the lake {export_seconds:.1f} s ({lake_size / 1e9:.2f} GB, every table)"
        f" vs bare COPY of {rows:,} street rows {copy_seconds:.1f} s ({bare_size / 1e9:.2f} GB):"
        f" {ratio:.2f}x; target <= {EXPORT_TARGET:g}x:"
        f" {'MET' if ratio <= EXPORT_TARGET else 'MISSED'}"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="a warehouse holding the archive")
    parser.add_argument("--lake", type=Path, help="the lake (written by (a) unless --no-export)")
    parser.add_argument("--scratch", type=Path, help="where the lake and results go")
    parser.add_argument("--spark-master", default="local[*]")
    parser.add_argument(
        "--memory-limit", default="3GB", help="DuckDB's memory limit (it spills beyond it)"
    )
    parser.add_argument(
        "--engines",
        default=",".join(Engine.ALL),
        help=f"comma-separated, of {', '.join(Engine.ALL)}",
    )
    parser.add_argument("--no-export", action="store_true", help="reuse the lake at --lake")
    parser.add_argument("--child", choices=Engine.ALL, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(
            arguments.child,
            warehouse_path=arguments.warehouse,
            lake=arguments.lake,
            spark_master=arguments.spark_master,
            memory_limit=arguments.memory_limit,
            out=arguments.child_out,
        )
        return
    engines = [name for name in arguments.engines.split(",") if name]
    unknown = set(engines) - set(Engine.ALL)
    if unknown:
        raise SystemExit(f"unknown engines {sorted(unknown)}: use {', '.join(Engine.ALL)}")
    with tempfile.TemporaryDirectory(prefix="safecity-bench-engines-") as temporary:
        scratch = arguments.scratch or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        warehouse_path = arguments.warehouse
        if warehouse_path is None:
            warehouse_path = scratch / "archive.duckdb"
            archive = generate_national_archive(
                warehouse_path=warehouse_path,
                seed=2022,
                first_month="2021-04",
                months=48,
                crimes_per_month=40_000,
                lsoa_count=3_000,
            )
            print(
                f"generated a small archive: {archive.street_rows:,} rows in"
                f" {archive.seconds:.1f} s"
            )
        lake = arguments.lake or scratch / "lake"
        partitions, rows = _partitions(warehouse_path)
        print(
            f"archive {warehouse_path}: {rows:,} street rows in {partitions:,} force-month"
            f" partitions read by the three years and their baselines"
        )
        if not arguments.no_export and set(engines) & {Engine.DUCKDB, Engine.SPARK}:
            export_ratio(
                warehouse_path, lake=lake, scratch=scratch, memory_limit=arguments.memory_limit
            )
        runs: dict[str, tuple[dict[str, float], int, float]] = {}
        for engine in engines:
            runs[engine] = _spawn(
                engine,
                warehouse_path=warehouse_path,
                lake=lake if engine != Engine.WAREHOUSE else None,
                spark_master=arguments.spark_master,
                memory_limit=arguments.memory_limit,
                out=scratch / f"results-{engine}",
            )
            timings, peak, seconds = runs[engine]
            years = ", ".join(f"{label} {timings[f'{label}_seconds']:.1f} s" for label in YEARS)
            print(
                f"(b) {engine}: families 1-6 for every CSP, three years in"
                f" {timings['assess_seconds']:.1f} s ({years}); child wall {seconds:.1f} s,"
                f" opening {timings['open_seconds']:.1f} s; peak memory {peak / 1024**3:.2f} GB"
            )
            if "aggregate_seconds" in timings:
                print(
                    f"(d) {engine}: monthly aggregate {timings['aggregate_seconds']:.2f} s ="
                    f" {1000 * timings['aggregate_seconds'] / partitions:.1f} ms per partition;"
                    f" whole assessment {1000 * timings['assess_seconds'] / partitions:.1f} ms"
                    " per partition"
                )
        failed = False
        if Engine.WAREHOUSE in runs:
            for engine in engines:
                if engine == Engine.WAREHOUSE:
                    continue
                problems = compare_results(
                    scratch / f"results-{engine}", scratch / f"results-{Engine.WAREHOUSE}"
                )
                if problems:
                    failed = True
                    print(f"    {engine} differs from DuckDB on the warehouse: {problems[:10]}")
                else:
                    print(
                        f"    {engine}: results identical to DuckDB on the warehouse (counts"
                        f" exact, statistics within {TOLERANCE:g})"
                    )
        if Engine.DUCKDB in runs:
            peak = runs[Engine.DUCKDB][1]
            print(
                f"(c) DuckDB over the lake: peak memory {peak / 1024**3:.2f} GB; target < 4 GB:"
                f" {'MET' if peak < MEMORY_TARGET_BYTES else 'MISSED'}"
            )
        if Engine.DUCKDB in runs and Engine.SPARK in runs:
            ratio = (
                runs[Engine.SPARK][0]["assess_seconds"] / runs[Engine.DUCKDB][0]["assess_seconds"]
            )
            print(
                f"(b) Spark local / DuckDB over the same lake: {ratio:.2f}x; target >="
                f" {SPARK_TARGET:g}x: {'MET' if ratio >= SPARK_TARGET else 'MISSED'} (Spark's"
                " point is a cluster, not one laptop)"
            )
        if failed:
            raise SystemExit("the engines' results differ")


if __name__ == "__main__":
    main()
