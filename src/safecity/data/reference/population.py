"""Population reference files: mid-year estimates by single year of age, and census totals.

Recognised layouts:

* ONS small-area / district mid-year estimates, one row per area:
  ``<area>_code[, <area>_name], total_population, 0, 1, ..., 89, 90+`` (e.g. SAPE22DT2 as
  re-published by demographr: ``lsoa11_name,lsoa11_code,total_population,0..89,90+``). Ages
  0..89 are single years and ``90+`` is stored as age 90. Each row's ages must sum to its total.
  The rows are persons, unless the file has a ``sex`` (or ``gender``) column, in which case
  there is one row per area and sex (persons, male or female; ONS codes 1 and 2 accepted) and
  the totals table takes the persons rows.
* Census 2011 LSOA usual residents and households (the ONS KS101/KS105-style extract):
  ``Region code, Region name, Local authority code, Local authority name, MSOA Code, MSOA Name,
  LSOA Code, LSOA Name, , Persons, Persons, Persons, Hectares, Persons per hectare, Households,
  Persons per household`` (all residents, in households, in communal establishments). Persons
  must equal those in households plus those in communal establishments.

The year is ``--year`` or read from the file name (``population19_...`` is mid-2019,
``census2011_...`` is 2011); the area vintage from the header (``lsoa11_code``) or ``--vintage``
(a census's areas are that census's: 2011).

References
----------
Office for National Statistics (2020), *Lower layer Super Output Area population estimates
(supporting information), mid-2019* (SAPE22DT2). ONS (2013), *2011 Census: usual resident
population and households, local authorities and LSOAs*.
"""

from __future__ import annotations

from enum import StrEnum

from safecity.data.quality import QuarantineReason
from safecity.data.reference.areas import FINEST_FIRST, AreaLevel, gss_pattern, normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.header import find_area_columns, ignored_columns_note
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions, resolve_vintage, resolve_year
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import (
    RowCheck,
    area_code,
    field,
    integer,
    number,
    required,
    sql_text,
)

OPEN_AGE = 90
"""The top, open-ended age band: 90 means 90 and over (column ``90+``)."""
SINGLE_YEAR_COLUMNS = "<area><yy>_code, <area><yy>_name, total_population, 0, 1, ..., 89, 90+"
CENSUS_2011_HEADER = (
    "region_code",
    "region_name",
    "local_authority_code",
    "local_authority_name",
    "msoa_code",
    "msoa_name",
    "lsoa_code",
    "lsoa_name",
    "",
    "persons",
    "persons",
    "persons",
    "hectares",
    "persons_per_hectare",
    "households",
    "persons_per_household",
)
_TOTAL_NAMES = ("total_population", "all_ages", "total", "population")
_POPULATION_REPLACE_KEY = ("area_level", "area_vintage", "year", "sex", "area_code")
_TOTAL_REPLACE_KEY = ("area_level", "area_vintage", "year", "area_code")


class Sex(StrEnum):
    """The ``population.sex`` values."""

    PERSONS = "persons"
    MALE = "male"
    FEMALE = "female"


_SEX_VALUES: dict[Sex, tuple[str, ...]] = {
    Sex.PERSONS: ("persons", "person", "all", "all persons", "p", "0"),
    Sex.MALE: ("male", "males", "m", "1"),
    Sex.FEMALE: ("female", "females", "f", "2"),
}
"""Spellings of each sex in published files (ONS codes 1 = male, 2 = female)."""


def _sex_sql(index: int | None) -> str:
    """SQL for the row's sex: ``persons`` without a sex column; NULL for an unknown value."""
    if index is None:
        return sql_text(Sex.PERSONS.value)
    cases = " ".join(
        f"WHEN lower(trim(c{index})) IN ({', '.join(sql_text(v) for v in spellings)}) "
        f"THEN {sql_text(sex.value)}"
        for sex, spellings in _SEX_VALUES.items()
    )
    return f"(CASE {cases} END)"


def _age_columns(header: list[str]) -> dict[int, int] | None:
    """Age -> column index, if the header has exactly the columns 0..89 and 90+."""
    ages: dict[int, int] = {}
    for index, name in enumerate(header):
        text = name.strip()
        if text.isdigit():
            ages[int(text)] = index
        elif text == f"{OPEN_AGE}+":
            ages[OPEN_AGE] = index
    return ages if sorted(ages) == list(range(OPEN_AGE + 1)) else None


def _single_year_plan(header: list[str], options: ReferenceOptions) -> CsvPlan:
    areas = find_area_columns(header)
    normalised = [normalise_header(name) for name in header]
    total_index = next(
        (normalised.index(name) for name in _TOTAL_NAMES if name in normalised), None
    )
    ages = _age_columns(header)
    level = next((level for level in FINEST_FIRST if level in areas), None)
    if level is None or total_index is None or ages is None:
        raise UnrecognisedFileError(
            f"expected columns {SINGLE_YEAR_COLUMNS} (mid-year estimates by single year of age) "
            f"or the Census 2011 LSOA population and households columns; found {header}"
        )
    sex_index = next(
        (normalised.index(name) for name in ("sex", "gender") if name in normalised), None
    )
    area = areas[level]
    vintage = resolve_vintage(area.vintage, options=options, column=area.code_header)
    year = resolve_year(options, what="population estimates")
    code = f"trim(c{area.code_index})"
    checks: list[RowCheck] = [required(area.code_index, label=area.code_header)]
    checks.append(area_code(area.code_index, label=area.code_header, level=level))
    checks.append(required(total_index, label=header[total_index]))
    checks += integer(total_index, label=header[total_index], minimum=0)
    for age in range(OPEN_AGE + 1):
        checks.append(required(ages[age], label=f"age {header[ages[age]]}"))
        checks += integer(ages[age], label=f"age {header[ages[age]]}", minimum=0)
    age_sum = " + ".join(f"safecity_integer(c{ages[age]})" for age in range(OPEN_AGE + 1))
    checks.append(
        RowCheck(
            reason=QuarantineReason.INCONSISTENT_TOTAL,
            failed=f"({age_sum}) <> safecity_integer(c{total_index})",
            detail=(
                f"'ages 0..90+ sum to ' || ({age_sum}) || ' but "
                f"{header[total_index]} is ' || trim(c{total_index})"
            ),
        )
    )
    sex = _sex_sql(sex_index)
    if sex_index is not None:
        checks.insert(2, required(sex_index, label=header[sex_index]))
        checks.insert(
            3,
            RowCheck(
                reason=QuarantineReason.UNKNOWN_CATEGORY,
                failed=f"{field(sex_index)} IS NOT NULL AND {sex} IS NULL",
                detail=(
                    f"{sql_text(header[sex_index] + ' ')} || '\"' || c{sex_index} || "
                    "'\" is not persons, male or female'"
                ),
            ),
        )
    plain_numbers = " || '|' || ".join(
        f"coalesce(c{index}, '')" for index in [total_index, *ages.values()]
    )
    typed_sum = " + ".join(f"TRY_CAST(c{ages[age]} AS BIGINT)" for age in range(OPEN_AGE + 1))
    fast_pass = (
        f"regexp_full_match(trim(c{area.code_index}), '{gss_pattern(level)}') "
        f"AND regexp_full_match({plain_numbers}, '[0-9]+(\\|[0-9]+)*') "
        f"AND ({typed_sum}) = TRY_CAST(c{total_index} AS BIGINT) AND {sex} IS NOT NULL"
    )
    age_list = ", ".join(str(age) for age in range(OPEN_AGE + 1))
    count_list = ", ".join(
        f"CAST(replace(trim(c{ages[age]}), ',', '') AS BIGINT)" for age in range(OPEN_AGE + 1)
    )
    common = (
        f"'{level.value}' AS area_level, {code} AS area_code, {vintage} AS area_vintage, "
        f"{year} AS year"
    )
    used = {area.code_index, total_index, *ages.values()}
    used |= {index for index in (area.name_index, sex_index) if index is not None}
    by_sex = "" if sex_index is None else "/by-sex"
    return CsvPlan(
        format=ReferenceFormat.ONS_SINGLE_YEAR_OF_AGE,
        dataset_key=(
            f"reference/{ReferenceKind.POPULATION.value}/{ReferenceFormat.ONS_SINGLE_YEAR_OF_AGE.value}"
            f"/{level.value}{vintage}/{year}{by_sex}"
        ),
        checks=tuple(checks),
        unique_key=(code,) if sex_index is None else (code, sex),
        unique_key_label=area.code_header if sex_index is None else f"{area.code_header} and sex",
        inserts=(
            TableInsert(
                table="population",
                select=(
                    f"SELECT {common}, {sex} AS sex, unnest([{age_list}]) AS age, "
                    f"unnest([{count_list}]) AS count FROM ref_valid"
                ),
                replace_key=_POPULATION_REPLACE_KEY,
                keys=f"SELECT DISTINCT {common}, {sex} AS sex FROM ref_valid",
            ),
            TableInsert(
                table="population_total",
                select=(
                    f"SELECT {common}, safecity_integer(c{total_index}) AS persons "
                    f"FROM ref_valid WHERE {sex} = '{Sex.PERSONS.value}'"
                ),
                replace_key=_TOTAL_REPLACE_KEY,
            ),
        ),
        notes=ignored_columns_note(header, used=used),
        fast_pass=fast_pass,
    )


def _census_plan(header: list[str], options: ReferenceOptions) -> CsvPlan:
    year = resolve_year(options, what="census")
    vintage = options.vintage if options.vintage is not None else year
    lsoa, persons, in_households, communal, hectares, households = 6, 9, 10, 11, 12, 14
    checks: list[RowCheck] = [
        required(lsoa, label="LSOA Code"),
        area_code(lsoa, label="LSOA Code", level=AreaLevel.LSOA),
        required(persons, label="Persons (all usual residents)"),
    ]
    checks += integer(persons, label="Persons (all usual residents)", minimum=0)
    checks += integer(in_households, label="Persons in households", minimum=0)
    checks += integer(communal, label="Persons in communal establishments", minimum=0)
    checks += number(hectares, label="Hectares", minimum=0)
    checks += integer(households, label="Households", minimum=0)
    checks.append(
        RowCheck(
            reason=QuarantineReason.INCONSISTENT_TOTAL,
            failed=(
                f"safecity_integer(c{in_households}) + safecity_integer(c{communal}) "
                f"<> safecity_integer(c{persons})"
            ),
            detail=(
                f"'persons ' || trim(c{persons}) || ' is not those in households ' || "
                f"trim(c{in_households}) || ' plus those in communal establishments ' || "
                f"trim(c{communal})"
            ),
        )
    )
    code = f"trim(c{lsoa})"
    file_format = ReferenceFormat.CENSUS_2011_LSOA_POPULATION
    return CsvPlan(
        format=file_format,
        dataset_key=(
            f"reference/{ReferenceKind.POPULATION.value}/{file_format.value}/lsoa{vintage}/{year}"
        ),
        checks=tuple(checks),
        unique_key=(code,),
        unique_key_label="LSOA Code",
        inserts=(
            TableInsert(
                table="population_total",
                select=(
                    f"SELECT 'lsoa' AS area_level, {code} AS area_code, {vintage} AS area_vintage,"
                    f" {year} AS year, safecity_integer(c{persons}) AS persons,"
                    f" safecity_integer(c{in_households}) AS persons_in_households,"
                    f" safecity_integer(c{communal}) AS persons_in_communal,"
                    f" safecity_integer(c{households}) AS households,"
                    f" safecity_number(c{hectares}) AS area_hectares FROM ref_valid"
                ),
                replace_key=_TOTAL_REPLACE_KEY,
            ),
        ),
        notes=ignored_columns_note(
            header, used={lsoa, persons, in_households, communal, hectares, households, 8}
        ),
    )


def population_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for a population file (single year of age, or Census 2011 totals)."""
    if tuple(normalise_header(name) for name in header) == CENSUS_2011_HEADER:
        return _census_plan(header, options)
    return _single_year_plan(header, options)
