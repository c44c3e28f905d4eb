"""Taking in a community report, whichever way it came: checks, placing, encryption, duplicates.

The public form, a reporting centre, a business and an Open311 app all end in
:func:`submit_report`, so every channel is checked against one vocabulary
(``community_reports.yaml``), stored the same way (personal data encrypted, de-identified fields
in the clear) and given a reference and a private status link.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction, AuditEvent, Organisation
from safecity_web.encryption import Purpose, decrypt_text, encrypt_bytes, encrypt_text
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.reporting.models import (
    Channel,
    CommunityReport,
    Moderation,
    Open311Application,
    ReportAttachment,
    ReportEvent,
    ReportStatus,
)

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
REFERENCE_PREFIX = "SC"
OLDEST_REPORTABLE_YEARS = 5
RECEIVED_TEXT = "We have received your report. It is waiting to be looked at."


class SubmissionRejectedError(ValueError):
    """A report that cannot be taken: ``field`` names what is wrong, the message says why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class CleanImage:
    """An attachment already checked and re-encoded (metadata stripped) by the caller."""

    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """What a report says, before it is stored. Text fields are plain; storing encrypts them."""

    kind: str
    category: str
    occurred_from: datetime.date
    occurred_to: datetime.date
    strands: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    place_name: str = ""
    online: bool = False
    description: str = ""
    targeted: str = ""
    contact: dict[str, str] = field(default_factory=dict)
    contact_consent: bool = False
    offender_description: str = ""
    losses_pounds: Decimal | None = None
    victim_consent: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[CleanImage, ...] = ()


@dataclass(frozen=True, slots=True)
class SubmittedReport:
    """A stored report and the token of its private status link (shown once, never stored)."""

    report: CommunityReport
    status_token: str


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a status-link token or an API key, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_reference() -> str:
    """A reference such as ``SC-7K3M-Q9TB`` (40 random bits, easy to read out on the phone)."""
    characters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{characters[:4]}-{characters[4:]}"


def normalised_reference(text: str) -> str:
    """A reference as typed (any case, spaces, O for 0, I or L for 1) in its stored form."""
    cleaned = "".join(character for character in text.upper() if character.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if cleaned.startswith(REFERENCE_PREFIX):
        cleaned = cleaned[len(REFERENCE_PREFIX) :]
    if len(cleaned) != 8:
        return ""
    return f"{REFERENCE_PREFIX}-{cleaned[:4]}-{cleaned[4:]}"


_BOUNDARIES: dict[int, dict[str, Any]] = {}
"""The published assessment's boundaries, kept by its id (a published row's never change)."""


def current_boundaries() -> tuple[int, dict[str, Any]] | None:
    """The published assessment's id and boundaries (None when nothing with boundaries is).

    The boundaries are read from the database once per published assessment and kept in the
    process (every submission places its point in them); callers must not change them.
    """
    published = (
        PublishedAssessment.objects.filter(
            status=AssessmentStatus.PUBLISHED, boundaries__isnull=False
        )
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    if published is None:
        return None
    key = int(published)
    kept = _BOUNDARIES.get(key)
    if kept is None:
        stored = (
            PublishedAssessment.objects.filter(pk=key).values_list("boundaries", flat=True).first()
        )
        if stored is None:
            return None
        kept = dict(stored)
        _BOUNDARIES.clear()
        _BOUNDARIES[key] = kept
    return key, kept


def _check_vocabulary(draft: ReportDraft) -> None:
    config = core_gateway.community_reports_config()
    try:
        kind = config.kind(draft.kind)
    except KeyError as error:
        raise SubmissionRejectedError("kind", str(error.args[0])) from error
    try:
        kind.category(draft.category)
    except KeyError as error:
        raise SubmissionRejectedError("category", str(error.args[0])) from error
    for strand in draft.strands:
        try:
            config.strand(strand)
        except KeyError as error:
            raise SubmissionRejectedError("strands", str(error.args[0])) from error
    if draft.kind == "hate" and not draft.strands:
        raise SubmissionRejectedError(
            "strands", "say what the hate was about (at least one strand)"
        )
    if draft.kind != "hate" and draft.strands:
        raise SubmissionRejectedError("strands", "only hate reports name a strand")
    limit = config.abuse.max_description_characters
    for name in ("description", "targeted", "offender_description"):
        if len(getattr(draft, name)) > limit:
            raise SubmissionRejectedError(name, f"must be at most {limit} characters")
    if draft.losses_pounds is not None:
        if draft.kind != "business":
            raise SubmissionRejectedError("losses_pounds", "only business reports record losses")
        if draft.losses_pounds < 0:
            raise SubmissionRejectedError("losses_pounds", "cannot be negative")
    if len(draft.attachments) > config.attachments.max_per_report:
        raise SubmissionRejectedError(
            "attachments", f"at most {config.attachments.max_per_report} images per report"
        )
    for image in draft.attachments:
        if image.content_type not in config.attachments.image_types:
            raise SubmissionRejectedError("attachments", f"{image.content_type} is not accepted")
        if len(image.data) > config.attachments.max_bytes:
            raise SubmissionRejectedError("attachments", "an image is larger than allowed")


def _check_dates(draft: ReportDraft, *, today: datetime.date) -> None:
    if draft.occurred_from > draft.occurred_to:
        raise SubmissionRejectedError("occurred", "the start date is after the end date")
    if draft.occurred_to > today:
        raise SubmissionRejectedError("occurred", "the date is in the future")
    # 29 February has no date N years back in a common year: the 28th stands for it.
    oldest = today.replace(
        year=today.year - OLDEST_REPORTABLE_YEARS,
        day=min(today.day, 28) if (today.month, today.day) == (2, 29) else today.day,
    )
    if draft.occurred_from < oldest:
        raise SubmissionRejectedError(
            "occurred", f"reports can cover the last {OLDEST_REPORTABLE_YEARS} years"
        )


def _place(draft: ReportDraft) -> dict[str, str]:
    """The report's CSP, ward and LSOA codes.

    Without a point (an online incident, or no place given) the CSP is the published
    assessment's area and ward and LSOA are empty; with no published boundaries, all are empty.
    """
    boundaries = current_boundaries()
    if draft.latitude is None or draft.longitude is None:
        if draft.latitude is not None or draft.longitude is not None:
            raise SubmissionRejectedError("location", "give both latitude and longitude")
        area_code = "" if boundaries is None else _csp_code(boundaries[1])
        return {"area_code": area_code, "ward_code": "", "lsoa_code": ""}
    if not (-90.0 <= draft.latitude <= 90.0 and -180.0 <= draft.longitude <= 180.0):
        raise SubmissionRejectedError("location", "latitude or longitude is out of range")
    if boundaries is None:
        return {"area_code": "", "ward_code": "", "lsoa_code": ""}
    boundaries_key, collection = boundaries
    placed = core_gateway.place_point(
        boundaries_key=boundaries_key,
        boundaries=collection,
        latitude=draft.latitude,
        longitude=draft.longitude,
    )
    if not placed["area_code"]:
        raise SubmissionRejectedError(
            "location", "the place is outside the partnership's area: report it to the police"
        )
    return placed


def _csp_code(boundaries: dict[str, Any]) -> str:
    for feature in boundaries.get("features", []):
        properties = feature.get("properties") or {}
        if properties.get("area_level") == "csp":
            return str(properties.get("area_code", ""))
    return ""


def _duplicate_of(draft: ReportDraft, *, placed: dict[str, str], now: datetime.datetime) -> Any:
    if not draft.description.strip():
        return None
    window = core_gateway.community_reports_config().abuse.duplicate_window_minutes
    recent = CommunityReport.objects.filter(
        kind=draft.kind,
        category=draft.category,
        lsoa_code=placed["lsoa_code"],
        received_at__gte=now - datetime.timedelta(minutes=window),
        anonymised_at__isnull=True,
        duplicate_of__isnull=True,
    ).only("id", "encrypted_description")
    wanted = " ".join(draft.description.split()).casefold()
    for candidate in recent:
        text = decrypt_text(candidate.encrypted_description, purpose=Purpose.PERSONAL_DATA)
        if " ".join(text.split()).casefold() == wanted:
            return candidate
    return None


def retention_deadline(*, kind: str, from_moment: datetime.datetime) -> datetime.datetime:
    """When a report of ``kind`` is due for anonymisation, counted from ``from_moment``."""
    days = core_gateway.community_reports_config().kind(kind).retention_days
    return from_moment + datetime.timedelta(days=days)


def submit_report(
    *,
    draft: ReportDraft,
    channel: Channel,
    submitted_by: Any = None,
    organisation: Organisation | None = None,
    open311_application: Open311Application | None = None,
    now: datetime.datetime | None = None,
) -> SubmittedReport:
    """Check and store a report; return it with its private status-link token.

    Parameters
    ----------
    draft
        What the report says.
    channel
        How it came (public form, reporting centre, business, Open311 app).
    submitted_by, organisation
        The staff account and its reporting centre or business, for reports made by them.
    open311_application
        The registered app, for Open311 submissions.
    now
        The time of receipt (default: now).

    Raises
    ------
    SubmissionRejectedError
        Naming the field that is wrong and why.
    """
    moment = now or timezone.now()
    _check_vocabulary(draft)
    _check_dates(draft, today=timezone.localdate(moment))
    placed = _place(draft)
    contact_text = "\n".join(f"{key}: {value}" for key, value in sorted(draft.contact.items()))
    for attempt in range(5):
        status_token = secrets.token_urlsafe(24)
        try:
            with transaction.atomic():
                duplicate = _duplicate_of(draft, placed=placed, now=moment)
                report = CommunityReport.objects.create(
                    reference=new_reference(),
                    status_token_hash=token_hash(status_token),
                    kind=draft.kind,
                    category=draft.category,
                    strands=sorted(set(draft.strands)),
                    channel=channel,
                    occurred_from=draft.occurred_from,
                    occurred_to=draft.occurred_to,
                    latitude=draft.latitude,
                    longitude=draft.longitude,
                    place_name=draft.place_name[:200],
                    area_code=placed["area_code"],
                    ward_code=placed["ward_code"],
                    lsoa_code=placed["lsoa_code"],
                    online=draft.online,
                    encrypted_description=encrypt_text(
                        draft.description, purpose=Purpose.PERSONAL_DATA
                    ),
                    encrypted_targeted=encrypt_text(draft.targeted, purpose=Purpose.PERSONAL_DATA),
                    encrypted_contact=encrypt_text(contact_text, purpose=Purpose.PERSONAL_DATA),
                    contact_consent=draft.contact_consent and bool(draft.contact),
                    encrypted_offender_description=encrypt_text(
                        draft.offender_description, purpose=Purpose.PERSONAL_DATA
                    ),
                    losses_pounds=draft.losses_pounds,
                    victim_consent=draft.victim_consent,
                    organisation=organisation,
                    submitted_by=submitted_by,
                    open311_application=open311_application,
                    moderation=Moderation.DUPLICATE if duplicate else Moderation.PENDING,
                    duplicate_of=duplicate,
                    received_at=moment,
                    retain_until=retention_deadline(kind=draft.kind, from_moment=moment),
                )
                for image in draft.attachments:
                    ReportAttachment.objects.create(
                        report=report,
                        content_type=image.content_type,
                        size_bytes=len(image.data),
                        encrypted_content=encrypt_bytes(image.data, purpose=Purpose.PERSONAL_DATA),
                        uploaded_at=moment,
                    )
                ReportEvent.objects.create(
                    report=report,
                    occurred_at=moment,
                    status=ReportStatus.RECEIVED,
                    public_text=RECEIVED_TEXT,
                )
                AuditEvent.objects.create(
                    action=AuditAction.CREATED,
                    user=submitted_by,
                    username=getattr(submitted_by, "username", ""),
                    organisation=organisation,
                    object_type="community_report",
                    object_id=report.reference,
                    detail=f"{channel.label}: {draft.kind}/{draft.category}",
                )
        except IntegrityError:
            if attempt == 4:
                raise
            continue
        return SubmittedReport(report=report, status_token=status_token)
    raise AssertionError("unreachable")
