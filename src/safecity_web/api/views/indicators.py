"""``/api/v1/indicators``: what each indicator with published values measures."""

from __future__ import annotations

from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.errors import ApiError, ErrorCode, not_found
from safecity_web.api.queries import last_published, public_indicators
from safecity_web.api.reasons import indicators_reason, not_assessed_reason
from safecity_web.api.representations import indicator_object
from safecity_web.api.responses import ApiResult, api_view
from safecity_web.api.views.listing import collection_result


@api_view
def indicator_list(request: HttpRequest) -> ApiResult:
    """Indicators with values in a public assessment, in display order."""
    filters = endpoints.INDICATORS.parse(request, {})
    return collection_result(
        request,
        filters=filters,
        rows=public_indicators().order_by("display_order", "name", "indicator_id"),
        represent=lambda indicator: indicator_object(request, indicator),
        reason=lambda: indicators_reason(filters),
    )


@api_view
def indicator_detail(request: HttpRequest, indicator_id: str) -> ApiResult:
    """One indicator; one without public values is answered 404, saying why when the current
    assessment did not assess it (``not assessed: needs ...``), never as an empty value."""
    arguments = endpoints.INDICATOR_DETAIL.parse(request, {"indicator_id": indicator_id})
    indicator = public_indicators().filter(indicator_id=arguments["indicator_id"]).first()
    if indicator is None:
        reason = not_assessed_reason(arguments["indicator_id"])
        if reason is not None:
            raise ApiError(code=ErrorCode.NOT_FOUND, message=reason, parameter="indicator_id")
        raise not_found(parameter="indicator_id", value=indicator_id, what="indicator")
    return ApiResult(
        body={"data": indicator_object(request, indicator)}, last_modified=last_published()
    )
