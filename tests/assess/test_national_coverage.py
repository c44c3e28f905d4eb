"""The national-coverage rule: when the loaded police.uk data may be called "England".

Golden cases on the synthetic national country of ``safecity demo-data --scale national`` (a
small one: 600 LSOAs, two months, files for all 43 real police forces, every area coded in the
reserved E...9 range), with the shipped force list:

* every force's every month loaded: England is complete, every CSP is ranked among English CSPs
  and the England rate is the pooled rate of all of them;
* Greater Manchester Police's May file left out: "England excluding Greater Manchester Police",
  its CSPs excluded and listed, no GSS code;
* only Hampshire Constabulary's files: not England; the CSPs of Hampshire's area are compared
  among themselves, named.

Then the rule on small hand-made frames, for the cases the countries do not reach.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from safecity.assess.all_csps import csp_table
from safecity.assess.all_csps_families import national_benchmarks
from safecity.assess.national_coverage import (
    CoverageKind,
    NationalCoverage,
    national_coverage,
    regional_group,
)
from safecity.assess.periods import parse_period
from safecity.config.nations import Nation, load_nations
from safecity.config.police_forces import PoliceForce, load_police_forces
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic import DemoDataset, DemoScale, generate_demo_data
from safecity.data.warehouse import Warehouse

PERIOD = parse_period("2024-04..2024-05")
GMP_MAY = "2024-05-greater-manchester-street.csv"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return generate_demo_data(
        out_dir=tmp_path_factory.mktemp("national"),
        seed=20221,
        scale=DemoScale.NATIONAL,
        national_lsoa_count=600,
        first_month="2024-04",
        months=2,
    )


def _load(folder: Path, dataset: DemoDataset, files: list[Path]) -> Warehouse:
    warehouse = Warehouse(folder / "w.duckdb")
    load_police_uk(warehouse, paths=files)
    reference = dataset.reference
    for kind, path in (
        (ReferenceKind.LSOA_LOOKUP, reference.lsoa_ward_lad_lookup),
        (ReferenceKind.CSP_LOOKUP, reference.lad_csp_pfa_lookup),
        (ReferenceKind.POPULATION, reference.population_by_age),
    ):
        load_reference(warehouse, kind=kind, path=path)
    return warehouse


def _street_files(dataset: DemoDataset) -> list[Path]:
    return sorted((dataset.out_dir / "police-uk").rglob("*-street.csv"))


@pytest.fixture(scope="module")
def csps_by_force(dataset: DemoDataset) -> dict[str, set[str]]:
    """CSP codes of each force area, from the synthetic CSP lookup file."""
    found: dict[str, set[str]] = {}
    with dataset.reference.lad_csp_pfa_lookup.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            found.setdefault(row["pfa24_name"], set()).add(row["csp24_code"])
    return found


@pytest.fixture(scope="module")
def complete(dataset: DemoDataset, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    with _load(tmp_path_factory.mktemp("complete"), dataset, _street_files(dataset)) as warehouse:
        table = csp_table(warehouse, period=PERIOD)
    assert table.national[Nation.ENGLAND].kind is CoverageKind.COMPLETE
    return national_benchmarks(table, period=PERIOD)


@pytest.fixture(scope="module")
def without_gmp_may(
    dataset: DemoDataset, tmp_path_factory: pytest.TempPathFactory
) -> tuple[NationalCoverage, pd.DataFrame]:
    files = [path for path in _street_files(dataset) if path.name != GMP_MAY]
    assert len(files) == 43 * 2 - 1
    with _load(tmp_path_factory.mktemp("gap"), dataset, files) as warehouse:
        table = csp_table(warehouse, period=PERIOD)
    return table.national[Nation.ENGLAND], national_benchmarks(table, period=PERIOD)


def test_every_force_every_month_is_england(
    complete: pd.DataFrame, csps_by_force: dict[str, set[str]]
) -> None:
    all_crime = complete[complete["group_id"] == "all_crime"]
    codes = set().union(*csps_by_force.values())
    assert set(all_crime["csp_code"]) == codes
    assert all_crime["national_name"].eq("England").all()
    assert all_crime["national_code"].eq("E92000001").all()
    assert all_crime["rank_of"].eq(len(codes)).all()
    assert all_crime["rank_scope"].eq("English CSPs").all()
    expected = all_crime["count"].sum() / all_crime["population"].sum() * 1000
    assert all_crime["national_rate"].to_numpy() == pytest.approx(expected, rel=1e-12)
    # Ranks 1..N with ties sharing the smallest: the highest rate is 1st.
    top = all_crime.loc[all_crime["rate"].idxmax()]
    assert top["rank"] == 1
    assert top["band_description"] == "among the highest 10%"


def test_a_missing_force_month_makes_england_excluding_that_force(
    without_gmp_may: tuple[NationalCoverage, pd.DataFrame], csps_by_force: dict[str, set[str]]
) -> None:
    verdict, table = without_gmp_may
    assert verdict.kind is CoverageKind.SUBSET
    assert verdict.name == "England excluding Greater Manchester Police"
    assert verdict.code == ""
    assert verdict.forces_excluded == ("Greater Manchester Police",)
    all_crime = table[table["group_id"] == "all_crime"].set_index("csp_code")
    manchester = csps_by_force["Greater Manchester"]
    codes = set().union(*csps_by_force.values())
    ranked = all_crime[all_crime["rank"].notna()]
    assert set(ranked.index) == codes - manchester
    assert ranked["rank_of"].eq(len(codes) - len(manchester)).all()
    assert ranked["national_name"].eq("England excluding Greater Manchester Police").all()
    assert ranked["national_code"].eq("").all()
    assert not all_crime["national_name"].eq("England").any()
    for code in manchester:
        assert pd.isna(all_crime.loc[code, "rank"])
        assert "greater-manchester" in all_crime.loc[code, "exclusion_reason"]
    expected = ranked["count"].sum() / ranked["population"].sum() * 1000
    assert ranked["national_rate"].to_numpy() == pytest.approx(expected, rel=1e-12)


def test_one_force_loaded_is_its_area_not_england(
    dataset: DemoDataset,
    tmp_path_factory: pytest.TempPathFactory,
    csps_by_force: dict[str, set[str]],
) -> None:
    files = [path for path in _street_files(dataset) if "-hampshire-" in path.name]
    with _load(tmp_path_factory.mktemp("hampshire"), dataset, files) as warehouse:
        table = csp_table(warehouse, period=PERIOD)
    england = table.national[Nation.ENGLAND]
    assert england.kind is CoverageKind.NOT_NATIONAL
    assert england.name == ""
    assert "38 of the 39 police forces of England have no police.uk data" in england.not_made
    group = table.regional[Nation.ENGLAND]
    hampshire = csps_by_force["Hampshire"]
    assert set(group.csp_codes) == hampshire
    assert group.scope == f"the {len(hampshire)} CSPs of Hampshire Constabulary's area loaded"
    rates = table.rates
    assert rates["rank"].isna().all()
    assert set(rates.loc[rates["regional_rank"].notna(), "csp_code"]) == hampshire


def test_the_synthetic_country_has_no_welsh_csp(complete: pd.DataFrame) -> None:
    # Every synthetic area is coded E...9: the forces with Welsh names police English-coded
    # CSPs, so there is no Wales to compare with (docs/assessment.md, family 6).
    assert complete["nation"].eq("England").all()


# --- The rule on hand-made frames ---------------------------------------------------------


def _force(slug: str, name: str, nation: Nation) -> PoliceForce:
    return PoliceForce(
        slug=slug,
        name=name,
        population_millions=1.0,
        community_safety_partnerships=1,
        nation=nation,
    )


FORCES = (
    _force("northshire", "Northshire Police", Nation.ENGLAND),
    _force("westshire", "Westshire Heddlu", Nation.WALES),
)


def _coverage(
    *, low: tuple[str, ...] = (), forces: tuple[str, ...] = ("northshire",)
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "force": list(forces),
            "month": [pd.Timestamp("2024-04-01").date()] * len(forces),
            "rows": [10] * len(forces),
            "present": [True] * len(forces),
            "low_coverage": [force in low for force in forces],
        }
    )


def _csps(*rows: tuple[str, str, str | None, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "csp_code": code,
                "csp_name": name,
                "pfa_name": force,
                "nation": "England" if code.startswith("E") else "Wales",
                "reporting_force": force,
                "complete_coverage": covered,
            }
            for code, name, force, covered in rows
        ]
    )


def _verdict(
    *, lookup: list[tuple[str, str]], csps: pd.DataFrame, coverage: pd.DataFrame, nation: Nation
) -> NationalCoverage:
    return national_coverage(
        nation=load_nations()[nation],
        forces=FORCES,
        coverage=coverage,
        lookup_csps=pd.DataFrame(lookup, columns=["csp_code", "csp_name"]),
        csps=csps,
        period_label="2024/25",
    )


def test_a_csp_of_the_lookup_without_lsoas_is_left_out_by_name() -> None:
    # A newer CSP lookup than the LSOA lookup: "Cumberland" has no LSOA, so no data.
    verdict = _verdict(
        lookup=[("E22000001", "Alpha"), ("E22000002", "Cumberland")],
        csps=_csps(("E22000001", "Alpha", "northshire", True)),
        coverage=_coverage(),
        nation=Nation.ENGLAND,
    )
    assert verdict.kind is CoverageKind.SUBSET
    assert verdict.name == "England excluding Cumberland"
    assert verdict.rank_scope == "English CSPs (excluding Cumberland)"


def test_every_force_complete_and_every_csp_covered_is_the_nation() -> None:
    verdict = _verdict(
        lookup=[("W22000001", "Gamma")],
        csps=_csps(("W22000001", "Gamma", "westshire", True)),
        coverage=_coverage(forces=("northshire", "westshire")),
        nation=Nation.WALES,
    )
    assert (verdict.kind, verdict.name, verdict.code) == (
        CoverageKind.COMPLETE,
        "Wales",
        "W92000004",
    )
    both = _verdict(
        lookup=[("E22000001", "Alpha"), ("W22000001", "Gamma")],
        csps=_csps(
            ("E22000001", "Alpha", "northshire", True), ("W22000001", "Gamma", "westshire", True)
        ),
        coverage=_coverage(forces=("northshire", "westshire"), low=("westshire",)),
        nation=Nation.ENGLAND_AND_WALES,
    )
    assert both.kind is CoverageKind.SUBSET
    assert both.name == "England and Wales excluding Westshire Heddlu"


def test_a_force_without_data_means_no_national_figure_and_says_what_is_covered() -> None:
    verdict = _verdict(
        lookup=[("W22000001", "Gamma"), ("W22000002", "Delta")],
        csps=_csps(("W22000001", "Gamma", "northshire", True)),
        coverage=_coverage(),
        nation=Nation.WALES,
    )
    assert verdict.kind is CoverageKind.NOT_NATIONAL
    assert verdict.not_made == (
        "not made: the loaded police.uk data cover 1 CSP of Northshire Police (Gamma), not all"
        " of Wales: none of the 1 police force of Wales has police.uk data for 2024/25"
    )
    group = regional_group(
        coverage=verdict,
        csps=_csps(("W22000001", "Gamma", "northshire", True)),
        forces=FORCES,
        period_label="2024/25",
    )
    assert group is not None
    assert group.not_made == (
        "not made: only 1 CSP of Wales (Gamma) has complete police.uk data for 2024/25; a"
        " comparison among the CSPs loaded needs at least 2"
    )


def test_the_shipped_force_list_is_39_english_and_4_welsh_forces() -> None:
    forces = load_police_forces()
    welsh = sorted(force.slug for force in forces if force.nation is Nation.WALES)
    assert welsh == ["dyfed-powys", "gwent", "north-wales", "south-wales"]
    assert sum(force.nation is Nation.ENGLAND for force in forces) == 39
    assert not any("transport" in force.slug or force.slug == "btp" for force in forces)
