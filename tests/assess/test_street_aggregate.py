"""The monthly street aggregate (``safecity.assess.street_aggregate``) on hand-made rows.

Rows as the police.uk loader stores them, with ``repeated_crime_id`` set for every row whose
Crime ID occurs more than once in its file. Expected values are worked out here by hand from
``methods.md`` §11.6 (a Crime ID counted once per force and month, at its located row's LSOA;
ASB row by row) and §11.7 (coverage counts rows as loaded).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from safecity.assess.counts import police_uk_category_counts
from safecity.assess.fact_source import ComputeEngine, warehouse_facts
from safecity.assess.periods import parse_period
from safecity.assess.street_aggregate import (
    force_lsoa_rows,
    force_month_rows,
    lsoa_category_totals,
    period_street_months,
    street_month,
)
from safecity.data.warehouse import Warehouse

MARCH, APRIL = date(2024, 3, 1), date(2024, 4, 1)
ROWS = [
    # force, month, crime_id, lsoa_code, crime_type, is_asb, repeated_crime_id
    ("north", MARCH, "a", "E01000001", "Burglary", False, False),
    ("north", MARCH, "b", "E01000001", "Burglary", False, True),
    ("north", MARCH, "b", "E01000002", "Burglary", False, True),  # b counts once, at ...02
    ("north", MARCH, "c", None, "Drugs", False, True),
    ("north", MARCH, "c", "E01000001", "Drugs", False, True),  # c located at ...01
    ("north", MARCH, None, "E01000001", "Anti-social behaviour", True, False),
    ("north", MARCH, None, "E01000001", "Anti-social behaviour", True, False),
    ("north", MARCH, "d", None, "Robbery", False, False),  # no LSOA: rows, not located
    ("north", APRIL, "b", "E01000001", "Burglary", False, False),  # another month: counts
    ("south", MARCH, "b", "E01000001", "Burglary", False, False),  # another force: counts
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    store = Warehouse(Path(tmp_path_factory.mktemp("aggregate")) / "w.duckdb")
    frame = pd.DataFrame(
        ROWS,
        columns=[
            "force", "month", "crime_id", "lsoa_code", "crime_type", "is_asb",
            "repeated_crime_id",
        ],
    )  # fmt: skip
    store.connection.register("hand_rows", frame)
    store.connection.execute(
        "INSERT INTO police_uk_street BY NAME SELECT 1 AS file_id, force, month, crime_id,"
        " lsoa_code, crime_type, is_asb, repeated_crime_id, lsoa_code IS NOT NULL AS"
        " has_location FROM hand_rows"
    )
    yield store  # type: ignore[misc]
    store.close()


def test_rows_and_crimes_per_force_month_lsoa_and_category(warehouse: Warehouse) -> None:
    months = street_month(warehouse_facts(warehouse), first_month=MARCH, last_month=MARCH)
    table = months.to_pandas()
    got = {
        (row.force, row.lsoa_code if isinstance(row.lsoa_code, str) else None, row.crime_type): (
            int(row.rows),
            int(row.crimes),
        )
        for row in table.itertuples()
    }
    assert got == {
        ("north", "E01000001", "Burglary"): (2, 1),  # a (1 row, 1 crime), b's row here (0)
        ("north", "E01000002", "Burglary"): (1, 1),  # b's other row, where b is counted
        ("north", None, "Drugs"): (1, 0),
        ("north", "E01000001", "Drugs"): (1, 1),
        ("north", "E01000001", "Anti-social behaviour"): (2, 2),
        ("north", None, "Robbery"): (1, 1),
        ("south", "E01000001", "Burglary"): (1, 1),
    }


def test_derived_sums_match_the_single_area_counts(warehouse: Warehouse) -> None:
    facts = warehouse_facts(warehouse)
    period = parse_period("2024-03..2024-04")
    with period_street_months(facts, periods=[period]) as kept:
        totals = lsoa_category_totals(kept).to_pandas()
        by_force_month = force_month_rows(kept)
        by_force_lsoa = force_lsoa_rows(kept)
    single = police_uk_category_counts(
        warehouse.ibis, first_month=MARCH, last_month=APRIL
    ).to_pandas()
    expected = single.dropna(subset=["lsoa_code"]).groupby(["lsoa_code", "crime_type"])["count"]
    assert totals.set_index(["lsoa_code", "crime_type"])["count"].sort_index().to_dict() == (
        expected.sum().sort_index().to_dict()
    )
    assert {
        (row.force, row.month.date()): int(row.rows) for row in by_force_month.itertuples()
    } == {("north", MARCH): 8, ("north", APRIL): 1, ("south", MARCH): 1}
    assert {(row.force, row.lsoa_code): int(row.rows) for row in by_force_lsoa.itertuples()} == {
        ("north", "E01000001"): 6,
        ("north", "E01000002"): 1,
        ("south", "E01000001"): 1,
    }
    assert facts.engine is ComputeEngine.DUCKDB


def test_the_kept_aggregate_is_dropped_after_the_block(warehouse: Warehouse) -> None:
    facts = warehouse_facts(warehouse)
    with period_street_months(facts, periods=[parse_period("2024-03..2024-03")]) as kept:
        name = kept.get_name().split(".")[-1]
        assert facts.has_table(name)
    assert not facts.has_table(name)
