"""Priorities take public concern from the residents' survey (issue 12, ``methods.md`` §8.2).

The fixture's 2022 wave (``tests/support/survey_fixtures.py``) has a "biggest issues" question
whose options cite robbery, shoplifting, vehicle crime, burglary, drugs and ASB, chosen by
about 10%, 20%, 30%, 40%, 60% and 95% of respondents. Equal-count quintiles of six values
(PHEindicatormethods ``phe_quantile``, as the docstring example of
``safecity.stats.quintile_score``: the two lowest share quintile 1, then 2, 3, 4, 5) give 1, 1,
2, 3, 4, 5. ASB's rise from 2021 is significant (+1, kept at 5); the others did not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from small_area import small_area_inputs
from survey_fixtures import AREA, build_survey_warehouse, respondents

from safecity.assess.context import AssessmentInputs, AssessmentOptions
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.families.priorities import (
    CriterionScores,
    load_priority_scoring,
    priority_tables,
    survey_public_concern,
)
from safecity.assess.survey_concern import CONCERN_COLUMNS, ConcernEvidence
from safecity.data.warehouse import Warehouse

COVERED = ["robbery", "shoplifting", "vehicle_crime", "burglary", "drugs", "asb"]
ISSUES = [*COVERED, "criminal_damage_and_arson"]
OPTION_OF = {
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "vehicle_crime": "Vehicle crime",
    "burglary": "Burglary",
    "drugs": "Drug dealing and use",
    "asb": "Anti-social behaviour",
}


def _indicators() -> pd.DataFrame:
    names = {group.id: group.name for group in load_crime_groups()}
    return pd.DataFrame(
        [
            {
                "row_id": f"{issue}:{AREA}:2022/23",
                "indicator_id": issue,
                "indicator_name": names[issue],
                "area_code": AREA,
                "numerator": 100 + 10 * position,
                "change_significant": False,
                "change_ratio": 1.0,
                "change_pct": 0.0,
                "change_p_value": 0.5,
                "baseline_period": "2021/22",
            }
            for position, issue in enumerate(ISSUES)
        ]
    )


def _inputs(warehouse: Warehouse, *, priority_inputs: Path | None) -> AssessmentInputs:
    groups = [group for group in load_crime_groups() if group.id in ISSUES]
    return small_area_inputs(
        warehouse,
        area_code=AREA,
        period="2022/23",
        groups=groups,
        sources={group.id: "police_uk" for group in groups},
        indicators=_indicators(),
        population_year=2022,
        options=AssessmentOptions(priority_inputs_path=priority_inputs),
    )


def _share(wave: str, option: str) -> float:
    weights, hits = [], []
    for person in respondents(wave):
        rows = [row for row in person.answers if row[0] == "biggest_issues" and row[1] == option]
        if rows and rows[0][3]:
            weights.append(person.weight)
            hits.append(rows[0][2])
    return sum(w for w, hit in zip(weights, hits, strict=True) if hit) / sum(weights)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    store = build_survey_warehouse(tmp_path_factory.mktemp("priorities") / "w.duckdb")
    yield store
    store.close()


@pytest.fixture(scope="module")
def matrix(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    inputs_file = tmp_path_factory.mktemp("inputs") / "priority-inputs.yaml"
    inputs_file.write_text(
        "public_concern:\n  asb: 1\n  criminal_damage_and_arson: {score: 2, note: Ward forum}\n",
        encoding="utf-8",
    )
    table, _sensitivity, _skipped, notes = priority_tables(
        _inputs(warehouse, priority_inputs=inputs_file), scoring=load_priority_scoring()
    )
    assert notes["public_concern"]["source"] == "survey"
    assert notes["public_concern"]["wave"] == "2022"
    assert notes["public_concern"]["previous_wave"] == "2021"
    return table.set_index("group_id")


def test_public_concern_scores_are_survey_quintiles(matrix: pd.DataFrame) -> None:
    shares = {issue: _share("2022", OPTION_OF[issue]) for issue in COVERED}
    assert sorted(COVERED, key=shares.__getitem__) == COVERED  # the order the docstring gives
    expected = dict(zip(COVERED, [1, 1, 2, 3, 4, 5], strict=True))
    scores = matrix.loc[COVERED, "public_concern_score"].astype(int).to_dict()
    assert scores == expected
    for issue in COVERED:
        assert matrix.loc[issue, "public_concern_value"] == pytest.approx(shares[issue], abs=1e-12)
        assert matrix.loc[issue, "public_concern_source"] == "survey 2022"
        assert matrix.loc[issue, "public_concern_evidence"].startswith(
            f"survey:2022:biggest_issues:{OPTION_OF[issue]}:all:All respondents"
        )


def test_the_survey_outranks_the_entered_score_and_the_file_fills_the_rest(
    matrix: pd.DataFrame,
) -> None:
    asb = matrix.loc["asb"]
    assert int(asb["public_concern_score"]) == 5  # the file said 1; the survey covers ASB
    before = round(100 * _share("2021", "Anti-social behaviour"))
    assert f"significantly up from {before}% in 2021" in asb["public_concern_basis"]
    assert "chose \u201cAnti-social behaviour\u201d" in asb["public_concern_basis"]
    drugs = matrix.loc["drugs", "public_concern_basis"]
    before = round(100 * _share("2021", "Drug dealing and use"))
    assert f"no significant change from {before}% in 2021 (p = 1)" in drugs
    damage = matrix.loc["criminal_damage_and_arson"]
    assert int(damage["public_concern_score"]) == 2
    assert damage["public_concern_source"] == "priority inputs"
    assert damage["public_concern_basis"] == "entered by the partnership: Ward forum"


def test_significant_change_moves_the_score_within_1_to_5() -> None:
    issues = pd.Index(["a", "b", "c", "d", "e", "f"])
    rows = []
    for position, issue in enumerate(issues):
        rows.append(
            {
                "group_id": issue,
                "wave": "2024",
                "measure": "issues",
                "measure_label": "Issues",
                "category": issue.upper(),
                "value": 0.1 * (position + 1),
                "lower_ci": 0.05 * (position + 1),
                "upper_ci": 0.15 * (position + 1),
                "unweighted_base": 500,
                "row_id": f"survey:2024:issues:{issue.upper()}:all:All respondents",
                "previous_wave": "2023",
                "previous_value": 0.1,
                # a rises (1 -> 2), c falls (2 -> 1), f rises but stays at 5, e falls (4 -> 3)
                "change_significant": issue in {"a", "c", "e", "f"},
                "change_difference": -0.05 if issue in {"c", "e"} else 0.05,
                "change_p_value": 0.01 if issue in {"a", "c", "e", "f"} else 0.5,
                "change_row_id": f"survey_comparison:{issue}",
            }
        )
    evidence = ConcernEvidence(
        wave="2024",
        previous_wave="2023",
        table=pd.DataFrame(rows, columns=list(CONCERN_COLUMNS)),
    )
    area = pd.DataFrame({"row_id": issues}, index=issues)
    result = survey_public_concern(evidence, area=area, scoring=load_priority_scoring())
    assert isinstance(result, CriterionScores)
    # quintiles of 6 rising values: 1, 1, 2, 3, 4, 5
    assert result.score.astype(int).tolist() == [2, 1, 1, 3, 3, 5]
    assert "score +1" in result.basis["a"]
    assert "score -1" in result.basis["c"]
    assert result.evidence["a"] == "survey:2024:issues:A:all:All respondents;survey_comparison:a"


def test_fewer_than_five_issues_are_not_scored_from_the_survey() -> None:
    table = pd.DataFrame(
        [
            {
                "group_id": "asb",
                "wave": "2024",
                "measure": "issues",
                "measure_label": "Issues",
                "category": "ASB",
                "value": 0.4,
                "lower_ci": 0.35,
                "upper_ci": 0.45,
                "unweighted_base": 400,
                "row_id": "survey:x",
                "previous_wave": None,
                "previous_value": np.nan,
                "change_significant": None,
                "change_difference": np.nan,
                "change_p_value": np.nan,
                "change_row_id": "",
            }
        ],
        columns=list(CONCERN_COLUMNS),
    )
    area = pd.DataFrame({"row_id": ["asb", "drugs"]}, index=pd.Index(["asb", "drugs"]))
    result = survey_public_concern(
        ConcernEvidence(wave="2024", previous_wave=None, table=table),
        area=area,
        scoring=load_priority_scoring(),
    )
    assert result.score.isna().all()
    assert result.basis["asb"].startswith("not scored: share of residents citing it in the 2024")
    assert result.basis["drugs"] == "not scored: the 2024 survey does not cover this issue"


def test_without_a_survey_the_entered_scores_stand(tmp_path: Path) -> None:
    inputs_file = tmp_path / "priority-inputs.yaml"
    inputs_file.write_text("public_concern:\n  asb: 4\n", encoding="utf-8")
    with Warehouse(tmp_path / "w.duckdb") as empty:
        table, _s, _k, notes = priority_tables(
            _inputs(empty, priority_inputs=inputs_file), scoring=load_priority_scoring()
        )
    rows = table.set_index("group_id")
    assert int(rows.loc["asb", "public_concern_score"]) == 4
    assert rows.loc["asb", "public_concern_source"] == "priority inputs"
    assert rows.loc["drugs", "public_concern_source"] == ""
    assert notes["public_concern"]["source"] == "priority inputs"
