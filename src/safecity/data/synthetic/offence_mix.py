"""The synthetic offence mix (``synthetic_offence_mix.yaml``) as arrays by offence code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import numpy as np
import numpy.typing as npt

from safecity.config.offence_codes import load_offence_codes
from safecity.config.packaged_yaml import read_packaged_yaml
from safecity.data.synthetic.crime_types import CRIME_TYPE_NAMES

MIX_FILE = "synthetic_offence_mix.yaml"
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class VictimKind(StrEnum):
    """Who the victim of an offence is."""

    PERSON = "person"
    ORGANISATION = "organisation"
    NONE = "none"


class TimeProfile(StrEnum):
    """When in the week offences happen (see :mod:`safecity.data.synthetic.time_profiles`)."""

    EVENING = "evening"
    RETAIL = "retail"
    OVERNIGHT = "overnight"
    DAYTIME = "daytime"
    DOMESTIC = "domestic"
    NIGHT_TIME_ECONOMY = "night_time_economy"


FLAG_NAMES = (
    "known_offender",
    "domestic",
    "alcohol",
    "drugs",
    "hate",
    "bladed",
    "firearm",
    "public_place",
    "window",
)


@dataclass(frozen=True, slots=True)
class OffenceMix:
    """Every offence code the synthetic city draws, with its parameters as parallel arrays.

    ``crime_type[k]`` indexes :data:`CRIME_TYPE_NAMES`; ``share[k]`` sums to 1 within a crime
    type; ``probability[flag][k]`` is the chance of each flag.
    """

    codes: tuple[str, ...]
    descriptions: tuple[str, ...]
    crime_type: IntArray
    share: FloatArray
    severity: FloatArray
    victim: tuple[VictimKind, ...]
    profile: tuple[TimeProfile, ...]
    probability: dict[str, FloatArray]

    def codes_of_type(self, crime_type: int) -> IntArray:
        """Positions of the codes of one crime type."""
        return np.flatnonzero(self.crime_type == crime_type)


@cache
def load_offence_mix() -> OffenceMix:
    """Read and check ``synthetic_offence_mix.yaml`` against ``offence_codes.yaml``.

    Raises
    ------
    ValueError
        When a code is unknown, filed under the wrong police.uk category, or a value is invalid.
    """
    document = read_packaged_yaml(MIX_FILE)
    categories = document.get("categories") if isinstance(document, dict) else None
    if not isinstance(categories, dict):
        raise ValueError(f"{MIX_FILE}: expected a mapping under 'categories'")
    known = {code.code: code for code in load_offence_codes()}
    codes: list[str] = []
    rows: list[dict[str, object]] = []
    crime_types: list[int] = []
    for category, entries in categories.items():
        if category not in CRIME_TYPE_NAMES or not isinstance(entries, dict):
            raise ValueError(f"{MIX_FILE}: {category!r} is not a police.uk crime type")
        for raw_code, entry in entries.items():
            code = str(raw_code)
            if code not in known or known[code].police_uk_category != category:
                raise ValueError(
                    f"{MIX_FILE}: code {code} under {category!r} is not in offence_codes.yaml "
                    "with that police.uk category"
                )
            codes.append(code)
            rows.append(entry)
            crime_types.append(CRIME_TYPE_NAMES.index(category))
    crime_type = np.array(crime_types, dtype=np.int64)
    try:
        share = np.array([float(str(row["share"])) for row in rows])
        severity = np.array([float(str(row["severity"])) for row in rows])
        probability = {
            flag: np.array([float(str(row[flag])) for row in rows]) for flag in FLAG_NAMES
        }
        victim = tuple(VictimKind(str(row["victim"])) for row in rows)
        profile = tuple(TimeProfile(str(row["profile"])) for row in rows)
    except (KeyError, ValueError) as error:
        raise ValueError(f"{MIX_FILE}: an entry is incomplete or invalid: {error}") from error
    if np.any(share <= 0) or any(np.any((p < 0) | (p > 1)) for p in probability.values()):
        raise ValueError(f"{MIX_FILE}: shares must be positive and probabilities in [0, 1]")
    totals = np.bincount(crime_type, weights=share, minlength=len(CRIME_TYPE_NAMES))
    return OffenceMix(
        codes=tuple(codes),
        descriptions=tuple(known[code].description for code in codes),
        crime_type=crime_type,
        share=share / totals[crime_type],
        severity=severity,
        victim=victim,
        profile=profile,
        probability=probability,
    )
