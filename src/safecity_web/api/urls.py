"""URLs of the api app: version 1 under ``/api/v1/``; every route is in the OpenAPI document."""

from __future__ import annotations

from django.urls import path

from safecity_web.api.views import (
    areas,
    assessments,
    community_reports,
    documentation,
    downloads,
    findings,
    index,
    indicators,
    survey,
    values,
)

app_name = "api"
urlpatterns = [
    path("v1/", index.index, name="index"),
    path("v1/assessments", assessments.assessment_list, name="assessments"),
    path("v1/assessments/<str:assessment_id>", assessments.assessment_detail, name="assessment"),
    path("v1/indicators", indicators.indicator_list, name="indicators"),
    path("v1/indicators/<str:indicator_id>", indicators.indicator_detail, name="indicator"),
    path("v1/areas", areas.area_list, name="areas"),
    path("v1/areas/<str:gss_code>", areas.area_detail, name="area"),
    path("v1/values", values.value_list, name="values"),
    path("v1/findings", findings.finding_list, name="findings"),
    path("v1/downloads", downloads.download_list, name="downloads"),
    path("v1/survey/waves", survey.wave_list, name="survey-waves"),
    path("v1/survey/estimates", survey.estimate_list, name="survey-estimates"),
    path("v1/survey/comparisons", survey.comparison_list, name="survey-comparisons"),
    path("v1/community-reports/summary", community_reports.summary_list, name="community-summary"),
    path("v1/community-reports/monthly", community_reports.monthly_list, name="community-monthly"),
    path("v1/community-reports/strands", community_reports.strand_list, name="community-strands"),
    path("v1/community-reports/wards", community_reports.ward_list, name="community-wards"),
    path(
        "v1/community-reports/business",
        community_reports.business_list,
        name="community-business",
    ),
    path("v1/openapi.json", documentation.openapi_json, name="openapi"),
    path("v1/docs/", documentation.docs, name="docs"),
]
