"""Families 1 and 2 for every CSP at once, on a hand-made country of twelve CSPs.

Each CSP has one LSOA. Ten CSPs are policed by ``northshire`` (one of them Welsh), two by
``southshire``, whose street file for June 2020 is missing, so those two are not ranked.
Expected values are computed here again from the counts: rates, Byar's or exact limits
(methods.md §1.1), the exact conditional rate-ratio test as a binomial test (§2.2a), and ranks
with ties sharing the smallest rank (§3.1).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from csp_country import build_country, country_csps
from scipy import stats

from safecity.assess.all_csps import (
    assess_all_csps,
    csp_table,
    force_coverage,
    lsoa_category_counts,
)
from safecity.assess.counts import police_uk_category_counts
from safecity.assess.indicator_columns import INDICATOR_COLUMNS
from safecity.assess.periods import parse_period
from safecity.data.warehouse import Warehouse

PERIOD = parse_period("2020-05..2020-06")
BASELINE = parse_period("2020-03..2020-04")
CSPS = country_csps()


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = build_country(tmp_path_factory.mktemp("country"), CSPS)
    yield warehouse  # type: ignore[misc]
    warehouse.close()


@pytest.fixture(scope="module")
def indicators(country: Warehouse) -> pd.DataFrame:
    return assess_all_csps(country, period=PERIOD, baseline=BASELINE)


def _expected_period_count(entry: dict[str, object]) -> int:
    if entry["force"] == "southshire":
        return int(entry["burglary"][1][0])  # type: ignore[index]
    return sum(entry["burglary"][1])  # type: ignore[index]


def _interval(count: int) -> tuple[float, float]:
    """Exact (Garwood) limits below 10 events, Byar's from 10 (methods.md §1.1)."""
    z = stats.norm.ppf(0.975)
    if count < 10:
        lower = stats.chi2.ppf(0.025, 2 * count) / 2 if count else 0.0
        return lower, stats.chi2.ppf(0.975, 2 * count + 2) / 2
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower, upper


def test_layout_is_the_indicators_layout(indicators: pd.DataFrame) -> None:
    assert list(indicators.columns) == ["row_id", *INDICATOR_COLUMNS]
    assert set(indicators["area_level"]) == {"csp"}
    assert len(indicators[indicators["indicator_id"] == "burglary"]) == 12


def test_counts_rates_and_intervals_match_an_independent_computation(
    indicators: pd.DataFrame,
) -> None:
    burglary = indicators[indicators["indicator_id"] == "burglary"].set_index("area_code")
    for entry in CSPS:
        row = burglary.loc[str(entry["csp"])]
        count = _expected_period_count(entry)
        if entry["csp"] == CSPS[0]["csp"]:
            assert row["numerator"] == count  # the repeated Crime ID counted once
        population = int(entry["population"])
        lower, upper = _interval(count)
        assert row["numerator"] == count
        assert row["denominator"] == population
        assert row["value"] == pytest.approx(count / population * 1000, rel=1e-12)
        assert row["lower_ci"] == pytest.approx(lower / population * 1000, rel=1e-9)
        assert row["upper_ci"] == pytest.approx(upper / population * 1000, rel=1e-9)
        assert row["row_id"] == f"burglary:{entry['csp']}:2020-05..2020-06"


def test_change_is_the_exact_conditional_test(indicators: pd.DataFrame) -> None:
    burglary = indicators[indicators["indicator_id"] == "burglary"].set_index("area_code")
    for entry in CSPS:
        row = burglary.loc[str(entry["csp"])]
        now = _expected_period_count(entry)
        before = sum(entry["burglary"][0])
        # The same population in both periods: now ~ Binomial(now + before, 1/2).
        expected = stats.binomtest(now, now + before, 0.5).pvalue
        assert row["baseline_numerator"] == before
        assert row["change_pct"] == pytest.approx((now - before) / before * 100)
        assert row["change_p_value"] == pytest.approx(expected, rel=1e-9)
        assert bool(row["change_significant"]) is bool(expected < 0.05)
        assert row["baseline_period"] == "2020-03..2020-04"


def test_ranks_exclude_the_force_with_a_missing_month(indicators: pd.DataFrame) -> None:
    burglary = indicators[indicators["indicator_id"] == "burglary"]
    ranked = {
        str(entry["csp"]): _expected_period_count(entry) / int(entry["population"])
        for entry in CSPS
        if entry["force"] == "northshire"
    }
    ordered = sorted(ranked.values(), reverse=True)
    for row in burglary.itertuples():
        if row.area_code in ranked:
            assert row.rank == 1 + sum(value > ranked[row.area_code] for value in ordered)
            assert row.rank_of == 10
        else:
            assert pd.isna(row.rank)
            assert "southshire" in row.caveat


def test_force_coverage_flags_the_missing_month(country: Warehouse) -> None:
    coverage = force_coverage(country, period=PERIOD)
    low = coverage[coverage["low_coverage"]]
    assert low[["force", "present"]].to_numpy().tolist() == [["southshire", False]]
    table = csp_table(country, period=PERIOD)
    assert table.excluded_forces == ("southshire",)


def test_asb_is_its_own_group_and_not_in_all_crime(indicators: pd.DataFrame) -> None:
    by_group = indicators.set_index(["indicator_id", "area_code"])
    for entry in CSPS[:10]:
        asb = sum(entry["asb"])
        assert by_group.loc[("asb", str(entry["csp"])), "numerator"] == asb
        assert by_group.loc[("all_crime", str(entry["csp"])), "numerator"] == (
            _expected_period_count(entry)
        )


def test_without_baseline_data_change_is_not_computed(country: Warehouse) -> None:
    earlier = parse_period("2019-05..2019-06")
    table = assess_all_csps(country, period=PERIOD, baseline=earlier)
    assert table["change_p_value"].isna().all()
    assert (table["baseline_period"] == "").all()


def test_fast_counts_equal_the_engine_counts(country: Warehouse) -> None:
    # The fixture repeats a Crime ID in northshire's May file: both count it once.
    window = parse_period("2020-03..2020-06")
    engine_counts = police_uk_category_counts(
        country.ibis, first_month=window.first_month, last_month=window.last_month
    ).to_pandas()
    expected = (
        engine_counts.dropna(subset=["lsoa_code"])
        .groupby(["lsoa_code", "crime_type"])["count"]
        .sum()
        .sort_index()
    )
    fast = (
        lsoa_category_counts(country, period=window)
        .to_pandas()
        .set_index(["lsoa_code", "crime_type"])["count"]
        .sort_index()
    )
    assert fast.to_dict() == expected.to_dict()
    raw_rows = country.connection.execute("SELECT count(*) FROM police_uk_street").fetchone()
    assert raw_rows is not None
    assert int(fast.sum()) == raw_rows[0] - 1
