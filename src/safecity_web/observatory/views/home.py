"""The observatory's home page: headline indicators of the published assessment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import queries, survey
from safecity_web.observatory.indicator_metadata import indicator_catalogue
from safecity_web.observatory.views import charts
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)

FINDINGS_SHOWN = 8


def no_assessment(request: HttpRequest) -> HttpResponse:
    """The page shown while nothing is published: says why, and how to publish."""
    return render(request, "observatory/no_assessment.html", {}, status=200)


def home(
    request: HttpRequest, mode: Mode = Mode.CURRENT, assessment_id: int | None = None
) -> HttpResponse:
    """Headline indicators: latest value, interval, change and its significance and test; a
    headline indicator the assessment did not assess is listed with why, never as 0."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        headline_rows=lazy(lambda: queries.headline_rows(assessment)),
        headline_not_assessed=lazy(
            lambda: [
                group
                for group in queries.not_assessed(assessment)
                if group.group_id in indicator_catalogue().headline
            ]
        ),
        findings=lazy(
            lambda: [finding for finding in queries.findings(assessment) if finding.significant][
                :FINDINGS_SHOWN
            ]
        ),
        change_chart=lazy(lambda: charts.change_chart(assessment)),
        survey=lazy(lambda: survey.survey_page(survey.survey_data(assessment))),
    )
    return render(request, "observatory/home.html", context)
