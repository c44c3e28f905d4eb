"""The indicator page's comparison with other partnerships says what was compared.

The hand-made twelve-CSP country (``csp_country``) is assessed by the engine for place 5 with a
comparator file, loaded and published. Its forces are made up, so its data do not cover England:
the page must show no England figure, name the CSPs loaded with their rank ("1st of 9"), the
comparator group with its members, and say why there is no comparison with England. The words
for an England figure (or "England excluding …") are checked on rows as the core writes them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from csp_country import build_country, country_csps
from web_observatory import cells, element, text

from safecity.assess.context import AssessmentOptions
from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity_web.observatory.publishing import load_draft, publish
from safecity_web.observatory.views.indicators import not_made, row_comparisons

AREA = "E22000005"
NINE = "Place 1, Place 2, Place 3, Place 4, Place 5, Place 6, Place 7, Place 8 and Place 9"


@pytest.fixture(scope="module")
def country_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("benchmark-page")
    comparators = folder / "msg.yaml"
    comparators.write_text("comparators: [E22000001, E22000002, E22000011]\n", encoding="utf-8")
    warehouse = build_country(folder, country_csps(period_burglary={5: (40, 35)}))
    try:
        run_assessment(
            warehouse,
            area_code=AREA,
            period=parse_period("2020-05..2020-06"),
            baseline=parse_period("2020-03..2020-04"),
            out_dir=folder / "out",
            options=AssessmentOptions(comparators_path=comparators),
        )
    finally:
        warehouse.close()
    return folder / "out"


def test_the_page_names_the_csps_loaded_and_never_england(
    db: None, client: Any, country_artefact: Path
) -> None:
    assessment = publish(load_draft(directory=country_artefact), user=None)
    response = client.get(f"/assessments/{assessment.pk}/indicators/burglary/")
    assert response.status_code == 200
    page = response.content.decode()
    row = (
        pd.read_parquet(country_artefact / "public" / "benchmarking.parquet")
        .set_index("group_id")
        .loc["burglary"]
    )
    table = element(page, "benchmarking")
    rows = [cells(found) for found in re.findall(r"<tr\b.*?</tr>", table, flags=re.S)]
    assert rows[1:] == [
        [
            f"The average of the 9 CSPs of the northshire police force's area loaded ({NINE})",
            f"{row['regional_rate']:,.1f}",
            "Significantly higher (worse)",
            "1st of 9",
        ],
        [
            "Its comparator group (Place 1 and Place 2)",
            f"{row['comparator_rate']:,.1f}",
            "Significantly higher (worse)",
            "1st of 3",
        ],
    ]
    assert "England" not in text(table)
    reason = str(row["national_not_made"]).removeprefix("not made: ")
    assert text(element(page, "benchmark-not-made-1")) == f"No comparison with England: {reason}."
    assert reason.startswith("the loaded police.uk data cover 9 CSPs of the northshire police")


def _england_row(**changes: object) -> dict[str, Any]:
    row: dict[str, Any] = {
        "nation": "England",
        "national_name": "England",
        "national_rate": 84.76,
        "national_label": "Worse",
        "national_not_made": "",
        "rank": 21,
        "rank_of": 296,
        "rank_scope": "English CSPs",
        "band_description": "among the highest 10%",
        "regional_rank": None,
        "regional_not_made": "",
        "comparator_rate": None,
        "comparator_label": "Not compared",
    }
    row.update(changes)
    return row


def test_an_england_figure_is_shown_with_its_rank_and_band() -> None:
    (comparison,) = row_comparisons(_england_row())
    assert comparison.compared_with == "England"
    assert comparison.rate == 84.76
    assert comparison.label == "Significantly higher (worse)"
    assert comparison.rank == "21st of 296 English CSPs, among the highest 10%"
    assert not_made(_england_row()) == []


def test_a_subset_is_shown_as_named_never_as_england() -> None:
    row = _england_row(
        national_name="England excluding Greater Manchester Police",
        rank_of=286,
        rank_scope="English CSPs (excluding Greater Manchester Police)",
        national_label="Similar",
    )
    (comparison,) = row_comparisons(row)
    assert comparison.compared_with == "England excluding Greater Manchester Police"
    assert comparison.label == "Not significantly different"
    assert comparison.rank == (
        "21st of 286 English CSPs (excluding Greater Manchester Police), among the highest 10%"
    )
