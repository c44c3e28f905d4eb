"""The retention job: personal data in community reports and business alerts deleted on time.

A report is due when its ``retain_until`` has come (closed reports: ``closed_at`` plus the
kind's ``retention_days``; reports never closed: ``received_at`` plus the same, as
:func:`~safecity_web.reporting.submission.submit_report` and
:func:`~safecity_web.reporting.triage.record_outcome` set it). Due reports are anonymised with
:func:`~safecity_web.reporting.anonymising.anonymise_report` — the de-identified fields stay for
the counts. A business alert is due at its own ``retain_until``: its body, offender description
and image are emptied and ``anonymised_at`` set. Registered with the scheduled-job runner as
``community_reports_retention`` (``safecity_web.jobs.registry``).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.reporting.anonymising import AnonymisingReason, anonymise_report
from safecity_web.reporting.models import BusinessAlert, CommunityReport

JOB_NAME = "community_reports_retention"
ALERT_DELETED_DETAIL = "retention period ended: alert text, offender description and image deleted"


def anonymise_due_reports(*, now: datetime.datetime) -> int:
    """Anonymise every report whose ``retain_until`` is at or before ``now``; return how many."""
    due = CommunityReport.objects.filter(retain_until__lte=now, anonymised_at__isnull=True)
    anonymised = 0
    for report in due.order_by("retain_until", "id").iterator(chunk_size=500):
        if anonymise_report(report=report, reason=AnonymisingReason.RETENTION, now=now):
            anonymised += 1
    return anonymised


def delete_due_alerts(*, now: datetime.datetime) -> int:
    """Empty every business alert whose ``retain_until`` has come; return how many."""
    deleted = 0
    due = BusinessAlert.objects.filter(retain_until__lte=now, anonymised_at__isnull=True)
    for alert_id in due.order_by("retain_until", "id").values_list("id", flat=True):
        with transaction.atomic():
            alert = BusinessAlert.objects.select_for_update().get(pk=alert_id)
            if alert.anonymised_at is not None:
                continue
            alert.encrypted_body = ""
            alert.encrypted_offender_description = ""
            alert.encrypted_image = None
            alert.image_content_type = ""
            alert.anonymised_at = now
            alert.save()
            AuditEvent.objects.create(
                action=AuditAction.ANONYMISED,
                object_type="business_alert",
                object_id=str(alert.pk),
                detail=ALERT_DELETED_DETAIL,
            )
            deleted += 1
    return deleted


def run_retention(now: datetime.datetime) -> dict[str, int]:
    """The job: anonymise due reports, empty due alerts, and say how many of each (no names)."""
    return {
        "reports_anonymised": anonymise_due_reports(now=now),
        "alerts_deleted": delete_due_alerts(now=now),
    }
