"""The record of scheduled-job runs, and the lock that keeps two runs of one job apart."""

from __future__ import annotations

from django.db import models


class JobOutcome(models.TextChoices):
    """How a run ended."""

    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobLock(models.Model):
    """One row per job name, locked (``SELECT ... FOR UPDATE NOWAIT``) while the job runs."""

    job_name = models.CharField(max_length=100, unique=True)


class JobRun(models.Model):
    """One run of a scheduled job: when, how it ended, what it did (counts, no personal data)."""

    job_name = models.CharField(max_length=100, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=JobOutcome.choices, default=JobOutcome.RUNNING
    )
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
