"""Checks shared by the spatial methods: numeric arrays, coordinates and coordinate systems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS

from safecity.spatial.errors import SpatialInputError, UnprojectedCoordinatesError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CRSLike = CRS | str | int
"""Anything :class:`pyproj.CRS` accepts: ``"EPSG:27700"``, ``27700``, a WKT string or a CRS."""


def as_float_vector(values: Any, *, name: str) -> FloatArray:
    """``values`` as a 1-D float array; raise :class:`SpatialInputError` naming a bad row."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise SpatialInputError(f"{name} must be numeric: {error}") from error
    if array.ndim != 1:
        raise SpatialInputError(f"{name} must be one-dimensional, got shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise SpatialInputError(
            f"{name} must be finite: row {int(bad[0])} is {float(array[bad[0]])!r}"
            + (f" ({bad.size} non-finite rows in all)" if bad.size > 1 else "")
        )
    return array


def require_non_negative(array: FloatArray, *, name: str) -> None:
    """Raise :class:`SpatialInputError` naming the first negative row."""
    negative = np.flatnonzero(array < 0)
    if negative.size:
        raise SpatialInputError(
            f"{name} must be non-negative: row {int(negative[0])} is {float(array[negative[0]])!r}"
        )


def require_probability(value: float, *, name: str) -> None:
    """Raise unless ``0 < value < 1``."""
    if not 0.0 < value < 1.0:
        raise SpatialInputError(f"{name} must lie strictly between 0 and 1, got {value!r}")


def require_positive(value: float, *, name: str) -> None:
    """Raise unless ``value`` is finite and > 0."""
    if not (np.isfinite(value) and value > 0):
        raise SpatialInputError(f"{name} must be a positive number, got {value!r}")


def as_coordinates(x: Any, y: Any, *, name: str = "coordinates") -> tuple[FloatArray, FloatArray]:
    """Paired x and y coordinate vectors of equal length."""
    x_array = as_float_vector(x, name=f"{name} x")
    y_array = as_float_vector(y, name=f"{name} y")
    if x_array.shape != y_array.shape:
        raise SpatialInputError(
            f"{name}: x has {x_array.size} rows but y has {y_array.size}; they must pair up"
        )
    return x_array, y_array


def require_projected(
    x: FloatArray, y: FloatArray, *, crs: CRSLike | None, method: str
) -> CRS | None:
    """Refuse longitude/latitude coordinates for a method that measures distances.

    With ``crs`` given, it must be a projected CRS. Without it, coordinates that all lie within
    longitude/latitude ranges (|x| <= 180, |y| <= 90) are refused: name the projected CRS with
    ``crs=`` to use planar coordinates that happen to be small.
    """
    if crs is not None:
        parsed = CRS.from_user_input(crs)
        if not parsed.is_projected:
            raise UnprojectedCoordinatesError(
                f"{method} measures distances, but crs {parsed.to_string()!r} is not projected "
                "(longitude/latitude); project the coordinates first, e.g. to British National "
                "Grid (EPSG:27700)"
            )
        return parsed
    if x.size and np.all(np.abs(x) <= 180.0) and np.all(np.abs(y) <= 90.0):
        raise UnprojectedCoordinatesError(
            f"{method} measures distances, but every coordinate lies within longitude/latitude "
            "ranges (|x| <= 180, |y| <= 90), so they look unprojected; project them (e.g. to "
            "EPSG:27700), or pass crs= naming the projected CRS they are in"
        )
    return None


def row_label(row: int, ids: Sequence[object] | None) -> str:
    """``row 3`` or ``row 3 (E01000001)`` for messages."""
    return f"row {row}" if ids is None else f"row {row} ({ids[row]})"


def label_column(labels: Sequence[object]) -> pd.Series:
    """Enum labels as an object column, so the members survive (pandas would make them str)."""
    return pd.Series(list(labels), dtype=object)
