"""``/api/v1/downloads``: each current indicator's values as CSV and JSON files."""

from __future__ import annotations

from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.queries import current_indicators
from safecity_web.api.reasons import indicators_reason
from safecity_web.api.representations import download_object
from safecity_web.api.responses import ApiResult, api_view
from safecity_web.api.views.listing import collection_result


@api_view
def download_list(request: HttpRequest) -> ApiResult:
    """Files of every indicator with values in a currently published assessment."""
    filters = endpoints.DOWNLOADS.parse(request, {})
    rows = current_indicators()
    if filters["indicator"] is not None:
        rows = rows.filter(indicator_id=filters["indicator"])
    return collection_result(
        request,
        filters=filters,
        rows=rows.order_by("display_order", "name", "indicator_id"),
        represent=lambda indicator: download_object(request, indicator),
        reason=lambda: indicators_reason(filters),
    )
