"""``/api/v1/assessments``: published and superseded assessments, never drafts."""

from __future__ import annotations

from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.errors import not_found
from safecity_web.api.queries import last_published, public_assessments
from safecity_web.api.reasons import assessments_reason
from safecity_web.api.representations import assessment_detail_object, assessment_object
from safecity_web.api.responses import ApiResult, api_view
from safecity_web.api.views.listing import collection_result


@api_view
def assessment_list(request: HttpRequest) -> ApiResult:
    """Public assessments, the latest published first."""
    filters = endpoints.ASSESSMENTS.parse(request, {})
    rows = public_assessments()
    if filters["area"] is not None:
        rows = rows.filter(area_code=filters["area"])
    if filters["status"] is not None:
        rows = rows.filter(status=filters["status"])
    return collection_result(
        request,
        filters=filters,
        rows=rows.order_by("-published_at", "-pk"),
        represent=lambda assessment: assessment_object(request, assessment),
        reason=lambda: assessments_reason(filters),
    )


@api_view
def assessment_detail(request: HttpRequest, assessment_id: str) -> ApiResult:
    """One public assessment with its provenance; a draft's id is answered 404."""
    arguments = endpoints.ASSESSMENT_DETAIL.parse(request, {"assessment_id": assessment_id})
    assessment = public_assessments().filter(pk=arguments["assessment_id"]).first()
    if assessment is None:
        raise not_found(parameter="assessment_id", value=assessment_id, what="assessment")
    return ApiResult(
        body={"data": assessment_detail_object(request, assessment)},
        last_modified=last_published(),
    )
