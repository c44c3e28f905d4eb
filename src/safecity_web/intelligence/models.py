"""Partner intelligence: submissions, their subjects, gradings, sanitised copies, links, reviews.

A submission's content (what is known, how the submitter knows it in their own words, the
subjects' details, where it happened, handling conditions, outcome notes, review reasons and the
sanitised copies) is stored only as Fernet tokens under the intelligence purpose
(:class:`safecity_web.encryption.Purpose.INTELLIGENCE`, its own keys): every field named
``encrypted_*`` holds a token, never the text. The de-identified fields (topic, area, ward and
LSOA codes, month of submission, grades, status) are in the clear so that counts and queues need
no decryption. Deleting a submission at review or at the end of retention removes its content
and every related row and keeps the de-identified fields, so past counts do not change
(``deleted_at`` says when, ``deletion_reason`` why).

The vocabulary (topics, receivers, grades, provenance, subject kinds, outcomes) is
``safecity/config/intelligence.yaml``, read through ``core_gateway.intelligence_config()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecity_web.accounts.models import Organisation


class SubmissionStatus(models.TextChoices):
    """Where a submission is in its handling by receivers."""

    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "Being developed"
    ACTIONED = "actioned", "Outcome recorded"
    DELETED = "deleted", "Deleted"


class DeletionReason(models.TextChoices):
    """Why a submission's content was deleted."""

    REVIEW_DECISION = "review_decision", "A receiver decided at review not to keep it"
    RETENTION_EXPIRED = "retention_expired", "Its review was overdue past the retention rule"


class ReviewDecisionKind(models.TextChoices):
    """What a receiver decided at review."""

    RETAIN = "retain", "Keep it until the next review"
    DELETE = "delete", "Delete it"


class ReceiverDesignation(models.Model):
    """A staff account designated as a receiver (``intelligence.yaml`` ``receivers``).

    Only the receivers a submission's topic routes to (and its submitter) ever see it;
    administrators give and take away designations but see no submission unless designated.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="receiver_designations"
    )
    receiver = models.CharField(max_length=60)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    designated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["receiver", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "receiver"], name="intel_receiver_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.receiver}"


class IntelligenceSubmission(models.Model):
    """One Community Partnership Intelligence form: de-identified fields clear, content encrypted.

    ``reference`` (``IN-`` and eight Crockford base-32 characters, e.g. ``IN-7K3M-Q9TB``) is
    how staff and the audit log name it.
    """

    reference = models.CharField(max_length=20, unique=True)
    topic = models.CharField(max_length=60, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="intelligence_submissions",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(db_index=True)
    # What is known, and how the submitter knows it.
    encrypted_what_is_known = models.TextField()
    provenance = models.CharField(max_length=60)
    encrypted_provenance_detail = models.TextField(blank=True)
    # Where and when (the point and place words are encrypted; the codes are for counts).
    encrypted_location = models.TextField(
        blank=True, help_text="Encrypted JSON: place words and latitude/longitude if given."
    )
    area_code = models.CharField(max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    lsoa_code = models.CharField(max_length=9, blank=True)
    boundary_vintage = models.CharField(
        max_length=10, blank=True, help_text="Vintage of the boundaries the codes come from."
    )
    occurred_from = models.DateField(null=True, blank=True)
    occurred_to = models.DateField(null=True, blank=True)
    # The grading in force (the submitter's, until a receiver re-grades; history in Grading).
    source_evaluation = models.CharField(max_length=1)
    intelligence_assessment = models.CharField(max_length=1)
    handling_code = models.CharField(max_length=1)
    encrypted_handling_conditions = models.TextField(blank=True)
    # Handling by receivers.
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.NEW
    )
    outcome = models.CharField(max_length=60, blank=True, help_text="An outcomes[] id.")
    encrypted_outcome_note = models.TextField(blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    # Review and retention.
    review_due = models.DateField(db_index=True)
    review_escalated_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deletion_reason = models.CharField(max_length=30, choices=DeletionReason.choices, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["topic", "status"], name="intel_topic_status"),
            models.Index(fields=["deleted_at", "review_due"], name="intel_review"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_deleted(self) -> bool:
        """Whether its content has been deleted (only de-identified fields remain)."""
        return self.deleted_at is not None


class IntelligenceSubject(models.Model):
    """A person, vehicle, premises or place a submission is about (details encrypted JSON)."""

    submission = models.ForeignKey(
        IntelligenceSubmission, on_delete=models.CASCADE, related_name="subjects"
    )
    kind = models.CharField(max_length=30, help_text="A subject_kinds[] id.")
    encrypted_details = models.TextField(help_text="Encrypted JSON: field id -> text.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["submission_id", "position", "id"]


class Grading(models.Model):
    """One grading of a submission (the submitter's first, then each re-grade by a receiver)."""

    submission = models.ForeignKey(
        IntelligenceSubmission, on_delete=models.CASCADE, related_name="gradings"
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField()
    source_evaluation = models.CharField(max_length=1)
    intelligence_assessment = models.CharField(max_length=1)
    handling_code = models.CharField(max_length=1)
    encrypted_handling_conditions = models.TextField(blank=True)
    encrypted_reason = models.TextField(blank=True)
    by_submitter = models.BooleanField(default=False)

    class Meta:
        ordering = ["submission_id", "graded_at", "id"]


class SanitisedCopy(models.Model):
    """A sanitised copy made by a receiver: what may be shared further, apart from the original.

    ``encrypted_content`` is encrypted JSON holding only the fields kept in the copy (rewritten
    where the receiver rewrote them); ``removed_fields`` names the fields left out, which an
    export of the copy never contains.
    """

    submission = models.ForeignKey(
        IntelligenceSubmission, on_delete=models.CASCADE, related_name="sanitised_copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    encrypted_content = models.TextField()
    removed_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["submission_id", "-created_at", "-id"]


class ActionLink(models.Model):
    """A submission linked to an action of the action plan by a receiver."""

    submission = models.ForeignKey(
        IntelligenceSubmission, on_delete=models.CASCADE, related_name="action_links"
    )
    action = models.ForeignKey(
        "strategy.Action", on_delete=models.CASCADE, related_name="intelligence_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["submission_id", "linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "action"], name="intel_action_once")
        ]


class PlaceLink(models.Model):
    """A submission linked to a place (a ward or LSOA, by GSS code and boundary vintage)."""

    submission = models.ForeignKey(
        IntelligenceSubmission, on_delete=models.CASCADE, related_name="place_links"
    )
    area_code = models.CharField(max_length=9)
    area_level = models.CharField(max_length=10, help_text="ward or lsoa.")
    boundary_vintage = models.CharField(max_length=10, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["submission_id", "linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "area_code"], name="intel_place_once")
        ]


class ReviewDecision(models.Model):
    """A receiver's review of a submission: retain (with a reason and the next review) or delete."""

    submission = models.ForeignKey(
        IntelligenceSubmission, on_delete=models.CASCADE, related_name="reviews"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=ReviewDecisionKind.choices)
    encrypted_reason = models.TextField(blank=True)
    next_review = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["submission_id", "decided_at", "id"]
