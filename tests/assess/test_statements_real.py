"""True statements on real, imperfect data: Southampton with the Hampshire police.uk months.

The files in ``../shared/data/police-uk/hampshire`` cover February to September 2017 and
February 2022 (SOURCES.md, which also gives Southampton's monthly counts excluding ASB:
2,119; 2,367; 2,607; 2,773; 2,728; 2,786; 2,512; 2,523; and 2,795 in February 2022). An analyst
assessing 2017/18 against 2016/17 has six months against two that share no calendar month; a
month against the seven before it; a financial year with one month of data; and no force
extract at all. methods.md §0.2a says what may be said of each.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from disclosure_attack import attack, sensitive_cells
from scipy import stats

from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.disclosure_tables import police_uk_structure
from safecity.assess.engine import AssessmentResult, run_assessment
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse

SOUTHAMPTON = "E22000120"
MONTHLY_CRIMES = {
    "2017-02": 2119, "2017-03": 2367, "2017-04": 2607, "2017-05": 2773, "2017-06": 2728,
    "2017-07": 2786, "2017-08": 2512, "2017-09": 2523, "2022-02": 2795,
}  # fmt: skip
POPULATION_2019 = 252_520  # SOURCES.md: Southampton's 148 LSOAs, mid-2019
POPULATION_2020 = 252_872


@pytest.fixture(scope="module")
def warehouse_path(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("statements")
    with Warehouse(folder / "w.duckdb") as warehouse:
        load_police_uk(
            warehouse,
            paths=[
                shared_data / "police-uk" / "hampshire" / f"{month}-hampshire-street.csv.gz"
                for month in MONTHLY_CRIMES
            ],
        )
        for kind, path in (
            (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz"),
            (ReferenceKind.CSP_LOOKUP, "geography/lookup_ltla24_csp24_pfa24.csv"),
            (ReferenceKind.POPULATION, "population/population19_lsoa11_syoa.csv.gz"),
            (ReferenceKind.POPULATION, "population/population20_lsoa11_syoa.csv.gz"),
        ):
            load_reference(warehouse, kind=kind, path=shared_data / path)
    return folder / "w.duckdb"


def _assess(path: Path, period: str, baseline: str | None = None) -> AssessmentResult:
    with Warehouse(path) as warehouse:
        return run_assessment(
            warehouse,
            area_code=SOUTHAMPTON,
            period=parse_period(period),
            baseline=parse_period(baseline) if baseline else None,
            out_dir=path.parent / period.replace("/", "-").replace(".", "_"),
        )


def _area(result: AssessmentResult, indicator: str) -> pd.Series:
    rows = result.indicators
    return rows[(rows["indicator_id"] == indicator) & (rows["area_code"] == SOUTHAMPTON)].iloc[0]


@pytest.fixture(scope="module")
def year_2017(warehouse_path: Path) -> AssessmentResult:
    return _assess(warehouse_path, "2017/18")


def test_six_months_against_two_that_share_no_month_are_not_compared(
    year_2017: AssessmentResult,
) -> None:
    row = _area(year_2017, "all_crime")
    assert pd.isna(row["change_pct"])
    assert pd.isna(row["change_p_value"])
    assert pd.isna(row["change_significant"])
    assert row["change_not_made"] == (
        "no month has data in both 2017/18 and 2016/17 (police.uk data for 2017/18: April to"
        " September 2017; for 2016/17: February to March 2017)"
    )
    # The baseline's own figures rest on its two months; the period's on its six.
    assert row["baseline_numerator"] == MONTHLY_CRIMES["2017-02"] + MONTHLY_CRIMES["2017-03"]
    assert row["baseline_months_with_data"] == 2
    six = sum(MONTHLY_CRIMES[f"2017-{month:02d}"] for month in range(4, 10))
    assert (row["numerator"], row["months_with_data"], row["data_months"]) == (
        six,
        6,
        "2017-04..2017-09",
    )
    assert row["value"] == pytest.approx(six / (POPULATION_2019 * 6 / 12) * 1000, rel=1e-12)
    findings = year_2017.findings
    sentences = " ".join(findings["sentence"])
    assert "increase in all police recorded crime" not in sentences
    assert "p = 0" not in sentences
    refused = findings[findings["finding_id"] == "change_not_made_police_uk"].iloc[0]
    assert refused["sentence"].startswith(
        "Changes in 15 crime groups between 2016/17 and 2017/18 are not reported: no month has"
        " data in both"
    )
    assert not bool(refused["significant"])


def test_missing_months_are_gaps_in_the_monthly_series(year_2017: AssessmentResult) -> None:
    series = pd.read_parquet(year_2017.out_dir / "monthly_series.parquet")
    crimes = series[series["group_id"] == "all_crime"].set_index("month")
    months = [f"{month:%Y-%m}" for month in parse_period("2017-02..2018-03").months]
    assert [f"{month:%Y-%m}" for month in crimes.index] == months
    present = {month: MONTHLY_CRIMES.get(month) for month in months}
    for month, count in zip(months, crimes["count"], strict=True):
        if present[month] is None:
            assert pd.isna(count), month
        else:
            assert count == present[month], month
    assert crimes["has_data"].tolist() == [present[month] is not None for month in months]
    # Eight months with data: too few for XmR limits, so no month is flagged special cause.
    assert crimes["special_cause"].isna().all()
    public = pd.read_parquet(year_2017.out_dir / "public" / "monthly_series.parquet")
    public_crimes = public[public["group_id"] == "all_crime"]
    assert public_crimes["count"].isna().sum() == 6
    assert (public_crimes["count"].fillna(-1) != 0).all()


def test_a_month_against_the_seven_before_it_uses_time_at_risk(warehouse_path: Path) -> None:
    result = _assess(warehouse_path, "2017-09..2017-09", "2017-02..2017-08")
    row = _area(result, "all_crime")
    seven = sum(MONTHLY_CRIMES[f"2017-{month:02d}"] for month in range(2, 9))
    assert seven == 17_892
    assert (row["change_numerator"], row["change_baseline_numerator"]) == (2523, seven)
    # methods.md §0.2a [D]: RR = 2,523 / (17,892 / 7) = 0.98709 (-1.29%), π₀ = 1/8.
    assert round(row["change_ratio"], 5) == 0.98709
    assert row["change_pct"] == pytest.approx((2523 / 1 - seven / 7) / (seven / 7) * 100)
    expected = stats.binomtest(2523, 2523 + seven, 1 / 8).pvalue
    assert row["change_p_value"] == pytest.approx(expected, rel=1e-9)
    assert bool(row["change_significant"]) is bool(expected < 0.05)
    assert row["change_basis"] == (
        "as annual rates on September 2017 against February to August 2017"
    )


def test_a_year_with_one_month_of_data_is_an_annual_rate_on_that_month(
    warehouse_path: Path,
) -> None:
    result = _assess(warehouse_path, "2021/22")
    row = _area(result, "all_crime")
    assert (row["numerator"], row["months_with_data"]) == (2795, 1)
    assert row["value"] == pytest.approx(2795 / (POPULATION_2020 / 12) * 1000, rel=1e-12)
    assert row["caveat"] == (
        "covers 1 of the 12 months of 2021/22 with data (February 2022): an annual rate on"
        " those months"
    )
    assert row["change_not_made"].startswith("no month has data in both 2021/22 and 2020/21")
    assert not result.findings["sentence"].str.contains("% increase|% decline").any()


def test_groups_that_need_a_force_extract_are_not_assessed(year_2017: AssessmentResult) -> None:
    groups = pd.read_parquet(year_2017.out_dir / "public" / "crime_groups.parquet")
    by_id = groups.set_index("group_id")
    for group in ("hate_crime", "domestic_flagged", "vawg", "sexual_offences", "rape"):
        assert not bool(by_id.loc[group, "computed"])
        assert by_id.loc[group, "skipped_reason"] == (
            "not assessed: needs a force record-level extract (offence codes, flags, victims),"
            " and none is loaded for Southampton"
        )
        assert group not in set(year_2017.indicators["indicator_id"])
    assert bool(by_id.loc["burglary", "computed"])
    assert by_id.loc["burglary", "months_with_data"] == 6


def test_police_uk_counts_are_published_whole_by_default(year_2017: AssessmentResult) -> None:
    # Every one of these counts is already public, row by row, on data.police.uk: none is
    # withheld by the default disclosure policy (methods.md §0.2a).
    public = pd.read_parquet(year_2017.out_dir / "public" / "indicators.parquet")
    assert len(public) == 15 * (1 + 16 + 148)
    assert not public["suppressed"].any()
    assert (public["numerator"] == year_2017.indicators["numerator"]).all()
    assert ((public["numerator"] > 0) & (public["numerator"] < 5)).sum() > 100


def test_a_deployment_that_protects_police_uk_counts_withholds_them_and_holds(
    warehouse_path: Path,
) -> None:
    policy = DisclosurePolicy(
        threshold=5,
        protected_sources=frozenset({"police_uk", "extract"}),
        protected_lsoa_counts=True,
    )
    with Warehouse(warehouse_path) as warehouse:
        result = run_assessment(
            warehouse,
            area_code=SOUTHAMPTON,
            period=parse_period("2017/18"),
            out_dir=warehouse_path.parent / "protected",
            disclosure_policy=policy,
        )
        area = resolve_study_area(warehouse, code=SOUTHAMPTON)
    public = pd.read_parquet(result.out_dir / "public" / "indicators.parquet")
    shown = public["numerator"].dropna()
    assert not ((shown > 0) & (shown < 5)).any()
    assert public["suppressed"].sum() > 100
    exposures = attack(
        {
            path.stem: pd.read_parquet(path)
            for path in sorted((result.out_dir / "public").glob("*.parquet"))
        },
        area_code=SOUTHAMPTON,
        ward_of=dict(zip(area.lsoas["lsoa_code"], area.lsoas["ward_code"], strict=True)),
        structure=police_uk_structure(load_crime_groups()),
        protected_sources={"police_uk"},
        complete_coverage=False,
        sensitive=sensitive_cells(result.out_dir, threshold=5, protected_sources={"police_uk"}),
    )
    assert len(exposures) > 100
    assert [exposure for exposure in exposures if exposure.upper - exposure.lower < 5] == []
