"""The report speaks readers' words: no methods-specification references, no identifiers.

The rendered HTML (element text, ``alt``, ``title``, ``aria-label``) and the PDF's text are
scanned for what a reader must never see (``plain_words.FORBIDDEN``: "methods.md", "§",
"polarity", option names, ``*_id``, snake_case identifiers). The methods appendix keeps the
specification's sections and the literature, so it is cut out; so is the position against
England and comparators, which another part of the project writes. Texts the assessment engine
writes and the report prints as they are (skip reasons, priority bases, caveats) are the
engine's to word and are allowed here; the findings are scanned on their own.

Each test here scans one audience's demo report (the demo city, ``conftest``); the Southampton
report (real data) is scanned in ``test_real_southampton``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from plain_words import forbidden_in, reader_text
from tests.report.html_parts import parse_html
from tests.report.plain_report import scan_findings, scan_report

from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.document import FigureBlock, Sentence
from safecity.report.evidence import index_rows
from safecity.report.narrative import finding_sentences
from safecity.report.reader_words import column_heading, part_words, shown_columns, table_words
from safecity.report.writer import ReportResult


@pytest.mark.parametrize("audience", ["public", "partners"])
def test_the_reports_own_text_speaks_readers_words(
    audience: str, request: pytest.FixtureRequest, demo_artefact: Path
) -> None:
    """Everything the report writes itself (findings aside): sentences, key figures, notes,
    captions, table headings, chart titles and text alternatives, the HTML and the PDF."""
    report: ReportResult = request.getfixturevalue(f"{audience}_report")
    failures = scan_report(report, demo_artefact, public=audience == "public")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("audience", ["public", "partners"])
def test_the_findings_as_printed_speak_readers_words(
    audience: str, request: pytest.FixtureRequest, demo_artefact: Path
) -> None:
    """The findings too (written by ``safecity assess``): they name tests in plain words,
    with the methods appendix entry as a footnote, and no identifiers."""
    report: ReportResult = request.getfixturevalue(f"{audience}_report")
    failures = scan_findings(report, demo_artefact, public=audience == "public")
    assert failures == [], "\n".join(failures)


def test_the_scanner_finds_what_readers_must_not_see() -> None:
    """The scanner itself, on the texts the report printed before it spoke readers' words."""
    old = (
        "a statistically significant change (exact conditional rate-ratio test"
        " (methods.md §2.2a), p = 1.81e-06). ... worse (Fingertips 95% confidence interval"
        " against a fixed benchmark, polarity low_is_good). no comparator group given"
        " (options.comparators_path: YAML or CSV with a csp_code column); use --comparators."
        " benchmarking row benchmarking:violence_and_sexual_offences:E22000120."
    )
    kinds = {hit.kind for hit in forbidden_in(old)}
    assert kinds == {
        "a reference to the methods specification",
        "a section sign",
        "the word polarity",
        "an option name",
        "a command-line option",
        "a polarity value",
        "a snake_case identifier",
    }
    assert forbidden_in(old, allowed=(old,)) == []
    clean = (
        "That is a 6.9% increase on the baseline (9,866), a change that is statistically"
        " significant (an exact test comparing the two rates, p < 0.001). Data in"
        " tables/monthly-trend-all_crime.csv."
    )
    assert forbidden_in(clean) == []
    assert reader_text(
        '<p title="x_min">Shown <span id="cut">low_is_good</span></p>',
        cut_ids=frozenset({"cut"}),
    ) == ("x_min Shown")


def _marks(html: str) -> list[tuple[str, str]]:
    """(number shown, anchor linked) of every footnote mark in the page."""
    return re.findall(r'<sup class="method-ref"><a href="#([^"]+)"[^>]*>\[(\d+)\]</a></sup>', html)


@pytest.mark.parametrize("audience", ["public", "partners"])
def test_tests_are_named_in_words_with_a_footnote_to_the_methods_appendix(
    audience: str, request: pytest.FixtureRequest
) -> None:
    report: ReportResult = request.getfixturevalue(f"{audience}_report")
    assert report.document is not None
    assert report.html_path is not None
    summary = report.document.section("summary")
    assert summary is not None
    change = next(s for s in summary.sentences() if "a change that is" in s.text)
    assert "(an exact test comparing the two rates, p " in change.text
    assert change.methods == ("rate_ratio_test",)
    html = report.html_path.read_text(encoding="utf-8")
    marks = _marks(html)
    number = report.document.method_refs["rate_ratio_test"].number
    assert ("method-rate-ratio-test", str(number)) in marks
    # Every mark links to the appendix entry of its number, which says what the method is
    root = parse_html(html)
    entries = {
        element.attributes["id"]: element.text
        for element in root.find_all("dt")
        if element.attributes.get("id", "").startswith("method-")
    }
    assert marks
    for anchor, number in marks:
        assert entries[anchor].startswith(f"[{number}] "), (anchor, number)
        assert "(methods specification §" in entries[anchor]
    numbers = [int(text.split("]")[0].lstrip("[")) for text in entries.values()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_findings_methods_become_its_footnotes(demo_artefact: Path) -> None:
    """The ``methods`` column (``;``-joined appendix ids) gives a finding its footnotes;
    an id the appendix does not have is dropped; without the column, none."""
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PARTNERS)
    index = index_rows(artefact)
    findings = artefact.table("findings")
    assert findings is not None
    first = findings.iloc[:2].copy()
    # an older artefact's findings have no methods column: no footnotes
    without = first.drop(columns=["methods"])
    assert finding_sentences(without, index=index, drop_suppressed=False)[0].methods == ()
    first["methods"] = ["rate_ratio_test;fingertips_benchmark", "no_such_method;crude_rate"]
    sentences: list[Sentence] = finding_sentences(first, index=index, drop_suppressed=False)
    assert [sentence.methods for sentence in sentences] == [
        ("rate_ratio_test", "fingertips_benchmark"),
        ("crude_rate",),
    ]
    first["methods"] = [None, pd.NA]
    assert [s.methods for s in finding_sentences(first, index=index, drop_suppressed=False)] == [
        (),
        (),
    ]


def test_chart_data_tables_are_headed_in_words_without_identifier_columns(
    public_report: ReportResult,
) -> None:
    assert public_report.document is not None
    figures: list[FigureBlock] = public_report.document.figures()
    assert figures
    for figure in figures:
        for heading in figure.data_table.columns:
            assert "_" not in heading, (figure.figure_id, heading)
        assert "Group id" not in figure.data_table.columns
        assert "Row id" not in figure.data_table.columns
        assert not figure.source_table.startswith("artefact table")
    # The board edition's trends are small multiples: the panel's crime group comes first.
    trend = next(f for f in figures if f.figure_id == "monthly-trends-violence")
    assert trend.data_table.columns[:4] == ("Crime group", "GSS code", "Month", "Count")
    assert trend.source_table == "the assessment's monthly counts"


def test_parts_tables_and_columns_have_readers_names() -> None:
    names = {"weapon_firearm": "Firearm-enabled crime"}
    assert part_words("hotspots_grid:weapon_firearm", group_names=names) == (
        "Hot spots on a grid: Firearm-enabled crime"
    )
    assert part_words("benchmarking_comparators", group_names=names) == (
        "Comparison with comparator partnerships"
    )
    assert part_words("an_unknown_part", group_names=names) == "An unknown part"
    assert column_heading("lower_ci") == "Lower 95% limit"
    assert column_heading("new_column") == "New column"
    assert shown_columns(["row_id", "group_id", "month", "count", "has_data"]) == [
        "month",
        "count",
    ]
    assert table_words("monthly_series") == "the assessment's monthly counts"
    assert table_words("new_table") == "the assessment's new table"
