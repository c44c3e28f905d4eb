"""The partner-intelligence family (issue 14, point 5): partners' copy only.

On a small hand-made export the family's table holds exactly the loaded counts of the period
(by month, topic and ward, with labels and ward names) and its findings name the topic with most
submissions and the wards where county-lines and exploitation submissions are concentrated,
beside the police-recorded drug offences of those wards. Without counts it is not assessed and
says why (no table of zeros). On the demo artefact the family is in the partner copy and in no
file of the public copy, nor in the manifest a public reader (the observatory, the public
report) sees.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from community_reports_inputs import family_inputs, small_study_area
from shared_demo import shared_demo_artefact

from safecity.assess.families.partner_intelligence import NOTHING_LOADED, partner_intelligence
from safecity.assess.partner_intelligence_tables import COUNTS_COLUMNS
from safecity.data.intelligence_counts.loader import load_intelligence_counts
from safecity.data.warehouse import Warehouse
from safecity.report.artefact_reader import Audience, open_artefact
from safecity_web.core_gateway import read_public_artefact

AREA = "E22900099"
WEST, EAST, ELSEWHERE = "E05900001", "E05900002", "E05900077"
HEADER = "area_code,month,topic,ward_code,submissions\n"
ROWS = (
    f"{AREA},2024-04,county_lines,{EAST},6\n"
    f"{AREA},2024-04,exploitation,{WEST},2\n"
    f"{AREA},2024-05,county_lines,{EAST},3\n"
    f"{AREA},2024-05,county_lines,{WEST},1\n"
    f"{AREA},2024-06,hate,,4\n"
    f"{AREA},2024-06,anti_social_behaviour,{ELSEWHERE},1\n"
    # before the period: counted in no table of 2024/25
    f"{AREA},2024-03,county_lines,{EAST},9\n"
    "E22000999,2024-04,hate,,7\n"
)
AREA_WARDS = {WEST: ("E01900001", "E01900002"), EAST: ("E01900003", "E01900004")}


def _loaded(tmp_path: Path, text: str) -> Warehouse:
    path = tmp_path / "intelligence-counts.csv"
    path.write_text(text, encoding="utf-8")
    warehouse = Warehouse(tmp_path / "w.duckdb")
    load_intelligence_counts(warehouse, path=path)
    return warehouse


def _police(period: str = "2024/25") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "row_id": f"drugs:{ward}:{period}",
                "indicator_id": "drugs",
                "area_code": ward,
                "area_level": "ward",
                "numerator": count,
            }
            for ward, count in ((EAST, 40), (WEST, 12))
        ]
    )


def test_the_family_counts_the_loaded_export_exactly(tmp_path: Path) -> None:
    warehouse = _loaded(tmp_path, HEADER + ROWS)
    output = partner_intelligence(
        family_inputs(
            warehouse,
            area=small_study_area(area_code=AREA, wards=AREA_WARDS),
            period="2024/25",
            indicators=_police(),
            sources={"drugs": "extract"},
        )
    )
    warehouse.close()
    table = output.tables["partner_intelligence_counts"]
    assert tuple(table.columns) == COUNTS_COLUMNS
    records = table.drop(columns="row_id").astype(object).where(table.notna(), None)
    assert records.to_dict("records") == [
        {
            "month": "2024-04",
            "topic": "county_lines",
            "topic_label": "County lines and drug dealing",
            "ward_code": EAST,
            "ward_name": "Ward 2",
            "submissions": 6,
        },
        {
            "month": "2024-04",
            "topic": "exploitation",
            "topic_label": "Child or adult exploitation (criminal or sexual)",
            "ward_code": WEST,
            "ward_name": "Ward 1",
            "submissions": 2,
        },
        {
            "month": "2024-05",
            "topic": "county_lines",
            "topic_label": "County lines and drug dealing",
            "ward_code": WEST,
            "ward_name": "Ward 1",
            "submissions": 1,
        },
        {
            "month": "2024-05",
            "topic": "county_lines",
            "topic_label": "County lines and drug dealing",
            "ward_code": EAST,
            "ward_name": "Ward 2",
            "submissions": 3,
        },
        {
            "month": "2024-06",
            "topic": "anti_social_behaviour",
            "topic_label": "Anti-social behaviour",
            "ward_code": ELSEWHERE,
            "ward_name": "A ward outside the assessed area",
            "submissions": 1,
        },
        {
            "month": "2024-06",
            "topic": "hate",
            "topic_label": "Hate crime and community tension",
            "ward_code": None,
            "ward_name": "No ward (placed in no ward of the boundaries)",
            "submissions": 4,
        },
    ]
    assert table["row_id"].iloc[0] == f"partner_intelligence_counts:2024-04:county_lines:{EAST}"
    assert output.public_tables == {}
    manifest = output.manifest
    assert manifest["status"] == "assessed"
    assert manifest["months_covered"] == ["2024-04", "2024-05", "2024-06"]
    assert manifest["submissions"] == 17
    assert manifest["submissions_in_no_ward"] == 4
    assert manifest["wards_outside_the_area"] == [ELSEWHERE]
    assert [entry["first_month"] for entry in manifest["source_files"]] == ["2024-03"]
    sentences = {finding.finding_id: finding for finding in output.findings}
    topics = sentences["partner_intelligence_topics"]
    assert topics.sentence == (
        "Partners made 17 Community Partnership Intelligence submissions in 2024/25 (the counts"
        " loaded cover 3 of its 12 months, April 2024 to June 2024) (county lines and drug"
        " dealing 10, hate crime and community tension 4, child or adult exploitation (criminal"
        " or sexual) 2, anti-social behaviour 1); the topic with most was county lines and drug"
        " dealing, 10 (59%)."
    )
    wards = sentences["partner_intelligence_wards_county_lines_exploitation"]
    assert wards.sentence == (
        "Of the 12 submissions on county lines, drug dealing or exploitation in 2024/25, most"
        " were about Ward 2 (9, 75%), Ward 1 (3, 25%); the police recorded 40 and 12 drug"
        " offences in these wards in the same period (what partners report and what the police"
        " record measure different things: neither confirms the other)."
    )
    assert f"drugs:{EAST}:2024/25" in wards.row_ids
    assert all(finding.topic == "partner_intelligence" for finding in output.findings)
    # Every finding cites a partner-only row, so none can be published.
    for finding in output.findings:
        assert any(row.startswith("partner_intelligence_counts:") for row in finding.row_ids)


def test_without_police_drug_offences_the_finding_says_so(tmp_path: Path) -> None:
    warehouse = _loaded(tmp_path, HEADER + ROWS)
    output = partner_intelligence(
        family_inputs(
            warehouse, area=small_study_area(area_code=AREA, wards=AREA_WARDS), period="2024/25"
        )
    )
    warehouse.close()
    wards = next(f for f in output.findings if f.finding_id.endswith("_exploitation"))
    assert wards.sentence.endswith(
        "police-recorded drug offences by ward are not in this assessment, so they are not"
        " shown beside them."
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, NOTHING_LOADED),
        (
            HEADER + "E22000999,2024-04,hate,,7\n",
            "no partner intelligence counts are loaded for Testham (E22900099); those loaded"
            " are of E22000999",
        ),
        (
            HEADER + f"{AREA},2023-01,hate,,7\n{AREA},2023-03,hate,,1\n",
            "the partner intelligence counts loaded for E22900099 cover January 2023 to March"
            " 2023, no month of 2024/25",
        ),
    ],
    ids=["nothing loaded", "another area", "no month of the period"],
)
def test_not_assessed_says_why_and_writes_no_zeros(
    tmp_path: Path, text: str | None, reason: str
) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb") if text is None else _loaded(tmp_path, text)
    output = partner_intelligence(
        family_inputs(
            warehouse, area=small_study_area(area_code=AREA, wards=AREA_WARDS), period="2024/25"
        )
    )
    warehouse.close()
    assert output.tables == {}
    assert output.public_tables == {}
    assert output.findings == []
    assert output.skipped == {"partner_intelligence": reason}
    assert output.manifest["status"] == "not assessed"
    assert output.manifest["reason"] == reason


def test_the_demo_has_it_in_the_partner_copy_and_nowhere_public(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = shared_demo_artefact(tmp_path_factory)
    partners = open_artefact(directory=folder, audience=Audience.PARTNERS)
    table = partners.table("partner_intelligence_counts")
    assert table is not None
    assert (
        int(table["submissions"].sum())
        == partners.manifest["families"]["partner_intelligence"]["submissions"]
    )
    family = partners.manifest["families"]["partner_intelligence"]
    assert family["status"] == "assessed"
    assert len(family["months_covered"]) == 12
    assert family["source_files"][0]["path"].endswith("intelligence-counts-export.csv")
    findings = partners.table("findings")
    assert findings is not None
    assert (findings["topic"] == "partner_intelligence").sum() == 2

    public_folder = folder / "public"
    for path in sorted(public_folder.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            for word in (b"partner_intelligence", b"Community Partnership Intelligence"):
                assert word not in content, f"{path.name} holds {word!r}"
    public = open_artefact(directory=folder, audience=Audience.PUBLIC)
    assert not public.has_table("partner_intelligence_counts")
    said = json.dumps(public.manifest)
    assert "partner_intelligence" not in said
    assert "intelligence-counts" not in said
    assert "intelligence_counts_csv" not in said

    loaded = read_public_artefact(directory=folder)
    assert "partner_intelligence" not in json.dumps(loaded.manifest, default=str)
    assert "partner_intelligence_counts" not in loaded.tables
    assert not any(
        str(finding.get("topic")) == "partner_intelligence" for finding in loaded.findings
    )
