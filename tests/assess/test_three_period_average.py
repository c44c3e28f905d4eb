"""Change against the average of the previous three periods (methods.md §2.3).

Testham has four financial years of burglaries, one month each; the test recomputes the
comparison: given the total, the count now against the three before is binomial with
probability 1/4 under "no change" (equal exposure), and the ratio is the count over their mean.
"""

from __future__ import annotations

from itertools import count

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

# Burglaries in Testham's two LSOAs in June of 2017..2020 (the period is 2020/21).
BURGLARIES = {"2017-06": 20, "2018-06": 24, "2019-06": 22, "2020-06": 40}


@pytest.fixture(scope="module")
def indicators(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
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
        result = run_assessment(
            warehouse, area_code=TESTHAM_CSP, period=parse_period("2020/21"), out_dir=folder / "out"
        )
    return result.indicators


def test_the_previous_three_years_average_is_compared(indicators: pd.DataFrame) -> None:
    row = indicators[
        (indicators["indicator_id"] == "burglary") & (indicators["area_code"] == TESTHAM_CSP)
    ].iloc[0]
    now = BURGLARIES["2020-06"]
    before = [BURGLARIES[month] for month in ("2019-06", "2018-06", "2017-06")]
    assert row["three_period_average"] == pytest.approx(sum(before) / 3)
    assert row["three_period_ratio"] == pytest.approx(now / (sum(before) / 3))
    expected = stats.binomtest(now, now + sum(before), 0.25).pvalue
    assert row["three_period_p_value"] == pytest.approx(expected, rel=1e-9)
    assert bool(row["three_period_significant"]) is bool(expected < 0.05)
