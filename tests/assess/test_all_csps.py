"""Families 1 and 2 for every CSP at once, on a hand-made country of twelve CSPs.

Each CSP has one LSOA. Ten CSPs are policed by ``northshire`` (one of them Welsh), two by
``southshire``, whose street file for June 2020 is missing, so those two are not ranked.
Expected values are computed here again from the counts: rates, Byar's or exact limits
(methods.md §1.1), the exact conditional rate-ratio test as a binomial test (§2.2a), and ranks
with ties sharing the smallest rank (§3.1). With the shipped list of real police forces the
country is not England, so nothing has a national rank; with its own forces as the force list
(``csp_country.COUNTRY_FORCES``) its English places are England (less southshire's).
"""

from __future__ import annotations

import io
import json
import math
from importlib import resources
from itertools import count
from pathlib import Path

import pandas as pd
import pytest
from csp_country import COUNTRY_FORCES, MONTHS, build_country, country_csps
from demo_city import loaded_demo_city
from police_uk_files import STREET_HEADER
from reference_files import load_reference_files, write_csv
from scipy import stats
from street_rows import lsoa_month_rows
from typer.testing import CliRunner

from safecity.assess.all_csps import (
    assess_all_csps,
    csp_table,
    force_coverage,
    lsoa_category_counts,
)
from safecity.assess.all_csps_families import (
    AllCspsAssessment,
    assess_every_csp,
    public_tables,
)
from safecity.assess.counts import police_uk_category_counts
from safecity.assess.families.harm import (
    category_harm,
    category_weights,
    harm_weights,
    loaded_harm_indices,
    national_offence_mix,
    offence_categories,
    police_uk_crimes,
)
from safecity.assess.indicator_columns import INDICATOR_COLUMNS
from safecity.assess.national_coverage import CoverageKind
from safecity.assess.periods import parse_period
from safecity.assess.study_area import lsoa_hierarchy
from safecity.cli.main import app
from safecity.config.nations import Nation
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
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
        # An annual rate on the force's months with data (methods.md §0.2a).
        years = population * row["months_with_data"] / 12
        assert row["months_in_period"] == 2
        assert row["exposure"] == pytest.approx(years, rel=1e-12)
        assert row["value"] == pytest.approx(count / years * 1000, rel=1e-12)
        assert row["lower_ci"] == pytest.approx(lower / years * 1000, rel=1e-9)
        assert row["upper_ci"] == pytest.approx(upper / years * 1000, rel=1e-9)
        assert row["row_id"] == f"burglary:{entry['csp']}:2020-05..2020-06"


def test_change_is_the_exact_conditional_test(indicators: pd.DataFrame) -> None:
    burglary = indicators[indicators["indicator_id"] == "burglary"].set_index("area_code")
    for entry in CSPS:
        row = burglary.loc[str(entry["csp"])]
        now = _expected_period_count(entry)
        before = sum(entry["burglary"][0])
        assert row["baseline_numerator"] == before
        if row["months_with_data"] < 2 or row["baseline_months_with_data"] < 2:
            # a force without a month of either period: no like-for-like change here
            assert pd.isna(row["change_pct"])
            assert row["change_not_made"].startswith("not made: the force's police.uk data have")
            continue
        # The same population in both periods: now ~ Binomial(now + before, 1/2).
        expected = stats.binomtest(now, now + before, 0.5).pvalue
        assert row["change_pct"] == pytest.approx((now - before) / before * 100)
        assert row["change_p_value"] == pytest.approx(expected, rel=1e-9)
        assert bool(row["change_significant"]) is bool(expected < 0.05)
        assert row["baseline_period"] == "2020-03..2020-04"


def test_without_national_coverage_no_csp_has_a_national_rank(indicators: pd.DataFrame) -> None:
    burglary = indicators[indicators["indicator_id"] == "burglary"].set_index("area_code")
    assert burglary["rank"].isna().all()
    assert burglary["rank_of"].isna().all()
    assert burglary["benchmark_code"].eq("").all()
    for entry in CSPS:
        caveat = burglary.loc[str(entry["csp"]), "caveat"]
        if entry["force"] == "southshire":
            assert caveat.startswith("not ranked: police.uk coverage: its force (southshire)")
        elif str(entry["csp"]).startswith("E"):
            assert caveat.startswith(
                "no national rank: the loaded police.uk data cover 9 CSPs of the northshire "
                "police force (Place 1, "
            )
            assert caveat.endswith(
                "not all of England: none of the 39 police forces of England has police.uk data"
                " for 2020-05..2020-06"
            )
        else:
            assert "Wales" in caveat


def test_ranks_among_english_csps_exclude_the_force_with_a_missing_month(
    country: Warehouse,
) -> None:
    table = assess_all_csps(country, period=PERIOD, baseline=BASELINE, forces=COUNTRY_FORCES)
    burglary = table[table["indicator_id"] == "burglary"]
    ranked = {
        str(entry["csp"]): _expected_period_count(entry) / int(entry["population"])
        for entry in CSPS
        if entry["force"] == "northshire" and str(entry["csp"]).startswith("E")
    }
    ordered = sorted(ranked.values(), reverse=True)
    for row in burglary.itertuples():
        if row.area_code in ranked:
            assert row.rank == 1 + sum(value > ranked[row.area_code] for value in ordered)
            assert row.rank_of == 9  # English CSPs only: the Welsh place is not among them
        else:
            assert pd.isna(row.rank)
            assert "southshire" in row.caveat or "Wales" in row.caveat


def test_force_coverage_flags_the_missing_month(country: Warehouse) -> None:
    coverage = force_coverage(country, period=PERIOD)
    low = coverage[coverage["low_coverage"]]
    assert low[["force", "present"]].to_numpy().tolist() == [["southshire", False]]
    table = csp_table(country, period=PERIOD, forces=COUNTRY_FORCES)
    assert table.excluded_forces == ("southshire",)
    england = table.national[Nation.ENGLAND]
    assert england.kind is CoverageKind.SUBSET
    assert england.name == "England excluding Southshire Constabulary"
    assert england.forces_excluded == ("Southshire Constabulary",)
    assert (england.csps_in_lookup, england.csps_covered) == (11, 9)


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


# Families 3-6 for every CSP (safecity.assess.all_csps_families).
#
# The same twelve places regrouped into four CSPs with several LSOAs and wards, and IMD deciles
# for the English LSOAs (the Welsh one has none): CSP A = places 1-5 (wards 1+2, 3+4, 5),
# B = places 6-9 (wards 6+7, 8+9), C = place 10 (Welsh), D = places 11-12 (southshire, one ward).

FAMILY_CSPS = {
    "E22000101": (1, 2, 3, 4, 5),
    "E22000102": (6, 7, 8, 9),
    "W14000103": (10,),
    "E22000104": (11, 12),
}
WARD_OF = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 4, 7: 4, 8: 5, 9: 5, 10: 6, 11: 7, 12: 7}
DECILE_OF = {1: 1, 2: 10, 3: 2, 4: 9, 5: 5, 6: 2, 7: 9, 8: 4, 9: 6, 11: 1, 12: 10}
PERIOD_LABEL = "2020-05..2020-06"
FAMILY_ENTRIES = country_csps(period_burglary={1: (40, 40), 2: (0, 0)})
"""Place 1 far above its CSP (Higher), place 2 with no burglary in the period (Lower)."""


def _csp_of(index: int) -> str:
    return next(code for code, members in FAMILY_CSPS.items() if index in members)


def _build_family_country(folder: Path) -> Warehouse:
    """Street files as the twelve-CSP country's, lookups grouping the places into four CSPs."""
    police = folder / "police"
    police.mkdir()
    serials = count(1)
    for force in ("northshire", "southshire"):
        for position, month in enumerate(MONTHS):
            if force == "southshire" and month == "2020-06":
                continue
            period_index, month_index = divmod(position, 2)
            rows = [
                row
                for entry in FAMILY_ENTRIES
                if entry["force"] == force
                for row in lsoa_month_rows(
                    month=month,
                    lsoa_code=str(entry["lsoa"]),
                    lsoa_name=str(entry["name"]),
                    burglaries=entry["burglary"][period_index][month_index],
                    asb=entry["asb"][month_index] if period_index == 1 else 0,
                    serials=serials,
                )
            ]
            write_csv(police / f"{month}-{force}-street.csv", STREET_HEADER, rows)
    warehouse = Warehouse(folder / "w.duckdb")
    load_police_uk(warehouse, paths=[police])
    lads = {code: f"{code[0]}0600{position:04d}" for position, code in enumerate(FAMILY_CSPS, 1)}
    load_reference_files(
        warehouse,
        folder,
        lsoa_lookup=[
            [
                e["lsoa"],
                e["name"],
                f"{e['lsoa'][0]}0500{WARD_OF[i]:04d}",
                f"Ward {WARD_OF[i]}",
                lads[_csp_of(i)],
                f"Area {_csp_of(i)}",
            ]
            for i, e in enumerate(FAMILY_ENTRIES, start=1)
        ],
        csp_lookup=[
            [
                lad,
                f"Area {code}",
                code,
                f"CSP {code}",
                FAMILY_ENTRIES[members[0] - 1]["pfa"],
                FAMILY_ENTRIES[members[0] - 1]["force"],
            ]
            for (code, members), lad in zip(FAMILY_CSPS.items(), lads.values(), strict=True)
        ],
        population=[(e["name"], e["lsoa"], e["population"]) for e in FAMILY_ENTRIES],
    )
    imd = write_csv(
        folder / "imd2019_england_lsoa11_ranks_deciles.csv",
        ["lsoa11_code", "IMD_decile"],
        [(FAMILY_ENTRIES[i - 1]["lsoa"], decile) for i, decile in DECILE_OF.items()],
    )
    load_reference(warehouse, kind=ReferenceKind.IMD, path=imd)
    return warehouse


@pytest.fixture(scope="module")
def family_country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = _build_family_country(tmp_path_factory.mktemp("family_country"))
    yield warehouse  # type: ignore[misc]
    warehouse.close()


@pytest.fixture(scope="module")
def families(family_country: Warehouse) -> AllCspsAssessment:
    return assess_every_csp(family_country, period=PERIOD, baseline=BASELINE)


def _burglary(index: int) -> int:
    return _expected_period_count(FAMILY_ENTRIES[index - 1])


def _population(index: int) -> int:
    return int(FAMILY_ENTRIES[index - 1]["population"])


def _expected_label(count: int, population: float, benchmark: float) -> str:
    """Fingertips 95% rule, no judgement: Similar when the benchmark is inside the interval."""
    lower, upper = _interval(count)
    lower, upper = lower / population * 1000, upper / population * 1000
    if lower <= benchmark <= upper:
        return "Similar"
    return "Higher" if lower > benchmark else "Lower"


def test_lsoa_and_ward_rates_are_labelled_against_their_own_csp(
    families: AllCspsAssessment,
) -> None:
    table = families.tables["all_csps_wards_lsoas"]
    burglary = table[table["group_id"] == "burglary"].set_index(["area_level", "area_code"])
    assert len(burglary) == 12 + 7
    months = families.indicators.drop_duplicates("area_code").set_index("area_code")[
        "months_with_data"
    ]
    csp_totals = {
        code: (sum(_burglary(i) for i in members), sum(_population(i) for i in members))
        for code, members in FAMILY_CSPS.items()
    }
    for index, entry in enumerate(FAMILY_ENTRIES, start=1):
        row = burglary.loc[("lsoa", str(entry["lsoa"]))]
        count_, population = _burglary(index), _population(index)
        csp_count, csp_population = csp_totals[_csp_of(index)]
        # Annual rates on the CSP's months with data, as the single area's (§0.2a).
        share = months[_csp_of(index)] / 12
        benchmark = csp_count / (csp_population * share) * 1000
        assert row["csp_code"] == _csp_of(index)
        assert row["count"] == count_
        assert row["value"] == pytest.approx(count_ / (population * share) * 1000, rel=1e-12)
        assert row["benchmark_value"] == pytest.approx(benchmark, rel=1e-12)
        assert row["benchmark_label"] == _expected_label(count_, population * share, benchmark)
        assert row["row_id"] == f"burglary:{entry['lsoa']}:{PERIOD_LABEL}"
    assert burglary.loc[("lsoa", str(FAMILY_ENTRIES[0]["lsoa"])), "benchmark_label"] == "Higher"
    assert burglary.loc[("lsoa", str(FAMILY_ENTRIES[1]["lsoa"])), "benchmark_label"] == "Lower"
    for ward in set(WARD_OF.values()):
        members = [i for i, w in WARD_OF.items() if w == ward]
        code = f"{'W' if members == [10] else 'E'}0500{ward:04d}"
        row = burglary.loc[("ward", code)]
        count_ = sum(_burglary(i) for i in members)
        population = sum(_population(i) for i in members)
        csp_count, csp_population = csp_totals[_csp_of(members[0])]
        share = months[_csp_of(members[0])] / 12
        benchmark = csp_count / (csp_population * share) * 1000
        lower, upper = _interval(count_)
        assert row["count"] == count_
        assert row["population"] == population
        assert row["lower_ci"] == pytest.approx(lower / (population * share) * 1000, rel=1e-9)
        assert row["upper_ci"] == pytest.approx(upper / (population * share) * 1000, rel=1e-9)
        assert row["benchmark_label"] == _expected_label(count_, population * share, benchmark)


def test_concentration_is_the_share_in_the_top_tenth_of_lsoas(
    families: AllCspsAssessment,
) -> None:
    table = families.tables["all_csps_concentration"]
    burglary = table[table["group_id"] == "burglary"].set_index("csp_code")
    for code, members in FAMILY_CSPS.items():
        counts = sorted((_burglary(i) for i in members), reverse=True)
        top = max(1, math.ceil(0.1 * len(counts)))
        row = burglary.loc[code]
        assert row["lsoas"] == len(members)
        assert row["top_lsoas"] == top
        assert row["top_count"] == sum(counts[:top])
        assert row["top_share_pct"] == pytest.approx(100 * sum(counts[:top]) / sum(counts))


def test_rates_by_national_decile_and_quintile_within_each_csp(
    families: AllCspsAssessment,
) -> None:
    table = families.tables["all_csps_deprivation"]
    burglary = table[table["group_id"] == "burglary"]
    months = families.indicators.drop_duplicates("area_code").set_index("area_code")[
        "months_with_data"
    ]
    expected: dict[tuple[str, str, int], list[int]] = {}
    for index, decile in DECILE_OF.items():
        for grouping, group in (
            ("national decile", decile),
            ("national quintile", math.ceil(decile / 2)),
        ):
            expected.setdefault((_csp_of(index), grouping, group), []).append(index)
    found = {
        (row.csp_code, row.grouping, int(row.deprivation_group)): row
        for row in burglary.itertuples()
    }
    assert set(found) == set(expected)
    for key, members in expected.items():
        row = found[key]
        count_ = sum(_burglary(i) for i in members)
        population = sum(_population(i) for i in members)
        assert row.lsoas == len(members)
        assert row.count == count_
        assert row.population == population
        # An annual rate on the CSP's months with data, as the single area's (§0.2a).
        years = population * months[key[0]] / 12
        assert row.value == pytest.approx(count_ / years * 1000, rel=1e-12)
    assert families.manifest["deprivation"]["lsoas_without_decile"] == 1
    assert "SII" in families.skipped["deprivation_sii_rii"]


def test_most_against_least_deprived_quintile_by_the_exact_test(
    families: AllCspsAssessment,
) -> None:
    gaps = families.tables["all_csps_deprivation_gaps"]
    burglary = gaps[gaps["group_id"] == "burglary"].set_index("csp_code")
    # Quintile 1 = deciles 1-2, quintile 5 = deciles 9-10: A {1, 3} vs {2, 4}; B {6} vs {7};
    # D {11} vs {12}; C (Welsh) has no decile at all.
    assert set(burglary.index) == {"E22000101", "E22000102", "E22000104"}
    for code, most, least in (
        ("E22000101", (1, 3), (2, 4)),
        ("E22000102", (6,), (7,)),
        ("E22000104", (11,), (12,)),
    ):
        row = burglary.loc[code]
        most_count = sum(_burglary(i) for i in most)
        least_count = sum(_burglary(i) for i in least)
        most_population = sum(_population(i) for i in most)
        least_population = sum(_population(i) for i in least)
        share = most_population / (most_population + least_population)
        expected = stats.binomtest(most_count, most_count + least_count, share).pvalue
        assert row["most_deprived_count"] == most_count
        assert row["least_deprived_count"] == least_count
        assert row["rate_ratio"] == pytest.approx(
            (most_count / most_population) / (least_count / least_population), rel=1e-12
        )
        assert row["p_value"] == pytest.approx(expected, rel=1e-9)
        assert bool(row["significant"]) is bool(expected < 0.05)


def _shipped_category_weights() -> dict[str, float]:
    """Σ w n / Σ n per police.uk category, from the shipped ONS weights and 2017/18 mix."""
    folder = resources.files("safecity.config").joinpath("harm")
    weights, mix = (
        pd.read_csv(
            io.StringIO(folder.joinpath(name).read_text(encoding="utf-8")),
            comment="#",
            dtype={"offence_code": str},
        )
        for name in ("ons_css_weights.csv", "national_offence_mix.csv")
    )
    joined = mix.merge(weights, on="offence_code")
    joined["weighted"] = joined["weight"] * joined["offences"]
    sums = joined.groupby("police_uk_category")[["weighted", "offences"]].sum()
    return (sums["weighted"] / sums["offences"]).to_dict()


def test_harm_uses_the_shipped_weights_and_mix_without_a_loaded_index(
    family_country: Warehouse, families: AllCspsAssessment
) -> None:
    # Nothing loaded: the shipped ONS weights (about Dec 2020) and the shipped national offence
    # mix (England and Wales 2017/18) weigh every CSP's police.uk categories (methods.md §4.1).
    assert "harm" not in families.skipped
    harm = families.tables["all_csps_harm"].set_index("csp_code")
    assert set(harm["index_name"]) == {"ONS Crime Severity Score"}
    assert families.manifest["harm"]["offence_mix"]["financial_year"] == "2017/18"
    means = _shipped_category_weights()
    # By hand: burglary 437,128 offences; Σ w n / Σ n = 380.4883702799016 (shipped files).
    assert means["Burglary"] == pytest.approx(380.4883702799016, rel=1e-12)
    hierarchy = lsoa_hierarchy(family_country)[0]
    exposure = families.indicators.set_index(["indicator_id", "area_code"])["exposure"]
    z = stats.norm.ppf(0.975)
    checked = 0
    for code, lsoas in hierarchy.groupby("csp_code")["lsoa_code"]:
        crimes = police_uk_crimes(family_country, period=PERIOD, lsoa_codes=lsoas.tolist())
        if crimes.empty:
            continue
        checked += 1
        weight = crimes["crime_type"].map(means)
        expected = float((weight * crimes["crimes"]).sum())
        variance = float((weight**2 * crimes["crimes"]).sum())
        row = harm.loc[code]
        assert row["harm"] == pytest.approx(expected, rel=1e-9)
        years = float(exposure[("all_crime", code)])
        assert row["person_years"] == pytest.approx(years)
        assert row["harm_per_1000"] == pytest.approx(1000 * expected / years, rel=1e-9)
        assert row["harm_per_1000_upper"] == pytest.approx(
            1000 * (expected + z * math.sqrt(variance)) / years, rel=1e-9
        )
        assert row["severity_score"] == pytest.approx(expected / row["population"], rel=1e-9)
    assert checked == len(harm) >= 2


# Places 11 and 12 (southshire) get 12 burglaries a month so that its June, when loaded, is not
# a low month (below 80% of the force's median month).
BENCHMARK_ENTRIES = country_csps(
    period_burglary={1: (60, 60), 2: (0, 0), 11: (12, 12), 12: (12, 12)}
)
"""Place 1 planted far above England (Worse), place 2 with no burglary (Better)."""


def test_england_benchmark_and_band_for_every_csp(tmp_path: Path) -> None:
    entries = BENCHMARK_ENTRIES
    with build_country(tmp_path, entries, missing=()) as warehouse:
        result = assess_every_csp(
            warehouse, period=PERIOD, baseline=BASELINE, forces=COUNTRY_FORCES
        )
    table = result.tables["all_csps_benchmarking"]
    burglary = table[table["group_id"] == "burglary"].set_index("csp_code")
    english = [e for e in entries if str(e["csp"]).startswith("E")]
    assert len(english) == 11
    england_count = sum(sum(e["burglary"][1]) for e in english)
    england_population = sum(int(e["population"]) for e in english)
    england_rate = england_count / england_population * 1000
    ranked = sorted((sum(e["burglary"][1]) / int(e["population"]) for e in english), reverse=True)
    indicators = result.indicators.set_index(["indicator_id", "area_code"])
    for entry in english:
        row = burglary.loc[str(entry["csp"])]
        count_, population = sum(entry["burglary"][1]), int(entry["population"])
        lower, upper = _interval(count_)
        lower, upper = lower / population * 1000, upper / population * 1000
        label = "Similar" if lower <= england_rate <= upper else (
            "Worse" if lower > england_rate else "Better"
        )  # fmt: skip
        assert (row["national_name"], row["national_code"]) == ("England", "E92000001")
        assert row["national_rate"] == pytest.approx(england_rate, rel=1e-12)
        assert row["national_label"] == label
        indicator = indicators.loc[("burglary", str(entry["csp"]))]
        assert indicator["benchmark_code"] == "E92000001"
        assert indicator["benchmark_value"] == pytest.approx(england_rate, rel=1e-12)
        assert indicator["benchmark_label"] == label
        rank = 1 + sum(value > count_ / population for value in ranked)
        band = next(b for b in range(1, 11) if rank <= math.floor(b * 0.1 * 11) or b == 10)
        assert (row["rank"], row["rank_of"]) == (rank, 11)
        assert row["band"] == band
        assert row["rank_scope"] == "English CSPs"
    welsh = burglary.loc["W14000010"]
    assert pd.isna(welsh["rank"])
    assert welsh["national_label"] == "Not compared"
    assert indicators.loc[("burglary", "W14000010"), "benchmark_code"] == ""
    assert burglary.loc[str(entries[0]["csp"]), "national_label"] == "Worse"
    assert burglary.loc[str(entries[1]["csp"]), "national_label"] == "Better"
    assert result.manifest["benchmarking"]["national"]["England"]["coverage"] == "complete"
    assert "harm" not in result.skipped  # the shipped ONS weights and national mix


def test_without_national_coverage_the_csps_loaded_are_compared_not_england(
    tmp_path: Path,
) -> None:
    entries = BENCHMARK_ENTRIES
    with build_country(tmp_path, entries) as warehouse:
        result = assess_every_csp(warehouse, period=PERIOD, baseline=BASELINE)
    table = result.tables["all_csps_benchmarking"]
    burglary = table[table["group_id"] == "burglary"].set_index("csp_code")
    members = [e for e in entries if e["force"] == "northshire" and str(e["csp"]).startswith("E")]
    count_ = sum(sum(e["burglary"][1]) for e in members)
    population = sum(int(e["population"]) for e in members)
    values = sorted((sum(e["burglary"][1]) / int(e["population"]) for e in members), reverse=True)
    assert table["national_name"].eq("").all()
    assert table["national_rate"].isna().all()
    assert table["rank"].isna().all()
    assert table["band"].isna().all()
    assert table["band_description"].eq("").all()
    for entry in members:
        row = burglary.loc[str(entry["csp"])]
        assert row["regional_rate"] == pytest.approx(count_ / population * 1000, rel=1e-12)
        own = sum(entry["burglary"][1]) / int(entry["population"])
        assert row["regional_rank"] == 1 + sum(value > own for value in values)
        assert row["regional_rank_of"] == 9
        assert row["rank_scope"] == "the 9 CSPs of the northshire police force's area loaded"
        assert "England" not in row["rank_scope"]
    assert pd.isna(burglary.loc["E22000011", "regional_rank"])
    assert result.indicators["benchmark_code"].eq("").all()
    assert result.indicators["benchmark_value"].isna().all()
    assert "not all of England" in result.skipped["benchmarking_england"]
    regional = result.manifest["benchmarking"]["regional"]["England"]
    assert regional["members"] == [f"Place {i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9)]


def test_public_copies_suppress_counts_from_one_to_four(families: AllCspsAssessment) -> None:
    public = public_tables(families.tables, threshold=5)
    lsoas = public["all_csps_wards_lsoas"]
    partner = families.tables["all_csps_wards_lsoas"]
    small = (partner["count"] > 0) & (partner["count"] < 5)
    assert small.any()
    suppressed = lsoas["suppressed"].astype(bool)
    # Every small count is hidden, with what reveals it; what is not suppressed is shown.
    assert suppressed[small].all()
    assert lsoas.loc[suppressed, ["count", "value", "lower_ci", "upper_ci"]].isna().all().all()
    assert lsoas.loc[~suppressed, "count"].notna().all()
    # Secondary suppression: a CSP's wards and a ward's LSOAs have published totals, so a line
    # with exactly one hidden cell must have no other non-zero cell to hide instead (then its
    # total equals the hidden count and is itself small).
    keys = [partner["group_id"], partner["area_level"], partner["parent_code"]]
    per_line = suppressed.groupby(keys).transform("sum")
    alone = (per_line == 1) & ~suppressed & (partner["count"] > 0)
    assert not alone.any()
    assert (suppressed & ~small).any()  # secondary cells were needed in this country
    deprivation = public["all_csps_deprivation"]
    table = families.tables["all_csps_deprivation"]
    hidden = table["count"].between(1, 4)
    assert deprivation.loc[hidden, "value"].isna().all()
    shown = ~deprivation["suppressed"].astype(bool)
    assert deprivation.loc[shown, "count"].notna().all()
    lines = (
        deprivation["suppressed"]
        .astype(bool)
        .groupby([table["csp_code"], table["group_id"], table["grouping"]])
        .sum()
    )
    assert (lines != 1).all()


def test_harm_is_the_category_approximation_of_the_single_area_family(tmp_path: Path) -> None:
    # The demo city has harm weights: every CSP's harm must equal what the single-area helpers
    # give for its LSOAs (engine counts, then category_harm on the national-mix category
    # weights, methods.md §4.1).
    period = parse_period("2024/25")
    with loaded_demo_city(tmp_path, key="0" * 64) as (_dataset, warehouse):
        result = assess_every_csp(warehouse, period=period)
        harm = result.tables["all_csps_harm"].set_index("csp_code")
        indices = loaded_harm_indices(warehouse)
        name, version = str(indices["index_name"].iloc[0]), str(indices["index_version"].iloc[0])
        weights = harm_weights(warehouse, index_name=name, index_version=version)
        means = category_weights(
            national_offence_mix(warehouse, categories=offence_categories(warehouse)),
            weights=weights,
        )
        hierarchy = lsoa_hierarchy(warehouse)[0]
        population = result.indicators.set_index(["indicator_id", "area_code"])["denominator"]
        for code, lsoas in hierarchy.groupby("csp_code")["lsoa_code"]:
            crimes = police_uk_crimes(warehouse, period=period, lsoa_codes=lsoas.tolist())
            expected = category_harm(crimes, means=means, population=None)
            weighed = expected[expected["mean_weight"].notna()]
            row = harm.loc[code]
            assert row["crimes"] == int(weighed["crimes"].sum())
            assert row["harm"] == pytest.approx(float(weighed["harm"].sum()), rel=1e-9)
            assert row["crimes_excluded_no_weight"] == int(
                expected.loc[expected["mean_weight"].isna(), "crimes"].sum()
            )
            assert row["severity_score"] == pytest.approx(
                float(weighed["harm"].sum()) / population[("all_crime", code)], rel=1e-9
            )
            assert row["index_name"] == name
    assert len(harm) >= 1
    assert "harm" not in result.skipped


def test_the_all_csps_command_writes_every_family_table(tmp_path: Path) -> None:
    _build_family_country(tmp_path).close()
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "assess", "--all-csps", "--period", PERIOD_LABEL, "--baseline", "2020-03..2020-04",
            "--warehouse", str(tmp_path / "w.duckdb"), "--out", str(out), "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = {
        "indicators", "all_csps_wards_lsoas", "all_csps_concentration", "all_csps_deprivation",
        "all_csps_deprivation_gaps", "all_csps_benchmarking", "all_csps_harm",
    }  # fmt: skip
    assert set(manifest["tables"]) == expected
    assert set(manifest["public_tables"]) == expected
    # Not England (no real force loaded): no national figure, a comparison among the CSPs loaded.
    assert set(manifest["skipped"]) == {
        "deprivation_sii_rii", "benchmarking_england", "benchmarking_wales",
    }  # fmt: skip
    assert "England benchmark" not in manifest["families"]
    public = pd.read_csv(out / "public" / "all_csps_wards_lsoas.csv")
    partner = pd.read_csv(out / "all_csps_wards_lsoas.csv")
    # Every count here is from data.police.uk, which publishes each record: published whole by
    # the default disclosure policy (methods.md §0.2a) ...
    assert partner["count"].between(1, 4).any()
    assert not public["suppressed"].any()
    assert public["count"].tolist() == partner["count"].tolist()
    assert manifest["parameters"]["protected_sources"] == [
        "community_reports", "extract", "partner", "survey",
    ]  # fmt: skip
    # ... and a deployment protecting police.uk counts withholds those from 1 to 4.
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "threshold: 5\nprotected_sources: {police_uk: true, extract: true, partner: true,"
        " survey: true, community_reports: true}\n",
        encoding="utf-8",
    )
    protected = tmp_path / "protected"
    result = CliRunner().invoke(
        app,
        ["assess", "--all-csps", "--period", PERIOD_LABEL, "--baseline", "2020-03..2020-04",
         "--warehouse", str(tmp_path / "w.duckdb"), "--out", str(protected),
         "--disclosure-policy", str(policy)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    public = pd.read_csv(protected / "public" / "all_csps_wards_lsoas.csv")
    small = public[public["suppressed"]]
    assert not small.empty
    assert small["count"].isna().all()
    # Every count from 1 to 4 is suppressed (others may be too: secondary suppression).
    assert public.loc[partner["count"].between(1, 4).to_numpy(), "suppressed"].all()
