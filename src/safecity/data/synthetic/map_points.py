"""Map points: the anonymised locations police.uk snaps every crime to.

Each LSOA has a fixed set of points, each named like a police.uk location ("On or near
Supermarket", "On or near Quarry Lane"); several crimes at one point in a month give rows
that differ only in their Crime ID (as in real data; Tompson et al. 2015, *Crime Science* 4:18
on police.uk's anonymisation). Point 0 of each LSOA is a shop, point 1 a car park, point 2 a
nightclub in town centres and a petrol station or sports ground elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safecity.data.synthetic.geography import SyntheticGeography

IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]
FloatArray = npt.NDArray[np.float64]

RETAIL_POINT = 0
PARKING_POINT = 1
VENUE_POINT = 2
FIRST_STREET_POINT = 3
NO_LOCATION_TEXT = "No Location"

_STREET_STEMS = (
    "Quarry",
    "Mill",
    "Church",
    "Station",
    "Orchard",
    "Meadow",
    "Victoria",
    "Albert",
    "Kings",
    "Queens",
    "Park",
    "Chapel",
    "Bridge",
    "Castle",
    "Market",
    "Willow",
    "Ash",
    "Oak",
    "Beech",
    "Elm",
    "Harbour",
    "Dock",
    "Tanner",
    "Cooper",
    "Weaver",
    "Fletcher",
    "Bishop",
    "Abbey",
    "Priory",
    "Manor",
    "Grange",
    "Heath",
    "Common",
    "Spring",
    "Well",
    "Brook",
    "Ferry",
    "Wharf",
    "Rope",
    "Canal",
    "Gas",
    "Foundry",
    "Forge",
    "Kiln",
    "Malt",
    "Barley",
    "Hop",
    "Linden",
)
_STREET_TYPES = (
    "Road",
    "Street",
    "Lane",
    "Close",
    "Avenue",
    "Way",
    "Gardens",
    "Crescent",
    "Drive",
    "Place",
    "Terrace",
    "Walk",
    "Grove",
    "Court",
    "Mews",
    "Row",
)


@dataclass(frozen=True, slots=True)
class MapPoints:
    """``per_lsoa`` points for each LSOA; point ``k`` of LSOA ``i`` is number ``i * per_lsoa + k``.

    ``u``, ``v`` are the points' positions in the unit square mapped onto their LSOA.

    Coordinates are text with six decimals, as police.uk writes them.
    """

    per_lsoa: int
    u: FloatArray
    v: FloatArray
    longitude: FloatArray
    latitude: FloatArray
    longitude_text: StrArray
    latitude_text: StrArray
    location_text: StrArray


def build_map_points(
    *, geography: SyntheticGeography, per_lsoa: int, rng: np.random.Generator
) -> MapPoints:
    """Place and name ``per_lsoa`` map points inside every LSOA."""
    count = geography.lsoa_count
    lsoa = np.repeat(np.arange(count, dtype=np.int64), per_lsoa)
    u = rng.uniform(0.08, 0.92, size=lsoa.size)
    v = rng.uniform(0.08, 0.92, size=lsoa.size)
    coordinates = np.round(geography.points_in_lsoas(lsoa=lsoa, u=u, v=v), 6)
    stems = np.array(_STREET_STEMS)[rng.integers(0, len(_STREET_STEMS), size=lsoa.size)]
    kinds = np.array(_STREET_TYPES)[rng.integers(0, len(_STREET_TYPES), size=lsoa.size)]
    names = np.char.add(np.char.add(stems, " "), kinds).astype(object)
    position = np.tile(np.arange(per_lsoa), count)
    hotspot = geography.hotspot[lsoa]
    names[position == RETAIL_POINT] = np.where(
        hotspot[position == RETAIL_POINT], "Shopping Area", "Supermarket"
    )
    names[position == PARKING_POINT] = "Parking Area"
    venue = position == VENUE_POINT
    names[venue] = np.where(
        hotspot[venue],
        "Nightclub",
        np.where(rng.random(int(venue.sum())) < 0.5, "Petrol Station", "Sports/Recreation Area"),
    )
    location = np.char.add("On or near ", names.astype(str))
    return MapPoints(
        per_lsoa=per_lsoa,
        u=u,
        v=v,
        longitude=coordinates[:, 0],
        latitude=coordinates[:, 1],
        longitude_text=np.char.mod("%.6f", coordinates[:, 0]),
        latitude_text=np.char.mod("%.6f", coordinates[:, 1]),
        location_text=location,
    )
