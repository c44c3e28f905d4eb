"""The nesting of the synthetic areas: forces > CSPs > local authorities > wards > LSOAs.

An :class:`AreaPlan` says how many of each there are and which contains which; the geometry
is added by :mod:`safecity.data.synthetic.geography`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safecity.config.police_forces import load_police_forces
from safecity.data.synthetic.gss_codes import (
    CITY_FORCE_NAME,
    CITY_FORCE_SLUG,
    CITY_NAME,
    CITY_WARD_NAMES,
    invented_place_names,
    invented_ward_names,
)

IntArray = npt.NDArray[np.int64]

CITY_LSOA_COUNT = 150
NATIONAL_LSOAS_PER_WARD = 4.5
MINIMUM_LSOAS_PER_FORCE = 6
MINIMUM_LSOAS_PER_CSP = 6
TWO_AUTHORITY_CSP_EVERY = 12
"""At national scale every twelfth CSP (with enough LSOAs) covers two local authorities, as
some real CSPs do."""


@dataclass(frozen=True, slots=True)
class AreaPlan:
    """Which area contains which, every area by its position in the tables below.

    The LSOA arrays are ordered by force, CSP, local authority and ward, so the LSOAs of any
    area are a contiguous run.
    """

    force_slugs: tuple[str, ...]
    force_names: tuple[str, ...]
    csp_force: IntArray
    lad_csp: IntArray
    lad_names: tuple[str, ...]
    ward_lad: IntArray
    ward_names: tuple[str, ...]
    lsoa_ward: IntArray

    @property
    def lsoa_count(self) -> int:
        """Number of LSOAs."""
        return int(self.lsoa_ward.size)

    @property
    def lsoa_lad(self) -> IntArray:
        """The local authority of each LSOA."""
        return self.ward_lad[self.lsoa_ward]

    @property
    def lsoa_csp(self) -> IntArray:
        """The CSP of each LSOA."""
        return self.lad_csp[self.lsoa_lad]

    @property
    def lsoa_force(self) -> IntArray:
        """The police force of each LSOA."""
        return self.csp_force[self.lsoa_csp]

    @property
    def csp_names(self) -> tuple[str, ...]:
        """CSP names: the local authority's name, or ``"A and B"`` for a two-authority CSP."""
        names: list[list[str]] = [[] for _ in range(self.csp_force.size)]
        for lad, csp in enumerate(self.lad_csp.tolist()):
            names[csp].append(self.lad_names[lad])
        return tuple(" and ".join(parts) for parts in names)

    @property
    def force_area_names(self) -> tuple[str, ...]:
        """Police force area names (the force name without "Police", "Constabulary", …)."""
        suffixes = (" Police Service", " Constabulary", " Police")
        names = []
        for force_name in self.force_names:
            area_name = force_name
            for suffix in suffixes:
                area_name = area_name.removesuffix(suffix)
            names.append(area_name)
        return tuple(names)


def split_evenly(*, total: int, parts: int) -> IntArray:
    """Split ``total`` into ``parts`` sizes differing by at most one (larger first).

    >>> split_evenly(total=10, parts=3).tolist()
    [4, 3, 3]
    """
    sizes = np.full(parts, total // parts, dtype=np.int64)
    sizes[: total % parts] += 1
    return sizes


def apportion(*, total: int, weights: npt.NDArray[np.float64], minimum: int) -> IntArray:
    """Split ``total`` in proportion to ``weights`` (largest remainder), each at least ``minimum``.

    >>> apportion(total=10, weights=np.array([1.0, 1.0, 2.0]), minimum=1).tolist()
    [3, 3, 4]
    """
    if total < minimum * weights.size:
        raise ValueError(f"cannot give {weights.size} parts at least {minimum} each out of {total}")
    spare = total - minimum * weights.size
    exact = spare * weights / weights.sum()
    sizes = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - sizes), kind="stable")
    sizes[remainder_order[: spare - int(sizes.sum())]] += 1
    result: IntArray = sizes + minimum
    return result


def city_plan() -> AreaPlan:
    """One city, Demoton: 150 LSOAs in 16 wards, one local authority, CSP and force."""
    ward_sizes = split_evenly(total=CITY_LSOA_COUNT, parts=len(CITY_WARD_NAMES))
    return AreaPlan(
        force_slugs=(CITY_FORCE_SLUG,),
        force_names=(CITY_FORCE_NAME,),
        csp_force=np.zeros(1, dtype=np.int64),
        lad_csp=np.zeros(1, dtype=np.int64),
        lad_names=(CITY_NAME,),
        ward_lad=np.zeros(len(CITY_WARD_NAMES), dtype=np.int64),
        ward_names=CITY_WARD_NAMES,
        lsoa_ward=np.repeat(np.arange(len(CITY_WARD_NAMES), dtype=np.int64), ward_sizes),
    )


def national_plan(*, lsoa_count: int, rng: np.random.Generator) -> AreaPlan:
    """A synthetic England and Wales of ``lsoa_count`` LSOAs in the 43 real police forces.

    Forces get LSOAs in proportion to their population; each force has about as many CSPs as
    the real one (fewer when it has too few LSOAs); CSP sizes vary by a factor of about two.
    """
    forces = load_police_forces()
    minimum_total = MINIMUM_LSOAS_PER_FORCE * len(forces)
    if lsoa_count < minimum_total:
        raise ValueError(f"a national area needs at least {minimum_total} LSOAs, not {lsoa_count}")
    force_lsoas = apportion(
        total=lsoa_count,
        weights=np.array([force.population_millions for force in forces]),
        minimum=MINIMUM_LSOAS_PER_FORCE,
    )
    csp_force: list[int] = []
    csp_sizes: list[int] = []
    for force_index, (force, lsoas) in enumerate(zip(forces, force_lsoas.tolist(), strict=True)):
        csps = max(1, min(force.community_safety_partnerships, lsoas // MINIMUM_LSOAS_PER_CSP))
        weights = rng.uniform(0.6, 1.4, size=csps)
        csp_sizes += apportion(total=lsoas, weights=weights, minimum=MINIMUM_LSOAS_PER_CSP).tolist()
        csp_force += [force_index] * csps
    lad_csp: list[int] = []
    lad_sizes: list[int] = []
    for csp, size in enumerate(csp_sizes):
        if csp % TWO_AUTHORITY_CSP_EVERY == TWO_AUTHORITY_CSP_EVERY // 2 and size >= 20:
            lad_csp += [csp, csp]
            lad_sizes += split_evenly(total=size, parts=2).tolist()
        else:
            lad_csp.append(csp)
            lad_sizes.append(size)
    lad_names = invented_place_names(len(lad_sizes))
    ward_lad: list[int] = []
    ward_names: list[str] = []
    lsoa_ward_sizes: list[int] = []
    for lad, size in enumerate(lad_sizes):
        wards = max(1, round(size / NATIONAL_LSOAS_PER_WARD))
        ward_lad += [lad] * wards
        ward_names += invented_ward_names(place=lad_names[lad], count=wards)
        lsoa_ward_sizes += split_evenly(total=size, parts=wards).tolist()
    return AreaPlan(
        force_slugs=tuple(force.slug for force in forces),
        force_names=tuple(force.name for force in forces),
        csp_force=np.array(csp_force, dtype=np.int64),
        lad_csp=np.array(lad_csp, dtype=np.int64),
        lad_names=tuple(lad_names),
        ward_lad=np.array(ward_lad, dtype=np.int64),
        ward_names=tuple(ward_names),
        lsoa_ward=np.repeat(np.arange(len(ward_names), dtype=np.int64), lsoa_ward_sizes),
    )
