"""Community reports, their triage history, attachments, and the business crime scheme.

Kinds, categories, strands and triage duties are identifiers from ``community_reports.yaml``
(``safecity.config.community_reports``), stored as text and checked by the forms. Every field
named ``encrypted_*`` holds a Fernet token (``safecity_web.reporting.encryption``), never the
plain text; the retention job empties them and sets ``anonymised_at``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecity_web.accounts.models import Organisation


class Channel(models.TextChoices):
    """How a report reached the partnership."""

    PUBLIC_FORM = "public_form", "Public form"
    REPORTING_CENTRE = "reporting_centre", "Third-party reporting centre"
    BUSINESS = "business", "Business crime scheme"
    OPEN311 = "open311", "Reporting app (Open311)"


class ReportStatus(models.TextChoices):
    """Where a report is in triage; the reporter sees the label and the plain-words outcome."""

    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "Being looked at"
    REFERRED = "referred", "Passed to the police"
    CLOSED = "closed", "Closed"


class Moderation(models.TextChoices):
    """Whether a report is genuine; only accepted reports are counted in the export."""

    PENDING = "pending", "Not yet moderated"
    ACCEPTED = "accepted", "Accepted"
    DUPLICATE = "duplicate", "Duplicate"
    REJECTED = "rejected", "Rejected (spam or abuse)"


class TriageDuty(models.Model):
    """A triage duty (``community_reports.yaml`` ``duties``) held by a partner user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="triage_duties"
    )
    duty = models.CharField(max_length=60)
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "duty"], name="triage_duty_user_duty")
        ]


class Open311Application(models.Model):
    """A reporting app registered to submit through Open311; its API key is stored hashed."""

    name = models.CharField(max_length=200, unique=True)
    key_prefix = models.CharField(max_length=12, help_text="The key's first characters, shown.")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key.")
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class CommunityReport(models.Model):
    """One report: de-identified fields in the clear, personal data encrypted."""

    reference = models.CharField(max_length=20, unique=True)
    status_token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the private status link's token."
    )
    kind = models.CharField(max_length=40)
    category = models.CharField(max_length=60)
    strands = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=30, choices=Channel.choices)
    occurred_from = models.DateField()
    occurred_to = models.DateField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    place_name = models.CharField(max_length=200, blank=True)
    area_code = models.CharField(max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    lsoa_code = models.CharField(max_length=9, blank=True)
    online = models.BooleanField(default=False)
    encrypted_description = models.TextField(blank=True)
    encrypted_targeted = models.TextField(blank=True)
    encrypted_contact = models.TextField(blank=True)
    contact_consent = models.BooleanField(default=False)
    encrypted_offender_description = models.TextField(blank=True)
    losses_pounds = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    victim_consent = models.JSONField(
        default=dict,
        blank=True,
        help_text="For reports made on a victim's behalf: what the victim agreed to share.",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_reports",
        help_text="The reporting centre or business that submitted it (None for the public).",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_community_reports",
    )
    open311_application = models.ForeignKey(
        Open311Application, null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    moderation = models.CharField(
        max_length=20, choices=Moderation.choices, default=Moderation.PENDING
    )
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_community_reports",
    )
    police_reference = models.CharField(max_length=60, blank=True)
    outcome = models.TextField(
        blank=True,
        help_text="The outcome in plain words, shown to the reporter (no personal data).",
    )
    received_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    retain_until = models.DateTimeField(db_index=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"], name="report_kind_status")]


class ReportEvent(models.Model):
    """One step of a report's history; ``public_text`` is what the reporter's status page shows."""

    report = models.ForeignKey(CommunityReport, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=ReportStatus.choices)
    public_text = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at", "id"]


class ReportNote(models.Model):
    """A triage note (staff only; encrypted; deleted by the retention job)."""

    report = models.ForeignKey(CommunityReport, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    encrypted_text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]


class ReportAttachment(models.Model):
    """An image attached to a report: metadata stripped, encrypted, never served publicly."""

    report = models.ForeignKey(
        CommunityReport, on_delete=models.CASCADE, related_name="attachments"
    )
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    encrypted_content = models.BinaryField()
    uploaded_at = models.DateTimeField()


class BusinessScheme(models.Model):
    """A business crime partnership scheme whose members report and share alerts."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class SchemeMembership(models.Model):
    """A business (organisation of kind ``business``) invited into a scheme by the partnership."""

    scheme = models.ForeignKey(BusinessScheme, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scheme_memberships"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "organisation"], name="scheme_membership_unique"
            )
        ]


class SharingAgreement(models.Model):
    """A version of a scheme's information-sharing agreement."""

    scheme = models.ForeignKey(BusinessScheme, on_delete=models.CASCADE, related_name="agreements")
    version = models.CharField(max_length=20)
    text = models.TextField()
    effective_from = models.DateTimeField()

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "version"], name="agreement_scheme_version")
        ]


class AgreementAcceptance(models.Model):
    """A user's recorded acceptance of an agreement version (needed before alerts are shown)."""

    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.PROTECT, related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "user"], name="acceptance_unique")
        ]


class BusinessAlert(models.Model):
    """A partner-shared alert within a scheme; offender descriptions and images are encrypted."""

    scheme = models.ForeignKey(BusinessScheme, on_delete=models.CASCADE, related_name="alerts")
    title = models.CharField(max_length=200)
    encrypted_body = models.TextField()
    encrypted_offender_description = models.TextField(blank=True)
    encrypted_image = models.BinaryField(null=True, blank=True)
    image_content_type = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    retain_until = models.DateTimeField(db_index=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
