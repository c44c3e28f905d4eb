"""Reviewing a submission: a routed receiver keeps it (with a reason) or deletes it.

Each submission has a review date (``review_due``): its topic's ``review_after_days`` after it
was submitted, and after each decision to keep it, ``retain_for_days`` after that decision
(``intelligence.yaml``; :func:`~safecity_web.intelligence.submission.review_date`). Keeping it
needs a reason (stored encrypted), sets the next review date, records when it was last reviewed
and clears an escalation; deleting it removes its content
(:func:`~safecity_web.intelligence.deletion.delete_submission`). Every decision is a
:class:`~safecity_web.intelligence.models.ReviewDecision` and an audit event. The reviews a
receiver sees (:func:`reviews_for`) are those of their topics due within
:data:`DUE_SOON_DAYS`, due, overdue or escalated; the retention job
(:mod:`safecity_web.intelligence.retention`) escalates and deletes the overdue ones.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from safecity_web.accounts.models import AuditAction
from safecity_web.intelligence.access import record_intelligence_event, routed_submissions
from safecity_web.intelligence.deletion import delete_submission
from safecity_web.intelligence.models import (
    DeletionReason,
    IntelligenceSubmission,
    ReviewDecision,
    ReviewDecisionKind,
)
from safecity_web.intelligence.submission import encrypt, review_date

DUE_SOON_DAYS = 30
"""Reviews due within this many days are listed as due soon."""
MAX_REASON_CHARACTERS = 2_000
"""The longest reason for keeping a submission."""


class ReviewError(ValueError):
    """A review decision that cannot be taken: ``field_name`` says where, the message why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.message = message


class ReviewState(enum.Enum):
    """Where a submission's review stands on a given day."""

    DUE_SOON = "Due soon"
    DUE = "Due today"
    OVERDUE = "Overdue"


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One line of the reviews list: no content, only the facts of the review."""

    submission: IntelligenceSubmission
    state: ReviewState
    days_overdue: int

    @property
    def escalated(self) -> bool:
        """Whether the retention job escalated this overdue review."""
        return self.submission.review_escalated_at is not None


def review_state(*, review_due: datetime.date, today: datetime.date) -> tuple[ReviewState, int]:
    """The state of a review due on ``review_due`` as seen on ``today``, and days overdue."""
    overdue = (today - review_due).days
    if overdue > 0:
        return ReviewState.OVERDUE, overdue
    if overdue == 0:
        return ReviewState.DUE, 0
    return ReviewState.DUE_SOON, 0


def reviews_for(*, user: Any, today: datetime.date) -> list[ReviewRow]:
    """The reviews ``user`` should act on: their topics', due by ``today`` + 30 days or escalated.

    Deleted submissions are never listed. Overdue first (most overdue first), then by due date.
    """
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due = (
        routed_submissions(user=user)
        .filter(deleted_at__isnull=True)
        .filter(Q(review_due__lte=horizon) | Q(review_escalated_at__isnull=False))
        .order_by("review_due", "reference")
    )
    rows = []
    for submission in due:
        state, days_overdue = review_state(review_due=submission.review_due, today=today)
        rows.append(ReviewRow(submission=submission, state=state, days_overdue=days_overdue))
    return rows


def _check_reviewable(submission: IntelligenceSubmission) -> None:
    if submission.deleted_at is not None:
        raise ReviewError(
            "submission",
            f"{submission.reference} was deleted on {submission.deleted_at:%d %B %Y}: "
            "there is nothing left to review",
        )


def retain_submission(
    *,
    submission: IntelligenceSubmission,
    reason: str,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> ReviewDecision:
    """Keep ``submission`` until its next review, for the reason given.

    Parameters
    ----------
    submission
        A submission that has not been deleted.
    reason
        Why it is kept (required; stored encrypted, never in the audit log).
    by
        The receiver deciding.
    request
        The request it was decided in, if any (for the audit event).
    now
        When (default: now); the next review is counted from its day in Europe/London.

    Returns
    -------
    ReviewDecision
        The recorded decision, with ``next_review`` = today + the topic's ``retain_for_days``.

    Raises
    ------
    ReviewError
        When the reason is empty or too long, or the submission was deleted.
    """
    moment = now or timezone.now()
    text = reason.strip()
    if not text:
        raise ReviewError("reason", "Say why the submission should be kept")
    if len(text) > MAX_REASON_CHARACTERS:
        raise ReviewError(
            "reason", f"The reason must be at most {MAX_REASON_CHARACTERS:,} characters"
        )
    with transaction.atomic():
        locked = IntelligenceSubmission.objects.select_for_update().get(pk=submission.pk)
        _check_reviewable(locked)
        next_review = review_date(
            topic=locked.topic, from_day=timezone.localdate(moment), retained=True
        )
        previous_due = locked.review_due
        locked.review_due = next_review
        locked.review_escalated_at = None
        locked.last_reviewed_at = moment
        locked.save(update_fields=["review_due", "review_escalated_at", "last_reviewed_at"])
        decision = ReviewDecision.objects.create(
            submission=locked,
            decided_by=by,
            decided_at=moment,
            decision=ReviewDecisionKind.RETAIN,
            encrypted_reason=encrypt(text),
            next_review=next_review,
        )
        record_intelligence_event(
            request=request,
            action=AuditAction.EDITED,
            submission=locked,
            detail=(
                f"retained at review (review was due {previous_due:%Y-%m-%d}); "
                f"next review {next_review:%Y-%m-%d}"
            ),
            user=by,
        )
    submission.refresh_from_db()
    return decision


def delete_at_review(
    *,
    submission: IntelligenceSubmission,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> ReviewDecision:
    """Record a receiver's decision at review to delete ``submission``, and delete its content.

    Parameters
    ----------
    submission
        A submission that has not been deleted.
    by
        The receiver deciding.
    request
        The request it was decided in, if any (for the audit event).
    now
        When (default: now).

    Returns
    -------
    ReviewDecision
        The recorded decision (kind delete, no next review).

    Raises
    ------
    ReviewError
        When the submission was already deleted.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        locked = IntelligenceSubmission.objects.select_for_update().get(pk=submission.pk)
        _check_reviewable(locked)
        locked.last_reviewed_at = moment
        locked.save(update_fields=["last_reviewed_at"])
        decision = ReviewDecision.objects.create(
            submission=locked,
            decided_by=by,
            decided_at=moment,
            decision=ReviewDecisionKind.DELETE,
        )
        delete_submission(
            submission=locked,
            reason=DeletionReason.REVIEW_DECISION,
            by=by,
            request=request,
            now=moment,
        )
    submission.refresh_from_db()
    return decision
