"""The data-quality section names every part of the assessment not computed: the partners'
edition in a table with each reason, the board and public edition in one sentence (its page
budget), each kind of part named once. The artefact is a hand-written manifest; the parts and
reasons are made up."""

from __future__ import annotations

import json
from pathlib import Path

from artefact_files import record_hashes

from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.context import ReportContext
from safecity.report.document import SentenceList, Table
from safecity.report.evidence import index_rows
from safecity.report.quality_section import data_quality_section

AREA, PERIOD = "E22900001", "2024/25"
GRID_REASON = "too few crimes to map reliably on the 100 m grid"
SKIPPED = {
    "hotspots_grid:burglary": GRID_REASON,
    "hotspots_grid:robbery": GRID_REASON,
    "hotspots_grid:shoplifting": GRID_REASON,
    "benchmarking": "only 1 CSP of England has complete police.uk data",
    "priorities_organisational_position": "the partnership's own input was not given",
}


def _context(folder: Path, audience: Audience) -> ReportContext:
    (folder / "public").mkdir(parents=True, exist_ok=True)
    manifest = {
        "kind": "safecity-assessment",
        "area": {"code": AREA, "name": "Demoton", "level": "csp"},
        "parameters": {"period": PERIOD, "baseline": "2023/24"},
        "skipped": SKIPPED,
        "tables": {},
        "public_tables": {},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    record_hashes(folder)
    artefact = open_artefact(directory=folder, audience=audience)
    return ReportContext(
        artefact=artefact,
        index=index_rows(artefact),
        area_code=AREA,
        area_name="Demoton",
        period=PERIOD,
        baseline="2023/24",
        threshold=5,
    )


def _skipped_blocks(folder: Path, audience: Audience) -> list[object]:
    section = data_quality_section(_context(folder, audience))
    found = [sub for sub in section.subsections if sub.section_id == "data-quality-skipped"]
    assert len(found) == 1
    return list(found[0].blocks)


def test_partners_edition_lists_each_part_with_its_reason(tmp_path: Path) -> None:
    (table,) = _skipped_blocks(tmp_path, Audience.PARTNERS)
    assert isinstance(table, Table)
    rows = {row[1].text: row[0].text for row in table.rows}
    # Parts sharing a reason share a row, and the kind of part is named once.
    assert rows[GRID_REASON] == "Hot spots on a grid: Burglary, Robbery, Shoplifting"
    assert rows["only 1 CSP of England has complete police.uk data"] == (
        "Comparison with other partnerships"
    )
    assert rows["the partnership's own input was not given"] == (
        "Priority scores: organisational position"
    )


def test_board_edition_names_each_kind_of_part_in_one_sentence(tmp_path: Path) -> None:
    (sentences,) = _skipped_blocks(tmp_path, Audience.PUBLIC)
    assert isinstance(sentences, SentenceList)
    (sentence,) = sentences.sentences
    assert sentence.text == (
        "Not computed in this assessment (the partners' edition gives each part's reason):"
        " Comparison with other partnerships; Hot spots on a grid (3); Priority scores."
    )
