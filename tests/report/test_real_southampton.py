"""The report on real data: Southampton (CSP E22000120), June–September 2017 against
February–May 2017, from the published files in ``../shared/data`` (police.uk street files of
Hampshire Constabulary, ONS lookups and populations, IMD 2019, LSOA and ward boundaries).

The ward names and the all-crime count are read here from the published files with the
``csv`` module, not from the artefact.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import re
from pathlib import Path

import pytest
from tests.report.html_parts import GENERATED_AT, comparable, pdf_pages, pdf_text
from tests.report.plain_report import scan_findings, scan_report
from tests.report.test_maps import SVG_TEXT

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse
from safecity.report.artefact_reader import Audience
from safecity.report.document import Note
from safecity.report.formatting import format_count
from safecity.report.writer import OutputFormat, ReportResult, write_report

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

SOUTHAMPTON_CSP = "E22000120"
SOUTHAMPTON_LAD = "E06000045"
MONTHS = ("2017-06", "2017-07", "2017-08", "2017-09")
BASELINE_MONTHS = ("2017-02", "2017-03", "2017-04", "2017-05")


def _rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def southampton_artefact(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Southampton assessed from the published files (police.uk only, no force extract)."""
    folder = tmp_path_factory.mktemp("southampton-artefact")
    hampshire = shared_data / "police-uk" / "hampshire"
    with Warehouse(folder / "w.duckdb") as warehouse:
        load_police_uk(
            warehouse,
            paths=[hampshire / f"{month}-hampshire-street.csv.gz"
                   for month in (*BASELINE_MONTHS, *MONTHS)],
        )  # fmt: skip
        for kind, path in (
            (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz"),
            (ReferenceKind.CSP_LOOKUP, "geography/lookup_ltla24_csp24_pfa24.csv"),
            (ReferenceKind.POPULATION, "population/population19_lsoa11_syoa.csv.gz"),
            (ReferenceKind.IMD, "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz"),
            (ReferenceKind.BOUNDARIES, "boundaries/lsoa11_bsc_southampton.geojson"),
            (ReferenceKind.BOUNDARIES, "boundaries/wards20_southampton_from_lsoa11.geojson"),
            (ReferenceKind.BOUNDARIES, "boundaries/pfa20.geojson"),
        ):
            load_reference(warehouse, kind=kind, path=shared_data / path)
        run_assessment(
            warehouse,
            area_code=SOUTHAMPTON_CSP,
            period=parse_period(f"{MONTHS[0]}..{MONTHS[-1]}"),
            baseline=parse_period(f"{BASELINE_MONTHS[0]}..{BASELINE_MONTHS[-1]}"),
            out_dir=folder / "artefact",
        )
    return folder / "artefact"


@pytest.fixture(scope="module")
def southampton_report(
    southampton_artefact: Path, tmp_path_factory: pytest.TempPathFactory
) -> ReportResult:
    return write_report(
        assessment_dir=southampton_artefact,
        out_dir=tmp_path_factory.mktemp("southampton-report"),
        audience=Audience.PUBLIC,
        formats=(OutputFormat.HTML, OutputFormat.PDF),
        generated_at=GENERATED_AT,
    )


def test_southampton_report_names_the_area_its_wards_and_crime_count(
    southampton_report: ReportResult, shared_data: Path
) -> None:
    wards = {
        row["WD20NM"]
        for row in _rows(shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] == SOUTHAMPTON_LAD
    }
    assert len(wards) == 16
    lsoas = {
        row["LSOA11CD"]
        for row in _rows(shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] == SOUTHAMPTON_LAD
    }
    crimes = sum(
        1
        for month in MONTHS
        for row in _rows(
            shared_data / "police-uk" / "hampshire" / f"{month}-hampshire-street.csv.gz"
        )
        if row["LSOA code"] in lsoas and row["Crime type"] != "Anti-social behaviour"
    )
    assert southampton_report.html_path is not None
    html = southampton_report.html_path.read_text(encoding="utf-8")
    assert "<title>Strategic Assessment: Southampton" in html
    assert "GSS code E22000120" in html
    for ward in wards:
        assert ward.replace("'", "&#39;") in html, ward
    # The headline volume is the count of the published police.uk rows (crime, not ASB).
    assert f"{format_count(crimes)} crimes (police recorded crime" in html
    assert re.search(r"https?:", html) is None


def test_southampton_pdf_has_the_findings(southampton_report: ReportResult) -> None:
    assert southampton_report.pdf_path is not None
    assert southampton_report.document is not None
    findings = [s for s in southampton_report.document.sentences() if s.finding_id is not None]
    assert any(s.finding_id == "change_all_crime" for s in findings)
    text = comparable(pdf_text(southampton_report.pdf_path, body_only=True))
    assert [s.text for s in findings if comparable(s.text) not in text] == []
    assert pdf_pages(southampton_report.pdf_path) > 10
    # police.uk alone has no flags: the themes that need them say so.
    overview = southampton_report.document.section("overview")
    assert overview is not None
    assert southampton_report.document.section("theme-asb") is not None
    assert southampton_report.document.section("theme-hate_crime") is None


def test_southampton_themes_without_a_force_extract_are_not_assessed_not_zero(
    southampton_report: ReportResult,
) -> None:
    """Hate crime, domestic abuse, VAWG and sexual offences need a force extract's flags or
    offence codes: without one they were not assessed, and the report says so with the reason
    the assessment gives; it never says that no such crimes were recorded."""
    assert southampton_report.document is not None
    overview = southampton_report.document.section("overview")
    assert overview is not None
    notes = " ".join(block.text for block in overview.blocks if isinstance(block, Note))
    for theme in (
        "Hate crime",
        "Domestic abuse",
        "Violence against women and girls",
        "Sexual offences",
    ):
        assert re.search(
            rf"{theme} \(not assessed: needs a force record-level extract .*, and none is loaded"
            " for Southampton",
            notes,
        ), theme
    assert southampton_report.html_path is not None
    html = southampton_report.html_path.read_text(encoding="utf-8")
    assert "no crimes of these kinds were recorded" not in html


@pytest.mark.parametrize("with_findings", [False, True], ids=["own-text", "findings"])
def test_southampton_report_speaks_readers_words(
    southampton_report: ReportResult, southampton_artefact: Path, with_findings: bool
) -> None:
    """The public report on real data, HTML and PDF, scanned as in ``test_plain_words``: its
    own text (``own-text``), then with the findings ``safecity assess`` wrote (``findings``)."""
    scan = scan_findings if with_findings else scan_report
    failures = scan(southampton_report, southampton_artefact, public=True)
    assert failures == [], "\n".join(failures)


def test_southampton_maps_are_readable_and_located_in_hampshire(
    southampton_report: ReportResult, southampton_artefact: Path, shared_data: Path
) -> None:
    """The overview's hot spot map names every ward, has a scale bar and a north arrow, and
    an inset locating Southampton in Hampshire's force area (the loaded pfa20 boundary, which
    the artefact's boundaries carry)."""
    collection = json.loads((southampton_artefact / "boundaries.geojson").read_text("utf-8"))
    forces = [
        feature["properties"]
        for feature in collection["features"]
        if feature["properties"]["area_level"] == "pfa"
    ]
    assert [(force["area_code"], force["area_name"]) for force in forces] == [
        ("E23000030", "Hampshire")
    ]
    wards = {
        row["WD20NM"]
        for row in _rows(shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] == SOUTHAMPTON_LAD
    }
    svg = (southampton_report.out_dir / "figures" / "hotspot-map-lsoa-all_crime.svg").read_text(
        "utf-8"
    )
    texts = [html.unescape(text.strip()) for text in SVG_TEXT.findall(svg)]
    for ward in wards:
        assert texts.count(ward) == 2, ward
    assert "Location in Hampshire" in texts
    assert "N" in texts
    assert any(re.fullmatch(r"\d+(\.\d+)? km", text) for text in texts)
