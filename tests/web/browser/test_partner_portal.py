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

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def sign_in(guarded, *, username: str, password: str) -> None:
    """Open the portal anonymously, get sent to the sign-in page, sign in there."""
    page = guarded.page
    guarded.goto("/partners/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/partners/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(guarded.site.url("/partners/"))


def test_analyst_reports_progress_on_an_action(
    guarded, assert_accessible, shared_data: Path
) -> None:
    page = guarded.page
    analyst = guarded.site.users["analyst"]

    sign_in(guarded, username=analyst.username, password=analyst.password)

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

    # Sign out through the header's account link; the portal then asks for a sign-in again.
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Account and sign out"
    ).click()
    expect(page).to_have_url(guarded.site.url("/accounts/"))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Partner sign in")).to_be_visible()
    page.goto(guarded.site.url("/partners/"))
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/partners/$"))
    assert "sessionid" not in {cookie["name"] for cookie in page.context.cookies()}
    guarded.assert_clean()


def test_analyst_publishes_the_annual_public_statement(
    guarded, assert_accessible, shared_data: Path
) -> None:
    page = guarded.page
    analyst = guarded.site.users["analyst"]
    sign_in(guarded, username=analyst.username, password=analyst.password)

    # Assemble a draft from the published assessment and the action plan.
    page.get_by_role("link", name="Write the annual public statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual public statement")
    assert_accessible(page)
    page.get_by_role("button", name="Assemble draft").click()
    expect(page.get_by_text("Draft statement assembled")).to_be_visible()
    # The draft quotes the published assessment's area.
    expect(page.locator(".govuk-inset-text").first).to_contain_text("Demoton")
    assert_accessible(page)

    # Edit the title (a new version), then publish it.
    title = "Safe City annual statement 2024/25 (browser test)"
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Publish this version").click()

    # The public page shows it, with a PDF; it passes axe like every public page.
    expect(page).to_have_url(guarded.site.url("/statement/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(page)
    pdf_link = page.locator("a[href$='statement.pdf']").first
    pdf = page.request.get(guarded.site.url(pdf_link.get_attribute("href") or ""))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    guarded.assert_clean()


def test_administrator_reads_the_audit_log(guarded, assert_accessible) -> None:
    """Sign-ins are audited, and an administrator can filter the log to see them."""
    page = guarded.page
    administrator = guarded.site.users["administrator"]
    sign_in(guarded, username=administrator.username, password=administrator.password)
    guarded.goto("/accounts/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    page.get_by_label("Action").select_option(label="Signed in")
    page.get_by_label("Username").fill(administrator.username)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"username={administrator.username}"))
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="Signed in").first).to_contain_text(administrator.username)
    assert_accessible(page)
    guarded.assert_clean()


def test_board_member_signs_in_by_keyboard_and_reads_the_plan(guarded, shared_data: Path) -> None:
    """Keyboard only: skip link, the two fields and the button, in tab order; board members
    read the action plan but get no progress form."""
    page = guarded.page
    member = guarded.site.users["board.member"]
    guarded.goto("/accounts/sign-in/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    focused_name = "() => document.activeElement && document.activeElement.name"
    for _ in range(10):  # past the main content's links to the first field
        page.keyboard.press("Tab")
        if page.evaluate(focused_name) == "username":
            break
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(member.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(member.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(guarded.site.url("/partners/"))
    expect(page.get_by_text(f"{member.organisation} · Board member")).to_be_visible()

    page.get_by_role("link", name="Strategy and action plan").click()
    page.locator("a[href^='/partners/strategy/priorities/']").first.click()
    page.locator("a[href^='/partners/strategy/focus-areas/']").first.click()
    page.locator("a[href^='/partners/strategy/actions/']").first.click()
    expect(page.get_by_role("heading", name="Progress updates")).to_be_visible()
    expect(page.get_by_role("button", name="Add progress update")).to_have_count(0)
    expect(
        page.get_by_text("Board members can read the action plan but not update it.")
    ).to_be_visible()
    guarded.assert_clean()
