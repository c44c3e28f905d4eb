"""Assembling, revising and publishing the annual public statement.

A draft is assembled from the currently published assessment and the action plan, and leads
with a short summary: the headline changes and a handful of the most important significant
findings (each linked to how it was tested, on the observatory's methods page), hot spots in
one line (with a link to the map), the top priorities of the assessment, and the action plan's
progress (how many actions stand where, and a few completed ones). The full lists of actions
completed and progressed follow. An analyst edits it (each edit is a new version) and publishes
it; every step is audit-logged.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, User
from safecity_web.observatory import methods_catalogue, queries
from safecity_web.observatory.models import (
    AssessmentStatus,
    Finding,
    PublishedAssessment,
)
from safecity_web.strategy.importing import current_strategy
from safecity_web.strategy.models import Action, ProgressStatus, ProgressUpdate, StatementVersion

HEADLINE_TOPICS = ("all_crime", "asb")
"""The crime groups whose change leads the summary, significant or not (in this order)."""
CHANGE_PREFIX = "change_"
HOTSPOT_MARKER = "hotspot"
SUMMARY_FINDINGS = 6
"""At most this many findings in the summary (the headline changes first)."""
HIGHLIGHTS = 3
"""Completed actions named in the summary (the full list follows in "What we did")."""
HOTSPOT_GROUP = "all_crime"
HOTSPOT_LABEL = "hot spot"
LEFT_OUT_TOPICS = frozenset({"priorities"})
"""Topics the summary does not list as findings (the priorities have their own part)."""


@dataclass(frozen=True)
class SummaryFinding:
    """A finding of the summary, with the methods it rests on (linked on the observatory)."""

    sentence: str
    methods: tuple[str, ...]

    def as_text(self) -> str:
        """The finding as one list line, with a link to how it was worked out, if known."""
        links = [
            f"[{entry.plain}]({methods_catalogue.url(method_id)})"
            for method_id in self.methods
            if (entry := methods_catalogue.entry(method_id)) is not None
        ]
        if not links:
            return self.sentence
        return f"{self.sentence} How this was worked out: {'; '.join(links)}."


@dataclass(frozen=True)
class ActionProgress:
    """An action, its latest progress update in the period, and its earlier ones in it.

    The latest update decides where the action stands; the earlier updates of the period are
    reported too (oldest first), so that no update dated within the period is left out.
    """

    action: Action
    update: ProgressUpdate
    earlier: tuple[ProgressUpdate, ...] = ()

    def as_text(self) -> str:
        """The action as one list line: code, text, status, the update's narrative, and the
        period's earlier updates with their dates."""
        status = self.update.get_status_display()
        narrative = " ".join(self.update.narrative.split())
        text = (
            f"{self.action.code} {self.action.text} {status}, "
            f"{self.update.percent_complete}% complete: {narrative}"
        )
        if self.earlier:
            earlier = "; ".join(
                f"{_format_date(update.update_date)}, {update.get_status_display().lower()}, "
                f"{update.percent_complete}% complete: {' '.join(update.narrative.split())}"
                for update in self.earlier
            )
            text += f" Earlier in the period: {earlier}"
        return text


def published_assessment() -> PublishedAssessment | None:
    """The most recently published assessment (the public one), or None."""
    return (
        PublishedAssessment.objects.filter(status=AssessmentStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )


def _priority_groups(assessment: PublishedAssessment) -> list[str]:
    table = queries.table_rows(assessment, "priority_top")
    rows = sorted(table.rows if table else [], key=lambda row: row.get("rank") or 0)
    return [str(row.get("group_id")) for row in rows]


def summary_findings(*, assessment: PublishedAssessment) -> list[SummaryFinding]:
    """The summary's findings: the headline changes, then the most important significant ones.

    The headline changes are the changes of all crime and anti-social behaviour, whether
    significant or not. Then come significant findings (hot spots and priorities left out:
    they have their own lines): first those about the top priorities' crime groups, by rank,
    then the others in the assessment's order; :data:`SUMMARY_FINDINGS` at most in all.
    """
    findings = list(Finding.objects.filter(assessment=assessment).order_by("position"))
    chosen: list[Finding] = []
    for topic in HEADLINE_TOPICS:
        chosen.extend(
            finding
            for finding in findings
            if finding.topic == topic and finding.finding_id.startswith(CHANGE_PREFIX)
        )
    ranks = {group: rank for rank, group in enumerate(_priority_groups(assessment))}
    candidates = [
        finding
        for finding in findings
        if finding.significant
        and finding not in chosen
        and HOTSPOT_MARKER not in finding.finding_id
        and finding.topic not in LEFT_OUT_TOPICS
    ]
    candidates.sort(key=lambda finding: ranks.get(finding.topic, len(ranks)))
    chosen.extend(candidates)
    return [
        SummaryFinding(sentence=" ".join(finding.sentence.split()), methods=tuple(finding.methods))
        for finding in chosen[:SUMMARY_FINDINGS]
    ]


def hotspot_line(*, assessment: PublishedAssessment) -> str | None:
    """``N neighbourhoods were hot spots of all crime ...; see the map`` (or None)."""
    table = queries.table_rows(assessment, "hotspots_lsoa", group_key=HOTSPOT_GROUP)
    if table is None or not table.rows:
        return None
    hot = {row.get("lsoa_code") for row in table.rows if row.get("hotspot") == HOTSPOT_LABEL}
    name = str(table.rows[0].get("group_name") or "all crime")
    name = name if name[:2].isupper() else name[:1].lower() + name[1:]
    count = len(hot)
    areas = "neighbourhood was" if count == 1 else "neighbourhoods were"
    link = f"[see the map]({reverse('observatory:hotspots')})"
    return f"{count} {areas} identified as statistically significant hot spots of {name}: {link}."


def priority_lines(*, assessment: PublishedAssessment) -> list[str]:
    """The top priorities of the assessment, by rank, with their scores."""
    table = queries.table_rows(assessment, "priority_top")
    rows = sorted(table.rows if table else [], key=lambda row: row.get("rank") or 0)
    lines = []
    for row in rows:
        score = row.get("priority_score")
        shown = f" (priority score {round(score, 1):g})" if isinstance(score, int | float) else ""
        lines.append(f"{row.get('rank')}. {row.get('group_name')}{shown}")
    return lines


def action_progress(
    *, period_start: datetime.date, period_end: datetime.date
) -> tuple[list[ActionProgress], list[ActionProgress]]:
    """Actions completed, and actions progressed but not complete, in the period.

    An action counts when it has a progress update dated within the period (first and last
    day included); its latest such update decides whether it is complete, and every other
    update of the period is kept with it (:attr:`ActionProgress.earlier`).
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
    earlier: dict[int, list[ProgressUpdate]] = {}
    for update in updates:
        if update.action_id in latest:
            earlier.setdefault(update.action_id, []).insert(0, update)
        else:
            latest[update.action_id] = update
    ordered = sorted(
        latest.values(),
        key=lambda update: (
            update.action.focus_area.priority.position,
            update.action.focus_area.position,
            update.action.position,
        ),
    )
    completed = [
        ActionProgress(
            action=update.action, update=update, earlier=tuple(earlier.get(update.action_id, ()))
        )
        for update in ordered
        if update.status == ProgressStatus.COMPLETE
    ]
    progressed = [
        ActionProgress(
            action=update.action, update=update, earlier=tuple(earlier.get(update.action_id, ()))
        )
        for update in ordered
        if update.status != ProgressStatus.COMPLETE
    ]
    return completed, progressed


def progress_counts(
    *, completed: list[ActionProgress], progressed: list[ActionProgress]
) -> str | None:
    """How many of the plan's actions stand where at the end of the period, in one sentence."""
    strategy = current_strategy()
    if strategy is None:
        return None
    total = Action.objects.filter(focus_area__priority__strategy=strategy).count()
    statuses = Counter(item.update.status for item in (*completed, *progressed))
    parts = [
        f"{statuses.get(status.value, 0)} {status.label.lower()}"
        for status in ProgressStatus
        if status != ProgressStatus.COMPLETE
    ]
    silent = total - len(completed) - len(progressed)
    done = f"{len(completed)} {'was' if len(completed) == 1 else 'were'} completed"
    return (
        f"Of the {total} actions in the action plan, {done} in the period; of the others, "
        f"{', '.join(parts)}, and {silent} had no progress update in the period."
    )


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
        "and disorder, the partnership's priorities, and what partners did about them.",
        "",
        "## Summary",
        "",
        "### What changed",
    ]
    label = ""
    if assessment is None:
        lines += ["", "No assessment has been published yet."]
    else:
        label = f"{assessment.area_name} {assessment.period}"
        methods_page = reverse("observatory:methods")
        lines += [
            "",
            f"From the published strategic assessment for {label}. A change is called "
            "significant only when a statistical test said so; each finding links to how it "
            f"was worked out ([how the figures are worked out]({methods_page})).",
            "",
        ]
        findings = [f"- {finding.as_text()}" for finding in summary_findings(assessment=assessment)]
        hotspots = hotspot_line(assessment=assessment)
        if hotspots is not None:
            findings.append(f"- {hotspots}")
        lines += findings or ["No change was statistically significant."]
        priorities = priority_lines(assessment=assessment)
        lines += ["", "### Top priorities", ""]
        if priorities:
            scoring = methods_catalogue.url("priority_scoring")
            lines += [
                "The crime and disorder the assessment ranks highest, by the partnership's "
                f"[priority scoring matrix]({scoring}):",
                "",
                *(f"- {line}" for line in priorities),
            ]
        else:
            lines += ["The published assessment ranks no priorities."]
    lines += ["", "### Action plan progress", ""]
    counts = progress_counts(completed=completed, progressed=progressed)
    lines += [counts or "No action plan has been imported."]
    if completed:
        lines += ["", "Highlights:", ""]
        lines += [f"- {item.as_text()}" for item in completed[:HIGHLIGHTS]]
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
    # The navigation's "is there a statement to link to" answer is cached: ask again now.
    cache.delete(STATEMENT_PUBLISHED_CACHE_KEY)
    return version


STATEMENT_PUBLISHED_CACHE_KEY = "strategy:statement-published"
STATEMENT_PUBLISHED_SECONDS = 60
"""How long pages trust a cached answer (as long as anonymous pages are kept anyway)."""


def statement_is_published() -> bool:
    """Whether a statement is published (so that pages may link to ``/statement/``), cached."""
    published = cache.get(STATEMENT_PUBLISHED_CACHE_KEY)
    if published is None:
        published = latest_published_statement() is not None
        cache.set(STATEMENT_PUBLISHED_CACHE_KEY, published, STATEMENT_PUBLISHED_SECONDS)
    return bool(published)


def latest_published_statement() -> StatementVersion | None:
    """The statement the public page shows: the most recently published version."""
    return (
        StatementVersion.objects.filter(published_at__isnull=False)
        .order_by("-published_at", "-id")
        .first()
    )
