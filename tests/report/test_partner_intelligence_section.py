"""The report's "Partner intelligence" section (issue 14).

Partners' edition only: built from the partner copy's ``partner_intelligence_counts`` table of
the demo artefact (whose synthetic counts ``safecity demo`` loads) beside the police-recorded
drug offences by ward; checked against those rows. The public edition never has it — not even
when asked for it — and none of its text mentions partner intelligence. Without the table the
partners' data quality section says why (the manifest's reason).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from safecity.report.artefact_reader import AssessmentArtefact, Audience, open_artefact
from safecity.report.assemble import SECTION_BUILDERS, Assembly, build_document
from safecity.report.charts import ChartRenderer
from safecity.report.context import ReportContext
from safecity.report.document import Section, Table
from safecity.report.evidence import index_rows
from safecity.report.narrative import finding_sentences, finding_topics
from safecity.report.partner_intelligence_section import (
    SECTION_TITLE,
    partner_intelligence_absence,
    partner_intelligence_section,
)
from safecity.report.report_config import edition

TABLE = "partner_intelligence_counts"


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


def _assembly(artefact: AssessmentArtefact, audience: Audience) -> Assembly:
    return Assembly(
        context=_context(artefact),
        edition=edition(audience),
        general=[],
        person_level=[],
        topics={},
        renderer=ChartRenderer(artefact=artefact),
    )


def _section(demo_artefact: Path) -> tuple[Section, pd.DataFrame, AssessmentArtefact]:
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PARTNERS)
    section = partner_intelligence_section(_context(artefact))
    table = artefact.table(TABLE)
    assert section is not None
    assert table is not None
    return section, table, artefact


def test_the_partners_section_says_the_tables_counts(demo_artefact: Path) -> None:
    section, table, artefact = _section(demo_artefact)
    assert section.title == SECTION_TITLE
    texts = [sentence.text for sentence in section.sentences()]
    assert any("in the partners' edition only" in text for text in texts)
    by_topic = table.groupby("topic_label")["submissions"].sum()
    listing = next(text for text in texts if text.startswith("Submissions in 2024/25 by topic:"))
    for label, count in by_topic.items():
        assert f"{str(label)[0].lower()}{str(label)[1:]} {int(count):,}" in listing
    assert listing.endswith(f"({int(table['submissions'].sum()):,} in all).")

    wards = next(block for block in section.blocks if isinstance(block, Table))
    assert wards.columns[-1] == "Police-recorded drug offences"
    indicators = artefact.table("indicators")
    assert indicators is not None
    drugs = indicators[
        (indicators["indicator_id"] == "drugs") & (indicators["area_level"] == "ward")
    ].set_index("area_name")
    concerned = table[table["topic"].isin(["county_lines", "exploitation"])]
    totals = concerned.groupby("ward_name")["submissions"].sum().sort_values(ascending=False)
    assert wards.rows[0][0].text == totals.index[0]
    for row in wards.rows:
        name = row[0].text
        cells = concerned[concerned["ward_name"] == name]
        county = int(cells.loc[cells["topic"] == "county_lines", "submissions"].sum())
        exploitation = int(cells.loc[cells["topic"] == "exploitation", "submissions"].sum())
        assert (row[1].count, row[2].count) == (county, exploitation), name
        assert row[3].count == int(drugs.loc[name, "numerator"]), name


def test_the_partners_edition_lists_it_with_its_findings(demo_artefact: Path) -> None:
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PARTNERS)
    findings = artefact.table("findings")
    assert findings is not None
    ours = findings[findings["topic"] == "partner_intelligence"]
    assert len(ours) == 2
    assembly = _assembly(artefact, Audience.PARTNERS)
    assembly.general = finding_sentences(
        findings, index=assembly.context.index, drop_suppressed=False
    )
    assembly.topics = finding_topics(findings)
    sections = edition(Audience.PARTNERS).sections
    assert sections.index("partner_intelligence") == sections.index("community_reports") + 1
    built = SECTION_BUILDERS["partner_intelligence"](assembly)
    assert [section.title for section in built] == [SECTION_TITLE]
    sentences = built[0].sentences()
    assert [s.finding_id for s in sentences if s.finding_id] == list(ours["finding_id"])
    # The topics finding says the submissions by topic: the section does not say them twice.
    assert not any(s.text.startswith("Submissions in 2024/25 by topic:") for s in sentences)


def test_the_public_edition_never_has_it(demo_artefact: Path) -> None:
    assert "partner_intelligence" not in edition(Audience.PUBLIC).sections
    public = open_artefact(directory=demo_artefact, audience=Audience.PUBLIC)
    # Even a builder asked for it on the public copy gives nothing.
    assert SECTION_BUILDERS["partner_intelligence"](_assembly(public, Audience.PUBLIC)) == []
    assert partner_intelligence_section(_context(public)) is None
    document = build_document(
        artefact=public,
        generated_at=date(2025, 6, 1),
        renderer=ChartRenderer(artefact=public),
    )
    assert "partner_intelligence" not in [section.section_id for section in document.sections]
    every = [
        sentence.text
        for section in document.sections
        for part in (section, *section.subsections)
        for sentence in part.sentences()
    ]
    for text in every:
        assert "intelligence submission" not in text.lower(), text
        assert "Community Partnership Intelligence" not in text, text


def test_without_counts_the_data_quality_section_says_why(
    demo_artefact: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "artefact"
    shutil.copytree(demo_artefact, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    del manifest["tables"][TABLE]
    reason = "no partner intelligence counts are loaded, so … is not assessed"
    manifest["skipped"]["partner_intelligence"] = reason
    assessed = manifest["families"].pop("partner_intelligence")
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    artefact = open_artefact(directory=copy, audience=Audience.PARTNERS)
    assert partner_intelligence_section(_context(artefact)) is None
    assert partner_intelligence_absence(_context(artefact)) == (
        f"This report has no “{SECTION_TITLE}” section: {reason}."
    )
    quality = SECTION_BUILDERS["data_quality"](_assembly(artefact, Audience.PARTNERS))[0]
    notes = [getattr(block, "text", "") for block in quality.blocks]
    assert any(reason in note for note in notes)
    # Assessed, but no submission in the months covered: said so, not "not loaded".
    manifest["families"]["partner_intelligence"] = {**assessed, "submissions": 0}
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    artefact = open_artefact(directory=copy, audience=Audience.PARTNERS)
    assert partner_intelligence_absence(_context(artefact)) == (
        f"This report has no “{SECTION_TITLE}” section: partners made no intelligence"
        " submissions in the 12 months of 2024/25 the counts loaded cover."
    )


@pytest.mark.parametrize("audience", list(Audience))
def test_the_public_reader_of_the_manifest_never_sees_the_family(
    demo_artefact: Path, audience: Audience
) -> None:
    artefact = open_artefact(directory=demo_artefact, audience=audience)
    said = json.dumps(artefact.manifest)
    assert ("partner_intelligence" in said) is (audience is Audience.PARTNERS)
