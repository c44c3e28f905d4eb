"""The observatory's survey pages: "What residents told us" and one page per measure.

A light copy of the demo artefact (indicators and findings) gets the survey family's public
tables (``survey_artefact``: two waves, a suppressed age band and a suppressed issue), is
published, and its pages are read: the values printed are the rows' own, a suppressed
estimate reads "fewer than 50 respondents" and never a number, the pages make the same few
queries whatever their number of rows, and an assessment without a survey says why.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from plain_words import describe, forbidden_in, reader_text
from survey_artefact import MINIMUM_BASE, add_survey_tables
from web_observatory import cells, copy_artefact, element, spec

from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.publishing import load_draft, publish

FEWER = f"fewer than {MINIMUM_BASE} respondents"


@pytest.fixture(scope="module")
def survey_folder(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_artefact(
        demo_artefact, tmp_path_factory.mktemp("survey-site"), tables=["indicators", "findings"]
    )
    return add_survey_tables(folder)


@pytest.fixture
def published(db: None, survey_folder: Path) -> PublishedAssessment:
    cache.clear()
    return publish(load_draft(directory=survey_folder), user=None)


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response.content.decode())


def _rows(table: str) -> list[list[str]]:
    return [cells(row) for row in re.findall(r"<tr\b.*?</tr>", table, flags=re.S)][1:]


def test_the_survey_page_lists_the_latest_wave_with_intervals_and_changes(
    client: Any, published: PublishedAssessment
) -> None:
    page = _page(client, f"/assessments/{published.pk}/survey/")
    measures = _rows(element(page, "survey-measures"))
    assert measures == [
        [
            "Feel very or fairly safe walking alone after dark (very or fairly safe)",
            "66.2%",
            "64.2% to 68.2%",
            "2,388",
            "2022 66.2% against 2021 74.1%; \u22127.9 points Significant decrease",
        ],
        [
            "Victim of crime in the last 12 months (victim)",
            "27.1%",
            "25.2% to 29.0%",
            "2,460",
            "2022 27.1% against 2021 26.2%; +0.9 points No significant difference",
        ],
        [
            "Victims who did not report to the police (did not report)",
            "57.1%",
            "53.7% to 60.5%",
            "667",
            "2022 57.1% against 2021 58.3%; \u22121.2 points No significant difference",
        ],
    ]
    issues = _rows(element(page, "survey-issues"))
    assert [row[1] for row in issues] == [
        "Drug dealing and use",
        "Anti-social behaviour",
        "Speeding traffic",
        "Knife crime",
        "Off-road motorbikes",
    ]
    assert issues[0] == ["1", "Drug dealing and use", "41.2%", "39.1% to 43.3%"]
    assert issues[-1] == ["", "Off-road motorbikes", FEWER, ""]
    waves = _rows(element(page, "survey-waves"))
    assert waves[0][1:] == ["10 January 2021 to 20 March 2021", "2,503", "1,911", "Before period"]
    assert f'href="/assessments/{published.pk}/survey/feels_safe_after_dark/"' in page
    chart = spec(page, "spec-survey-headline-measures")
    assert chart["description"].startswith("Dot chart of 3 headline survey measures in 2 wave(s)")
    values = chart["data"]["values"]
    plotted = {(row["measure_label"], str(row["wave"])): row["share"] for row in values}
    assert plotted[("Feel very or fairly safe walking alone after dark", "2021")] == pytest.approx(
        74.1
    )
    assert plotted[("Victim of crime in the last 12 months", "2022")] == pytest.approx(27.1)


def test_a_measure_page_shows_groups_waves_and_comparisons_never_a_suppressed_number(
    client: Any, published: PublishedAssessment
) -> None:
    page = _page(client, f"/assessments/{published.pk}/survey/not_reported/")
    latest = _rows(element(page, "survey-wave-1"))
    assert latest == [
        ["All respondents", "Did not report", "57.1%", "53.7% to 60.5%", "667"],
        ["Age band: 16-24", "Did not report", FEWER, "", FEWER],
    ]
    groups = _rows(element(page, "survey-group-differences"))
    assert groups == [
        [
            "Age band",
            f"16-24: {FEWER}",
            "",
            "",
            f"Not published ({FEWER}) (Newcombe difference with effective sample sizes)",
        ]
    ]
    for number in ("71.3", "55.2", "83.4", "14.2"):
        assert number not in page
    safe = _page(client, f"/assessments/{published.pk}/survey/feels_safe_after_dark/")
    differences = _rows(element(safe, "survey-group-differences"))
    assert differences == [
        [
            "Sex",
            "Female 59.2% against Male 74.2%",
            "\u221215.0 points",
            "\u221218.8 points to \u221211.1 points",
            "Significantly lower (Rao-Scott corrected chi-squared)",
        ]
    ]
    assert client.get(f"/assessments/{published.pk}/survey/no_such_measure/").status_code == 404


def test_the_navigation_and_home_page_link_to_the_survey(
    client: Any, published: PublishedAssessment
) -> None:
    home = _page(client, f"/assessments/{published.pk}/")
    assert f'<a class="govuk-link" href="/assessments/{published.pk}/survey/">' in element(
        home, "home-survey"
    )
    assert "What residents told us</a></li>" in home
    measures = _rows(element(home, "home-survey-measures"))
    assert measures[0] == [
        "Feel very or fairly safe walking alone after dark",
        "66.2%",
        "64.2% to 68.2%",
        "\u22127.9 points Significant decrease",
    ]
    assert len(measures) == 3


def test_an_assessment_without_a_survey_says_why(
    client: Any, db: None, demo_artefact: Path, tmp_path: Path
) -> None:
    folder = copy_artefact(demo_artefact, tmp_path / "plain", tables=["indicators"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest.setdefault("skipped", {})["survey"] = "no survey wave was loaded"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    cache.clear()
    assessment = publish(load_draft(directory=folder), user=None)
    page = _page(client, f"/assessments/{assessment.pk}/survey/")
    assert "This assessment has no residents' survey: no survey wave was loaded." in element(
        page, "survey-absent"
    )
    assert 'id="survey-measures"' not in page


def test_survey_pages_make_the_same_few_queries_whatever_their_rows(
    client: Any, published: PublishedAssessment
) -> None:
    counts = {}
    for measure in ("", "feels_safe_after_dark/", "biggest_issues/", "victim_of_crime/"):
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            _page(client, f"/assessments/{published.pk}/survey/{measure}")
        with CaptureQueriesContext(connection) as warm:
            _page(client, f"/assessments/{published.pk}/survey/{measure}")
        counts[measure] = (len(cold), len(warm))
    assert max(cold for cold, _ in counts.values()) <= 27, counts
    assert max(warm for _, warm in counts.values()) <= 8, counts
    # The measure pages (8, 5 and 2 rows) make the same number of queries.
    assert len({counts[measure] for measure in counts if measure}) == 1, counts


def test_survey_pages_are_in_readers_words(client: Any, published: PublishedAssessment) -> None:
    failures = {}
    for url in ("survey/", "survey/feels_safe_after_dark/", "survey/not_reported/"):
        page = _page(client, f"/assessments/{published.pk}/{url}")
        hits = forbidden_in(reader_text(page))
        if hits:
            failures[url] = describe(hits)
    assert failures == {}
