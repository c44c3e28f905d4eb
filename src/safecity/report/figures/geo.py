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
    for level, colour, width in (("ward", palette.OUTLINE, 1.4), (area_level, INK, 2.0)):
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


EARTH_KM_PER_DEGREE = 111.32
"""Kilometres per degree of latitude (and of longitude at the equator), WGS84 mean."""
SCALE_STEPS_KM = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0)
"""Lengths a scale bar may take: the longest that fits in a quarter of the map's width."""
LABEL_FONT_SIZE = 9
"""Ward names on maps, in CSS pixels (7 pt at A4: legible, not crowding the shading)."""
HALO = palette.MISSING_FILL
"""The light outline behind map text, so names read over any shading (and in greyscale)."""
INK = palette.OKABE_ITO["black"]
MARKER_RISE = -15
"""Pixels a hot spot's numbered marker is drawn above its point, clear of a ward name there."""


def _bounds(boundaries: dict[str, Any], *, area_level: str) -> tuple[float, float, float, float]:
    """West, south, east, north of the area (its own outline, else all its wards and LSOAs)."""
    shapes = features(boundaries, levels=[area_level]) or features(
        boundaries, levels=["ward", "lsoa"]
    )
    if not shapes:
        raise FigureDataError("boundaries: no outline of the area to draw a map of")
    west, south, east, north = shapely.total_bounds([shape(item["geometry"]) for item in shapes])
    return float(west), float(south), float(east), float(north)


def scale_bar_km(width_km: float) -> float:
    """The scale bar's length: the longest of :data:`SCALE_STEPS_KM` within a quarter of the
    map's width (the shortest step for a very small map)."""
    fitting = [step for step in SCALE_STEPS_KM if step <= width_km / 4]
    return fitting[-1] if fitting else SCALE_STEPS_KM[0]


def _distance_words(km: float) -> str:
    return f"{round(km * 1000)} m" if km < 1 else f"{km:g} km"


def ward_label_points(boundaries: dict[str, Any]) -> list[dict[str, Any]]:
    """One point per ward inside the ward (shapely's point on surface), with its name."""
    points = []
    for item in features(boundaries, levels=["ward"]):
        point = shape(item["geometry"]).point_on_surface()
        name = item["properties"].get("area_name") or item["properties"]["area_code"]
        points.append(
            {"name": str(name), "longitude": round(point.x, 5), "latitude": round(point.y, 5)}
        )
    return points


def _text_layers(
    points: list[dict[str, Any]], *, size: int, weight: str, colour: str
) -> list[dict[str, Any]]:
    """Text at longitude/latitude: a light halo first, then the text itself."""
    encoding = {
        "longitude": {"field": "longitude", "type": "quantitative"},
        "latitude": {"field": "latitude", "type": "quantitative"},
        "text": {"field": "name", "type": "nominal"},
    }
    return [
        {
            "data": {"values": points},
            "mark": {"type": "text", "fontSize": size, "fontWeight": weight, "stroke": HALO,
                     "strokeWidth": 3, "strokeJoin": "round", "fill": HALO},
            "encoding": encoding,
        },
        {
            "data": {"values": points},
            "mark": {"type": "text", "fontSize": size, "fontWeight": weight, "fill": colour},
            "encoding": encoding,
        },
    ]  # fmt: skip


def reading_layers(
    boundaries: dict[str, Any],
    *,
    area_level: str,
    markers: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Layers that make a map readable on paper: ward names, a scale bar, a north arrow and
    numbered markers.

    Parameters
    ----------
    boundaries
        The artefact's boundaries (ward names from their ``area_name``).
    area_level
        Level of the assessed area's outline (its extent places the scale bar and arrow).
    markers
        Numbered places to mark (``number``, ``longitude``, ``latitude``): a black disc with
        the number in white, keyed in the figure's subtitle (the main hot spots).

    The scale bar is drawn at the area's middle latitude (Mercator's scale changes by under
    1% across a city); north is up in the Mercator projection the maps use.
    """
    west, south, east, north = _bounds(boundaries, area_level=area_level)
    middle = math.radians((south + north) / 2)
    km_per_degree_longitude = EARTH_KM_PER_DEGREE * math.cos(middle)
    width_km = (east - west) * km_per_degree_longitude
    length_km = scale_bar_km(width_km)
    height = north - south
    start = west + (east - west) * 0.03
    end = start + length_km / km_per_degree_longitude
    bar_latitude = south - height * 0.04
    tick = height * 0.012
    bar = [
        {"longitude": start, "latitude": bar_latitude, "longitude2": end,
         "latitude2": bar_latitude},
        {"longitude": start, "latitude": bar_latitude - tick, "longitude2": start,
         "latitude2": bar_latitude + tick},
        {"longitude": end, "latitude": bar_latitude - tick, "longitude2": end,
         "latitude2": bar_latitude + tick},
    ]  # fmt: skip
    position = {
        "longitude": {"field": "longitude", "type": "quantitative"},
        "latitude": {"field": "latitude", "type": "quantitative"},
    }
    layers: list[dict[str, Any]] = _text_layers(
        ward_label_points(boundaries), size=LABEL_FONT_SIZE, weight="normal",
        colour=palette.NEUTRAL,
    )  # fmt: skip
    layers.extend(
        [
            {
                "data": {"values": bar},
                "mark": {"type": "rule", "color": INK, "strokeWidth": 2},
                "encoding": {
                    **position,
                    "longitude2": {"field": "longitude2"},
                    "latitude2": {"field": "latitude2"},
                },
            },
            {
                "data": {"values": [{"longitude": (start + end) / 2,
                                     "latitude": bar_latitude + tick,
                                     "name": _distance_words(length_km)}]},
                "mark": {"type": "text", "baseline": "bottom", "dy": -2, "fontSize": 10,
                         "fill": INK},
                "encoding": {**position, "text": {"field": "name", "type": "nominal"}},
            },
            {
                "data": {
                    "values": [
                        {
                            "longitude": east - (east - west) * 0.04,
                            "latitude": north - height * 0.05,
                            "name": "N",
                        }
                    ]
                },
                "layer": [
                    {"mark": {"type": "point", "shape": "triangle-up", "filled": True,
                              "size": 160, "color": INK, "opacity": 1, "dy": 0},
                     "encoding": position},
                    {"mark": {"type": "text", "baseline": "top", "dy": 9, "fontSize": 11,
                              "fontWeight": "bold", "fill": INK},
                     "encoding": {**position, "text": {"field": "name", "type": "nominal"}}},
                ],
            },
        ]
    )  # fmt: skip
    if markers:
        layers.extend(
            [
                {
                    "data": {"values": markers},
                    "mark": {"type": "circle", "size": 260, "color": INK, "opacity": 1,
                             "stroke": HALO, "strokeWidth": 1.5, "yOffset": MARKER_RISE},
                    "encoding": position,
                },
                {
                    "data": {"values": markers},
                    "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold",
                             "fill": HALO, "yOffset": MARKER_RISE},
                    "encoding": {**position, "text": {"field": "number", "type": "nominal"}},
                },
            ]
        )  # fmt: skip
    return layers


CONTEXT_LEVELS = ("pfa", "region")
"""Levels of the wider area an inset locates the assessed area in (force area, region)."""
INSET_SIZE = 130
"""Width and height of the locator inset in CSS pixels."""
INSET_SIMPLIFY_DEGREES = 0.002
"""Simplification of the wider area's outline for the inset (about 200 m: invisible at
1:2,000,000, and it keeps the SVG small)."""


def inset_view(boundaries: dict[str, Any], *, area_level: str) -> dict[str, Any] | None:
    """A small map locating the area (filled black) within its force area or region, drawn
    when the boundaries hold one (``area_level`` ``pfa`` or ``region``); ``None`` otherwise.

    The wider area comes from the loaded boundaries only (no tiles, no basemap): the
    artefact's ``boundaries.geojson`` carries it when its boundary was loaded.
    """
    wider = [
        item
        for item in features(boundaries, levels=CONTEXT_LEVELS)
        if item["properties"].get("area_level") != area_level
    ]
    area = features(boundaries, levels=[area_level])
    if not wider or not area:
        return None
    for item in wider:
        simplified = shapely.simplify(
            shape(item["geometry"]), INSET_SIMPLIFY_DEGREES, preserve_topology=True
        )
        item["geometry"] = _as_lists(mapping(shapely.orient_polygons(simplified, exterior_cw=True)))
    names = ", ".join(
        str(item["properties"].get("area_name") or item["properties"]["area_code"])
        for item in wider
    )
    return {
        "width": INSET_SIZE,
        "height": INSET_SIZE,
        "title": {"text": f"Location in {names}", "fontSize": 10, "anchor": "start"},
        "projection": {"type": "mercator"},
        "layer": [
            {
                "data": {"values": wider},
                "mark": {"type": "geoshape", "fill": HALO, "stroke": palette.NEUTRAL,
                         "strokeWidth": 0.8},
            },
            {
                "data": {"values": area},
                "mark": {"type": "geoshape", "fill": INK, "stroke": INK, "strokeWidth": 0.5},
            },
        ],
    }  # fmt: skip


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
        for level, colour, width in (("ward", palette.OUTLINE, 0.7), ("area", INK, 1.6))
        if any(row["level"] == level for row in outline)
    ]


def national_grid_reading_layers(
    boundaries: dict[str, Any], *, x_scale: dict[str, Any], y_scale: dict[str, Any]
) -> list[dict[str, Any]]:
    """Ward names, a scale bar and a north arrow for a grid map in British National Grid
    metres (the scales' domains); the counterpart of :func:`reading_layers`.

    The arrow points to grid north, within a degree of true north across England.
    """
    west, east = (float(value) for value in x_scale["domain"])
    south, north = (float(value) for value in y_scale["domain"])
    transformer = _to_national_grid()
    labels = []
    for point in ward_label_points(boundaries):
        x, y = transformer.transform(point["longitude"], point["latitude"])
        labels.append({"name": point["name"], "x": round(float(x)), "y": round(float(y))})
    length_km = scale_bar_km((east - west) / 1000)
    start = west + (east - west) * 0.03
    end = start + length_km * 1000
    bar_y = south + (north - south) * 0.03
    tick = (north - south) * 0.012

    def position(x_field: str = "x", y_field: str = "y") -> dict[str, Any]:
        return {
            "x": {"field": x_field, "type": "quantitative", "scale": x_scale, "axis": None},
            "y": {"field": y_field, "type": "quantitative", "scale": y_scale, "axis": None},
        }

    text = {"text": {"field": "name", "type": "nominal"}}
    return [
        {"data": {"values": labels},
         "mark": {"type": "text", "fontSize": LABEL_FONT_SIZE, "stroke": HALO, "strokeWidth": 3,
                  "strokeJoin": "round", "fill": HALO},
         "encoding": {**position(), **text}},
        {"data": {"values": labels},
         "mark": {"type": "text", "fontSize": LABEL_FONT_SIZE, "fill": palette.NEUTRAL},
         "encoding": {**position(), **text}},
        {"data": {"values": [
            {"x": start, "y": bar_y, "x2": end, "y2": bar_y},
            {"x": start, "y": bar_y - tick, "x2": start, "y2": bar_y + tick},
            {"x": end, "y": bar_y - tick, "x2": end, "y2": bar_y + tick}]},
         "mark": {"type": "rule", "color": INK, "strokeWidth": 2},
         "encoding": {**position(), "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
        {"data": {"values": [{"x": (start + end) / 2, "y": bar_y + tick,
                              "name": _distance_words(length_km)}]},
         "mark": {"type": "text", "baseline": "bottom", "dy": -2, "fontSize": 10, "fill": INK},
         "encoding": {**position(), **text}},
        {"data": {"values": [{"x": east - (east - west) * 0.04,
                              "y": north - (north - south) * 0.05, "name": "N"}]},
         "layer": [
             {"mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 160,
                       "color": INK, "opacity": 1},
              "encoding": position()},
             {"mark": {"type": "text", "baseline": "top", "dy": 9, "fontSize": 11,
                       "fontWeight": "bold", "fill": INK},
              "encoding": {**position(), **text}},
         ]},
    ]  # fmt: skip


__all__ = [
    "MAP_WIDTH",
    "features",
    "inset_view",
    "map_size",
    "national_grid_outline_layers",
    "national_grid_outlines",
    "national_grid_reading_layers",
    "outline_layers",
    "reading_layers",
    "scale_bar_km",
    "ward_label_points",
]
