"""A board member signs in and reads the partner-intelligence counts (issue 14), with axe.

The published demo assessment's boundaries name the wards; the page works without JavaScript,
has no serious or critical accessibility violation, only complete financial years are offered,
and a year asked for wrongly comes back with the GOV.UK error summary linking to the field.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from safecity_web.intelligence.counts import last_complete_year, year_label, year_months

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def test_a_board_member_reads_the_counts_by_ward_and_topic(
    guarded, assert_accessible, demo_assessment
) -> None:
    page = guarded.page
    board = guarded.site.users["board.member"]
    guarded.goto("/partners/intelligence/counts/")
    expect(page).to_have_url(
        re.compile(r"/accounts/sign-in/\?next=/partners/intelligence/counts/$")
    )
    page.get_by_label("Username").fill(board.username)
    page.get_by_label("Password").fill(board.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(guarded.site.url("/partners/intelligence/counts/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Counts by ward and topic")

    # The demo site has no submissions yet: the latest complete financial year is offered.
    year = last_complete_year(today=datetime.date.today())
    first, last = year_months(year)
    page.get_by_label("Financial year").select_option(year_label(year))
    page.get_by_role("button", name="Show counts").click()
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_have_text(
        f"Submissions by ward and topic, {year_label(year)} ({first} to {last})"
    )
    expect(table.get_by_role("columnheader", name="County lines and drug dealing")).to_be_visible()
    expect(table.get_by_role("rowheader", name="All wards")).to_be_visible()
    assert table.locator("tbody tr").count() > 10  # every ward of the demo city
    # The de-identified export is for analysts and administrators, not board members.
    expect(page.get_by_role("link", name="Download the monthly counts (CSV)")).to_have_count(0)
    assert_accessible(page)

    guarded.goto("/partners/intelligence/counts/?year=April")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose a financial year, like 2024/25")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_year")
    assert_accessible(page)
    guarded.assert_clean()
