"""The assessment engine on a small hand-made city whose every figure is computed here again.

Two wards of two LSOAs each; police.uk street files for June 2019 and June 2020, assessed as
June 2020 against June 2019. Expected values are computed independently in the test: annual
rates from the counts and the time at risk (residents x 1 month / 12), Byar's limits from
their formula, the exact conditional rate-ratio test as a binomial test (methods.md §0.2a,
§1.1, §2.2a).
"""

from __future__ import annotations

import json
import math
from itertools import count
from pathlib import Path

import pandas as pd
import pytest
from police_uk_files import STREET_HEADER, street_row
from reference_files import load_reference_files, write_csv
from scipy import stats
from street_rows import lsoa_month_rows

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

LSOAS = {
    # code: (name, ward code, ward name, population)
    "E01000001": ("Testham 001A", "E05000001", "North", 1500),
    "E01000002": ("Testham 001B", "E05000001", "North", 1600),
    "E01000003": ("Testham 002A", "E05000002", "South", 1400),
    "E01000004": ("Testham 002B", "E05000002", "South", 1500),
}
LAD, CSP, PFA = "E06000001", "E22000001", "E23000001"
# Burglaries per LSOA in 2019/20 (baseline) and 2020/21 (period); ASB only in the period.
BURGLARY = {
    "E01000001": (10, 25),
    "E01000002": (8, 9),
    "E01000003": (3, 2),
    "E01000004": (5, 4),
}
ASB_2020 = {"E01000001": 6, "E01000002": 1, "E01000003": 0, "E01000004": 3}


def _street_file(folder: Path, month: str, rows: list[list[str]]) -> None:
    write_csv(folder / f"{month}-testshire-street.csv", STREET_HEADER, rows)


@pytest.fixture(scope="module")
def assessment(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("fixture")
    police = folder / "police"
    police.mkdir()
    serials = count(1)
    for year_index, month in ((0, "2019-06"), (1, "2020-06")):
        rows = [
            row
            for code, (name, *_rest) in LSOAS.items()
            for row in lsoa_month_rows(
                month=month,
                lsoa_code=code,
                lsoa_name=name,
                burglaries=BURGLARY[code][year_index],
                asb=ASB_2020[code] if year_index == 1 else 0,
                serials=serials,
            )
        ]
        if year_index == 1:
            rows.append(street_row(month=month, crime_type="Jaywalking"))  # quarantined
        _street_file(police, month, rows)
    warehouse = Warehouse(folder / "w.duckdb")
    load_police_uk(warehouse, paths=[police])
    load_reference_files(
        warehouse,
        folder,
        lsoa_lookup=[
            [code, name, ward, ward_name, LAD, "Testham"]
            for code, (name, ward, ward_name, _) in LSOAS.items()
        ],
        csp_lookup=[[LAD, "Testham", CSP, "Testham CSP", PFA, "Testshire"]],
        population=[
            (name, code, people) for code, (name, _ward, _ward_name, people) in LSOAS.items()
        ],
    )
    out = folder / "artefact"
    result = run_assessment(
        warehouse,
        area_code=CSP,
        period=parse_period("2020-06..2020-06"),
        baseline=parse_period("2019-06..2019-06"),
        out_dir=out,
    )
    warehouse.close()
    return out, result.indicators


def _byars(count: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower, upper


def _row(indicators: pd.DataFrame, indicator: str, area: str) -> pd.Series:
    rows = indicators[(indicators["indicator_id"] == indicator) & (indicators["area_code"] == area)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_area_burglary_count_rate_and_byars_interval(assessment: tuple[Path, pd.DataFrame]) -> None:
    _, indicators = assessment
    row = _row(indicators, "burglary", CSP)
    count = sum(period for _, period in BURGLARY.values())
    population = sum(entry[3] for entry in LSOAS.values())
    lower, upper = _byars(count)
    years_at_risk = population * 1 / 12  # one month of data: an annual rate (methods.md §0.2a)
    assert row["numerator"] == count == 40
    assert row["denominator"] == population
    assert (row["months_in_period"], row["months_with_data"]) == (1, 1)
    assert row["exposure"] == pytest.approx(years_at_risk, rel=1e-12)
    assert row["value"] == pytest.approx(count / years_at_risk * 1000, rel=1e-12)
    assert row["lower_ci"] == pytest.approx(lower / years_at_risk * 1000, rel=1e-9)
    assert row["upper_ci"] == pytest.approx(upper / years_at_risk * 1000, rel=1e-9)


def test_ward_counts_and_exact_intervals_below_ten(assessment: tuple[Path, pd.DataFrame]) -> None:
    _, indicators = assessment
    south = _row(indicators, "burglary", "E05000002")
    assert south["numerator"] == 6
    # Exact (Garwood) limits below 10 events: chi-square quantiles.
    lower = stats.chi2.ppf(0.025, 12) / 2
    upper = stats.chi2.ppf(0.975, 14) / 2
    assert south["lower_ci"] == pytest.approx(lower / (2900 / 12) * 1000, rel=1e-9)
    assert south["upper_ci"] == pytest.approx(upper / (2900 / 12) * 1000, rel=1e-9)
    assert bool(south["unreliable"]) is True


def test_change_uses_the_exact_conditional_test(assessment: tuple[Path, pd.DataFrame]) -> None:
    _, indicators = assessment
    row = _row(indicators, "burglary", CSP)
    now, before = 40, 26
    assert row["baseline_numerator"] == before
    assert (row["change_numerator"], row["change_baseline_numerator"]) == (now, before)
    assert (row["change_months"], row["change_baseline_months"]) == (1, 1)
    assert row["change_basis"] == ""
    assert row["change_pct"] == pytest.approx((now - before) / before * 100)
    # Same population in both years: conditional on the total, now ~ Binomial(66, 1/2).
    expected_p = stats.binomtest(now, now + before, 0.5).pvalue
    assert row["change_p_value"] == pytest.approx(expected_p, rel=1e-6)
    assert bool(row["change_significant"]) is bool(expected_p < 0.05)
    assert "exact conditional" in row["change_test"]


def test_wards_are_labelled_against_the_area(assessment: tuple[Path, pd.DataFrame]) -> None:
    _, indicators = assessment
    area = _row(indicators, "burglary", CSP)["value"]
    for ward in ("E05000001", "E05000002"):
        row = _row(indicators, "burglary", ward)
        expected = (
            "Higher" if row["lower_ci"] > area else "Lower" if row["upper_ci"] < area else "Similar"
        )
        assert row["benchmark_label"] == expected
        assert row["benchmark_code"] == CSP
    # North: 34 burglaries in 3,100 residents in one month; Byar's lower limit 91.5 per 1,000
    # a year > 80.0.
    assert _row(indicators, "burglary", "E05000001")["benchmark_label"] == "Higher"


def test_all_crime_excludes_asb_and_asb_is_its_own_indicator(
    assessment: tuple[Path, pd.DataFrame],
) -> None:
    _, indicators = assessment
    assert _row(indicators, "all_crime", CSP)["numerator"] == 40
    assert _row(indicators, "asb", CSP)["numerator"] == sum(ASB_2020.values())


def test_police_uk_counts_are_published_whole_by_default(
    assessment: tuple[Path, pd.DataFrame],
) -> None:
    # data.police.uk publishes every record with its LSOA and month: counts made only from it
    # are not suppressed by the default disclosure policy (methods.md §0.2a).
    out, indicators = assessment
    public = pd.read_csv(out / "public" / "indicators.csv")
    assert not public["suppressed"].any()
    assert public["numerator"].tolist() == indicators["numerator"].tolist()
    north = public[
        (public["indicator_id"] == "asb") & public["area_code"].isin(["E01000001", "E01000002"])
    ]
    assert north["numerator"].tolist() == [6, 1]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["disclosure"]["protected_sources_used"] == []
    assert manifest["disclosure"]["withheld_counts"] == 0


def test_manifest_records_inputs_vintages_and_what_was_skipped(
    assessment: tuple[Path, pd.DataFrame],
) -> None:
    out, _ = assessment
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["area"] == {
        "code": CSP,
        "name": "Testham CSP",
        "level": "csp",
        "lsoas": 4,
        "wards": 2,
    }
    assert manifest["parameters"]["baseline"] == "2019-06..2019-06"
    assert manifest["vintages"]["lsoa"] == 2011
    assert manifest["vintages"]["population_year"] == 2020
    assert all(len(entry["sha256"]) == 64 for entry in manifest["inputs"])
    assert manifest["skipped"]["domestic_flagged"] == (
        "not assessed: needs a force record-level extract (offence codes, flags, victims),"
        " and none is loaded for Testham CSP"
    )
    # The three months before June 2020 have no data: no comparison with their average.
    assert manifest["skipped"]["three_period_average:police_uk"].startswith(
        "comparison with the previous three periods' average not made: only 0 of the 1 months"
    )
    assert manifest["coverage"]["sources"]["police_uk"] == {
        "suppliers": ["testshire"],
        "months": "2019-06;2020-06",
        "low_months": "2019-06",
        "period_months": 1,
        "baseline_months": 1,
    }
    assert set(manifest["tables"]) >= {"indicators", "findings", "monthly_series"}


def test_findings_cite_rows_that_exist(assessment: tuple[Path, pd.DataFrame]) -> None:
    out, indicators = assessment
    findings = pd.read_csv(out / "findings.csv")
    assert not findings.empty
    row_ids = set(indicators["row_id"])
    for cited in findings["row_ids"]:
        assert set(str(cited).split(";")) <= row_ids
    burglary = findings[findings["finding_id"] == "change_burglary"]["sentence"].iloc[0]
    assert burglary == (
        "There was a 53.8% increase in burglary (40 in June 2020) compared with June 2019 (26),"
        " not a statistically significant change (an exact test comparing the two rates,"
        f" p = {stats.binomtest(40, 66, 0.5).pvalue:.2g})."
    )


def test_data_quality_reports_coverage_and_quarantine(
    assessment: tuple[Path, pd.DataFrame],
) -> None:
    out, _ = assessment
    coverage = pd.read_csv(out / "data_quality_coverage.csv")
    # The window runs from the baseline, June 2019, to June 2020; only June 2019 and June
    # 2020 have files.
    assert len(coverage) == 13
    assert sorted(coverage.loc[coverage["present"], "month"]) == ["2019-06-01", "2020-06-01"]
    # June 2019 has 26 rows, under 80% of the median month (38 = mean of 26 and 50): low too.
    assert coverage["low_coverage"].sum() == 12
    quarantine = pd.read_csv(out / "data_quality_quarantine.csv")
    assert quarantine[["force", "month", "reason", "rows"]].to_dict("records") == [
        {"force": "testshire", "month": "2020-06", "reason": "unknown_crime_type", "rows": 1}
    ]
    summary = dict(pd.read_csv(out / "data_quality_summary.csv").itertuples(index=False))
    assert summary["rows_quarantined"] == 1
    assert summary["force_months_low_or_missing"] == 12
