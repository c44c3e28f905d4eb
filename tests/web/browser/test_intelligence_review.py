"""A police intelligence receiver reviews partner intelligence in the browser (issue 14).

Two county-lines submissions whose reviews are five days overdue are made in the running site
(through the real submission service, by the analyst) and the police partner officer is
designated as the police intelligence receiver. They sign in, open the reviews list, are stopped
from keeping the first without a reason, keep it with one (it leaves the list: its next review
is a year away), and delete the second after confirming. Every page is checked with axe and the
page guard; the database then shows the decision, the next review and the deleted content.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from web_server import manage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

WHAT_IS_KNOWN = "Browser test: a flat on Station Road is being used to deal drugs"
KEEP_REASON = "Supports the open operation against the dealing line."
_SUBMIT = """
import datetime, json
from django.utils import timezone
from safecity_web.accounts.models import User
from safecity_web.intelligence.models import ReceiverDesignation
from safecity_web.intelligence.submission import IntelligenceDraft, submit_intelligence
receiver = User.objects.get(username="police.officer")
ReceiverDesignation.objects.get_or_create(user=receiver, receiver="police_intelligence")
analyst = User.objects.get(username="analyst")
draft = IntelligenceDraft(topic="county_lines", what_is_known=%r,
    provenance="told_by_person_involved", source_evaluation="2", intelligence_assessment="B",
    handling_code="P")
then = timezone.now() - datetime.timedelta(days=370)
references = [submit_intelligence(draft=draft, submitted_by=analyst, now=then).reference
    for _ in range(2)]
print(json.dumps({"references": references}))
"""
_STATE = """
import json
from safecity_web.intelligence.models import IntelligenceSubmission
from safecity_web.intelligence.submission import decrypt
state = {}
for reference in %r:
    submission = IntelligenceSubmission.objects.get(reference=reference)
    reviews = list(submission.reviews.all())
    state[reference] = {
        "review_due": submission.review_due.isoformat(),
        "deletion_reason": submission.deletion_reason,
        "what_is_known": decrypt(submission.encrypted_what_is_known),
        "decisions": [review.decision for review in reviews],
        "reasons": [decrypt(review.encrypted_reason) for review in reviews],
    }
print(json.dumps(state))
"""


def _shell(site, script: str) -> dict:
    output = manage("shell", "-c", script, environment=site.environment, folder=site.folder)
    return json.loads(output.strip().splitlines()[-1])


def _review_link(page, reference: str):
    """The reviews list's link to ``reference``'s review (its name ends in a hidden ": review")."""
    return page.get_by_role("link", name=re.compile(rf"^{reference}\s*: review$"))


def test_a_receiver_keeps_one_submission_and_deletes_another(guarded, assert_accessible) -> None:
    site = guarded.site
    page = guarded.page
    kept, deleted = _shell(site, _SUBMIT % WHAT_IS_KNOWN)["references"]
    officer = site.users["police.officer"]

    guarded.goto("/partners/intelligence/reviews/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/partners/intelligence/"))
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(officer.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(site.url("/partners/intelligence/reviews/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Intelligence reviews")
    expect(page.get_by_text("2 overdue, 0 escalated.")).to_be_visible()
    expect(page.get_by_text(WHAT_IS_KNOWN)).to_have_count(0)  # no content in the list
    assert_accessible(page)

    _review_link(page, kept).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review {kept}")
    expect(page.get_by_text("5 days overdue")).to_be_visible()
    expect(page.get_by_text(WHAT_IS_KNOWN)).to_have_count(0)
    assert_accessible(page)

    # Keeping needs a reason: the error summary says so and links to the box.
    page.get_by_role("button", name="Keep it").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say why the submission should be kept")
    assert_accessible(page)
    expected = [
        text
        for text in guarded.console_errors
        if "status of 400" in text and f"/partners/intelligence/{kept}/review/" in text
    ]
    assert len(expected) == 1, guarded.console_errors
    guarded.console_errors.remove(expected[0])
    summary.get_by_role("link", name="Say why the submission should be kept").click()
    expect(page.get_by_label("Why should it be kept?")).to_be_focused()
    page.get_by_label("Why should it be kept?").fill(KEEP_REASON)
    page.get_by_role("button", name="Keep it").click()
    expect(page).to_have_url(site.url("/partners/intelligence/reviews/"))
    expect(page.get_by_text(f"{kept} is kept; its next review is")).to_be_visible()
    expect(_review_link(page, kept)).to_have_count(0)
    assert_accessible(page)

    _review_link(page, deleted).click()
    page.get_by_label("I understand that deleting removes everything it says, for good").check()
    page.get_by_role("button", name="Delete it").click()
    expect(page.get_by_text(f"The content of {deleted} was deleted")).to_be_visible()
    expect(page.get_by_text("No reviews are due in the next 30 days.")).to_be_visible()
    assert_accessible(page)

    state = _shell(site, _STATE % [kept, deleted])
    assert state[kept]["decisions"] == ["retain"]
    assert state[kept]["reasons"] == [KEEP_REASON]
    assert state[kept]["what_is_known"] == WHAT_IS_KNOWN
    assert state[deleted]["decisions"] == ["delete"]
    assert state[deleted]["deletion_reason"] == "review_decision"
    assert state[deleted]["what_is_known"] == ""
    assert state[kept]["review_due"] > state[deleted]["review_due"]
    guarded.assert_clean()
