"""Expected monthly counts of each crime type in each LSOA: the planted effects live here.

``expected[i, c] = population[i] * gradient[c](decile[i]) * hotspot[c](i) * effect[i, c]``,
scaled so the whole area has the crime type's monthly rate, then multiplied each month by a
seasonal factor ``1 + A cos(2 pi (month - peak) / 12)`` and, for the planted rise, by the rise
ratio in the latest 12 months. Counts are Poisson draws around the expectation, over-dispersed
between LSOAs by gamma-distributed LSOA effects (a Poisson-gamma, i.e. negative binomial,
model; Osgood 2000, J. Quant. Criminol. 16(1):21-43).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safecity.data.synthetic.crime_types import (
    ASB_INDEX,
    CRIME_TYPE_MODELS,
    NATIONAL_ROWS_PER_1000_PER_MONTH,
    PLANTED_RISE_CRIME_TYPE,
    PLANTED_RISE_RATIO,
)
from safecity.data.synthetic.deprivation import SyntheticDeprivation
from safecity.data.synthetic.geography import SyntheticGeography
from safecity.data.synthetic.months import parse_month

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LSOA_EFFECT_SHAPE = 6.0
"""Gamma shape of the LSOA effect shared by all crime types (coefficient of variation 0.41)."""
TYPE_EFFECT_SHAPE = 20.0
"""Gamma shape of the LSOA effect specific to a crime type (coefficient of variation 0.22)."""
RISE_WINDOW_MONTHS = 12


@dataclass(frozen=True, slots=True)
class ExpectedCounts:
    """Expected counts per LSOA and crime type in an average month, and their monthly factors."""

    base: FloatArray
    months: tuple[str, ...]
    rise_applies: bool

    def for_month(self, month_index: int) -> FloatArray:
        """Expected counts ``(lsoa, crime type)`` in the month at ``month_index``."""
        _, calendar_month = parse_month(self.months[month_index])
        seasonal = np.array(
            [
                1.0
                + model.seasonal_amplitude
                * math.cos(2 * math.pi * (calendar_month - model.peak_month) / 12)
                for model in CRIME_TYPE_MODELS
            ]
        )
        if self.rise_applies and month_index >= len(self.months) - RISE_WINDOW_MONTHS:
            rise_type = [model.crime_type for model in CRIME_TYPE_MODELS].index(
                PLANTED_RISE_CRIME_TYPE
            )
            seasonal[rise_type] *= PLANTED_RISE_RATIO
        expected: FloatArray = self.base * seasonal[None, :]
        return expected


def deprivation_multiplier(*, decile: npt.NDArray[np.int64], ratio: float) -> FloatArray:
    """``ratio ** ((10 - decile) / 9)``: ``ratio`` in decile 1, 1 in decile 10, geometric between.

    >>> deprivation_multiplier(decile=np.array([1, 10]), ratio=4.0).tolist()
    [4.0, 1.0]
    """
    multiplier: FloatArray = ratio ** ((10 - decile) / 9.0)
    return multiplier


def expected_counts(
    *,
    geography: SyntheticGeography,
    deprivation: SyntheticDeprivation,
    population: npt.NDArray[np.int64],
    months: tuple[str, ...],
    national: bool,
    rng: np.random.Generator,
) -> ExpectedCounts:
    """Build the expected counts (see the module description)."""
    count = geography.lsoa_count
    shared_effect = rng.gamma(LSOA_EFFECT_SHAPE, 1.0 / LSOA_EFFECT_SHAPE, size=count)
    type_effect = rng.gamma(
        TYPE_EFFECT_SHAPE, 1.0 / TYPE_EFFECT_SHAPE, size=(count, len(CRIME_TYPE_MODELS))
    )
    base = np.empty((count, len(CRIME_TYPE_MODELS)))
    total_population = float(population.sum())
    for column, model in enumerate(CRIME_TYPE_MODELS):
        hotspot = np.where(
            geography.hotspot,
            model.hotspot_multiplier,
            np.where(geography.near_hotspot, math.sqrt(model.hotspot_multiplier), 1.0),
        )
        raw = (
            population
            * deprivation_multiplier(decile=deprivation.imd_decile, ratio=model.deprivation_ratio)
            * hotspot
            * shared_effect
            * type_effect[:, column]
        )
        base[:, column] = (
            raw * (model.monthly_rate_per_1000 * total_population / 1000.0) / raw.sum()
        )
    if national:
        base *= NATIONAL_ROWS_PER_1000_PER_MONTH * total_population / 1000.0 / base.sum()
    return ExpectedCounts(
        base=base, months=months, rise_applies=len(months) >= 2 * RISE_WINDOW_MONTHS
    )


def expected_deprivation_ratio(
    *,
    expected: ExpectedCounts,
    deprivation: SyntheticDeprivation,
    population: npt.NDArray[np.int64],
    geography: SyntheticGeography,
) -> float:
    """Expected crime rate (excluding ASB and the town-centre LSOAs) in decile 1 over decile 10."""
    ordinary = ~(geography.hotspot | geography.near_hotspot)
    crimes = np.delete(expected.base, ASB_INDEX, axis=1).sum(axis=1)
    rates = []
    for decile in (1, 10):
        chosen = ordinary & (deprivation.imd_decile == decile)
        rates.append(float(crimes[chosen].sum()) / float(population[chosen].sum()))
    return rates[0] / rates[1]
