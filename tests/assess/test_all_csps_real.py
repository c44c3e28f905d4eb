"""Every CSP, and Southampton's benchmarking, on real data: Hampshire's files are not England.

Hampshire Constabulary's street files (February to September 2017) with the national ONS
lookups and populations are loaded, as in ``test_real_southampton.py``. The loaded police.uk
data cover the 12 CSPs of Hampshire's area, not all of England, so no "England" figure, national
rank or band may appear (methods.md §0.2a, §3.1): Southampton is compared among the 12 CSPs
loaded, named with its members and N = 12, and the reason is written. Hampshire's files also
report a few crimes in LSOAs of neighbouring CSPs (Bournemouth, Poole, Guildford ...) whose own
forces are not loaded: those CSPs get no rate, rather than a tiny rate from a spill-over.

The expected counts, rates and ranks are recomputed here from the published files with the
``csv`` module.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from safecity.assess.all_csps import assess_all_csps
from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.denominators import Denominators
from safecity.assess.families.benchmarking import benchmarking
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse

SOUTHAMPTON = "E22000120"
PERIOD = parse_period("2017-06..2017-09")
MONTHS = ("2017-06", "2017-07", "2017-08", "2017-09")
LABEL_COLUMNS = (
    "national_name", "rank_scope", "band_description", "regional_scope", "regional_members",
    "national_label", "regional_label", "comparator_label", "comparator_names", "label_rule",
)  # fmt: skip


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def hampshire(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    folder = shared_data / "police-uk" / "hampshire"
    warehouse = Warehouse(tmp_path_factory.mktemp("hampshire") / "w.duckdb")
    load_police_uk(
        warehouse,
        paths=[folder / f"2017-0{month}-hampshire-street.csv.gz" for month in range(2, 10)],
    )
    for kind, path in (
        (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz"),
        (ReferenceKind.CSP_LOOKUP, "geography/lookup_ltla24_csp24_pfa24.csv"),
        (ReferenceKind.POPULATION, "population/population19_lsoa11_syoa.csv.gz"),
    ):
        load_reference(warehouse, kind=kind, path=shared_data / path)
    yield warehouse  # type: ignore[misc]
    warehouse.close()


@pytest.fixture(scope="module")
def all_crime(hampshire: Warehouse) -> pd.DataFrame:
    table = assess_all_csps(hampshire, period=PERIOD, baseline=parse_period("2017-02..2017-05"))
    return table[table["indicator_id"] == "all_crime"].set_index("area_name")


def _inputs(warehouse: Warehouse, *, period: str) -> AssessmentInputs:
    return AssessmentInputs(
        warehouse=warehouse,
        area=resolve_study_area(warehouse, code=SOUTHAMPTON),
        period=parse_period(period),
        baseline=parse_period("2017-02..2017-05"),
        window=parse_period("2017-02..2017-09"),
        groups=load_crime_groups(),
        sources={},
        counts=pd.DataFrame(),
        denominators=Denominators(
            table=pd.DataFrame(), population_year=2019, households_year=None, note=""
        ),
        indicators=pd.DataFrame(),
        seed=1,
    )


@pytest.fixture(scope="module")
def southampton(hampshire: Warehouse) -> FamilyOutput:
    return benchmarking(_inputs(hampshire, period=PERIOD.label))


@pytest.fixture(scope="module")
def expected(shared_data: Path) -> dict[str, tuple[int, int]]:
    """All crime (ASB excluded) and residents of each of Hampshire's CSPs, from the files.

    A Crime ID counts once per month, at its row's LSOA (the largest LSOA code if its rows
    differ, as the warehouse does); rows without an LSOA are left out; a CSP's residents are
    the sum of its LSOAs' mid-2019 populations.
    """
    lad_csp = {
        row["ltla24_code"]: (row["csp24_name"], row["pfa24_name"])
        for row in _rows(shared_data / "geography" / "lookup_ltla24_csp24_pfa24.csv")
    }
    lsoa_csp = {
        row["LSOA11CD"]: lad_csp[row["LAD20CD"]][0]
        for row in _rows(shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] in lad_csp and lad_csp[row["LAD20CD"]][1] == "Hampshire"
    }
    counts: dict[str, int] = defaultdict(int)
    for month in MONTHS:
        path = shared_data / "police-uk" / "hampshire" / f"{month}-hampshire-street.csv.gz"
        by_id: dict[str, str] = {}
        for row in _rows(path):
            if row["Crime type"] == "Anti-social behaviour":
                continue
            lsoa = row["LSOA code"]
            if row["Crime ID"]:
                by_id[row["Crime ID"]] = max(by_id.get(row["Crime ID"], ""), lsoa)
            elif lsoa in lsoa_csp:
                counts[lsoa_csp[lsoa]] += 1
        for lsoa in by_id.values():
            if lsoa in lsoa_csp:
                counts[lsoa_csp[lsoa]] += 1
    residents: dict[str, int] = defaultdict(int)
    for row in _rows(shared_data / "population" / "population19_lsoa11_syoa.csv.gz"):
        if row["lsoa11_code"] in lsoa_csp:
            residents[lsoa_csp[row["lsoa11_code"]]] += int(row["total_population"])
    return {name: (counts[name], residents[name]) for name in set(lsoa_csp.values())}


def test_hampshire_files_give_no_national_rank(all_crime: pd.DataFrame) -> None:
    assert all_crime["rank"].isna().all()
    assert all_crime["benchmark_code"].eq("").all()
    southampton = all_crime.loc["Southampton"]
    assert southampton["caveat"].startswith(
        "no national rank: the loaded police.uk data cover 12 CSPs of Hampshire Constabulary"
    )
    assert "not all of England" in southampton["caveat"]


def test_spill_over_into_other_forces_csps_gives_no_rate(all_crime: pd.DataFrame) -> None:
    bournemouth = all_crime.loc["Bournemouth"]
    assert bournemouth["numerator"] > 0  # Hampshire reports a few crimes there
    assert pd.isna(bournemouth["value"])
    assert pd.isna(bournemouth["rank"])
    assert "own force" in bournemouth["caveat"]


def test_counts_of_hampshires_csps_match_the_files(
    all_crime: pd.DataFrame, expected: dict[str, tuple[int, int]]
) -> None:
    assert len(expected) == 12
    for name, (count, residents) in expected.items():
        assert all_crime.loc[name, "numerator"] == count, name
        assert all_crime.loc[name, "denominator"] == residents, name


def test_southampton_is_compared_among_the_12_csps_loaded_not_england(
    southampton: FamilyOutput, expected: dict[str, tuple[int, int]]
) -> None:
    row = southampton.tables["benchmarking"].set_index("group_id").loc["all_crime"]
    names = sorted(expected)
    assert row["regional_scope"] == "the 12 CSPs of Hampshire Constabulary's area loaded"
    assert row["regional_members"] == ", ".join(names[:-1]) + " and " + names[-1]
    assert "North Hampshire" in names
    assert "Isle of Wight" in names
    rates = {name: count / residents * 1000 for name, (count, residents) in expected.items()}
    own = rates["Southampton"]
    assert row["regional_rank"] == 1 + sum(rate > own for rate in rates.values()) == 2
    assert row["regional_rank_of"] == 12
    count = sum(count for count, _ in expected.values())
    residents = sum(residents for _, residents in expected.values())
    assert (row["regional_count"], row["regional_population"]) == (count, residents)
    assert row["regional_rate"] == pytest.approx(count / residents * 1000, rel=1e-12)
    assert row["regional_label"] == "Worse"  # 41.8 per 1,000 against 25.0: interval above
    # No England figure, rank or band.
    assert row["national_name"] == ""
    assert pd.isna(row["national_rate"])
    assert pd.isna(row["rank"])
    assert pd.isna(row["band"])
    assert row["national_not_made"].startswith(
        "not made: the loaded police.uk data cover 12 CSPs of Hampshire Constabulary ("
        + ", ".join(names[:-1])
    )
    assert row["national_not_made"].endswith(
        "not all of England: 38 of the 39 police forces of England have no police.uk data for "
        "2017-06..2017-09"
    )
    assert southampton.skipped["benchmarking_national"] == row["national_not_made"]


def test_the_word_england_is_in_no_benchmarking_finding_or_label(
    southampton: FamilyOutput,
) -> None:
    table = southampton.tables["benchmarking"]
    assert len(table) >= 10  # every police.uk group
    for column in LABEL_COLUMNS:
        assert not table[column].astype(str).str.contains("England").any(), column
    assert southampton.findings
    for finding in southampton.findings:
        assert "England" not in finding.sentence
        assert "Hampshire Constabulary's area loaded" in finding.sentence
    all_crime = next(f for f in southampton.findings if f.topic == "all_crime")
    assert " Southampton ranked 2nd of 12 for the rate of all police recorded crime" in (
        all_crime.sentence
    )
    csps = southampton.tables["benchmarking_csps"]
    assert csps["rank"].isna().all()
    assert not csps["rank_scope"].str.contains("England").any()


def test_the_financial_year_with_missing_months_is_compared_with_nothing(
    hampshire: Warehouse,
) -> None:
    # Hampshire's files stop in September 2017: 2017/18 is not covered even for Hampshire.
    output = benchmarking(_inputs(hampshire, period="2017/18"))
    assert output.tables["benchmarking"].empty
    assert not output.findings
    reason = output.skipped["benchmarking"]
    assert reason.startswith(
        "no CSP of England has complete police.uk data for 2017/18: 38 of the 39 police forces"
        " of England have no police.uk data for 2017/18; Hampshire Constabulary has a missing"
        " or low month in 2017/18"
    )
