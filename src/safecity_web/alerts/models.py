"""Alerts: what tells partner staff that something needs them, and what they follow.

A :class:`Subscription` follows a crime group and/or an area (a CSP or ward GSS code) of the
published assessments, for the optional kinds (a month outside its control limits, a
significant change). The other kinds come with a user's role, duties or designations and cannot
be unsubscribed; :class:`AlertPreference` says whether they are emailed at once or in the daily
digest. An :class:`Alert` is one thing that needs one user: its ``key`` is unique per user, so a
thing alerts a user once, however often the job that finds it runs. Titles and emails never
hold personal data, report text or intelligence content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AlertKind(models.TextChoices):
    """Every kind of alert (the ids of ``alerts.yaml`` ``kinds``)."""

    CONTROL_LIMIT = "control_limit", "A monthly count outside its control limits"
    SIGNIFICANT_CHANGE = "significant_change", "A significant change on last year"
    ACTION_UPDATE_OVERDUE = "action_update_overdue", "An action's progress update is overdue"
    TRIAGE_ITEM = "triage_item", "A new community report in your triage queue"
    INTELLIGENCE_ITEM = "intelligence_item", "New intelligence in your queue"
    REVIEW_DUE = "review_due", "An intelligence review is due"
    REVIEW_OVERDUE = "review_overdue", "An intelligence review is overdue"
    REVIEW_ESCALATED = "review_escalated", "An overdue intelligence review has been escalated"


class Frequency(models.TextChoices):
    """How often alerts are emailed."""

    IMMEDIATE = "immediate", "As they happen (one email for each run that finds something)"
    DAILY = "daily", "Once a day (a digest)"


class Subscription(models.Model):
    """A user follows a crime group and/or an area for the optional monitoring alerts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    group_id = models.CharField(
        max_length=100,
        blank=True,
        help_text="The crime group (indicator id) followed; blank: every group of the area.",
    )
    area_code = models.CharField(
        max_length=9,
        blank=True,
        help_text="GSS code of the CSP or ward followed; blank: every area of the group.",
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "group_id", "area_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group_id", "area_code"], name="alerts_subscription_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(group_id="", area_code=""),
                name="alerts_subscription_follows_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.group_id or '*'} in {self.area_code or '*'}"

    def matches(self, *, group_id: str, area_code: str) -> bool:
        """Whether this subscription follows the crime group ``group_id`` in ``area_code``."""
        return self.group_id in ("", group_id) and self.area_code in ("", area_code)


class AlertPreference(models.Model):
    """How a user wants the alerts that come with their role: at once or in the daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    by_role_frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.by_role_frequency}"


class Alert(models.Model):
    """One thing that needs one user. Fires once: ``key`` is unique per user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    key = models.CharField(
        max_length=200, help_text="What the alert is about, e.g. control_limit:all_crime:..."
    )
    title = models.CharField(max_length=300, help_text="What happened (never personal data).")
    link_path = models.CharField(max_length=500, help_text="Where on the site to look.")
    frequency = models.CharField(
        max_length=10,
        choices=Frequency.choices,
        help_text="How it is emailed (the user's choice when it was raised).",
    )
    optional = models.BooleanField(
        default=False, help_text="From a subscription (may be unsubscribed), not from the role."
    )
    subscriptions = models.ManyToManyField(
        Subscription,
        blank=True,
        related_name="alerts",
        help_text="The subscriptions that matched (optional alerts only).",
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="alerts_alert_once_per_user")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="alerts_alert_unread"),
            models.Index(fields=["emailed_at", "frequency"], name="alerts_alert_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"


class DigestSent(models.Model):
    """A daily digest emailed to a user on a (Europe/London) day: one a day at most."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_digests"
    )
    day = models.DateField()
    sent_at = models.DateTimeField()
    alert_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="alerts_one_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.day}"
