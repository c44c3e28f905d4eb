"""What the analyst adds to a published assessment: decisions, commentary, context notes.

A recommendation is drafted by the core from the assessment's public priority tables (it is
not stored); the analyst's decision on it is, keyed by the crime group it is about. Commentary
is Markdown, stored as written and sanitised when shown (``core_gateway.render_commentary``).
Every change is written to the audit log (``accounts.AuditEvent``) by
:mod:`safecity_web.commentary.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecity_web.observatory.models import PublishedAssessment


class Decision(models.TextChoices):
    """The analyst's decision on a drafted recommendation (the core's ``Decision``)."""

    ACCEPTED = "accepted", "Accepted"
    EDITED = "edited", "Accepted as edited"
    REJECTED = "rejected", "Rejected"


class Target(models.TextChoices):
    """What commentary is about (the core's ``Target``)."""

    SECTION = "section", "A section"
    INDICATOR = "indicator", "An indicator"
    AREA = "area", "An area (context note)"


class RecommendationDecision(models.Model):
    """The analyst's decision on one drafted recommendation of an assessment."""

    assessment = models.ForeignKey(
        PublishedAssessment, on_delete=models.CASCADE, related_name="recommendation_decisions"
    )
    group_id = models.CharField(
        max_length=100, help_text="The crime group the recommendation is about, e.g. vawg."
    )
    recommendation_id = models.CharField(
        max_length=300, help_text="The drafted recommendation's id (recommendation:<group>:...)."
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    text = models.TextField(blank=True, help_text="The edited wording (edited only).")
    reason = models.TextField(blank=True, help_text="Why (required when rejected).")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    organisation_name = models.CharField(
        max_length=200, blank=True, help_text="Shown with the decision."
    )
    decided_on = models.DateField(help_text="Shown with the decision.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment_id", "group_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "group_id"], name="commentary_one_decision_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.decision}"


class Commentary(models.Model):
    """Commentary on a section or an indicator, or a context note on an area (GSS code)."""

    assessment = models.ForeignKey(
        PublishedAssessment, on_delete=models.CASCADE, related_name="commentary"
    )
    target = models.CharField(max_length=10, choices=Target.choices)
    key = models.CharField(
        max_length=100,
        help_text="Section id (summary, priorities, theme-...), indicator id, or GSS code.",
    )
    text = models.TextField(help_text="Markdown; raw HTML is shown as text.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    written_on = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment_id", "target", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "target", "key"], name="commentary_one_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target}:{self.key}"
