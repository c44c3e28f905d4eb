"""Deleting a submission's content: at review, or when its review is overdue past retention.

What a submission says is removed in one transaction: every ``encrypted_*`` field of the
submission is emptied (what is known, how the submitter knows it in their own words, where,
the handling conditions, the outcome note), the dates it happened on are cleared, and its
subjects, sanitised copies, links to actions and places are deleted; the gradings' handling
conditions and reasons and the review decisions' reasons are emptied. What stays is what is
not content and what the de-identified counts need: the reference, topic, CSP, ward and LSOA
codes, when it was submitted, by whom, the grade letters and dates of each grading, the
provenance category, the outcome category, the status and the review history's dates and
decisions. ``status`` becomes deleted, ``deleted_at`` says when and ``deletion_reason`` why, and
one ``DELETED`` audit event records who (or the retention job) did it and why (never content).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safecity_web.accounts.models import AuditAction
from safecity_web.intelligence.access import record_intelligence_event
from safecity_web.intelligence.models import (
    ActionLink,
    DeletionReason,
    Grading,
    IntelligenceSubject,
    IntelligenceSubmission,
    PlaceLink,
    ReviewDecision,
    SanitisedCopy,
    SubmissionStatus,
)

CONTENT_FIELDS = (
    "encrypted_what_is_known",
    "encrypted_provenance_detail",
    "encrypted_location",
    "encrypted_handling_conditions",
    "encrypted_outcome_note",
)
"""The submission's own encrypted fields, emptied on deletion."""


def delete_submission(
    *,
    submission: IntelligenceSubmission,
    reason: DeletionReason,
    by: Any = None,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> bool:
    """Delete ``submission``'s content and keep its de-identified fields.

    Parameters
    ----------
    submission
        The submission (locked and re-read inside the transaction).
    reason
        Why: a receiver's decision at review, or retention expired (the scheduled job).
    by
        The receiver who decided (``None`` for the retention job).
    request
        The request it was decided in, if any (for the audit event's path and address).
    now
        When (default: now).

    Returns
    -------
    bool
        ``True`` when the content was deleted now; ``False`` when it had already been deleted
        (nothing changes and no audit event is written).
    """
    moment = now or timezone.now()
    reason = DeletionReason(reason)
    with transaction.atomic():
        locked = IntelligenceSubmission.objects.select_for_update().get(pk=submission.pk)
        if locked.deleted_at is not None:
            return False
        for name in CONTENT_FIELDS:
            setattr(locked, name, "")
        locked.occurred_from = None
        locked.occurred_to = None
        locked.status = SubmissionStatus.DELETED
        locked.deleted_at = moment
        locked.deletion_reason = reason
        locked.save()
        IntelligenceSubject.objects.filter(submission=locked).delete()
        SanitisedCopy.objects.filter(submission=locked).delete()
        ActionLink.objects.filter(submission=locked).delete()
        PlaceLink.objects.filter(submission=locked).delete()
        Grading.objects.filter(submission=locked).update(
            encrypted_handling_conditions="", encrypted_reason=""
        )
        ReviewDecision.objects.filter(submission=locked).update(encrypted_reason="")
        record_intelligence_event(
            request=request,
            action=AuditAction.DELETED,
            submission=locked,
            detail=f"content deleted ({reason.value}): {reason.label}",
            user=by,
        )
    submission.refresh_from_db()
    return True
