"""The report's editions: each demo edition within its page budget (real PDF pages), the
board edition's two-page summary and small multiples, the same structure in both editions,
(recommendations and commentary: tests/report/test_commentary.py).
"""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from tests.report.html_parts import parse_html, pdf_text

from safecity.report.assemble import SECTION_BUILDERS
from safecity.report.document import (
    Cover,
)
from safecity.report.report_config import edition, editions
from safecity.report.writer import ReportResult


def _pages(result: ReportResult) -> int:
    assert result.pdf_path is not None
    return len(PdfReader(result.pdf_path).pages)


@pytest.mark.parametrize("which", ["public", "partners"])
def test_demo_editions_keep_to_their_page_budgets(
    which: str, public_report: ReportResult, partners_report: ReportResult
) -> None:
    result = public_report if which == "public" else partners_report
    budget = edition(which).pages
    pages = _pages(result)
    assert budget.minimum <= pages <= budget.maximum, (which, pages, budget)


def test_board_edition_is_20_to_30_pages_and_shorter_than_the_partners() -> None:
    # The target for the board and public edition (issue 17, point 1).
    budget = edition("public").pages
    assert 20 <= budget.minimum <= budget.maximum <= 30
    assert edition("partners").pages.maximum > budget.maximum


def _first_page_with(pages: list[str], heading: str) -> int:
    return next(number for number, text in enumerate(pages, start=1) if heading in text)


def test_board_summary_takes_at_most_two_pages(public_report: ReportResult) -> None:
    assert public_report.pdf_path is not None
    pages = pdf_text(public_report.pdf_path).split("\f")
    summary = _first_page_with(pages[2:], "1 Summary") + 2
    assert public_report.document is not None
    after_summary = public_report.document.sections[1].title  # the national picture here
    overview = _first_page_with(pages[2:], f"2 {after_summary}") + 2
    assert 1 <= overview - summary <= 2, (summary, overview)
    summary_text = " ".join(pages[summary - 1 : overview - 1])
    assert "Top priorities" in summary_text
    assert "What changed" in summary_text


def test_partners_edition_keeps_the_board_structure(
    public_report: ReportResult, partners_report: ReportResult
) -> None:
    assert public_report.document is not None
    assert partners_report.document is not None
    public = [section.section_id for section in public_report.document.sections]
    partners = [section.section_id for section in partners_report.document.sections]
    # Every section of the board edition is in the partners' edition, in the same order.
    positions = [partners.index(section_id) for section_id in public]
    assert positions == sorted(positions)
    assert len(partners) > len(public)


def test_themes_draw_several_groups_in_one_figure(public_report: ReportResult) -> None:
    assert public_report.document is not None
    violence = public_report.document.section("theme-violence")
    assert violence is not None
    figures = {figure.figure_id: figure for figure in violence.figures()}
    assert set(figures) == {"monthly-trends-violence", "ward-rates-violence"}
    assert public_report.html_path is not None
    page = parse_html(public_report.html_path.read_text(encoding="utf-8"))
    trends = page.find_all("figure", id="monthly-trends-violence")[0]
    svg_text = " ".join(text.text for text in trends.find_all("text"))
    # Three panels, each titled by its crime group (themes.yaml order, groups with data).
    for name in (
        "Violent crime (violence against the person)",
        "Violence and sexual offences",
        "Violence with injury",
    ):
        assert name in svg_text
    # The board edition has far fewer figures than one per chart kind and group.
    assert len(public_report.document.figures()) <= 2 + 2 * 14


def test_board_edition_prints_the_first_findings_and_counts_the_rest(
    public_report: ReportResult, partners_report: ReportResult
) -> None:
    assert public_report.document is not None
    assert partners_report.document is not None
    shown = edition("public").themes.findings
    assert shown is not None
    board = public_report.document.section("theme-violence-findings")
    full = partners_report.document.section("theme-violence-findings")
    assert board is not None
    assert full is not None
    board_ids = [s.finding_id for s in board.sentences()]
    assert len(board_ids) == shown
    assert set(board_ids) <= {s.finding_id for s in full.sentences()}
    note = board.blocks[-1]
    assert "further finding" in getattr(note, "text", "")


def test_every_edition_names_only_known_sections() -> None:
    for name, chosen in editions().items():
        assert set(chosen.sections) <= set(SECTION_BUILDERS), name


def _cover() -> Cover:
    return Cover(
        title="Strategic Assessment",
        area_name="Demoton",
        area_code="E22900001",
        area_vintage="",
        period="2024/25",
        period_months="",
        baseline="2023/24",
        generated_at="31 January 2026",
        generated_at_iso="2026-01-31",
        edition="Board and public edition",
    )
