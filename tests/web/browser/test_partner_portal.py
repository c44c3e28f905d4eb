"""An analyst signs in, opens the partner portal and the action plan, reports progress, signs out.

The reference strategy (``../shared/strategy/``, imported by the ``site`` fixture) names
Southampton City Council as responsible for actions; the analyst belongs to it. The sign-in
runs under the production settings (secure, HTTP-only cookies; Chromium treats the loopback
server as a secure context).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def test_analyst_reports_progress_on_an_action(
    guarded, assert_accessible, shared_data: Path
) -> None:
    page = guarded.page
    analyst = guarded.site.users["analyst"]

    # The portal needs an account: an anonymous visitor is sent to the sign-in page.
    guarded.goto("/partners/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/partners/$"))
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(analyst.password)
    page.get_by_role("button", name="Sign in").click()

    # Back on the portal, signed in, with the analyst's organisation and role.
    expect(page).to_have_url(guarded.site.url("/partners/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner portal")
    expect(page.get_by_text(f"{analyst.organisation} · Analyst")).to_be_visible()
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["sessionid"]["secure"]
    assert cookies["sessionid"]["httpOnly"]
    assert_accessible(page)

    # The action plan: the strategy overview, then one of the organisation's own actions.
    page.get_by_role("link", name="Strategy and action plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safe City")
    assert_accessible(page)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Partner portal"
    ).click()
    expect(page).to_have_url(guarded.site.url("/partners/"))
    own_actions = page.locator("table a[href^='/partners/strategy/actions/']")
    expect(own_actions.first).to_be_visible()
    code = own_actions.first.inner_text()
    own_actions.first.click()
    expect(page.get_by_text(f"Action {code}", exact=True)).to_be_visible()
    expect(page.get_by_text("No progress has been reported yet.")).to_be_visible()
    assert_accessible(page)

    # A progress update through the GOV.UK form, submitted from the keyboard-reachable button.
    today = date.today()
    narrative = f"Browser test: partnership workshop held with {analyst.organisation}."
    page.get_by_role("radio", name="On track").check()
    page.get_by_role("radio", name="Amber").check()
    page.get_by_label("Percentage complete").fill("40")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("What has happened since the last update").fill(narrative)
    page.get_by_label("Link to evidence (optional)").fill("https://example.org/minutes.pdf")
    page.get_by_role("button", name="Add progress update").click()

    # The update heads the action's history, attributed to the analyst.
    history = page.get_by_role("table").filter(has_text=narrative)
    expect(history).to_be_visible()
    first_row = history.locator("tbody tr").first
    expect(first_row).to_contain_text("On track")
    expect(first_row).to_contain_text("40%")
    expect(first_row).to_contain_text(narrative)
    expect(first_row).to_contain_text(analyst.organisation)
    expect(page.get_by_text("No progress has been reported yet.")).to_have_count(0)
    assert_accessible(page)

    # Sign out from the account page; the portal then asks for a sign-in again.
    guarded.goto("/accounts/")
    page.get_by_role("button", name="Sign out").click()
    guarded.goto("/accounts/sign-in/")
    page.goto(guarded.site.url("/partners/"))
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/partners/$"))
    assert "sessionid" not in {cookie["name"] for cookie in page.context.cookies()}
    guarded.assert_clean()
