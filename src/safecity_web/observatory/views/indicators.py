"""Indicator pages: the list, and one page per indicator."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import queries
from safecity_web.observatory.models import AreaLevel, Indicator, PublishedAssessment
from safecity_web.observatory.views import charts
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment


def indicator_list(
    request: HttpRequest, mode: Mode = Mode.CURRENT, assessment_id: int | None = None
) -> HttpResponse:
    """Every indicator of the assessment with the area's value, interval and change."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        rows=lazy(lambda: queries.area_rows(assessment)),
        not_assessed=lazy(lambda: queries.not_assessed(assessment)),
    )
    return render(request, "observatory/indicator_list.html", context)


def indicator_of(assessment: PublishedAssessment, indicator_id: str) -> Indicator:
    """The indicator, if the assessment has it (else 404)."""
    indicator = Indicator.objects.filter(indicator_id=indicator_id).first()
    if indicator is None or not queries.values(assessment).filter(indicator=indicator).exists():
        raise Http404(f"No indicator {indicator_id!r} in this assessment")
    return indicator


def comparisons(assessment: PublishedAssessment, indicator: Indicator) -> dict[str, Any]:
    """England and comparator benchmarking of the indicator, or why there is none."""
    benchmarking = queries.table_rows(assessment, "benchmarking", group_key=indicator.indicator_id)
    skipped = (queries.manifest(assessment).get("skipped") or {}).get("benchmarking")
    rows = benchmarking.rows if benchmarking is not None else []
    reason = ""
    if not rows:
        reason = (
            f"No comparison with England or comparator areas in this assessment: {skipped}"
            if skipped
            else "No comparison with England or comparator areas: the assessment has no "
            "benchmarking rows for this indicator."
        )
    return {"benchmark_rows": rows, "benchmark_reason": reason}


def indicator_detail(
    request: HttpRequest,
    indicator_id: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """Definition, polarity, method, caveats; trend; comparisons; ward table; map; downloads.

    A crime group the assessment did not assess gets a page saying so and why (``not
    assessed: needs ...``), never an empty or zero value.
    """
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    skipped = queries.not_assessed_group(assessment, indicator_id)
    if (
        skipped is not None
        and not queries.values(assessment).filter(indicator_id=indicator_id).exists()
    ):
        return render(
            request,
            "observatory/indicator_not_assessed.html",
            page_context(request, mode=mode, assessment=assessment, group=skipped),
        )
    indicator = indicator_of(assessment, indicator_id)
    area_row = lazy(
        lambda: (
            queries.values(assessment)
            .filter(indicator=indicator, area_code=assessment.area_code)
            .first()
        )
    )
    wards = lazy(lambda: queries.indicator_rows(assessment, indicator, level=AreaLevel.WARD))
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        indicator=indicator,
        area_row=area_row,
        wards=wards,
        suppressed_wards=lazy(
            lambda: sum(1 for row in wards if row.suppressed and row.value is None)
        ),
        trend_chart=lazy(lambda: charts.trend_chart(assessment, indicator)),
        ward_chart=lazy(
            lambda: charts.ward_chart(
                assessment, indicator, area_value=area_row.value if area_row else None
            )
        ),
        ward_map=lazy(lambda: charts.choropleth(assessment, indicator, level=AreaLevel.WARD)),
        lsoa_map=lazy(lambda: charts.choropleth(assessment, indicator, level=AreaLevel.LSOA)),
        deprivation_chart=lazy(lambda: charts.deprivation_chart(assessment, indicator)),
        findings=lazy(lambda: queries.findings(assessment, topic=indicator.indicator_id)),
        comparison=lazy(lambda: comparisons(assessment, indicator)),
    )
    return render(request, "observatory/indicator_detail.html", context)
