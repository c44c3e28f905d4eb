"""What the API may show: public assessments only, and the rows that belong to them.

A draft assessment is invisible to the API: its id, values, findings, and any area or
indicator only it mentions are answered exactly as if they did not exist.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, Max, OuterRef, QuerySet

from safecity_web.observatory.models import (
    Area,
    AssessmentStatus,
    Indicator,
    IndicatorValue,
    PublishedAssessment,
)

PUBLIC_STATUSES = (AssessmentStatus.PUBLISHED, AssessmentStatus.SUPERSEDED)


def public_assessments() -> QuerySet[PublishedAssessment]:
    """Published and superseded assessments, never drafts."""
    return PublishedAssessment.objects.filter(status__in=PUBLIC_STATUSES)


def current_assessments() -> QuerySet[PublishedAssessment]:
    """The currently published assessments (one per area at most)."""
    return PublishedAssessment.objects.filter(status=AssessmentStatus.PUBLISHED)


def assessment_scope(assessment_id: int | None) -> QuerySet[PublishedAssessment]:
    """The assessments a request reads: the one it names (if public), else the current ones."""
    if assessment_id is None:
        return current_assessments()
    return public_assessments().filter(pk=assessment_id)


def public_values() -> QuerySet[IndicatorValue]:
    """Every value row of a public assessment."""
    return IndicatorValue.objects.filter(assessment__status__in=PUBLIC_STATUSES)


def public_areas() -> QuerySet[Area]:
    """Areas with at least one value in a public assessment."""
    return Area.objects.filter(Exists(public_values().filter(area=OuterRef("pk"))))


def public_indicators() -> QuerySet[Indicator]:
    """Indicators with at least one value in a public assessment."""
    return Indicator.objects.filter(
        Exists(public_values().filter(indicator_id=OuterRef("indicator_id")))
    )


def current_indicators() -> QuerySet[Indicator]:
    """Indicators with at least one value in a currently published assessment."""
    return Indicator.objects.filter(
        Exists(
            IndicatorValue.objects.filter(
                assessment__status=AssessmentStatus.PUBLISHED,
                indicator_id=OuterRef("indicator_id"),
            )
        )
    )


def last_published() -> datetime | None:
    """When anything public last changed: the latest publication time."""
    latest: datetime | None = public_assessments().aggregate(latest=Max("published_at"))["latest"]
    return latest
