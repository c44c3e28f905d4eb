"""Published statistics by area (``published-indicators``): a national table as put out.

E.g. the ONS Crime Severity Score by Community Safety Partnership (the CSS data tool's
``Data - csp`` sheet), by police force area, or re-published by local authority; Home Office
police recorded crime by CSP and offence group. Each row of table ``published_indicator`` is one
value for one area, offence group and period, kept with the publisher, title and release it
came from.

Recognised layouts (header found anywhere in the top rows of any sheet):

* **long**: an area code column, a ``value`` column, and optionally ``area_name``, ``period``,
  ``indicator``, ``group``/``offence_group``, ``measure``, ``unit``, ``lower_ci``,
  ``upper_ci`` (e.g. ``area_code,area_name,period,value,indicator,measure,unit,group``);
* **one statistic column**: an area code column and a column named for the statistic
  (``crime_severity_score``, ``Crime Severity Score``, ``Number of offences``, ``Rate per
  1,000 population``), e.g. ``ltla23_code,crime_severity_score``;
* **police recorded crime by CSP name** (the Home Office CSP open data table, no codes): see
  :mod:`safecity.data.reference.recorded_crime_by_csp`;
* **wide by period** (the ONS data tool): an area code column (``Code``), an area name, an
  optional offence group, and one column per period whose header is a financial year
  (``Apr '08 to Mar '09``, ``2022/23``).

The area code column is any area column Safe City knows (``CSP23CD``, ``ltla23_code``, ...) or
a generic ``Code``/``area_code``; each row's area level is read from its code's entity
(E22/W14 CSP, E23 PFA, E06-E09/W06 LAD, E12 region, E92/W92 country). A value that is a
publisher's suppression marker (``:``, ``..``, ``[x]``, ``[c]``, ``[z]``, ``*``, ``-``) is
kept as NULL with the marker in ``value_note``; a blank value is NULL with note ``blank``; any
other text that is not a number quarantines the row. An area (with its statistic, offence group
and period) given twice with the same value keeps the first; given different values, none is
kept (the table contradicts itself: e.g. the CSS by CSP re-published by district repeats a
district split between CSPs, with each CSP's value).

References
----------
Office for National Statistics (2016), *Research outputs: developing a Crime Severity Score for
England and Wales using data on crimes recorded by the police*; ONS, *Crime Severity Score
(Experimental Statistics)* data tool. Home Office, *Police recorded crime open data tables*.
Government Statistical Service (2021), *Symbols in tables, definitions and help* (``[x]``,
``[c]``, ``[z]``, ``:``, ``..``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from safecity.data.quality import QuarantineReason
from safecity.data.reference import recorded_crime_by_csp
from safecity.data.reference.areas import ENTITY_CODES, AreaLevel, normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import OptionRequiredError, UnrecognisedFileError
from safecity.data.reference.header import find_area_columns, ignored_columns_note, name_sql
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions
from safecity.data.reference.published import (
    financial_year,
    resolve_period,
    resolve_publisher,
    resolve_release,
    resolve_title,
)
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import RowCheck, field, required, sql_text


class PublishedIndicator(StrEnum):
    """The statistics ``published_indicator.indicator`` holds."""

    CRIME_SEVERITY_SCORE = "crime_severity_score"
    """ONS Crime Severity Score: offences weighted by sentencing severity, per resident."""
    RECORDED_CRIME = "recorded_crime"
    """Police recorded crime: number of offences."""
    RECORDED_CRIME_RATE = "recorded_crime_rate"
    """Police recorded crime per 1,000 residents."""


UNITS: dict[PublishedIndicator, str] = {
    PublishedIndicator.CRIME_SEVERITY_SCORE: "score (weighted crimes per resident)",
    PublishedIndicator.RECORDED_CRIME: "offences",
    PublishedIndicator.RECORDED_CRIME_RATE: "per 1,000 residents",
}
"""The unit stored when the file names none."""

_INDICATOR_NAMES: dict[str, PublishedIndicator] = {
    "crime_severity_score": PublishedIndicator.CRIME_SEVERITY_SCORE,
    "css": PublishedIndicator.CRIME_SEVERITY_SCORE,
    "severity_score": PublishedIndicator.CRIME_SEVERITY_SCORE,
    "recorded_crime": PublishedIndicator.RECORDED_CRIME,
    "number_of_offences": PublishedIndicator.RECORDED_CRIME,
    "offences": PublishedIndicator.RECORDED_CRIME,
    "police_recorded_crime": PublishedIndicator.RECORDED_CRIME,
    "recorded_crime_rate": PublishedIndicator.RECORDED_CRIME_RATE,
    "rate_per_1_000_population": PublishedIndicator.RECORDED_CRIME_RATE,
    "rate_per_1000_population": PublishedIndicator.RECORDED_CRIME_RATE,
    "crime_rate": PublishedIndicator.RECORDED_CRIME_RATE,
    "offences_per_1_000_population": PublishedIndicator.RECORDED_CRIME_RATE,
}

SUPPRESSION_MARKERS: tuple[str, ...] = (":", "..", "[x]", "[c]", "[z]", "[u]", "[low]", "*", "-")
"""Publishers' markers for a value not given (GSS symbols and their older forms)."""

TOTAL_GROUP = "Total recorded crime"
"""The offence group of a table that gives one value per area (all offences)."""

EXPECTED_COLUMNS = (
    "an area code column (e.g. Code, area_code, CSP23CD, ltla23_code) with either a value "
    "column (value, crime_severity_score, Number of offences ...) or period columns "
    "(Apr '22 to Mar '23, 2022/23 ...)"
)

_GENERIC_CODE = ("code", "area_code", "geography_code", "ons_code", "gss_code", "area_codes")
_GENERIC_NAME = (
    "name",
    "area_name",
    "geography_name",
    "area",
    "community_safety_partnership",
    "csp_name",
    "police_force_area",
    "force_name",
)
_ALIASES: dict[str, tuple[str, ...]] = {
    "value": ("value", "obs_value"),
    "period": ("period", "time_period", "financial_year", "year", "date"),
    "indicator": ("indicator", "statistic", "measure_name"),
    "offence_group": ("offence_group", "group", "offence_type", "crime_type"),
    "measure": ("measure",),
    "unit": ("unit", "units"),
    "lower_ci": ("lower_ci", "lower_confidence_limit", "lower_limit", "lcl", "lower_95_ci"),
    "upper_ci": ("upper_ci", "upper_confidence_limit", "upper_limit", "ucl", "upper_95_ci"),
}


def indicator_of(text: str) -> PublishedIndicator | None:
    """The statistic a name or column header means, if any.

    >>> indicator_of("Crime Severity Score"), indicator_of("Number of offences")
    (<PublishedIndicator.CRIME_SEVERITY_SCORE: 'crime_severity_score'>, \
<PublishedIndicator.RECORDED_CRIME: 'recorded_crime'>)
    """
    return _INDICATOR_NAMES.get(normalise_header(text))


def _indicator_case(column: int) -> str:
    cases = " ".join(
        f"WHEN {sql_text(name)} THEN {sql_text(indicator.value)}"
        for name, indicator in _INDICATOR_NAMES.items()
    ) + " ".join(
        f" WHEN {sql_text(indicator.value)} THEN {sql_text(indicator.value)}"
        for indicator in PublishedIndicator
    )
    normalised = f"trim(regexp_replace(lower(trim(c{column})), '[^0-9a-z]+', '_', 'g'), '_')"
    return f"(CASE {normalised} {cases} END)"


def _level_case(code: str) -> str:
    cases = " ".join(
        f"WHEN {sql_text(entity)} THEN {sql_text(level.value)}"
        for level, entities in ENTITY_CODES.items()
        for entity in entities
    )
    return f"(CASE left({code}, 3) {cases} END)"


_MARKERS_SQL = ", ".join(sql_text(marker) for marker in SUPPRESSION_MARKERS)


def _value_sql(column: int) -> str:
    return f"safecity_number(c{column})"


def _note_sql(column: int) -> str:
    return (
        f"CASE WHEN {field(column)} IS NULL THEN 'blank' "
        f"WHEN lower(trim(c{column})) IN ({_MARKERS_SQL}) THEN trim(c{column}) END"
    )


def _value_check(column: int, *, label: str) -> RowCheck:
    return RowCheck(
        reason=QuarantineReason.UNPARSEABLE_NUMBER,
        failed=(
            f"{field(column)} IS NOT NULL AND safecity_number(c{column}) IS NULL "
            f"AND lower(trim(c{column})) NOT IN ({_MARKERS_SQL})"
        ),
        detail=(
            f"{sql_text(label + ' ')} || '\"' || c{column} || "
            f"'\" is neither a number nor a suppression marker ({', '.join(SUPPRESSION_MARKERS)})'"
        ),
    )


@dataclass(frozen=True, slots=True)
class _Columns:
    code: int
    code_header: str
    area_vintage: int | None
    name: int | None
    others: dict[str, int]
    statistic: tuple[int, PublishedIndicator] | None
    periods: dict[int, str]


def _find_columns(header: list[str]) -> _Columns:
    normalised = [normalise_header(name) for name in header]
    areas = find_area_columns(header)
    code_index: int | None = None
    area_vintage: int | None = None
    name_index: int | None = None
    for level in (AreaLevel.CSP, AreaLevel.LAD, AreaLevel.PFA, AreaLevel.REGION, AreaLevel.COUNTRY):
        if level in areas:
            found = areas[level]
            code_index, area_vintage, name_index = found.code_index, found.vintage, found.name_index
            break
    if code_index is None:
        code_index = next(
            (index for index, name in enumerate(normalised) if name in _GENERIC_CODE), None
        )
    if code_index is None:
        raise UnrecognisedFileError(
            f"expected {EXPECTED_COLUMNS}; found no area code column in {header}"
        )
    if name_index is None:
        name_index = next(
            (index for index, name in enumerate(normalised) if name in _GENERIC_NAME), None
        )
    others: dict[str, int] = {}
    for ours, aliases in _ALIASES.items():
        for index, name in enumerate(normalised):
            if name in aliases and index not in others.values():
                others[ours] = index
                break
    statistic = None
    if "value" not in others:
        statistic = next(
            (
                (index, indicator)
                for index, name in enumerate(header)
                if index != code_index and (indicator := indicator_of(name)) is not None
            ),
            None,
        )
    periods = {
        index: period
        for index, name in enumerate(header)
        if index not in {code_index, name_index} and (period := financial_year(name)) is not None
    }
    if "value" not in others and statistic is None and not periods:
        raise UnrecognisedFileError(
            f"expected {EXPECTED_COLUMNS}; found an area code column {header[code_index]!r} "
            f"but no value, statistic or period column in {header}"
        )
    return _Columns(
        code=code_index,
        code_header=header[code_index],
        area_vintage=area_vintage or _vintage_of_code_header(header[code_index]),
        name=name_index,
        others=others,
        statistic=statistic,
        periods=periods,
    )


def _vintage_of_code_header(name: str) -> int | None:
    match = re.search(r"(?:19|20)(\d{2})", name)
    return int(match[0]) if match else None


def _indicator(columns: _Columns, options: ReferenceOptions, title: str) -> str:
    """SQL for the indicator of each row."""
    fallback: PublishedIndicator | None = None
    if columns.statistic is not None:
        fallback = columns.statistic[1]
    elif options.indicator:
        fallback = indicator_of(options.indicator)
        if fallback is None:
            known = ", ".join(indicator.value for indicator in PublishedIndicator)
            raise OptionRequiredError(f"--indicator {options.indicator!r} is not one of {known}")
    else:
        fallback = next(
            (
                indicator
                for indicator in PublishedIndicator
                if indicator.value.replace("_", " ") in title.lower()
            ),
            None,
        )
    column = columns.others.get("indicator")
    fallback_sql = "CAST(NULL AS VARCHAR)" if fallback is None else sql_text(fallback.value)
    if column is None:
        if fallback is None:
            known = ", ".join(indicator.value for indicator in PublishedIndicator)
            raise OptionRequiredError(
                f"the file does not say which statistic it holds: give --indicator ({known})"
            )
        return fallback_sql
    return f"coalesce({_indicator_case(column)}, {fallback_sql})"


def published_indicators_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for a published table of a statistic by area (see the module's layouts)."""
    by_name = recorded_crime_by_csp.columns_of(header)
    if by_name is not None and not any(
        name in _GENERIC_CODE for name in (normalise_header(text) for text in header)
    ):
        return recorded_crime_by_csp.recorded_crime_by_csp_plan(header, by_name, options=options)
    columns = _find_columns(header)
    publisher = resolve_publisher(options)
    title = resolve_title(options)
    release = resolve_release(options)
    indicator = _indicator(columns, options, title)
    code = f"trim(c{columns.code})"
    checks: list[RowCheck] = [
        required(columns.code, label=columns.code_header),
        RowCheck(
            reason=QuarantineReason.MALFORMED_AREA_CODE,
            failed=f"{_level_case(code)} IS NULL",
            detail=(
                f"{sql_text(columns.code_header + ' ')} || '\"' || {code} || "
                "'\" is not a GSS code of a known area level'"
            ),
        ),
    ]
    indicator_column = columns.others.get("indicator")
    if indicator_column is not None:
        checks.append(
            RowCheck(
                reason=QuarantineReason.UNKNOWN_CATEGORY,
                failed=f"{indicator} IS NULL",
                detail=(
                    f"{sql_text(header[indicator_column] + ' ')} || '\"' || "
                    f"c{indicator_column} || '\" is not a statistic Safe City knows'"
                ),
            )
        )
    group_column = columns.others.get("offence_group")
    group = (
        sql_text(TOTAL_GROUP)
        if group_column is None
        else f"coalesce({field(group_column)}, {sql_text(TOTAL_GROUP)})"
    )
    period_column = columns.others.get("period")
    value_columns: list[tuple[int, str]]
    if "value" in columns.others:
        value_columns = [(columns.others["value"], "")]
    elif columns.statistic is not None:
        value_columns = [(columns.statistic[0], "")]
    else:
        value_columns = [(index, period) for index, period in columns.periods.items()]
    if columns.periods and "value" not in columns.others and columns.statistic is None:
        period_sqls = {index: sql_text(period) for index, period in columns.periods.items()}
    elif period_column is not None:
        checks.append(required(period_column, label=header[period_column]))
        period_sqls = {value_columns[0][0]: f"safecity_period(c{period_column})"}
    else:
        period = resolve_period(options)
        if period is None:
            raise OptionRequiredError(
                "the file does not say the period of its figures (no period column or title "
                "row): give --period (e.g. 2022/23 or 'year ending March 2023')"
            )
        period_sqls = {value_columns[0][0]: sql_text(period)}
    for index, _ in value_columns:
        checks.append(_value_check(index, label=header[index]))
    unit_parts = [
        field(columns.others[name]) for name in ("measure", "unit") if name in columns.others
    ]
    units = " ".join(
        f"WHEN {sql_text(indicator_value.value)} THEN {sql_text(unit)}"
        for indicator_value, unit in UNITS.items()
    )
    unit = f"coalesce({', '.join([*unit_parts, f'(CASE {indicator} {units} END)'])})"
    ci = {
        name: (
            "CAST(NULL AS DOUBLE)"
            if name not in columns.others
            else f"safecity_number(c{columns.others[name]})"
        )
        for name in ("lower_ci", "upper_ci")
    }
    area_vintage = columns.area_vintage if columns.area_vintage is not None else options.vintage
    vintage_sql = "CAST(NULL AS INTEGER)" if area_vintage is None else str(int(area_vintage))
    selects = [
        f"SELECT {sql_text(publisher)} AS publisher, {sql_text(title)} AS title, "
        f"{sql_text(release)} AS vintage, {indicator} AS indicator, {group} AS offence_group, "
        f"{period_sqls[index]} AS period, {_level_case(code)} AS area_level, {code} AS area_code, "
        f"{name_sql(columns.name)} AS area_name, {vintage_sql} AS area_vintage, "
        f"{_value_sql(index)} AS value, {_note_sql(index)} AS value_note, "
        f"{ci['lower_ci']} AS lower_ci, {ci['upper_ci']} AS upper_ci, {unit} AS unit "
        "FROM ref_valid"
        for index, _ in value_columns
    ]
    unique_key = [code, indicator, group]
    label = f"{columns.code_header}, statistic, offence group"
    if period_column is not None:
        unique_key.append(f"safecity_period(c{period_column})")
        label += " and period"
    used = {columns.code, *columns.others.values(), *(index for index, _ in value_columns)}
    if columns.name is not None:
        used.add(columns.name)
    return CsvPlan(
        format=ReferenceFormat.PUBLISHED_INDICATOR_TABLE,
        dataset_key=(
            f"reference/{ReferenceKind.PUBLISHED_INDICATORS.value}/{publisher}/{title}/{release}"
        ),
        checks=tuple(checks),
        unique_key=tuple(unique_key),
        unique_key_label=label,
        conflict_value=" || '|' || ".join(
            f"coalesce(trim(c{index}), '')" for index, _ in value_columns
        ),
        inserts=(
            TableInsert(
                table="published_indicator",
                select=" UNION ALL ".join(selects),
                replace_key=(
                    "publisher",
                    "title",
                    "vintage",
                    "indicator",
                    "offence_group",
                    "period",
                    "area_code",
                ),
            ),
        ),
        notes=(
            f"{publisher}: {title} ({release})",
            *(
                (f"{len(columns.periods)} period columns read as rows",)
                if len(value_columns) > 1
                else ()
            ),
            *ignored_columns_note(header, used=used),
        ),
    )
