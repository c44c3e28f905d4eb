"""Every section and chart is there when its data is, and absent with a note when not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from artefact_files import record_hashes
from tests.report.html_parts import GENERATED_AT

from safecity.report.artefact_reader import Audience
from safecity.report.document import Document, FigureBlock, Note
from safecity.report.report_config import themes
from safecity.report.writer import OutputFormat, ReportResult, write_report


def _notes(document: Document, section_id: str) -> list[str]:
    section = document.section(section_id)
    assert section is not None, section_id
    found = [block.text for block in section.blocks if isinstance(block, Note)]
    for subsection in section.subsections:
        found += [block.text for block in subsection.blocks if isinstance(block, Note)]
    return found


def _themes_with_data(artefact: Path) -> list[str]:
    indicators = pd.read_parquet(artefact / "indicators.parquet")
    area = indicators[(indicators["area_level"] == "csp") & (indicators["period"] == "2024/25")]
    counts = dict(zip(area["indicator_id"], area["numerator"], strict=True))
    return [
        theme.theme_id
        for theme in themes()
        if any(counts.get(group, 0) > 0 for group in theme.groups)
    ]


def test_partners_report_has_every_section_with_data(
    partners_report: ReportResult, demo_artefact: Path
) -> None:
    document = partners_report.document
    assert document is not None
    expected_themes = _themes_with_data(demo_artefact)
    assert "modern_slavery" not in expected_themes  # no modern slavery in the demo city
    assert len(expected_themes) == len(themes()) - 1
    ids = [section.section_id for section in document.sections]
    assert ids == [
        "summary",
        "national-context",
        "residents",  # the demo's residents' survey (two waves)
        "overview",
        *(f"theme-{theme_id}" for theme_id in expected_themes),
        "victims-and-offenders",
        "data-quality",
        "community_reports",  # the demo's synthetic community reports (issue 13)
        "partner_intelligence",  # the demo's synthetic intelligence counts (issue 14)
        "ward-appendix",
        "priority-appendix",
        "methods",
        "glossary",
        "sources",
    ]
    assert [section.number for section in document.sections][-5:] == ["A", "B", "C", "D", "E"]
    assert any("Modern slavery" in note for note in _notes(document, "overview"))
    for theme_id in expected_themes:
        section = document.section(f"theme-{theme_id}")
        assert section is not None
        # Ward figures are in the ward appendix (editions.yaml: ward_table: appendix).
        assert [sub.title for sub in section.subsections] == ["Findings", "Charts"]
        assert section.figures(), theme_id
    assert len(document.section("overview").figures()) >= 3  # type: ignore[union-attr]


def test_methods_appendix_names_each_method_used(partners_report: ReportResult) -> None:
    document = partners_report.document
    assert document is not None
    methods = document.section("methods")
    assert methods is not None
    text = partners_report.html_path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    for name, section in (
        ("Crude rates with Byar", "1.1"),
        ("Exact conditional test of two rates", "2.2a"),
        ("Hotspots by the Getis–Ord Gi* statistic", "6.1"),
        ("Slope and relative index of inequality", "5.3"),
        ("Priority scoring matrix", "8.2"),
        ("Statistical process control (XmR charts)", "9.3"),
    ):
        assert f"{name}" in text, name
        assert f"§{section})" in text, name
    assert "Ord J.K. and Getis A. (1995)" in text


def test_sources_credit_the_open_government_licence(partners_report: ReportResult) -> None:
    text = partners_report.html_path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "Open Government Licence v3.0" in text
    for publisher in (
        "Home Office, data.police.uk",
        "Office for National Statistics",
        "Ministry of Housing, Communities and Local Government",
    ):
        assert publisher in text


def _copy_without(artefact: Path, folder: Path, *, drop: set[str]) -> Path:
    copy = folder / "artefact"
    shutil.copytree(artefact, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    for key in ("tables", "public_tables"):
        manifest[key] = {name: entry for name, entry in manifest[key].items() if name not in drop}
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def reduced_report(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The partners' report on a copy of the artefact without priorities, people, hotspots,
    deprivation and benchmarking tables, and with no violent crime or ASB rows."""
    folder = tmp_path_factory.mktemp("reduced")
    copy = _copy_without(
        demo_artefact,
        folder,
        drop={
            "priority_top", "priority_scores", "priority_sensitivity",
            "people_repeats", "people_profiles", "people_domestic_shares",
            "hotspots_lsoa", "hotspots_grid", "hotspot_classes", "kde_grid",
            "deprivation_rates", "deprivation_gaps", "deprivation_lsoas",
        },
    )  # fmt: skip
    indicators = pd.read_parquet(copy / "indicators.parquet")
    kept = indicators[~indicators["indicator_id"].isin(["asb"])]
    kept.to_parquet(copy / "indicators.parquet")
    record_hashes(copy)
    return write_report(
        assessment_dir=copy,
        out_dir=folder / "report",
        audience=Audience.PARTNERS,
        formats=(OutputFormat.HTML,),
        generated_at=GENERATED_AT,
    )


def test_sections_without_data_are_absent_with_a_note(reduced_report: ReportResult) -> None:
    document = reduced_report.document
    assert document is not None
    assert document.section("victims-and-offenders") is None
    assert document.section("theme-asb") is None
    assert any("Anti-social behaviour" in note for note in _notes(document, "overview"))
    assert _notes(document, "priorities") == [
        "The assessment has no priority scores, so no priorities are ranked."
    ]
    figure_ids = {figure.figure_id for figure in document.figures()}
    assert not any(
        figure_id.startswith(("hotspot", "kde", "deprivation")) for figure_id in figure_ids
    )
    assert figure_ids  # the trend and ward charts remain
    # The people findings are gone with their tables.
    assert not any(
        (sentence.finding_id or "").startswith("people_repeat") for sentence in document.sentences()
    )


def test_full_report_has_the_charts_the_reduced_one_lacks(
    partners_report: ReportResult, reduced_report: ReportResult
) -> None:
    assert partners_report.document is not None
    assert reduced_report.document is not None
    full = {figure.figure_id for figure in partners_report.document.figures()}
    reduced = {figure.figure_id for figure in reduced_report.document.figures()}
    assert reduced < full
    assert any(figure_id.startswith("deprivation") for figure_id in full - reduced)
    assert all(isinstance(figure, FigureBlock) for figure in partners_report.document.figures())
