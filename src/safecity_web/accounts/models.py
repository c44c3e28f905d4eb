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
    REPORTING_CENTRE = "reporting_centre", "Third-party reporting centre"
    BUSINESS = "business", "Business (member of a business crime scheme)"


class Role(models.TextChoices):
    """What a user may do in the partner portal."""

    ADMINISTRATOR = "administrator", "Administrator"
    ANALYST = "analyst", "Analyst"
    BOARD_MEMBER = "board_member", "Board member"
    PARTNER_OFFICER = "partner_officer", "Partner officer"
    REPORTING_CENTRE_WORKER = "reporting_centre_worker", "Reporting-centre worker"
    BUSINESS_MEMBER = "business_member", "Business member"


PARTNER_ROLES = (Role.ADMINISTRATOR, Role.ANALYST, Role.BOARD_MEMBER, Role.PARTNER_OFFICER)
"""Roles of the partnership's own staff; the other roles belong to reporting centres and
businesses, who use only the community-reporting pages (issue 13)."""


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
    VIEWED_PERSONAL_DATA = "viewed_personal_data", "Viewed personal data"
    EXPORTED = "exported", "Exported"
    ANONYMISED = "anonymised", "Anonymised"
    VIEWED_INTELLIGENCE = "viewed_intelligence", "Viewed intelligence"


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


class SignInAttempt(models.Model):
    """One attempt to sign in (password or authenticator code), kept for lockout counting.

    ``username`` is stored case-folded so that ``Alice`` and ``alice`` count together; it is
    recorded whether or not such an account exists.
    """

    attempted_at = models.DateTimeField()
    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "attempted_at"], name="attempt_username_time"),
            models.Index(fields=["ip_address", "attempted_at"], name="attempt_address_time"),
        ]


class LockoutScope(models.TextChoices):
    """What a lockout is keyed on."""

    USERNAME = "username", "Username"
    IP_ADDRESS = "ip_address", "IP address"


class Lockout(models.Model):
    """Sign-in refused for a username or an IP address until ``locked_until``."""

    scope = models.CharField(max_length=20, choices=LockoutScope.choices)
    key = models.CharField(max_length=150)
    locked_at = models.DateTimeField()
    locked_until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "locked_until"], name="lockout_key_until")]


class ThrottleScope(models.TextChoices):
    """What a throttled action is counted under (one lock row per scope and key)."""

    SIGN_IN_USERNAME = "sign_in_username", "Sign-in: username"
    SIGN_IN_IP_ADDRESS = "sign_in_ip_address", "Sign-in: IP address"
    RESET_EMAIL = "reset_email", "Password reset: email address"
    RESET_ACCOUNT = "reset_account", "Password reset: account"
    RESET_IP_ADDRESS = "reset_ip_address", "Password reset: IP address"


class ThrottleLock(models.Model):
    """One row per scope and key, locked (``SELECT ... FOR UPDATE``) while an attempt is counted.

    Concurrent sign-ins for one username (or password-reset requests for one address) take the
    row lock in turn, so "check the count, do the work, record the result" is atomic: 40
    parallel wrong passwords get exactly the allowed number of password checks and one lockout.
    """

    scope = models.CharField(max_length=30, choices=ThrottleScope.choices)
    key = models.CharField(max_length=254)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="throttle_lock_scope_key")
        ]


class ThrottledRequest(models.Model):
    """One request of a rate-limited action (a password-reset email), kept for counting.

    ``key`` is a keyed hash of the case-folded email address, an account id or an IP address
    depending on ``scope``; old rows are deleted by ``prune_sign_in_attempts``.
    """

    scope = models.CharField(max_length=30, choices=ThrottleScope.choices)
    key = models.CharField(max_length=254)
    requested_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "requested_at"], name="throttled_key_time")]


class TwoFactorDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238); ``secret`` is Fernet-encrypted at rest.

    The device only protects sign-in once ``confirmed_at`` is set (the user has typed a correct
    code). ``last_used_timestep`` makes every code single-use.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor_device")
    encrypted_secret = models.TextField()
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_timestep = models.BigIntegerField(null=True, blank=True)

    @property
    def is_confirmed(self) -> bool:
        """Whether the authenticator has been confirmed and now guards sign-in."""
        return self.confirmed_at is not None
