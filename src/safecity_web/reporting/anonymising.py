"""Anonymising a report: its personal data deleted, its de-identified fields kept for the counts.

Used by the retention job (when ``retain_until`` has passed), by erasure on request (subject's
right to erasure, by reference) and by staff. What remains — kind, category, strands, channel,
month received, ward and LSOA, losses, status — is what the de-identified export counts; the
point, the place name, contact details, descriptions, who was targeted, offender descriptions,
victim-consent details, notes and attachments are deleted.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.reporting.models import CommunityReport, ReportEvent


class AnonymisingReason(enum.Enum):
    """Why a report's personal data were deleted (recorded in the audit log)."""

    RETENTION = "retention period ended"
    ERASURE_REQUEST = "erasure requested by the person it is about"
    STAFF_DECISION = "deleted by staff"


ANONYMISED_TEXT = "The personal details in this report have been deleted."


def anonymise_report(
    *,
    report: CommunityReport,
    reason: AnonymisingReason,
    by: Any = None,
    now: datetime.datetime | None = None,
) -> bool:
    """Delete a report's personal data; return False when it was already anonymised.

    The report row, its status history and its de-identified fields stay; an audit event
    records who (or which job) did it and why.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        locked = CommunityReport.objects.select_for_update().get(pk=report.pk)
        if locked.anonymised_at is not None:
            return False
        locked.latitude = None
        locked.longitude = None
        locked.place_name = ""
        locked.encrypted_description = ""
        locked.encrypted_targeted = ""
        locked.encrypted_contact = ""
        locked.contact_consent = False
        locked.encrypted_offender_description = ""
        locked.victim_consent = {}
        locked.anonymised_at = moment
        locked.save()
        locked.attachments.all().delete()
        locked.notes.all().delete()
        ReportEvent.objects.create(
            report=locked, occurred_at=moment, status=locked.status, public_text=ANONYMISED_TEXT
        )
        AuditEvent.objects.create(
            action=AuditAction.ANONYMISED,
            user=by,
            username=getattr(by, "username", "") or "",
            object_type="community_report",
            object_id=locked.reference,
            detail=reason.value,
        )
    report.refresh_from_db()
    return True
