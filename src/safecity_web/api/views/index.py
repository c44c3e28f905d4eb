"""``/api/v1/``: links to every resource, the licence and the current assessments."""

from __future__ import annotations

from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.openapi import LICENCE
from safecity_web.api.queries import current_assessments, last_published
from safecity_web.api.representations import api_url, assessment_object
from safecity_web.api.responses import ApiResult, api_view


@api_view
def index(request: HttpRequest) -> ApiResult:
    """Where everything is."""
    endpoints.INDEX.parse(request, {})
    return ApiResult(
        body={
            "name": "Safe City open data API",
            "version": endpoints.API_VERSION,
            "licence": LICENCE,
            "links": {
                "self": api_url(request, "index"),
                "assessments": api_url(request, "assessments"),
                "indicators": api_url(request, "indicators"),
                "areas": api_url(request, "areas"),
                "values": api_url(request, "values"),
                "findings": api_url(request, "findings"),
                "downloads": api_url(request, "downloads"),
                "survey_waves": api_url(request, "survey-waves"),
                "survey_estimates": api_url(request, "survey-estimates"),
                "survey_comparisons": api_url(request, "survey-comparisons"),
                "community_reports_summary": api_url(request, "community-summary"),
                "community_reports_monthly": api_url(request, "community-monthly"),
                "community_reports_strands": api_url(request, "community-strands"),
                "community_reports_wards": api_url(request, "community-wards"),
                "community_reports_business": api_url(request, "community-business"),
                "openapi": api_url(request, "openapi"),
                "docs": api_url(request, "docs"),
            },
            "assessments": [
                assessment_object(request, assessment)
                for assessment in current_assessments().order_by("area_code", "pk")
            ],
        },
        last_modified=last_published(),
    )
