"""Drafting recommendations from a published assessment, and saving the analyst's changes.

Every save writes the audit log (who, what, the old and new decision or text), inside the same
transaction as the change.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction
from safecity_web.commentary.models import (
    Commentary,
    Decision,
    RecommendationDecision,
    Target,
)
from safecity_web.observatory.models import IndicatorValue, PublishedAssessment, PublishedRow
from safecity_web.observatory.queries import table_rows

PRIORITY_SCORES = "priority_scores"
PRIORITY_TOP = "priority_top"
ROW_ID_KEYS = ("row_id", "priority_id", "benchmark_id")
SECTION_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
SECTION_TITLES = {
    "summary": "Summary",
    "overview": "Overview",
    "priorities": "Top priorities",
    "recommendations": "Recommendations",
    "position": "Against other partnerships",
    "data-quality": "Data quality and caveats",
    "hotspots": "Hotspots",
}
"""Readable titles of the report's section ids (others are shown as their id)."""


class CommentaryRejectedError(ValueError):
    """A change the analyst asked for that is not valid; the message says why."""


@dataclass(slots=True)
class DraftedRecommendation:
    """A recommendation the core drafted, and the analyst's decision on it (if any)."""

    recommendation_id: str
    group_id: str
    group_name: str
    kind: str
    text: str
    row_ids: list[str]
    drivers: list[dict[str, Any]]
    decision: RecommendationDecision | None = None
    shown_text: str = ""

    @property
    def attribution(self) -> str:
        """``Organisation (author), 30 June 2025`` of the decision."""
        return attribution(self.decision) if self.decision is not None else ""


@dataclass(slots=True)
class Drafts:
    """The drafted recommendations of an assessment."""

    items: list[DraftedRecommendation] = field(default_factory=list)

    def by_group(self) -> dict[str, DraftedRecommendation]:
        """The drafts by crime group id."""
        return {item.group_id: item for item in self.items}


def attribution(item: RecommendationDecision | Commentary) -> str:
    """Who and when, in words: ``Organisation (author), 30 June 2025``."""
    day = item.decided_on if isinstance(item, RecommendationDecision) else item.written_on
    who = item.organisation_name or item.author_name or "the partnership's analyst"
    if item.organisation_name and item.author_name:
        who = f"{item.organisation_name} ({item.author_name})"
    return f"{who}, {day.day} {day:%B %Y}"


def _split(text: Any) -> list[str]:
    return [part.strip() for part in str(text or "").split(";") if part.strip()]


def published_row_ids(assessment: PublishedAssessment, candidates: set[str]) -> set[str]:
    """Those of ``candidates`` that are row ids published for the assessment."""
    if not candidates:
        return set()
    found = set(
        IndicatorValue.objects.filter(assessment=assessment, row_id__in=candidates).values_list(
            "row_id", flat=True
        )
    )
    condition = Q()
    for key in ROW_ID_KEYS:
        condition |= Q(**{f"values__{key}__in": sorted(candidates)})
    for values in PublishedRow.objects.filter(condition, table__assessment=assessment).values_list(
        "values", flat=True
    ):
        found.update(str(values[key]) for key in ROW_ID_KEYS if values.get(key) in candidates)
    return found


def drafts(assessment: PublishedAssessment) -> Drafts:
    """The core's drafts from the assessment's public priority tables, with their decisions."""
    scores = table_rows(assessment, PRIORITY_SCORES)
    top = table_rows(assessment, PRIORITY_TOP)
    if scores is None or not scores.rows:
        return Drafts()
    columns = core_gateway.recommendation_evidence_columns()
    candidates = {
        row_id for row in scores.rows for column in columns for row_id in _split(row.get(column))
    }
    drafted = core_gateway.draft_recommendations(
        scores=scores.rows,
        top=top.rows if top is not None else [],
        period=assessment.period,
        known_rows=published_row_ids(assessment, candidates),
    )
    decisions = {
        decision.group_id: decision
        for decision in RecommendationDecision.objects.filter(assessment=assessment)
    }
    items = []
    for item in drafted:
        decision = decisions.get(item["group_id"])
        edited = decision is not None and decision.decision == Decision.EDITED
        items.append(
            DraftedRecommendation(
                recommendation_id=item["recommendation_id"],
                group_id=item["group_id"],
                group_name=item["group_name"],
                kind=item["kind"],
                text=item["text"],
                row_ids=item["row_ids"],
                drivers=item["drivers"],
                decision=decision,
                shown_text=decision.text if edited and decision is not None else item["text"],
            )
        )
    return Drafts(items=items)


def _organisation_name(user: Any) -> str:
    organisation = getattr(user, "organisation", None)
    return str(organisation.name) if organisation is not None else ""


def _author_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def decide(
    *,
    assessment: PublishedAssessment,
    group_id: str,
    decision: Decision,
    text: str,
    reason: str,
    user: Any,
    request: HttpRequest | None,
    organisation_name: str | None = None,
    author_name: str | None = None,
    decided_on: datetime.date | None = None,
) -> RecommendationDecision:
    """Record (or change) the decision on the recommendation about ``group_id``; audit-logged.

    Raises
    ------
    CommentaryRejectedError
        For a group without a drafted recommendation, an edit without text, or a rejection
        without a reason.
    """
    draft = drafts(assessment).by_group().get(group_id)
    if draft is None:
        raise CommentaryRejectedError(f"no recommendation is drafted about {group_id!r}")
    text, reason = text.strip(), reason.strip()
    if decision == Decision.EDITED and not text:
        raise CommentaryRejectedError("an edited recommendation needs its new wording")
    if decision == Decision.REJECTED and not reason:
        raise CommentaryRejectedError("a rejected recommendation needs a reason")
    with transaction.atomic():
        previous = RecommendationDecision.objects.filter(
            assessment=assessment, group_id=group_id
        ).first()
        before = f"{previous.decision}" if previous is not None else "undecided"
        stored, created = RecommendationDecision.objects.update_or_create(
            assessment=assessment,
            group_id=group_id,
            defaults={
                "recommendation_id": draft.recommendation_id,
                "decision": decision,
                "text": text if decision == Decision.EDITED else "",
                "reason": reason,
                "decided_by": user,
                "author_name": author_name if author_name is not None else _author_name(user),
                "organisation_name": organisation_name
                if organisation_name is not None
                else _organisation_name(user),
                "decided_on": decided_on or timezone.localdate(),
            },
        )
        detail = f"recommendation {draft.recommendation_id}: {before} -> {decision}"
        if text and decision == Decision.EDITED:
            detail += f"; text: {text}"
        if reason:
            detail += f"; reason: {reason}"
        record_event(
            request=request,
            action=AuditAction.CREATED if created else AuditAction.EDITED,
            subject=stored,
            detail=detail,
            user=user,
            username="" if user is not None or request is not None else "command line",
        )
    return stored


def known_keys(assessment: PublishedAssessment, target: Target) -> set[str] | None:
    """The keys commentary on ``target`` may have (None: any section id of the right form)."""
    if target == Target.INDICATOR:
        return set(
            IndicatorValue.objects.filter(assessment=assessment)
            .values_list("indicator_id", flat=True)
            .distinct()
        )
    if target == Target.AREA:
        return set(
            IndicatorValue.objects.filter(assessment=assessment)
            .values_list("area_code", flat=True)
            .distinct()
        )
    return None


def write_commentary(
    *,
    assessment: PublishedAssessment,
    target: Target,
    key: str,
    text: str,
    user: Any,
    request: HttpRequest | None,
    organisation_name: str | None = None,
    author_name: str | None = None,
    written_on: datetime.date | None = None,
) -> Commentary:
    """Add or replace the commentary on ``target`` ``key``; audit-logged.

    Raises
    ------
    CommentaryRejectedError
        For an empty text, a key of the wrong form, or an indicator or area the assessment
        does not have.
    """
    key, text = key.strip(), text.strip()
    if not text:
        raise CommentaryRejectedError("the commentary is empty")
    if target == Target.AREA and not GSS_CODE.match(key):
        raise CommentaryRejectedError(f"{key!r} is not a GSS code (e.g. E05002462)")
    if target == Target.SECTION and not SECTION_KEY.match(key):
        raise CommentaryRejectedError(f"{key!r} is not a section id (e.g. summary)")
    allowed = known_keys(assessment, target)
    if allowed is not None and key not in allowed:
        raise CommentaryRejectedError(f"the assessment has no {target} {key!r}")
    with transaction.atomic():
        stored, created = Commentary.objects.update_or_create(
            assessment=assessment,
            target=target,
            key=key,
            defaults={
                "text": text,
                "author": user,
                "author_name": author_name if author_name is not None else _author_name(user),
                "organisation_name": organisation_name
                if organisation_name is not None
                else _organisation_name(user),
                "written_on": written_on or timezone.localdate(),
            },
        )
        record_event(
            request=request,
            action=AuditAction.CREATED if created else AuditAction.EDITED,
            subject=stored,
            detail=f"commentary on {target} {key}: {text[:200]}",
            user=user,
            username="" if user is not None or request is not None else "command line",
        )
    return stored


def delete_commentary(*, item: Commentary, user: Any, request: HttpRequest | None) -> None:
    """Remove a piece of commentary; audit-logged."""
    with transaction.atomic():
        record_event(
            request=request,
            action=AuditAction.DELETED,
            subject=item,
            detail=f"commentary on {item.target} {item.key} removed",
            user=user,
        )
        item.delete()


def import_file(*, assessment: PublishedAssessment, path: Path) -> tuple[int, int]:
    """Load a commentary file (``docs/commentary.md``) into the assessment; audit-logged.

    Returns the number of decisions and of commentary entries written. Runs in one
    transaction: a file with one invalid entry changes nothing.

    Raises
    ------
    CommentaryRejectedError
        When the file is not valid or names something the assessment does not have.
    """
    try:
        content = core_gateway.read_commentary_file(path=path)
    except core_gateway.CommentaryInvalidError as error:
        raise CommentaryRejectedError(str(error)) from error
    with transaction.atomic():
        for item in content["decisions"]:
            decide(
                assessment=assessment,
                group_id=item["group_id"],
                decision=Decision(item["decision"]),
                text=item["text"],
                reason=item["reason"],
                user=None,
                request=None,
                organisation_name=item["organisation"],
                author_name=item["author"],
                decided_on=item["date"],
            )
        for entry in content["entries"]:
            write_commentary(
                assessment=assessment,
                target=Target(entry["target"]),
                key=entry["key"],
                text=entry["markdown"],
                user=None,
                request=None,
                organisation_name=entry["organisation"],
                author_name=entry["author"],
                written_on=entry["date"],
            )
    return len(content["decisions"]), len(content["entries"])


@dataclass(slots=True)
class Snapshot:
    """Every piece of commentary on the site and when anything last changed, in one query.

    ``str(snapshot)`` is the page-cache key part (latest commentary change, the number of
    entries, which catches a removal, and the latest decision), so a cached observatory page
    never outlives a change to what it shows; :meth:`entries` gives the tags their rows
    without another query.
    """

    stamp: str
    rows: list[Commentary]

    def __str__(self) -> str:
        return self.stamp

    def entries(self, assessment_id: int, target: Target) -> list[Commentary]:
        """The commentary of one assessment on one kind of target, by key."""
        return sorted(
            (
                row
                for row in self.rows
                if row.assessment_id == assessment_id and row.target == target
            ),
            key=lambda row: row.key,
        )


SNAPSHOT_FIELDS = (
    "id",
    "assessment_id",
    "target",
    "key",
    "text",
    "author_name",
    "organisation_name",
    "written_on",
    "updated_at",
)


def snapshot() -> Snapshot:
    """The :class:`Snapshot` of the site's commentary (one query)."""
    quote = connection.ops.quote_name
    commentary = quote(Commentary._meta.db_table)
    decisions = quote(RecommendationDecision._meta.db_table)
    columns = ", ".join(f"c.{quote(name)}" for name in SNAPSHOT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.decided, s.entries, {columns} FROM"
            f" (SELECT (SELECT max(updated_at) FROM {decisions}) AS decided,"
            f" (SELECT count(*) FROM {commentary}) AS entries) AS s"
            f" LEFT JOIN {commentary} AS c ON TRUE ORDER BY c.id"
        )
        found = cursor.fetchall()
    decided, count = (found[0][0], found[0][1]) if found else (None, 0)
    rows = [
        Commentary(**dict(zip(SNAPSHOT_FIELDS, values[2:], strict=True)))
        for values in found
        if values[2] is not None
    ]
    latest = max((row.updated_at for row in rows), default=None)
    return Snapshot(stamp=f"{latest}-{count}-{decided}", rows=rows)
