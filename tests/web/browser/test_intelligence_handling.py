"""A police intelligence officer handles a partner's intelligence in the browser (issue 14).

A submission is made in the running site through the real service by the analyst, on county
lines, which routes to the police intelligence receiver; the police officer is designated as
that receiver. They sign in, find it in the queue (no content there), open it (the view is
audit-logged), are stopped from keeping "what is known" empty in a sanitised copy, then make the
copy; then opens their alerts and what they follow. Every page is checked with axe and the
page guard.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from web_server import manage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

WHAT_IS_KNOWN = "Browser test: runners collect from the flat above the launderette at night"
_SUBMIT = """
import json
from safecity_web.accounts.models import User
from safecity_web.intelligence.models import ReceiverDesignation
from safecity_web.intelligence import submission as service
receiver = User.objects.get(username="police.officer")
ReceiverDesignation.objects.get_or_create(user=receiver, receiver="police_intelligence")
draft = service.IntelligenceDraft(topic="county_lines", what_is_known=%r, provenance="saw_or_heard",
    source_evaluation="2", intelligence_assessment="B", handling_code="C",
    handling_conditions="Police only.", place_words="Above the launderette",
    subjects=(service.SubjectDraft(kind="person", details={"name": "Browser Person"}),))
submitter = User.objects.get(username="analyst")
submission = service.submit_intelligence(draft=draft, submitted_by=submitter)
print(json.dumps({"reference": submission.reference}))
"""
_AUDIT = """
import json
from safecity_web.accounts.models import AuditEvent
from safecity_web.intelligence.models import SanitisedCopy
print(json.dumps({
    "views": AuditEvent.objects.filter(action="viewed_intelligence", object_id=%(ref)r).count(),
    "copies": list(SanitisedCopy.objects.filter(submission__reference=%(ref)r).values_list(
        "removed_fields", flat=True)),
}))
"""


def _shell(site, script: str) -> dict:
    output = manage("shell", "-c", script, environment=site.environment, folder=site.folder)
    return json.loads(output.strip().splitlines()[-1])


def test_a_receiver_reads_and_sanitises_a_submission(guarded, assert_accessible) -> None:
    site = guarded.site
    page = guarded.page
    reference = _shell(site, _SUBMIT % WHAT_IS_KNOWN)["reference"]
    officer = site.users["police.officer"]

    guarded.goto("/partners/intelligence/queue/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/partners/intelligence/queue/$"))
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(officer.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intelligence queue")
    expect(page.get_by_role("cell", name="2/B/C")).to_be_visible()
    expect(page.get_by_text(WHAT_IS_KNOWN)).to_have_count(0)  # no content in the list
    assert_accessible(page)

    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Intelligence {reference}")
    expect(page.get_by_text(WHAT_IS_KNOWN).first).to_be_visible()
    expect(page.get_by_text("Name or names used: Browser Person")).to_be_visible()
    assert_accessible(page)
    assert _shell(site, _AUDIT % {"ref": reference})["views"] == 1

    page.get_by_label("Keep: What is known").check()
    page.get_by_label("What is known as it will read in the copy").fill("")
    page.get_by_role("button", name="Make the sanitised copy").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Write the text to keep, or do not keep it"
    )
    assert_accessible(page)
    refused = [text for text in guarded.console_errors if "status of 400" in text]
    assert len(refused) == 1, guarded.console_errors
    guarded.console_errors.remove(refused[0])

    page.get_by_label("Keep: What is known").check()
    page.get_by_label("What is known as it will read in the copy").fill(
        "A flat in the town centre is used by a dealing line."
    )
    page.get_by_role("button", name="Make the sanitised copy").click()
    expect(page.get_by_text(re.compile(r"Sanitised copy \d+ made"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^CSV"))).to_be_visible()
    assert_accessible(page)
    recorded = _shell(site, _AUDIT % {"ref": reference})
    assert recorded["copies"] == [["provenance", "place_words", "subjects[0].name"]]

    # The receiver's alerts pages (the portal list and what they follow) pass axe too.
    page.get_by_role("link", name=re.compile(r"^Alerts")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    assert_accessible(page)
    guarded.goto("/partners/alerts/subscriptions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What you follow")
    assert_accessible(page)
    guarded.assert_clean()
