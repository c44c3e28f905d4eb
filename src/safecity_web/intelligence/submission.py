"""Taking in a Community Partnership Intelligence form: checks, placing, grading, encryption.

Every way in (the form, the demo site, tests) ends in :func:`submit_intelligence`, so each
submission is checked against one vocabulary (``intelligence.yaml``), stored the same way
(content encrypted under the intelligence keys, de-identified fields in the clear), graded by
its submitter under the 3x5x2 model (the first :class:`~safecity_web.intelligence.models.Grading`)
and given a review date from its topic's rule.

References
----------
College of Policing, Authorised Professional Practice "Intelligence management" (3x5x2
evaluation; handling conditions).
"""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction
from safecity_web.encryption import Purpose, decrypt_text, encrypt_text
from safecity_web.intelligence.access import may_submit, record_intelligence_event
from safecity_web.intelligence.models import (
    Grading,
    IntelligenceSubject,
    IntelligenceSubmission,
)
from safecity_web.reporting.submission import current_boundaries

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
REFERENCE_PREFIX = "IN"
MAX_TEXT_CHARACTERS = 10_000
"""The longest free text (what is known) a submission may hold."""
MAX_FIELD_CHARACTERS = 1_000
"""The longest any other text field (a subject's detail, conditions, place words) may be."""
MAX_SUBJECTS = 20
OLDEST_YEARS = 10
"""How far back "when" may go."""


class IntelligenceRejectedError(ValueError):
    """A submission that cannot be taken: ``field_name`` says where, the message why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class SubjectDraft:
    """A person, vehicle, premises or place: the kind and its fields' text (all optional)."""

    kind: str
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntelligenceDraft:
    """What a submission says, before it is stored (text plain; storing encrypts it)."""

    topic: str
    what_is_known: str
    provenance: str
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    handling_conditions: str = ""
    provenance_detail: str = ""
    subjects: tuple[SubjectDraft, ...] = ()
    place_words: str = ""
    latitude: float | None = None
    longitude: float | None = None
    ward_code: str = ""
    occurred_from: datetime.date | None = None
    occurred_to: datetime.date | None = None


def new_reference() -> str:
    """A reference such as ``IN-7K3M-Q9TB`` (40 random bits, easy to read out)."""
    characters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{characters[:4]}-{characters[4:]}"


def encrypt(text: str) -> str:
    """``text`` as an intelligence-purpose Fernet token."""
    return encrypt_text(text, purpose=Purpose.INTELLIGENCE)


def decrypt(token: str) -> str:
    """The text of an intelligence-purpose token (``""`` for an empty field)."""
    return decrypt_text(token, purpose=Purpose.INTELLIGENCE) if token else ""


def encrypt_json(value: Any) -> str:
    """``value`` as JSON in an intelligence-purpose token."""
    return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))


def decrypt_json(token: str) -> Any:
    """The JSON value of an intelligence-purpose token (``None`` for an empty field)."""
    return json.loads(decrypt(token)) if token else None


def _check_length(name: str, text: str, *, limit: int) -> None:
    if len(text) > limit:
        raise IntelligenceRejectedError(name, f"must be at most {limit:,} characters")


def _check_vocabulary(draft: IntelligenceDraft) -> None:
    config = core_gateway.intelligence_config()
    try:
        config.topic(draft.topic)
    except KeyError as error:
        raise IntelligenceRejectedError("topic", str(error.args[0])) from error
    if not draft.what_is_known.strip():
        raise IntelligenceRejectedError("what_is_known", "say what is known")
    _check_length("what_is_known", draft.what_is_known, limit=MAX_TEXT_CHARACTERS)
    if draft.provenance not in {choice.id for choice in config.provenance}:
        known = ", ".join(choice.id for choice in config.provenance)
        raise IntelligenceRejectedError(
            "provenance", f"unknown answer {draft.provenance!r} (known: {known})"
        )
    if draft.provenance == "other" and not draft.provenance_detail.strip():
        raise IntelligenceRejectedError("provenance_detail", "say how you know it")
    _check_length("provenance_detail", draft.provenance_detail, limit=MAX_FIELD_CHARACTERS)
    scales = (
        ("source_evaluation", config.source_evaluation, draft.source_evaluation),
        ("intelligence_assessment", config.intelligence_assessment, draft.intelligence_assessment),
        ("handling_code", config.handling_codes, draft.handling_code),
    )
    for name, grades, chosen in scales:
        if chosen not in {grade.code for grade in grades}:
            known = ", ".join(grade.code for grade in grades)
            raise IntelligenceRejectedError(name, f"choose one of {known} (not {chosen!r})")
    handling = config.handling_code(draft.handling_code)
    if handling.conditions_required and not draft.handling_conditions.strip():
        raise IntelligenceRejectedError(
            "handling_conditions", f"handling code {handling.code} needs its conditions written"
        )
    if not handling.conditions_required and draft.handling_conditions.strip():
        raise IntelligenceRejectedError(
            "handling_conditions", f"handling code {handling.code} has no conditions"
        )
    _check_length("handling_conditions", draft.handling_conditions, limit=MAX_FIELD_CHARACTERS)
    _check_length("place_words", draft.place_words, limit=MAX_FIELD_CHARACTERS)
    if len(draft.subjects) > MAX_SUBJECTS:
        raise IntelligenceRejectedError("subjects", f"at most {MAX_SUBJECTS} subjects")
    for index, subject in enumerate(draft.subjects):
        where = f"subjects[{index}]"
        try:
            kind = config.subject_kind(subject.kind)
        except KeyError as error:
            raise IntelligenceRejectedError(where, str(error.args[0])) from error
        allowed = {choice.id for choice in kind.fields}
        unknown = sorted(set(subject.details) - allowed)
        if unknown:
            raise IntelligenceRejectedError(
                where,
                f"a {kind.id} has no field {unknown[0]!r} (fields: {', '.join(sorted(allowed))})",
            )
        if not any(text.strip() for text in subject.details.values()):
            raise IntelligenceRejectedError(where, f"say something about the {kind.id}")
        for name, text in subject.details.items():
            _check_length(f"{where}.{name}", text, limit=MAX_FIELD_CHARACTERS)


def _check_dates(draft: IntelligenceDraft, *, today: datetime.date) -> None:
    first, last = draft.occurred_from, draft.occurred_to
    if first is None and last is None:
        return
    if first is None or last is None:
        raise IntelligenceRejectedError("occurred", "give both the first and the last date")
    if first > last:
        raise IntelligenceRejectedError("occurred", "the first date is after the last date")
    if last > today:
        raise IntelligenceRejectedError("occurred", "the date is in the future")
    if first.year < today.year - OLDEST_YEARS:
        raise IntelligenceRejectedError(
            "occurred", f"the date is more than {OLDEST_YEARS} years ago"
        )


def _feature_properties(boundaries: Mapping[str, Any], *, level: str) -> list[dict[str, Any]]:
    return [
        dict(feature.get("properties") or {})
        for feature in boundaries.get("features", [])
        if (feature.get("properties") or {}).get("area_level") == level
    ]


def _place(draft: IntelligenceDraft) -> dict[str, str]:
    """The submission's CSP, ward and LSOA codes and the ward boundaries' vintage.

    A point is placed in the published boundaries; a point outside the partnership's area is
    kept (intelligence about a neighbouring area can matter) with empty codes. A ward chosen by
    name must be one of the published boundaries' wards. With neither, only the CSP is set.
    """
    empty = {"area_code": "", "ward_code": "", "lsoa_code": "", "boundary_vintage": ""}
    boundaries = current_boundaries()
    has_point = draft.latitude is not None or draft.longitude is not None
    if has_point and (draft.latitude is None or draft.longitude is None):
        raise IntelligenceRejectedError("location", "give both latitude and longitude")
    if has_point and draft.ward_code:
        raise IntelligenceRejectedError("location", "give a point or a ward, not both")
    if (
        draft.latitude is not None
        and draft.longitude is not None
        and not (-90.0 <= draft.latitude <= 90.0 and -180.0 <= draft.longitude <= 180.0)
    ):
        raise IntelligenceRejectedError("location", "latitude or longitude is out of range")
    if boundaries is None:
        if draft.ward_code:
            raise IntelligenceRejectedError(
                "ward_code", "no published boundaries to choose a ward from"
            )
        return empty
    boundaries_key, collection = boundaries
    csp = _feature_properties(collection, level="csp")
    wards = {
        str(entry.get("area_code")): entry
        for entry in _feature_properties(collection, level="ward")
    }
    area_code = str(csp[0].get("area_code", "")) if csp else ""
    if draft.ward_code:
        ward = wards.get(draft.ward_code)
        if ward is None:
            raise IntelligenceRejectedError(
                "ward_code", f"{draft.ward_code!r} is not a ward of the partnership's area"
            )
        return {
            "area_code": area_code,
            "ward_code": draft.ward_code,
            "lsoa_code": "",
            "boundary_vintage": str(ward.get("area_vintage", "")),
        }
    if draft.latitude is None or draft.longitude is None:
        return {**empty, "area_code": area_code}
    placed = core_gateway.place_point(
        boundaries_key=boundaries_key,
        boundaries=collection,
        latitude=draft.latitude,
        longitude=draft.longitude,
    )
    if not placed["area_code"]:
        return empty
    ward = wards.get(placed["ward_code"], {})
    return {**placed, "boundary_vintage": str(ward.get("area_vintage", ""))}


def review_date(*, topic: str, from_day: datetime.date, retained: bool = False) -> datetime.date:
    """When a submission on ``topic`` is next due for review, counted from ``from_day``.

    The first review is ``review_after_days`` after submission; after a receiver retains it at
    review, the next is ``retain_for_days`` after the decision (``retained=True``).
    """
    rule = core_gateway.intelligence_config().topic(topic)
    days = rule.retain_for_days if retained else rule.review_after_days
    return from_day + datetime.timedelta(days=days)


def submit_intelligence(
    *, draft: IntelligenceDraft, submitted_by: Any, now: datetime.datetime | None = None
) -> IntelligenceSubmission:
    """Check and store a submission, with the submitter's grading and its first review date.

    Parameters
    ----------
    draft
        What the submission says and how the submitter grades it.
    submitted_by
        The staff account submitting it (must be allowed to submit).
    now
        The time of submission (default: now).

    Returns
    -------
    IntelligenceSubmission

    Raises
    ------
    IntelligenceRejectedError
        Naming the field that is wrong and why.
    PermissionError
        When ``submitted_by`` may not submit intelligence.
    """
    if not may_submit(user=submitted_by):
        raise PermissionError(
            "submitting intelligence needs an administrator, analyst or partner officer"
        )
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    _check_vocabulary(draft)
    _check_dates(draft, today=today)
    placed = _place(draft)
    location: dict[str, Any] = {}
    if draft.place_words.strip():
        location["place_words"] = draft.place_words.strip()
    if draft.latitude is not None and draft.longitude is not None:
        location["latitude"] = draft.latitude
        location["longitude"] = draft.longitude
    conditions = (
        encrypt(draft.handling_conditions.strip()) if draft.handling_conditions.strip() else ""
    )
    for attempt in range(5):
        try:
            with transaction.atomic():
                submission = IntelligenceSubmission.objects.create(
                    reference=new_reference(),
                    topic=draft.topic,
                    submitted_by=submitted_by,
                    organisation=getattr(submitted_by, "organisation", None),
                    submitted_at=moment,
                    encrypted_what_is_known=encrypt(draft.what_is_known.strip()),
                    provenance=draft.provenance,
                    encrypted_provenance_detail=(
                        encrypt(draft.provenance_detail.strip())
                        if draft.provenance_detail.strip()
                        else ""
                    ),
                    encrypted_location=encrypt_json(location) if location else "",
                    occurred_from=draft.occurred_from,
                    occurred_to=draft.occurred_to,
                    source_evaluation=draft.source_evaluation,
                    intelligence_assessment=draft.intelligence_assessment,
                    handling_code=draft.handling_code,
                    encrypted_handling_conditions=conditions,
                    review_due=review_date(topic=draft.topic, from_day=today),
                    **placed,
                )
                for position, subject in enumerate(draft.subjects):
                    details = {
                        name: text.strip() for name, text in subject.details.items() if text.strip()
                    }
                    IntelligenceSubject.objects.create(
                        submission=submission,
                        kind=subject.kind,
                        encrypted_details=encrypt_json(details),
                        position=position,
                    )
                Grading.objects.create(
                    submission=submission,
                    graded_by=submitted_by,
                    graded_at=moment,
                    source_evaluation=draft.source_evaluation,
                    intelligence_assessment=draft.intelligence_assessment,
                    handling_code=draft.handling_code,
                    encrypted_handling_conditions=conditions,
                    by_submitter=True,
                )
                record_intelligence_event(
                    request=None,
                    action=AuditAction.CREATED,
                    submission=submission,
                    detail="submitted intelligence",
                    user=submitted_by,
                )
                return submission
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")
