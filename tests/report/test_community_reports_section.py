"""The report's "What residents and businesses reported" section (issue 13).

The demo city (24 months to March 2025) is generated and loaded, its synthetic community
reports written and loaded as ``safecity demo`` does, and 2024/25 assessed: the section is
built from the artefact's community-reports tables for both audiences and checked against
those rows. The public edition reads only the disclosure-controlled copies: a withheld count
reads "withheld", never its number. Without the tables the section is absent and the data
quality section says why (the manifest's reason).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from pathlib import Path

import pandas as pd
import pytest
from demo_city import DEMO_AREA, loaded_demo_city

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.cli.demo_community_reports import load_demo_community_reports
from safecity.report.artefact_reader import AssessmentArtefact, Audience, open_artefact
from safecity.report.assemble import SECTION_BUILDERS, Assembly
from safecity.report.charts import ChartRenderer
from safecity.report.community_reports_section import (
    SECTION_TITLE,
    community_reports_absence,
    community_reports_section,
    kind_words,
)
from safecity.report.context import ReportContext
from safecity.report.document import FigureBlock, Note, Section
from safecity.report.evidence import index_rows
from safecity.report.report_config import edition

TABLES = (
    "community_reports_summary",
    "community_reports_monthly",
    "community_reports_strand",
    "community_reports_ward",
    "community_reports_business",
)


@pytest.fixture(scope="module")
def artefact_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("community-reports-demo")
    out = folder / "assessment"
    with loaded_demo_city(folder, key=secrets.token_hex(32)) as (dataset, warehouse):
        loaded = load_demo_community_reports(
            warehouse,
            area_code=DEMO_AREA,
            seed=dataset.seed,
            last_month=dataset.months[-1],
            out_dir=folder / "demo",
        )
        assert loaded.load.quarantined == 0
        run_assessment(warehouse, area_code=DEMO_AREA, period=parse_period("2024/25"), out_dir=out)
    return out


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


def _section(folder: Path, audience: Audience) -> tuple[Section, AssessmentArtefact]:
    artefact = open_artefact(directory=folder, audience=audience)
    section = community_reports_section(
        _context(artefact), ChartRenderer(artefact=artefact), detailed=audience is Audience.PARTNERS
    )
    assert section is not None
    return section, artefact


def _texts(section: Section) -> list[str]:
    return [sentence.text for sentence in section.sentences()]


def _figures(section: Section) -> list[FigureBlock]:
    blocks = [*section.blocks, *(b for sub in section.subsections for b in sub.blocks)]
    return [block for block in blocks if isinstance(block, FigureBlock)]


@pytest.mark.parametrize("audience", list(Audience))
def test_the_counts_of_each_kind_are_those_of_the_audience_table(
    artefact_folder: Path, audience: Audience
) -> None:
    section, artefact = _section(artefact_folder, audience)
    assert section.title == SECTION_TITLE
    summary = artefact.table("community_reports_summary")
    assert summary is not None
    texts = _texts(section)
    kinds = summary[(summary["channel"] == "all") & (summary["kind"] != "all")]
    total = summary[summary["kind"] == "all"].iloc[0]
    assert int(total["reports"]) == sum(int(value) for value in kinds["reports"])
    opening = next(text for text in texts if text.startswith("All community reports:"))
    parts = ", ".join(
        f"{kind_words(row['kind'], row['kind_label']).lower()} {int(row['reports']):,}"
        for row in kinds.to_dict("records")
    )
    assert opening.startswith(
        f"All community reports: {int(total['reports']):,} in 2024/25 ({parts}), against"
        f" {int(total['reports_previous']):,} in 2023/24: "
    ), opening
    assert "an exact test comparing the reports received per month" in opening
    per_kind = [
        text
        for text in texts
        for row in kinds.to_dict("records")
        if text.startswith(f"{kind_words(row['kind'], row['kind_label'])}:")
    ]
    significant = kinds["change_significant"].astype(bool)
    assert len(per_kind) == int(significant.sum())


def test_the_planted_rise_in_disability_reports_is_said_with_its_test(
    artefact_folder: Path,
) -> None:
    section, artefact = _section(artefact_folder, Audience.PUBLIC)
    strands = artefact.table("community_reports_strand")
    assert strands is not None
    disability = strands.set_index("strand").loc["disability"]
    assert bool(disability["change_significant"])
    rise = next(t for t in _texts(section) if t.startswith("Reports naming disability"))
    assert (
        f"{int(float(str(disability['community_reports'])))} in 2024/25, against"
        f" {int(float(str(disability['community_reports_previous'])))} in 2023/24: a statistically"
        " significant increase (an exact test" in rise
    )


def test_the_public_edition_never_prints_a_withheld_count(artefact_folder: Path) -> None:
    section, artefact = _section(artefact_folder, Audience.PUBLIC)
    partners = open_artefact(directory=artefact_folder, audience=Audience.PARTNERS)
    public_strands = artefact.table("community_reports_strand")
    partner_strands = partners.table("community_reports_strand")
    assert public_strands is not None
    assert partner_strands is not None
    withheld = public_strands[public_strands["community_reports"].isna()]
    assert not withheld.empty, "the demo has a strand under the threshold"
    listing = next(t for t in _texts(section) if t.startswith("Hate incident reports in 2024/25"))
    for strand in withheld["strand"]:
        label = partner_strands.set_index("strand").loc[strand, "strand_label"]
        assert f"{label[0].lower()}{label[1:]} withheld" in listing
    police_withheld = public_strands[
        public_strands["police_recorded"].isna() & partner_strands["police_recorded"].notna()
    ]
    for strand in police_withheld["strand"]:
        label = str(partner_strands.set_index("strand").loc[strand, "strand_label"]).lower()
        assert not re.search(rf"{re.escape(label)} \d+ \(police-recorded", listing)
    notes = [block.text for block in section.blocks if isinstance(block, Note)]
    assert any("withheld" in note for note in notes)
    partners_section, _ = _section(artefact_folder, Audience.PARTNERS)
    chart = next(f for f in _figures(partners_section) if f.figure_id.endswith("by-strand"))
    assert chart.alt_text


def test_the_board_edition_is_short_and_the_partners_has_the_strand_chart(
    artefact_folder: Path,
) -> None:
    board, _ = _section(artefact_folder, Audience.PUBLIC)
    partners, _ = _section(artefact_folder, Audience.PARTNERS)
    assert _figures(board) == []  # the board's edition is at its page budget
    assert [figure.figure_id for figure in _figures(partners)] == ["community-reports-by-strand"]
    assert len(_texts(partners)) > len(_texts(board))
    assert any(t.startswith("How the reports arrived in 2024/25") for t in _texts(partners))
    for figure in _figures(partners):
        assert figure.alt_text
        assert "<svg" in figure.svg


@pytest.mark.parametrize("audience", list(Audience))
def test_the_section_is_in_both_editions(artefact_folder: Path, audience: Audience) -> None:
    sections = edition(audience).sections
    # after data quality, before the appendices: the board's edition keeps its page budget
    # (its text flows on the page data quality starts) and the partners' the board's order
    assert sections.index("community_reports") == sections.index("data_quality") + 1
    artefact = open_artefact(directory=artefact_folder, audience=audience)
    context = _context(artefact)
    findings = artefact.table("findings")
    assert findings is not None
    assembly = Assembly(
        context=context,
        edition=edition(audience),
        general=[],
        person_level=[],
        topics={},
        renderer=ChartRenderer(artefact=artefact),
    )
    (built,) = SECTION_BUILDERS["community_reports"](assembly)
    assert built.title == SECTION_TITLE
    assert community_reports_absence(context) is None
    assert (findings["topic"] == "community_reports").sum() >= 5


def test_without_the_tables_the_section_is_absent_and_data_quality_says_why(
    artefact_folder: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "assessment"
    shutil.copytree(artefact_folder, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for key in ("tables", "public_tables"):
        for name in TABLES:
            manifest[key].pop(name, None)
    manifest["skipped"]["community_reports"] = (
        "no community reports are loaded, so it is not assessed"
    )
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    artefact = open_artefact(directory=folder, audience=Audience.PUBLIC)
    context = _context(artefact)
    assert (
        community_reports_section(context, ChartRenderer(artefact=artefact), detailed=False) is None
    )
    assembly = Assembly(
        context=context,
        edition=edition("public"),
        general=[],
        person_level=[],
        topics={},
        renderer=ChartRenderer(artefact=artefact),
    )
    assert SECTION_BUILDERS["community_reports"](assembly) == []
    (quality,) = SECTION_BUILDERS["data_quality"](assembly)
    notes = [block.text for block in quality.blocks if isinstance(block, Note)]
    assert (
        f"This report has no “{SECTION_TITLE}” section: no community reports are loaded, so it"
        " is not assessed." in notes
    )


def test_police_recorded_is_the_indicator_count_and_withheld_with_it(
    artefact_folder: Path,
) -> None:
    """The strand table's police-recorded count is the strand group's area numerator, and the
    engine's joint disclosure control withholds the two together in the public copies."""
    withheld = 0
    for audience in Audience:
        artefact = open_artefact(directory=artefact_folder, audience=audience)
        strands = artefact.table("community_reports_strand")
        indicators = artefact.table("indicators")
        assert strands is not None
        assert indicators is not None
        area = indicators[indicators["area_code"] == DEMO_AREA].set_index("indicator_id")
        for row in strands.dropna(subset=["police_crime_group"]).to_dict("records"):
            numerator = area.loc[row["police_crime_group"], "numerator"]
            assert pd.isna(row["police_recorded"]) == pd.isna(numerator), row["strand"]
            if not pd.isna(numerator):
                assert float(row["police_recorded"]) == float(numerator)
            elif audience is Audience.PUBLIC:
                withheld += 1
                assert bool(row["suppressed"])
    assert withheld >= 1, "the demo has a strand whose police count is withheld in public"
