"""What triage staff do to a community report: assign, move on, note, refer, close, moderate.

Each function changes one report inside a transaction, writes the step the reporter sees
(:class:`~safecity_web.reporting.models.ReportEvent` with plain-words ``public_text``) where the
reporter should see it, and appends one audit event naming the report by reference — never its
personal data. Text shown to the reporter is checked by :func:`check_public_text`: it must not
carry an email address, a telephone number or a web address, since the status page is reached
by a link anyone holding it can open.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecity_web.accounts.models import AuditAction
from safecity_web.encryption import Purpose, encrypt_text
from safecity_web.reporting.access import duty_holders, record_report_event
from safecity_web.reporting.models import (
    CommunityReport,
    Moderation,
    ReportEvent,
    ReportNote,
    ReportStatus,
)
from safecity_web.reporting.submission import retention_deadline

MAX_PUBLIC_TEXT_CHARACTERS = 1000
MAX_NOTE_CHARACTERS = 5000
MAX_POLICE_REFERENCE_CHARACTERS = 60
EMAIL_PATTERN = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
PHONE_PATTERN = re.compile(r"(?:\d[\s-]?){7,}")
WEB_ADDRESS_PATTERN = re.compile(r"https?://|www\.", re.IGNORECASE)
POLICE_REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\- ]*$")
NOT_PRIVATE = "the reporter's status page is not private enough for it"
REFERRED_TEXT = "We have passed your report to the police."


class TriageError(ValueError):
    """A triage step that cannot be taken: ``field_name`` says which input, the message why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.message = message


def check_public_text(*, text: str, field_name: str) -> str:
    """The plain-words text for the reporter, stripped; :class:`TriageError` if unfit.

    Refused: empty text, text over :data:`MAX_PUBLIC_TEXT_CHARACTERS`, and text carrying an
    email address, a telephone number (seven or more digits) or a web address.
    """
    cleaned = text.strip()
    if not cleaned:
        raise TriageError(field_name, "Enter what the person who reported will see")
    if len(cleaned) > MAX_PUBLIC_TEXT_CHARACTERS:
        raise TriageError(field_name, f"Must be {MAX_PUBLIC_TEXT_CHARACTERS} characters or fewer")
    if EMAIL_PATTERN.search(cleaned):
        raise TriageError(field_name, f"Remove the email address: {NOT_PRIVATE}")
    if PHONE_PATTERN.search(cleaned):
        raise TriageError(field_name, f"Remove the telephone number: {NOT_PRIVATE}")
    if WEB_ADDRESS_PATTERN.search(cleaned):
        raise TriageError(field_name, "Remove the web address; describe where to go in words")
    return cleaned


def _locked(report: CommunityReport) -> CommunityReport:
    return CommunityReport.objects.select_for_update().get(pk=report.pk)


def assign_report(
    *,
    report: CommunityReport,
    assignee: Any,
    by: Any,
    request: Any = None,
) -> None:
    """Assign ``report`` to ``assignee`` (a holder of a duty its kind is routed to), or to nobody.

    Raises
    ------
    TriageError
        When ``assignee`` holds no duty to which the report's kind is routed.
    """
    if assignee is not None and not duty_holders(kind=report.kind).filter(pk=assignee.pk).exists():
        raise TriageError("assignee", "Choose someone who holds a duty these reports go to")
    with transaction.atomic():
        locked = _locked(report)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        record_report_event(
            request=request,
            user=by,
            action=AuditAction.EDITED,
            reference=locked.reference,
            detail=f"assigned to {assignee.get_username() if assignee else 'nobody'}",
        )
    report.refresh_from_db()


def change_status(
    *,
    report: CommunityReport,
    status: ReportStatus,
    public_text: str,
    by: Any,
    request: Any = None,
    now: datetime.datetime | None = None,
) -> ReportEvent:
    """Move ``report`` to ``status`` (received or being looked at) with words for the reporter.

    Referring to the police (:func:`refer_to_police`) and closing (:func:`record_outcome`) have
    their own steps. Moving a closed report back reopens it: ``closed_at`` is cleared and
    ``retain_until`` counts from receipt again.
    """
    if status not in (ReportStatus.RECEIVED, ReportStatus.IN_REVIEW):
        raise TriageError("status", "Refer to the police or record an outcome with their own forms")
    text = check_public_text(text=public_text, field_name="public_text")
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(report)
        previous = locked.status
        locked.status = status
        if locked.closed_at is not None:
            locked.closed_at = None
            locked.retain_until = retention_deadline(
                kind=locked.kind, from_moment=locked.received_at
            )
        locked.save()
        event = ReportEvent.objects.create(
            report=locked, occurred_at=moment, status=status, public_text=text, by=by
        )
        record_report_event(
            request=request,
            user=by,
            action=AuditAction.EDITED,
            reference=locked.reference,
            detail=f"status {previous} -> {status.value}",
        )
    report.refresh_from_db()
    return event


def add_note(
    *,
    report: CommunityReport,
    text: str,
    by: Any,
    request: Any = None,
    now: datetime.datetime | None = None,
) -> ReportNote:
    """Add an encrypted staff note to ``report`` (never shown to the reporter)."""
    cleaned = text.strip()
    if not cleaned:
        raise TriageError("text", "Enter the note")
    if len(cleaned) > MAX_NOTE_CHARACTERS:
        raise TriageError("text", f"The note must be {MAX_NOTE_CHARACTERS} characters or fewer")
    if report.anonymised_at is not None:
        raise TriageError("text", "This report's personal details were deleted: notes are closed")
    with transaction.atomic():
        note = ReportNote.objects.create(
            report=report,
            author=by,
            created_at=now or timezone.now(),
            encrypted_text=encrypt_text(cleaned, purpose=Purpose.PERSONAL_DATA),
        )
        record_report_event(
            request=request,
            user=by,
            action=AuditAction.CREATED,
            reference=report.reference,
            detail="triage note added",
        )
    return note


def refer_to_police(
    *,
    report: CommunityReport,
    police_reference: str,
    public_text: str,
    by: Any,
    request: Any = None,
    now: datetime.datetime | None = None,
) -> ReportEvent:
    """Record that ``report`` was passed to the police under ``police_reference``."""
    reference = " ".join(police_reference.split())
    if not reference:
        raise TriageError("police_reference", "Enter the police reference")
    if len(reference) > MAX_POLICE_REFERENCE_CHARACTERS:
        raise TriageError(
            "police_reference",
            f"The police reference must be {MAX_POLICE_REFERENCE_CHARACTERS} characters or fewer",
        )
    if not POLICE_REFERENCE_PATTERN.match(reference):
        raise TriageError(
            "police_reference",
            "The police reference can only contain letters, numbers, spaces, hyphens and slashes",
        )
    text = check_public_text(text=public_text or REFERRED_TEXT, field_name="public_text")
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(report)
        locked.police_reference = reference
        locked.status = ReportStatus.REFERRED
        if locked.closed_at is not None:
            locked.closed_at = None
            locked.retain_until = retention_deadline(
                kind=locked.kind, from_moment=locked.received_at
            )
        locked.save()
        event = ReportEvent.objects.create(
            report=locked,
            occurred_at=moment,
            status=ReportStatus.REFERRED,
            public_text=text,
            by=by,
        )
        record_report_event(
            request=request,
            user=by,
            action=AuditAction.EDITED,
            reference=locked.reference,
            detail=f"referred to the police ({reference})",
        )
    report.refresh_from_db()
    return event


def record_outcome(
    *,
    report: CommunityReport,
    outcome: str,
    by: Any,
    request: Any = None,
    now: datetime.datetime | None = None,
) -> ReportEvent:
    """Close ``report`` with its outcome in plain words (shown to the reporter).

    ``closed_at`` is set and ``retain_until`` becomes ``closed_at`` plus the kind's
    ``retention_days``.
    """
    text = check_public_text(text=outcome, field_name="outcome")
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(report)
        locked.outcome = text
        locked.status = ReportStatus.CLOSED
        locked.closed_at = moment
        locked.retain_until = retention_deadline(kind=locked.kind, from_moment=moment)
        locked.save()
        event = ReportEvent.objects.create(
            report=locked, occurred_at=moment, status=ReportStatus.CLOSED, public_text=text, by=by
        )
        record_report_event(
            request=request,
            user=by,
            action=AuditAction.EDITED,
            reference=locked.reference,
            detail="closed with an outcome",
        )
    report.refresh_from_db()
    return event


def moderate_report(
    *,
    report: CommunityReport,
    moderation: Moderation,
    duplicate_of: CommunityReport | None = None,
    by: Any,
    request: Any = None,
) -> None:
    """Mark ``report`` accepted, a duplicate of another report, or rejected (spam or abuse).

    Duplicates and rejected reports are left out of the de-identified export.
    """
    if moderation == Moderation.PENDING:
        raise TriageError("moderation", "Choose accepted, duplicate or rejected")
    if moderation == Moderation.DUPLICATE:
        if duplicate_of is None:
            raise TriageError("duplicate_of", "Enter the reference of the report this repeats")
        if duplicate_of.pk == report.pk:
            raise TriageError("duplicate_of", "A report cannot be a duplicate of itself")
    else:
        duplicate_of = None
    with transaction.atomic():
        locked = _locked(report)
        previous = locked.moderation
        locked.moderation = moderation
        locked.duplicate_of = duplicate_of
        locked.save(update_fields=["moderation", "duplicate_of", "updated_at"])
        detail = f"moderation {previous} -> {moderation.value}"
        if duplicate_of is not None:
            detail += f" (duplicate of {duplicate_of.reference})"
        record_report_event(
            request=request,
            user=by,
            action=AuditAction.EDITED,
            reference=locked.reference,
            detail=detail,
        )
    report.refresh_from_db()
