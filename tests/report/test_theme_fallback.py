"""A theme whose own crime group was not assessed is titled by the group it shows (issue 17.4).

A police.uk-only run has no residential burglary (data.police.uk's Burglary category holds
homes and businesses together); the Residential burglary theme then shows all burglary and
must say so, not print all burglary under the title "Residential burglary".
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from artefact_files import record_hashes

from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.charts import ChartRenderer
from safecity.report.context import ReportContext
from safecity.report.document import Note, Section
from safecity.report.evidence import index_rows
from safecity.report.report_config import edition, themes
from safecity.report.theme_sections import theme_sections

AREA, PERIOD = "E22900001", "2024/25"
REASON = "needs a force record-level extract (Home Office offence codes)"


def _artefact(folder: Path, *, groups: dict[str, int]) -> Path:
    (folder / "public").mkdir(parents=True)
    indicators = pd.DataFrame(
        [
            {
                "row_id": f"{group_id}:{AREA}:{PERIOD}",
                "indicator_id": group_id,
                "indicator_name": group_id.replace("_", " ").capitalize(),
                "area_code": AREA,
                "area_name": "Demoton",
                "area_level": "csp",
                "period": PERIOD,
                "numerator": float(count),
                "suppressed": False,
            }
            for group_id, count in groups.items()
        ]
    )
    indicators.to_parquet(folder / "public" / "indicators.parquet")
    entries = {"indicators": {"parquet": "indicators.parquet", "rows": len(indicators)}}
    manifest = {
        "kind": "safecity-assessment",
        "area": {"code": AREA, "name": "Demoton", "level": "csp"},
        "parameters": {"period": PERIOD, "baseline": "2023/24"},
        "skipped": {"residential_burglary": REASON},
        "tables": entries,
        "public_tables": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    record_hashes(folder)
    return folder


def _sections(folder: Path) -> dict[str, Section]:
    artefact = open_artefact(directory=folder, audience=Audience.PUBLIC)
    context = ReportContext(
        artefact=artefact,
        index=index_rows(artefact),
        area_code=AREA,
        area_name="Demoton",
        period=PERIOD,
        baseline="2023/24",
        threshold=5,
    )
    sections, _ = theme_sections(
        context, [], {}, ChartRenderer(artefact=artefact), layout=edition("public").themes
    )
    return {section.section_id: section for section in sections}


def test_police_uk_burglary_is_not_titled_residential(tmp_path: Path) -> None:
    assert next(t for t in themes() if t.theme_id == "residential_burglary").groups[:2] == (
        "residential_burglary",
        "burglary",
    )
    section = _sections(_artefact(tmp_path, groups={"all_crime": 900, "burglary": 120}))[
        "theme-residential_burglary"
    ]
    assert section.title == "Burglary"
    notes = [block.text for block in section.blocks if isinstance(block, Note)]
    assert notes[0] == (
        f"Residential burglary is not assessed: {REASON}; this section shows burglary, which"
        " includes it but does not separate it."
    )


def test_residential_burglary_keeps_its_title_when_assessed(tmp_path: Path) -> None:
    section = _sections(
        _artefact(tmp_path, groups={"all_crime": 900, "burglary": 120, "residential_burglary": 70})
    )["theme-residential_burglary"]
    assert section.title == "Residential burglary"
    assert not any(
        isinstance(block, Note) and "does not separate" in block.text for block in section.blocks
    )
