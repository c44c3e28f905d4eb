"""Every number the narrative prints is the number of the artefact row it cites.

The rows are read here straight from the artefact's Parquet files with pandas (not through the
report's own row index), formatted with the report's formatting functions, and looked for in
the sentence that cites them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from safecity.report import formatting
from safecity.report.document import Citation, Document, Sentence
from safecity.report.formatting import format_count
from safecity.report.writer import ReportResult

FORMATTERS = {
    "numerator": formatting.format_count,
    "baseline_numerator": formatting.format_count,
    "multiplier": formatting.format_count,
    "rank": formatting.format_count,
    "rank_of": formatting.format_count,
    "value": formatting.format_rate,
    "rate": formatting.format_rate,
    "lower_ci": formatting.format_rate,
    "upper_ci": formatting.format_rate,
    "national_rate": formatting.format_rate,
    "regional_rate": formatting.format_rate,
    "regional_rank": formatting.format_count,
    "regional_rank_of": formatting.format_count,
    "comparator_rate": formatting.format_rate,
    "change_p_value": formatting.format_p_value,
    "severity_score": formatting.format_decimal,
    "mean_weight": formatting.format_decimal,
    "harm_share_pct": formatting.format_percent,
    "volume_share_pct": formatting.format_percent,
    "priority_score": formatting.format_score,
}
ID_COLUMNS = ("row_id", "priority_id", "benchmark_id")


def _tables(folder: Path, key: str) -> dict[str, pd.DataFrame]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    base = folder / "public" if key == "public_tables" else folder
    return {name: pd.read_parquet(base / entry["parquet"]) for name, entry in manifest[key].items()}


def _row(tables: dict[str, pd.DataFrame], table: str, row_id: str) -> pd.Series:
    frame = tables[table]
    column = next(column for column in ID_COLUMNS if column in frame.columns)
    rows = frame[frame[column].astype(str) == row_id]
    assert len(rows) >= 1, f"{row_id} is not a row of {table}"
    return rows.iloc[0]


def _check_citation(citation: Citation, text: str, tables: dict[str, pd.DataFrame]) -> None:
    row = _row(tables, citation.table, citation.row_id)
    raw = row[citation.column]
    if citation.column in FORMATTERS:
        assert citation.text == FORMATTERS[citation.column](raw), (citation, raw)
    elif citation.column == "change_pct":
        # As a change ("2.0% increase") in sentences, signed ("+2.0%") in key figures.
        assert citation.text in {
            formatting.format_change(raw),
            formatting.format_signed_percent(raw),
        }, (citation, raw)
    else:
        # Text (names, periods, labels), printed as it is or with a lower-case first letter.
        assert citation.text.lower() == str(raw).lower(), (citation, raw)
    assert citation.text in text, (citation.text, text)


def _all_cited(document: Document) -> list[tuple[str, tuple[Citation, ...]]]:
    cited = [(sentence.text, sentence.citations) for sentence in document.sentences()]
    cited += [(f"{box.value} {box.detail}", box.citations) for box in document.key_figures]
    return cited


@pytest.mark.parametrize("audience", ["partners", "public"])
def test_every_cited_number_is_the_artefact_value(
    audience: str, request: pytest.FixtureRequest, demo_artefact: Path
) -> None:
    report: ReportResult = request.getfixturevalue(f"{audience}_report")
    assert report.document is not None
    tables = _tables(demo_artefact, "tables" if audience == "partners" else "public_tables")
    cited = _all_cited(report.document)
    citations = [citation for _, entries in cited for citation in entries]
    # The summary cites the headline volume, rate, change and severity at least.
    cited_columns = {(citation.table, citation.column) for citation in citations}
    assert {
        ("indicators", "numerator"),
        ("indicators", "value"),
        ("indicators", "change_pct"),
        ("indicators", "change_p_value"),
        ("harm_total", "severity_score"),
        ("priority_scores", "priority_score"),
    } <= cited_columns
    for text, entries in cited:
        for citation in entries:
            _check_citation(citation, text, tables)


def test_summary_states_the_demo_city_headline(
    partners_report: ReportResult, demo_artefact: Path
) -> None:
    assert partners_report.document is not None
    indicators = pd.read_parquet(demo_artefact / "indicators.parquet")
    row = indicators[indicators["row_id"] == "all_crime:E22900001:2024/25"].iloc[0]
    summary = partners_report.document.section("summary")
    assert summary is not None
    first = summary.sentences()[0]
    assert first.row_ids == ("all_crime:E22900001:2024/25",)
    assert first.text.startswith(f"In 2024/25, {format_count(row['numerator'])} crimes")
    assert f"{row['value']:.1f} per 1,000 residents" in first.text


def _findings(document: Document) -> list[Sentence]:
    return [sentence for sentence in document.sentences() if sentence.finding_id is not None]


@pytest.mark.parametrize("audience", ["partners", "public"])
def test_findings_cite_rows_the_audience_reads(
    audience: str, request: pytest.FixtureRequest, demo_artefact: Path
) -> None:
    report: ReportResult = request.getfixturevalue(f"{audience}_report")
    assert report.document is not None
    tables = _tables(demo_artefact, "tables" if audience == "partners" else "public_tables")
    ids = {
        str(value)
        for frame in tables.values()
        for column in ID_COLUMNS
        if column in frame.columns
        for value in frame[column]
    }
    findings = _findings(report.document)
    # The board (public) edition prints two findings per theme (editions.yaml).
    assert len(findings) > (50 if audience == "partners" else 30)
    for sentence in findings:
        assert set(sentence.row_ids) <= ids, sentence
        if sentence.finding_id and sentence.finding_id.startswith("change_"):
            row = _row(tables, "indicators", sentence.row_ids[0])
            # The change findings print this period's count and the baseline's.
            assert f"({format_count(row['numerator'])} in" in sentence.text
            assert f"({format_count(row['baseline_numerator'])})" in sentence.text


def test_every_finding_of_the_partners_artefact_is_in_the_partners_report(
    partners_report: ReportResult, demo_artefact: Path
) -> None:
    assert partners_report.document is not None
    findings = pd.read_parquet(demo_artefact / "findings.parquet")
    printed = {sentence.finding_id for sentence in _findings(partners_report.document)}
    assert printed == set(findings["finding_id"])


def test_public_report_leaves_out_findings_on_person_level_rows(
    public_report: ReportResult, demo_artefact: Path
) -> None:
    assert public_report.document is not None
    # The partners' findings include repeat victims and offenders; the public copy does not
    # (the engine keeps out findings citing partner-only tables), and neither does the report.
    findings = pd.read_parquet(demo_artefact / "findings.parquet")
    public_findings = pd.read_parquet(demo_artefact / "public" / "findings.parquet")
    printed = {sentence.finding_id for sentence in _findings(public_report.document)}
    person_level = set(
        findings.loc[
            findings["row_ids"].str.contains("people_repeats:|people_profiles:"), "finding_id"
        ]
    )
    assert person_level, "the demo artefact has findings on repeat victims and offenders"
    assert person_level.isdisjoint(public_findings["finding_id"])
    assert printed.isdisjoint(person_level)
    assert printed  # the rest of the findings are there
    assert printed <= set(public_findings["finding_id"])
