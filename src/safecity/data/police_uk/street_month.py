"""The monthly street aggregate of police.uk street data: force x month x LSOA x category.

Defined here, beside the loader whose ``repeated_crime_id`` flag it relies on, so that the
lake (which keeps it materialised per force-month partition) and the assessment
(:mod:`safecity.assess.street_aggregate`) compute it with one expression. See that module for
what is derived from it.

Per ``force, month, lsoa_code, crime_type``:

* ``rows``: the rows as loaded (what the data-quality rules of ``methods.md`` §11.7 count);
* ``crimes``: crimes counted once per Crime ID per force and month at its located row's LSOA
  (§11.6): the loader flags every row whose Crime ID occurs more than once in its file
  (``repeated_crime_id``), so only those rows are grouped by Crime ID (taking the largest LSOA
  code and category, as :func:`safecity.assess.counts.police_uk_category_counts` does); ASB
  incidents and crimes without an ID count row by row. Rows without an LSOA are kept under a
  missing ``lsoa_code``.
"""

from __future__ import annotations

from typing import Any

import ibis

STREET_MONTH_TABLE = "street_month"
"""The name of the materialised aggregate in a backend (a lake view, a Spark view)."""
STREET_MONTH_COLUMNS = ("force", "month", "lsoa_code", "crime_type", "rows", "crimes")


def street_month_expression(street: Any) -> Any:
    """An Ibis expression: the monthly street aggregate of the ``police_uk_street`` table
    ``street`` (columns :data:`STREET_MONTH_COLUMNS`; see the module docstring)."""
    keys = ["force", "month", "lsoa_code", "crime_type"]
    one = ibis.literal(1, type="int64")
    none = ibis.literal(0, type="int64")
    single = street.filter(~street.repeated_crime_id | street.is_asb).select(
        *keys, rows=one, crimes=one
    )
    repeated = street.filter(street.repeated_crime_id & ~street.is_asb)
    repeated_rows = repeated.select(*keys, rows=one, crimes=none)
    one_per_id = repeated.group_by(["force", "month", "crime_id"]).aggregate(
        lsoa_code=repeated.lsoa_code.max(), crime_type=repeated.crime_type.max()
    )
    repeated_crimes = one_per_id.select(*keys, rows=none, crimes=one)
    records = single.union(repeated_rows, distinct=False).union(repeated_crimes, distinct=False)
    return records.group_by(keys).aggregate(
        rows=records.rows.sum().cast("int64"), crimes=records.crimes.sum().cast("int64")
    )
