"""The PDF report: the findings are in its text, every page renders, partners' pages marked."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pypdf import PdfReader
from tests.report.html_parts import comparable, pdf_pages, pdf_text

from safecity.report.writer import ReportResult


def test_pdf_text_has_every_finding(partners_report: ReportResult) -> None:
    assert partners_report.pdf_path is not None
    assert partners_report.document is not None
    text = comparable(pdf_text(partners_report.pdf_path, body_only=True))
    findings = [s for s in partners_report.document.sentences() if s.finding_id is not None]
    assert len(findings) > 100
    missing = [s.text for s in findings if comparable(s.text) not in text]
    assert missing == []
    # And the generated sentences of the summary.
    summary = partners_report.document.section("summary")
    assert summary is not None
    for sentence in summary.sentences():
        assert comparable(sentence.text) in text, sentence.text


def test_every_page_renders_to_png(partners_report: ReportResult, tmp_path: Path) -> None:
    assert partners_report.pdf_path is not None
    pages = pdf_pages(partners_report.pdf_path)
    assert pages > 20
    result = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(partners_report.pdf_path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    assert all(image.stat().st_size > 1000 for image in images)


def test_partners_pdf_is_marked_on_every_page(partners_report: ReportResult) -> None:
    assert partners_report.pdf_path is not None
    pages = pdf_text(partners_report.pdf_path).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == pdf_pages(partners_report.pdf_path)
    for number, page in enumerate(pages, start=1):
        # Header and footer: the marking twice on every page.
        assert page.count("OFFICIAL-SENSITIVE") >= 2, number
        if number > 1:
            assert f"Page {number} of {len(pages)}" in page


def test_pdf_metadata_title_language_and_tags(partners_report: ReportResult) -> None:
    assert partners_report.pdf_path is not None
    reader = PdfReader(partners_report.pdf_path)
    assert reader.metadata is not None
    assert reader.metadata.title == "Strategic Assessment: Demoton 2024/25"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
