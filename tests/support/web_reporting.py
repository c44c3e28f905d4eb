"""A small published area for community-reporting tests: one CSP square, two wards, four LSOAs.

The CSP ``E22900099`` (not the demo city's code: a site publishes one assessment per area,
and web tests may have the demo published beside it) covers longitude -1.40..-1.36 and
latitude 50.90..50.94; the west ward
``E05900001`` (Westfield) is the half with longitude < -1.38, the east ward ``E05900002``
(Eastbank) the other; each ward holds two LSOAs split at latitude 50.92 (south first). Points
and names are invented; the layout is what the artefact's ``boundaries.geojson`` carries.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from safecity_web.observatory.models import AreaLevel, AssessmentStatus, PublishedAssessment

WEST, MIDDLE, EAST = -1.40, -1.38, -1.36
SOUTH, CENTRE, NORTH = 50.90, 50.92, 50.94
CSP_CODE = "E22900099"
WEST_WARD = "E05900001"
EAST_WARD = "E05900002"
LSOAS = {
    ("west", "south"): "E01900001",
    ("west", "north"): "E01900002",
    ("east", "south"): "E01900003",
    ("east", "north"): "E01900004",
}


def _square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(code: str, level: str, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "area_code": code,
            "area_vintage": 2024 if level == "csp" else 2021,
            "area_level": level,
            "area_name": name,
        },
        "geometry": geometry,
    }


def small_area_boundaries() -> dict[str, Any]:
    """The FeatureCollection described in the module docstring."""
    features = [
        _feature(CSP_CODE, "csp", "Smallton", _square(WEST, SOUTH, EAST, NORTH)),
        _feature(WEST_WARD, "ward", "Westfield", _square(WEST, SOUTH, MIDDLE, NORTH)),
        _feature(EAST_WARD, "ward", "Eastbank", _square(MIDDLE, SOUTH, EAST, NORTH)),
    ]
    for (side, half), code in LSOAS.items():
        west, east = (WEST, MIDDLE) if side == "west" else (MIDDLE, EAST)
        south, north = (SOUTH, CENTRE) if half == "south" else (CENTRE, NORTH)
        features.append(
            _feature(code, "lsoa", f"Smallton {code[-3:]}", _square(west, south, east, north))
        )
    return {"type": "FeatureCollection", "features": features}


def publish_small_area() -> Any:
    """A published assessment of the small area (no indicator rows), for placing reports."""
    return PublishedAssessment.objects.create(
        area_code=CSP_CODE,
        area_name="Smallton",
        area_level=AreaLevel.CSP,
        period="2024/25",
        manifest={},
        boundaries=small_area_boundaries(),
        source_directory="/nonexistent/smallton",
        status=AssessmentStatus.PUBLISHED,
        published_at=timezone.now(),
    )
