"""The monthly street aggregate: police.uk street data reduced once to force x month x LSOA x
category, from which every every-CSP count, coverage check and reporting force is summed.

One pass over the rows (the only step whose cost grows with the archive) gives, per
``force, month, lsoa_code, crime_type``, the rows as loaded and the crimes counted by Crime ID
(:mod:`safecity.data.police_uk.street_month` defines it; methods.md §11.6 and §11.7).

Because the Crime ID rule works within one force and month, the aggregate of a month never
changes when other months are loaded: a lake keeps it materialised per force-month partition
(``aggregates/street_month``, ``docs/lake.md``) and recomputes only the partitions whose data
changed. Everything derived from it (a period's LSOA x category counts, rows per force and month,
rows per force and LSOA) is a small Ibis aggregation over the aggregate, run by the same engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import ibis
import pandas as pd

from safecity.assess.fact_source import ComputeEngine, FactSource
from safecity.assess.periods import Period
from safecity.data.police_uk.street_month import (
    STREET_MONTH_COLUMNS,
    STREET_MONTH_TABLE,
    street_month_expression,
)


def street_month(facts: FactSource, *, first_month: date, last_month: date) -> Any:
    """The monthly street aggregate for the months ``first_month`` to ``last_month``.

    The materialised ``street_month`` table when the backend holds one, else computed from
    ``police_uk_street`` (the same columns and values either way).
    """
    if facts.has_table(STREET_MONTH_TABLE):
        table = facts.backend.table(STREET_MONTH_TABLE).select(*STREET_MONTH_COLUMNS)
    else:
        table = street_month_expression(facts.backend.table("police_uk_street"))
    return table.filter(
        (table.month >= ibis.literal(first_month)) & (table.month <= ibis.literal(last_month))
    )


@contextmanager
def period_street_months(facts: FactSource, *, periods: Sequence[Period]) -> Iterator[Any]:
    """The monthly street aggregate over every month of ``periods``, computed once and kept in
    the engine while the block runs (a temporary table in DuckDB, a cached DataFrame in Spark),
    so that every count, coverage check and reporting force of those periods sums the kept
    aggregate instead of scanning the rows again."""
    first_month = min(period.first_month for period in periods)
    last_month = max(period.last_month for period in periods)
    months = street_month(facts, first_month=first_month, last_month=last_month)
    if facts.engine is ComputeEngine.DUCKDB:
        # Ibis's own cache cannot drop its table on DuckDB 2 (its DROP does not parse there).
        name = f"street_month_kept_{uuid.uuid4().hex}"
        kept = facts.backend.create_table(name, months, temp=True)
        try:
            yield kept
        finally:
            facts.backend.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        return
    cached = months.cache()
    try:
        yield cached
    finally:
        cached.release()


def lsoa_category_totals(months: Any) -> Any:
    """An Ibis expression: ``lsoa_code, crime_type, count`` summed over the aggregate ``months``
    (located crimes only; combinations with no crime left out)."""
    located = months.filter(months.lsoa_code.notnull())
    totals = located.group_by(["lsoa_code", "crime_type"]).aggregate(
        count=located.crimes.sum().cast("int64")
    )
    return totals.filter(totals["count"] > 0)


def force_month_rows(months: Any) -> pd.DataFrame:
    """Rows loaded per force and month of the aggregate ``months``: ``force, month, rows``."""
    table = months.group_by(["force", "month"]).aggregate(rows=months.rows.sum().cast("int64"))
    frame: pd.DataFrame = table.to_pandas()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def force_lsoa_rows(months: Any) -> pd.DataFrame:
    """Located rows per force and LSOA of the aggregate ``months``: ``force, lsoa_code, rows``."""
    located = months.filter(months.lsoa_code.notnull())
    table = located.group_by(["force", "lsoa_code"]).aggregate(
        rows=located.rows.sum().cast("int64")
    )
    frame: pd.DataFrame = table.to_pandas()
    return frame
