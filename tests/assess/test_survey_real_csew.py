"""Survey estimates on the real Crime Survey for England and Wales 2013-14 open teaching
dataset (UK Data Service SN 8011; ``../shared/data/survey``), written into the warehouse as
migration 0007 describes, against an independent computation from the SPSS file.

WALKDARK is asked of a module subsample (system-missing: not asked, no row), 8 refusal and
9 don't know are not valid; very or fairly safe (1, 2) is the headline. BCSVICTIM is asked of
everyone. Weight: INDIVWGT (``IndivWgtx``). The independent computation reads the file with
pyreadstat and applies ``methods.md`` §10 with plain pandas arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from survey_fixtures import Respondent, write_wave

from safecity.assess.survey_estimates import survey_estimates
from safecity.data.warehouse import Warehouse

Z = 1.959963984540054
FILE = "survey/crime-survey-csew1314teachingopen.sav"
CODEBOOK = {
    "survey": "csew",
    "characteristics": {"sex": {"categories": {"Male": [1], "Female": [2]}}},
    "measures": {
        "feels_safe_after_dark": {
            "label": "Feel very or fairly safe walking alone after dark",
            "kind": "single",
            "categories": {"Very or fairly safe": [1, 2], "A bit or very unsafe": [3, 4]},
            "headline": "Very or fairly safe",
        },
        "victim_of_crime": {
            "label": "Victim of crime in the last 12 months",
            "kind": "single",
            "categories": {"Victim": [1], "Not a victim": [0]},
            "headline": "Victim",
        },
    },
}


@pytest.fixture(scope="module")
def survey_file(shared_data: Path) -> pd.DataFrame:
    frame, _meta = pyreadstat.read_sav(str(shared_data / FILE))
    return frame


def _people(frame: pd.DataFrame) -> list[Respondent]:
    people = []
    for row in frame.itertuples(index=False):
        person = Respondent(respondent_id=str(int(row.rowlabel)), weight=float(row.IndivWgtx))
        person.characteristics["sex"] = {1.0: "Male", 2.0: "Female"}[row.sex]
        walk = row.walkdark
        if walk in (1.0, 2.0):
            person.answers.append(("feels_safe_after_dark", "Very or fairly safe", True, True))
        elif walk in (3.0, 4.0):
            person.answers.append(("feels_safe_after_dark", "A bit or very unsafe", True, True))
        elif walk in (8.0, 9.0):
            person.answers.append(("feels_safe_after_dark", "Refused or don't know", True, False))
        person.answers.append(
            ("victim_of_crime", "Victim" if row.bcsvictim == 1.0 else "Not a victim", True, True)
        )
        people.append(person)
    return people


@pytest.fixture(scope="module")
def table(
    survey_file: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[pd.DataFrame]:
    with Warehouse(tmp_path_factory.mktemp("csew") / "w.duckdb") as warehouse:
        write_wave(warehouse, wave="2013-14", people=_people(survey_file), codebook=CODEBOOK)
        yield survey_estimates(warehouse=warehouse, wave="2013-14", by="sex")


def _independent(valid: pd.DataFrame, hit: pd.Series) -> dict[str, float]:
    weight = valid["IndivWgtx"]
    value = float((weight * hit).sum() / weight.sum())
    effective = float(weight.sum() ** 2 / (weight**2).sum())
    centre = value + Z**2 / (2 * effective)
    spread = Z * math.sqrt(value * (1 - value) / effective + Z**2 / (4 * effective**2))
    return {
        "value": value,
        "lower_ci": (centre - spread) / (1 + Z**2 / effective),
        "upper_ci": (centre + spread) / (1 + Z**2 / effective),
        "unweighted_base": len(valid),
        "effective_sample_size": effective,
    }


def _row(table: pd.DataFrame, measure: str, category: str, group: str) -> pd.Series:
    rows = table[
        (table["measure"] == measure) & (table["category"] == category) & (table["group"] == group)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_feeling_safe_after_dark_among_the_module_subsample(
    survey_file: pd.DataFrame, table: pd.DataFrame
) -> None:
    valid = survey_file[survey_file["walkdark"].isin([1, 2, 3, 4])]
    assert len(valid) == 2057  # 624 very + 824 fairly safe + 411 a bit + 198 very unsafe
    expected = _independent(valid, valid["walkdark"].isin([1, 2]))
    row = _row(table, "feels_safe_after_dark", "Very or fairly safe", "All respondents")
    for column, value in expected.items():
        assert float(row[column]) == pytest.approx(value, rel=1e-12, abs=1e-12), column
    assert bool(row["headline"])
    women = survey_file[(survey_file["sex"] == 2) & survey_file["walkdark"].isin([1, 2, 3, 4])]
    female = _row(table, "feels_safe_after_dark", "Very or fairly safe", "Female")
    assert float(female["value"]) == pytest.approx(
        _independent(women, women["walkdark"].isin([1, 2]))["value"], abs=1e-12
    )


def test_victimisation_rate(survey_file: pd.DataFrame, table: pd.DataFrame) -> None:
    expected = _independent(survey_file, survey_file["bcsvictim"] == 1)
    row = _row(table, "victim_of_crime", "Victim", "All respondents")
    assert int(row["unweighted_base"]) == 8843
    for column, value in expected.items():
        assert float(row[column]) == pytest.approx(value, rel=1e-12, abs=1e-12), column
