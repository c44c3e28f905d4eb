"""Family 8 (people) on a hand-made force extract whose every figure is computed here again.

Two LSOAs of one CSP (and one LSOA of another CSP, whose crimes must not count); crimes in the
period 2020/21, in the baseline 2019/20 and after the period. Expected values are counted
directly from the rows below and the intervals computed from their formulas: Wilson
(methods.md §1.2) and Newcombe's hybrid score method 10 (methods.md §2.2b). The planted repeat
victimisation of the demo city (domestic victims repeat with probability 0.5, others 0.2) is
found.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from demo_city import loaded_demo_city
from extract_files import crime, write_extract
from extract_warehouse import extract_warehouse
from family_inputs import extract_family_inputs
from reference_files import TESTHAM_CSP as CSP
from scipy import stats

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.engine import run_assessment
from safecity.assess.families.people import age_band, people
from safecity.assess.periods import Period, parse_period
from safecity.assess.study_area import lsoa_hierarchy
from safecity.data.warehouse import Warehouse

KEY = "a-test-key-for-the-people-family-0123456"
IN_AREA = ("E01000001", "E01000002")

# Crimes: reference, Home Office code, committed from, LSOA, domestic flag.
CRIMES = [
    ("P1", "8N", "10/04/2020 22:00", "E01000001", "Y"),
    ("P2", "8N", "15/01/2021 23:30", "E01000001", "Y"),
    ("P3", "8Q", "01/03/2021 12:00", "E01000002", "Y"),
    ("P4", "105A", "05/05/2020 01:15", "E01000002", "N"),
    ("P5", "105A", "06/06/2020 02:00", "E01000001", "N"),
    ("P6", "28E", "07/07/2020 14:00", "E01000001", "N"),
    ("P7", "46", "08/08/2020 11:00", "E01000002", "N"),
    ("P8", "46", "09/09/2020 16:00", "E01000002", "N"),
    ("P9", "8Q", "10/10/2020 18:00", "E01000001", "N"),
    ("X1", "8N", "11/11/2020 23:00", "E01000009", "Y"),  # another CSP
    ("X2", "8N", "01/05/2021 23:00", "E01000001", "Y"),  # after the period
    ("B1", "8N", "10/04/2019 22:00", "E01000001", "Y"),
    ("B2", "8N", "10/05/2019 22:00", "E01000001", "N"),
    ("B3", "8Q", "10/06/2019 22:00", "E01000002", "Y"),
    ("B4", "105A", "10/07/2019 22:00", "E01000002", "N"),
    ("B5", "28E", "10/08/2019 10:00", "E01000002", "N"),
    ("B6", "46", "10/09/2019 10:00", "E01000001", "N"),
]
# Victims: crime, person, age, sex, ethnicity, type.
VICTIMS = [
    ["P1", "V1", "34", "F", "White", "person"],
    ["P2", "V1", "35", "F", "White", "person"],
    ["P3", "V1", "35", "F", "White", "person"],
    ["P4", "V2", "17", "M", "Asian", "person"],
    ["P5", "V2", "18", "M", "Asian", "person"],
    ["P5", "V3", "70", "F", "Not stated", "person"],
    ["P6", "V4", "", "U", "", "person"],
    ["P7", "SHOP", "", "", "", "organisation"],
    ["P8", "SHOP", "", "", "", "organisation"],
    ["P9", "V5", "45", "F", "Black", "person"],
    ["X1", "V2", "18", "M", "Asian", "person"],
    ["X2", "V2", "19", "M", "Asian", "person"],
    ["B1", "V1", "33", "F", "White", "person"],
    ["B2", "V6", "40", "M", "White", "person"],
]
# Offenders: crime, person, age, sex, ethnicity.
OFFENDERS = [
    ["P1", "O1", "35", "M", "White"],
    ["P2", "O1", "36", "M", "White"],
    ["P3", "O1", "36", "M", "White"],
    ["P4", "O2", "19", "M", "Black"],
    ["P7", "O2", "19", "M", "Black"],
    ["P8", "O3", "25", "F", "Mixed"],
    ["P9", "O4", "50", "M", "Other"],
    ["X1", "O2", "19", "M", "Black"],
]
PERIOD = parse_period("2020/21")
BASELINE = parse_period("2019/20")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = tmp_path_factory.mktemp("people")
    mapping = write_extract(
        folder / "extract",
        crimes=[
            crime(reference, HOCode=code, FromDT=start, LSOA=lsoa, DA=domestic, RecDate="")
            for reference, code, start, lsoa, domestic in CRIMES
        ],
        victims=VICTIMS,
        offenders=OFFENDERS,
    )
    with extract_warehouse(folder, key=KEY, mapping_path=mapping) as (store, reports):
        assert [report.quarantined for report in reports] == [0, 0, 0]
        yield store


def _inputs(
    warehouse: Warehouse, *, area_code: str = CSP, period: Period = PERIOD
) -> AssessmentInputs:
    return extract_family_inputs(warehouse, area_code=area_code, period=period)


@pytest.fixture(scope="module")
def output(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    result = people(_inputs(warehouse))
    return {**result.tables, **{f"public_{k}": v for k, v in result.public_tables.items()}}


def _wilson(x: int, n: int) -> tuple[float, float, float]:
    z = stats.norm.ppf(0.975)
    centre = 2 * x + z**2
    spread = z * math.sqrt(z**2 + 4 * x * (1 - x / n))
    return x / n, (centre - spread) / (2 * (n + z**2)), (centre + spread) / (2 * (n + z**2))


def _in_period(reference: str) -> bool:
    crime_row = next(row for row in CRIMES if row[0] == reference)
    return crime_row[0].startswith("P") and crime_row[3] in IN_AREA


def _expected_repeats(pairs: list[tuple[str, str]]) -> tuple[int, int, int, int]:
    """Crimes, people, repeat people and their crimes, counted from (crime, person) pairs."""
    per_person = Counter(person for _, person in set(pairs))
    repeaters = {person: count for person, count in per_person.items() if count >= 2}
    return sum(per_person.values()), len(per_person), len(repeaters), sum(repeaters.values())


def _row(table: pd.DataFrame, **keys: str) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    for column, value in keys.items():
        mask &= table[column] == value
    rows = table[mask]
    assert len(rows) == 1, keys
    return rows.iloc[0]


VIOLENCE = ("8N", "8Q", "105A")
GROUP_CODES = {
    "all_crime": None,
    "violent_crime": VIOLENCE,
    "stalking_and_harassment": ("8Q",),
    "residential_burglary": ("28E",),
    "shoplifting": ("46",),
}


def _in_group(reference: str, group_id: str) -> bool:
    code = next(row[1] for row in CRIMES if row[0] == reference)
    codes = GROUP_CODES[group_id]
    return codes is None or code in codes


@pytest.mark.parametrize("group_id", list(GROUP_CODES))
@pytest.mark.parametrize("scope", ["all", "person", "organisation"])
def test_repeat_victims_match_a_direct_count(
    output: dict[str, pd.DataFrame], group_id: str, scope: str
) -> None:
    pairs = [
        (row[0], row[1])
        for row in VICTIMS
        if _in_period(row[0])
        and _in_group(row[0], group_id)
        and (scope == "all" or row[5] == scope)
    ]
    repeats = output["people_repeats"]
    if not pairs:
        assert repeats[
            (repeats["role"] == "victim")
            & (repeats["scope"] == scope)
            & (repeats["group_id"] == group_id)
        ].empty
        return
    crimes, persons, repeaters, their_crimes = _expected_repeats(pairs)
    row = _row(repeats, role="victim", scope=scope, group_id=group_id)
    assert (row["crimes"], row["persons"]) == (crimes, persons)
    assert (row["repeat_persons"], row["crimes_by_repeat_persons"]) == (repeaters, their_crimes)
    share, lower, upper = _wilson(repeaters, persons)
    assert row["repeat_person_share"] == pytest.approx(share, rel=1e-12)
    assert row["repeat_person_share_lower_ci"] == pytest.approx(lower, rel=1e-9, abs=1e-12)
    assert row["repeat_person_share_upper_ci"] == pytest.approx(upper, rel=1e-9)
    share, lower, upper = _wilson(their_crimes, crimes)
    assert row["repeat_person_crime_share"] == pytest.approx(share, rel=1e-12)
    assert row["repeat_person_crime_share_lower_ci"] == pytest.approx(lower, rel=1e-9, abs=1e-12)
    assert row["repeat_crime_share"] == pytest.approx((crimes - persons) / crimes, rel=1e-12)
    assert row["row_id"] == f"people_repeats:victim:{scope}:{group_id}:2020/21"


def test_repeat_victims_of_all_crime_by_hand(output: dict[str, pd.DataFrame]) -> None:
    # V1 three crimes, V2 two, the shop two; V3, V4, V5 one each: 10 crimes, 6 victims.
    row = _row(output["people_repeats"], role="victim", scope="all", group_id="all_crime")
    assert row[["crimes", "persons", "repeat_persons", "crimes_by_repeat_persons"]].tolist() == [
        10,
        6,
        3,
        7,
    ]
    assert row["group_crimes"] == 9
    assert row["repeat_person_share"] == pytest.approx(0.5)
    assert row["repeat_person_crime_share"] == pytest.approx(0.7)
    assert row["repeat_crime_share"] == pytest.approx(0.4)
    assert row["crimes_per_repeat_person"] == pytest.approx(7 / 3)


def test_repeat_offenders_match_a_direct_count(output: dict[str, pd.DataFrame]) -> None:
    pairs = [(row[0], row[1]) for row in OFFENDERS if _in_period(row[0])]
    crimes, persons, repeaters, their_crimes = _expected_repeats(pairs)
    assert (crimes, persons, repeaters, their_crimes) == (7, 4, 2, 5)
    row = _row(output["people_repeats"], role="offender", scope="all", group_id="all_crime")
    assert row[["crimes", "persons", "repeat_persons", "crimes_by_repeat_persons"]].tolist() == [
        crimes,
        persons,
        repeaters,
        their_crimes,
    ]
    domestic = _row(
        output["people_repeats"], role="offender", scope="all", group_id="domestic_flagged"
    )
    assert domestic[["crimes", "persons", "repeat_persons"]].tolist() == [3, 1, 1]


def test_victim_profile_uses_each_person_at_their_first_crime(
    output: dict[str, pd.DataFrame],
) -> None:
    profiles = output["people_profiles"]
    victims = profiles[(profiles["role"] == "victim") & (profiles["group_id"] == "all_crime")]
    first: dict[str, list[str]] = {}
    for row in VICTIMS:
        if _in_period(row[0]) and row[5] == "person" and row[1] not in first:
            first[row[1]] = row
    ages = Counter(age_band(float(row[2])) if row[2] else "unknown" for row in first.values())
    # V1 first at 34 (not 35), V2 at 17 (not 18).
    assert ages == Counter({"25-34": 1, "0-17": 1, "65+": 1, "unknown": 1, "45-54": 1})
    bands = victims[victims["dimension"] == "age_band"]
    assert bands["category"].tolist() == [
        "0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown",
    ]  # fmt: skip
    for row in bands.to_dict("records"):
        count = ages.get(row["category"], 0)
        share, lower, upper = _wilson(count, 5)
        assert (row["persons"], row["total_persons"]) == (count, 5)
        assert row["share"] == pytest.approx(share)
        assert row["share_lower_ci"] == pytest.approx(lower, abs=1e-12)
        assert row["share_upper_ci"] == pytest.approx(upper)
    sexes = victims[victims["dimension"] == "sex"].set_index("category")["persons"]
    assert sexes.to_dict() == {"female": 3, "male": 1, "unknown": 1}
    ethnicity = victims[victims["dimension"] == "ethnicity"].set_index("category")["persons"]
    assert ethnicity[ethnicity > 0].to_dict() == {
        "Asian": 1, "Black": 1, "White": 1, "Not stated": 1, "unknown": 1,
    }  # fmt: skip


def test_offender_profile(output: dict[str, pd.DataFrame]) -> None:
    profiles = output["people_profiles"]
    offenders = profiles[(profiles["role"] == "offender") & (profiles["group_id"] == "all_crime")]
    bands = offenders[offenders["dimension"] == "age_band"].set_index("category")["persons"]
    # O1 35, O2 19, O3 25, O4 50 at their first crimes.
    assert bands[bands > 0].to_dict() == {"18-24": 1, "25-34": 1, "35-44": 1, "45-54": 1}


def _newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float]:
    p1, l1, u1 = _wilson(x1, n1)
    p2, l2, u2 = _wilson(x2, n2)
    difference = p1 - p2
    lower = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, lower, upper


def test_domestic_shares_against_the_baseline_with_newcombe(
    output: dict[str, pd.DataFrame],
) -> None:
    shares = output["people_domestic_shares"].set_index("group_id")
    groups = {
        "all_crime": None,
        "violent_crime": VIOLENCE,
        "violence_with_injury": ("8N",),
        "violence_without_injury": ("105A",),
        "stalking_and_harassment": ("8Q",),
        "residential_burglary": ("28E",),
    }
    for group_id, codes in groups.items():

        def counts(prefix: str, codes: tuple[str, ...] | None = codes) -> tuple[int, int]:
            rows = [
                row
                for row in CRIMES
                if row[0].startswith(prefix)
                and row[3] in IN_AREA
                and (codes is None or row[1] in codes)
            ]
            return sum(row[4] == "Y" for row in rows), len(rows)

        domestic, crimes = counts("P")
        base_domestic, base_crimes = counts("B")
        row = shares.loc[group_id]
        assert (row["domestic"], row["crimes"]) == (domestic, crimes), group_id
        assert (row["baseline_domestic"], row["baseline_crimes"]) == (base_domestic, base_crimes)
        assert row["share"] == pytest.approx(domestic / crimes)
        difference, lower, upper = _newcombe(domestic, crimes, base_domestic, base_crimes)
        assert row["difference"] == pytest.approx(difference, abs=1e-12)
        assert row["difference_lower_ci"] == pytest.approx(lower, abs=1e-9)
        assert row["difference_upper_ci"] == pytest.approx(upper, abs=1e-9)
        assert bool(row["significant"]) is (lower > 0 or upper < 0)
    assert (shares.loc["all_crime", "domestic"], shares.loc["all_crime", "crimes"]) == (3, 9)
    assert "Newcombe" in shares.loc["all_crime", "test"]


def test_the_family_publishes_its_shares_whole_for_disclosure_control(
    output: dict[str, pd.DataFrame],
) -> None:
    # Small counts are withheld by the engine's disclosure control, jointly with every other
    # public table (tests/assess/test_disclosure.py); the family hands over the whole table.
    pd.testing.assert_frame_equal(
        output["public_people_domestic_shares"], output["people_domestic_shares"]
    )
    assert set(output) == {
        "people_repeats",
        "people_profiles",
        "people_domestic_shares",
        "public_people_domestic_shares",
    }


def test_small_numbers_make_findings_for_partners_only(warehouse: Warehouse) -> None:
    result = people(_inputs(warehouse))
    # Repeat-victim sentences need enough people; the domestic shares are partners' reading
    # (their rows are withheld in public, so the public findings leave them out: see below).
    assert {finding.finding_id for finding in result.findings} <= {
        f"people_domestic_share_{group}"
        for group in result.tables["people_domestic_shares"]["group_id"]
    }
    assert result.manifest["crimes"] == 9
    with_offender = {row[0] for row in OFFENDERS if _in_period(row[0])}
    assert result.manifest["crimes_with_offender"] == len(with_offender) == 7


def test_no_extract_crimes_is_skipped_with_a_reason(warehouse: Warehouse) -> None:
    result = people(_inputs(warehouse, period=parse_period("2023/24")))
    assert result.tables == {}
    assert "force extract" in result.skipped["people"]
    assert "2023/24" in result.skipped["people"]


def test_the_engine_writes_people_tables_to_partners_only(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "artefact"
    run_assessment(warehouse, area_code=CSP, period=PERIOD, out_dir=out)
    assert (out / "people_repeats.csv").is_file()
    assert (out / "people_profiles.csv").is_file()
    assert not (out / "public" / "people_repeats.csv").exists()
    assert not (out / "public" / "people_profiles.csv").exists()
    public = pd.read_csv(out / "public" / "people_domestic_shares.csv")
    partner = pd.read_csv(out / "people_domestic_shares.csv")
    # Every share here rests on counts under 5 (at most 9 crimes): withheld in public, with
    # the share and its interval (whose width would give the number of crimes); a 0 may show.
    assert (partner["domestic"] < 5).all()
    assert public["suppressed"].all()
    assert (public["domestic"].isna() | (partner["domestic"] == 0)).all()
    assert public.loc[partner["crimes"] < 5, "crimes"].isna().all()
    assert public[["share", "share_lower_ci", "share_upper_ci"]].isna().all().all()
    public_findings = pd.read_csv(out / "public" / "findings.csv")
    assert not public_findings["finding_id"].str.startswith("people_domestic_share").any()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["families"]["people"]["crimes"] == 9
    assert "people" not in manifest["skipped"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[FamilyOutput, dict[str, Any]]:
    """The demo city's last financial year, generated and loaded; this family run on it."""
    folder = tmp_path_factory.mktemp("demo")
    with loaded_demo_city(folder, key=None, first_month="2024-04", months=12) as (dataset, store):
        area_code = str(sorted(lsoa_hierarchy(store)[0]["csp_code"].dropna().unique())[0])
        output = people(_inputs(store, area_code=area_code, period=parse_period("2024/25")))
    return output, dataset.to_json()


def test_demo_domestic_victims_repeat_more_than_others(
    demo: tuple[FamilyOutput, dict[str, Any]],
) -> None:
    output, dataset = demo
    planted = dataset["planted"]
    assert (
        planted["domestic_repeat_victim_probability"] > planted["other_repeat_victim_probability"]
    )
    repeats = output.tables["people_repeats"]
    domestic = _row(repeats, role="victim", scope="person", group_id="domestic_flagged")
    everyone = _row(repeats, role="victim", scope="person", group_id="all_crime")
    # Wilson intervals apart: domestic victims are significantly more often repeat victims.
    assert domestic["repeat_person_share_lower_ci"] > everyone["repeat_person_share_upper_ci"]
    assert domestic["repeat_person_crime_share"] > everyone["repeat_person_crime_share"]
    # Definition A includes first crimes, definition B does not: A > B whenever repeats exist.
    assert everyone["repeat_person_crime_share"] > everyone["repeat_crime_share"] > 0
    assert set(output.public_tables) == {"people_domestic_shares"}
    finding = next(
        item for item in output.findings if item.finding_id == "people_repeat_victims_all_crime"
    )
    share = f"{100 * everyone['repeat_person_share']:.1f}%"
    assert f"{share} of victims experienced more than one crime" in finding.sentence
    assert finding.row_ids == (everyone["row_id"],)
