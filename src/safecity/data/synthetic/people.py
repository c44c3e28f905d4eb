"""Victims and offenders of the synthetic crimes, with repeat victims and repeat offenders.

A share of victims is drawn from small per-LSOA pools of people who are victimised again and
again (strongly so for domestic abuse), and a share of offenders from per-ward pools of
repeat offenders; pools are sized so members average 3-5 crimes, and draws within a pool are
skewed (``floor(K * U**1.6)``) so a few people account for many crimes. This reproduces the
concentration of victimisation reported for England and Wales (Farrell and Pease 1993, *Once
Bitten, Twice Bitten*, Home Office CPU paper 46) and of offending. Organisations (shops,
businesses) are victims of shoplifting and business crime and recur most of all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safecity.data.synthetic.crime_types import CRIME_TYPE_NAMES
from safecity.data.synthetic.offence_mix import OffenceMix, VictimKind

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

ETHNIC_GROUPS = ("White", "Asian", "Black", "Mixed", "Other", "Not stated")
"""ONS 5+1 ethnic groups (the five census groups and "Not stated")."""
VICTIM_ETHNICITY_SHARES = (0.79, 0.08, 0.035, 0.03, 0.02, 0.045)
OFFENDER_ETHNICITY_SHARES = (0.76, 0.075, 0.05, 0.035, 0.02, 0.06)
FEMALE_ONLY_CODES = frozenset({"19C", "20A"})
MALE_ONLY_CODES = frozenset({"19F", "17A"})
SEXUAL_OFFENCE_CODES = FEMALE_ONLY_CODES | MALE_ONLY_CODES | {"88E"}
CHILD_VICTIM_CODES = frozenset({"11A"})
PERSONAL_VIOLENCE_TYPES = frozenset(
    {"Violence and sexual offences", "Robbery", "Public order", "Theft from the person"}
)
DOMESTIC_REPEAT_PROBABILITY = 0.5
OTHER_REPEAT_PROBABILITY = 0.2
REPEAT_OFFENDER_PROBABILITY = 0.35
DOMESTIC_CRIMES_PER_REPEAT_VICTIM = 4.0
OTHER_CRIMES_PER_REPEAT_VICTIM = 3.0
CRIMES_PER_REPEAT_OFFENDER = 5.0
MINIMUM_POOL_SIZE = 3
BUSINESSES_PER_LSOA = 8
POOL_SKEW = 1.6


@dataclass(frozen=True, slots=True)
class PeopleRows:
    """Rows of a victims or offenders table, parallel arrays; ``crime`` indexes the crimes."""

    crime: IntArray
    person_id: StrArray
    age: IntArray
    """Age in years; -1 when not applicable (organisations)."""
    sex: StrArray
    ethnicity: StrArray
    victim_type: StrArray


def _pools(
    *,
    cell: IntArray,
    drawn: BoolArray,
    cell_count: int,
    crimes_per_person: npt.NDArray[np.float64],
    rng: np.random.Generator,
) -> tuple[IntArray, int, IntArray]:
    """Repeat-people pools, one per cell, sized so members average ``crimes_per_person``.

    Returns each row's pool member number (meaningful where ``drawn``), the number of pool
    members, and each member's cell.
    """
    draws = np.bincount(cell[drawn], minlength=cell_count)
    sizes = np.maximum(MINIMUM_POOL_SIZE, np.ceil(draws / crimes_per_person)).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    slot = np.floor(sizes[cell] * rng.random(cell.size) ** POOL_SKEW).astype(np.int64)
    member_cell = np.repeat(np.arange(cell_count, dtype=np.int64), sizes)
    return offsets[cell] + slot, int(offsets[-1]), member_cell


def _skewed_index(size: int, count: int, rng: np.random.Generator) -> IntArray:
    index: IntArray = np.floor(size * rng.random(count) ** POOL_SKEW).astype(np.int64)
    return index


def _normal_ages(
    mean: float, spread: float, limits: tuple[int, int], count: int, rng: np.random.Generator
) -> IntArray:
    """Ages from a normal distribution, rounded and clipped to ``limits``."""
    ages: IntArray = np.clip(np.rint(rng.normal(mean, spread, count)), *limits).astype(np.int64)
    return ages


def _ethnicities(shares: tuple[float, ...], count: int, rng: np.random.Generator) -> StrArray:
    ethnicities: StrArray = np.array(ETHNIC_GROUPS)[
        rng.choice(len(ETHNIC_GROUPS), size=count, p=shares)
    ]
    return ethnicities


def _type_names(mix: OffenceMix, offence: IntArray) -> StrArray:
    """The police.uk crime type name of each offence."""
    names: StrArray = np.array(CRIME_TYPE_NAMES)[mix.crime_type[offence]]
    return names


def _person_ids(prefix: str, number: IntArray) -> StrArray:
    ids: StrArray = np.char.add(prefix, np.char.zfill(number.astype(str), 8))
    return ids


def draw_victims(
    *,
    offence: IntArray,
    lsoa: IntArray,
    domestic: BoolArray,
    year: IntArray,
    lsoa_count: int,
    mix: OffenceMix,
    rng: np.random.Generator,
) -> tuple[PeopleRows, IntArray]:
    """Victim rows for the crimes, and for each crime its domestic-pool victim number (-1 if none).

    The pool number lets :func:`draw_offenders` give a repeat domestic victim the same
    (partner) offender each time.
    """
    codes = np.array(mix.codes)[offence]
    kinds = np.array([kind.value for kind in mix.victim])[offence]

    organisation_crime = np.flatnonzero(kinds == VictimKind.ORGANISATION.value)
    business = lsoa[organisation_crime] * BUSINESSES_PER_LSOA + _skewed_index(
        BUSINESSES_PER_LSOA, organisation_crime.size, rng
    )
    organisation_ids = np.char.add("ORG", np.char.zfill(business.astype(str), 6))

    person_crime = np.flatnonzero(kinds == VictimKind.PERSON.value)
    second = person_crime[rng.random(person_crime.size) < 0.05]
    victim_crime = np.sort(np.concatenate([person_crime, second]), kind="stable")
    first_of_crime = np.concatenate([[True], victim_crime[1:] != victim_crime[:-1]])
    count = victim_crime.size
    victim_codes = codes[victim_crime]
    victim_domestic = domestic[victim_crime]
    female = rng.random(count) < np.where(victim_domestic, 0.78, 0.5)
    female[np.isin(victim_codes, list(FEMALE_ONLY_CODES))] = True
    female[np.isin(victim_codes, list(MALE_ONLY_CODES))] = False

    child = np.isin(victim_codes, list(CHILD_VICTIM_CODES))
    sexual = np.isin(victim_codes, list(SEXUAL_OFFENCE_CODES))
    repeat_probability = np.where(
        victim_domestic, DOMESTIC_REPEAT_PROBABILITY, OTHER_REPEAT_PROBABILITY
    )
    from_pool = (rng.random(count) < repeat_probability) & ~child & first_of_crime
    cell = (lsoa[victim_crime] * 2 + female) * 2 + victim_domestic
    cell_count = lsoa_count * 4
    crimes_per_person = np.where(
        np.arange(cell_count) % 2 == 1,
        DOMESTIC_CRIMES_PER_REPEAT_VICTIM,
        OTHER_CRIMES_PER_REPEAT_VICTIM,
    )
    pool_number, pool_total, pool_cell = _pools(
        cell=cell,
        drawn=from_pool,
        cell_count=cell_count,
        crimes_per_person=crimes_per_person,
        rng=rng,
    )
    pool_is_domestic = pool_cell % 2 == 1
    pool_birth_year = np.rint(
        np.where(
            pool_is_domestic, rng.normal(1990, 10, pool_total), rng.normal(1985, 16, pool_total)
        )
    ).astype(np.int64)
    pool_ethnicity = _ethnicities(VICTIM_ETHNICITY_SHARES, pool_total, rng)

    ages = _normal_ages(44, 17, (17, 95), count, rng)
    personal = np.isin(_type_names(mix, offence[victim_crime]), list(PERSONAL_VIOLENCE_TYPES))
    ages[personal] = _normal_ages(31, 14, (10, 90), int(personal.sum()), rng)
    ages[victim_domestic] = _normal_ages(34, 11, (16, 85), int(victim_domestic.sum()), rng)
    ages[sexual] = _normal_ages(24, 9, (13, 85), int(sexual.sum()), rng)
    ages[child] = rng.integers(0, 16, size=int(child.sum()))
    ethnicity = _ethnicities(VICTIM_ETHNICITY_SHARES, count, rng)
    pooled = np.flatnonzero(from_pool)
    ages[pooled] = np.clip(
        year[victim_crime[pooled]] - pool_birth_year[pool_number[pooled]], 16, 95
    )
    ethnicity[pooled] = pool_ethnicity[pool_number[pooled]]
    unknown_sex = ~from_pool & ~sexual & (rng.random(count) < 0.015)
    sex = np.where(unknown_sex, "U", np.where(female, "F", "M"))
    number = np.where(from_pool, pool_number, pool_total + np.arange(count))

    domestic_pool_victim = np.full(offence.size, -1, dtype=np.int64)
    domestic_pooled = pooled[victim_domestic[pooled]]
    domestic_pool_victim[victim_crime[domestic_pooled]] = pool_number[domestic_pooled]

    rows = PeopleRows(
        crime=np.concatenate([victim_crime, organisation_crime]),
        person_id=np.concatenate([_person_ids("P", number), organisation_ids]),
        age=np.concatenate([ages, np.full(organisation_crime.size, -1, dtype=np.int64)]),
        sex=np.concatenate([sex, np.full(organisation_crime.size, "")]),
        ethnicity=np.concatenate([ethnicity, np.full(organisation_crime.size, "")]),
        victim_type=np.concatenate(
            [np.full(count, "person"), np.full(organisation_crime.size, "organisation")]
        ),
    )
    return _reorder(rows, np.lexsort((rows.person_id, rows.crime))), domestic_pool_victim


def draw_offenders(
    *,
    offence: IntArray,
    ward: IntArray,
    known_suspect: BoolArray,
    domestic_pool_victim: IntArray,
    year: IntArray,
    ward_count: int,
    mix: OffenceMix,
    rng: np.random.Generator,
) -> PeopleRows:
    """Offender rows for the crimes with a known suspect (one, sometimes two or three each).

    A repeat domestic victim's first offender is always the same partner; other offenders are
    drawn from their ward's repeat offenders with probability 0.35, otherwise new people.
    """
    solved = np.flatnonzero(known_suspect)
    extra = rng.choice(3, size=solved.size, p=(0.85, 0.12, 0.03))
    offender_crime = np.repeat(solved, 1 + extra)
    first_of_crime = np.concatenate([[True], offender_crime[1:] != offender_crime[:-1]])
    count = offender_crime.size
    codes = np.array(mix.codes)[offence[offender_crime]]
    type_names = _type_names(mix, offence[offender_crime])

    partner_total = int(domestic_pool_victim.max()) + 1 if domestic_pool_victim.size else 0
    partner_total = max(partner_total, 0)
    partner = domestic_pool_victim[offender_crime]
    is_partner = first_of_crime & (partner >= 0)
    from_ward_pool = ~is_partner & (rng.random(count) < REPEAT_OFFENDER_PROBABILITY)
    ward_number, ward_pool_total, _ = _pools(
        cell=ward[offender_crime],
        drawn=from_ward_pool,
        cell_count=ward_count,
        crimes_per_person=np.full(ward_count, CRIMES_PER_REPEAT_OFFENDER),
        rng=rng,
    )

    partner_male = rng.random(partner_total) < 0.9
    partner_birth_year = np.rint(rng.normal(1988, 10, partner_total)).astype(np.int64)
    partner_ethnicity = _ethnicities(OFFENDER_ETHNICITY_SHARES, partner_total, rng)
    pool_male = rng.random(ward_pool_total) < 0.88
    pool_birth_year = np.rint(rng.normal(1996, 9, ward_pool_total)).astype(np.int64)
    pool_ethnicity = _ethnicities(OFFENDER_ETHNICITY_SHARES, ward_pool_total, rng)

    male_probability = np.where(type_names == "Shoplifting", 0.65, 0.8)
    male_probability = np.where(np.isin(codes, list(SEXUAL_OFFENCE_CODES)), 0.97, male_probability)
    male = rng.random(count) < male_probability
    ages = _normal_ages(30, 12, (10, 80), count, rng)
    ethnicity = _ethnicities(OFFENDER_ETHNICITY_SHARES, count, rng)
    crime_year = year[offender_crime]
    for chosen, numbers, pool_sex, pool_year, pool_group in (
        (is_partner, partner, partner_male, partner_birth_year, partner_ethnicity),
        (from_ward_pool, ward_number, pool_male, pool_birth_year, pool_ethnicity),
    ):
        positions = np.flatnonzero(chosen)
        male[positions] = pool_sex[numbers[positions]]
        ages[positions] = np.clip(crime_year[positions] - pool_year[numbers[positions]], 10, 90)
        ethnicity[positions] = pool_group[numbers[positions]]
    number = np.where(
        is_partner,
        partner,
        np.where(
            from_ward_pool,
            partner_total + ward_number,
            partner_total + ward_pool_total + np.arange(count),
        ),
    )
    sex = np.where(rng.random(count) < 0.01, "U", np.where(male, "M", "F"))
    rows = PeopleRows(
        crime=offender_crime,
        person_id=_person_ids("N", number),
        age=ages,
        sex=sex,
        ethnicity=ethnicity,
        victim_type=np.full(count, ""),
    )
    return _reorder(rows, np.lexsort((rows.person_id, rows.crime)))


def _reorder(rows: PeopleRows, order: IntArray) -> PeopleRows:
    return PeopleRows(
        crime=rows.crime[order],
        person_id=rows.person_id[order],
        age=rows.age[order],
        sex=rows.sex[order],
        ethnicity=rows.ethnicity[order],
        victim_type=rows.victim_type[order],
    )
