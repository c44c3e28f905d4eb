"""Coordinate reference systems: WGS84 longitude/latitude and the British National Grid.

Police data give WGS84 (EPSG:4326) longitude and latitude; distances and grids need metres, so
the warehouse keeps both the coordinates as given and British National Grid (EPSG:27700)
eastings and northings, transformed with PROJ through pyproj (OSTN15-free Helmert-based
transformation by default, accurate to a few metres, which is far below police.uk's snapping).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import numpy as np
import numpy.typing as npt
from pyproj import Transformer


class CoordinateSystem(StrEnum):
    """The coordinate reference systems Safe City uses, by EPSG code."""

    WGS84 = "EPSG:4326"
    BRITISH_NATIONAL_GRID = "EPSG:27700"


@cache
def _wgs84_to_bng() -> Transformer:
    return Transformer.from_crs(
        CoordinateSystem.WGS84.value, CoordinateSystem.BRITISH_NATIONAL_GRID.value, always_xy=True
    )


def to_british_national_grid(
    *, longitude: npt.ArrayLike, latitude: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Transform WGS84 longitude/latitude (degrees) to British National Grid metres.

    Parameters
    ----------
    longitude, latitude
        Arrays of equal length, in degrees (EPSG:4326).

    Returns
    -------
    easting, northing
        Arrays in metres (EPSG:27700).

    References
    ----------
    Ordnance Survey (2020), *A guide to coordinate systems in Great Britain*.

    Examples
    --------
    >>> easting, northing = to_british_national_grid(longitude=[-1.4044], latitude=[50.9097])
    >>> round(float(easting[0]), -2), round(float(northing[0]), -2)
    (442000.0, 112400.0)
    """
    longitudes = np.asarray(longitude, dtype=np.float64)
    latitudes = np.asarray(latitude, dtype=np.float64)
    if longitudes.shape != latitudes.shape:
        raise ValueError(
            f"longitude and latitude differ in shape: {longitudes.shape} vs {latitudes.shape}"
        )
    easting, northing = _wgs84_to_bng().transform(longitudes, latitudes)
    return np.asarray(easting, dtype=np.float64), np.asarray(northing, dtype=np.float64)
