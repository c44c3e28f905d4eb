"""Force-extract records of the assessed area and a period: crimes, their crime groups, people.

Families 8 (people) and 9 (time) work on records, not on the engine's LSOA x month counts: a
crime belongs to the area when its ``lsoa_code`` is one of the area's LSOAs, and to a period
when the month of ``committed_from`` is one of the period's months (the same rule as the
engine's extract counts, :mod:`safecity.assess.extract_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import pandas as pd

from safecity.assess.crime_groups import CrimeGroup
from safecity.assess.extract_counts import group_counts_from_extract, offence_classification
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.data.extract.mapping import FLAG_COLUMNS
from safecity.data.warehouse import Warehouse

_LSOA_VIEW = "assess_extract_record_lsoas"


class PersonRole(StrEnum):
    """Whose records are read: victims or offenders of the area's crimes."""

    VICTIM = "victim"
    OFFENDER = "offender"

    @property
    def table(self) -> str:
        """The warehouse table holding these people."""
        return f"extract_{self.value}"

    @property
    def pseudonym_column(self) -> str:
        """The column holding the keyed pseudonym of the person."""
        return f"{self.value}_pseudonym"


def _month_after(period: Period) -> str:
    following = period.shifted(months=1).last_month
    return f"{following:%Y-%m-%d}"


def _with_area_lsoas(
    warehouse: Warehouse, area: StudyArea, sql: str, parameters: list[str]
) -> pd.DataFrame:
    connection = warehouse.connection
    connection.register(_LSOA_VIEW, pd.DataFrame({"lsoa_code": area.lsoas["lsoa_code"]}))
    try:
        return connection.execute(sql, parameters).df()
    finally:
        connection.unregister(_LSOA_VIEW)


def area_extract_crimes(warehouse: Warehouse, *, area: StudyArea, period: Period) -> pd.DataFrame:
    """The extract crimes of ``area`` in ``period``, one row per crime.

    Returns
    -------
    pandas.DataFrame
        ``crime_key`` (source and reference), ``source, crime_reference, offence_code,
        committed_from, committed_to, lsoa_code, month``, the ``flag_*`` columns and
        ``female_victim`` (any victim of the crime is female).
    """
    flags = ", ".join(f"c.{flag}" for flag in FLAG_COLUMNS)
    sql = (
        "SELECT c.source || '|' || c.crime_reference AS crime_key, c.source, c.crime_reference,"
        " c.offence_code, c.committed_from, c.committed_to, c.lsoa_code,"
        f" CAST(date_trunc('month', c.committed_from) AS DATE) AS month, {flags},"
        " EXISTS (SELECT 1 FROM extract_victim v WHERE v.source = c.source"
        " AND v.crime_reference = c.crime_reference AND v.sex = 'F') AS female_victim"
        " FROM extract_crime c"
        f" WHERE c.lsoa_code IN (SELECT lsoa_code FROM {_LSOA_VIEW})"
        " AND c.committed_from >= CAST(? AS TIMESTAMP) AND c.committed_from < CAST(? AS TIMESTAMP)"
        " ORDER BY c.committed_from, crime_key"
    )
    return _with_area_lsoas(
        warehouse, area, sql, [f"{period.first_month:%Y-%m-%d}", _month_after(period)]
    )


def area_extract_people(
    warehouse: Warehouse, *, area: StudyArea, period: Period, role: PersonRole
) -> pd.DataFrame:
    """Victims or offenders of the extract crimes of ``area`` in ``period``.

    Returns
    -------
    pandas.DataFrame
        One row per person and crime (duplicates of the same pair dropped): ``crime_key,
        person`` (the pseudonym), ``age, sex, ethnicity``, ``victim_type`` (victims only,
        else missing) and ``committed_from``.
    """
    victim_type = "p.victim_type" if role is PersonRole.VICTIM else "CAST(NULL AS VARCHAR)"
    sql = (
        "SELECT DISTINCT ON (crime_key, person) c.source || '|' || c.crime_reference AS crime_key,"
        f" p.{role.pseudonym_column} AS person, p.age, p.sex, p.ethnicity,"
        f" {victim_type} AS victim_type, c.committed_from"
        f" FROM {role.table} p JOIN extract_crime c"
        " ON p.source = c.source AND p.crime_reference = c.crime_reference"
        f" WHERE c.lsoa_code IN (SELECT lsoa_code FROM {_LSOA_VIEW})"
        " AND c.committed_from >= CAST(? AS TIMESTAMP) AND c.committed_from < CAST(? AS TIMESTAMP)"
        " ORDER BY crime_key, person"
    )
    return _with_area_lsoas(
        warehouse, area, sql, [f"{period.first_month:%Y-%m-%d}", _month_after(period)]
    )


def crime_group_membership(
    warehouse: Warehouse, crimes: pd.DataFrame, *, groups: Sequence[CrimeGroup]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Which crimes belong to which crime groups, by the groups' extract definitions.

    Each crime is passed to :func:`safecity.assess.extract_counts.group_counts_from_extract`
    as its own cell (its ``crime_key`` in place of the LSOA), so membership follows exactly
    the rules the engine counts by.

    Returns
    -------
    tuple
        ``crime_key, group_id`` pairs, and the groups the extract cannot give, with why.
    """
    if crimes.empty:
        return pd.DataFrame(
            {"crime_key": pd.Series(dtype=str), "group_id": pd.Series(dtype=str)}
        ), {}
    profile = crimes[["crime_key", "month", "offence_code", *FLAG_COLUMNS, "female_victim"]].rename(
        columns={"crime_key": "lsoa_code"}
    )
    profile = profile.assign(count=1)
    counts, skipped = group_counts_from_extract(
        profile, groups=groups, classification=offence_classification(warehouse)
    )
    membership = counts.rename(columns={"lsoa_code": "crime_key"})[["crime_key", "group_id"]]
    return membership.reset_index(drop=True), skipped
