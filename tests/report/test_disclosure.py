"""The public report: no published count under the suppression threshold, no person-level
section, nothing from a table the public audience cannot read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from tests.report.html_parts import parse_html

from safecity.report.writer import ReportResult

COUNT_COLUMNS = ("count", "numerator", "crimes", "persons", "baseline_count", "baseline_numerator")


def _threshold(artefact: Path) -> int:
    manifest = json.loads((artefact / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["parameters"]["suppression_threshold"])


def test_no_count_under_the_threshold_in_the_public_report(
    public_report: ReportResult, demo_artefact: Path
) -> None:
    threshold = _threshold(demo_artefact)
    assert threshold == 5
    assert public_report.html_path is not None
    page = parse_html(public_report.html_path.read_text(encoding="utf-8"))
    counted = [cell for cell in page.iter() if "data-count" in cell.attributes]
    assert len(counted) > 500  # ward tables and chart data
    small = [
        cell.attributes["data-count"]
        for cell in counted
        if 0 < int(cell.attributes["data-count"]) < threshold
    ]
    assert small == []
    # Suppressed cells say so instead of showing a number.
    assert any(cell.text == "suppressed" for cell in page.find_all("td"))
    # The published chart tables too.
    for table in public_report.table_paths:
        frame = pd.read_csv(table)
        for column in COUNT_COLUMNS:
            if column in frame.columns:
                values = pd.to_numeric(frame[column], errors="coerce").dropna()
                assert not ((values > 0) & (values < threshold)).any(), (table.name, column)


def test_public_findings_quote_no_suppressed_count(
    public_report: ReportResult, demo_artefact: Path
) -> None:
    """The artefact's public findings include a change sentence on a count of 5 against a
    suppressed count ("hate crime - transgender identity"); the report leaves it out."""
    assert public_report.document is not None
    indicators = pd.read_parquet(demo_artefact / "public" / "indicators.parquet")
    suppressed = set(indicators.loc[indicators["suppressed"].astype(bool), "row_id"])
    findings = [s for s in public_report.document.sentences() if s.finding_id is not None]
    assert findings
    for sentence in findings:
        assert suppressed.isdisjoint(sentence.row_ids), sentence.text
        for number in re.findall(r"\((\d[\d,]*) in \d{4}/\d{2}\)", sentence.text):
            assert int(number.replace(",", "")) >= _threshold(demo_artefact), sentence.text


def test_public_report_has_no_person_level_section(
    public_report: ReportResult, partners_report: ReportResult
) -> None:
    assert public_report.document is not None
    assert partners_report.document is not None
    assert public_report.document.section("victims-and-offenders") is None
    assert not any(section.person_level for section in public_report.document.sections)
    people = partners_report.document.section("victims-and-offenders")
    assert people is not None
    assert people.person_level
    assert public_report.html_path is not None
    text = public_report.html_path.read_text(encoding="utf-8")
    assert 'id="victims-and-offenders"' not in text
    assert "repeat victim" not in text.lower()
    assert "people_repeats" not in text
    assert "people_profiles" not in text
