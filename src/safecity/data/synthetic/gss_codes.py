"""Synthetic GSS codes in a reserved range, and invented place names.

Codes have the real formats (a three-character entity prefix and six digits) but always start
with ``9`` after the prefix (``E019…`` for LSOAs, ``E059…`` wards, ``E069…`` local authorities,
``E229…`` Community Safety Partnerships, ``E239…`` police force areas, ``E029…`` MSOAs,
``E129…`` regions). No real code uses that range: real 2011/2021 LSOA codes stop below
``E0104…``, ward codes below ``E0502…``, LAD, CSP and PFA codes below ``E0x001…``
(ONS Register of Geographic Codes).
"""

from __future__ import annotations

import re
from enum import StrEnum

import numpy as np
import numpy.typing as npt


class SyntheticEntity(StrEnum):
    """A GSS entity (code prefix) the synthetic geography uses."""

    LSOA = "E01"
    MSOA = "E02"
    WARD = "E05"
    LOCAL_AUTHORITY = "E06"
    REGION = "E12"
    COMMUNITY_SAFETY_PARTNERSHIP = "E22"
    POLICE_FORCE_AREA = "E23"


RESERVED_DIGIT = "9"
SYNTHETIC_CODE_PATTERN = re.compile(r"^E(01|02|05|06|12|22|23)9\d{5}$")
"""Every synthetic code matches this; no real GSS code does."""


def synthetic_codes(*, entity: SyntheticEntity, count: int) -> npt.NDArray[np.str_]:
    """``count`` consecutive synthetic codes for ``entity``, numbered from 1.

    >>> synthetic_codes(entity=SyntheticEntity.LSOA, count=2).tolist()
    ['E01900001', 'E01900002']
    """
    if not 0 <= count < 100_000:
        raise ValueError(f"cannot make {count} synthetic {entity.name} codes (at most 99,999)")
    return np.array(
        [f"{entity.value}{RESERVED_DIGIT}{number:05d}" for number in range(1, count + 1)]
    )


CITY_NAME = "Demoton"
CITY_FORCE_SLUG = "demoshire"
CITY_FORCE_NAME = "Demoshire Constabulary"
CITY_WARD_NAMES = (
    "Abbeymoor",
    "Brackenquay",
    "Castlegate",
    "Dunmarrow Vale",
    "Elmswick",
    "Foxglove Green",
    "Gallowmere",
    "Harbour Quay",
    "Ivyridge",
    "Juniper Heights",
    "Kestrelwood",
    "Lanthorn",
    "Marlowmead",
    "Nettlecross",
    "Orchard Rise",
    "Pennyfold",
)

_PLACE_STEMS = (
    "Quab",
    "Zorn",
    "Bliv",
    "Crum",
    "Dwel",
    "Frob",
    "Glim",
    "Hax",
    "Jarv",
    "Klov",
    "Mov",
    "Nib",
    "Plo",
    "Quil",
    "Rasp",
    "Skov",
    "Trub",
    "Vex",
    "Wib",
    "Yolm",
    "Zant",
    "Brix",
    "Drav",
    "Flin",
    "Grob",
    "Humb",
    "Jolt",
    "Krem",
)
_PLACE_ENDINGS = (
    "ton",
    "ford",
    "bury",
    "ham",
    "ley",
    "wick",
    "worth",
    "field",
    "stead",
    "mouth",
    "by",
    "minster",
    "combe",
    "hurst",
)
_WARD_ENDINGS = (
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Park",
    "Hill",
    "Green",
    "Vale",
    "Moor",
    "Heath",
    "Bridge",
    "Common",
    "Fields",
    "Rise",
    "Gate",
    "Cross",
    "Marsh",
    "Wood",
    "End",
)


def invented_place_names(count: int) -> list[str]:
    """``count`` distinct invented town names (``"Quabton"``, ``"Zornford"``, …).

    >>> invented_place_names(3)
    ['Quabton', 'Zornford', 'Blivbury']
    """
    capacity = len(_PLACE_STEMS) * len(_PLACE_ENDINGS)
    if count > capacity:
        raise ValueError(f"cannot invent {count} distinct place names (at most {capacity})")
    names = []
    for number in range(count):
        stem = _PLACE_STEMS[number % len(_PLACE_STEMS)]
        ending = _PLACE_ENDINGS[(number + number // len(_PLACE_STEMS)) % len(_PLACE_ENDINGS)]
        names.append(f"{stem}{ending}")
    return names


def invented_ward_names(*, place: str, count: int) -> list[str]:
    """``count`` ward names for the local authority called ``place``.

    >>> invented_ward_names(place="Quabton", count=2)
    ['Quabton Central', 'Quabton North']
    """
    names = [f"{place} {ending}" for ending in _WARD_ENDINGS[:count]]
    names += [f"{place} Ward {number}" for number in range(len(_WARD_ENDINGS) + 1, count + 1)]
    return names
