"""The wards and LSOAs of the published boundaries, by code, for handling intelligence.

A receiver links a submission to a place by choosing a ward or an LSOA by name; the link stores
its GSS code, level and the boundaries' vintage. The queue and the pages show ward names from
the same boundaries (the codes stay when a later publication renames a ward).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from safecity_web.reporting.submission import current_boundaries


class PlaceLevel(enum.StrEnum):
    """The levels of place a submission may be linked to."""

    WARD = "ward"
    LSOA = "lsoa"


@dataclass(frozen=True, slots=True)
class BoundaryPlace:
    """One ward or LSOA of the published boundaries."""

    code: str
    name: str
    level: PlaceLevel
    vintage: str

    @property
    def label(self) -> str:
        """The name and what it is, for choosing from a list."""
        kind = "ward" if self.level is PlaceLevel.WARD else "LSOA"
        return f"{self.name} ({kind}, {self.code})"


def boundary_places() -> dict[str, BoundaryPlace]:
    """Every ward then every LSOA of the published boundaries by code, each in name order.

    Returns an empty mapping when no assessment with boundaries is published.
    """
    published = current_boundaries()
    if published is None:
        return {}
    places: list[BoundaryPlace] = []
    for feature in published[1].get("features", []):
        properties = feature.get("properties") or {}
        level = str(properties.get("area_level", ""))
        if level not in {PlaceLevel.WARD.value, PlaceLevel.LSOA.value}:
            continue
        code = str(properties.get("area_code", ""))
        places.append(
            BoundaryPlace(
                code=code,
                name=str(properties.get("area_name") or code),
                level=PlaceLevel(level),
                vintage=str(properties.get("area_vintage", "")),
            )
        )
    places.sort(key=lambda place: (place.level is not PlaceLevel.WARD, place.name, place.code))
    return {place.code: place for place in places}


def ward_names() -> dict[str, str]:
    """Ward names by GSS code from the published boundaries."""
    return {
        code: place.name
        for code, place in boundary_places().items()
        if place.level is PlaceLevel.WARD
    }
