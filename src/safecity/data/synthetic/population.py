"""Synthetic resident population by single year of age, and households, per LSOA.

LSOAs hold 1,000-3,200 residents (ONS 2011 LSOA design limits 1,000-3,000, drifting since).
Age structure mixes an England-like profile with more young adults near town centres
(students), more children in deprived areas and more older people in the least deprived.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safecity.data.synthetic.deprivation import SyntheticDeprivation
from safecity.data.synthetic.geography import SyntheticGeography

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

AGE_COLUMNS = 91
"""Ages 0..89 and one group of 90 and over (the SAPE single-year-of-age layout)."""


@dataclass(frozen=True, slots=True)
class SyntheticPopulation:
    """Residents by single year of age (``by_age[i, a]``, last column 90+) and households."""

    by_age: IntArray
    census_persons: IntArray
    census_household_persons: IntArray
    census_households: IntArray

    @property
    def total(self) -> IntArray:
        """Residents per LSOA."""
        total: IntArray = self.by_age.sum(axis=1)
        return total


def _age_profiles() -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """England-like base profile and the student, child and older-age components (ages 0..90+)."""
    age = np.arange(AGE_COLUMNS, dtype=np.float64)
    base = np.where(age < 60, 1.0, np.exp(-(age - 60) / 14.0))
    base[-1] = 0.6
    students = np.where((age >= 18) & (age <= 24), 1.0, 0.0)
    children = np.where(age <= 15, 1.0, 0.0)
    older = np.where(age >= 65, np.exp(-(age - 65) / 12.0), 0.0)
    return (
        base / base.sum(),
        students / students.sum(),
        children / children.sum(),
        older / older.sum(),
    )


def synthetic_population(
    *,
    geography: SyntheticGeography,
    deprivation: SyntheticDeprivation,
    rng: np.random.Generator,
) -> SyntheticPopulation:
    """Draw every LSOA's residents by age, and 2011-census-style household counts."""
    count = geography.lsoa_count
    totals = np.clip(np.rint(rng.normal(1_650, 230, size=count)), 1_000, 3_200).astype(np.int64)
    base, students, children, older = _age_profiles()
    centre_weight = np.exp(-geography.lsoa_centre_distance / 2.5)
    deprived = (10 - deprivation.imd_decile) / 9.0
    student_share = 0.30 * centre_weight
    child_share = 0.08 * deprived
    older_share = 0.10 * (1.0 - deprived) * (1.0 - centre_weight)
    probabilities = (
        (1.0 - student_share - child_share - older_share)[:, None] * base
        + student_share[:, None] * students
        + child_share[:, None] * children
        + older_share[:, None] * older
    )
    by_age = rng.multinomial(totals, probabilities).astype(np.int64)
    census_persons = np.rint(totals * rng.uniform(0.88, 0.98, size=count)).astype(np.int64)
    communal_share = np.where(centre_weight > 0.5, rng.uniform(0.02, 0.20, size=count), 0.0)
    communal_share = np.where(rng.random(count) < 0.05, 0.04, communal_share)
    communal = np.rint(census_persons * communal_share).astype(np.int64)
    household_persons = census_persons - communal
    persons_per_household = np.clip(rng.normal(2.35, 0.2, size=count), 1.6, 3.2)
    households = np.maximum(1, np.rint(household_persons / persons_per_household)).astype(np.int64)
    return SyntheticPopulation(
        by_age=by_age,
        census_persons=census_persons,
        census_household_persons=household_persons,
        census_households=households,
    )
