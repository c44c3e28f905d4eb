"""The all-crime page shows the area against England and its comparators from a published table.

The twelve-CSP country with published severity and recorded-crime tables for the assessed
period (``published_country``) is assessed for place 5, loaded and published. Its police.uk data
are not England, so every England figure on the page must be the published table's, with the
table's publisher, title and period beside it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from published_country import CSS_TITLE, published_country
from web_observatory import cells, element

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity_web.observatory.publishing import load_draft, publish

AREA = "E22000005"


@pytest.fixture(scope="module")
def artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("national-page")
    warehouse = published_country(folder, period_words="May 2020 to June 2020")
    try:
        run_assessment(
            warehouse,
            area_code=AREA,
            period=parse_period("2020-05..2020-06"),
            baseline=parse_period("2020-03..2020-04"),
            out_dir=folder / "out",
        )
    finally:
        warehouse.close()
    return folder / "out"


def test_the_all_crime_page_shows_england_and_comparators_with_sources(
    db: None, client: Any, artefact: Path
) -> None:
    assessment = publish(load_draft(directory=artefact), user=None)
    page = client.get(f"/assessments/{assessment.pk}/indicators/all_crime/").content.decode()
    table = element(page, "national-context")
    rows = [cells(found) for found in re.findall(r"<tr\b.*?</tr>", table, flags=re.S)][1:]
    context = pd.read_parquet(artefact / "public" / "benchmarking_context.parquet")
    severity = context[
        (context["measure"] == "severity")
        & (context["comparison"] == "area")
        & context["source"].str.startswith("published:")
    ].iloc[0]
    expected = [
        "Crime severity score (weighted crimes per resident, not per 1,000)",
        "Place 5",
        f"{severity['value']:,.1f}",
        f"{int(severity['rank'])}th of 11 English CSPs",
        "",
        f"ONS, {CSS_TITLE}, May 2020 to June 2020 (release 2021-01-21)",
    ]
    assert expected in rows
    england = [row for row in rows if row[1] == "England"]
    assert {row[0] for row in england} == {
        "Recorded crimes (crimes)",
        "Crimes per 1,000 residents (per 1,000 residents)",
        "Crime severity score (weighted crimes per resident, not per 1,000)",
    }
    assert all(row[5].startswith("ONS, ") for row in england)
    other = client.get(f"/assessments/{assessment.pk}/indicators/burglary/").content.decode()
    assert 'id="national-context"' not in other
