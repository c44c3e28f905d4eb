"""``/api/v1/values``: indicator values; a suppressed one never carries its number."""

from __future__ import annotations

from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.queries import assessment_scope
from safecity_web.api.reasons import values_reason
from safecity_web.api.representations import VALUE_FIELDS, value_object
from safecity_web.api.responses import ApiResult, api_view
from safecity_web.api.views.listing import collection_result
from safecity_web.observatory.models import IndicatorValue


@api_view
def value_list(request: HttpRequest) -> ApiResult:
    """Values of the current (or the named) assessment, in the artefact's row order."""
    filters = endpoints.VALUES.parse(request, {})
    scope = assessment_scope(filters["assessment"])
    rows = IndicatorValue.objects.filter(assessment__in=scope)
    for parameter, column in (
        ("indicator", "indicator_id"),
        ("area", "area_code"),
        ("area_level", "area_level"),
        ("period", "period"),
    ):
        if filters[parameter] is not None:
            rows = rows.filter(**{column: filters[parameter]})
    return collection_result(
        request,
        filters=filters,
        rows=rows.order_by("assessment_id", "pk").values("assessment_id", *VALUE_FIELDS),
        represent=value_object,
        reason=lambda: values_reason(filters, scope=scope),
    )
