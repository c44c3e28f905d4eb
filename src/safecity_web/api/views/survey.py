"""``/api/v1/survey/...``: the residents' survey waves, estimates and comparisons.

Read from the public survey tables ``safecity publish`` stored with the assessment (rows of
``PublishedTable``/``PublishedRow``; disclosure-controlled, no respondent-level data). A
suppressed estimate never carries its share or interval, whatever the row holds.
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
from safecity_web.observatory.models import PublishedAssessment, PublishedRow

WAVE_FIELDS = (
    "wave", "survey", "title", "fieldwork_start", "fieldwork_end", "respondents", "weighting",
    "design_effect", "effective_sample_size", "relation",
)  # fmt: skip
ESTIMATE_FIELDS = (
    "wave", "measure", "measure_label", "kind", "category", "headline", "group_variable",
    "group", "value", "lower_ci", "upper_ci", "confidence", "method", "unweighted_base",
    "weighted_base", "design_effect", "effective_sample_size", "suppressed", "low_base", "rank",
    "polarity", "theme",
)  # fmt: skip
COMPARISON_FIELDS = (
    "comparison", "measure", "measure_label", "category", "group_variable", "group",
    "from_label", "to_label", "from_value", "to_value", "difference", "lower_ci", "upper_ci",
    "p_value", "test", "significant", "direction", "suppressed",
)  # fmt: skip
TEXT_FIELDS = frozenset(
    {"wave", "measure", "measure_label", "category", "group_variable", "group", "from_label",
     "to_label", "comparison"}
)  # fmt: skip
"""Fields the schemas require as text (never null)."""
INTEGER_FIELDS = frozenset({"respondents", "unweighted_base", "rank"})
BOOLEAN_FIELDS = frozenset({"headline", "low_base", "significant"})
WITHHELD = {
    "survey_estimates": ("value", "lower_ci", "upper_ci"),
    "survey_comparisons": (
        "from_value", "to_value", "difference", "lower_ci", "upper_ci", "p_value", "significant",
    ),
}  # fmt: skip
"""What suppression withholds in each table: the share and everything computed from it."""
COMPARISON_VALUES = {"waves": "between waves", "groups": "between groups"}


def _field(name: str, value: Any) -> Any:
    value = optional(value)
    if name in TEXT_FIELDS:
        return "" if value is None else str(value)
    if value is None:
        return None
    if name in INTEGER_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
        return round(value)
    if name in BOOLEAN_FIELDS:
        return bool(value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def representer(table: str, fields: tuple[str, ...]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How a stored row of ``table`` is answered: the schema's fields, suppression applied."""

    def represent(row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = row["values"] or {}
        answer: dict[str, Any] = {"assessment": row["table__assessment_id"]}
        for name in fields:
            answer[name] = _field(name, values.get(name))
        if "suppressed" in answer:
            answer["suppressed"] = bool(answer["suppressed"])
            if answer["suppressed"]:
                for name in WITHHELD.get(table, ()):
                    answer[name] = None
        return answer

    return represent


def _rows(table: str, scope: QuerySet[PublishedAssessment]) -> QuerySet[PublishedRow]:
    return PublishedRow.objects.filter(table__assessment__in=scope, table__name=table)


def _ordered(rows: QuerySet[PublishedRow]) -> QuerySet[Any]:
    return rows.order_by("table__assessment_id", "position").values(
        "table__assessment_id", "values"
    )


def _reason(
    table: str,
    what: str,
    filters: dict[str, Any],
    names: tuple[str, ...],
    scope: QuerySet[PublishedAssessment],
) -> str:
    first = scope_reason(filters.get("assessment"))
    if first is not None:
        return first
    if not _rows(table, scope).exists():
        return "no residents' survey is published with the assessments read"
    return f"no {what} match {describe_filters(filters, names)}"


@api_view
def wave_list(request: HttpRequest) -> ApiResult:
    """Survey waves of the current (or the named) assessment."""
    filters = endpoints.SURVEY_WAVES.parse(request, {})
    scope = assessment_scope(filters["assessment"])
    table = "survey_waves"
    return collection_result(
        request,
        filters=filters,
        rows=_ordered(_rows(table, scope)),
        represent=representer(table, WAVE_FIELDS),
        reason=lambda: _reason(table, "survey waves", filters, ("assessment",), scope),
    )


@api_view
def estimate_list(request: HttpRequest) -> ApiResult:
    """Survey estimates of the current (or the named) assessment, in the artefact's order."""
    filters = endpoints.SURVEY_ESTIMATES.parse(request, {})
    scope = assessment_scope(filters["assessment"])
    table = "survey_estimates"
    rows = _rows(table, scope)
    for name in ("wave", "measure", "group_variable"):
        if filters[name] is not None:
            rows = rows.filter(**{f"values__{name}": filters[name]})
    names = ("wave", "measure", "group_variable", "assessment")
    return collection_result(
        request,
        filters=filters,
        rows=_ordered(rows),
        represent=representer(table, ESTIMATE_FIELDS),
        reason=lambda: _reason(table, "survey estimates", filters, names, scope),
    )


@api_view
def comparison_list(request: HttpRequest) -> ApiResult:
    """Survey comparisons of the current (or the named) assessment, in the artefact's order."""
    filters = endpoints.SURVEY_COMPARISONS.parse(request, {})
    scope = assessment_scope(filters["assessment"])
    table = "survey_comparisons"
    rows = _rows(table, scope)
    if filters["comparison"] is not None:
        rows = rows.filter(values__comparison=COMPARISON_VALUES[filters["comparison"]])
    if filters["measure"] is not None:
        rows = rows.filter(values__measure=filters["measure"])
    names = ("comparison", "measure", "assessment")
    return collection_result(
        request,
        filters=filters,
        rows=_ordered(rows),
        represent=representer(table, COMPARISON_FIELDS),
        reason=lambda: _reason(table, "survey comparisons", filters, names, scope),
    )
