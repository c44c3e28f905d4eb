"""The business crime scheme: members, information-sharing agreements, and partner alerts.

A scheme (``BusinessScheme``) has member businesses (organisations of kind ``business``) invited
by the partnership, versions of an information-sharing agreement, and alerts written by business
crime managers (a partner user holding the ``business_crime_manager`` triage duty) or
administrators. A business member sees a scheme's alerts only after accepting the scheme's
current agreement version; every acceptance, invitation, version and alert is audit-logged.
Alert bodies, offender descriptions and images are personal data: encrypted at rest and kept
until ``business_alerts.retention_days`` after they were written.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import (
    PARTNER_ROLES,
    AuditAction,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from safecity_web.encryption import Purpose, encrypt_bytes, encrypt_text
from safecity_web.reporting.attachments import AttachmentRejectedError, clean_image
from safecity_web.reporting.models import (
    AgreementAcceptance,
    BusinessAlert,
    BusinessScheme,
    SchemeMembership,
    SharingAgreement,
    TriageDuty,
)
from safecity_web.reporting.submission import CleanImage


class Duty(enum.StrEnum):
    """The triage duties of ``community_reports.yaml`` that this module checks by name."""

    HATE_CRIME_COORDINATOR = "hate_crime_coordinator"
    POLICE_SPOC = "police_spoc"
    BUSINESS_CRIME_MANAGER = "business_crime_manager"


class SchemeError(ValueError):
    """A scheme change that cannot be made: ``field_name`` says where, the message why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.message = message


def clean_alert_image(*, data: bytes) -> CleanImage:
    """Check an alert's image and re-encode it without metadata (EXIF location included).

    The same checks as a report's photos (:func:`safecity_web.reporting.attachments.clean_image`:
    type sniffed from the bytes, configured types and size, decompression bombs refused).

    Raises
    ------
    SchemeError
        On the ``image`` field, saying what is wrong.
    """
    try:
        return clean_image(data=data)
    except AttachmentRejectedError as error:
        raise SchemeError("image", str(error)) from error


def holds_duty(user: Any, *, duty: Duty) -> bool:
    """Whether ``user`` is an active partner-role user holding ``duty``."""
    if not user.is_authenticated or not user.has_role(*PARTNER_ROLES):
        return False
    return TriageDuty.objects.filter(user=user, duty=duty.value).exists()


def may_manage_schemes(user: Any) -> bool:
    """Administrators and business crime managers manage schemes and write alerts."""
    if not user.is_authenticated:
        return False
    return bool(user.has_role(Role.ADMINISTRATOR)) or holds_duty(
        user, duty=Duty.BUSINESS_CRIME_MANAGER
    )


def is_business_member(user: Any) -> bool:
    """An active business member whose organisation is of kind ``business``."""
    return bool(
        user.is_authenticated
        and user.has_role(Role.BUSINESS_MEMBER)
        and user.organisation is not None
        and user.organisation.kind == OrganisationKind.BUSINESS
    )


def create_scheme(*, name: str, by: User, request: HttpRequest | None = None) -> BusinessScheme:
    """Create a business crime scheme named ``name`` (audit-logged)."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise SchemeError("name", "Enter the scheme's name")
    if BusinessScheme.objects.filter(name__iexact=cleaned).exists():
        raise SchemeError("name", "A scheme with this name already exists")
    scheme = BusinessScheme.objects.create(name=cleaned)
    record_event(
        request=request,
        user=by,
        action=AuditAction.CREATED,
        subject=scheme,
        detail=f"business scheme {scheme.name}",
    )
    return scheme


def invite_member(
    *,
    scheme: BusinessScheme,
    organisation: Organisation,
    by: User,
    request: HttpRequest | None = None,
) -> SchemeMembership:
    """Make a business (organisation of kind ``business``) a member of ``scheme``."""
    if organisation.kind != OrganisationKind.BUSINESS:
        raise SchemeError(
            "organisation",
            f"{organisation.name} is not a business; only organisations of kind business can "
            "join a business crime scheme",
        )
    if SchemeMembership.objects.filter(scheme=scheme, organisation=organisation).exists():
        raise SchemeError("organisation", f"{organisation.name} is already a member")
    membership = SchemeMembership.objects.create(
        scheme=scheme, organisation=organisation, invited_by=by
    )
    record_event(
        request=request,
        user=by,
        action=AuditAction.CREATED,
        subject=membership,
        detail=f"{organisation.name} invited into {scheme.name}",
    )
    return membership


def publish_agreement(
    *,
    scheme: BusinessScheme,
    version: str,
    text: str,
    by: User,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> SharingAgreement:
    """Publish a new version of the scheme's agreement; it is current from ``now``.

    Members must accept the new version before they see the scheme's alerts again.
    """
    version = version.strip()
    if not version:
        raise SchemeError("version", "Enter the version, for example 2.0")
    if not text.strip():
        raise SchemeError("text", "Enter the agreement's text")
    if SharingAgreement.objects.filter(scheme=scheme, version=version).exists():
        raise SchemeError("version", f"Version {version} has already been published")
    agreement = SharingAgreement.objects.create(
        scheme=scheme, version=version, text=text.strip(), effective_from=now or timezone.now()
    )
    record_event(
        request=request,
        user=by,
        action=AuditAction.PUBLISHED,
        subject=agreement,
        detail=f"{scheme.name}: information-sharing agreement version {version}",
    )
    return agreement


def current_agreement(
    *, scheme: BusinessScheme, now: datetime.datetime | None = None
) -> SharingAgreement | None:
    """The scheme's agreement version in force at ``now`` (the latest effective one)."""
    return (
        SharingAgreement.objects.filter(scheme=scheme, effective_from__lte=now or timezone.now())
        .order_by("-effective_from", "-id")
        .first()
    )


def member_schemes(*, organisation: Organisation | None) -> list[BusinessScheme]:
    """The schemes ``organisation`` is a member of, by name."""
    if organisation is None:
        return []
    return list(BusinessScheme.objects.filter(members__organisation=organisation).order_by("name"))


@dataclass(frozen=True)
class SchemeStanding:
    """A member's standing in one scheme: the current agreement and whether they accepted it."""

    scheme: BusinessScheme
    agreement: SharingAgreement | None
    accepted_at: datetime.datetime | None

    @property
    def may_see_alerts(self) -> bool:
        """Only after accepting the scheme's current agreement version."""
        return self.agreement is not None and self.accepted_at is not None


def standings(*, user: Any, now: datetime.datetime | None = None) -> list[SchemeStanding]:
    """For each scheme of the user's business: the current agreement and its acceptance."""
    if not is_business_member(user):
        return []
    result = []
    for scheme in member_schemes(organisation=user.organisation):
        agreement = current_agreement(scheme=scheme, now=now)
        acceptance = (
            AgreementAcceptance.objects.filter(agreement=agreement, user=user).first()
            if agreement is not None
            else None
        )
        result.append(
            SchemeStanding(
                scheme=scheme,
                agreement=agreement,
                accepted_at=acceptance.accepted_at if acceptance else None,
            )
        )
    return result


def accept_agreement(
    *,
    agreement: SharingAgreement,
    user: User,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> AgreementAcceptance:
    """Record that ``user`` accepted ``agreement`` (which must be their scheme's current one)."""
    moment = now or timezone.now()
    if not is_business_member(user):
        raise SchemeError("agreement", "only business members accept a scheme's agreement")
    if not SchemeMembership.objects.filter(
        scheme=agreement.scheme, organisation=user.organisation
    ).exists():
        raise SchemeError("agreement", "your business is not a member of this scheme")
    current = current_agreement(scheme=agreement.scheme, now=moment)
    if current is None or current.pk != agreement.pk:
        raise SchemeError("agreement", "this is not the scheme's current agreement version")
    with transaction.atomic():
        acceptance, created = AgreementAcceptance.objects.get_or_create(
            agreement=agreement, user=user, defaults={"accepted_at": moment}
        )
        if created:
            record_event(
                request=request,
                user=user,
                action=AuditAction.CREATED,
                subject=acceptance,
                detail=(
                    f"accepted {agreement.scheme.name} information-sharing agreement "
                    f"version {agreement.version}"
                ),
            )
    return acceptance


def create_alert(
    *,
    scheme: BusinessScheme,
    title: str,
    body: str,
    offender_description: str = "",
    image: CleanImage | None = None,
    by: User,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> BusinessAlert:
    """Write an alert to a scheme's members, its text and image encrypted.

    ``image`` must already be cleaned (:func:`clean_alert_image`). The alert is kept until
    ``business_alerts.retention_days`` after ``now``.
    """
    if not may_manage_schemes(by):
        raise SchemeError("scheme", "only business crime managers and administrators write alerts")
    if not title.strip():
        raise SchemeError("title", "Enter a title")
    if not body.strip():
        raise SchemeError("body", "Enter what members need to know")
    moment = now or timezone.now()
    days = core_gateway.community_reports_config().alert_retention_days
    alert = BusinessAlert.objects.create(
        scheme=scheme,
        title=title.strip()[:200],
        encrypted_body=encrypt_text(body.strip(), purpose=Purpose.PERSONAL_DATA),
        encrypted_offender_description=(
            encrypt_text(offender_description.strip(), purpose=Purpose.PERSONAL_DATA)
            if offender_description.strip()
            else ""
        ),
        encrypted_image=(
            encrypt_bytes(image.data, purpose=Purpose.PERSONAL_DATA) if image is not None else None
        ),
        image_content_type=image.content_type if image is not None else "",
        created_by=by,
        created_at=moment,
        retain_until=moment + datetime.timedelta(days=days),
    )
    record_event(
        request=request,
        user=by,
        action=AuditAction.CREATED,
        subject=alert,
        detail=f"alert to {scheme.name}",
    )
    return alert


def alert_schemes_visible_to(
    *, user: Any, now: datetime.datetime | None = None
) -> list[BusinessScheme] | None:
    """The schemes whose alerts ``user`` may read; ``None`` means every scheme.

    Administrators and business crime managers read every scheme's alerts; a business member
    reads the schemes of their business whose current agreement they accepted; nobody else any.
    """
    if may_manage_schemes(user):
        return None
    return [
        standing.scheme for standing in standings(user=user, now=now) if standing.may_see_alerts
    ]


def may_see_alert(*, user: Any, alert: BusinessAlert) -> bool:
    """Whether ``user`` may read ``alert`` (see :func:`alert_schemes_visible_to`)."""
    if alert.anonymised_at is not None:
        return False
    schemes = alert_schemes_visible_to(user=user)
    return schemes is None or any(scheme.pk == alert.scheme_id for scheme in schemes)
