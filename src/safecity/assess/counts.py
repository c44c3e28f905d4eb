"""Crime counts by LSOA, month and crime group: Ibis expressions pushed into the warehouse.

The heavy work (millions of rows) runs in the warehouse's engine as one aggregation to
LSOA x month x category; everything after that works on the small aggregated table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ibis
import pandas as pd

from safecity.assess.crime_groups import CrimeGroup, police_uk_category_groups
from safecity.data.police_uk.formats import asb_crime_type


def police_uk_category_counts(
    backend: Any, *, first_month: date, last_month: date, lsoa_codes: Sequence[str] | None = None
) -> Any:
    """An Ibis expression: rows ``lsoa_code, month, crime_type, count`` of police.uk street data.

    Crimes are counted once per Crime ID per force and month (``methods.md`` §11.6): a Crime ID
    that police.uk repeats in a month file counts once, at its located row's LSOA. ASB
    incidents (which have no Crime ID) and crimes without one are counted row by row. Rows
    without an LSOA are counted under a missing ``lsoa_code``.
    """
    street = backend.table("police_uk_street")
    in_period = street.filter(
        (street.month >= ibis.literal(first_month)) & (street.month <= ibis.literal(last_month))
    )
    if lsoa_codes is not None:
        in_period = in_period.filter(in_period.lsoa_code.isin(list(lsoa_codes)))
    identified = in_period.filter(~in_period.is_asb & in_period.crime_id.notnull())
    one_per_id = identified.group_by(["force", "month", "crime_id"]).aggregate(
        lsoa_code=identified.lsoa_code.max(), crime_type=identified.crime_type.max()
    )
    row_by_row = in_period.filter(in_period.is_asb | in_period.crime_id.isnull())
    records = one_per_id.select("lsoa_code", "month", "crime_type").union(
        row_by_row.select("lsoa_code", "month", "crime_type"), distinct=False
    )
    return records.group_by(["lsoa_code", "month", "crime_type"]).aggregate(count=records.count())


def group_counts_from_categories(
    category_counts: pd.DataFrame, *, groups: Sequence[CrimeGroup]
) -> pd.DataFrame:
    """Expand category counts to crime-group counts: ``lsoa_code, month, group_id, count``.

    A category counts towards every group that includes it (e.g. Burglary to ``burglary`` and
    ``all_crime``).
    """
    mapping = police_uk_category_groups(list(groups), asb_category=asb_crime_type())
    pairs = pd.DataFrame(
        [(category, group) for category, ids in mapping.items() for group in ids],
        columns=["crime_type", "group_id"],
    )
    merged = category_counts.merge(pairs, on="crime_type", how="inner")
    grouped = (
        merged.groupby(["lsoa_code", "month", "group_id"], dropna=False)["count"]
        .sum()
        .reset_index()
    )
    grouped["count"] = grouped["count"].astype("int64")
    return grouped
