"""Read-model queries the observatory's pages share (few queries per page, no N+1).

An assessment's rows never change once loaded, so values derived from them (chart specs,
ward ranges) are cached by assessment id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import QuerySet

from safecity_web import core_gateway
from safecity_web.observatory.models import (
    AreaLevel,
    AssessmentStatus,
    Finding,
    Indicator,
    IndicatorValue,
    PublishedAssessment,
    PublishedRow,
    PublishedTable,
)

HEAVY_FIELDS = ("manifest", "boundaries")
"""Large JSON fields left out of every query that does not need them."""
CACHE_SECONDS = 3600
Cached = TypeVar("Cached")


def assessments() -> QuerySet[PublishedAssessment]:
    """Assessments without their heavy JSON fields (manifest and boundaries)."""
    return PublishedAssessment.objects.defer(*HEAVY_FIELDS).select_related("published_by")


def current_assessment(*, area_code: str | None = None) -> PublishedAssessment | None:
    """The currently published assessment (of ``area_code`` if given), or None.

    With several areas published, the most recently published one.
    """
    published = assessments().filter(status=AssessmentStatus.PUBLISHED)
    if area_code:
        published = published.filter(area_code=area_code)
    return published.order_by("-published_at", "-id").first()


def public_archive() -> list[PublishedAssessment]:
    """Every published and superseded assessment, newest first."""
    return list(
        assessments()
        .filter(status__in=[AssessmentStatus.PUBLISHED, AssessmentStatus.SUPERSEDED])
        .order_by("-published_at", "-id")
    )


def cached(assessment: PublishedAssessment, key: str, build: Callable[[], Cached]) -> Cached:
    """``build()`` cached under the assessment's id (its rows never change once loaded)."""
    full_key = f"observatory:{assessment.pk}:{assessment.status}:{key}"
    found = cache.get(full_key)
    if found is None:
        found = build()
        cache.set(full_key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def boundaries(assessment: PublishedAssessment) -> dict[str, Any] | None:
    """The assessment's GeoJSON boundaries (read only when a map needs them)."""

    def read() -> dict[str, Any]:
        found = (
            PublishedAssessment.objects.filter(pk=assessment.pk)
            .values_list("boundaries", flat=True)
            .first()
        )
        return {"collection": found}

    collection: dict[str, Any] | None = cached(assessment, "boundaries", read)["collection"]
    return collection


def manifest(assessment: PublishedAssessment) -> dict[str, Any]:
    """The assessment's manifest (provenance), read only when a page shows it."""

    def read() -> dict[str, Any]:
        found = (
            PublishedAssessment.objects.filter(pk=assessment.pk)
            .values_list("manifest", flat=True)
            .first()
        )
        return dict(found or {})

    return cached(assessment, "manifest", read)


def values(assessment: PublishedAssessment) -> QuerySet[IndicatorValue]:
    """The assessment's indicator rows with their indicator (one query)."""
    return IndicatorValue.objects.filter(assessment=assessment).select_related("indicator")


def area_rows(assessment: PublishedAssessment) -> list[IndicatorValue]:
    """The assessed area's own row of every indicator, in display order."""
    return list(
        values(assessment)
        .filter(area_code=assessment.area_code)
        .order_by("indicator__display_order", "indicator__name")
    )


def headline_rows(assessment: PublishedAssessment) -> list[IndicatorValue]:
    """The area's rows of the headline indicators (all rows if none is a headline)."""
    rows = area_rows(assessment)
    headline = [row for row in rows if row.indicator.headline]
    return headline or rows[:8]


def indicator_rows(
    assessment: PublishedAssessment, indicator: Indicator, *, level: AreaLevel
) -> list[IndicatorValue]:
    """Rows of one indicator at one level (wards, LSOAs), by area name."""
    return list(
        IndicatorValue.objects.filter(assessment=assessment, indicator=indicator, area_level=level)
        .select_related("indicator")
        .order_by("area_name", "area_code")
    )


def indicators_of(assessment: PublishedAssessment) -> list[Indicator]:
    """The indicators that have rows in the assessment, in display order."""
    ids = (
        IndicatorValue.objects.filter(assessment=assessment, area_code=assessment.area_code)
        .order_by()
        .values_list("indicator_id", flat=True)
        .distinct()
    )
    return list(Indicator.objects.filter(indicator_id__in=ids))


def findings(assessment: PublishedAssessment, *, topic: str | None = None) -> list[Finding]:
    """The assessment's findings (of one topic if given), in the artefact's order."""
    found = Finding.objects.filter(assessment=assessment)
    if topic is not None:
        found = found.filter(topic=topic)
    return list(found)


@dataclass(frozen=True, slots=True)
class TableRows:
    """A public table's columns and rows (values dicts)."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]


def table_rows(
    assessment: PublishedAssessment, name: str, *, group_key: str | None = None
) -> TableRows | None:
    """Rows of the public table ``name`` (of one group if given), or None if not published."""
    table = PublishedTable.objects.filter(assessment=assessment, name=name).first()
    if table is None:
        return None
    rows = PublishedRow.objects.filter(table=table)
    if group_key is not None:
        rows = rows.filter(group_key=group_key)
    return TableRows(
        name=name,
        columns=list(table.columns),
        rows=list(rows.order_by("position").values_list("values", flat=True)),
    )


def table_values(assessment: PublishedAssessment, name: str) -> list[dict[str, Any]]:
    """Every row of the public table ``name``, in order, in one query (empty if not published)."""
    return list(
        PublishedRow.objects.filter(table__assessment=assessment, table__name=name)
        .order_by("position")
        .values_list("values", flat=True)
    )


def table_groups(assessment: PublishedAssessment, name: str) -> list[str]:
    """The distinct group keys of a public table (crime groups with rows), sorted."""
    return sorted(
        PublishedRow.objects.filter(table__assessment=assessment, table__name=name)
        .exclude(group_key="")
        .order_by("group_key")
        .values_list("group_key", flat=True)
        .distinct()
    )


CRIME_GROUPS_TABLE = "crime_groups"


@dataclass(frozen=True, slots=True)
class NotAssessed:
    """A crime group the assessment did not assess, and why (``not assessed: needs ...``)."""

    group_id: str
    name: str
    reason: str


def not_assessed(assessment: PublishedAssessment) -> list[NotAssessed]:
    """The crime groups the assessment did not assess, each with its reason, by name.

    From the public ``crime_groups`` table (``computed`` false, ``skipped_reason``) when the
    assessment published it, else from the manifest's ``skipped`` reasons of crime groups
    (older artefacts). A group that was not assessed is never shown as zero.
    """

    def build() -> list[NotAssessed]:
        names = core_gateway.crime_group_names()
        table = table_rows(assessment, CRIME_GROUPS_TABLE)
        found: list[NotAssessed] = []
        if table is not None:
            for row in table.rows:
                reason = row.get("skipped_reason")
                if row.get("computed") or not reason:
                    continue
                group_id = str(row.get("group_id"))
                found.append(
                    NotAssessed(
                        group_id=group_id,
                        name=str(row.get("name") or names.get(group_id, group_id)),
                        reason=core_gateway.not_assessed(str(reason)),
                    )
                )
        else:
            skipped = manifest(assessment).get("skipped") or {}
            for key, reason in skipped.items():
                if str(key) in names and reason:
                    found.append(
                        NotAssessed(
                            group_id=str(key),
                            name=names[str(key)],
                            reason=core_gateway.not_assessed(str(reason)),
                        )
                    )
        return sorted(found, key=lambda group: group.name)

    return cached(assessment, "not-assessed", build)


def not_assessed_group(assessment: PublishedAssessment, group_id: str) -> NotAssessed | None:
    """The group ``group_id`` if the assessment did not assess it, else ``None``."""
    return next((group for group in not_assessed(assessment) if group.group_id == group_id), None)
