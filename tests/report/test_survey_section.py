"""The report's "What residents told us" section, from the survey family's tables.

The demo artefact is copied and given the survey tables (``survey_artefact``: two waves,
feeling safe after dark falling from 74.1% to 66.2%, a suppressed age band and a suppressed
issue); the section is built for both audiences and its sentences and charts checked against
those rows. Without the tables the section is absent and the data quality section says why
(the manifest's skipped reason when it gives one).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from plain_words import describe, forbidden_in
from survey_artefact import ISSUES, MINIMUM_BASE, SUPPRESSED_GROUP, add_survey_tables

from safecity.report.artefact_reader import AssessmentArtefact, Audience, open_artefact
from safecity.report.assemble import SECTION_BUILDERS, Assembly
from safecity.report.charts import ChartRenderer
from safecity.report.context import ReportContext
from safecity.report.document import FigureBlock, Note, Section
from safecity.report.evidence import index_rows
from safecity.report.report_config import edition
from safecity.report.survey_section import survey_section

FEWER = f"fewer than {MINIMUM_BASE} respondents"


@pytest.fixture(scope="module")
def survey_artefact(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("survey-artefact") / "assessment"
    shutil.copytree(demo_artefact, folder)
    return add_survey_tables(folder)


def _context(artefact: AssessmentArtefact) -> ReportContext:
    manifest = artefact.manifest
    return ReportContext(
        artefact=artefact,
        index=index_rows(artefact),
        area_code=artefact.area_code,
        area_name=str(manifest["area"]["name"]),
        period=str(manifest["parameters"]["period"]),
        baseline=str(manifest["parameters"].get("baseline", "")),
        threshold=int(manifest["parameters"].get("suppression_threshold", 5)),
    )


def _section(folder: Path, audience: Audience) -> tuple[Section, ChartRenderer]:
    artefact = open_artefact(directory=folder, audience=audience)
    renderer = ChartRenderer(artefact=artefact)
    section = survey_section(_context(artefact), renderer, detailed=audience is Audience.PARTNERS)
    assert section is not None
    return section, renderer


def _texts(section: Section) -> list[str]:
    return [sentence.text for sentence in section.sentences()]


@pytest.mark.parametrize("audience", list(Audience))
def test_headline_measures_with_the_change_between_waves(
    survey_artefact: Path, audience: Audience
) -> None:
    section, _ = _section(survey_artefact, audience)
    texts = _texts(section)
    assert texts[0].startswith(
        "From the Demoton community safety survey, waves 2021 (2,503 respondents, fieldwork"
        " 10 January 2021 to 20 March 2021, before the assessment period, for comparison) and 2022"
    )
    safe = next(text for text in texts if text.startswith("Feel very or fairly safe"))
    assert safe == (
        "Feel very or fairly safe walking alone after dark (very or fairly safe): 66.2% (95%"
        " confidence interval 64.2% to 68.2%) in 2022, down from 74.1% in 2021: a statistically"
        " significant decrease (Newcombe's interval for the difference of two weighted shares,"
        " p < 0.001)."
    )
    victim = next(text for text in texts if text.startswith("Victim of crime"))
    assert "27.1% (95% confidence interval 25.2% to 29.0%) in 2022, up from 26.2% in 2021" in (
        victim
    )
    assert "not a statistically significant change" in victim
    assert any(text.startswith("Victims who did not report") for text in texts)
    headline = section.figures()[0]
    assert headline.figure_id == "survey-headline-measures"
    assert "In 2022: Feel very or fairly safe" in headline.alt_text
    assert headline.note is not None
    assert "Unweighted bases from 649 to 2,475" in headline.note
    rows = {(row[0].text, row[1].text): row for row in headline.data_table.rows}
    assert rows[("Feel very or fairly safe walking alone after dark", "2021")][3].text == "74.1"


def test_the_board_edition_is_short_and_the_partners_edition_complete(
    survey_artefact: Path,
) -> None:
    board, board_charts = _section(survey_artefact, Audience.PUBLIC)
    partners, partners_charts = _section(survey_artefact, Audience.PARTNERS)
    assert [figure.figure_id for figure in board.figures()] == ["survey-headline-measures"]
    assert board.subsections == []
    assert [figure.figure_id for figure in partners.figures()] == [
        "survey-headline-measures",
        "survey-biggest-issues-biggest_issues",
    ]
    assert len(board_charts.rendered) == 1
    assert len(partners_charts.rendered) == 2
    assert [sub.title for sub in partners.subsections] == [
        "Differences between groups of residents",
        "The biggest issues",
    ]
    groups = _texts(partners.subsections[0])
    assert groups == [
        "Feel very or fairly safe walking alone after dark (very or fairly safe), by sex:"
        " 59.2% among Female against 74.2% among Male, 15.0 percentage points lower, 95%"
        " confidence interval -18.8 to -11.1 points; statistically significant (a Rao–Scott"
        " corrected chi-squared test allowing for the survey design, p < 0.001)."
    ]
    issues = _texts(partners.subsections[1])[0]
    assert issues.startswith(
        "Most often named in 2022 (5 issues offered; residents could name more than one):"
        " Drug dealing and use (41.2%, 95% confidence interval 39.1% to 43.3%); Anti-social"
        " behaviour (37.7%"
    )
    chart = partners.figures()[1]
    ranked = [row[0].text for row in chart.data_table.rows]
    assert ranked == [*ISSUES, "Off-road motorbikes"]
    headings = [block.heading for block in partners.blocks if hasattr(block, "heading")]
    assert headings == ["Perceptions", "Victimisation"]


@pytest.mark.parametrize("audience", list(Audience))
def test_suppressed_estimates_read_fewer_than_n_respondents_never_a_number(
    survey_artefact: Path, audience: Audience
) -> None:
    section, renderer = _section(survey_artefact, audience)
    chart_rows: list[list[str]] = []
    for block in section.figures():
        assert isinstance(block, FigureBlock)
        chart_rows += [[cell.text for cell in row] for row in block.data_table.rows]
    suppressed = [row for row in chart_rows if FEWER in row]
    if audience is Audience.PARTNERS:
        assert [row[0] for row in suppressed] == ["Off-road motorbikes"]
        assert suppressed[0][2:6] == ["suppressed"] * 4
        assert "1 issue(s) on fewer than 50 respondents not shown." in section.figures()[1].alt_text
    for figure, svg in renderer.rendered:
        hidden = figure.data[figure.data["suppressed"]]
        assert hidden[["share", "share_lower", "share_upper"]].isna().all().all()
        for value in ("1.7", "71.3", "0.6", "4.7", "55.2", "83.4"):
            assert f">{value}%" not in svg
            assert f">{value}<" not in svg
        if not hidden.empty:
            assert FEWER in svg
    text = " ".join(_texts(section))
    for number in ("71.3%", "1.7%", "55.2%", "83.4%"):
        assert number not in text
    assert SUPPRESSED_GROUP not in text


def test_the_section_is_placed_after_the_national_picture_in_both_editions() -> None:
    for audience in ("public", "partners"):
        sections = edition(audience).sections
        assert sections.index("residents") == sections.index("national") + 1


def _data_quality_notes(folder: Path) -> list[str]:
    artefact = open_artefact(directory=folder, audience=Audience.PUBLIC)
    context = _context(artefact)
    assembly = Assembly(
        context=context,
        edition=edition("public"),
        general=[],
        person_level=[],
        topics={},
        renderer=ChartRenderer(artefact=artefact),
    )
    assert SECTION_BUILDERS["residents"](assembly) == []
    (quality,) = SECTION_BUILDERS["data_quality"](assembly)
    return [block.text for block in quality.blocks if isinstance(block, Note)]


def test_without_survey_tables_the_section_is_absent_and_data_quality_says_why(
    demo_artefact: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "assessment"
    shutil.copytree(demo_artefact, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for key in ("tables", "public_tables"):
        for name in ("survey_waves", "survey_estimates", "survey_comparisons"):
            manifest[key].pop(name, None)
    manifest.setdefault("skipped", {}).pop("survey", None)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert _data_quality_notes(folder) == [
        "This report has no “What residents told us” section: no residents' survey wave was"
        " loaded for this assessment's period."
    ]
    manifest["skipped"]["survey"] = (
        "no survey wave's fieldwork falls in or next to 2024/25 (loaded: 2019)"
    )
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    notes = _data_quality_notes(folder)
    assert notes == [
        "This report has no “What residents told us” section: no survey wave's fieldwork falls"
        " in or next to 2024/25 (loaded: 2019)."
    ]
    assert not re.search(r"\d+(\.\d)?%", notes[0])


@pytest.mark.parametrize("audience", list(Audience))
def test_the_section_is_in_readers_words(survey_artefact: Path, audience: Audience) -> None:
    section, _ = _section(survey_artefact, audience)
    texts = [*_texts(section), section.title, *(sub.title for sub in section.subsections)]
    for figure in section.figures():
        texts += [figure.title, figure.alt_text, figure.note or "", *figure.data_table.columns]
    hits = forbidden_in("\n".join(texts))
    assert hits == [], describe(hits)
