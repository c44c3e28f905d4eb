"""A CSP assessed alone and the same CSP in the every-CSP assessment give the same figures.

Issue 16, point 3: each family is one implementation that computes for one area or for every
CSP at once, so the single-area artefact (``run_assessment(area_code=CSP)``) and the every-CSP
tables (``assess_every_csp``) must agree on every figure they share: counts exactly, every
statistic to 1e-9 (relative, or absolute near zero).

Data: the synthetic national set (43 forces, 600 LSOAs, 24 months from April 2023), assessed
over the year 2024/25 (baseline 2023/24) and over the quarter October to December 2024
(baseline the quarter before) with its LSOA and CSP lookups, populations and IMD deciles;
harm uses the shipped ONS weights and the shipped 2017/18 offence mix in both. The CSPs
checked include complete ones and ones whose force has a missing or low month.

Shared figures compared, per CSP:

* families 1 and 2 (``indicators``, the CSP's rows): count, residents, months with data,
  exposure, rate and interval, method, baseline count, residents and rate, and the change
  (counts compared, percentage, rate ratio, p-value, significance);
* family 4: every ward and LSOA's count, residents, rate, interval and label against the CSP's
  rate, and the concentration in the top tenth of LSOAs;
* family 5: rates by national IMD decile and quintile, and the quintile 1 against 5 ratio;
* family 6: the national figure, the CSP's label against it, rank, rank-of, percentile and band;
* family 3: the police.uk category approximation of the severity score and harm per 1,000.

Legitimate differences, not compared: the single-area ``indicators`` keep ward/LSOA ranks and
labels against the area in ``benchmark_*`` (the every-CSP indicators carry the national
benchmark there instead; both are compared in their tables); the single area's change compares
the months the coverage rule allows (a subset when a month is missing), the every-CSP table only
whole periods (so change is compared where every month of both periods is present); the
single-area deprivation gap compares the most and least deprived groups *present* (e.g. deciles
2 and 10), the every-CSP one quintile 1 against 5 (compared where they are the same); the
every-CSP table keeps deprivation groups without residents (empty rate), the single area leaves
them out; with no crime in either quintile the single area reports a test (not significant) and
every CSP none; SII/RII and local quintiles are single-area only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import pytest

from safecity.assess.all_csps_families import AllCspsAssessment, assess_every_csp
from safecity.assess.engine import run_assessment
from safecity.assess.periods import Period, parse_period
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.warehouse import Warehouse

pytestmark = pytest.mark.slow

REFERENCE = {
    "lsoa_ward_lad_lookup": ReferenceKind.LSOA_LOOKUP,
    "lad_csp_pfa_lookup": ReferenceKind.CSP_LOOKUP,
    "population_by_age": ReferenceKind.POPULATION,
    "imd_ranks_deciles": ReferenceKind.IMD,
}
PERIODS = (parse_period("2024/25"), parse_period("2024-10..2024-12"))
"""A year, and a quarter (rates are annual on the months with data in both paths)."""
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = tmp_path_factory.mktemp("national")
    dataset = generate_demo_data(
        out_dir=folder / "data",
        seed=20221,
        scale=DemoScale.NATIONAL,
        first_month="2023-04",
        months=24,
        national_lsoa_count=600,
    )
    warehouse = Warehouse(folder / "national.duckdb")
    load_police_uk(warehouse, paths=[file.path for file in dataset.police_uk_files])
    for name, path in dataset.reference.as_dict().items():
        if name in REFERENCE:
            load_reference(warehouse, kind=REFERENCE[name], path=path)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module", params=PERIODS, ids=[period.label for period in PERIODS])
def period(request: pytest.FixtureRequest) -> Period:
    chosen: Period = request.param
    return chosen


@pytest.fixture(scope="module")
def every(national: Warehouse, period: Period) -> AllCspsAssessment:
    return assess_every_csp(national, period=period)


def _chosen_csps(every: AllCspsAssessment) -> list[str]:
    """The three largest complete CSPs and the two largest (or the one) whose force has a
    missing or low month in the period."""
    rows = every.indicators[every.indicators["indicator_id"] == "all_crime"]
    wards = every.tables["all_csps_wards_lsoas"]
    size = wards[wards["area_level"] == "lsoa"].groupby("csp_code")["area_code"].nunique()
    rows = rows.assign(lsoas=rows["area_code"].map(size)).sort_values(
        ["lsoas", "area_code"], ascending=[False, True]
    )
    complete = rows[rows["caveat"] == ""]["area_code"].head(3).tolist()
    excluded = rows[rows["caveat"].str.contains("missing or low month")]["area_code"].head(2)
    return [*complete, *excluded.tolist()]


@pytest.fixture(scope="module")
def single(
    national: Warehouse,
    every: AllCspsAssessment,
    period: Period,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("single")
    results = {}
    for csp in _chosen_csps(every):
        run_assessment(national, area_code=csp, period=period, out_dir=folder / csp)
        results[csp] = folder / csp
    assert len(results) >= 4  # at least one CSP whose force has a low month
    return results


def _same(left: object, right: object) -> bool:
    """Equal, both missing, or numbers within the tolerance (relative, absolute near zero)."""
    if pd.isna(left) and pd.isna(right):  # type: ignore[call-overload]
        return True
    if isinstance(left, int | float) and isinstance(right, int | float):
        left_number, right_number = float(left), float(right)
        if math.isinf(left_number) or math.isinf(right_number):
            return left_number == right_number
        return math.isclose(left_number, right_number, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return bool(left == right)


def _assert_agree(
    alone: pd.DataFrame,
    together: pd.DataFrame,
    *,
    keys: Sequence[str],
    columns: Sequence[str],
    what: str,
) -> int:
    """Every row of ``alone`` is in ``together`` (and back) with equal ``columns``."""
    merged = alone.merge(
        together, on=list(keys), how="outer", suffixes=("_alone", "_all"), indicator=True
    )
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, f"{what}: rows in one output only:\n{missing[[*keys, '_merge']]}"
    assert not merged.empty, f"{what}: nothing to compare"
    for column in columns:
        for _, row in merged.iterrows():
            left, right = row[f"{column}_alone"], row[f"{column}_all"]
            if hasattr(left, "item"):
                left = left.item()
            if hasattr(right, "item"):
                right = right.item()
            assert _same(left, right), (
                f"{what}: {column} differs for {dict(row[list(keys)])}: alone {left!r},"
                f" every CSP {right!r}"
            )
    return len(merged)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable integers and booleans as plain objects (``pd.NA`` -> ``None``)."""
    return frame.astype(object).where(frame.notna(), None)


def test_the_csps_checked_include_complete_and_excluded_ones(
    every: AllCspsAssessment, single: dict[str, Path]
) -> None:
    rows = every.indicators[every.indicators["indicator_id"] == "all_crime"].set_index("area_code")
    caveats = rows.loc[list(single), "caveat"]
    assert (caveats == "").sum() == 3
    assert 1 <= caveats.str.contains("missing or low month").sum() <= 2


def test_counts_rates_and_change_agree(every: AllCspsAssessment, single: dict[str, Path]) -> None:
    columns = [
        "indicator_name", "numerator", "denominator", "denominator_type", "months_with_data",
        "exposure", "value", "lower_ci", "upper_ci", "method", "unreliable", "baseline_period",
        "baseline_numerator", "baseline_denominator", "baseline_value",
    ]  # fmt: skip
    change = [
        "change_numerator", "change_baseline_numerator", "change_months",
        "change_baseline_months", "change_pct", "change_ratio", "change_p_value",
        "change_significant", "change_test",
    ]  # fmt: skip
    compared = 0
    for csp, folder in single.items():
        alone = pd.read_parquet(folder / "indicators.parquet")
        alone = alone[alone["area_code"] == csp]
        together = every.indicators[every.indicators["area_code"] == csp]
        keys = ["indicator_id", "area_code"]
        compared += _assert_agree(
            _numbers(alone), _numbers(together), keys=keys, columns=columns, what=f"{csp} rates"
        )
        whole = together["change_not_made"] == ""
        if whole.any():
            compared += _assert_agree(
                _numbers(alone[alone["indicator_id"].isin(together.loc[whole, "indicator_id"])]),
                _numbers(together[whole]),
                keys=keys,
                columns=change,
                what=f"{csp} change",
            )
    assert compared >= len(single) * 15


def test_ward_and_lsoa_rates_labels_and_concentration_agree(
    every: AllCspsAssessment, single: dict[str, Path]
) -> None:
    areas = every.tables["all_csps_wards_lsoas"]
    concentration = every.tables["all_csps_concentration"]
    for csp, folder in single.items():
        alone = pd.read_parquet(folder / "indicators.parquet")
        alone = alone[alone["area_level"].isin(["ward", "lsoa"])].rename(
            columns={"indicator_id": "group_id", "numerator": "count", "denominator": "population"}
        )
        together = areas[areas["csp_code"] == csp]
        _assert_agree(
            _numbers(alone),
            _numbers(together),
            keys=["group_id", "area_level", "area_code"],
            columns=[
                "area_name",
                "count",
                "population",
                "value",
                "lower_ci",
                "upper_ci",
                "method",
                "unreliable",
                "benchmark_code",
                "benchmark_value",
                "benchmark_label",
            ],
            what=f"{csp} wards and LSOAs",
        )
        shares = pd.read_parquet(folder / "concentration.parquet").rename(
            columns={"indicator_id": "group_id"}
        )
        _assert_agree(
            _numbers(shares),
            _numbers(concentration[concentration["csp_code"] == csp]),
            keys=["group_id"],
            columns=["lsoas", "top_lsoas", "top_share_pct", "total"],
            what=f"{csp} concentration",
        )


def test_deprivation_rates_and_quintile_gap_agree(
    every: AllCspsAssessment, single: dict[str, Path]
) -> None:
    rates = every.tables["all_csps_deprivation"]
    gaps = every.tables["all_csps_deprivation_gaps"]
    gaps_compared = 0
    for csp, folder in single.items():
        alone = pd.read_parquet(folder / "deprivation_rates.parquet")
        alone = alone[alone["grouping"] != "local quintile"].rename(
            columns={"group": "deprivation_group"}
        )
        together = rates[(rates["csp_code"] == csp) & rates["population"].gt(0)]
        _assert_agree(
            _numbers(alone),
            _numbers(together),
            keys=["group_id", "grouping", "deprivation_group"],
            columns=["lsoas", "count", "population", "value", "lower_ci", "upper_ci", "method"],
            what=f"{csp} deprivation rates",
        )
        alone_gaps = pd.read_parquet(folder / "deprivation_gaps.parquet")
        alone_gaps = alone_gaps[
            (alone_gaps["grouping"] == "national quintile")
            & (alone_gaps["most_group"] == 1)
            & (alone_gaps["least_group"] == 5)
        ].rename(
            columns={
                "most_count": "most_deprived_count",
                "most_population": "most_deprived_population",
                "most_rate": "most_deprived_rate",
                "least_count": "least_deprived_count",
                "least_population": "least_deprived_population",
                "least_rate": "least_deprived_rate",
                "ratio_lower_ci": "lower_ci",
                "ratio_upper_ci": "upper_ci",
                "ratio_p_value": "p_value",
                "ratio_significant": "significant",
            }
        )
        together_gaps = gaps[
            (gaps["csp_code"] == csp) & gaps["group_id"].isin(alone_gaps["group_id"])
        ]
        # With no crime in either quintile the single area still reports its test (not
        # significant) and every CSP none: there is nothing to compare.
        alone_gaps = alone_gaps[
            (alone_gaps["most_deprived_count"] + alone_gaps["least_deprived_count"]) > 0
        ]
        together_gaps = together_gaps[together_gaps["group_id"].isin(alone_gaps["group_id"])]
        if not alone_gaps.empty:
            gaps_compared += _assert_agree(
                _numbers(alone_gaps),
                _numbers(together_gaps),
                keys=["group_id"],
                columns=[
                    "most_deprived_count",
                    "most_deprived_population",
                    "most_deprived_rate",
                    "least_deprived_count",
                    "least_deprived_population",
                    "least_deprived_rate",
                    "rate_ratio",
                    "lower_ci",
                    "upper_ci",
                    "p_value",
                    "significant",
                ],
                what=f"{csp} deprivation gap",
            )
    assert gaps_compared > 0


def test_national_benchmark_label_rank_and_band_agree(
    every: AllCspsAssessment, single: dict[str, Path]
) -> None:
    benchmarks = every.tables["all_csps_benchmarking"]
    compared = 0
    for csp, folder in single.items():
        alone = pd.read_parquet(folder / "benchmarking.parquet")
        together = benchmarks[benchmarks["csp_code"] == csp]
        if alone.empty:
            # Nothing could be compared for the CSP alone (its data are incomplete), so its
            # table is empty with the reason in the manifest; every CSP keeps a row for it.
            assert not together["complete_coverage"].any()
            assert together["rank"].isna().all()
            assert (together["national_label"] == "Not compared").all()
            continue
        compared += 1
        _assert_agree(
            _numbers(alone),
            _numbers(together),
            keys=["group_id"],
            columns=[
                "count",
                "population",
                "rate",
                "lower_ci",
                "upper_ci",
                "national_name",
                "national_code",
                "national_coverage",
                "national_count",
                "national_population",
                "national_rate",
                "national_label",
                "rank",
                "rank_of",
                "percentile_position",
                "band",
                "band_description",
                "regional_rate",
                "regional_label",
                "regional_rank",
                "regional_rank_of",
            ],
            what=f"{csp} benchmarking",
        )
    assert compared == 3


def test_harm_agrees(every: AllCspsAssessment, single: dict[str, Path]) -> None:
    harm = every.tables["all_csps_harm"].rename(columns={"csp_code": "area_code"})
    for csp, folder in single.items():
        alone = pd.read_parquet(folder / "harm_total.parquet")
        _assert_agree(
            _numbers(alone),
            _numbers(harm[harm["area_code"] == csp]),
            keys=["area_code"],
            columns=[
                "index_name",
                "index_version",
                "method",
                "offence_mix",
                "crimes",
                "harm",
                "harm_variance",
                "population",
                "severity_score",
                "lower_ci",
                "upper_ci",
                "harm_per_1000",
                "harm_per_1000_lower",
                "harm_per_1000_upper",
                "harm_interval_method",
                "mean_weight",
                "crimes_excluded_no_weight",
                "caveat",
            ],
            what=f"{csp} harm",
        )
