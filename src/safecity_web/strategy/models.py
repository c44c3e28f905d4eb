"""A partnership's strategy and action plan, progress on its actions, and the annual statement.

A strategy is imported from a YAML file (see :mod:`safecity_web.strategy.strategy_file`):
priorities -> focus areas -> outcomes and actions. Responsible bodies are kept as written in
the file and linked to partner organisations where a name or alias matches
(:mod:`safecity_web.strategy.bodies`). Progress updates are append-only: a correction is a new
update, and an action shows its latest.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models

from safecity_web.accounts.models import Organisation


class Strategy(models.Model):
    """One imported strategy file (a new file, even with the same name, is a new strategy)."""

    name = models.CharField(max_length=300)
    partnership = models.CharField(max_length=300)
    period_start_year = models.PositiveSmallIntegerField()
    period_end_year = models.PositiveSmallIntegerField()
    source_file_name = models.CharField(max_length=300)
    source_sha256 = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return f"{self.name} ({self.period_start_year}-{self.period_end_year})"


class Priority(models.Model):
    """A strategic priority, e.g. 'Keeping people safe from harm'."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    code = models.CharField(max_length=40)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.TextField()
    focus_statements = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["strategy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="strategy_priority_code")
        ]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title


class FocusArea(models.Model):
    """A focus area of a priority; ``responsible_names`` keeps the bodies as written."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="focus_areas")
    code = models.CharField(max_length=40)
    title = models.TextField()
    responsible_names = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["priority", "position"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "code"], name="priority_focus_area_code")
        ]

    def __str__(self) -> str:
        return self.title


class Outcome(models.Model):
    """What a focus area wants to achieve."""

    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="outcomes")
    code = models.CharField(max_length=40)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["focus_area", "position"]
        constraints = [
            models.UniqueConstraint(fields=["focus_area", "code"], name="focus_area_outcome_code")
        ]

    def __str__(self) -> str:
        return self.text


class OutcomeIndicator(models.Model):
    """An observatory indicator (by ``indicator_id``) that measures an outcome."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="indicator_links")
    indicator_id = models.CharField(max_length=100)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outcome", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "indicator_id"], name="outcome_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.outcome.code} -> {self.indicator_id}"


class Action(models.Model):
    """How a focus area will achieve its outcomes; bodies responsible via ActionResponsibility."""

    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(max_length=40)
    text = models.TextField()
    due_date = models.DateField(null=True, blank=True)
    timescale = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField()
    responsible_organisations = models.ManyToManyField(
        Organisation, through="ActionResponsibility", related_name="strategy_actions"
    )

    class Meta:
        ordering = ["focus_area", "position"]
        constraints = [
            models.UniqueConstraint(fields=["focus_area", "code"], name="focus_area_action_code")
        ]

    def __str__(self) -> str:
        return self.text

    def latest_update(self) -> ProgressUpdate | None:
        """The most recent progress update (by date, then by when it was written)."""
        return self.progress_updates.order_by("-update_date", "-created_at", "-id").first()


class ActionResponsibility(models.Model):
    """A body responsible for an action: its name as written, and its organisation if matched."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="responsibilities")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_responsibilities",
    )
    body_name = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["action", "position"]
        constraints = [
            models.UniqueConstraint(fields=["action", "body_name"], name="action_body_name")
        ]

    def __str__(self) -> str:
        return self.body_name


class BodyAlias(models.Model):
    """A responsible-body name (normalised) that stands for a partner organisation.

    Created when an administrator links an unmatched body to an organisation; later imports
    reuse it.
    """

    normalised_name = models.CharField(max_length=300, unique=True)
    name = models.CharField(max_length=300)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="body_aliases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "body aliases"

    def __str__(self) -> str:
        return f"{self.name} -> {self.organisation.name}"


class ProgressStatus(models.TextChoices):
    """Where an action stands."""

    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


class RagRating(models.TextChoices):
    """Red, amber, green rating of an action's delivery."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ProgressUpdateEditedError(Exception):
    """A saved progress update was about to be changed; corrections are new updates."""


class ProgressUpdate(models.Model):
    """One progress report on an action. Never changed once saved."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress_updates")
    status = models.CharField(max_length=20, choices=ProgressStatus.choices)
    rag = models.CharField("RAG rating", max_length=10, choices=RagRating.choices)
    percent_complete = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField()
    evidence_link = models.URLField(
        max_length=500, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    update_date = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_updates"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-update_date", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100), name="progress_percent_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action.code} {self.update_date}: {self.get_status_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save a new update; refuse to overwrite a saved one."""
        if not self._state.adding:
            raise ProgressUpdateEditedError(
                f"progress update {self.pk} is already saved; record a correction as a new update"
            )
        super().save(*args, **kwargs)


class StatementVersion(models.Model):
    """One version of the annual public statement; every edit saves a new version.

    ``published_at`` is set when an analyst publishes the version; the public page shows
    the latest published version and keeps the earlier ones browsable.
    """

    title = models.CharField(max_length=300)
    period_start = models.DateField()
    period_end = models.DateField()
    body = models.TextField()
    assessment_label = models.CharField(max_length=300, blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statement_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="published_statements",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.pk})"

    @property
    def is_published(self) -> bool:
        """Whether this version has been published."""
        return self.published_at is not None


class StatementPdf(models.Model):
    """The PDF of a published statement version, rendered once and served from here.

    A published version never changes, so its PDF is rendered when it is published (or, for a
    version published before PDFs were stored, on the first request) and every request after
    is answered with these bytes; ``sha256`` is the response's ETag.
    """

    version = models.OneToOneField(
        StatementVersion, on_delete=models.CASCADE, primary_key=True, related_name="stored_pdf"
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "statement PDF"

    def __str__(self) -> str:
        return f"PDF of statement version {self.version_id}"
