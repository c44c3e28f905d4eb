"""``/api/v1/community-reports/...``: the community-reports family's public tables.

Read from the public tables ``safecity publish`` stored with the assessment (rows of
``PublishedTable``/``PublishedRow``, from the artefact's PUBLIC copy: disclosure-controlled, no
report itself). Every row passes through the observatory's one rule
(:func:`safecity_web.observatory.community_reports.public_values`), so a suppressed count is
null whatever the row holds. An empty list says why: nothing published, an unknown
assessment, the family not assessed (with the manifest's reason), or the filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.queries import assessment_scope
from safecity_web.api.reasons import describe_filters, scope_reason
from safecity_web.api.representations import optional
from safecity_web.api.responses import ApiResult, api_view
from safecity_web.api.views.listing import collection_result
from safecity_web.observatory import community_reports, queries
from safecity_web.observatory.community_reports import Table
from safecity_web.observatory.models import PublishedAssessment, PublishedRow

FIELDS = community_reports.COLUMNS
"""The fields answered from each table (the contract's columns), in order."""
TEXT_FIELDS = frozenset(
    {"kind", "kind_label", "channel", "channel_label", "month", "strand", "strand_label",
     "ward_name", "category", "category_label"}
)  # fmt: skip
"""Fields the schemas require as text (never null)."""
INTEGER_FIELDS = frozenset(
    {"reports", "reports_previous", "community_reports", "community_reports_previous",
     "police_recorded", "months_covered", "months_covered_previous"}
)  # fmt: skip
BOOLEAN_FIELDS = frozenset({"suppressed", "change_significant"})
WHAT = {
    Table.SUMMARY: "community report counts by kind and channel",
    Table.MONTHLY: "monthly community report counts",
    Table.STRAND: "hate incident reports by strand",
    Table.WARD: "community report counts by ward",
    Table.BUSINESS: "business crime reports",
}
NO_POLICE_FLAG = "the strand has no police hate-crime flag to compare with"


def _field(name: str, value: Any) -> Any:
    value = optional(value)
    if name in TEXT_FIELDS:
        return "" if value is None else str(value)
    if name == "suppressed":
        return bool(value)
    if value is None:
        return None
    if name in BOOLEAN_FIELDS:
        return bool(value)
    if name in INTEGER_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
        return round(value)
    if name == "losses_pounds" and isinstance(value, int | float):
        return round(float(value), 2)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def _police_note(assessment_id: int, row: dict[str, Any], notes: dict[int, str | None]) -> Any:
    if row.get("police_recorded") is not None:
        return None
    if not row.get("police_crime_group"):
        return NO_POLICE_FLAG
    if assessment_id not in notes:
        assessment = queries.assessments().get(pk=assessment_id)
        data = community_reports.community_reports_data(assessment)
        notes[assessment_id] = data.police_reason
    return notes[assessment_id] or (
        "suppressed" if row.get("suppressed") else "not given in the published table"
    )


def representer(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How a stored row of ``table`` is answered: the schema's fields, suppression applied."""
    notes: dict[int, str | None] = {}

    def represent(stored: dict[str, Any]) -> dict[str, Any]:
        assessment_id = int(stored["table__assessment_id"])
        values = community_reports.public_values(table, stored["values"] or {})
        answer: dict[str, Any] = {"assessment": assessment_id}
        for name in FIELDS[table]:
            answer[name] = _field(name, values.get(name))
        if table is Table.MONTHLY:
            answer["month"] = answer["month"][:7]
        if table is Table.STRAND and answer["police_recorded_note"] is None:
            answer["police_recorded_note"] = _police_note(assessment_id, answer, notes)
        return answer

    return represent


def _rows(table: Table, scope: QuerySet[PublishedAssessment]) -> QuerySet[PublishedRow]:
    return PublishedRow.objects.filter(table__assessment__in=scope, table__name=table.value)


def _ordered(rows: QuerySet[PublishedRow]) -> QuerySet[Any]:
    return rows.order_by("table__assessment_id", "position").values(
        "table__assessment_id", "values"
    )


def not_assessed_reason(scope: QuerySet[PublishedAssessment]) -> str | None:
    """Why the assessments read have no community reports: each one's reason, from its
    manifest (``None`` when one of them assessed the family)."""
    reasons = []
    for assessment in scope.defer(*queries.HEAVY_FIELDS).order_by("-published_at", "-pk"):
        data = community_reports.community_reports_data(assessment)
        if data.absent_reason is None:
            return None
        reasons.append(
            f"community reports were not assessed in {assessment.area_name} "
            f"{assessment.period}: {data.absent_reason}"
        )
    return "; ".join(reasons) or None


def _reason(
    table: Table,
    filters: dict[str, Any],
    names: tuple[str, ...],
    scope: QuerySet[PublishedAssessment],
) -> str:
    first = scope_reason(filters.get("assessment"))
    if first is not None:
        return first
    if not _rows(table, scope).exists():
        absent = not_assessed_reason(scope)
        if absent is not None:
            return absent
        return f"the assessments read publish no {WHAT[table]}"
    given = describe_filters(filters, names)
    return f"no {WHAT[table]} match {given}" if given else f"no {WHAT[table]} are published"


def _list(
    request: HttpRequest,
    *,
    endpoint: endpoints.Endpoint,
    table: Table,
    filtered: tuple[str, ...] = (),
    columns: dict[str, str] | None = None,
) -> ApiResult:
    filters = endpoint.parse(request, {})
    scope = assessment_scope(filters["assessment"])
    rows = _rows(table, scope)
    for name in filtered:
        if filters[name] is not None:
            column = (columns or {}).get(name, name)
            rows = rows.filter(**{f"values__{column}": filters[name]})
    names = (*filtered, "assessment")
    return collection_result(
        request,
        filters=filters,
        rows=_ordered(rows),
        represent=representer(table),
        reason=lambda: _reason(table, filters, names, scope),
    )


@api_view
def summary_list(request: HttpRequest) -> ApiResult:
    """Reports by kind and channel, this period and the previous one, in the artefact's order."""
    return _list(
        request,
        endpoint=endpoints.COMMUNITY_REPORTS_SUMMARY,
        table=Table.SUMMARY,
        filtered=("kind", "channel"),
    )


@api_view
def monthly_list(request: HttpRequest) -> ApiResult:
    """Reports of each kind by month received."""
    return _list(
        request,
        endpoint=endpoints.COMMUNITY_REPORTS_MONTHLY,
        table=Table.MONTHLY,
        filtered=("kind",),
    )


@api_view
def strand_list(request: HttpRequest) -> ApiResult:
    """Hate incident reports by strand beside police-recorded hate crime."""
    return _list(request, endpoint=endpoints.COMMUNITY_REPORTS_STRANDS, table=Table.STRAND)


@api_view
def ward_list(request: HttpRequest) -> ApiResult:
    """Reports of each kind by ward."""
    return _list(
        request,
        endpoint=endpoints.COMMUNITY_REPORTS_WARDS,
        table=Table.WARD,
        filtered=("ward", "kind"),
        columns={"ward": "ward_code"},
    )


@api_view
def business_list(request: HttpRequest) -> ApiResult:
    """Business crime reports by category with their losses."""
    return _list(request, endpoint=endpoints.COMMUNITY_REPORTS_BUSINESS, table=Table.BUSINESS)
