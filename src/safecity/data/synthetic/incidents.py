"""One month of incidents (crimes and ASB) for the whole synthetic area, in police.uk row order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safecity.data.synthetic.crime_ids import random_crime_ids
from safecity.data.synthetic.crime_types import ASB_INDEX, CRIME_TYPE_NAMES, CrimeType
from safecity.data.synthetic.expected_counts import ExpectedCounts
from safecity.data.synthetic.geography import SyntheticGeography
from safecity.data.synthetic.map_points import (
    FIRST_STREET_POINT,
    PARKING_POINT,
    RETAIL_POINT,
    VENUE_POINT,
    MapPoints,
)
from safecity.data.synthetic.offence_mix import OffenceMix
from safecity.data.synthetic.outcomes import draw_outcomes

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NO_LOCATION_RATE = 0.002
"""Share of rows published with no location (police.uk "No Location" rows)."""
REPEATED_ID_RATE = 0.001
"""Share of crime rows repeating the Crime ID of the row before (a police.uk quirk)."""
RETAIL_CODES = frozenset({"46", "34A", "49A"})
DRUG_POSSESSION_CODES = frozenset({"92D", "92E"})
NIGHT_LIFE_TYPES = frozenset(
    {
        CrimeType.VIOLENCE_AND_SEXUAL_OFFENCES,
        CrimeType.PUBLIC_ORDER,
        CrimeType.THEFT_FROM_THE_PERSON,
    }
)


@dataclass(frozen=True, slots=True)
class MonthIncidents:
    """Every incident of one month, one entry per police.uk row, in file order.

    ``offence`` indexes the offence mix (-1 for ASB), ``point`` the map points, ``outcome``
    the outcomes (-1 for ASB).
    """

    month_index: int
    lsoa: IntArray
    crime_type: IntArray
    offence: IntArray
    point: IntArray
    known_suspect: BoolArray
    outcome: IntArray
    no_location: BoolArray
    crime_ids: npt.NDArray[np.uint8]

    @property
    def is_crime(self) -> BoolArray:
        """True for crimes, False for ASB incidents."""
        crime: BoolArray = self.crime_type != ASB_INDEX
        return crime


def _code_chooser(mix: OffenceMix) -> tuple[IntArray, npt.NDArray[np.float64]]:
    """Codes ordered by crime type and the cumulative shares, offset by the crime type number."""
    order = np.argsort(mix.crime_type, kind="stable")
    types = mix.crime_type[order]
    cumulative = np.empty(order.size)
    for crime_type in np.unique(types):
        positions = np.flatnonzero(types == crime_type)
        cumulative[positions] = crime_type + np.cumsum(mix.share[order][positions])
        cumulative[positions[-1]] = crime_type + 1.0
    return order, cumulative


def draw_month(
    *,
    expected: ExpectedCounts,
    month_index: int,
    geography: SyntheticGeography,
    points: MapPoints,
    mix: OffenceMix,
    lsoa_sort_rank: IntArray,
    rng: np.random.Generator,
) -> MonthIncidents:
    """Draw one month's incidents and put them in police.uk order.

    Rows are ordered by force, then LSOA name (rows with no location last), map point and
    crime type, as in the published files.
    """
    type_count = len(CRIME_TYPE_NAMES)
    counts = rng.poisson(expected.for_month(month_index)).ravel()
    cell = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    lsoa = cell // type_count
    crime_type = cell % type_count
    total = lsoa.size
    is_crime = crime_type != ASB_INDEX

    order, cumulative = _code_chooser(mix)
    offence = np.full(total, -1, dtype=np.int64)
    position = np.searchsorted(
        cumulative, crime_type[is_crime] + rng.random(int(is_crime.sum())), side="right"
    )
    offence[is_crime] = order[np.minimum(position, order.size - 1)]

    street_points = points.per_lsoa - FIRST_STREET_POINT
    point_in_lsoa = FIRST_STREET_POINT + np.floor(street_points * rng.random(total) ** 1.7).astype(
        np.int64
    )
    codes = np.array(mix.codes)
    offence_code = np.where(is_crime, codes[np.maximum(offence, 0)], "")
    draw = rng.random(total)
    retail = np.isin(offence_code, list(RETAIL_CODES)) & (draw < 0.85)
    vehicle_type = CRIME_TYPE_NAMES.index(CrimeType.VEHICLE_CRIME)
    parking = (crime_type == vehicle_type) & (draw < 0.35)
    night_life_types = [CRIME_TYPE_NAMES.index(name) for name in NIGHT_LIFE_TYPES] + [ASB_INDEX]
    venue = geography.hotspot[lsoa] & np.isin(crime_type, night_life_types) & (draw < 0.30)
    point_in_lsoa[retail] = RETAIL_POINT
    point_in_lsoa[parking] = PARKING_POINT
    point_in_lsoa[venue] = VENUE_POINT
    point = lsoa * points.per_lsoa + point_in_lsoa

    known_probability = mix.probability["known_offender"][np.maximum(offence, 0)]
    known_suspect = is_crime & (rng.random(total) < known_probability)
    outcome = np.full(total, -1, dtype=np.int64)
    outcome[is_crime] = draw_outcomes(
        known_suspect=known_suspect[is_crime],
        drug_possession=np.isin(offence_code[is_crime], list(DRUG_POSSESSION_CODES)),
        months_before_latest=len(expected.months) - 1 - month_index,
        rng=rng,
    )
    no_location = rng.random(total) < NO_LOCATION_RATE
    crime_ids = random_crime_ids(count=total, rng=rng)

    name_rank = np.where(no_location, geography.lsoa_count, lsoa_sort_rank[lsoa])
    force = geography.plan.lsoa_force[lsoa]
    row_order = np.lexsort((crime_type, point, name_rank, force))
    lsoa, crime_type, offence, point = (
        lsoa[row_order],
        crime_type[row_order],
        offence[row_order],
        point[row_order],
    )
    known_suspect, outcome, no_location = (
        known_suspect[row_order],
        outcome[row_order],
        no_location[row_order],
    )
    force = force[row_order]
    is_crime = crime_type != ASB_INDEX
    repeat = (
        np.flatnonzero(
            is_crime[1:]
            & is_crime[:-1]
            & (force[1:] == force[:-1])
            & (rng.random(max(total - 1, 0)) < REPEATED_ID_RATE)
        )
        + 1
    )
    crime_ids[repeat] = crime_ids[repeat - 1]
    return MonthIncidents(
        month_index=month_index,
        lsoa=lsoa,
        crime_type=crime_type,
        offence=offence,
        point=point,
        known_suspect=known_suspect,
        outcome=outcome,
        no_location=no_location,
        crime_ids=crime_ids,
    )
