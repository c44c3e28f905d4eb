"""Benchmark: generate the synthetic national police.uk archive into a warehouse (issue 16).

Writes :func:`safecity.data.synthetic.national_archive.generate_national_archive`'s archive
(by default three financial years, April 2022 to March 2025, about 60 million street rows:
1,670,000 a month) and prints the time it took (reference data and street rows apart), the
rows, the force-month files and the warehouse's size. The archive is generated once and then
reused by ``bench/bench_engines.py --warehouse PATH``.

Usage::

    python bench/bench_national_archive.py --out /work/scratch/archive/national-60m.duckdb
    python bench/bench_national_archive.py --out small.duckdb --months 24 \\
        --first-month 2023-04 --crimes-per-month 85000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from safecity.data.synthetic.national_archive import generate_national_archive

DEFAULT_CRIMES_PER_MONTH = 1_670_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the new warehouse file")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--first-month", default="2022-04")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--crimes-per-month", type=int, default=DEFAULT_CRIMES_PER_MONTH)
    parser.add_argument("--lsoas", type=int, default=None, help="LSOAs (34,000 by default)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads")
    arguments = parser.parse_args()
    if arguments.out.exists():
        raise SystemExit(f"{arguments.out} exists: the archive is written into a new warehouse")

    def progress(what: str, done: int, total: int) -> None:
        print(f"  {time.strftime('%H:%M:%S')} {what} ({done}/{total})", flush=True)

    archive = generate_national_archive(
        warehouse_path=arguments.out,
        seed=arguments.seed,
        first_month=arguments.first_month,
        months=arguments.months,
        crimes_per_month=arguments.crimes_per_month,
        lsoa_count=arguments.lsoas,
        threads=arguments.threads,
        progress=progress,
    )
    size = sum(path.stat().st_size for path in arguments.out.parent.glob(arguments.out.name + "*"))
    print(
        f"national archive: {archive.street_rows:,} street rows, {archive.files:,} force-month"
        f" files ({len(archive.force_slugs)} forces x {len(archive.months)} months,"
        f" {archive.months[0]} to {archive.months[-1]}), {archive.lsoa_count:,} LSOAs"
    )
    print(
        f"    generated in {archive.seconds:.1f} s (reference data {archive.reference_seconds:.1f}"
        f" s, street rows {archive.street_seconds:.1f} s,"
        f" {archive.street_rows / archive.street_seconds / 1e6:.2f} million rows/s)"
    )
    print(f"    warehouse {arguments.out}: {size / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
