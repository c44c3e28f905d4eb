"""Families 1 and 2 for every CSP at once, on a hand-made country of twelve CSPs.

Each CSP has one LSOA. Ten CSPs are policed by ``northshire`` (one of them Welsh), two by
``southshire``, whose street file for June 2020 is missing, so those two are not ranked.
Expected values are computed here again from the counts: rates, Byar's or exact limits
(methods.md §1.1), the exact conditional rate-ratio test as a binomial test (§2.2a), and ranks
with ties sharing the smallest rank (§3.1).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
from police_uk_files import STREET_HEADER, street_row
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
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse

PERIOD = parse_period("2020-05..2020-06")
BASELINE = parse_period("2020-03..2020-04")


def _csp(index: int) -> dict[str, object]:
    country = "W" if index == 10 else "E"
    return {
        "lsoa": f"{country}0100{index:04d}",
        "lad": f"{country}0600{index:04d}",
        "csp": f"W1400{index:04d}" if country == "W" else f"E2200{index:04d}",
        "name": f"Place {index}",
        "force": "northshire" if index <= 10 else "southshire",
        "pfa": "W15000001" if index == 10 else "E23000001" if index < 10 else "E23000002",
        "population": 1000 + 100 * index,
        # Burglaries per month: (baseline March, April), (period May, June).
        "burglary": ((index, index + 1), (2 * index, 15 - index)),
        "asb": (0, index % 4),
    }


CSPS = [_csp(index) for index in range(1, 13)]


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_country(folder: Path) -> Warehouse:
    """Write and load the street files, lookups and populations of the twelve CSPs."""
    police = folder / "police"
    police.mkdir()
    serial = 0
    months = ["2020-03", "2020-04", "2020-05", "2020-06"]
    for force in ("northshire", "southshire"):
        for position, month in enumerate(months):
            if force == "southshire" and month == "2020-06":
                continue
            rows = []
            for entry in (entry for entry in CSPS if entry["force"] == force):
                period_index, month_index = divmod(position, 2)
                burglaries = entry["burglary"][period_index][month_index]  # type: ignore[index]
                asb = entry["asb"][month_index] if period_index == 1 else 0  # type: ignore[index]
                for _ in range(burglaries):
                    serial += 1
                    rows.append(
                        street_row(
                            month=month,
                            crime_id=f"{serial:064x}",
                            lsoa_code=str(entry["lsoa"]),
                            lsoa_name=str(entry["name"]),
                        )
                    )
                rows.extend(
                    street_row(
                        month=month,
                        crime_type="Anti-social behaviour",
                        lsoa_code=str(entry["lsoa"]),
                        lsoa_name=str(entry["name"]),
                    )
                    for _ in range(asb)
                )
            if force == "northshire" and month == "2020-05":
                rows.append(rows[0])  # police.uk repeats a Crime ID: it counts once
            _write_csv(police / f"{month}-{force}-street.csv", STREET_HEADER, rows)  # type: ignore[arg-type]
    lookup = _write_csv(
        folder / "LSOA11_WD20_LAD20_EW_LU.csv",
        ["LSOA11CD", "LSOA11NM", "WD20CD", "WD20NM", "LAD20CD", "LAD20NM"],
        [
            [e["lsoa"], e["name"], f"E0500{i:04d}", e["name"], e["lad"], e["name"]]
            for i, e in enumerate(CSPS, start=1)
        ],
    )
    csp = _write_csv(
        folder / "lookup_ltla24_csp24_pfa24.csv",
        ["ltla24_code", "ltla24_name", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name"],
        [[e["lad"], e["name"], e["csp"], e["name"], e["pfa"], e["force"]] for e in CSPS],
    )
    ages = [*(str(age) for age in range(90)), "90+"]
    population = _write_csv(
        folder / "population20_lsoa11_syoa.csv",
        ["lsoa11_name", "lsoa11_code", "total_population", *ages],
        [[e["name"], e["lsoa"], e["population"], *([0] * 90), e["population"]] for e in CSPS],
    )
    warehouse = Warehouse(folder / "w.duckdb")
    load_police_uk(warehouse, paths=[police])
    load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=lookup)
    load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=csp)
    load_reference(warehouse, kind=ReferenceKind.POPULATION, path=population)
    return warehouse


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = build_country(tmp_path_factory.mktemp("country"))
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
        population = int(entry["population"])  # type: ignore[call-overload]
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
        before = sum(entry["burglary"][0])  # type: ignore[index]
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
        str(entry["csp"]): _expected_period_count(entry) / int(entry["population"])  # type: ignore[call-overload]
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
        asb = sum(entry["asb"])  # type: ignore[call-overload]
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
