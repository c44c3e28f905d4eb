"""Scanning a written report for what readers must not see (see ``plain_words``).

The methods appendix is cut out (it keeps the specification's sections and the literature),
and so is what another part of the project writes (the position against England and the
comparator charts); texts the assessment engine writes are allowed (they are its to word);
the findings are allowed or scanned as the caller asks.
"""

from __future__ import annotations

from pathlib import Path

from plain_words import (
    describe,
    engine_texts,
    finding_texts,
    forbidden_in,
    printed,
    reader_text,
)
from tests.report.html_parts import pdf_text

from safecity.report.document import Document, Note
from safecity.report.writer import ReportResult

METHODS_APPENDIX = "methods"
OTHER_OWNERS = ("position",)
"""Sections another part of the project writes (the position against England)."""
COMPARATOR_FIGURES = "comparators"
METHODS_START = "The statistical methods behind the figures in this report"
GLOSSARY = "Glossary"


def cut_ids(document: Document) -> frozenset[str]:
    """Ids of the HTML elements not scanned: the methods appendix, others' sections and
    figures."""
    figures = {
        figure.figure_id
        for figure in document.figures()
        if figure.figure_id.startswith(COMPARATOR_FIGURES)
    }
    return frozenset({METHODS_APPENDIX, *OTHER_OWNERS, *figures})


def others_texts(document: Document) -> tuple[str, ...]:
    """What other parts of the project write: the position section, comparator figures."""
    found: list[str] = []
    for section_id in OTHER_OWNERS:
        section = document.section(section_id)
        if section is not None:
            found += [sentence.text for sentence in section.sentences()]
            found += [block.text for block in section.blocks if isinstance(block, Note)]
    for figure in document.figures():
        if figure.figure_id.startswith(COMPARATOR_FIGURES):
            found += [figure.title, figure.alt_text, figure.note or ""]
    return tuple(found)


def without_methods_appendix(text: str) -> str:
    """A PDF's text without the methods appendix (from its first sentence to the glossary)."""
    flat = " ".join(text.split())
    start = flat.find(METHODS_START)
    assert start >= 0, "the PDF has no methods appendix"
    end = flat.find(GLOSSARY, start)
    return flat[:start] + flat[end:]


def html_text(report: ReportResult) -> str:
    """What a reader of the HTML report gets, without the methods appendix and the parts
    other owners write."""
    assert report.document is not None
    assert report.html_path is not None
    html = report.html_path.read_text(encoding="utf-8")
    return reader_text(html, cut_ids=cut_ids(report.document))


def scan_report(report: ReportResult, directory: Path, *, public: bool) -> list[str]:
    """What readers must not see in the text the report writes itself (findings and the
    engine's texts aside): the HTML's, then the PDF's (if written); none when clean.

    The PDF's text lays table cells side by side, so an allowed passage printed in a table
    cannot be found whole there; a hit in the PDF is allowed when its text (``§2.2a``,
    ``hotspots_lsoa``) appears in the HTML only inside allowed passages.
    """
    assert report.document is not None
    allowed = (
        engine_texts(directory, public=public)
        + others_texts(report.document)
        + finding_texts(directory, public=public)
    )
    html = html_text(report)
    failures = []
    if hits := forbidden_in(html, allowed=allowed):
        failures.append(f"HTML:\n{describe(hits)}")
    if report.pdf_path is not None:
        own = {hit.match for hit in hits}
        elsewhere = {hit.match for hit in forbidden_in(html)} - own
        pdf = without_methods_appendix(pdf_text(report.pdf_path, body_only=True))
        pdf_hits = [hit for hit in forbidden_in(pdf, allowed=allowed) if hit.match not in elsewhere]
        if pdf_hits:
            failures.append(f"PDF:\n{describe(pdf_hits)}")
    return failures


def scan_findings(report: ReportResult, directory: Path, *, public: bool) -> list[str]:
    """What readers must not see in the findings the report prints (``safecity assess``
    writes them), each finding once; none when clean."""
    findings = finding_texts(directory, public=public)
    texts = [html_text(report)]
    if report.pdf_path is not None:
        texts.append(without_methods_appendix(pdf_text(report.pdf_path, body_only=True)))
    shown = {finding for text in texts for finding in printed(findings, text=text)}
    return [describe(hits) for finding in sorted(shown) if (hits := forbidden_in(finding))]
