"""Why a result is empty, in one sentence: the API never answers a bare empty list.

Each function is called only when a query matched nothing, and checks the likely causes in
order: nothing published, an unknown assessment, indicator or area (unknown to the public:
drafts do not count), no data for the period, then the combination of filters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safecity_web.api.queries import (
    current_assessments,
    public_areas,
    public_assessments,
    public_indicators,
)
from safecity_web.observatory import queries as observatory_queries
from safecity_web.observatory.models import Finding, IndicatorValue, PublishedAssessment

NOTHING_PUBLISHED = "no assessment has been published yet"


def describe_filters(filters: dict[str, Any], names: tuple[str, ...]) -> str:
    """``name=value`` for each filter given, comma-separated."""
    given = [
        f"{name}={str(filters[name]).lower() if isinstance(filters[name], bool) else filters[name]}"
        for name in names
        if filters.get(name) is not None
    ]
    return ", ".join(given)


def scope_reason(assessment_id: int | None) -> str | None:
    """Why there is nothing to read at all, if there is nothing."""
    if assessment_id is not None:
        if not public_assessments().filter(pk=assessment_id).exists():
            return f"unknown assessment {assessment_id}: no published assessment has this id"
        return None
    if not public_assessments().exists():
        return NOTHING_PUBLISHED
    if not public_assessments().filter(status="published").exists():
        return "no assessment is currently published; name a superseded one with assessment="
    return None


def not_assessed_reason(
    indicator_id: str | None, *, scope: QuerySet[PublishedAssessment] | None = None
) -> str | None:
    """``indicator X was not assessed in <area> <period>: not assessed: needs ...`` when an
    assessment read (``scope``, else the current ones) did not assess the crime group."""
    if indicator_id is None:
        return None
    assessments = (current_assessments() if scope is None else scope).defer(
        *observatory_queries.HEAVY_FIELDS
    )
    for assessment in assessments.order_by("-published_at", "-pk"):
        group = observatory_queries.not_assessed_group(assessment, indicator_id)
        if (
            group is not None
            and not IndicatorValue.objects.filter(
                assessment=assessment, indicator_id=indicator_id
            ).exists()
        ):
            return (
                f"indicator {indicator_id} ({group.name}) was not assessed in"
                f" {assessment.area_name} {assessment.period}: {group.reason}"
            )
    return None


def unknown_indicator_reason(indicator_id: str | None) -> str | None:
    """``unknown indicator X`` when no public assessment has values of ``indicator_id``."""
    if (
        indicator_id is not None
        and not public_indicators().filter(indicator_id=indicator_id).exists()
    ):
        return f"unknown indicator {indicator_id}"
    return None


def unknown_area_reason(gss_code: str | None) -> str | None:
    """``unknown area X`` when no public assessment has values for ``gss_code``."""
    if gss_code is not None and not public_areas().filter(gss_code=gss_code).exists():
        return f"unknown area {gss_code}"
    return None


def elsewhere_hint(values: QuerySet[IndicatorValue]) -> str:
    """Which other public assessments have matching values, as a hint to name one."""
    others = (
        public_assessments()
        .filter(pk__in=values.values("assessment_id"))
        .order_by("-published_at", "-pk")[:3]
    )
    hints = [
        f"assessment {assessment.pk} ({assessment.status}, {assessment.period}) has them: "
        f"add assessment={assessment.pk}"
        for assessment in others
    ]
    return "; " + "; ".join(hints) if hints else ""


def values_reason(filters: dict[str, Any], *, scope: QuerySet[PublishedAssessment]) -> str:
    """Why ``/values`` with ``filters`` over the assessments ``scope`` matched nothing."""
    area, period = filters.get("area"), filters.get("period")
    first = (
        scope_reason(filters.get("assessment"))
        or not_assessed_reason(filters.get("indicator"), scope=scope)
        or unknown_indicator_reason(filters.get("indicator"))
        or unknown_area_reason(area)
    )
    if first is not None:
        return first
    public = IndicatorValue.objects.filter(assessment__in=public_assessments())
    scoped = IndicatorValue.objects.filter(assessment__in=scope)
    where = "" if filters.get("assessment") is not None else " in the current assessments"
    if period is not None and (
        not scoped.filter(period=period).exists()
        or (area is not None and not scoped.filter(period=period, area_code=area).exists())
    ):
        subject = f"{area} in {period}" if area is not None else period
        matching = public.filter(period=period)
        if area is not None:
            matching = matching.filter(area_code=area)
        return f"no published data for {subject}" + elsewhere_hint(
            matching.exclude(assessment__in=scope)
        )
    if area is not None and not scoped.filter(area_code=area).exists():
        return f"no published data for {area}{where}" + elsewhere_hint(
            public.filter(area_code=area)
        )
    indicator = filters.get("indicator")
    if indicator is not None and not scoped.filter(indicator_id=indicator).exists():
        return f"no published data for indicator {indicator}{where}" + elsewhere_hint(
            public.filter(indicator_id=indicator)
        )
    level = filters.get("area_level")
    if area is not None and level is not None:
        actual = scoped.filter(area_code=area).values_list("area_level", flat=True).first()
        if actual is not None and actual != level:
            return f"area {area} is at level {actual}, not {level}"
    if level is not None and not scoped.filter(area_level=level).exists():
        return f"no published data at area level {level}{where}"
    names = ("indicator", "area", "area_level", "period", "assessment")
    return f"no published values match {describe_filters(filters, names)}"


def findings_reason(filters: dict[str, Any], *, scope: QuerySet[PublishedAssessment]) -> str:
    """Why ``/findings`` with ``filters`` over the assessments ``scope`` matched nothing."""
    first = scope_reason(filters.get("assessment"))
    if first is not None:
        return first
    topic = filters.get("topic")
    scoped = Finding.objects.filter(assessment__in=scope)
    if topic is not None and not scoped.filter(topic=topic).exists():
        if not Finding.objects.filter(assessment__in=public_assessments(), topic=topic).exists():
            return f"unknown topic {topic}: no published finding is about it"
        return f"no published finding about {topic} in the assessments read"
    significant = filters.get("significant")
    if significant is not None:
        kind = "significant" if significant else "non-significant"
        return f"no {kind} findings" + (f" about {topic}" if topic else "")
    return "the assessments read have no findings"


def areas_reason(filters: dict[str, Any]) -> str:
    """Why ``/areas`` with ``filters`` matched nothing."""
    if not public_assessments().exists():
        return NOTHING_PUBLISHED
    parent, level = filters.get("parent"), filters.get("level")
    unknown = unknown_area_reason(parent)
    if unknown is not None:
        return unknown
    if parent is not None:
        within = f"no {level} areas" if level else "no areas"
        return f"{within} with published data lie within {parent}"
    return f"no published data at area level {level}"


def assessments_reason(filters: dict[str, Any]) -> str:
    """Why ``/assessments`` with ``filters`` matched nothing."""
    if not public_assessments().exists():
        return NOTHING_PUBLISHED
    area, status = filters.get("area"), filters.get("status")
    if area is not None and not public_assessments().filter(area_code=area).exists():
        return f"no published assessment of area {area}"
    return f"no {status} assessment" + (f" of area {area}" if area else "")


def indicators_reason(filters: dict[str, Any]) -> str:
    """Why ``/indicators`` or ``/downloads`` with ``filters`` matched nothing."""
    indicator = filters.get("indicator")
    first = (
        scope_reason(None) or not_assessed_reason(indicator) or unknown_indicator_reason(indicator)
    )
    if first is not None:
        return first
    if indicator is None:
        return "no indicator has values in the current assessments"
    return f"no published data for indicator {indicator} in the current assessments"
