"""Benchmark: loading a year of police.uk street files against a bare DuckDB load.

Prints rows per second of Safe City's load (validation, quarantine, British National Grid
coordinates and the load log included) and its ratio to a bare ``CREATE TABLE ... AS SELECT *
FROM read_csv(...)`` of the same files into a fresh database, measured in the same process, plus
the peak resident memory of each.

Usage::

    python bench/bench_load.py                 # generates the synthetic national year first
    python bench/bench_load.py --files DIR     # any folder of *-street.csv files
    python bench/bench_load.py --archive       # Safe City loads them from one zip archive
                                               # (members streamed, within the input limits)

Target (issue #2): the whole load within 2x of the bare load; peak memory under 4 GB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb

from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse


def _peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets the peak resident set size (Linux >= 4.0).
    Path("/proc/self/clear_refs").write_text("5")


def _warm_cache(files: list[Path]) -> None:
    for path in files:
        with path.open("rb") as stream:
            while stream.read(1 << 24):
                pass


def _bare_load(files: list[Path], database: Path) -> tuple[float, int]:
    connection = duckdb.connect(str(database))
    listing = "[" + ", ".join(f"'{path}'" for path in files) + "]"
    started = time.perf_counter()
    connection.execute(f"CREATE TABLE street AS SELECT * FROM read_csv({listing})")
    elapsed = time.perf_counter() - started
    rows = connection.execute("SELECT count(*) FROM street").fetchone()
    connection.close()
    return elapsed, int(rows[0]) if rows else 0


def _zip_files(files: list[Path], archive: Path) -> None:
    """Pack the files as data.police.uk does (``YYYY-MM/<file>``), deflated."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
        for path in files:
            bundle.write(path, f"{path.name[:7]}/{path.name}")


def _our_load(source: Path, database: Path) -> tuple[float, int, int]:
    started = time.perf_counter()
    with Warehouse(database) as warehouse:
        reports = load_police_uk(warehouse, paths=[source])
    elapsed = time.perf_counter() - started
    return (
        elapsed,
        sum(report.loaded for report in reports),
        sum(report.quarantined for report in reports),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=Path, help="folder of police.uk street files")
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument(
        "--archive",
        action="store_true",
        help="load the files from one zip archive (the bare load still reads them plain)",
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="safecity-bench-") as scratch_name:
        scratch = Path(scratch_name)
        folder = arguments.files
        if folder is None:
            folder = scratch / "national"
            started = time.perf_counter()
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "safecity"),
                    "demo-data",
                    "--scale",
                    "national",
                    "--seed",
                    str(arguments.seed),
                    "--out",
                    str(folder),
                ],
                check=True,
            )
            print(f"generated the synthetic national year in {time.perf_counter() - started:.1f} s")
        files = sorted(folder.rglob("*-street.csv*"))
        size = sum(path.stat().st_size for path in files)
        print(f"{len(files)} files, {size / 1e9:.2f} GB")
        source = folder
        if arguments.archive:
            source = scratch / "archive.zip"
            _zip_files(files, source)
            print(f"packed into {source.name}, {source.stat().st_size / 1e9:.2f} GB")
        _warm_cache(files)

        _reset_peak_rss()
        bare_seconds, bare_rows = _bare_load(files, scratch / "bare.duckdb")
        bare_peak = _peak_rss_bytes()
        _reset_peak_rss()
        our_seconds, loaded, quarantined = _our_load(source, scratch / "safecity.duckdb")
        our_peak = _peak_rss_bytes()

    print(
        f"bare DuckDB load : {bare_rows:,} rows in {bare_seconds:.2f} s "
        f"({bare_rows / bare_seconds:,.0f} rows/s), peak RSS {bare_peak / 2**30:.2f} GiB"
    )
    print(
        f"Safe City load   : {loaded + quarantined:,} rows ({quarantined:,} quarantined) in "
        f"{our_seconds:.2f} s ({(loaded + quarantined) / our_seconds:,.0f} rows/s), "
        f"peak RSS {our_peak / 2**30:.2f} GiB"
    )
    ratio = our_seconds / bare_seconds
    print(
        f"ratio Safe City / bare = {ratio:.2f}x (target <= 2.0x); "
        f"peak memory {'OK' if our_peak < 4 * 2**30 else 'OVER'} (target < 4 GiB)"
    )
    if bare_rows != loaded + quarantined:
        raise SystemExit(
            f"row counts differ: bare {bare_rows:,} vs Safe City {loaded + quarantined:,}"
        )


if __name__ == "__main__":
    main()
