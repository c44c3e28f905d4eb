"""The assessment on real data: Southampton (CSP E22000120), February 2022 against February 2017.

Every number is recomputed here straight from the published files in ``../shared/data`` with
the ``csv`` module: police.uk street files, the ONS LSOA -> ward lookup and mid-year LSOA
populations.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse

SOUTHAMPTON_CSP = "E22000120"
SOUTHAMPTON_LAD = "E06000045"
CATEGORY_GROUPS = {
    "Burglary": "burglary",
    "Robbery": "robbery",
    "Drugs": "drugs",
    "Shoplifting": "shoplifting",
    "Vehicle crime": "vehicle_crime",
    "Public order": "public_order",
    "Criminal damage and arson": "criminal_damage_and_arson",
    "Violence and sexual offences": "violence_and_sexual_offences",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def southampton(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("southampton")
    hampshire = shared_data / "police-uk" / "hampshire"
    warehouse = Warehouse(folder / "w.duckdb")
    load_police_uk(
        warehouse,
        paths=[
            hampshire / "2017-02-hampshire-street.csv.gz",
            hampshire / "2022-02-hampshire-street.csv.gz",
        ],
    )
    for kind, path in (
        (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz"),
        (ReferenceKind.CSP_LOOKUP, "geography/lookup_ltla24_csp24_pfa24.csv"),
        (ReferenceKind.POPULATION, "population/population19_lsoa11_syoa.csv.gz"),
        (ReferenceKind.POPULATION, "population/population20_lsoa11_syoa.csv.gz"),
        (ReferenceKind.IMD, "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz"),
    ):
        load_reference(warehouse, kind=kind, path=shared_data / path)
    result = run_assessment(
        warehouse,
        area_code=SOUTHAMPTON_CSP,
        period=parse_period("2022-02..2022-02"),
        baseline=parse_period("2017-02..2017-02"),
        out_dir=folder / "artefact",
    )
    warehouse.close()
    lookup = {
        row["LSOA11CD"]: (row["WD20CD"], row["WD20NM"])
        for row in _rows(shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] == SOUTHAMPTON_LAD
    }
    population = {
        year: {
            row["lsoa11_code"]: int(row["total_population"])
            for row in _rows(shared_data / "population" / f"population{year}_lsoa11_syoa.csv.gz")
            if row["lsoa11_code"] in lookup
        }
        for year in ("19", "20")
    }
    counts = {
        month: [
            row
            for row in _rows(hampshire / f"{month}-hampshire-street.csv.gz")
            if row["LSOA code"] in lookup
        ]
        for month in ("2017-02", "2022-02")
    }
    deciles = {
        row["lsoa11_code"]: int(row["IMD_decile"])
        for row in _rows(
            shared_data / "deprivation" / "imd2019_england_lsoa11_ranks_deciles.csv.gz"
        )
        if row["lsoa11_code"] in lookup
    }
    return {
        "out": folder / "artefact",
        "deciles": deciles,
        "indicators": result.indicators,
        "lookup": lookup,
        "population": population,
        "rows": counts,
    }


def _value(indicators: pd.DataFrame, indicator: str, area: str, column: str) -> object:
    row = indicators[(indicators["indicator_id"] == indicator) & (indicators["area_code"] == area)]
    assert len(row) == 1, (indicator, area)
    return row.iloc[0][column]


def test_southampton_has_148_lsoas_and_16_wards(southampton: dict[str, object]) -> None:
    indicators = southampton["indicators"]
    assert isinstance(indicators, pd.DataFrame)
    lsoas = indicators[
        (indicators["area_level"] == "lsoa") & (indicators["indicator_id"] == "all_crime")
    ]
    wards = indicators[
        (indicators["area_level"] == "ward") & (indicators["indicator_id"] == "all_crime")
    ]
    assert (len(lsoas), len(wards)) == (148, 16)


@pytest.mark.parametrize("category", sorted(CATEGORY_GROUPS))
def test_counts_rates_and_change_by_crime_type(
    southampton: dict[str, object], category: str
) -> None:
    indicators = southampton["indicators"]
    rows = southampton["rows"]
    population = southampton["population"]
    assert isinstance(indicators, pd.DataFrame)
    assert isinstance(rows, dict)
    assert isinstance(population, dict)
    group = CATEGORY_GROUPS[category]
    now = sum(row["Crime type"] == category for row in rows["2022-02"])
    before = sum(row["Crime type"] == category for row in rows["2017-02"])
    people_now = sum(population["20"].values())  # mid-2020: the nearest loaded year to 2022
    people_before = sum(population["19"].values())  # mid-2019: the nearest to 2017
    assert _value(indicators, group, SOUTHAMPTON_CSP, "numerator") == now
    assert _value(indicators, group, SOUTHAMPTON_CSP, "baseline_numerator") == before
    assert _value(indicators, group, SOUTHAMPTON_CSP, "denominator") == people_now == 252_872
    # One month of data: an annual rate on a twelfth of a year at risk (methods.md §0.2a).
    assert _value(indicators, group, SOUTHAMPTON_CSP, "value") == pytest.approx(
        now / (people_now / 12) * 1000, rel=1e-12
    )
    assert _value(indicators, group, SOUTHAMPTON_CSP, "change_pct") == pytest.approx(
        (now - before) / before * 100
    )
    # Exact conditional test: given the total, the count now is binomial with p = r / (1 + r),
    # where r is the ratio of the exposures: populations x one month each (methods.md §2.2a).
    share = people_now / (people_now + people_before)
    expected = stats.binomtest(now, now + before, share).pvalue
    assert _value(indicators, group, SOUTHAMPTON_CSP, "change_p_value") == pytest.approx(
        expected, rel=1e-6
    )


def test_ward_counts_match_the_files(southampton: dict[str, object]) -> None:
    indicators = southampton["indicators"]
    rows = southampton["rows"]
    lookup = southampton["lookup"]
    assert isinstance(indicators, pd.DataFrame)
    assert isinstance(rows, dict)
    assert isinstance(lookup, dict)
    by_ward = Counter(
        lookup[row["LSOA code"]][0]
        for row in rows["2022-02"]
        if row["Crime type"] != "Anti-social behaviour"
    )
    wards = indicators[
        (indicators["area_level"] == "ward") & (indicators["indicator_id"] == "all_crime")
    ]
    assert dict(zip(wards["area_code"], wards["numerator"], strict=True)) == dict(by_ward)
    assert sum(by_ward.values()) == 2795  # SOURCES.md: Southampton 2022-02, excluding ASB


def test_rates_by_national_imd_decile_match_the_files(southampton: dict[str, object]) -> None:
    out = southampton["out"]
    rows = southampton["rows"]
    population = southampton["population"]
    deciles = southampton["deciles"]
    assert isinstance(out, Path)
    assert isinstance(rows, dict)
    assert isinstance(population, dict)
    assert isinstance(deciles, dict)
    # SOURCES.md: Southampton's LSOAs by IMD 2019 decile 1..10.
    assert [list(deciles.values()).count(decile) for decile in range(1, 11)] == [
        19,
        24,
        24,
        26,
        15,
        14,
        7,
        14,
        4,
        1,
    ]
    crimes = Counter(
        deciles[row["LSOA code"]]
        for row in rows["2022-02"]
        if row["Crime type"] != "Anti-social behaviour"
    )
    people = Counter()
    for code, residents in population["20"].items():
        people[deciles[code]] += residents
    table = pd.read_csv(out / "deprivation_rates.csv")
    national = table[(table["group_id"] == "all_crime") & (table["grouping"] == "national decile")]
    for decile in range(1, 11):
        row = national[national["group"] == decile].iloc[0]
        assert row["count"] == crimes[decile]
        assert row["population"] == people[decile]
        # One month of data: an annual rate on residents x 1/12 (methods.md §0.2a).
        assert row["value"] == pytest.approx(
            crimes[decile] / (people[decile] / 12) * 1000, rel=1e-12
        )
    gaps = pd.read_csv(out / "deprivation_gaps.csv")
    gap = gaps[(gaps["group_id"] == "all_crime") & (gaps["grouping"] == "national decile")].iloc[0]
    most, least = crimes[1] / people[1], crimes[10] / people[10]
    assert gap["rate_ratio"] == pytest.approx(most / least, rel=1e-9)
