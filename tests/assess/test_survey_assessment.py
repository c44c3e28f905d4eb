"""The survey family in a whole assessment of the demo city (issue 12): its tables reach the
artefact, public copies hold no value under the minimum base and no respondent rows, and the
public findings quote only published estimates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from demo_city import DEMO_AREA, demo_city
from survey_fixtures import respondents, write_wave

from safecity.assess.artefact import PUBLIC_FOLDER
from safecity.assess.families.priorities import priorities
from safecity.assess.families.survey import survey
from safecity.data.synthetic import DemoDataset
from safecity.data.warehouse import Warehouse


def _load_waves(_dataset: DemoDataset, warehouse: Warehouse) -> None:
    # The fixture's 2021 and 2022 answers, as waves of 2023 and 2024 in the demo CSP.
    for wave, like in (("2023", "2021"), ("2024", "2022")):
        year = int(wave)
        write_wave(
            warehouse,
            wave=wave,
            people=respondents(wave, like=like),
            fieldwork=(date(year, 6, 1), date(year, 9, 30)),
            area_code=DEMO_AREA,
        )


@pytest.fixture(scope="module")
def artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    city = demo_city(
        tmp_path_factory.mktemp("survey-demo"),
        key="test-key-for-the-survey-family",
        families={"survey": survey, "priorities": priorities},
        prepare=_load_waves,
    )
    return city.out


def test_tables_and_manifest(artefact: Path) -> None:
    manifest = json.loads((artefact / "manifest.json").read_text(encoding="utf-8"))
    family = manifest["families"]["survey"]
    assert [item["wave"] for item in family["waves_used"]] == ["2023", "2024"]
    assert [item["relation"] for item in family["waves_used"]] == ["before period", "in period"]
    assert family["minimum_unweighted_base"] == 50
    assert family["methods"] == ["Wilson, Kish effective sample size"]
    assert manifest["families"]["priorities"]["public_concern"]["wave"] == "2024"
    for name in ("survey_waves", "survey_estimates", "survey_comparisons"):
        assert (artefact / f"{name}.parquet").exists()
        assert (artefact / PUBLIC_FOLDER / f"{name}.parquet").exists()


def test_public_survey_tables_never_leak_a_small_base(artefact: Path) -> None:
    public = pd.read_parquet(artefact / PUBLIC_FOLDER / "survey_estimates.parquet")
    assert "respondent_id" not in public.columns
    small = public["unweighted_base"] < 50
    assert small.any()
    assert public.loc[small, ["value", "lower_ci", "upper_ci", "weighted_base"]].isna().all().all()
    for _, rows in public.groupby(["wave", "measure", "category", "group_variable"]):
        assert int(rows["suppressed"].sum()) != 1
    comparisons = pd.read_parquet(artefact / PUBLIC_FOLDER / "survey_comparisons.parquet")
    ward = comparisons[comparisons["group_variable"] == "ward"]
    assert ward["difference"].isna().all()
    for path in (artefact / PUBLIC_FOLDER).glob("*.parquet"):
        assert "respondent_id" not in pd.read_parquet(path).columns, path.name


def test_public_findings_cite_published_estimates(artefact: Path) -> None:
    findings = pd.read_parquet(artefact / PUBLIC_FOLDER / "findings.parquet")
    survey_findings = findings[findings["topic"] == "survey"]
    sentences = " ".join(survey_findings["sentence"])
    assert "fell from 85% in 2023 to 62% in 2024, a statistically significant change" in sentences
    public_ids = (
        set(
            pd.read_parquet(artefact / PUBLIC_FOLDER / "survey_estimates.parquet").query(
                "~suppressed"
            )["row_id"]
        )
        | set(
            pd.read_parquet(artefact / PUBLIC_FOLDER / "survey_comparisons.parquet").query(
                "~suppressed"
            )["row_id"]
        )
        | set(pd.read_parquet(artefact / PUBLIC_FOLDER / "survey_waves.parquet")["row_id"])
    )
    for row_ids in survey_findings["row_ids"]:
        assert set(str(row_ids).split(";")) <= public_ids
    matrix = pd.read_parquet(artefact / "priority_scores.parquet").set_index("group_id")
    assert matrix.loc["asb", "public_concern_source"] == "survey 2024"
