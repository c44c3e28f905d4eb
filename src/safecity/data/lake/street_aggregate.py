"""The monthly street aggregate: counts by force, month, LSOA and crime type, per partition.

``street_month`` has one row per force, month, LSOA (a missing LSOA kept as NULL) and crime
type of ``police_uk_street``:

``rows``
    the rows as loaded;
``crimes``
    crimes counted as the assessment counts them (``methods.md`` §11.6): a Crime ID once per
    force and month, at the LSOA (and crime type) of its located row, the greatest when its rows
    differ; anti-social behaviour and rows without a Crime ID row by row. The loader flags every
    row whose Crime ID occurs more than once in its file (``repeated_crime_id``), and keeps one
    file per force, month and kind, so only the flagged rows are grouped by Crime ID.

The SQL is the same as ``safecity.assess.all_csps.lsoa_category_counts`` (before its filter of
rows without an LSOA, and before summing over months).
"""

from __future__ import annotations

from safecity.data.lake.manifest import LakeColumn

STREET_MONTH_COLUMNS = (
    LakeColumn(name="force", type="VARCHAR"),
    LakeColumn(name="month", type="DATE"),
    LakeColumn(name="lsoa_code", type="VARCHAR"),
    LakeColumn(name="crime_type", type="VARCHAR"),
    LakeColumn(name="rows", type="BIGINT"),
    LakeColumn(name="crimes", type="BIGINT"),
)
"""The aggregate's columns, in order, with their types."""


def street_month_sql(relation: str) -> str:
    """The query of the monthly street aggregate over ``relation`` (street rows).

    Parameters
    ----------
    relation
        A SQL relation with at least ``force, month, crime_id, lsoa_code, crime_type, is_asb,
        repeated_crime_id`` (``police_uk_street`` or its lake files).

    Returns
    -------
    str
        A query giving :data:`STREET_MONTH_COLUMNS`.
    """
    return (
        "SELECT force, month, lsoa_code, crime_type, sum(row_count)::BIGINT AS rows,"
        " sum(crime_count)::BIGINT AS crimes FROM ("
        " SELECT force, month, lsoa_code, crime_type, 1 AS row_count,"
        " CASE WHEN is_asb OR NOT repeated_crime_id THEN 1 ELSE 0 END AS crime_count"
        f" FROM {relation}"
        " UNION ALL"
        " SELECT force, month, max(lsoa_code), max(crime_type), 0, 1"
        f" FROM {relation} WHERE repeated_crime_id AND NOT is_asb"
        " GROUP BY force, month, crime_id"
        ") GROUP BY force, month, lsoa_code, crime_type"
    )
