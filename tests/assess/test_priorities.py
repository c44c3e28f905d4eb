"""Family 11 (priorities): a toy table of six issues scored by hand, and the demo city.

The toy follows methods.md §8.2 ("a fixed toy table of 6 issues with hand-computed scores"):
volume by equal-count quintiles (PHEindicatormethods ``phe_quantile``, §3.1), trend 5/3/1 from
the exact rate-ratio test's verdict, partnership inputs from a YAML file, and the criteria
without evidence (no police.uk or extract crimes to weigh, no extract, a local authority that
is not ranked among CSPs, a change not computed, an input not entered) "not scored": the
priority score is the mean of the scored criteria scaled to the full weight (the shipped rule,
``unscored: rescale``). Totals and ranks are recomputed here independently.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demo_city import demo_city
from small_area import small_area_inputs

from safecity.assess.context import AssessmentInputs, AssessmentOptions
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.families.benchmarking import benchmarking
from safecity.assess.families.harm import harm
from safecity.assess.families.priorities import (
    PriorityConfigError,
    load_priority_scoring,
    parse_priority_scoring,
    priorities,
    priority_tables,
    read_priority_inputs,
)
from safecity.config.packaged_yaml import read_packaged_yaml
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic import DemoDataset
from safecity.data.warehouse import Warehouse

AREA = "E06000001"
DEMO_INDEX_NAME = "Synthetic demo severity index"
DEMO_INDEX = f"{DEMO_INDEX_NAME} demo-1"
FLAT_INDEX = "Flat test index"
ISSUES = ["shoplifting", "burglary", "robbery", "drugs", "vehicle_crime", "asb"]
COUNTS = [120, 4000, 900, 35, 2500, 610]
# change_significant, change_ratio: a significant rise, none, a significant fall, not computed.
CHANGES = [(True, 1.3), (False, 1.05), (True, 0.7), (None, None), (False, 0.97), (True, 1.2)]
PUBLIC_CONCERN = {"asb": 5, "drugs": 4}
ORGANISATIONAL_POSITION = {"burglary": 1}
INPUTS_YAML = """\
public_concern:
  asb: {score: 5, note: "Residents' survey: 41% name ASB"}
  drugs: 4
organisational_position:
  burglary: {score: 1, note: "Burglary plan already funded"}
"""


def _indicators() -> pd.DataFrame:
    names = {group.id: group.name for group in load_crime_groups()}
    rows = [
        {
            "row_id": f"{issue}:{AREA}:2020/21",
            "indicator_id": issue,
            "indicator_name": names[issue],
            "area_code": AREA,
            "numerator": count,
            "change_significant": significant,
            "change_ratio": ratio if ratio is not None else np.nan,
            "change_pct": (ratio - 1) * 100 if ratio is not None else np.nan,
            "change_p_value": (0.01 if significant else 0.4) if ratio is not None else np.nan,
            "baseline_period": "2019/20",
            "change_test": "exact conditional rate-ratio test (methods.md §2.2a)",
        }
        for issue, count, (significant, ratio) in zip(ISSUES, COUNTS, CHANGES, strict=True)
    ]
    total = {**rows[0], "row_id": f"all_crime:{AREA}:2020/21", "indicator_id": "all_crime"}
    total["numerator"] = sum(COUNTS)
    return pd.DataFrame([total, *rows])


def _inputs(warehouse: Warehouse, *, priority_inputs: Path | None) -> AssessmentInputs:
    groups = [group for group in load_crime_groups() if group.id in {*ISSUES, "all_crime"}]
    return small_area_inputs(
        warehouse,
        area_code=AREA,
        period="2020/21",
        groups=groups,
        sources={group.id: "police_uk" for group in groups},
        indicators=_indicators(),
        population_year=2020,
        options=AssessmentOptions(priority_inputs_path=priority_inputs),
    )


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> AssessmentInputs:
    folder = tmp_path_factory.mktemp("toy")
    inputs_file = folder / "priority-inputs.yaml"
    inputs_file.write_text(INPUTS_YAML, encoding="utf-8")
    warehouse = Warehouse(folder / "w.duckdb")
    yield _inputs(warehouse, priority_inputs=inputs_file)  # type: ignore[misc]
    warehouse.close()


def _volume_scores(values: list[int]) -> list[int]:
    """Equal-count quintiles, 5 = highest (phe_quantile: q = ⌊(Q+1) − ⌈((k+1) − r)/(k/Q)⌉⌋)."""
    k = len(values)
    ranks = [1 + sum(other < value for other in values) for value in values]
    return [max(1, math.floor(6 - math.ceil(((k + 1) - rank) / (k / 5)))) for rank in ranks]


def _trend_scores() -> list[int | None]:
    scores: list[int | None] = []
    for significant, ratio in CHANGES:
        if significant is None:
            scores.append(None)  # not computed: not scored
        elif not significant:
            scores.append(3)
        else:
            scores.append(5 if ratio is not None and ratio > 1 else 1)
    return scores


CRITERIA_WEIGHT = 7  # volume, trend, harm, comparator, vulnerability, concern, position


def _rescaled(scores: list[int | None]) -> float:
    """The shipped rule: the mean of the scored criteria times the full weight (7 criteria)."""
    scored = [score for score in scores if score is not None]
    return sum(scored) / len(scored) * CRITERIA_WEIGHT


def test_volume_quintiles_by_hand() -> None:
    assert _volume_scores(COUNTS) == [1, 5, 3, 1, 4, 2]


def test_toy_matrix_weighted_sum(toy: AssessmentInputs) -> None:
    matrix, sensitivity, skipped, notes = priority_tables(toy, scoring=load_priority_scoring())
    volume, trend = _volume_scores(COUNTS), _trend_scores()
    # Harm, comparator position and vulnerability have no evidence: not scored, never 3.
    totals = {
        issue: _rescaled(
            [
                volume[i],
                trend[i],
                PUBLIC_CONCERN.get(issue),
                ORGANISATIONAL_POSITION.get(issue),
            ]
        )
        for i, issue in enumerate(ISSUES)
    }
    # e.g. asb: volume 2, trend 5, concern 5 → 12 / 3 × 7 = 28; drugs: volume 1, concern 4 →
    # 5 / 2 × 7 = 17.5; shoplifting: volume 1, trend 5 → 6 / 2 × 7 = 21.
    assert totals["asb"] == pytest.approx(28.0)
    assert totals["drugs"] == pytest.approx(17.5)
    assert totals["shoplifting"] == pytest.approx(21.0)
    # Ties broken by harm (unscored everywhere here), then by input order.
    expected_order = sorted(ISSUES, key=lambda issue: (-totals[issue], ISSUES.index(issue)))
    assert matrix["group_id"].tolist() == expected_order
    assert matrix["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    by_issue = matrix.set_index("group_id")
    for i, issue in enumerate(ISSUES):
        row = by_issue.loc[issue]
        assert row["priority_score"] == pytest.approx(totals[issue])
        assert row["volume_score"] == volume[i]
        assert row["volume_evidence"] == f"{issue}:{AREA}:2020/21"
        assert math.isnan(row["harm_score"])
        assert row["harm_basis"].startswith("not scored: no weighed crimes for this group")
        assert math.isnan(row["comparator_position_score"])
        assert row["comparator_position_basis"].startswith("not scored: benchmarking ranks")
        assert math.isnan(row["vulnerability_score"])
        assert "harm" in row["not_scored"]
    assert by_issue.loc["shoplifting", "trend_score"] == 5
    assert math.isnan(by_issue.loc["drugs", "trend_score"])
    assert by_issue.loc["drugs", "trend_basis"] == (
        "not scored: change against the baseline not computed"
    )
    assert by_issue.loc["drugs", "scored_criteria"] == 2
    assert by_issue.loc["asb", "public_concern_basis"].endswith("41% name ASB")
    assert by_issue.loc["asb", "public_concern_evidence"] == "input:priority-inputs.yaml"
    assert math.isnan(by_issue.loc["robbery", "public_concern_score"])
    assert by_issue.loc["drugs", "confidence_score"] == 2  # 35 events: 10 to 49
    assert by_issue.loc["burglary", "confidence_score"] == 3
    assert "all_crime" not in by_issue.index
    assert "scaled to the full weight" in by_issue.loc["asb", "score_rule"]
    assert notes["unscored"] == "rescale"
    assert "priorities_comparator_position" in skipped
    # The shipped ONS index is available even with nothing loaded.
    assert set(sensitivity["scenario"]) == {"ONS Crime Severity Score 2020-12", "without harm"}


def test_toy_matrix_exclude_rule(toy: AssessmentInputs) -> None:
    document = read_packaged_yaml("priority_scoring.yaml")
    document["unscored"] = "exclude"
    scoring = parse_priority_scoring(document, origin="test")
    matrix, *_ = priority_tables(toy, scoring=scoring)
    volume, trend = _volume_scores(COUNTS), _trend_scores()
    sums = {
        issue: sum(
            score
            for score in (
                volume[i],
                trend[i],
                PUBLIC_CONCERN.get(issue),
                ORGANISATIONAL_POSITION.get(issue),
            )
            if score is not None
        )
        for i, issue in enumerate(ISSUES)
    }
    assert matrix.set_index("group_id")["priority_score"].to_dict() == sums


def test_toy_matrix_morile_product(toy: AssessmentInputs) -> None:
    document = read_packaged_yaml("priority_scoring.yaml")
    document["combination"] = "morile"
    scoring = parse_priority_scoring(document, origin="test")
    matrix, *_ = priority_tables(toy, scoring=scoring)
    # harm x likelihood: harm is not scored for any toy issue, so no issue has a priority
    # score (never a product with a default harm of 3); ranks then keep input order.
    assert matrix["priority_score"].isna().all()
    assert matrix["group_id"].tolist() == ISSUES
    assert "an issue whose harm is not scored has no priority score" in matrix["score_rule"][0]


def test_family_output_top_and_finding(toy: AssessmentInputs) -> None:
    output = priorities(toy)
    top = output.tables["priority_top"]
    # asb 28, vehicle crime (4 + 3) / 2 × 7 = 24.5, shoplifting 21, burglary (5 + 3 + 1) / 3 × 7
    # = 21 (after shoplifting by input order).
    assert top["group_id"].tolist() == ["asb", "vehicle_crime", "shoplifting", "burglary"]
    finding = output.findings[0]
    assert finding.sentence.startswith(
        "The top 4 crime priorities for Testham in 2020/21 are anti-social behaviour "
        "incidents, vehicle crime, shoplifting and burglary"
    )
    assert "scaled to the full weight" in finding.sentence
    unscored = {item.finding_id: item.sentence for item in output.findings}["priorities_not_scored"]
    assert "harm (every issue)" in unscored
    assert "trend (1 of 6)" in unscored
    assert finding.row_ids == tuple(top["priority_id"])
    public = output.public_tables["priority_scores"]
    assert not any(column.endswith("_value") for column in public)
    assert "count" not in public


def test_public_matrix_drops_the_values_and_keeps_the_texts(toy: AssessmentInputs) -> None:
    indicators = toy.indicators.copy()
    indicators["baseline_numerator"] = 100
    indicators.loc[indicators["indicator_id"] == "robbery", "baseline_numerator"] = 3
    output = priorities(dataclasses.replace(toy, indicators=indicators))
    public = output.public_tables["priority_scores"].set_index("group_id")
    partner = output.tables["priority_scores"].set_index("group_id")
    assert not [column for column in public.columns if column.endswith("_value")]
    assert "count" not in public
    assert "baseline_count" not in public
    # Texts quoting a protected count are withheld with it by the engine's disclosure control
    # (tests/assess/test_disclosure.py), which knows the count's source; the family keeps them.
    assert partner.loc["robbery", "trend_basis"].startswith("decreasing: -30.0%")
    assert public["trend_basis"].to_dict() == partner["trend_basis"].to_dict()


def test_priority_inputs_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "inputs.yaml"
    path.write_text("public_concern: {asb: 7}\n", encoding="utf-8")
    with pytest.raises(PriorityConfigError, match=r"public_concern\.asb: score must be"):
        read_priority_inputs(path, known_groups=["asb"])
    path.write_text("public_concern: {arson: 2}\n", encoding="utf-8")
    with pytest.raises(PriorityConfigError, match="arson: not a crime group"):
        read_priority_inputs(path, known_groups=["asb"])
    path.write_text("public_worry: {asb: 2}\n", encoding="utf-8")
    with pytest.raises(PriorityConfigError, match="unknown criteria"):
        read_priority_inputs(path, known_groups=["asb"])


def test_scoring_config_is_checked() -> None:
    document = read_packaged_yaml("priority_scoring.yaml")
    assert load_priority_scoring().top_n == document["top_n"] == 4
    assert load_priority_scoring().unscored.value == document["unscored"] == "rescale"
    with pytest.raises(PriorityConfigError, match="missing_score is no longer used"):
        parse_priority_scoring({**document, "missing_score": 3}, origin="test")
    del document["weights"]
    with pytest.raises(PriorityConfigError, match="missing key 'weights'"):
        parse_priority_scoring(document, origin="test")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo_priorities")
    inputs_file = folder / "priority-inputs.yaml"
    inputs_file.write_text("public_concern: {asb: 5}\n", encoding="utf-8")

    def load_flat_index(dataset: DemoDataset, warehouse: Warehouse) -> None:
        # A second, flat index (every offence weighs 1): harm is then the number of crimes.
        demo_weights = pd.read_csv(dataset.reference.harm_weights, dtype={"offence_code": str})
        flat = demo_weights.assign(weight=1, index_name=FLAT_INDEX, index_version="1")
        flat.to_csv(folder / "flat-weights.csv", index=False)
        load_reference(warehouse, kind=ReferenceKind.HARM_WEIGHTS, path=folder / "flat-weights.csv")

    city = demo_city(
        folder,
        key="test-key-for-the-priorities-family",
        families={"harm": harm, "benchmarking": benchmarking, "priorities": priorities},
        area_code="E22900001",
        options=AssessmentOptions(priority_inputs_path=inputs_file, harm_index=DEMO_INDEX_NAME),
        prepare=load_flat_index,
    )
    return city.out


def test_demo_planted_shoplifting_rise_scores_top_trend(demo: Path) -> None:
    matrix = pd.read_parquet(demo / "priority_scores.parquet").set_index("group_id")
    shoplifting = matrix.loc["shoplifting"]
    assert shoplifting["trend_score"] == 5
    assert shoplifting["trend_basis"].startswith("increasing: +")
    assert shoplifting["trend_evidence"] == "shoplifting:E22900001:2024/25"
    assert matrix.loc["asb", "public_concern_score"] == 5


def test_demo_every_evidence_id_is_a_row_of_the_artefact(demo: Path) -> None:
    matrix = pd.read_parquet(demo / "priority_scores.parquet")
    known = set(pd.read_parquet(demo / "indicators.parquet")["row_id"])
    known |= set(pd.read_parquet(demo / "harm_by_crime_group.parquet")["row_id"])
    cited = {
        row_id
        for text in matrix["evidence_row_ids"]
        for row_id in str(text).split(";")
        if row_id and not row_id.startswith("input:")
    }
    assert cited
    assert cited <= known
    assert any(row_id.startswith("harm_crime_group:") for row_id in cited)


def test_demo_top_four_sensitivity_and_benchmark_skip(demo: Path) -> None:
    top = pd.read_parquet(demo / "priority_top.parquet")
    assert top["rank"].tolist() == [1, 2, 3, 4]
    sensitivity = pd.read_parquet(demo / "priority_sensitivity.parquet")
    assert set(sensitivity["scenario"]) == {
        DEMO_INDEX,
        f"{FLAT_INDEX} 1",
        "ONS Crime Severity Score 2020-12",
        "without harm",
    }
    findings = pd.read_parquet(demo / "findings.parquet").set_index("finding_id")
    assert findings.loc["priorities_top", "sentence"].startswith(
        "The top 4 crime priorities for Demoton in 2024/25 are "
    )
    manifest = pd.read_json(demo / "manifest.json", typ="series")
    stable = manifest["families"]["priorities"]["top_stable_across_harm_scenarios"]
    tops = sensitivity[sensitivity["in_top"]].groupby("scenario")["group_id"].apply(frozenset)
    assert stable is (tops.nunique() == 1)
    sentence = findings.loc["priorities_sensitivity", "sentence"]
    assert ("are the same under every harm scenario" in sentence) is stable
    assert "without harm" in sentence
    # The demo has one CSP of a made-up force: not England, nothing to rank it among, and the
    # manifest says why.
    reason = manifest["skipped"]["benchmarking"]
    assert "cover 1 CSP of the Demoshire police force (Demoton), not all of England" in reason
    assert "1 CSP of England (Demoton) has complete police.uk data for 2024/25" in reason


def test_demo_harm_scores_match_family_3_and_a_flat_index_by_hand(demo: Path) -> None:
    matrix = pd.read_parquet(demo / "priority_scores.parquet").set_index("group_id")
    harm_table = pd.read_parquet(demo / "harm_by_crime_group.parquet").set_index("group_id")
    groups = pd.read_parquet(demo / "crime_groups.parquet").set_index("group_id")
    with_harm = matrix.index[matrix["harm_value"].notna()]
    # Every extract issue has harm; the one police.uk issue, anti-social behaviour, is not
    # crime and has no weight (police.uk groups with crimes: tests/assess/test_harm.py).
    extract = set(groups.index[groups["source"] == "extract"]) & set(matrix.index)
    assert set(with_harm) == {issue for issue in extract if matrix.loc[issue, "count"] > 0}
    assert matrix.loc["asb", "harm_basis"] == (
        "not scored: no weighed crimes for this group in its source (police_uk)"
    )
    # Under the chosen index, each issue's harm is family 3's harm of that crime group (the
    # demo's sources have the same months, so no annualising).
    for issue in with_harm:
        assert matrix.loc[issue, "harm_value"] == pytest.approx(harm_table.loc[issue, "harm"])
        assert harm_table.loc[issue, "source"] == groups.loc[issue, "source"]
        assert matrix.loc[issue, "harm_evidence"] == f"harm_crime_group:{issue}"
    for issue in matrix.index.difference(with_harm):
        assert math.isnan(matrix.loc[issue, "harm_score"])
        assert matrix.loc[issue, "harm_basis"].startswith("not scored")
    # Under the flat index harm is the count, so the harm score is the count's quintile among
    # the issues with harm; the others are not scored.
    sensitivity = pd.read_parquet(demo / "priority_sensitivity.parquet")
    flat = sensitivity[sensitivity["scenario"] == f"{FLAT_INDEX} 1"].set_index("group_id")
    counts = [int(matrix.loc[issue, "count"]) for issue in with_harm]
    expected = dict(zip(with_harm, _volume_scores(counts), strict=True))
    for issue in matrix.index:
        if issue in expected:
            assert flat.loc[issue, "harm_score"] == expected[issue]
        else:
            assert math.isnan(flat.loc[issue, "harm_score"])
