"""Boundaries for maps: features of one level, d3 winding, map size, outline layers.

The artefact's ``boundaries.geojson`` follows RFC 7946 (exterior rings counter-clockwise);
Vega's d3-geo treats polygons on the sphere and needs exterior rings clockwise, or a small
polygon is read as the whole globe minus the polygon. Features given to a specification are
therefore re-wound clockwise here. Grid maps are drawn in British National Grid metres, so
outlines for them are projected with pyproj.

References
----------
Bostock, M. d3-geo, "Spherical shapes" (winding order),
https://github.com/d3/d3-geo#spherical-shapes; Vega-Lite v5 geoshape and projection
documentation, https://vega.github.io/vega-lite/docs/geoshape.html,
https://vega.github.io/vega-lite/docs/projection.html; IETF RFC 7946 §3.1.6.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

from safecity.report.figures import palette
from safecity.report.figures.figure import FigureDataError

MAP_WIDTH = 520
"""Width of every map in CSS pixels; the height follows the area's shape."""
_MIN_HEIGHT, _MAX_HEIGHT = 260, 720


def _as_lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_as_lists(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_lists(item) for key, item in value.items()}
    return value


def features(
    boundaries: dict[str, Any], *, levels: Iterable[str], codes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The features of ``levels`` (and ``codes``, if given), sorted by code, wound clockwise.

    Raises
    ------
    FigureDataError
        When ``boundaries`` is not a FeatureCollection with ``area_code``/``area_level``.
    """
    if boundaries.get("type") != "FeatureCollection":
        raise FigureDataError("boundaries: expected a GeoJSON FeatureCollection")
    wanted_levels = set(levels)
    wanted_codes = None if codes is None else set(codes)
    chosen = []
    for feature in boundaries.get("features", []):
        properties = feature.get("properties") or {}
        if "area_code" not in properties or "area_level" not in properties:
            raise FigureDataError("boundaries: a feature lacks area_code or area_level")
        if properties["area_level"] not in wanted_levels:
            continue
        if wanted_codes is not None and properties["area_code"] not in wanted_codes:
            continue
        geometry = shapely.orient_polygons(shape(feature["geometry"]), exterior_cw=True)
        chosen.append(
            {
                "type": "Feature",
                "properties": {
                    key: properties[key]
                    for key in ("area_code", "area_level", "area_name")
                    if key in properties
                },
                "geometry": _as_lists(mapping(geometry)),
            }
        )
    return sorted(chosen, key=lambda item: str(item["properties"]["area_code"]))


def map_size(feature_list: list[dict[str, Any]]) -> tuple[int, int]:
    """Width and height of a Mercator map of the features, keeping their shape."""
    if not feature_list:
        return MAP_WIDTH, MAP_WIDTH
    bounds = shapely.total_bounds([shape(item["geometry"]) for item in feature_list])
    west, south, east, north = (float(value) for value in bounds)
    middle = math.radians((south + north) / 2)
    width_units = max(east - west, 1e-9) * math.cos(middle)
    height = MAP_WIDTH * (north - south) / width_units
    return MAP_WIDTH, int(min(max(height, _MIN_HEIGHT), _MAX_HEIGHT))


def outline_layers(boundaries: dict[str, Any], *, area_level: str) -> list[dict[str, Any]]:
    """Geoshape layers drawing ward outlines (thin) and the area's outline (thick)."""
    layers = []
    for level, colour, width in (("ward", palette.OUTLINE, 0.9), (area_level, palette.BLACK, 1.8)):
        outline = features(boundaries, levels=[level])
        if outline:
            layers.append(
                {
                    "data": {"values": outline},
                    "mark": {
                        "type": "geoshape",
                        "filled": False,
                        "stroke": colour,
                        "strokeWidth": width,
                    },
                }
            )
    return layers


@cache
def _to_national_grid() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def national_grid_outlines(boundaries: dict[str, Any], *, area_level: str) -> list[dict[str, Any]]:
    """Outline vertices of the wards and the area in British National Grid metres.

    One row per vertex: ``level``, ``ring`` (an id per ring), ``order`` (vertex number),
    ``x``, ``y`` rounded to the metre, for line marks with ``detail`` on the ring.
    """
    rows: list[dict[str, Any]] = []
    transformer = _to_national_grid()
    for level in ("ward", area_level):
        kind = "ward" if level == "ward" else "area"
        for item in features(boundaries, levels=[level]):
            geometry = shape(item["geometry"])
            for part_number, polygon in enumerate(shapely.get_parts(geometry)):
                rings = [polygon.exterior, *polygon.interiors]
                for ring_number, ring in enumerate(rings):
                    coordinates = np.asarray(ring.coords)
                    xs, ys = transformer.transform(coordinates[:, 0], coordinates[:, 1])
                    ring_id = (
                        f"{level}:{item['properties']['area_code']}:{part_number}:{ring_number}"
                    )
                    rows.extend(
                        {"level": kind, "ring": ring_id, "order": order,
                         "x": round(float(x)), "y": round(float(y))}
                        for order, (x, y) in enumerate(zip(xs, ys, strict=True))
                    )  # fmt: skip
    return rows


def national_grid_outline_layers(
    outline: list[dict[str, Any]], *, x_scale: dict[str, Any], y_scale: dict[str, Any]
) -> list[dict[str, Any]]:
    """Line layers for :func:`national_grid_outlines` rows on the grid map's scales."""
    return [
        {
            "data": {"values": [row for row in outline if row["level"] == level]},
            "mark": {"type": "line", "color": colour, "strokeWidth": width},
            "encoding": {
                "x": {"field": "x", "type": "quantitative", "scale": x_scale, "axis": None},
                "y": {"field": "y", "type": "quantitative", "scale": y_scale, "axis": None},
                "detail": {"field": "ring", "type": "nominal"},
                "order": {"field": "order", "type": "quantitative"},
            },
        }
        for level, colour, width in (("ward", palette.OUTLINE, 0.7), ("area", palette.BLACK, 1.6))
        if any(row["level"] == level for row in outline)
    ]


__all__ = [
    "MAP_WIDTH",
    "features",
    "map_size",
    "national_grid_outline_layers",
    "national_grid_outlines",
    "outline_layers",
]
