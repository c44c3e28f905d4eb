"""Change against the average of the previous three periods (methods.md §2.3, §0.2a).

Testham has four months of burglaries; the test recomputes the comparison of June 2020 with
the average of March, April and May 2020: given the total, the count now against the three
before is binomial with probability 1/4 under "no change" (equal exposure), and the ratio is
the count over their mean. The same months assessed as the financial year 2020/21 against the
three years before have one month of data on the period's side only: the comparison is not
made, and the indicator says why (methods.md §0.2a).
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

import pandas as pd
import pytest
from police_uk_files import STREET_HEADER
from reference_files import TESTHAM_CSP, load_two_csps, write_csv
from scipy import stats
from street_rows import lsoa_month_rows

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

# Burglaries in Testham's LSOA E01000001 by month (the period is June 2020).
BURGLARIES = {"2020-03": 20, "2020-04": 24, "2020-05": 22, "2020-06": 40}


@pytest.fixture(scope="module")
def warehouse_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("three_periods")
    police = folder / "police"
    police.mkdir()
    serials = count(1)
    for month, burglaries in BURGLARIES.items():
        rows = lsoa_month_rows(
            month=month, lsoa_code="E01000001", lsoa_name="Testham 001A",
            burglaries=burglaries, asb=0, serials=serials,
        )  # fmt: skip
        write_csv(police / f"{month}-testshire-street.csv", STREET_HEADER, rows)
    with Warehouse(folder / "w.duckdb") as warehouse:
        load_police_uk(warehouse, paths=[police])
        load_two_csps(warehouse, folder)
    return folder


def _area_row(folder: Path, *, period: str, out: str) -> pd.Series:
    with Warehouse(folder / "w.duckdb") as warehouse:
        result = run_assessment(
            warehouse, area_code=TESTHAM_CSP, period=parse_period(period), out_dir=folder / out
        )
    indicators = result.indicators
    return indicators[
        (indicators["indicator_id"] == "burglary") & (indicators["area_code"] == TESTHAM_CSP)
    ].iloc[0]


def test_the_previous_three_months_average_is_compared(warehouse_folder: Path) -> None:
    row = _area_row(warehouse_folder, period="2020-06..2020-06", out="june")
    now = BURGLARIES["2020-06"]
    before = [BURGLARIES[month] for month in ("2020-05", "2020-04", "2020-03")]
    assert row["three_period_months"] == 1
    assert row["three_period_not_made"] == ""
    assert row["three_period_average"] == pytest.approx(sum(before) / 3)
    assert row["three_period_ratio"] == pytest.approx(now / (sum(before) / 3))
    expected = stats.binomtest(now, now + sum(before), 0.25).pvalue
    assert row["three_period_p_value"] == pytest.approx(expected, rel=1e-9)
    assert bool(row["three_period_significant"]) is bool(expected < 0.05)


def test_no_average_is_compared_on_months_that_have_no_data(warehouse_folder: Path) -> None:
    row = _area_row(warehouse_folder, period="2020/21", out="year")
    # 2020/21 has April to June; of the three years before only 2019/20 has a month (March).
    assert pd.isna(row["three_period_ratio"])
    assert pd.isna(row["three_period_average"])
    assert row["three_period_not_made"] == (
        "only 0 of the 12 months have data in 2020/21 and in each of 2019/20, 2018/19, 2017/18;"
        " the comparison with their average needs at least 6"
    )
    # The change against 2019/20 is refused too (April-June 2020 against March 2020 only), and
    # the annual rate rests on April to June 2020.
    assert pd.isna(row["change_pct"])
    assert pd.isna(row["change_p_value"])
    assert row["change_not_made"] == (
        "no month has data in both 2020/21 and 2019/20 (police.uk data for 2020/21: April to"
        " June 2020; for 2019/20: March 2020)"
    )
    assert (row["months_with_data"], row["data_months"]) == (3, "2020-04..2020-06")
    assert row["value"] == pytest.approx(
        (24 + 22 + 40) / (row["denominator"] * 3 / 12) * 1000, rel=1e-12
    )
    assert row["caveat"].startswith(
        "covers 3 of the 12 months of 2020/21 with data (April to June 2020)"
    )
