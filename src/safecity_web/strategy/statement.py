"""Assembling, revising and publishing the annual public statement.

A draft is assembled from the currently published assessment (its findings that rest on a
significant test: what changed, significantly, naming the test) and the action plan (actions
completed or progressed in the statement's period, from their progress updates). An analyst
edits it (each edit is a new version) and publishes it; every step is audit-logged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, User
from safecity_web.observatory.models import (
    AssessmentStatus,
    Finding,
    IndicatorValue,
    PublishedAssessment,
)
from safecity_web.strategy.importing import current_strategy
from safecity_web.strategy.models import Action, ProgressStatus, ProgressUpdate, StatementVersion


@dataclass(frozen=True)
class SignificantFinding:
    """A finding that rests on a significant test, with the test(s) named."""

    sentence: str
    tests: tuple[str, ...]

    def as_text(self) -> str:
        """The finding as one list line, naming the test."""
        if not self.tests:
            return self.sentence
        return f"{self.sentence} (Test: {'; '.join(self.tests)}.)"


@dataclass(frozen=True)
class ActionProgress:
    """An action and its latest progress update in the period."""

    action: Action
    update: ProgressUpdate

    def as_text(self) -> str:
        """The action as one list line: code, text, status and the update's narrative."""
        status = self.update.get_status_display()
        narrative = " ".join(self.update.narrative.split())
        return (
            f"{self.action.code} {self.action.text} {status}, "
            f"{self.update.percent_complete}% complete: {narrative}"
        )


def published_assessment() -> PublishedAssessment | None:
    """The most recently published assessment (the public one), or None."""
    return (
        PublishedAssessment.objects.filter(status=AssessmentStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )


def significant_findings(*, assessment: PublishedAssessment) -> list[SignificantFinding]:
    """The assessment's findings whose test was significant, in the artefact's order."""
    findings = list(
        Finding.objects.filter(assessment=assessment, significant=True).order_by("position")
    )
    row_ids = {row_id for finding in findings for row_id in finding.row_ids}
    tests_by_row = dict(
        IndicatorValue.objects.filter(assessment=assessment, row_id__in=row_ids)
        .exclude(change_test="")
        .values_list("row_id", "change_test")
    )
    return [
        SignificantFinding(
            sentence=finding.sentence,
            tests=tuple(
                dict.fromkeys(
                    tests_by_row[row_id] for row_id in finding.row_ids if row_id in tests_by_row
                )
            ),
        )
        for finding in findings
    ]


def action_progress(
    *, period_start: datetime.date, period_end: datetime.date
) -> tuple[list[ActionProgress], list[ActionProgress]]:
    """Actions completed, and actions progressed but not complete, in the period.

    An action counts when it has a progress update dated within the period; its latest such
    update decides whether it is complete.
    """
    strategy = current_strategy()
    if strategy is None:
        return [], []
    updates = (
        ProgressUpdate.objects.filter(
            action__focus_area__priority__strategy=strategy,
            update_date__gte=period_start,
            update_date__lte=period_end,
        )
        .select_related("action", "action__focus_area__priority")
        .order_by("action_id", "-update_date", "-created_at", "-id")
    )
    latest: dict[int, ProgressUpdate] = {}
    for update in updates:
        latest.setdefault(update.action_id, update)
    ordered = sorted(
        latest.values(),
        key=lambda update: (
            update.action.focus_area.priority.position,
            update.action.focus_area.position,
            update.action.position,
        ),
    )
    completed = [
        ActionProgress(action=update.action, update=update)
        for update in ordered
        if update.status == ProgressStatus.COMPLETE
    ]
    progressed = [
        ActionProgress(action=update.action, update=update)
        for update in ordered
        if update.status != ProgressStatus.COMPLETE
    ]
    return completed, progressed


def _format_date(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def assemble_text(*, period_start: datetime.date, period_end: datetime.date) -> tuple[str, str]:
    """The draft statement's text and the published assessment it draws on (label)."""
    assessment = published_assessment()
    completed, progressed = action_progress(period_start=period_start, period_end=period_end)
    strategy = current_strategy()
    partnership = strategy.partnership if strategy is not None else "The partnership"
    lines = [
        f"This statement reports to residents on the work of the {partnership} between "
        f"{_format_date(period_start)} and {_format_date(period_end)}: what changed in crime "
        "and disorder, and what partners did about it.",
        "",
        "## What changed, significantly",
    ]
    if assessment is None:
        lines += ["", "No assessment has been published yet."]
        label = ""
    else:
        label = f"{assessment.area_name} {assessment.period}"
        findings = significant_findings(assessment=assessment)
        lines += [
            "",
            f"From the published strategic assessment for {label}. A change is called "
            "significant only when a statistical test said so; the test is named.",
            "",
        ]
        lines += [f"- {finding.as_text()}" for finding in findings] or [
            "No change was statistically significant."
        ]
    lines += ["", "## What we did", "", "### Actions completed", ""]
    lines += [f"- {item.as_text()}" for item in completed] or ["No action was completed."]
    lines += ["", "### Actions progressed", ""]
    lines += [f"- {item.as_text()}" for item in progressed] or ["No other action was reported."]
    return "\n".join(lines) + "\n", label


def assemble_statement(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    author: User,
    request: HttpRequest | None = None,
) -> StatementVersion:
    """Assemble and save a draft statement for the period (audit-logged)."""
    if period_end < period_start:
        raise ValueError(f"the period ends ({period_end}) before it starts ({period_start})")
    body, label = assemble_text(period_start=period_start, period_end=period_end)
    with transaction.atomic():
        version = StatementVersion.objects.create(
            title=f"Annual community safety statement {period_end.year}",
            period_start=period_start,
            period_end=period_end,
            body=body,
            assessment_label=label,
            created_by=author,
        )
        record_event(
            request=request,
            user=author,
            action=AuditAction.CREATED,
            subject=version,
            detail=f"assembled a draft statement for {period_start} to {period_end}",
        )
    return version


def revise_statement(
    *,
    version: StatementVersion,
    title: str,
    body: str,
    author: User,
    request: HttpRequest | None = None,
) -> StatementVersion:
    """Save an edit as a new draft version based on ``version`` (audit-logged)."""
    with transaction.atomic():
        revision = StatementVersion.objects.create(
            title=title,
            period_start=version.period_start,
            period_end=version.period_end,
            body=body,
            assessment_label=version.assessment_label,
            based_on=version,
            created_by=author,
        )
        record_event(
            request=request,
            user=author,
            action=AuditAction.EDITED,
            subject=revision,
            detail=f"edited statement version {version.pk} into version {revision.pk}",
        )
    return revision


def publish_statement(
    *, version: StatementVersion, publisher: User, request: HttpRequest | None = None
) -> StatementVersion:
    """Publish a draft version; earlier published versions stay browsable (audit-logged)."""
    if version.is_published:
        raise ValueError(f"statement version {version.pk} is already published")
    with transaction.atomic():
        version.published_at = timezone.now()
        version.published_by = publisher
        version.save(update_fields=["published_at", "published_by"])
        record_event(
            request=request,
            user=publisher,
            action=AuditAction.PUBLISHED,
            subject=version,
            detail=f"published statement version {version.pk}: {version.title}",
        )
    return version


def latest_published_statement() -> StatementVersion | None:
    """The statement the public page shows: the most recently published version."""
    return (
        StatementVersion.objects.filter(published_at__isnull=False)
        .order_by("-published_at", "-id")
        .first()
    )
