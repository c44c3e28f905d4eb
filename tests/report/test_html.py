"""The HTML report: self-contained, accessible structure, deterministic."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from tests.report.html_parts import GENERATED_AT, Element, parse_html

from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.figures import overview_figures, render_png
from safecity.report.writer import OutputFormat, ReportResult, write_report


def _page(report: ReportResult) -> tuple[str, Element]:
    assert report.html_path is not None
    text = report.html_path.read_text(encoding="utf-8")
    return text, parse_html(text)


@pytest.mark.parametrize("audience", ["partners", "public"])
def test_html_is_self_contained(audience: str, request: pytest.FixtureRequest) -> None:
    report: ReportResult = request.getfixturevalue(f"{audience}_report")
    text, page = _page(report)
    assert re.search(r"https?:", text, flags=re.IGNORECASE) is None
    assert all(url.startswith("url(#") for url in re.findall(r"url\([^)]*\)", text))
    assert page.find_all("link") == []
    assert page.find_all("script") == []
    assert all(
        image.attributes.get("src", "").startswith("data:") for image in page.find_all("img")
    )
    assert len(page.find_all("style")) == 1


@pytest.mark.parametrize("audience", ["partners", "public"])
def test_html_structure_is_accessible(audience: str, request: pytest.FixtureRequest) -> None:
    report: ReportResult = request.getfixturevalue(f"{audience}_report")
    _, page = _page(report)
    html = page.find_all("html")[0]
    assert html.attributes["lang"] == "en-GB"
    # Headings in order: one h1, then never more than one level deeper than the last.
    levels = [
        int(element.tag[1]) for element in page.iter() if re.fullmatch(r"h[1-6]", element.tag)
    ]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, levels
    # A skip link to the main content.
    skip = page.find_all("a", **{"class": "skip-link"})
    assert skip
    assert skip[0].attributes["href"] == "#main"
    assert page.find_all("main", id="main")
    # Every table has a caption and scoped headers.
    tables = page.find_all("table")
    assert len(tables) > 20
    for table in tables:
        assert table.find_all("caption"), table.attributes
        headers = table.find_all("th")
        assert headers
        assert all(th.attributes.get("scope") in {"col", "row"} for th in headers)
    # Every chart is an accessible image labelled by its own title and description.
    ids = {element.attributes["id"] for element in page.iter() if "id" in element.attributes}
    charts = page.find_all("svg")
    assert len(charts) == len(report.table_paths) > 10
    for svg in charts:
        assert svg.attributes["role"] == "img"
        title_id, description_id = svg.attributes["aria-labelledby"].split()
        assert title_id in ids
        assert description_id in ids
        title = svg.find_all("title", id=title_id)[0]
        description = svg.find_all("desc", id=description_id)[0]
        assert title.text
        assert len(description.text) > 20
    # Ids are unique in the page (charts' inner ids are prefixed).
    every_id = [element.attributes["id"] for element in page.iter() if "id" in element.attributes]
    assert len(every_id) == len(set(every_id))


def test_every_chart_has_its_files_and_data_table(
    partners_report: ReportResult, demo_artefact: Path
) -> None:
    _, page = _page(partners_report)
    # The PNG (rasterised from the SVG) is the figures module's own rendering, byte for byte.
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PARTNERS)
    first = overview_figures(artefact=artefact)[0][0]
    png = partners_report.out_dir / "figures" / f"{first.figure_id}.png"
    assert png.read_bytes() == render_png(spec=first.spec)
    figures = page.find_all("figure")
    assert len(figures) == len(partners_report.table_paths)
    for figure in figures:
        figure_id = figure.attributes["id"]
        assert (partners_report.out_dir / "figures" / f"{figure_id}.svg").is_file()
        png = partners_report.out_dir / "figures" / f"{figure_id}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        csv = partners_report.out_dir / "tables" / f"{figure_id}.csv"
        assert csv.stat().st_size > 0
        details = figure.find_all("details")
        assert details
        assert details[0].find_all("table")


def test_partners_edition_is_marked_and_public_is_not(
    partners_report: ReportResult, public_report: ReportResult
) -> None:
    partners_text, partners_page = _page(partners_report)
    public_text, public_page = _page(public_report)
    banners = partners_page.find_all("div", **{"class": "marking-banner"})
    assert banners
    assert banners[0].text.startswith("OFFICIAL-SENSITIVE")
    assert '@top-center { content: "OFFICIAL-SENSITIVE"' in partners_text
    assert '@bottom-left { content: "OFFICIAL-SENSITIVE"' in partners_text
    assert (
        "OFFICIAL-SENSITIVE"
        not in public_text.replace("the partners' edition of this report carries it", "").split(
            "<main", 1
        )[0]
    )
    assert not public_page.find_all("div", **{"class": "marking-banner"})


def test_cover_names_area_code_period_baseline_and_date(public_report: ReportResult) -> None:
    _, page = _page(public_report)
    cover = page.find_all("header", **{"class": "cover"})[0]
    facts = dict(
        zip(
            [term.text for term in cover.find_all("dt")],
            [value.text for value in cover.find_all("dd")],
            strict=True,
        )
    )
    assert facts == {
        "Area": "Demoton, GSS code E22900001 (wards 2020, LSOAs 2011)",
        "Period": "2024/25 (April 2024 to March 2025)",
        "Baseline": "2023/24",
        "Generated": "31 January 2026",
    }
    assert cover.find_all("h1")[0].text == "Strategic Assessment Demoton"
    assert page.find_all("title")[0].text == "Strategic Assessment: Demoton 2024/25"


def test_same_artefact_gives_the_same_html(
    demo_artefact: Path, public_report: ReportResult, tmp_path: Path
) -> None:
    again = write_report(
        assessment_dir=demo_artefact,
        out_dir=tmp_path / "again",
        audience=Audience.PUBLIC,
        formats=(OutputFormat.HTML,),
        generated_at=GENERATED_AT,
    )
    assert again.html_path is not None
    assert public_report.html_path is not None
    assert again.html_path.read_bytes() == public_report.html_path.read_bytes()
    for table in public_report.table_paths:
        assert (tmp_path / "again" / "tables" / table.name).read_bytes() == table.read_bytes()
