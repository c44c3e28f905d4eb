"""Helpers for the spatial tests: golden tables, tolerances, boundaries, libpysal weights."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import libpysal
import numpy as np
import pandas as pd
import shapely

from safecity.spatial import SpatialWeights

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "spatial"
RTOL = 1e-9
ATOL = 1e-12


def read_golden(name: str) -> pd.DataFrame:
    """One vendored golden table (see ``tests/golden/spatial/SOURCES.md``)."""
    return pd.read_csv(GOLDEN / name)


def assert_published(actual: object, expected: object, decimals: int) -> None:
    """Closed-form values match to the precision they were published with."""
    difference = np.abs(np.asarray(actual, dtype=float) - np.asarray(expected, dtype=float))
    assert np.all(difference <= 0.5 * 10.0 ** (-decimals) + 1e-15), (actual, expected)


def read_boundaries(path: Path) -> tuple[np.ndarray, list[str]]:
    """Polygons and LSOA codes of a (optionally gzipped) GeoJSON file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        collection = json.load(stream)
    features = collection["features"]
    geometries = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in features])
    codes = [feature["properties"]["LSOA11CD"] for feature in features]
    return np.asarray(geometries, dtype=object), codes


def to_libpysal(weights: SpatialWeights) -> libpysal.weights.W:
    """The same weights as a libpysal ``W`` (islands kept, unlike ``W.from_sparse``)."""
    neighbours = {unit: weights.neighbours(unit).tolist() for unit in range(weights.n)}
    values = {
        unit: weights.matrix[[unit], neighbours[unit]].ravel().tolist() if neighbours[unit] else []
        for unit in range(weights.n)
    }
    return libpysal.weights.W(
        neighbours, values, id_order=list(range(weights.n)), silence_warnings=True
    )
