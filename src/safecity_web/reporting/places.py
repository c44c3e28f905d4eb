"""Where a report happened: place names matched against the published area, and the map's outlines.

A reporter types a place or street name; it is matched against the names of the wards and
LSOAs of the published assessment's boundaries (``core_gateway.named_places``), each with a
point inside it, so choosing a match gives the report a point in the right ward and LSOA. The
report map (``static/safecity/report-map.js``) draws the same boundaries as SVG from the
outlines :func:`map_outlines` gives, in the page itself: no map tiles, no other site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from safecity_web import core_gateway
from safecity_web.reporting.submission import current_boundaries

MAX_MATCHES = 8
MAP_LEVELS = ("csp", "ward")
COORDINATE_DECIMALS = 5
"""About a metre: enough for an outline drawn a few hundred pixels wide."""


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A named place of the area that matches what the reporter typed."""

    name: str
    area_level: str
    area_code: str
    latitude: float
    longitude: float

    @property
    def level_words(self) -> str:
        """'ward' or 'neighbourhood' (LSOA), as the page describes the match."""
        return {"ward": "ward", "lsoa": "neighbourhood"}.get(self.area_level, self.area_level)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def matching_places(*, query: str) -> list[PlaceMatch]:
    """The area's named places matching ``query``, best first (at most ``MAX_MATCHES``).

    A place matches when every word typed begins a word of its name, or its whole name
    appears in what was typed (a street name followed by its ward's name). Wards come before
    neighbourhoods; shorter names first.

    Parameters
    ----------
    query
        What the reporter typed.
    """
    wanted = _words(query)
    boundaries = current_boundaries()
    if not wanted or boundaries is None:
        return []
    key, collection = boundaries
    typed = " ".join(wanted)
    matches: list[PlaceMatch] = []
    for place in core_gateway.named_places(boundaries_key=key, boundaries=collection):
        if place["area_level"] not in ("ward", "lsoa"):
            continue
        name_words = _words(str(place["name"]))
        every_word = all(
            any(word.startswith(typed_word) for word in name_words) for typed_word in wanted
        )
        whole_name = bool(name_words) and f" {' '.join(name_words)} " in f" {typed} "
        if every_word or whole_name:
            matches.append(
                PlaceMatch(
                    name=str(place["name"]),
                    area_level=str(place["area_level"]),
                    area_code=str(place["area_code"]),
                    latitude=float(place["latitude"]),
                    longitude=float(place["longitude"]),
                )
            )
    matches.sort(key=lambda match: (match.area_level != "ward", len(match.name), match.name))
    return matches[:MAX_MATCHES]


def area_name(*, code: str) -> str:
    """The name of the published area (CSP, ward or LSOA) with GSS ``code`` ("" if none)."""
    boundaries = current_boundaries()
    if not code or boundaries is None:
        return ""
    for feature in boundaries[1].get("features", []):
        properties = feature.get("properties") or {}
        if properties.get("area_code") == code:
            return str(properties.get("area_name", ""))
    return ""


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates, (int, float)):
        return round(float(coordinates), COORDINATE_DECIMALS)
    return [_rounded(part) for part in coordinates]


def map_outlines() -> dict[str, Any] | None:
    """The area's and its wards' outlines for the report map (GeoJSON), or None.

    Only the partnership area and ward polygons are sent (LSOAs would add weight and no help
    in finding a place), with coordinates rounded to ``COORDINATE_DECIMALS``.
    """
    boundaries = current_boundaries()
    if boundaries is None:
        return None
    features = []
    for feature in boundaries[1].get("features", []):
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if properties.get("area_level") not in MAP_LEVELS or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "area_level": properties.get("area_level"),
                    "area_name": properties.get("area_name", ""),
                },
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _rounded(geometry["coordinates"]),
                },
            }
        )
    if not features:
        return None
    return {"type": "FeatureCollection", "features": features}
