"""A partner officer submits intelligence in Chromium, by keyboard alone (issue 14).

The police partner officer of the running site signs in, follows the header's "Intelligence"
link and completes the Community Partnership Intelligence form with the keyboard only (focus,
Space, Enter, typing): a topic, what is known, a person and a vehicle added and one removed
again, a ward of the demo city chosen by its name, a date, how they know, and a 3x5x2 grading
(first refused without its handling conditions, then accepted), check answers, submit. Every
page is scanned with axe-core (no serious or critical violation) under the page guard. A second
context with JavaScript switched off adds and removes a subject, to show the form needs none.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from web_server import RunningSite, manage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

WHAT = "Browser test: a flat on the estate is used to deal drugs by two teenagers after school."
PERSON = "Browser Test Person"
CONDITIONS = "Do not disclose the originating organisation."
_STORED = """
import json
from safecity_web.intelligence.models import IntelligenceSubmission
from safecity_web.intelligence.submission import decrypt, decrypt_json
submission = IntelligenceSubmission.objects.get(reference=%r)
print(json.dumps({
    "topic": submission.topic,
    "ward_code": submission.ward_code,
    "grading": submission.source_evaluation + submission.intelligence_assessment
        + submission.handling_code,
    "what": decrypt(submission.encrypted_what_is_known),
    "subjects": [[subject.kind, decrypt_json(subject.encrypted_details)]
                 for subject in submission.subjects.order_by("position")],
    "count": IntelligenceSubmission.objects.filter(submitted_by=submission.submitted_by).count(),
}))
"""


def _shell(site: RunningSite, script: str) -> dict:
    output = manage("shell", "-c", script, environment=site.environment, folder=site.folder)
    return json.loads(output.strip().splitlines()[-1])


def press(page: Page, target: Locator, key: str = "Space") -> None:
    """Move the keyboard focus to ``target`` and press ``key``."""
    target.focus()
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    """Focus ``target`` and type ``text`` as keyboard input."""
    target.focus()
    page.keyboard.insert_text(text)


def submit(page: Page, name: str = "Continue") -> None:
    """Press Enter on the page's (main form's) button called ``name``."""
    press(page, page.get_by_role("button", name=name, exact=True).last, "Enter")


def sign_in(guarded, *, username: str, password: str) -> None:
    page = guarded.page
    guarded.goto("/partners/intelligence/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/partners/intelligence/$"))
    type_into(page, page.get_by_label("Username"), username)
    type_into(page, page.get_by_label("Password"), password)
    press(page, page.get_by_role("button", name="Sign in"), "Enter")
    expect(page).to_have_url(guarded.site.url("/partners/intelligence/"))


def expect_refused_form(guarded, path: str) -> None:
    """A form sent back with errors answers 400, which Chromium logs as a console error: take
    exactly that one message off the guard (any other stays and fails the test)."""
    expected = [text for text in guarded.console_errors if "status of 400" in text and path in text]
    assert len(expected) == 1, guarded.console_errors
    guarded.console_errors.remove(expected[0])


def test_a_partner_officer_submits_intelligence_by_keyboard(guarded, assert_accessible) -> None:
    site = guarded.site
    page = guarded.page
    officer = site.users["police.officer"]
    sign_in(guarded, username=officer.username, password=officer.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner intelligence")
    assert_accessible(page)

    press(page, page.get_by_role("link", name="The 3x5x2 grading guide"), "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("The 3x5x2 grading guide")
    expect(page.get_by_text("Known indirectly to the source but corroborated")).to_be_visible()
    assert_accessible(page)

    header = page.get_by_role("navigation", name="Menu")
    press(page, header.get_by_role("link", name="Intelligence", exact=True), "Enter")
    press(page, page.get_by_role("link", name="Submit intelligence"), "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit intelligence")
    assert_accessible(page)
    submit(page, "Start now")

    expect(page.get_by_role("heading", level=1)).to_have_text("What is the intelligence about?")
    assert_accessible(page)
    press(page, page.get_by_role("radio", name="County lines and drug dealing"))
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("What do you know?")
    assert_accessible(page)
    type_into(page, page.get_by_role("textbox", name="What do you know?"), WHAT)
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Who or what is it about?")
    assert_accessible(page)
    for kind, field, text in (
        ("A person", "Name or names used", PERSON),
        ("A vehicle", "Registration number", "BR0 WSER"),
    ):
        press(page, page.get_by_role("radio", name=kind))
        submit(page, "Add")
        expect(page.get_by_role("heading", level=1)).to_have_text(kind)
        assert_accessible(page)
        type_into(page, page.get_by_role("textbox", name=field), text)
        submit(page, "Add")
    expect(page.get_by_role("heading", level=2, name="Vehicle 2")).to_be_visible()
    assert_accessible(page)
    submit(page, "Remove vehicle 2")
    expect(page.get_by_role("heading", level=2, name="Vehicle 2")).to_have_count(0)
    expect(page.get_by_role("heading", level=2, name="Person 1")).to_be_visible()
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Where is it about?")
    assert_accessible(page)
    press(page, page.get_by_role("radio", name="In a ward of the partnership's area"))
    wards = page.locator("#id_ward_code option")
    ward_name = wards.nth(1).inner_text()
    ward_code = wards.nth(1).get_attribute("value")
    page.locator("#id_ward_code").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_ward_code")).to_have_value(ward_code or "")
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("When did it happen?")
    assert_accessible(page)
    type_into(page, page.locator("#id_from_day"), "3")
    type_into(page, page.locator("#id_from_month"), "2")
    type_into(page, page.locator("#id_from_year"), "2026")
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("How do you know this?")
    assert_accessible(page)
    press(page, page.get_by_role("radio", name="Someone directly involved told me"))
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Grade the intelligence")
    expect(page.get_by_text("The source has not been tested before")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("radio", name="2: Untested"))
    press(
        page, page.get_by_role("radio", name="B: Known indirectly to the source but corroborated")
    )
    press(page, page.get_by_role("radio", name="C: Lawful sharing permitted with conditions"))
    submit(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Write the conditions on which it may be shared")
    assert_accessible(page)
    expect_refused_form(guarded, "/partners/intelligence/new/grading/")
    type_into(page, page.locator("#id_handling_conditions"), CONDITIONS)
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    answers = page.locator("#answers")
    for shown in (WHAT, PERSON, f"{ward_name} ward", "2BC", CONDITIONS):
        expect(answers).to_contain_text(shown)
    expect(answers).not_to_contain_text("BR0 WSER")
    assert_accessible(page)
    submit(page, "Submit intelligence")

    expect(page.get_by_role("heading", level=1)).to_have_text("Intelligence submitted")
    reference = page.locator("[data-reference]").inner_text()
    assert re.fullmatch(r"IN-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    expect(
        page.get_by_text("Police intelligence officer (force intelligence bureau)")
    ).to_be_visible()
    assert_accessible(page)
    stored = _shell(site, _STORED % reference)
    assert stored == {
        "topic": "county_lines",
        "ward_code": ward_code,
        "grading": "2BC",
        "what": WHAT,
        "subjects": [["person", {"name": PERSON}]],
        "count": 1,
    }

    # Back to check answers and submitting again makes no second submission.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/partners/intelligence/new/topic/$"))
    assert _shell(site, _STORED % reference)["count"] == 1

    press(
        page,
        page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Intelligence", exact=True
        ),
        "Enter",
    )
    press(page, page.get_by_role("link", name="Your submissions"), "Enter")
    expect(page.get_by_role("cell", name=reference)).to_be_visible()
    expect(page.get_by_text(WHAT)).to_have_count(0)
    assert_accessible(page)
    guarded.assert_clean()


def test_the_form_needs_no_javascript(browser: Browser, site: RunningSite) -> None:
    context = browser.new_context(base_url=site.base_url, locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        officer = site.users["analyst"]
        page.goto("/partners/intelligence/new/about/")
        page.get_by_label("Username").fill(officer.username)
        page.get_by_label("Password").fill(officer.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Who or what is it about?")
        page.get_by_role("radio", name="Premises (a house, flat, shop or business)").check()
        page.get_by_role("button", name="Add", exact=True).click()
        page.get_by_role("textbox", name="Address").fill("1 No Script Street")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text("Address: 1 No Script Street")).to_be_visible()
        page.get_by_role("button", name="Remove premises 1").click()
        expect(page.get_by_text("You have not added anyone or anything yet.")).to_be_visible()
    finally:
        context.close()
