"""Family 5 (deprivation): hand-computed groups, rates, ratios and SII; the demo's gradient.

Expected values are computed here independently: quintiles from their definition (⌈decile/2⌉,
equal-count groups of the area's own LSOAs), the exact conditional rate-ratio test as a
binomial test, the rate difference's normal interval (methods.md §5.2), and the SII/RII point
estimates by weighted least squares written out with numpy (methods.md §5.3).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demo_city import DEMO_AREA, copied_warehouse, demo_city
from family_inputs import family_inputs
from scipy import stats

from safecity.assess.context import AssessmentInputs
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.families.deprivation import (
    DeprivationGrouping,
    deprivation,
    gaps,
    lsoa_groups,
    rates_by_group,
)
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.data.synthetic import DemoDataset
from safecity.data.warehouse import Warehouse


def test_national_quintiles_are_half_deciles_and_local_quintiles_rank_the_area() -> None:
    imd = pd.DataFrame(
        {
            "lsoa_code": [f"L{number:02d}" for number in range(10)],
            "decile": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            # Scores not in decile order: local quintiles follow the score (high = deprived).
            "score": [50.0, 10.0, 45.0, 40.0, 5.0, 30.0, 35.0, 20.0, 25.0, 15.0],
            "rank": [float(rank) for rank in range(1, 11)],
        }
    )
    groups = lsoa_groups(imd).pivot(index="lsoa_code", columns="grouping", values="group")
    assert groups[DeprivationGrouping.NATIONAL_QUINTILE.value].tolist() == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5
    ]  # fmt: skip
    # Ten LSOAs in five equal-count groups, the two highest scores first.
    order = imd.sort_values("score", ascending=False)["lsoa_code"].tolist()
    expected = {code: position // 2 + 1 for position, code in enumerate(order)}
    local = groups[DeprivationGrouping.LOCAL_QUINTILE.value]
    assert {code: int(local[code]) for code in local.index} == expected


def test_local_quintiles_from_ranks_when_no_score() -> None:
    imd = pd.DataFrame(
        {
            "lsoa_code": ["A", "B", "C", "D", "E"],
            "decile": [3, 1, 9, 5, 7],
            "score": [np.nan] * 5,
            "rank": [9000.0, 100.0, 30000.0, 15000.0, 21000.0],
        }
    )
    groups = lsoa_groups(imd)
    local = groups[groups["grouping"] == DeprivationGrouping.LOCAL_QUINTILE.value]
    # Rank 1 is the most deprived LSOA in England: the lowest rank is local quintile 1.
    assert dict(zip(local["lsoa_code"], local["group"], strict=True)) == {
        "B": 1, "A": 2, "D": 3, "E": 4, "C": 5
    }  # fmt: skip


COUNTS = [60, 45, 30, 22, 12]
POPULATIONS = [4000.0, 4200.0, 3900.0, 4100.0, 3800.0]


@pytest.fixture(scope="module")
def quintile_rates() -> pd.DataFrame:
    lsoa_counts = pd.DataFrame(
        {"group_id": "all_crime", "lsoa_code": [f"Q{q}" for q in range(1, 6)], "count": COUNTS}
    )
    groups = pd.DataFrame(
        {
            "lsoa_code": [f"Q{q}" for q in range(1, 6)],
            "grouping": DeprivationGrouping.LOCAL_QUINTILE.value,
            "group": [1, 2, 3, 4, 5],
        }
    )
    population = pd.DataFrame(
        {"lsoa_code": [f"Q{q}" for q in range(1, 6)], "population": POPULATIONS}
    )
    return rates_by_group(lsoa_counts, groups=groups, population=population)


def test_rates_per_thousand_with_byars_limits(quintile_rates: pd.DataFrame) -> None:
    z = stats.norm.ppf(0.975)
    for count, people, row in zip(
        COUNTS, POPULATIONS, quintile_rates.to_dict("records"), strict=True
    ):
        lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
        upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
        assert row["value"] == pytest.approx(count / people * 1000, rel=1e-12)
        assert row["lower_ci"] == pytest.approx(lower / people * 1000, rel=1e-9)
        assert row["upper_ci"] == pytest.approx(upper / people * 1000, rel=1e-9)


def test_most_versus_least_ratio_difference_and_sii(quintile_rates: pd.DataFrame) -> None:
    row = gaps(quintile_rates, seed=11, repetitions=2000).iloc[0]
    most, least = COUNTS[0], COUNTS[-1]
    most_people, least_people = POPULATIONS[0], POPULATIONS[-1]
    assert row["rate_ratio"] == pytest.approx((most / most_people) / (least / least_people))
    # Exact conditional test: given the total, the most deprived count is binomial.
    share = most_people / (most_people + least_people)
    expected = stats.binomtest(most, most + least, share)
    assert row["ratio_p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    interval = expected.proportion_ci(confidence_level=0.95, method="exact")
    assert row["ratio_lower_ci"] == pytest.approx(
        interval.low / (1 - interval.low) * least_people / most_people, rel=1e-6
    )
    assert bool(row["ratio_significant"]) is True
    difference = (most / most_people - least / least_people) * 1000
    error = math.sqrt(most / most_people**2 + least / least_people**2) * 1000
    assert row["rate_difference"] == pytest.approx(difference)
    assert row["difference_upper_ci"] == pytest.approx(difference + 1.959963984540054 * error)
    # SII/RII: weighted least squares of the rate on the cumulative population midpoint.
    rates = np.array(COUNTS) / np.array(POPULATIONS) * 1000
    weights = np.array(POPULATIONS) / sum(POPULATIONS)
    midpoints = np.cumsum(weights) - weights / 2
    design = np.column_stack([np.sqrt(weights), midpoints * np.sqrt(weights)])
    (intercept, slope), *_ = np.linalg.lstsq(design, rates * np.sqrt(weights), rcond=None)
    assert row["sii"] == pytest.approx(slope, rel=1e-9)
    assert row["rii"] == pytest.approx((intercept + slope) / intercept, rel=1e-9)
    assert row["sii_lower_ci"] < row["sii"] < row["sii_upper_ci"] < 0


def test_zero_in_the_least_deprived_group_gives_no_finite_ratio_or_sii(
    quintile_rates: pd.DataFrame,
) -> None:
    rates = quintile_rates.copy()
    rates.loc[rates["group"] == 5, ["count", "value"]] = 0
    row = gaps(rates, seed=1, repetitions=1000).iloc[0]
    assert math.isinf(row["rate_ratio"])
    assert math.isnan(row["sii"])
    assert "no crimes" in row["sii_note"]
    # Nothing in either end: no ratio at all.
    rates.loc[rates["group"] == 1, ["count", "value"]] = 0
    assert math.isnan(gaps(rates, seed=1, repetitions=1000).iloc[0]["rate_ratio"])


# The synthetic city: one financial year generated and loaded once for this module.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoDataset, Path]:
    city = demo_city(
        tmp_path_factory.mktemp("demo_deprivation"),
        key="test-key-for-the-deprivation-family",
        families={"deprivation": deprivation},
    )
    return city.dataset, city.out


def _gap(out: Path, group: str, grouping: DeprivationGrouping) -> pd.Series:
    table = pd.read_parquet(out / "deprivation_gaps.parquet")
    rows = table[(table["group_id"] == group) & (table["grouping"] == grouping.value)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_demo_planted_gradient_is_found(demo: tuple[DemoDataset, Path]) -> None:
    dataset, out = demo
    planted = dataset.planted.deprivation_rate_ratio  # decile 1 over decile 10, all crime
    assert planted > 3
    decile = _gap(out, "all_crime", DeprivationGrouping.NATIONAL_DECILE)
    assert (decile["most_group"], decile["least_group"]) == (1, 10)
    # The planted ratio excludes the town centre; the observed one includes it, so it is
    # at least as steep: significantly above 1 and its interval not below the planted ratio.
    assert bool(decile["ratio_significant"]) is True
    assert decile["ratio_upper_ci"] > planted
    for grouping in DeprivationGrouping:
        row = _gap(out, "all_crime", grouping)
        assert row["rate_ratio"] > 2.5
        assert row["sii_upper_ci"] < 0  # higher rates at the deprived end
    # Planted per crime type: drugs 4.0, bicycle theft 1.0; the found ratios keep that order.
    drugs = _gap(out, "drugs", DeprivationGrouping.LOCAL_QUINTILE)
    bicycles = _gap(out, "bicycle_theft", DeprivationGrouping.LOCAL_QUINTILE)
    assert dataset.planted.deprivation_ratios["Drugs"] > 3
    assert drugs["rate_ratio"] > 2 * bicycles["rate_ratio"]


def test_demo_rates_add_up_and_the_finding_quotes_the_table(
    demo: tuple[DemoDataset, Path],
) -> None:
    _, out = demo
    rates = pd.read_parquet(out / "deprivation_rates.parquet")
    indicators = pd.read_parquet(out / "indicators.parquet")
    total = indicators[
        (indicators["indicator_id"] == "all_crime") & (indicators["area_code"] == DEMO_AREA)
    ].iloc[0]
    for grouping in DeprivationGrouping:
        rows = rates[(rates["group_id"] == "all_crime") & (rates["grouping"] == grouping.value)]
        assert rows["count"].sum() == total["numerator"]
        assert rows["population"].sum() == total["denominator"]
        assert rows["lsoas"].sum() == 150
    row = _gap(out, "all_crime", DeprivationGrouping.LOCAL_QUINTILE)
    findings = pd.read_csv(out / "findings.csv")
    finding = findings[findings["row_ids"] == row["row_id"]].iloc[0]
    assert f"{row['rate_ratio']:.1f} times as high" in finding["sentence"]
    assert (
        f"95% CI {row['ratio_lower_ci']:.2f} to {row['ratio_upper_ci']:.2f}"
        in (finding["sentence"])
    )
    assert "an exact test comparing the two rates" in finding["sentence"]
    public = pd.read_csv(out / "public" / "deprivation_rates.csv")
    shown = public[public["count"].notna()]
    assert not ((shown["count"] > 0) & (shown["count"] < 5)).any()


# The family on its own, on copies of the demo warehouse changed to make each situation.


@pytest.fixture
def copy(demo: tuple[DemoDataset, Path], tmp_path: Path) -> Iterator[Warehouse]:
    _, out = demo
    with copied_warehouse(out.parent / "safecity.duckdb", tmp_path) as warehouse:
        yield warehouse


def _inputs(warehouse: Warehouse) -> AssessmentInputs:
    area = resolve_study_area(warehouse, code=DEMO_AREA)
    lsoa_counts = pd.DataFrame(
        {
            "lsoa_code": area.lsoas["lsoa_code"],
            "month": pd.Timestamp("2024-06-01"),
            "group_id": "all_crime",
            "count": range(1, len(area.lsoas) + 1),
        }
    )
    return family_inputs(
        warehouse,
        area=area,
        period=parse_period("2024/25"),
        groups=[group for group in load_crime_groups() if group.id == "all_crime"],
        sources={"all_crime": "police_uk"},
        counts=lsoa_counts,
        seed=3,
    )


def test_deciles_from_ranks_need_the_whole_ranking(copy: Warehouse) -> None:
    connection = copy.connection
    connection.execute("DELETE FROM deprivation WHERE domain = 'imd' AND measure = 'decile'")
    # The demo loads 150 LSOAs with national ranks up to 32,700: n is unknown.
    output = deprivation(_inputs(copy))
    assert output.tables == {}
    assert "ranking is not loaded whole (150 LSOAs ranked" in output.skipped["deprivation"]
    # Ranks 1..150 (a complete ranking): decile = ⌈10 · rank / 150⌉.
    connection.execute(
        "UPDATE deprivation SET value = ranked.position FROM (SELECT area_code,"
        " row_number() OVER (ORDER BY value) AS position FROM deprivation"
        " WHERE domain = 'imd' AND measure = 'rank') AS ranked"
        " WHERE deprivation.area_code = ranked.area_code AND domain = 'imd' AND measure = 'rank'"
    )
    output = deprivation(_inputs(copy))
    lsoas = output.tables["deprivation_lsoas"]
    expected = np.ceil(10 * lsoas["rank"] / 150).astype(int)
    assert lsoas["decile"].tolist() == expected.tolist()
    assert lsoas["national_decile"].tolist() == expected.tolist()
    assert output.manifest["national_decile"] == "⌈10·rank/n⌉ with n = 150 LSOAs ranked"
    rates = output.tables["deprivation_rates"]
    deciles = rates[rates["grouping"] == DeprivationGrouping.NATIONAL_DECILE.value]
    assert deciles["lsoas"].tolist() == [15] * 10
    assert deciles["count"].sum() == sum(range(1, 151))


def test_lsoas_without_imd_are_reported(copy: Warehouse) -> None:
    copy.connection.execute(
        "DELETE FROM deprivation WHERE area_code IN (SELECT DISTINCT area_code FROM deprivation"
        " ORDER BY area_code LIMIT 3)"
    )
    output = deprivation(_inputs(copy))
    assert len(output.manifest["lsoas_without_imd"]) == 3
    assert (
        "3 of the area's LSOAs have no IMD2019 value"
        in (output.skipped["deprivation_lsoas_without_imd"])
    )
    rates = output.tables["deprivation_rates"]
    assert rates.groupby("grouping")["lsoas"].sum().tolist() == [147, 147, 147]
