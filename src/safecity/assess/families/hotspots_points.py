"""Crime locations in British National Grid metres, by crime group and month, for the hot spots.

Each group's points come from the source the assessment counts it from (``inputs.sources``):
data.police.uk street rows (``easting, northing`` of the anonymous snap point, one row per Crime
ID per force-month as in :mod:`safecity.assess.counts`, ASB row by row) or the force extract
(``easting, northing`` of each crime, dated by the start of its time window). Points are kept
when their LSOA is one of the area's and their month is in the period; rows without
coordinates are counted, not dropped silently.

Identical locations are pooled: the result has one row per location, month and group with the
number of crimes there (``count``), so snap points stacking many crimes cost one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from safecity.assess.counts import group_counts_from_categories
from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.extract_counts import group_counts_from_extract, offence_classification
from safecity.assess.periods import Period
from safecity.data.extract.mapping import FLAG_COLUMNS
from safecity.data.warehouse import Warehouse

POINT_COLUMNS = ["x", "y", "month", "group_id", "count"]
"""Columns of :attr:`GroupPoints.points`."""


@dataclass(frozen=True, slots=True)
class GroupPoints:
    """Crime locations by group and month, and the crimes that had no coordinates.

    Attributes
    ----------
    points
        ``x, y`` (BNG easting and northing, metres), ``month`` (Timestamp), ``group_id``,
        ``count`` (crimes at that location in that month).
    without_coordinates
        Crimes of the area and period without coordinates, by source.
    """

    points: pd.DataFrame
    without_coordinates: dict[str, int]


def _police_uk_locations(
    warehouse: Warehouse, *, lsoa_codes: Sequence[str], period: Period
) -> tuple[pd.DataFrame, int]:
    # A cursor of its own: an unfinished result on the shared connection does not block it.
    connection = warehouse.connection.cursor()
    connection.register("hotspot_lsoas", pd.DataFrame({"lsoa_code": list(lsoa_codes)}))
    try:
        records = connection.execute(
            "WITH rows AS (SELECT * FROM police_uk_street"
            " WHERE month BETWEEN ? AND ?"
            " AND lsoa_code IN (SELECT lsoa_code FROM hotspot_lsoas)),"
            " identified AS (SELECT * FROM rows WHERE NOT is_asb AND crime_id IS NOT NULL"
            " QUALIFY row_number() OVER (PARTITION BY force, month, crime_id"
            " ORDER BY has_location DESC, lsoa_code DESC, file_id, easting, northing) = 1),"
            " records AS (SELECT easting, northing, month, crime_type FROM identified"
            " UNION ALL SELECT easting, northing, month, crime_type FROM rows"
            " WHERE is_asb OR crime_id IS NULL)"
            " SELECT easting, northing, month, crime_type, count(*) AS count FROM records"
            " GROUP BY ALL",
            [period.first_month, period.last_month],
        ).df()
    finally:
        connection.close()
    located = records["easting"].notna() & records["northing"].notna()
    return records[located], int(records.loc[~located, "count"].sum())


def _extract_locations(
    warehouse: Warehouse, *, lsoa_codes: Sequence[str], period: Period
) -> tuple[pd.DataFrame, int]:
    # A cursor of its own: an unfinished result on the shared connection does not block it.
    connection = warehouse.connection.cursor()
    connection.register("hotspot_lsoas", pd.DataFrame({"lsoa_code": list(lsoa_codes)}))
    flags = ", ".join(f"c.{flag}" for flag in FLAG_COLUMNS)
    try:
        records = connection.execute(
            "WITH victims AS (SELECT source, crime_reference, bool_or(sex = 'F') AS female"
            " FROM extract_victim GROUP BY ALL),"
            " crimes AS (SELECT *, CAST(date_trunc('month', committed_from) AS DATE) AS month"
            " FROM extract_crime WHERE lsoa_code IN (SELECT lsoa_code FROM hotspot_lsoas))"
            f" SELECT c.easting, c.northing, c.month, c.offence_code, {flags},"
            " coalesce(v.female, false) AS female_victim, count(*) AS count"
            " FROM crimes c LEFT JOIN victims v"
            " ON c.source = v.source AND c.crime_reference = v.crime_reference"
            " WHERE c.month BETWEEN ? AND ? GROUP BY ALL",
            [period.first_month, period.last_month],
        ).df()
    finally:
        connection.close()
    located = records["easting"].notna() & records["northing"].notna()
    return records[located], int(records.loc[~located, "count"].sum())


def _by_location(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records keyed by an integer location id (in place of the LSOA), and the locations."""
    location_id, locations = pd.factorize(
        pd.MultiIndex.from_arrays([records["easting"], records["northing"]])
    )
    keyed = records.drop(columns=["easting", "northing"]).assign(lsoa_code=location_id)
    places = pd.DataFrame(
        {
            "x": locations.get_level_values(0).to_numpy(dtype=float),
            "y": locations.get_level_values(1).to_numpy(dtype=float),
        }
    )
    return keyed, places


def _points(counts: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    location = counts["lsoa_code"].to_numpy(dtype=int)
    return pd.DataFrame(
        {
            "x": places["x"].to_numpy()[location],
            "y": places["y"].to_numpy()[location],
            "month": pd.to_datetime(counts["month"]).to_numpy(),
            "group_id": counts["group_id"].to_numpy(),
            "count": counts["count"].to_numpy(dtype="int64"),
        }
    )


def group_points(
    warehouse: Warehouse,
    *,
    lsoa_codes: Sequence[str],
    period: Period,
    groups: Sequence[CrimeGroup],
    sources: dict[str, str],
) -> GroupPoints:
    """Crime locations of every group in ``groups``, from the source it is counted from.

    Parameters
    ----------
    warehouse
        The loaded warehouse.
    lsoa_codes
        The area's LSOAs: points are kept when their LSOA is one of these.
    period
        The months kept.
    groups, sources
        The active groups and, for each group id, ``police_uk`` or ``extract``.

    Returns
    -------
    GroupPoints
        Points by location, month and group (see :data:`POINT_COLUMNS`).
    """
    frames = [pd.DataFrame(columns=POINT_COLUMNS)]
    without: dict[str, int] = {}
    police_groups = [g for g in groups if sources.get(g.id) == DataSource.POLICE_UK.value]
    extract_groups = [g for g in groups if sources.get(g.id) == DataSource.EXTRACT.value]
    if police_groups:
        records, missing = _police_uk_locations(warehouse, lsoa_codes=lsoa_codes, period=period)
        without[DataSource.POLICE_UK.value] = missing
        if not records.empty:
            keyed, places = _by_location(records)
            counts = group_counts_from_categories(keyed, groups=police_groups)
            frames.append(_points(counts, places))
    if extract_groups:
        records, missing = _extract_locations(warehouse, lsoa_codes=lsoa_codes, period=period)
        without[DataSource.EXTRACT.value] = missing
        if not records.empty:
            keyed, places = _by_location(records)
            counts, _ = group_counts_from_extract(
                keyed, groups=extract_groups, classification=offence_classification(warehouse)
            )
            frames.append(_points(counts, places))
    points = pd.concat([frame for frame in frames if not frame.empty] or frames[:1])
    points = points.reset_index(drop=True).astype({"x": float, "y": float, "count": "int64"})
    points["month"] = pd.to_datetime(points["month"])
    return GroupPoints(points=points, without_coordinates=without)
