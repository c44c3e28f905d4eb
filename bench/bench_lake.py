"""Benchmark: exporting a warehouse to the Parquet lake against a bare DuckDB ``COPY``.

Prints the time of a bare ``COPY <fact table> TO 'x.parquet' (FORMAT parquet)`` of every fact
table (the same rows), of ``export_lake`` (partitioned by force and month, content-hash file
names, fingerprints, manifest), with and without the monthly street aggregate, and of a second
export of the unchanged warehouse, all in the same process on the same warehouse, with the
ratios and peak resident memory.

Usage::

    python bench/bench_lake.py --warehouse PATH     # an existing warehouse (opened read-only)
    python bench/bench_lake.py                      # generates the synthetic national year
    python bench/bench_lake.py --lsoas 6000         # a smaller generated one

Target (issue 16): export into the lake within 2x of the bare COPY of the same rows.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from safecity.data.lake import export_lake
from safecity.data.lake.layout import FORCE_MONTH_TABLES
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.synthetic.scale import NATIONAL_LSOA_COUNT
from safecity.data.warehouse import Warehouse


def _peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets the peak resident set size (Linux >= 4.0).
    Path("/proc/self/clear_refs").write_text("5")


def _generated_warehouse(scratch: Path, *, seed: int, lsoas: int, months: int) -> Path:
    started = time.perf_counter()
    dataset = generate_demo_data(
        out_dir=scratch / "national",
        seed=seed,
        scale=DemoScale.NATIONAL,
        months=months,
        national_lsoa_count=lsoas,
    )
    path = scratch / "national.duckdb"
    with Warehouse(path) as warehouse:
        load_police_uk(warehouse, paths=[file.path for file in dataset.police_uk_files])
    shutil.rmtree(scratch / "national")
    print(f"generated and loaded the synthetic nation in {time.perf_counter() - started:.1f} s")
    return path


def _bare_copy(warehouse: Warehouse, folder: Path) -> tuple[float, int]:
    folder.mkdir()
    started = time.perf_counter()
    rows = 0
    for table in FORCE_MONTH_TABLES:
        count = warehouse.count(table)
        if count:
            warehouse.connection.execute(
                f"COPY {table} TO '{folder / table}.parquet' (FORMAT parquet)"
            )
            rows += count
    return time.perf_counter() - started, rows


def _timed_export(warehouse: Warehouse, lake: Path, *, aggregates: bool) -> tuple[float, int]:
    _reset_peak_rss()
    started = time.perf_counter()
    summary = export_lake(warehouse, out_dir=lake, street_aggregates=aggregates)
    return time.perf_counter() - started, summary.total.written + summary.total.rewritten


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="an existing warehouse file")
    parser.add_argument("--scratch", type=Path, help="folder for the outputs (default: temp)")
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument("--lsoas", type=int, default=NATIONAL_LSOA_COUNT)
    parser.add_argument("--months", type=int, default=12)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="safecity-bench-lake-", dir=arguments.scratch) as name:
        scratch = Path(name)
        path = arguments.warehouse or _generated_warehouse(
            scratch, seed=arguments.seed, lsoas=arguments.lsoas, months=arguments.months
        )
        with Warehouse(path, read_only=True) as warehouse:
            _bare_copy(warehouse, scratch / "warm-up")  # the file's pages into the cache
            shutil.rmtree(scratch / "warm-up")
            _reset_peak_rss()
            bare_seconds, rows = _bare_copy(warehouse, scratch / "bare")
            bare_peak = _peak_rss_bytes()
            facts_seconds, facts_files = _timed_export(
                warehouse, scratch / "lake-facts", aggregates=False
            )
            shutil.rmtree(scratch / "lake-facts")
            full_seconds, full_files = _timed_export(warehouse, scratch / "lake", aggregates=True)
            lake_peak = _peak_rss_bytes()
            again_seconds, again_files = _timed_export(warehouse, scratch / "lake", aggregates=True)
    gib = 2**30
    print(
        f"bare COPY of the fact tables : {rows:,} rows in {bare_seconds:.2f} s,"
        f" peak RSS {bare_peak / gib:.2f} GiB"
    )
    print(
        f"export_lake, facts only      : {facts_files:,} files in {facts_seconds:.2f} s"
        f" ({facts_seconds / bare_seconds:.2f}x)"
    )
    print(
        f"export_lake with street_month: {full_files:,} files in {full_seconds:.2f} s"
        f" ({full_seconds / bare_seconds:.2f}x), peak RSS {lake_peak / gib:.2f} GiB"
    )
    print(
        f"export_lake again, unchanged : {again_files:,} files written in"
        f" {again_seconds:.2f} s ({again_seconds / bare_seconds:.2f}x)"
    )
    for name, seconds in (("facts", facts_seconds), ("facts + street_month", full_seconds)):
        ratio = seconds / bare_seconds
        print(
            f"ratio export_lake ({name}) / bare COPY = {ratio:.2f}x (target <= 2.0x: "
            f"{'OK' if ratio <= 2.0 else 'OVER'})"
        )
    print(f"peak memory {'OK' if lake_peak < 4 * gib else 'OVER'} (target < 4 GiB)")


if __name__ == "__main__":
    main()
