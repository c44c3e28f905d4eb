"""Subject access by reference: everything held about one community report, as one document.

Answers a subject access request (UK GDPR Article 15) made by the person a report is about: every
field of the report with the personal data decrypted, its status history, the staff notes, and
what attachments are held (type, size, when; the images themselves are handed over separately
if asked for). Erasure on request is :func:`~safecity_web.reporting.anonymising.anonymise_report`
with ``AnonymisingReason.ERASURE_REQUEST``.
"""

from __future__ import annotations

import datetime
from typing import Any

from safecity_web.encryption import Purpose, decrypt_text
from safecity_web.reporting.models import CommunityReport

DOCUMENT_VERSION = 1


def _when(moment: datetime.datetime | datetime.date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _name(user: Any) -> str | None:
    return None if user is None else user.get_username()


def _plain(token: str) -> str:
    return decrypt_text(token, purpose=Purpose.PERSONAL_DATA)


def subject_access_document(*, report: CommunityReport) -> dict[str, Any]:
    """Everything held about ``report`` (personal data decrypted) as JSON-ready values.

    The caller audit-logs the export (``AuditAction.EXPORTED``).
    """
    return {
        "document_version": DOCUMENT_VERSION,
        "reference": report.reference,
        "report": {
            "kind": report.kind,
            "category": report.category,
            "strands": list(report.strands),
            "channel": report.channel,
            "occurred_from": _when(report.occurred_from),
            "occurred_to": _when(report.occurred_to),
            "latitude": report.latitude,
            "longitude": report.longitude,
            "place_name": report.place_name,
            "area_code": report.area_code,
            "ward_code": report.ward_code,
            "lsoa_code": report.lsoa_code,
            "online": report.online,
            "description": _plain(report.encrypted_description),
            "who_was_targeted": _plain(report.encrypted_targeted),
            "contact_details": _plain(report.encrypted_contact),
            "contact_consent": report.contact_consent,
            "offender_description": _plain(report.encrypted_offender_description),
            "losses_pounds": None if report.losses_pounds is None else str(report.losses_pounds),
            "victim_consent": report.victim_consent,
            "submitted_by_organisation": (
                None if report.organisation is None else report.organisation.name
            ),
            "status": report.status,
            "moderation": report.moderation,
            "duplicate_of": None if report.duplicate_of is None else report.duplicate_of.reference,
            "assigned_to": _name(report.assigned_to),
            "police_reference": report.police_reference,
            "outcome": report.outcome,
            "received_at": _when(report.received_at),
            "closed_at": _when(report.closed_at),
            "retain_until": _when(report.retain_until),
            "anonymised_at": _when(report.anonymised_at),
        },
        "status_history": [
            {
                "occurred_at": _when(event.occurred_at),
                "status": event.status,
                "text_shown_to_reporter": event.public_text,
                "by": _name(event.by),
            }
            for event in report.events.select_related("by")
        ],
        "notes": [
            {
                "created_at": _when(note.created_at),
                "author": _name(note.author),
                "text": _plain(note.encrypted_text),
            }
            for note in report.notes.select_related("author")
        ],
        "attachments": [
            {
                "content_type": attachment.content_type,
                "size_bytes": attachment.size_bytes,
                "uploaded_at": _when(attachment.uploaded_at),
            }
            for attachment in report.attachments.defer("encrypted_content")
        ],
    }
