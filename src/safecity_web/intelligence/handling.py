"""Handling by receivers: reading a submission, re-grading, linking it, recording the outcome.

Each action is a service function with keyword-only arguments that checks its input against the
vocabulary (``intelligence.yaml``), changes the submission in one transaction, moves a new
submission to "being developed" (the first handling action) and writes one ``EDITED`` audit
event naming the reference and what was done, never the content. Who may call them is decided
by the views (:func:`safecity_web.intelligence.access.require_handle`). Sanitised copies are
:mod:`safecity_web.intelligence.sanitising`.

References
----------
College of Policing, Authorised Professional Practice "Intelligence management" (3x5x2
evaluation, re-evaluation by the receiving unit, handling conditions).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction
from safecity_web.intelligence.access import record_intelligence_event
from safecity_web.intelligence.boundary_places import boundary_places
from safecity_web.intelligence.models import (
    ActionLink,
    Grading,
    IntelligenceSubmission,
    PlaceLink,
    SubmissionStatus,
)
from safecity_web.intelligence.submission import (
    MAX_FIELD_CHARACTERS,
    decrypt,
    decrypt_json,
    encrypt,
)

MAX_REASON_CHARACTERS = MAX_FIELD_CHARACTERS
"""The longest a re-grade reason or an outcome note may be."""


class HandlingError(ValueError):
    """A handling action that cannot be done: ``field_name`` says where, the message why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class SubjectField:
    """One field of a subject: its id, the form's label for it, and the text given."""

    id: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class OriginalSubject:
    """A subject of the original submission, decrypted."""

    position: int
    kind: str
    kind_label: str
    fields: tuple[SubjectField, ...]


@dataclass(frozen=True, slots=True)
class OriginalContent:
    """Everything a submission says, decrypted (for its submitter and routed receivers only)."""

    what_is_known: str
    provenance: str
    provenance_label: str
    provenance_detail: str
    place_words: str
    latitude: float | None
    longitude: float | None
    occurred_from: datetime.date | None
    occurred_to: datetime.date | None
    handling_conditions: str
    subjects: tuple[OriginalSubject, ...] = field(default_factory=tuple)


def grade_text(*, source_evaluation: str, intelligence_assessment: str, handling_code: str) -> str:
    """A grading written as on an intelligence report, e.g. ``2/B/C``."""
    return f"{source_evaluation}/{intelligence_assessment}/{handling_code}"


def submission_grade(submission: IntelligenceSubmission) -> str:
    """The grading in force of ``submission``, e.g. ``2/B/C``."""
    return grade_text(
        source_evaluation=submission.source_evaluation,
        intelligence_assessment=submission.intelligence_assessment,
        handling_code=submission.handling_code,
    )


def original_content(*, submission: IntelligenceSubmission) -> OriginalContent:
    """Decrypt what ``submission`` says (its subjects in the order given).

    The caller must have checked that the user may see it and must audit-log the reading.
    """
    config = core_gateway.intelligence_config()
    provenance_labels = {choice.id: choice.label for choice in config.provenance}
    location = decrypt_json(submission.encrypted_location) or {}
    subjects = []
    for subject in submission.subjects.all():
        details = decrypt_json(subject.encrypted_details) or {}
        try:
            kind = config.subject_kind(subject.kind)
            labels = {choice.id: choice.label for choice in kind.fields}
            kind_label = kind.label
        except KeyError:
            labels, kind_label = {}, subject.kind
        ordered = [name for name in labels if name in details] + sorted(
            name for name in details if name not in labels
        )
        subjects.append(
            OriginalSubject(
                position=subject.position,
                kind=subject.kind,
                kind_label=kind_label,
                fields=tuple(
                    SubjectField(id=name, label=labels.get(name, name), value=str(details[name]))
                    for name in ordered
                ),
            )
        )
    return OriginalContent(
        what_is_known=decrypt(submission.encrypted_what_is_known),
        provenance=submission.provenance,
        provenance_label=provenance_labels.get(submission.provenance, submission.provenance),
        provenance_detail=decrypt(submission.encrypted_provenance_detail),
        place_words=str(location.get("place_words", "")),
        latitude=location.get("latitude"),
        longitude=location.get("longitude"),
        occurred_from=submission.occurred_from,
        occurred_to=submission.occurred_to,
        handling_conditions=decrypt(submission.encrypted_handling_conditions),
        subjects=tuple(subjects),
    )


def check_handleable(*, submission: IntelligenceSubmission) -> None:
    """Raise :class:`HandlingError` when ``submission``'s content has been deleted."""
    if submission.is_deleted:
        raise HandlingError(
            "submission", "its content has been deleted, so it can no longer be handled"
        )


def mark_in_progress(*, submission: IntelligenceSubmission) -> None:
    """Move a new submission to "being developed" (the first handling action does)."""
    if submission.status == SubmissionStatus.NEW:
        submission.status = SubmissionStatus.IN_PROGRESS
        submission.save(update_fields=["status"])


def check_grading(
    *, source_evaluation: str, intelligence_assessment: str, handling_code: str, conditions: str
) -> None:
    """Raise :class:`HandlingError` unless the grades are known and the conditions fit the code.

    Handling code C needs its conditions written; P has none (``intelligence.yaml``).
    """
    config = core_gateway.intelligence_config()
    scales = (
        ("source_evaluation", config.source_evaluation, source_evaluation),
        ("intelligence_assessment", config.intelligence_assessment, intelligence_assessment),
        ("handling_code", config.handling_codes, handling_code),
    )
    for name, grades, chosen in scales:
        if chosen not in {grade.code for grade in grades}:
            known = ", ".join(grade.code for grade in grades)
            raise HandlingError(name, f"choose one of {known}")
    handling = config.handling_code(handling_code)
    if handling.conditions_required and not conditions.strip():
        raise HandlingError(
            "handling_conditions", f"handling code {handling.code} needs its conditions written"
        )
    if not handling.conditions_required and conditions.strip():
        raise HandlingError(
            "handling_conditions",
            f"handling code {handling.code} has no conditions: leave them empty",
        )
    if len(conditions) > MAX_FIELD_CHARACTERS:
        raise HandlingError(
            "handling_conditions", f"must be at most {MAX_FIELD_CHARACTERS:,} characters"
        )


def regrade(
    *,
    submission: IntelligenceSubmission,
    source_evaluation: str,
    intelligence_assessment: str,
    handling_code: str,
    handling_conditions: str,
    reason: str,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> Grading:
    """Re-grade ``submission`` under the 3x5x2 model with the reason; it becomes the grade in force.

    Parameters
    ----------
    submission
        The submission to re-grade (not deleted).
    source_evaluation, intelligence_assessment, handling_code
        The new grades (codes of ``intelligence.yaml`` ``grading``).
    handling_conditions
        The conditions of handling code C (empty for P).
    reason
        Why the grading changes (required; stored encrypted).
    by
        The receiver re-grading.
    request
        The request, for the audit event.
    now
        When (default: now).

    Returns
    -------
    Grading
        The new row of the grading history.

    Raises
    ------
    HandlingError
        Naming the field that is wrong and why.
    """
    check_handleable(submission=submission)
    conditions = handling_conditions.strip()
    check_grading(
        source_evaluation=source_evaluation,
        intelligence_assessment=intelligence_assessment,
        handling_code=handling_code,
        conditions=conditions,
    )
    if not reason.strip():
        raise HandlingError("reason", "say why the grading changes")
    if len(reason) > MAX_REASON_CHARACTERS:
        raise HandlingError("reason", f"must be at most {MAX_REASON_CHARACTERS:,} characters")
    before = submission_grade(submission)
    moment = now or timezone.now()
    encrypted_conditions = encrypt(conditions) if conditions else ""
    with transaction.atomic():
        grading = Grading.objects.create(
            submission=submission,
            graded_by=by,
            graded_at=moment,
            source_evaluation=source_evaluation,
            intelligence_assessment=intelligence_assessment,
            handling_code=handling_code,
            encrypted_handling_conditions=encrypted_conditions,
            encrypted_reason=encrypt(reason.strip()),
        )
        submission.source_evaluation = source_evaluation
        submission.intelligence_assessment = intelligence_assessment
        submission.handling_code = handling_code
        submission.encrypted_handling_conditions = encrypted_conditions
        submission.save(
            update_fields=[
                "source_evaluation",
                "intelligence_assessment",
                "handling_code",
                "encrypted_handling_conditions",
            ]
        )
        mark_in_progress(submission=submission)
        record_intelligence_event(
            request=request,
            action=AuditAction.EDITED,
            submission=submission,
            detail=f"re-graded from {before} to {submission_grade(submission)}",
            user=by,
        )
    return grading


def link_action(
    *,
    submission: IntelligenceSubmission,
    action: Any,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> ActionLink:
    """Link ``submission`` to an action of the action plan (once).

    Raises
    ------
    HandlingError
        When the submission is deleted or already linked to ``action``.
    """
    check_handleable(submission=submission)
    duplicate = HandlingError("action", f"it is already linked to action {action.code}")
    if ActionLink.objects.filter(submission=submission, action=action).exists():
        raise duplicate
    try:
        with transaction.atomic():
            link = ActionLink.objects.create(
                submission=submission, action=action, linked_by=by, linked_at=now or timezone.now()
            )
            mark_in_progress(submission=submission)
            record_intelligence_event(
                request=request,
                action=AuditAction.EDITED,
                submission=submission,
                detail=f"linked to action {action.code} (id {action.pk})",
                user=by,
            )
    except IntegrityError as error:
        raise duplicate from error
    return link


def link_place(
    *,
    submission: IntelligenceSubmission,
    area_code: str,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> PlaceLink:
    """Link ``submission`` to a ward or LSOA of the published boundaries (once), by GSS code.

    Raises
    ------
    HandlingError
        When the code is not a ward or LSOA of the published boundaries, the submission is
        deleted, or it is already linked to that place.
    """
    check_handleable(submission=submission)
    place = boundary_places().get(area_code)
    if place is None:
        raise HandlingError(
            "area_code", f"{area_code!r} is not a ward or LSOA of the published boundaries"
        )
    duplicate = HandlingError("area_code", f"it is already linked to {place.label}")
    if PlaceLink.objects.filter(submission=submission, area_code=area_code).exists():
        raise duplicate
    try:
        with transaction.atomic():
            link = PlaceLink.objects.create(
                submission=submission,
                area_code=place.code,
                area_level=place.level.value,
                boundary_vintage=place.vintage,
                linked_by=by,
                linked_at=now or timezone.now(),
            )
            mark_in_progress(submission=submission)
            record_intelligence_event(
                request=request,
                action=AuditAction.EDITED,
                submission=submission,
                detail=f"linked to {place.level.value} {place.code}",
                user=by,
            )
    except IntegrityError as error:
        raise duplicate from error
    return link


def record_outcome(
    *,
    submission: IntelligenceSubmission,
    outcome: str,
    note: str,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> IntelligenceSubmission:
    """Record what came of ``submission`` (an ``outcomes`` id and an optional note).

    The note is stored encrypted; the status becomes "outcome recorded". Recording again
    replaces the outcome (the audit log keeps each).

    Raises
    ------
    HandlingError
        When the outcome is unknown, the note too long, or the submission deleted.
    """
    check_handleable(submission=submission)
    outcomes = {choice.id for choice in core_gateway.intelligence_config().outcomes}
    if outcome not in outcomes:
        raise HandlingError("outcome", f"choose one of {', '.join(sorted(outcomes))}")
    if len(note) > MAX_REASON_CHARACTERS:
        raise HandlingError("note", f"must be at most {MAX_REASON_CHARACTERS:,} characters")
    with transaction.atomic():
        submission.outcome = outcome
        submission.encrypted_outcome_note = encrypt(note.strip()) if note.strip() else ""
        submission.outcome_recorded_at = now or timezone.now()
        submission.status = SubmissionStatus.ACTIONED
        submission.save(
            update_fields=["outcome", "encrypted_outcome_note", "outcome_recorded_at", "status"]
        )
        record_intelligence_event(
            request=request,
            action=AuditAction.EDITED,
            submission=submission,
            detail=f"recorded the outcome {outcome}",
            user=by,
        )
    return submission
