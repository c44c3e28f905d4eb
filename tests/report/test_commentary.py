"""Recommendations drafted from the priority scores, the analyst's decisions and commentary,
and area context notes, in the report (``safecity report --commentary FILE``).

The artefact is the demo city's (``conftest.demo_artefact``); the report is written once here,
through the command line, with a commentary file that tries a ``<script>`` and a
``javascript:`` link.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from tests.report.html_parts import Element, parse_html
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.commentary import (
    CommentaryError,
    Decision,
    Target,
    parse_commentary,
    render_markdown,
)
from safecity.report.commentary_section import apply_commentary
from safecity.report.document import Cover, Document, Section
from safecity.report.evidence import index_rows, split_row_ids
from safecity.report.recommendations import RecommendationKind, draft_recommendations

runner = CliRunner()

SCRIPT = "<script>alert('commentary')</script>"
COMMENTARY = """\
organisation: Demoton City Council
author: Community Safety Analyst
date: 2025-06-30
recommendations:
  vawg: accept
  violent_crime:
    decision: edit
    text: "Keep violent crime a priority, focused on the city centre at night."
  alcohol_affected: {{decision: reject, reason: "Covered by the night-time economy plan."}}
sections:
  summary: |
    Crime fell overall but **violence** in the centre did not. {script}
    Read [the plan](javascript:alert(1)) and [the council's page](https://example.org/plan).
indicators:
  residential_burglary:
    text: "Operation Hearth ran from October to December 2024."
    organisation: Demoshire Police
    date: 2025-06-12
areas:
  {ward}: "City-centre night-time economy"
"""


@dataclass(frozen=True)
class WrittenReport:
    page: Element
    html: str
    ward_code: str
    ward_name: str


def _busiest_ward(artefact_dir: Path) -> tuple[str, str]:
    indicators = pd.read_parquet(artefact_dir / "public" / "indicators.parquet")
    wards = indicators[
        (indicators["area_level"] == "ward") & (indicators["indicator_id"] == "all_crime")
    ]
    top = wards.sort_values("value", ascending=False).iloc[0]
    return str(top["area_code"]), str(top["area_name"])


@pytest.fixture(scope="module")
def commented_report(
    demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory
) -> WrittenReport:
    """The public report written by ``safecity report --commentary`` with the file above."""
    folder = tmp_path_factory.mktemp("report-commentary")
    ward_code, ward_name = _busiest_ward(demo_artefact)
    commentary = folder / "commentary.yaml"
    commentary.write_text(COMMENTARY.format(script=SCRIPT, ward=ward_code), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "report",
            "--assessment",
            str(demo_artefact),
            "--out",
            str(folder / "out"),
            "--format",
            "html",
            "--audience",
            "public",
            "--generated-at",
            "2026-01-31",
            "--commentary",
            str(commentary),
        ],
    )
    assert result.exit_code == 0, result.output
    html = (folder / "out" / "report.html").read_text(encoding="utf-8")
    return WrittenReport(page=parse_html(html), html=html, ward_code=ward_code, ward_name=ward_name)


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.PARTNERS])
def test_each_recommendation_cites_rows_that_exist(demo_artefact: Path, audience: Audience) -> None:
    artefact = open_artefact(directory=demo_artefact, audience=audience)
    index = index_rows(artefact)
    top = artefact.table("priority_top")
    scores = artefact.table("priority_scores")
    assert top is not None
    assert scores is not None
    drafted = draft_recommendations(scores=scores, top=top, period="2024/25", known_rows=index)
    priorities = [item for item in drafted if item.kind is RecommendationKind.PRIORITY]
    # One per top-N issue, in the matrix's rank order.
    assert [item.group_id for item in priorities] == top.sort_values("rank")["group_id"].tolist()
    for item in drafted:
        assert item.row_ids, item.recommendation_id
        assert item.row_ids[0] == "priority:" + item.recommendation_id.removeprefix(
            "recommendation:"
        )
        for row_id in item.row_ids:
            assert row_id in index, (item.recommendation_id, row_id)
        for driver in item.drivers:
            row = scores[scores["group_id"] == item.group_id].iloc[0]
            assert driver.score == float(row[f"{driver.criterion}_score"]) >= 4
            assert driver.basis == row[f"{driver.criterion}_basis"]
            assert driver.basis in item.text
    # Watch items are outside the top N with a significant increase (trend scored 5).
    for item in drafted:
        if item.kind is RecommendationKind.WATCH:
            row = scores[scores["group_id"] == item.group_id].iloc[0]
            assert not bool(row["in_top"])
            assert float(row["trend_score"]) == 5


def test_a_cited_row_the_artefact_lacks_is_left_out(demo_artefact: Path) -> None:
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PUBLIC)
    index = index_rows(artefact)
    scores = artefact.table("priority_scores")
    assert scores is not None
    first = scores.sort_values("rank").iloc[0]
    changed = scores.copy()
    changed["volume_evidence"] = changed["volume_evidence"].astype(str) + ";no_such_row:E1"
    drafted = draft_recommendations(scores=changed, top=None, period="2024/25", known_rows=index)
    item = next(item for item in drafted if item.group_id == first["group_id"])
    assert "no_such_row:E1" not in item.row_ids
    assert set(split_row_ids(first["volume_evidence"])) <= set(item.row_ids)


def test_a_criterion_not_scored_drives_nothing(demo_artefact: Path) -> None:
    """Harm "not scored" (no score, a basis saying why) is never a reason for a priority."""
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PUBLIC)
    index = index_rows(artefact)
    scores = artefact.table("priority_scores")
    assert scores is not None
    changed = scores.copy()
    changed["harm_score"] = math.nan
    changed["harm_basis"] = "not scored: no harm-weights table is loaded"
    drafted = draft_recommendations(scores=changed, top=None, period="2024/25", known_rows=index)
    assert drafted
    for item in drafted:
        assert all(driver.criterion != "harm" for driver in item.drivers)
        assert not any(row_id.startswith("harm_crime_group:") for row_id in item.row_ids)


def test_markdown_is_sanitised() -> None:
    html = render_markdown(
        f"**Bold** {SCRIPT} [bad](javascript:alert(1)) [mail](mailto:csp@example.org)"
        ' <a href="javascript:alert(2)" onclick="x()">raw</a> <img src=x onerror=alert(3)>'
    )
    page = parse_html(html)
    assert page.find_all("strong")[0].text == "Bold"
    assert page.find_all("script") == []
    assert page.find_all("img") == []
    # Raw HTML is shown as text, never as markup; the only link is the mailto one.
    assert [link.attributes for link in page.find_all("a")] == [
        {"href": "mailto:csp@example.org", "rel": "noopener noreferrer nofollow"}
    ]
    assert "&lt;script&gt;" in html
    assert '<a href="javascript' not in html


def test_the_file_format() -> None:
    commentary = parse_commentary(
        {
            "organisation": "Demoton City Council",
            "date": "2025-06-30",
            "recommendations": {
                "vawg": "accept",
                "asb": {"decision": "edit", "text": "Tackle ASB in the parks."},
                "drugs": {"decision": "Reject", "reason": "Led by the police plan."},
            },
            "areas": {"E05900005": {"note": "Night-time economy", "organisation": "Police"}},
        },
        origin="test",
    )
    assert {key: item.decision for key, item in commentary.decisions.items()} == {
        "vawg": Decision.ACCEPTED,
        "asb": Decision.EDITED,
        "drugs": Decision.REJECTED,
    }
    note = commentary.for_target(Target.AREA)["E05900005"]
    assert note.markdown == "Night-time economy"
    assert note.attribution.words == "Police, 30 June 2025"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"recommendations": {"vawg": "maybe"}}, "accept, edit or reject"),
        ({"recommendations": {"vawg": {"decision": "edit"}}}, "needs text"),
        ({"recommendations": {"vawg": "reject"}}, "needs a reason"),
        ({"areas": {"Bargate": "Night-time economy"}}, "GSS code"),
        ({"sections": {"summary": {"text": "x", "date": "30/06/2025"}}}, "YYYY-MM-DD"),
        ({"comments": {}}, "unknown keys"),
    ],
)
def test_a_file_that_is_not_valid_is_refused(document: object, message: str) -> None:
    with pytest.raises(CommentaryError, match=message):
        parse_commentary(document, origin="commentary.yaml")


def test_the_report_shows_the_decisions(commented_report: WrittenReport) -> None:
    section = commented_report.page.find_all("section", id="recommendations")
    assert len(section) == 1
    text = section[0].text
    assert "Accepted by Demoton City Council (Community Safety Analyst), 30 June 2025." in text
    assert "Keep violent crime a priority, focused on the city centre at night." in text
    assert "Accepted as edited by Demoton City Council" in text
    assert "Rejected by Demoton City Council" in text
    assert "Reason: Covered by the night-time economy plan." in text
    # It sits in the summary, right after the top priorities.
    summary = commented_report.page.find_all("section", id="summary")[0]
    subsections = [
        child.attributes.get("id") for child in summary.children if child.tag == "section"
    ]
    assert subsections[subsections.index("priorities") + 1] == "recommendations"


def test_every_cited_row_in_the_report_exists(
    commented_report: WrittenReport, demo_artefact: Path
) -> None:
    index = index_rows(open_artefact(directory=demo_artefact, audience=Audience.PUBLIC))
    section = commented_report.page.find_all("section", id="recommendations")[0]
    cited = [
        row_id
        for element in section.find_all("span")
        for row_id in split_row_ids(element.attributes.get("data-rows"))
    ]
    assert cited
    assert [row_id for row_id in cited if row_id not in index] == []


def test_commentary_is_escaped_and_shown(commented_report: WrittenReport) -> None:
    asides = commented_report.page.find_all("aside")
    summary = [aside for aside in asides if "violence in the centre" in aside.text]
    assert len(summary) == 1
    assert "Demoton City Council (Community Safety Analyst), 30 June 2025" in summary[0].text
    assert summary[0].find_all("strong")[0].text == "violence"
    assert summary[0].find_all("script") == []
    assert [a.attributes["href"] for a in summary[0].find_all("a")] == ["https://example.org/plan"]
    assert "<script>alert('commentary')" not in commented_report.html
    assert 'href="javascript' not in commented_report.html
    burglary = [aside for aside in asides if "Operation Hearth" in aside.text]
    assert len(burglary) == 1
    assert "Demoshire Police (Community Safety Analyst), 12 June 2025" in burglary[0].text
    # In the residential burglary theme (beside its ward rates).
    theme = commented_report.page.find_all("section", id="theme-residential_burglary")[0]
    assert theme.find_all("table", id="data-ward-rates-residential_burglary")
    assert burglary[0] in theme.iter()


def test_the_context_note_is_beside_the_areas_rate(commented_report: WrittenReport) -> None:
    code, name = commented_report.ward_code, commented_report.ward_name
    rows = [
        row
        for table in commented_report.page.find_all("table")
        if table.attributes.get("id", "").startswith("wards-")
        for row in table.find_all("tr")
        if f"({code})" in row.text
    ]
    # The board edition shows ward rates in the themes' small multiples (ward tables are in
    # the partners' appendix): the note is under every ward-rates figure.
    figures = [
        figure
        for figure in commented_report.page.find_all("figure")
        if any(
            table.attributes.get("id", "").startswith("data-ward-rates-")
            for table in figure.find_all("table")
        )
    ]
    assert figures
    for figure in figures:
        figure_notes = [p.text for p in figure.find_all("p", **{"class": "chart-note"})]
        assert any(
            f"Context: {name} ({code}): City-centre night-time economy" in note
            for note in figure_notes
        ), figure.attributes.get("id")
    for row in rows:
        head = row.find_all("th")[0].text
        assert head == f"{name} ({code}) — Context: City-centre night-time economy"
        assert len(row.find_all("td")) == 5  # the count, rate, interval, comparison, change
    notes = [p.text for p in commented_report.page.find_all("p", **{"class": "chart-note"})]
    assert any(
        f"Context: {name} ({code}): City-centre night-time economy" in note for note in notes
    )


def _small_document() -> Document:
    cover = Cover(
        title="Strategic Assessment",
        area_name="Demoton",
        area_code="E22900001",
        area_vintage="",
        period="2024/25",
        period_months="",
        baseline="2023/24",
        generated_at="31 January 2026",
        generated_at_iso="2026-01-31",
        edition="Public edition",
    )
    return Document(
        cover=cover,
        audience=Audience.PUBLIC,
        marking=None,
        sections=[Section(section_id="summary", number="1", title="Summary")],
    )


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"sections": {"sumary": "Text"}}, "sumary"),
        ({"indicators": {"burglery": "Text"}}, "burglery"),
        ({"areas": {"E05999999": "Text"}}, "E05999999"),
        ({"recommendations": {"drugs": "accept"}}, "drugs"),
    ],
)
def test_an_unknown_target_is_refused(demo_artefact: Path, document: object, named: str) -> None:
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PUBLIC)
    with pytest.raises(CommentaryError, match=named):
        apply_commentary(
            _small_document(),
            artefact=artefact,
            index=index_rows(artefact),
            commentary=parse_commentary(document, origin="commentary.yaml"),
        )
