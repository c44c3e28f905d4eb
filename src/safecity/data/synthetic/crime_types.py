"""The 14 police.uk street-level crime types and how the synthetic city generates each.

Monthly rates are per 1,000 residents and shaped on Southampton (about 2,400 crimes and 600
ASB incidents a month for 250,000 residents in 2022; see ``shared/data/SOURCES.md``). The
other parameters are the planted effects: a deprivation gradient (rate in IMD decile 1 over
decile 10), a night-time-economy hotspot multiplier for town-centre LSOAs, and a seasonal
cycle (amplitude and peak month). All are invented for the demo and not estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CrimeType(StrEnum):
    """A data.police.uk street-level crime type (the ``Crime type`` column)."""

    ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"
    BICYCLE_THEFT = "Bicycle theft"
    BURGLARY = "Burglary"
    CRIMINAL_DAMAGE_AND_ARSON = "Criminal damage and arson"
    DRUGS = "Drugs"
    OTHER_CRIME = "Other crime"
    OTHER_THEFT = "Other theft"
    POSSESSION_OF_WEAPONS = "Possession of weapons"
    PUBLIC_ORDER = "Public order"
    ROBBERY = "Robbery"
    SHOPLIFTING = "Shoplifting"
    THEFT_FROM_THE_PERSON = "Theft from the person"
    VEHICLE_CRIME = "Vehicle crime"
    VIOLENCE_AND_SEXUAL_OFFENCES = "Violence and sexual offences"


@dataclass(frozen=True, slots=True)
class CrimeTypeModel:
    """How one crime type is generated (see the module description)."""

    crime_type: CrimeType
    monthly_rate_per_1000: float
    deprivation_ratio: float
    hotspot_multiplier: float
    seasonal_amplitude: float
    peak_month: int


CRIME_TYPE_MODELS = (
    CrimeTypeModel(CrimeType.ANTI_SOCIAL_BEHAVIOUR, 2.40, 3.0, 5.0, 0.25, 7),
    CrimeTypeModel(CrimeType.BICYCLE_THEFT, 0.14, 1.0, 6.0, 0.35, 8),
    CrimeTypeModel(CrimeType.BURGLARY, 0.48, 2.0, 1.5, 0.15, 12),
    CrimeTypeModel(CrimeType.CRIMINAL_DAMAGE_AND_ARSON, 0.86, 3.0, 3.0, 0.10, 10),
    CrimeTypeModel(CrimeType.DRUGS, 0.24, 4.0, 5.0, 0.05, 6),
    CrimeTypeModel(CrimeType.OTHER_CRIME, 0.16, 2.5, 3.0, 0.05, 6),
    CrimeTypeModel(CrimeType.OTHER_THEFT, 0.67, 1.5, 6.0, 0.08, 8),
    CrimeTypeModel(CrimeType.POSSESSION_OF_WEAPONS, 0.12, 4.0, 5.0, 0.08, 7),
    CrimeTypeModel(CrimeType.PUBLIC_ORDER, 1.15, 3.0, 8.0, 0.10, 7),
    CrimeTypeModel(CrimeType.ROBBERY, 0.07, 3.0, 6.0, 0.10, 12),
    CrimeTypeModel(CrimeType.SHOPLIFTING, 0.75, 1.3, 15.0, 0.08, 12),
    CrimeTypeModel(CrimeType.THEFT_FROM_THE_PERSON, 0.07, 1.2, 15.0, 0.10, 12),
    CrimeTypeModel(CrimeType.VEHICLE_CRIME, 0.58, 1.6, 2.0, 0.08, 11),
    CrimeTypeModel(CrimeType.VIOLENCE_AND_SEXUAL_OFFENCES, 4.60, 3.5, 10.0, 0.10, 7),
)
"""One model per crime type, in the order of :class:`CrimeType` (index = type number)."""

ASB_INDEX = 0
CRIME_TYPE_NAMES = tuple(model.crime_type.value for model in CRIME_TYPE_MODELS)

PLANTED_RISE_CRIME_TYPE = CrimeType.SHOPLIFTING
PLANTED_RISE_RATIO = 1.35
"""Shoplifting is 35% higher in the latest 12 months than in the 12 before (all else flat)."""

NATIONAL_ROWS_PER_1000_PER_MONTH = 6_500_000 / 12 / (34_000 * 1_650 / 1_000)
"""Police.uk rows (crimes and ASB) a month per 1,000 residents at national scale: about 6.5
million a year for the 34,000 LSOAs of 1,650 residents on average (police.uk publishes about
that many for England and Wales)."""
