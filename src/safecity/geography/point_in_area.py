"""Which LSOA and ward of an assessed area a point lies in, from its published boundaries.

Used when a community report gives a point on a map (or a place matched to one): the report is
stored with the point and with the codes of the LSOA and ward that contain it, so that counts can
be made by area without keeping the point in any export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape


@dataclass(frozen=True, slots=True)
class PlacedPoint:
    """The areas containing a point (empty text where none does)."""

    area_code: str
    ward_code: str
    lsoa_code: str

    @property
    def inside(self) -> bool:
        """Whether the point lies inside the assessed area at all."""
        return bool(self.area_code)


@dataclass(frozen=True, slots=True)
class NamedPlace:
    """An area of the boundaries by name, with a point inside it to stand for it."""

    name: str
    area_level: str
    area_code: str
    latitude: float
    longitude: float


class AreaLocator:
    """Point-in-polygon look-ups over a GeoJSON FeatureCollection of the published boundaries.

    Parameters
    ----------
    boundaries
        The artefact's ``boundaries.geojson`` (WGS84; features with ``area_code``,
        ``area_level`` of ``csp``, ``ward``, ``lsoa`` or ``force`` and ``area_name``).

    References
    ----------
    RFC 7946, The GeoJSON Format; shapely 2 (STRtree) for the spatial index.
    """

    def __init__(self, *, boundaries: Mapping[str, Any]) -> None:
        self._levels: dict[str, tuple[list[str], list[str], shapely.STRtree, list[Any]]] = {}
        grouped: dict[str, tuple[list[str], list[str], list[Any]]] = {}
        for feature in boundaries.get("features", []):
            properties = feature.get("properties") or {}
            level = str(properties.get("area_level", ""))
            if level not in ("csp", "ward", "lsoa") or feature.get("geometry") is None:
                continue
            codes, names, geometries = grouped.setdefault(level, ([], [], []))
            codes.append(str(properties.get("area_code", "")))
            names.append(str(properties.get("area_name", "")))
            geometries.append(shape(feature["geometry"]))
        for level, (codes, names, geometries) in grouped.items():
            self._levels[level] = (codes, names, shapely.STRtree(geometries), geometries)

    def _containing(self, level: str, point: shapely.Point) -> str:
        entry = self._levels.get(level)
        if entry is None:
            return ""
        codes, _, tree, geometries = entry
        for index in tree.query(point):
            if geometries[int(index)].covers(point):
                return codes[int(index)]
        return ""

    def place(self, *, latitude: float, longitude: float) -> PlacedPoint:
        """The CSP, ward and LSOA codes containing the point (empty text where none does)."""
        point = shapely.Point(longitude, latitude)
        return PlacedPoint(
            area_code=self._containing("csp", point),
            ward_code=self._containing("ward", point),
            lsoa_code=self._containing("lsoa", point),
        )

    def named_places(self) -> list[NamedPlace]:
        """Every ward and LSOA by name, each with a representative point inside it."""
        places: list[NamedPlace] = []
        for level in ("ward", "lsoa"):
            entry = self._levels.get(level)
            if entry is None:
                continue
            codes, names, _, geometries = entry
            for code, name, geometry in zip(codes, names, geometries, strict=True):
                inside = geometry.representative_point()
                places.append(
                    NamedPlace(
                        name=name,
                        area_level=level,
                        area_code=code,
                        latitude=float(inside.y),
                        longitude=float(inside.x),
                    )
                )
        return places
