"""The force record-level extract of the synthetic city: crimes, victims, offenders, mapping.

Written in the column names of an imagined force records system (``CrimeRef``,
``HOOffenceCode``, ``CommittedFrom`` as ``dd/mm/yyyy HH:MM``, flags as ``Y``/``N``) with the
``mapping.yaml`` that renames them to Safe City's columns (``docs/data-model.md``). Every crime
of the police.uk files is here (ASB is not a crime and is not), with its exact location,
times drawn from the time profiles, flags, victims and offenders. Person identifiers are the
force's own (not pseudonymised): the loader pseudonymises them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pyproj import Transformer

from safecity.data.synthetic.crime_types import CRIME_TYPE_NAMES, CrimeType
from safecity.data.synthetic.geography import SyntheticGeography
from safecity.data.synthetic.incidents import MonthIncidents
from safecity.data.synthetic.map_points import MapPoints
from safecity.data.synthetic.months import days_in_month, first_day
from safecity.data.synthetic.offence_mix import OffenceMix, TimeProfile
from safecity.data.synthetic.outcomes import HOME_OFFICE_NUMBER
from safecity.data.synthetic.people import PeopleRows, draw_offenders, draw_victims
from safecity.data.synthetic.time_profiles import EPOCH, MINUTES_PER_DAY, sample_minutes

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

EXTRACT_FOLDER = "extract"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"
CRIME_COLUMNS = {
    "CrimeRef": "crime_reference",
    "HOOffenceCode": "offence_code",
    "OffenceDesc": "offence_description",
    "CommittedFrom": "committed_from",
    "CommittedTo": "committed_to",
    "DateRecorded": "recorded_date",
    "GridEasting": "easting",
    "GridNorthing": "northing",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "LSOA": "lsoa_code",
    "OutcomeType": "outcome",
    "DomesticFlag": "flag_domestic",
    "AlcoholFlag": "flag_alcohol",
    "DrugsFlag": "flag_drugs",
    "HateRace": "flag_hate_race",
    "HateReligion": "flag_hate_religion",
    "HateSexualOrientation": "flag_hate_sexual_orientation",
    "HateDisability": "flag_hate_disability",
    "HateTransgender": "flag_hate_transgender",
    "WeaponBladed": "flag_weapon_bladed",
    "WeaponFirearm": "flag_weapon_firearm",
    "PublicPlace": "flag_public_place",
    "NightTimeEconomy": "flag_night_time_economy",
}
VICTIM_COLUMNS = {
    "CrimeRef": "crime_reference",
    "VictimPersonID": "victim_id",
    "VictimAge": "age",
    "VictimSex": "sex",
    "VictimEthnicity": "ethnicity",
    "VictimType": "victim_type",
}
OFFENDER_COLUMNS = {
    "CrimeRef": "crime_reference",
    "NominalID": "offender_id",
    "OffenderAge": "age",
    "OffenderSex": "sex",
    "OffenderEthnicity": "ethnicity",
}
HATE_STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
HATE_STRAND_SHARES = (0.74, 0.08, 0.11, 0.05, 0.02)
AGGRAVATED_CODES = frozenset({"8P", "105B", "8M", "9B", "58J"})
"""Racially or religiously aggravated offences: race strand (90%) or religion."""
NIGHT_TIME_HOURS = frozenset({20, 21, 22, 23, 0, 1, 2, 3, 4, 5})
NIGHT_LIFE_TYPES = frozenset(
    {
        CrimeType.VIOLENCE_AND_SEXUAL_OFFENCES,
        CrimeType.PUBLIC_ORDER,
        CrimeType.ROBBERY,
        CrimeType.THEFT_FROM_THE_PERSON,
    }
)
REFERENCE_PREFIX = "DC"


@dataclass(frozen=True, slots=True)
class ExtractFiles:
    """The files of the force extract and their row counts."""

    crimes: Path
    victims: Path
    offenders: Path
    mapping: Path
    crime_rows: int
    victim_rows: int
    offender_rows: int


@dataclass(frozen=True, slots=True)
class _Crimes:
    month_index: IntArray
    lsoa: IntArray
    offence: IntArray
    point: IntArray
    known_suspect: BoolArray
    outcome: IntArray
    no_location: BoolArray


def _gather(batches: list[MonthIncidents]) -> _Crimes:
    crimes = [batch.is_crime for batch in batches]
    return _Crimes(
        month_index=np.concatenate(
            [
                np.full(int(mask.sum()), batch.month_index)
                for batch, mask in zip(batches, crimes, strict=True)
            ]
        ),
        lsoa=np.concatenate([b.lsoa[m] for b, m in zip(batches, crimes, strict=True)]),
        offence=np.concatenate([b.offence[m] for b, m in zip(batches, crimes, strict=True)]),
        point=np.concatenate([b.point[m] for b, m in zip(batches, crimes, strict=True)]),
        known_suspect=np.concatenate(
            [b.known_suspect[m] for b, m in zip(batches, crimes, strict=True)]
        ),
        outcome=np.concatenate([b.outcome[m] for b, m in zip(batches, crimes, strict=True)]),
        no_location=np.concatenate(
            [b.no_location[m] for b, m in zip(batches, crimes, strict=True)]
        ),
    )


def _flag_text(values: BoolArray) -> StrArray:
    text: StrArray = np.where(values, "Y", "N")
    return text


def _format_minutes(minutes: IntArray, text_format: str) -> StrArray:
    seconds = pa.array(minutes * 60, type=pa.int64()).cast(pa.timestamp("s"))
    text: StrArray = np.array(pc.strftime(seconds, format=text_format).to_pylist())
    return text


def _write_csv(path: Path, header: list[str], columns: list[npt.NDArray[np.str_]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(zip(*(column.tolist() for column in columns), strict=True))


def write_force_extract(
    *,
    batches: list[MonthIncidents],
    months: tuple[str, ...],
    geography: SyntheticGeography,
    points: MapPoints,
    mix: OffenceMix,
    out_dir: Path,
    rng: np.random.Generator,
) -> ExtractFiles:
    """Build and write the extract for every crime in ``batches`` (see the module description)."""
    crimes = _gather(batches)
    count = crimes.offence.size
    codes = np.array(mix.codes)[crimes.offence]
    type_names = np.array(CRIME_TYPE_NAMES)[mix.crime_type[crimes.offence]]
    town_centre = (geography.hotspot | geography.near_hotspot)[crimes.lsoa]
    probability = {flag: values[crimes.offence] for flag, values in mix.probability.items()}

    domestic = rng.random(count) < probability["domestic"] * np.where(
        geography.hotspot[crimes.lsoa], 0.4, 1.0
    )
    night_life = town_centre & ~domestic & np.isin(type_names, [t.value for t in NIGHT_LIFE_TYPES])
    profile = np.array([p.value for p in mix.profile])[crimes.offence]
    profile = np.where(domestic, TimeProfile.DOMESTIC.value, profile)
    profile = np.where(night_life, TimeProfile.NIGHT_TIME_ECONOMY.value, profile)

    start = np.zeros(count, dtype=np.int64)
    for month_index, month in enumerate(months):
        in_month = crimes.month_index == month_index
        for name in np.unique(profile[in_month]):
            chosen = np.flatnonzero(in_month & (profile == name))
            start[chosen] = sample_minutes(
                month=month, profile=TimeProfile(str(name)), count=chosen.size, rng=rng
            )
    month_end = np.array(
        [((first_day(m) - EPOCH).days + days_in_month(m)) * MINUTES_PER_DAY - 1 for m in months]
    )[crimes.month_index]
    has_window = rng.random(count) < probability["window"]
    duration = np.rint(60 * np.clip(np.exp(rng.normal(np.log(5.0), 0.8, count)), 0.5, 72.0)).astype(
        np.int64
    )
    end = np.minimum(start + duration, month_end)
    has_window &= end > start
    last_known = np.where(has_window, end, start)
    delay_days = rng.geometric(0.55, size=count) - 1
    recorded = np.minimum(last_known // MINUTES_PER_DAY + delay_days, month_end // MINUTES_PER_DAY)
    hour = (start % MINUTES_PER_DAY) // 60

    public_place = (rng.random(count) < probability["public_place"]) & ~(
        domestic & (rng.random(count) < 0.95)
    )
    alcohol = rng.random(count) < np.minimum(
        probability["alcohol"] * np.where(night_life, 2.0, 1.0), 0.9
    )
    hate = rng.random(count) < probability["hate"]
    strand = rng.choice(len(HATE_STRANDS), size=count, p=HATE_STRAND_SHARES)
    aggravated = np.isin(codes, list(AGGRAVATED_CODES))
    strand = np.where(aggravated, np.where(rng.random(count) < 0.9, 0, 1), strand)
    night_time_economy = (
        town_centre & ~domestic & public_place & np.isin(hour, list(NIGHT_TIME_HOURS))
    )
    flags = {
        "DomesticFlag": domestic,
        "AlcoholFlag": alcohol,
        "DrugsFlag": rng.random(count) < probability["drugs"],
        **{
            f"Hate{name.title().replace('_', '')}": hate & (strand == position)
            for position, name in enumerate(HATE_STRANDS)
        },
        "WeaponBladed": rng.random(count) < probability["bladed"],
        "WeaponFirearm": rng.random(count) < probability["firearm"],
        "PublicPlace": public_place,
        "NightTimeEconomy": night_time_economy,
    }

    # Exact locations: near the crime's map point, inside its LSOA; none when unlocated.
    u = np.clip(points.u[crimes.point] + rng.normal(0, 0.03, count), 0.02, 0.98)
    v = np.clip(points.v[crimes.point] + rng.normal(0, 0.03, count), 0.02, 0.98)
    lon_lat = np.round(geography.points_in_lsoas(lsoa=crimes.lsoa, u=u, v=v), 6)
    easting, northing = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(
        lon_lat[:, 0], lon_lat[:, 1]
    )
    located = ~crimes.no_location

    # References in time order, numbered within each calendar year.
    order = np.lexsort((np.arange(count), start))
    start_year = (start // MINUTES_PER_DAY).astype("datetime64[D]").astype("datetime64[Y]").astype(
        np.int64
    ) + 1970
    sequence = np.empty(count, dtype=np.int64)
    for year in np.unique(start_year):
        chosen = order[start_year[order] == year]
        sequence[chosen] = np.arange(1, chosen.size + 1)
    references = np.char.add(
        np.char.add(f"{REFERENCE_PREFIX}/", np.char.zfill((start_year % 100).astype(str), 2)),
        np.char.add("/", np.char.zfill(sequence.astype(str), 6)),
    )

    ward = geography.plan.lsoa_ward[crimes.lsoa]
    victims, domestic_pool_victim = draw_victims(
        offence=crimes.offence,
        lsoa=crimes.lsoa,
        domestic=domestic,
        year=start_year,
        lsoa_count=geography.lsoa_count,
        mix=mix,
        rng=rng,
    )
    offenders = draw_offenders(
        offence=crimes.offence,
        ward=ward,
        known_suspect=crimes.known_suspect,
        domestic_pool_victim=domestic_pool_victim,
        year=start_year,
        ward_count=len(geography.plan.ward_names),
        mix=mix,
        rng=rng,
    )

    folder = out_dir / EXTRACT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    outcome_numbers = np.array(HOME_OFFICE_NUMBER)[crimes.outcome]
    crime_columns = {
        "CrimeRef": references,
        "HOOffenceCode": codes,
        "OffenceDesc": np.array(mix.descriptions)[crimes.offence],
        "CommittedFrom": _format_minutes(start, DATETIME_FORMAT),
        "CommittedTo": np.where(has_window, _format_minutes(end, DATETIME_FORMAT), ""),
        "DateRecorded": _format_minutes(recorded * MINUTES_PER_DAY, DATE_FORMAT),
        "GridEasting": np.where(located, np.rint(easting).astype(np.int64).astype(str), ""),
        "GridNorthing": np.where(located, np.rint(northing).astype(np.int64).astype(str), ""),
        "Longitude": np.where(located, np.char.mod("%.6f", lon_lat[:, 0]), ""),
        "Latitude": np.where(located, np.char.mod("%.6f", lon_lat[:, 1]), ""),
        "LSOA": np.where(located, geography.lsoa_codes[crimes.lsoa], ""),
        "OutcomeType": outcome_numbers,
        **{name: _flag_text(values) for name, values in flags.items()},
    }
    paths = {name: folder / f"{name}.csv" for name in ("crimes", "victims", "offenders")}
    _write_csv(
        paths["crimes"], list(CRIME_COLUMNS), [crime_columns[name][order] for name in CRIME_COLUMNS]
    )
    _write_csv(
        paths["victims"], list(VICTIM_COLUMNS), _people_columns(victims, references, victim=True)
    )
    _write_csv(
        paths["offenders"],
        list(OFFENDER_COLUMNS),
        _people_columns(offenders, references, victim=False),
    )
    mapping = folder / "mapping.yaml"
    mapping.write_text(_mapping_document(), encoding="utf-8")
    return ExtractFiles(
        crimes=paths["crimes"],
        victims=paths["victims"],
        offenders=paths["offenders"],
        mapping=mapping,
        crime_rows=count,
        victim_rows=int(victims.crime.size),
        offender_rows=int(offenders.crime.size),
    )


def _people_columns(rows: PeopleRows, references: StrArray, *, victim: bool) -> list[StrArray]:
    order = np.lexsort((rows.person_id, references[rows.crime]))
    ages = np.where(rows.age >= 0, rows.age.astype(str), "")
    columns = [references[rows.crime], rows.person_id, ages, rows.sex, rows.ethnicity]
    if victim:
        columns.append(rows.victim_type)
    return [column[order] for column in columns]


def _mapping_document() -> str:
    document = {
        "name": "Demoshire Constabulary (synthetic demo records system)",
        "files": {"crimes": "crimes.csv", "victims": "victims.csv", "offenders": "offenders.csv"},
        "datetime_formats": [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S"],
        "date_formats": [DATE_FORMAT, "%Y-%m-%d"],
        "true_values": ["Y", "Yes", "1", "TRUE", "true"],
        "false_values": ["N", "No", "0", "FALSE", "false", ""],
        "columns": {
            "crimes": CRIME_COLUMNS,
            "victims": VICTIM_COLUMNS,
            "offenders": OFFENDER_COLUMNS,
        },
    }
    header = (
        "# Mapping of the synthetic Demoshire Constabulary extract's columns (theirs: ours).\n"
        "# Generated by `safecity demo-data`; format in docs/data-model.md.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
