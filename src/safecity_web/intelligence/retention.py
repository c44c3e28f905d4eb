"""The intelligence retention job: overdue reviews escalated, then deleted past retention.

As of the job's ``now`` (its day in Europe/London), for every submission not yet deleted whose
review is overdue (``review_due`` before today), by its topic's rule (``intelligence.yaml``):

- overdue by at least ``escalate_after_days`` and not yet escalated: ``review_escalated_at`` is
  set (the alerts job tells the topic's receivers and the administrators) and an ``EDITED``
  audit event records it;
- overdue by at least ``delete_after_days``: its content is deleted with
  :func:`~safecity_web.intelligence.deletion.delete_submission` (reason ``retention_expired``),
  which writes the ``DELETED`` audit event.

A submission is overdue by *n* days on the *n*-th day after its review date, so on the day before
a threshold nothing happens and on the day itself it does. A run changes nothing a second time.
Registered with the scheduled-job runner as ``intelligence_retention``
(``safecity_web.jobs.registry``): one ``JobRun`` per run, never two runs at once. The summary is
counts only (escalated, deleted, and both by topic), never content or references.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction
from safecity_web.intelligence.access import record_intelligence_event
from safecity_web.intelligence.deletion import delete_submission
from safecity_web.intelligence.models import DeletionReason, IntelligenceSubmission

JOB_NAME = "intelligence_retention"


def _overdue_since(*, today: datetime.date, days: int) -> datetime.date:
    """The latest review date that is overdue by at least ``days`` on ``today``."""
    return today - datetime.timedelta(days=days)


def escalate_overdue_reviews(*, now: datetime.datetime) -> dict[str, int]:
    """Escalate reviews overdue by at least their topic's ``escalate_after_days``.

    Returns
    -------
    dict[str, int]
        How many were escalated, by topic (topics with none are left out).
    """
    today = timezone.localdate(now)
    counts: dict[str, int] = {}
    for topic in core_gateway.intelligence_config().topics:
        due = IntelligenceSubmission.objects.filter(
            topic=topic.id,
            deleted_at__isnull=True,
            review_escalated_at__isnull=True,
            review_due__lte=_overdue_since(today=today, days=topic.escalate_after_days),
        )
        for submission_id in due.order_by("review_due", "id").values_list("id", flat=True):
            with transaction.atomic():
                submission = IntelligenceSubmission.objects.select_for_update().get(
                    pk=submission_id
                )
                if submission.deleted_at is not None or submission.review_escalated_at:
                    continue
                submission.review_escalated_at = now
                submission.save(update_fields=["review_escalated_at"])
                overdue = (today - submission.review_due).days
                record_intelligence_event(
                    request=None,
                    action=AuditAction.EDITED,
                    submission=submission,
                    detail=(
                        f"review escalated: due {submission.review_due:%Y-%m-%d}, overdue by "
                        f"{overdue} days (topic rule: escalate after {topic.escalate_after_days})"
                    ),
                )
            counts[topic.id] = counts.get(topic.id, 0) + 1
    return counts


def delete_expired_submissions(*, now: datetime.datetime) -> dict[str, int]:
    """Delete the content of submissions overdue by at least their topic's ``delete_after_days``.

    Returns
    -------
    dict[str, int]
        How many were deleted, by topic (topics with none are left out).
    """
    today = timezone.localdate(now)
    counts: dict[str, int] = {}
    for topic in core_gateway.intelligence_config().topics:
        expired = IntelligenceSubmission.objects.filter(
            topic=topic.id,
            deleted_at__isnull=True,
            review_due__lte=_overdue_since(today=today, days=topic.delete_after_days),
        )
        for submission in expired.order_by("review_due", "id").iterator(chunk_size=500):
            if delete_submission(
                submission=submission, reason=DeletionReason.RETENTION_EXPIRED, now=now
            ):
                counts[topic.id] = counts.get(topic.id, 0) + 1
    return counts


def run_retention(now: datetime.datetime) -> dict[str, object]:
    """The job: escalate overdue reviews, delete what is past retention, return the counts.

    Parameters
    ----------
    now
        The moment the job works as of (its day in Europe/London decides what is overdue).

    Returns
    -------
    dict[str, object]
        ``escalated`` and ``deleted`` (totals) and ``escalated_by_topic`` and
        ``deleted_by_topic`` (topic id -> count); counts only, never content.
    """
    escalated = escalate_overdue_reviews(now=now)
    deleted = delete_expired_submissions(now=now)
    return {
        "escalated": sum(escalated.values()),
        "deleted": sum(deleted.values()),
        "escalated_by_topic": dict(sorted(escalated.items())),
        "deleted_by_topic": dict(sorted(deleted.items())),
    }
