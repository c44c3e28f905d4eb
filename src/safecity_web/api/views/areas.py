"""``/api/v1/areas``: the areas with published values, by level and parent."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.errors import not_found
from safecity_web.api.queries import last_published, public_areas
from safecity_web.api.reasons import areas_reason
from safecity_web.api.representations import area_object
from safecity_web.api.responses import ApiResult, api_view
from safecity_web.api.views.listing import collection_result
from safecity_web.observatory.models import AreaLevel

LEVEL_ORDER = Case(
    *(When(level=level, then=Value(position)) for position, level in enumerate(AreaLevel.values)),
    default=Value(len(AreaLevel.values)),
    output_field=IntegerField(),
)
"""Areas are listed from the largest level to the smallest (AreaLevel's order)."""


@api_view
def area_list(request: HttpRequest) -> ApiResult:
    """Areas with values in a public assessment, largest level first, then by code."""
    filters = endpoints.AREAS.parse(request, {})
    rows = public_areas().select_related("parent")
    if filters["level"] is not None:
        rows = rows.filter(level=filters["level"])
    if filters["parent"] is not None:
        rows = rows.filter(parent__gss_code=filters["parent"])
    return collection_result(
        request,
        filters=filters,
        rows=rows.order_by(LEVEL_ORDER, "gss_code", "vintage", "pk"),
        represent=lambda area: area_object(request, area),
        reason=lambda: areas_reason(filters),
    )


@api_view
def area_detail(request: HttpRequest, gss_code: str) -> ApiResult:
    """One area (its latest boundary vintage); a code without public values is 404."""
    arguments = endpoints.AREA_DETAIL.parse(request, {"gss_code": gss_code})
    area = (
        public_areas()
        .select_related("parent")
        .filter(gss_code=arguments["gss_code"])
        .order_by("-vintage", "-pk")
        .first()
    )
    if area is None:
        raise not_found(parameter="gss_code", value=gss_code, what="area")
    return ApiResult(body={"data": area_object(request, area)}, last_modified=last_published())
