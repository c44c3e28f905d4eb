"""The community reports page: what residents, reporting centres and businesses reported."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import community_reports, queries
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment


def community_reports_overview(
    request: HttpRequest, mode: Mode = Mode.CURRENT, assessment_id: int | None = None
) -> HttpResponse:
    """Reports by kind and channel against the previous period, by month, hate reports by
    strand beside police-recorded hate crime, by ward, and business crime with its losses;
    withheld counts read "Suppressed" with the reason; or why the family was not assessed."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        reports=lazy(
            lambda: community_reports.overview_page(
                community_reports.community_reports_data(assessment)
            )
        ),
        monthly_chart=lazy(
            lambda: community_reports.monthly_chart(
                assessment, community_reports.community_reports_data(assessment)
            )
        ),
        findings=lazy(lambda: queries.findings(assessment, topic=community_reports.FAMILY)),
    )
    return render(request, "observatory/community_reports.html", context)
