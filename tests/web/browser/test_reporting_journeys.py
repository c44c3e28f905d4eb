"""Report journeys in Chromium (issue 13): a resident on a phone, a reporting centre, a business.

Every page of each journey is scanned with axe-core (no serious or critical violation) and the
page guard fails the test on any console error, page error, server error or request off the
loopback host (the report map draws the published boundaries itself: no tiles, no other site).
The reporting-centre worker and the business member are created in the running site's database
with the ``web_server`` helpers the ``site`` fixture uses for its own users.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from web_server import RunningSite, WebUser, create_users, manage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
CENTRE_WORKER = WebUser(
    "centre.worker",
    "reporting_centre_worker",
    "Demo Hate Crime Reporting Centre",
    "reporting_centre",
)
BUSINESS_MEMBER = WebUser("shop.manager", "business_member", "Demo Corner Shop Ltd", "business")
JOIN_SCHEME = """
from safecity_web.accounts.models import Organisation
from safecity_web.reporting.models import BusinessScheme, SchemeMembership
scheme, _ = BusinessScheme.objects.get_or_create(name="Demo Business Crime Partnership")
SchemeMembership.objects.get_or_create(
    scheme=scheme, organisation=Organisation.objects.get(name="Demo Corner Shop Ltd"))
print("joined")
"""
POINT_IN_FIRST_WARD = """() => {
  const svg = document.querySelector('[data-report-map-canvas] svg');
  const ward = svg.querySelector('path');
  const box = ward.getBBox();
  for (let fy = 0.5; fy < 1; fy += 0.05) {
    for (const sy of [fy, 1 - fy]) {
      for (let fx = 0.5; fx < 1; fx += 0.05) {
        for (const sx of [fx, 1 - fx]) {
          const point = new DOMPoint(box.x + box.width * sx, box.y + box.height * sy);
          if (ward.isPointInFill(point)) {
            const screen = point.matrixTransform(svg.getScreenCTM());
            return {x: screen.x, y: screen.y, ward: ward.querySelector('title').textContent};
          }
        }
      }
    }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def reporting_people(site: RunningSite) -> dict[str, WebUser]:
    """A reporting-centre worker and a business member (in a scheme) in the running site."""
    create_users([CENTRE_WORKER, BUSINESS_MEMBER], environment=site.environment, folder=site.folder)
    assert "joined" in manage(
        "shell", "-c", JOIN_SCHEME, environment=site.environment, folder=site.folder
    )
    return {"centre": CENTRE_WORKER, "business": BUSINESS_MEMBER}


@pytest.fixture
def context(browser: Browser, site: RunningSite) -> Iterator[BrowserContext]:
    """A phone-sized browser context (no cookies), replacing the conftest's desktop one."""
    browser_context = browser.new_context(
        base_url=site.base_url, locale="en-GB", viewport=PHONE, has_touch=True
    )
    browser_context.set_default_timeout(15_000)
    yield browser_context
    browser_context.close()


def _continue(page: Page, assert_accessible, *, heading: str | re.Pattern[str]) -> None:
    """Press Continue; the next page must have ``heading`` (else fail with its error summary)."""
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 0, f"{page.url}: {summary.inner_text()}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 40)).save(output, format="PNG")
    return output.getvalue()


def test_a_resident_reports_a_hate_incident_on_a_phone(guarded, assert_accessible) -> None:
    page = guarded.page
    yesterday = date.today() - timedelta(days=1)
    guarded.goto("/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Report a hate incident or a community safety concern"
    )
    expect(page.get_by_text("call 999")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you want to report?")
    assert_accessible(page)

    # Continue without an answer: the error summary, linked to the question.
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select what you want to report")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    page.get_by_role("radio", name="A hate incident or hate crime").check()
    _continue(page, assert_accessible, heading="What do you think it was about?")
    page.get_by_role("checkbox", name="Race or ethnicity").check()
    page.get_by_role("checkbox", name="Something else about who they are").check()
    _continue(page, assert_accessible, heading="What happened?")
    page.get_by_role("radio", name="Verbal abuse, threats or insults").check()
    _continue(page, assert_accessible, heading="When did it happen?")
    page.get_by_role("radio", name="On one day").check()
    _fill_date_group(page, "on", yesterday)
    _continue(page, assert_accessible, heading="Where did it happen?")

    # The map: drawn from the page's own outlines; a point in a ward fills the hidden inputs.
    page.get_by_role("radio", name="At a place in the area").check()
    svg = page.locator("[data-report-map-canvas] svg")
    expect(svg).to_be_visible()
    assert_accessible(page)
    svg.scroll_into_view_if_needed()
    target = page.evaluate(POINT_IN_FIRST_WARD)
    assert target is not None, "no point found inside the first ward's outline"
    page.mouse.click(target["x"], target["y"])
    expect(page.locator("[data-report-map-status]")).to_have_text(
        f"Point chosen, in {target['ward']}."
    )
    assert page.locator("#id_latitude").input_value() != ""
    page.get_by_label("Place or street name").fill("Outside the newsagent")
    _continue(page, assert_accessible, heading="Tell us what happened (optional)")
    page.get_by_role("textbox").fill("Two men shouted racist abuse at me at the bus stop.")
    _continue(page, assert_accessible, heading="Who was targeted? (optional)")
    page.get_by_role("textbox").fill("Me")
    _continue(page, assert_accessible, heading="Do you want us to contact you about this report?")
    page.get_by_role("radio", name="No").check()
    _continue(page, assert_accessible, heading="Add photos (optional)")
    page.get_by_label("Add photos (optional)").set_input_files(
        [{"name": "bus-stop.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your report"
    )
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text("Race or ethnicity; Something else about who they are")
    expect(answers).to_contain_text(f"a point on the map in {target['ward']}")
    expect(answers).to_contain_text("1 photo")
    expect(answers).to_contain_text("No contact – the report is anonymous")
    assert_accessible(page)

    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    reference = page.locator("[data-reference]").inner_text()
    assert re.fullmatch(r"SC-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert_accessible(page)
    status_link = page.locator("[data-status-link]")
    status_url = status_link.get_attribute("href")
    assert status_url is not None
    assert "/report/status/" in status_url

    # The private status page, then erasure with a confirmation.
    status_link.click()
    expect(page.get_by_text(f"Reference {reference}")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Received")
    assert_accessible(page)
    page.get_by_role("button", name="Delete my personal details").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, delete my personal details").click()
    expect(page.locator("[data-anonymised]")).to_contain_text("were deleted on")
    assert_accessible(page)
    guarded.assert_clean()


def test_the_report_pages_work_without_javascript(browser: Browser, site: RunningSite) -> None:
    context = browser.new_context(
        base_url=site.base_url, locale="en-GB", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(site.url("/report/new/kind/"))
        page.get_by_role("radio", name="A community safety concern").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("radio", name="Anti-social behaviour").check()
        page.get_by_role("button", name="Continue").click()
        # Without JavaScript every conditional answer is shown: both date inputs are there.
        expect(page.get_by_text("Start date")).to_be_visible()
        page.get_by_role("radio", name="On one day").check()
        _fill_date_group(page, "on", date.today() - timedelta(days=2))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Where did it happen?")
        expect(page.locator("[data-report-map]")).to_be_hidden()
        page.get_by_role("radio", name="I would rather not say where").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Tell us what happened (optional)"
        )
    finally:
        context.close()


def _fill_date_group(page: Page, group: str, when: date) -> None:
    page.locator(f"#id_{group}_day").fill(str(when.day))
    page.locator(f"#id_{group}_month").fill(str(when.month))
    page.locator(f"#id_{group}_year").fill(str(when.year))


def _sign_in(page: Page, guarded, *, start: str, user: WebUser) -> None:
    page.goto(guarded.site.url(start))
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(guarded.site.url(start))


def test_a_reporting_centre_worker_reports_for_a_victim(
    guarded, assert_accessible, reporting_people: dict[str, WebUser]
) -> None:
    page = guarded.page
    _sign_in(page, guarded, start="/report/centre/new/", user=reporting_people["centre"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Report on behalf of a victim")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Has the victim agreed to you making this report?"
    )
    assert_accessible(page)
    page.get_by_role("radio", name="Yes").check()
    _continue(page, assert_accessible, heading="What has the victim agreed to share?")
    page.get_by_role("checkbox", name="What happened, in their words").check()
    page.get_by_role("checkbox", name="Their contact details").check()
    _continue(page, assert_accessible, heading="What does the victim want to report?")
    page.get_by_role("radio", name="A hate incident or hate crime").check()
    _continue(page, assert_accessible, heading="What does the victim think it was about?")
    page.get_by_role("checkbox", name="Disability").check()
    _continue(page, assert_accessible, heading="What happened?")
    page.get_by_role("radio", name="Harassment or being followed").check()
    _continue(page, assert_accessible, heading="When did it happen?")
    page.get_by_role("radio", name=re.compile("^Over a period of time")).check()
    _fill_date_group(page, "from", date.today() - timedelta(days=20))
    _fill_date_group(page, "to", date.today() - timedelta(days=3))
    _continue(page, assert_accessible, heading="Where did it happen?")
    page.get_by_role("radio", name="It happened online").check()
    _continue(page, assert_accessible, heading="What happened, in the victim's words (optional)")
    page.get_by_role("textbox").fill("Messages on social media every day for two weeks.")
    _continue(page, assert_accessible, heading="Who was targeted? (optional)")
    _continue(page, assert_accessible, heading="May the partnership contact the victim?")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("checkbox", name="By email").check()
    _continue(page, assert_accessible, heading="The victim's contact details")
    page.get_by_label("Email address").fill("victim@example.org")
    _continue(page, assert_accessible, heading="Add photos (optional)")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Yes: By email")
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    expect(page.get_by_role("link", name="See your reports")).to_have_attribute(
        "href", "/report/centre/"
    )
    assert_accessible(page)
    guarded.assert_clean()


def test_a_business_member_reports_a_theft_with_losses(
    guarded, assert_accessible, reporting_people: dict[str, WebUser]
) -> None:
    page = guarded.page
    _sign_in(page, guarded, start="/report/business/new/", user=reporting_people["business"])
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Report a crime or incident at your business"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened?")
    page.get_by_role("radio", name="Theft (including shoplifting)").check()
    _continue(page, assert_accessible, heading="When did it happen?")
    page.get_by_role("radio", name="On one day").check()
    _fill_date_group(page, "on", date.today() - timedelta(days=1))
    _continue(page, assert_accessible, heading="Where did it happen?")
    page.get_by_role("radio", name="I would rather not say where").check()
    _continue(page, assert_accessible, heading="Tell us what happened (optional)")
    page.get_by_role("textbox").fill("Two bottles of spirits taken from the shelf by the door.")
    _continue(page, assert_accessible, heading="How much did the business lose? (optional)")
    page.get_by_role("textbox").fill("forty pounds")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the losses as an amount in pounds"
    )
    assert_accessible(page)
    page.get_by_role("textbox").fill("45.90")
    _continue(page, assert_accessible, heading="Describe the offender (optional)")
    page.get_by_role("textbox").fill("Tall, green jacket, grey backpack")
    _continue(
        page,
        assert_accessible,
        heading="Add an image of the offender or the damage (optional)",
    )
    page.get_by_role("button", name="Continue").click()
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text("£45.90")
    expect(answers).to_contain_text("Tall, green jacket")
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    assert_accessible(page)
    guarded.assert_clean()
