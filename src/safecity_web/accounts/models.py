"""Partner organisations, users with one role each, and the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class OrganisationKind(models.TextChoices):
    """The kinds of body that sit on a Community Safety Partnership."""

    POLICE = "police", "Police"
    COUNCIL = "council", "Council"
    FIRE = "fire", "Fire and rescue"
    PROBATION = "probation", "Probation"
    HEALTH = "health", "Health"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    BUSINESS_IMPROVEMENT_DISTRICT = "business_improvement_district", "Business improvement district"


class Role(models.TextChoices):
    """What a user may do in the partner portal."""

    ADMINISTRATOR = "administrator", "Administrator"
    ANALYST = "analyst", "Analyst"
    BOARD_MEMBER = "board_member", "Board member"
    PARTNER_OFFICER = "partner_officer", "Partner officer"


class Organisation(models.Model):
    """A partner body (police force, council, fire service, ...)."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A partner-portal user: belongs to one organisation and holds one role."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.PARTNER_OFFICER)

    def has_role(self, *roles: Role) -> bool:
        """Whether the user is active and holds one of ``roles``."""
        return self.is_active and self.role in roles


class AuditAction(models.TextChoices):
    """What an audit-log entry records."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    PUBLISHED = "published", "Published"
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    DELETED = "deleted", "Deleted"
    PASSWORD_RESET = "password_reset", "Password reset"
    SECOND_FACTOR = "second_factor", "Second factor changed"


class AuditEvent(models.Model):
    """One audited event; never updated or deleted by the application."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    detail = models.TextField(blank=True)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
