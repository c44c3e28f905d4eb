"""axe-core on every kind of public page and the sign-in pages: no serious or critical violation.

axe-core is the copy bundled by axe-playwright-python (no network). Each page is scanned after
its charts have rendered and with every "Show the data" details element opened, so the charts'
SVG and the data tables behind them are scanned too. An archived assessment's pages use the
same templates as the current one's, so only its home page is scanned. The page's own
Content-Security-Policy stays on: axe is evaluated through the DevTools protocol, which CSP does
not restrict.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

CHARTS_SETTLED = """() => Array.from(document.querySelectorAll('div.safecity-chart[data-spec-id]'))
    .every(chart => chart.classList.contains('safecity-chart--rendered')
                 || chart.classList.contains('safecity-chart--failed'))"""
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"

PAGES = {
    "home": "/",
    "indicator list": "/indicators/",
    "indicator page": "/indicators/all_crime/",
    "area page (CSP)": "/areas/{csp}/",
    "area page (ward)": "/areas/{ward}/",
    "area page (LSOA)": "/areas/{lsoa}/",
    "hotspot maps": "/hotspots/",
    "residents' survey": "/survey/",
    "survey measure page": "/survey/feels_safe_after_dark/",
    "community reports": "/community-reports/",
    "assessment archive": "/assessments/",
    "methods page": "/methods/",
    "archived assessment": "/assessments/{assessment_id}/",
    "API documentation": "/api/v1/docs/",
    "sign-in page": "/accounts/sign-in/",
    "password reset page": "/accounts/password-reset/",
}


def _codes(assessment: Path) -> dict[str, str]:
    table = pd.read_csv(assessment / "public" / "indicators.csv", dtype={"area_code": str})
    return {
        level: str(table.loc[table["area_level"] == level, "area_code"].sort_values().iloc[0])
        for level in ("csp", "ward", "lsoa")
    }


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(
    name: str, guarded, assert_accessible, demo_assessment: Path, published_assessment_id: int
) -> None:
    path = PAGES[name].format(**_codes(demo_assessment), assessment_id=published_assessment_id)
    page = guarded.page
    guarded.goto(path)
    page.wait_for_function(CHARTS_SETTLED, timeout=30_000)
    page.evaluate(OPEN_DETAILS)
    assert_accessible(page)
    guarded.assert_clean()


def test_sign_in_error_page_has_no_serious_accessibility_violation(
    guarded, assert_accessible
) -> None:
    """The sign-in form after a wrong password: error summary and inline error."""
    page = guarded.page
    guarded.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill("nobody-by-this-name")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("not correct")
    # GOV.UK Frontend's error summary moves focus to itself: its JavaScript ran under the CSP.
    expect(summary).to_be_focused()
    # Its link leads to the form's first field.
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Username")).to_be_focused()
    assert_accessible(page)
    guarded.assert_clean()
