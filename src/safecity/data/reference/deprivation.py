"""Indices of Deprivation reference files, stored long: area x domain x measure -> value.

Recognised layout: one area code column (``lsoa11_code``, ``LSOA11CD``, ``ltla19_code`` ...),
optionally its name, and any number of measure columns named ``<Domain>_<measure>`` where the
measure is ``rank``, ``decile``, ``score``, ``score_pct`` (a score given as a percentage),
``proportion`` or ``extent`` - e.g. the IoD2019 File 7 ranks and deciles as re-published by the
``IMD`` R package (``IMD_decile, Income_rank, ...``), mySociety's scores
(``imd_score, income_score_pct``) or the File 10 district summaries (``Score, Proportion,
Extent, Income_Score ...``; a bare measure is the overall index), or MHCLG's own File 7
(``LSOA code (2011), Index of Multiple Deprivation (IMD) Score, Income Rank (where 1 is most
deprived), ...``; sub-domain and population columns are ignored). Ranks count from 1 (most
deprived); deciles are 1 (most deprived 10%) to 10.

References
----------
Ministry of Housing, Communities and Local Government (2019), *The English Indices of
Deprivation 2019: technical report* and *File 7: all ranks, deciles and scores*; *File 10:
local authority district summaries*.
"""

from __future__ import annotations

import re
from enum import StrEnum

from safecity.data.reference.areas import FINEST_FIRST, normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import OptionRequiredError, UnrecognisedFileError
from safecity.data.reference.header import find_area_columns, ignored_columns_note
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions, resolve_vintage, year_from_file_name
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import (
    RowCheck,
    area_code,
    integer,
    number,
    required,
    sql_text,
)


class DeprivationDomain(StrEnum):
    """A domain of the Indices of Deprivation (``imd`` is the overall index)."""

    IMD = "imd"
    INCOME = "income"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    HEALTH = "health"
    CRIME = "crime"
    HOUSING_AND_ACCESS = "housing_and_access"
    ENVIRONMENT = "environment"
    IDACI = "idaci"
    IDAOPI = "idaopi"


class DeprivationMeasure(StrEnum):
    """What a deprivation value is."""

    RANK = "rank"
    DECILE = "decile"
    SCORE = "score"
    SCORE_PERCENT = "score_percent"
    PROPORTION = "proportion"
    EXTENT = "extent"


_DOMAIN_NAMES: dict[str, DeprivationDomain] = {
    "imd": DeprivationDomain.IMD,
    "index_of_multiple_deprivation": DeprivationDomain.IMD,
    "income": DeprivationDomain.INCOME,
    "employment": DeprivationDomain.EMPLOYMENT,
    "education": DeprivationDomain.EDUCATION,
    "education_skills_and_training": DeprivationDomain.EDUCATION,
    "health": DeprivationDomain.HEALTH,
    "health_deprivation_and_disability": DeprivationDomain.HEALTH,
    "crime": DeprivationDomain.CRIME,
    "housing_and_access": DeprivationDomain.HOUSING_AND_ACCESS,
    "barriers_to_housing_and_services": DeprivationDomain.HOUSING_AND_ACCESS,
    "environment": DeprivationDomain.ENVIRONMENT,
    "living_environment": DeprivationDomain.ENVIRONMENT,
    "idaci": DeprivationDomain.IDACI,
    "idaopi": DeprivationDomain.IDAOPI,
    "index_of_multiple_deprivation_imd": DeprivationDomain.IMD,
    "income_deprivation_affecting_children_index_idaci": DeprivationDomain.IDACI,
    "income_deprivation_affecting_older_people_idaopi": DeprivationDomain.IDAOPI,
}
_MEASURE_NAMES: dict[str, DeprivationMeasure] = {
    "rank": DeprivationMeasure.RANK,
    "decile": DeprivationMeasure.DECILE,
    "score": DeprivationMeasure.SCORE,
    "score_pct": DeprivationMeasure.SCORE_PERCENT,
    "proportion": DeprivationMeasure.PROPORTION,
    "extent": DeprivationMeasure.EXTENT,
}
_MEASURE_COLUMN = re.compile(
    r"^(?:(?P<domain>.+?)_)?(?P<measure>rank|decile|score_pct|score|proportion|extent)$"
)
_PUBLISHED_QUALIFIER = re.compile(r"(_where_1_is_most_deprived.*|_rate)$")
"""File 7's qualifiers: ``Income Rank (where 1 is most deprived)``, ``Income Score (rate)``."""
EXPECTED_COLUMNS = (
    "an area code column (lsoa11_code, LSOA11CD, ltla19_code ...) and measure columns "
    "<Domain>_rank, <Domain>_decile, <Domain>_score, <Domain>_score_pct, <Domain>_proportion or "
    "<Domain>_extent (Domain: IMD, Income, Employment, Education, Health, Crime, "
    "Housing_and_Access, Environment, IDACI, IDAOPI; a bare Score/Proportion/Extent is the IMD)"
)


def _measure_columns(header: list[str]) -> dict[int, tuple[DeprivationDomain, DeprivationMeasure]]:
    columns = {}
    for index, name in enumerate(header):
        normalised = _PUBLISHED_QUALIFIER.sub("", normalise_header(name))
        match = _MEASURE_COLUMN.match(normalised)
        if match is None:
            continue
        domain = _DOMAIN_NAMES.get(match["domain"] or "imd")
        if domain is None:
            continue
        columns[index] = (domain, _MEASURE_NAMES[match["measure"]])
    return columns


def _checks(index: int, label: str, measure: DeprivationMeasure) -> list[RowCheck]:
    checks = [required(index, label=label)]
    if measure is DeprivationMeasure.RANK:
        return checks + integer(index, label=label, minimum=1)
    if measure is DeprivationMeasure.DECILE:
        return checks + integer(index, label=label, minimum=1, maximum=10)
    if measure is DeprivationMeasure.SCORE_PERCENT:
        return checks + number(index, label=label, minimum=0, maximum=100)
    if measure in {DeprivationMeasure.PROPORTION, DeprivationMeasure.EXTENT}:
        return checks + number(index, label=label, minimum=0, maximum=1)
    return checks + number(index, label=label)


def deprivation_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for an Indices of Deprivation file (ranks/deciles, scores or summaries)."""
    areas = find_area_columns(header)
    level = next((level for level in FINEST_FIRST if level in areas), None)
    measures = _measure_columns(header)
    if level is None or not measures:
        raise UnrecognisedFileError(f"expected {EXPECTED_COLUMNS}; found {header}")
    area = areas[level]
    vintage = resolve_vintage(area.vintage, options=options, column=area.code_header)
    index_name = options.index_name
    if index_name is None:
        year = options.year or year_from_file_name(options.file_name)
        if year is None:
            raise OptionRequiredError(
                f"the file name {options.file_name!r} does not say which index this is: "
                "give --index-name (e.g. IMD2019) or --year"
            )
        index_name = f"IMD{year}"
    code = f"trim(c{area.code_index})"
    checks: list[RowCheck] = [
        required(area.code_index, label=area.code_header),
        area_code(area.code_index, label=area.code_header, level=level),
    ]
    for index, (_, measure) in measures.items():
        checks += _checks(index, header[index], measure)
    domains = ", ".join(sql_text(domain.value) for domain, _ in measures.values())
    measure_names = ", ".join(sql_text(measure.value) for _, measure in measures.values())
    values = ", ".join(
        f"CAST(safecity_integer(c{index}) AS DOUBLE)"
        if measure in {DeprivationMeasure.RANK, DeprivationMeasure.DECILE}
        else f"safecity_number(c{index})"
        for index, (_, measure) in measures.items()
    )
    measure_set = "+".join(sorted({measure.value for _, measure in measures.values()}))
    used = {area.code_index, *measures}
    if area.name_index is not None:
        used.add(area.name_index)
    return CsvPlan(
        format=ReferenceFormat.IOD_MEASURES,
        dataset_key=(
            f"reference/{ReferenceKind.IMD.value}/{index_name}/{level.value}{vintage}/{measure_set}"
        ),
        checks=tuple(checks),
        unique_key=(code,),
        unique_key_label=area.code_header,
        inserts=(
            TableInsert(
                table="deprivation",
                select=(
                    f"SELECT {sql_text(index_name)} AS index_name, '{level.value}' AS area_level, "
                    f"{code} AS area_code, {vintage} AS area_vintage, "
                    f"unnest([{domains}]) AS domain, "
                    f"unnest([{measure_names}]) AS measure, unnest([{values}]) AS value "
                    "FROM ref_valid"
                ),
                replace_key=(
                    "index_name",
                    "area_level",
                    "area_vintage",
                    "domain",
                    "measure",
                    "area_code",
                ),
            ),
        ),
        notes=ignored_columns_note(header, used=used),
    )
