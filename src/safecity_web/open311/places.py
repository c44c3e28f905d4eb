"""Places of the published area by name: matching an ``address_string``, naming a ward.

The names are the wards and LSOAs of the current published assessment's boundaries
(``core_gateway.named_places``), kept per published assessment so that answering a request does
not read the boundaries again.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from safecity_web import core_gateway
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.open311.errors import bad_request
from safecity_web.reporting.submission import current_boundaries

WARD_LEVEL = "ward"
LSOA_LEVEL = "lsoa"
WARDS_LISTED_IN_ERRORS = 30


@dataclass(frozen=True, slots=True)
class NamedPlace:
    """A ward or LSOA by name, with a point inside it."""

    name: str
    area_level: str
    area_code: str
    latitude: float
    longitude: float


_PLACES: dict[int, tuple[NamedPlace, ...]] = {}
_PLACES_GUARD = threading.Lock()


def _published_boundaries_id() -> int | None:
    """The id of the published assessment whose boundaries place reports (as submission does)."""
    found = (
        PublishedAssessment.objects.filter(
            status=AssessmentStatus.PUBLISHED, boundaries__isnull=False
        )
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return None if found is None else int(found)


def current_places() -> tuple[NamedPlace, ...]:
    """The wards and LSOAs of the published boundaries (empty when none are published)."""
    published = _published_boundaries_id()
    if published is None:
        return ()
    with _PLACES_GUARD:
        kept = _PLACES.get(published)
    if kept is not None:
        return kept
    boundaries = current_boundaries()
    if boundaries is None:
        return ()
    places = tuple(
        NamedPlace(
            name=str(place["name"]),
            area_level=str(place["area_level"]),
            area_code=str(place["area_code"]),
            latitude=float(place["latitude"]),
            longitude=float(place["longitude"]),
        )
        for place in core_gateway.named_places(
            boundaries_key=boundaries[0], boundaries=boundaries[1]
        )
    )
    with _PLACES_GUARD:
        _PLACES.clear()
        _PLACES[boundaries[0]] = places
    return places


def ward_names() -> dict[str, str]:
    """Ward names by GSS code, from the published boundaries."""
    return {
        place.area_code: place.name for place in current_places() if place.area_level == WARD_LEVEL
    }


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def place_named_in(address_string: str) -> NamedPlace:
    """The ward or LSOA an ``address_string`` names (the most specific, then the longest name).

    A name matches when its words occur, whole and in order, in the address ("12 High Street,
    Westfield" names the ward Westfield).

    Raises
    ------
    Open311Error
        400 naming ``address_string`` when nothing published matches, listing the wards.
    """
    places = current_places()
    if not places:
        raise bad_request(
            field_name="address_string",
            message="places cannot be matched by name until the partnership publishes its "
            "area's boundaries; send lat and long instead",
        )
    wanted = f" {_words(address_string)} "
    matches: list[Any] = [
        place for place in places if _words(place.name) and f" {_words(place.name)} " in wanted
    ]
    if not matches:
        wards = sorted(place.name for place in places if place.area_level == WARD_LEVEL)
        shown = ", ".join(wards[:WARDS_LISTED_IN_ERRORS])
        more = "" if len(wards) <= WARDS_LISTED_IN_ERRORS else ", ..."
        raise bad_request(
            field_name="address_string",
            message="no ward or neighbourhood of the area is named in it; send lat and long, "
            f"or include the name of a ward ({shown}{more})",
        )
    matches.sort(key=lambda place: (place.area_level != LSOA_LEVEL, -len(place.name)))
    chosen: NamedPlace = matches[0]
    return chosen
