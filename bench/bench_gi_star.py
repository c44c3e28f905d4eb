"""Benchmark: queen weights and analytic Gi* against libpysal/esda, measured in the same run.

Targets (issue 3):

* Gi* (analytic) over the 34,753 LSOAs of England and Wales with queen weights, and over a
  200 × 200 grid: at least 5 times faster than ``esda.G_Local(star=True, permutations=0)`` on
  the same weights, with identical z-scores;
* queen weights for those LSOAs built in under 5 s (libpysal's ``Queen`` timed as the baseline),
  with neighbour sets identical to libpysal's.

Run: ``.venv/bin/python bench/bench_gi_star.py`` (reads ``../shared/data``, or
``$SAFECITY_SHARED_DATA``). Prints times and ratios; it is not a test.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import esda
import libpysal
import numpy as np
import shapely

from safecity.spatial import (
    IslandPolicy,
    gi_star,
    lattice_weights,
    queen_weights,
)

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(
    os.environ.get("SAFECITY_SHARED_DATA", REPOSITORY_ROOT.parent / "shared" / "data")
).resolve()
LSOA_FILE = SHARED_DATA / "boundaries" / "lsoa11_bsc_ew.geojson.gz"
REPEATS = 5
GI_STAR_TARGET_RATIO = 5.0
QUEEN_TARGET_SECONDS = 5.0
Z_RTOL = 1e-9


def best_time(function: Callable[[], Any], repeats: int = REPEATS) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def read_polygons(path: Path) -> tuple[np.ndarray, list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        features = json.load(stream)["features"]
    geometries = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in features])
    return np.asarray(geometries, dtype=object), [f["properties"]["LSOA11CD"] for f in features]


def compare_gi_star(label: str, values: np.ndarray, ours_weights: Any, esda_weights: Any) -> bool:
    esda_time, esda_result = best_time(
        lambda: esda.G_Local(
            values, esda_weights, transform="B", star=True, permutations=0, n_jobs=1
        )
    )
    ours_time, ours_result = best_time(lambda: gi_star(values=values, weights=ours_weights))
    z_ours = ours_result["gi_z"].to_numpy()
    difference = np.max(np.abs(z_ours - esda_result.Zs) / np.maximum(1.0, np.abs(esda_result.Zs)))
    identical = bool(np.allclose(z_ours, esda_result.Zs, rtol=Z_RTOL, atol=1e-12))
    ratio = esda_time / ours_time
    verdict = "OK" if ratio >= GI_STAR_TARGET_RATIO and identical else "MISSED"
    print(
        f"Gi* {label}: esda {esda_time:.3f} s, safecity {ours_time:.3f} s, "
        f"ratio {ratio:.1f}x (target >= {GI_STAR_TARGET_RATIO:.0f}x); "
        f"max relative z difference {difference:.1e} (identical: {identical}) -> {verdict}"
    )
    return verdict == "OK"


def main() -> int:
    warnings.simplefilter("ignore")
    ok = True
    if not LSOA_FILE.is_file():
        print(f"LSOA boundaries not found at {LSOA_FILE}; skipping the LSOA benchmarks")
    else:
        start = time.perf_counter()
        polygons, codes = read_polygons(LSOA_FILE)
        print(f"read {len(polygons):,} LSOA polygons in {time.perf_counter() - start:.2f} s")

        ours_time, ours_weights = best_time(
            lambda: queen_weights(polygons, ids=codes, islands=IslandPolicy.ISOLATE), repeats=3
        )
        libpysal_time, libpysal_weights = best_time(
            lambda: libpysal.weights.Queen.from_iterable(list(polygons)), repeats=1
        )
        same = ours_weights.neighbour_sets() == [
            set(libpysal_weights.neighbors[unit]) for unit in range(len(polygons))
        ]
        verdict = "OK" if ours_time < QUEEN_TARGET_SECONDS and same else "MISSED"
        ok &= verdict == "OK"
        print(
            f"queen weights: safecity {ours_time:.3f} s (target < {QUEEN_TARGET_SECONDS:.0f} s), "
            f"libpysal {libpysal_time:.3f} s, ratio {libpysal_time / ours_time:.1f}x; "
            f"{ours_weights.matrix.nnz:,} links, islands {len(ours_weights.islands)}; "
            f"neighbour sets identical to libpysal: {same} -> {verdict}"
        )
        counts = np.random.default_rng(2024).poisson(45.0, len(polygons)).astype(np.float64)
        ok &= compare_gi_star("LSOAs (34,753, queen)", counts, ours_weights, libpysal_weights)

    grid_counts = np.random.default_rng(7).poisson(3.0, 200 * 200).astype(np.float64)
    ok &= compare_gi_star(
        "grid 200 x 200 (queen)",
        grid_counts,
        lattice_weights(n_rows=200, n_cols=200),
        libpysal.weights.lat2W(200, 200, rook=False),
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
