"""The residents' survey pages: what residents told us, and one page per survey measure."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import survey
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment


def survey_list(
    request: HttpRequest, mode: Mode = Mode.CURRENT, assessment_id: int | None = None
) -> HttpResponse:
    """Every survey measure's headline share in the latest wave with its interval and the
    change from the wave before; the biggest issues ranked; or why there is no survey."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        survey=lazy(lambda: survey.survey_page(survey.survey_data(assessment))),
        headline_chart=lazy(
            lambda: survey.headline_chart(assessment, survey.survey_data(assessment))
        ),
    )
    return render(request, "observatory/survey_list.html", context)


def survey_measure(
    request: HttpRequest,
    measure: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """One measure: every wave's estimates for all respondents and by group, the changes
    between waves and the differences between groups (404 for a measure not published)."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    data = survey.survey_data(assessment)
    page = survey.measure_page(data, measure)
    if page is None:
        raise Http404(f"No survey measure {measure!r} in this assessment")
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        measure=page,
        minimum=survey.fewer_than(data.minimum_base),
        confidence=data.confidence,
    )
    return render(request, "observatory/survey_measure.html", context)
