"""A resident walks the public observatory in Chromium: pages, charts, a download, the skip link.

The site is the real one (gunicorn, production settings, PostgreSQL) with the demo city's
assessment published; figures on the pages are checked against the artefact's public
``indicators`` table. Every test fails on any console error, page error, server error or
request to a host other than the loopback server (``GuardedPage``).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from safecity_web import core_gateway

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

INDICATOR = "all_crime"
CHARTS_SETTLED = """() => Array.from(document.querySelectorAll('div.safecity-chart[data-spec-id]'))
    .every(chart => chart.classList.contains('safecity-chart--rendered')
                 || chart.classList.contains('safecity-chart--failed'))"""


def public_indicators(assessment: Path) -> pd.DataFrame:
    """The artefact's public indicators table (what the observatory may show)."""
    table = pd.read_csv(assessment / "public" / "indicators.csv", dtype={"area_code": str})
    return table[core_gateway.indicator_columns()]


def wait_for_charts(page: Page) -> int:
    """Wait until vega-embed has finished every chart; fail unless each became an SVG.

    Returns the number of charts on the page.
    """
    page.wait_for_function(CHARTS_SETTLED, timeout=30_000)
    charts = page.locator("div.safecity-chart[data-spec-id]")
    failed = page.locator("div.safecity-chart.safecity-chart--failed")
    spec_ids = [charts.nth(index).get_attribute("data-spec-id") for index in range(charts.count())]
    assert failed.count() == 0, (
        f"{failed.count()} of {charts.count()} charts failed to render on {page.url}: "
        f"{[failed.nth(index).get_attribute('data-spec-id') for index in range(failed.count())]}"
    )
    for index, spec_id in enumerate(spec_ids):
        chart = charts.nth(index)
        expect(chart.locator("svg").first).to_be_attached()
        marks = chart.locator("svg path, svg rect, svg line, svg text")
        assert marks.count() > 0, f"chart {spec_id} on {page.url} rendered an empty SVG"
    return charts.count()


def test_walk_the_observatory(guarded, demo_assessment: Path) -> None:
    page = guarded.page
    indicators = public_indicators(demo_assessment)
    csp_row = indicators.loc[
        (indicators["indicator_id"] == INDICATOR) & (indicators["area_level"] == "csp")
    ].iloc[0]
    wards = indicators.loc[
        (indicators["indicator_id"] == INDICATOR) & (indicators["area_level"] == "ward")
    ]

    # Home: the area's headline indicators, linked to their pages.
    guarded.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(csp_row["area_name"])
    expect(page.get_by_role("link", name=csp_row["indicator_name"]).first).to_be_visible()
    wait_for_charts(page)

    # The indicator list, then the indicator's page through its link.
    page.get_by_role("link", name="See all indicators").click()
    expect(page).to_have_url(guarded.site.url("/indicators/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("link", name=csp_row["indicator_name"], exact=True).first.click()
    expect(page).to_have_url(guarded.site.url(f"/indicators/{INDICATOR}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(csp_row["indicator_name"])
    wait_for_charts(page)
    expect(
        page.locator(f"div.safecity-chart[data-spec-id='spec-ward-rates-{INDICATOR}'] svg")
    ).to_be_attached()
    # The ward table lists every ward of the artefact with its rate.
    ward_links = page.locator("table a[href*='/areas/E05']")
    assert {ward_links.nth(i).inner_text() for i in range(ward_links.count())} >= set(
        wards["area_name"]
    )

    # A ward's area page, from the ward table.
    ward = wards.sort_values("area_name").iloc[0]
    page.locator(f"table a[href='/areas/{ward['area_code']}/']").first.click()
    expect(page).to_have_url(guarded.site.url(f"/areas/{ward['area_code']}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ward["area_name"])
    wait_for_charts(page)

    # The CSP's area page, then the hotspot maps.
    guarded.goto(f"/areas/{csp_row['area_code']}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(csp_row["area_name"])
    wait_for_charts(page)
    page.get_by_role("link", name="Hotspot maps").first.click()
    expect(page).to_have_url(guarded.site.url("/hotspots/"))
    # The URL changes when the navigation commits, before the new page's charts are in its
    # document: wait for the page itself, or an empty document counts as "every chart settled".
    page.wait_for_load_state("load")
    assert wait_for_charts(page) >= 1, "the hotspot page draws at least one map"

    # The archive of published assessments, and the archived copy of the demo.
    page.get_by_role("link", name="Archive of published assessments").first.click()
    expect(page).to_have_url(guarded.site.url("/assessments/"))
    archived = page.get_by_role("link", name=f"{csp_row['area_name']} {csp_row['period']}")
    archived.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(csp_row["area_name"])
    wait_for_charts(page)

    # The API documentation, from the header.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="API").click()
    expect(page).to_have_url(guarded.site.url("/api/v1/docs/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("a[href$='/api/v1/openapi.json']").first).to_be_attached()

    guarded.assert_clean()


def test_indicator_csv_download_holds_the_published_figures(
    guarded, demo_assessment: Path, tmp_path: Path
) -> None:
    page = guarded.page
    indicators = public_indicators(demo_assessment)
    published = indicators.loc[indicators["indicator_id"] == INDICATOR]
    name = published["indicator_name"].iloc[0]
    guarded.goto(f"/indicators/{INDICATOR}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"{name} (CSV)").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows, "the CSV has no rows"
    by_area = {(row["area_code"], row["period"]): row for row in rows}
    for expected in published.itertuples():
        row = by_area.get((expected.area_code, expected.period))
        assert row is not None, f"{expected.area_code} {expected.period} missing from the CSV"
        if isinstance(expected.value, float) and math.isnan(expected.value):
            # a withheld rate reads "suppressed"; one with no rate at all is empty
            assert row["value"] == ("suppressed" if expected.suppressed else "")
            continue
        assert float(row["value"]) == pytest.approx(expected.value, rel=1e-9)
        assert float(row["lower_ci"]) == pytest.approx(expected.lower_ci, rel=1e-9)
        assert float(row["upper_ci"]) == pytest.approx(expected.upper_ci, rel=1e-9)
    guarded.assert_clean()


def test_skip_link_works_from_the_keyboard(guarded) -> None:
    page = guarded.page
    guarded.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(guarded.site.url("/#main-content"))
    main = page.locator("main#main-content")
    expect(main).to_be_focused()
    # The next Tab goes to the first link inside the main content, past the header.
    page.keyboard.press("Tab")
    inside_main = page.evaluate(
        "() => document.getElementById('main-content').contains(document.activeElement)"
    )
    assert inside_main, "after the skip link, Tab should move within the main content"
    guarded.assert_clean()
