"""Reviewing partner intelligence (issue 14): keep with a reason, or delete; the reviews list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from web_intelligence import (
    PERSON_NAME,
    VEHICLE_REGISTRATION,
    WHAT_IS_KNOWN,
    designate,
    make_submission,
    staff,
)
from web_reporting import publish_small_area

from safecity_web.accounts.models import AuditAction, AuditEvent, User
from safecity_web.intelligence.models import (
    DeletionReason,
    IntelligenceSubmission,
    ReviewDecision,
    ReviewDecisionKind,
    SubmissionStatus,
)
from safecity_web.intelligence.review import (
    ReviewError,
    ReviewState,
    delete_at_review,
    retain_submission,
    reviews_for,
)
from safecity_web.intelligence.submission import decrypt

pytestmark = pytest.mark.django_db

KEEP_REASON = "Supports the open operation against the dealing line."


def _submitted(*, review_in_days: int, topic: str = "county_lines", **kwargs: Any) -> Any:
    """A submission whose review is due ``review_in_days`` from today (negative: overdue)."""
    review_after = {"county_lines": 365, "anti_social_behaviour": 180, "radicalisation": 180}
    now = timezone.now() - datetime.timedelta(days=review_after[topic] - review_in_days)
    submission = make_submission(submitted_by=kwargs.pop("by"), topic=topic, now=now, **kwargs)
    assert submission.review_due == timezone.localdate() + datetime.timedelta(days=review_in_days)
    return submission


@pytest.fixture
def people() -> dict[str, User]:
    publish_small_area()
    receiver = staff("receiver")
    designate(receiver, "police_intelligence")
    return {"submitter": staff("submitter"), "receiver": receiver}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_keeping_needs_a_reason_and_sets_the_next_review_from_the_decision(
    people: dict[str, User],
) -> None:
    submission = make_submission(
        submitted_by=people["submitter"],
        now=datetime.datetime(2026, 1, 10, 9, 30, tzinfo=datetime.UTC),
    )
    IntelligenceSubmission.objects.filter(pk=submission.pk).update(
        review_escalated_at=datetime.datetime(2027, 1, 24, 1, 0, tzinfo=datetime.UTC)
    )
    submission.refresh_from_db()
    # 23:30 UTC on 31 March 2027 is 1 April in London (summer time): the decision's day.
    decided = datetime.datetime(2027, 3, 31, 23, 30, tzinfo=datetime.UTC)
    for blank in ("", "   \n"):
        with pytest.raises(ReviewError, match="Say why the submission should be kept"):
            retain_submission(
                submission=submission, reason=blank, by=people["receiver"], now=decided
            )
    assert ReviewDecision.objects.count() == 0

    decision = retain_submission(
        submission=submission, reason=f"  {KEEP_REASON} ", by=people["receiver"], now=decided
    )
    assert decision.next_review == datetime.date(2028, 3, 31)  # 1 April 2027 + 365 days
    assert decision.decision == ReviewDecisionKind.RETAIN
    assert decision.decided_by == people["receiver"]
    assert decision.encrypted_reason != KEEP_REASON
    assert decrypt(decision.encrypted_reason) == KEEP_REASON
    assert submission.review_due == datetime.date(2028, 3, 31)
    assert submission.review_escalated_at is None
    assert submission.last_reviewed_at == decided
    assert submission.status == SubmissionStatus.NEW
    event = AuditEvent.objects.get(action=AuditAction.EDITED, object_id=submission.reference)
    assert event.detail == "retained at review (review was due 2027-01-10); next review 2028-03-31"
    assert event.user == people["receiver"]
    assert KEEP_REASON not in event.detail


def test_deleting_at_review_records_the_decision_and_removes_the_content(
    people: dict[str, User],
) -> None:
    submission = _submitted(review_in_days=-3, by=people["submitter"])
    decision = delete_at_review(submission=submission, by=people["receiver"])
    assert (decision.decision, decision.next_review, decision.encrypted_reason) == (
        ReviewDecisionKind.DELETE,
        None,
        "",
    )
    assert submission.status == SubmissionStatus.DELETED
    assert submission.deletion_reason == DeletionReason.REVIEW_DECISION
    assert submission.encrypted_what_is_known == ""
    assert submission.last_reviewed_at == submission.deleted_at
    deleted = AuditEvent.objects.get(action=AuditAction.DELETED, object_id=submission.reference)
    assert deleted.user == people["receiver"]
    assert deleted.detail == (
        "content deleted (review_decision): A receiver decided at review not to keep it"
    )
    with pytest.raises(ReviewError, match="there is nothing left to review"):
        retain_submission(submission=submission, reason=KEEP_REASON, by=people["receiver"])
    with pytest.raises(ReviewError, match="there is nothing left to review"):
        delete_at_review(submission=submission, by=people["receiver"])
    assert ReviewDecision.objects.count() == 1


def test_the_reviews_list_shows_due_soon_due_overdue_and_escalated_in_the_users_topics(
    people: dict[str, User],
) -> None:
    by = people["submitter"]
    later = _submitted(review_in_days=31, by=by)
    soon = _submitted(review_in_days=30, by=by)
    today = _submitted(review_in_days=0, by=by)
    overdue = _submitted(review_in_days=-20, by=by)
    escalated_later = _submitted(review_in_days=200, by=by)
    IntelligenceSubmission.objects.filter(pk=escalated_later.pk).update(
        review_escalated_at=timezone.now()
    )
    gone = _submitted(review_in_days=-5, by=by)
    delete_at_review(submission=gone, by=people["receiver"])
    not_routed = _submitted(review_in_days=-5, topic="radicalisation", by=by)
    rows = reviews_for(user=people["receiver"], today=timezone.localdate())
    assert [(row.submission, row.state, row.days_overdue, row.escalated) for row in rows] == [
        (overdue, ReviewState.OVERDUE, 20, False),
        (today, ReviewState.DUE, 0, False),
        (soon, ReviewState.DUE_SOON, 0, False),
        (escalated_later, ReviewState.DUE_SOON, 0, True),
    ]

    response = _client(people["receiver"]).get(reverse("intelligence:reviews"))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (overdue, today, soon, escalated_later):
        assert reverse("intelligence:review", args=[shown.reference]) in page
    for hidden in (later, gone, not_routed):
        assert hidden.reference not in page
    assert "1 overdue, 1 escalated." in page
    assert "County lines and drug dealing" in page
    for state in ReviewState:
        assert state.value in page
    for content in (WHAT_IS_KNOWN, PERSON_NAME, VEHICLE_REGISTRATION, "Station Road"):
        assert content not in page
    assert response["Cache-Control"] == "no-store, private"


def test_the_reviews_list_is_paged(
    people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("safecity_web.intelligence.views_review.REVIEWS_PAGE_SIZE", 2)
    made = [_submitted(review_in_days=-days, by=people["submitter"]) for days in (3, 2, 1)]
    client = _client(people["receiver"])
    first = client.get(reverse("intelligence:reviews")).content.decode()
    second = client.get(reverse("intelligence:reviews"), {"page": "2"}).content.decode()
    for page in (first, second):
        assert "3 reviews as of" in page
        assert "3 overdue, 0 escalated." in page
    assert [reference in first for reference in (item.reference for item in made)] == [
        True,
        True,
        False,
    ]
    assert [reference in second for reference in (item.reference for item in made)] == [
        False,
        False,
        True,
    ]
    assert 'href="?page=2"' in first


def test_the_review_page_shows_the_facts_and_earlier_reasons_never_the_content(
    people: dict[str, User],
) -> None:
    submission = _submitted(review_in_days=-2, by=people["submitter"])
    client = _client(people["receiver"])
    url = reverse("intelligence:review", args=[submission.reference])
    first = client.get(url)
    assert first.status_code == 200
    page = first.content.decode()
    assert f"Review {submission.reference}" in page
    assert "2 days overdue" in page
    assert "Not reviewed yet" in page
    assert "Not recorded yet" in page
    next_review = timezone.localdate() + datetime.timedelta(days=365)
    assert f"its next review will be on {next_review.day} {next_review:%B %Y}" in page
    for content in (WHAT_IS_KNOWN, PERSON_NAME, VEHICLE_REGISTRATION, "Station Road"):
        assert content not in page
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_INTELLIGENCE).exists()

    retain_submission(submission=submission, reason=KEEP_REASON, by=people["receiver"])
    again = client.get(url).content.decode()
    assert KEEP_REASON in again
    viewed = AuditEvent.objects.get(
        action=AuditAction.VIEWED_INTELLIGENCE, object_id=submission.reference
    )
    assert viewed.detail == "review page: earlier reasons for keeping it"
    assert viewed.user == people["receiver"]


def test_keeping_and_deleting_through_the_page(people: dict[str, User]) -> None:
    kept = _submitted(review_in_days=-1, by=people["submitter"])
    doomed = _submitted(review_in_days=-1, by=people["submitter"])
    client = _client(people["receiver"])

    response = client.post(
        reverse("intelligence:review", args=[kept.reference]),
        {"decision": "retain", "reason": KEEP_REASON},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("intelligence:reviews"), 302)]
    next_review = timezone.localdate() + datetime.timedelta(days=365)
    assert (
        f"{kept.reference} is kept; its next review is {next_review.day} {next_review:%B %Y}"
        in response.content.decode()
    )
    kept.refresh_from_db()
    assert kept.review_due == next_review

    response = client.post(
        reverse("intelligence:review", args=[doomed.reference]),
        {"decision": "delete", "confirm": "on"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("intelligence:reviews"), 302)]
    assert f"The content of {doomed.reference} was deleted" in response.content.decode()
    doomed.refresh_from_db()
    assert doomed.deletion_reason == DeletionReason.REVIEW_DECISION
    assert ReviewDecision.objects.get(submission=doomed).decided_by == people["receiver"]

    # A deleted submission cannot be reviewed: 400, saying when and why it was deleted.
    for method, data in (("get", {}), ("post", {"decision": "retain", "reason": KEEP_REASON})):
        refused = getattr(client, method)(
            reverse("intelligence:review", args=[doomed.reference]), data
        )
        assert refused.status_code == 400
        text = refused.content.decode()
        assert f"Submission {doomed.reference} was deleted" in text
        assert "a receiver decided at review not to keep it" in text
        assert "There is nothing left to review" in text
    assert ReviewDecision.objects.filter(submission=doomed).count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"decision": "retain", "reason": "  "}, "Say why the submission should be kept"),
        ({"decision": "retain", "reason": "x" * 2001}, "at most 2,000 characters"),
        ({"decision": "delete"}, "Confirm that the submission&#x27;s content is to be deleted"),
        ({"decision": "archive"}, "Choose whether to keep or delete the submission"),
        ({}, "Choose whether to keep or delete the submission"),
    ],
)
def test_an_invalid_decision_is_refused_with_the_reason_and_nothing_is_saved(
    people: dict[str, User], data: dict[str, str], error: str
) -> None:
    submission = _submitted(review_in_days=-1, by=people["submitter"])
    response = _client(people["receiver"]).post(
        reverse("intelligence:review", args=[submission.reference]), data
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert error in page
    before = submission.review_due
    submission.refresh_from_db()
    assert (submission.review_due, submission.last_reviewed_at, submission.deleted_at) == (
        before,
        None,
        None,
    )
    assert ReviewDecision.objects.count() == 0
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.EDITED, AuditAction.DELETED]
    ).exists()


def test_an_unknown_reference_is_404(people: dict[str, User]) -> None:
    response = _client(people["receiver"]).get(
        reverse("intelligence:review", args=["IN-0000-0000"])
    )
    assert response.status_code == 404
