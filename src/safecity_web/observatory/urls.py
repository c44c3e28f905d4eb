"""URLs of the observatory: the current assessment at the root, the archive, draft previews.

Each page of an assessment exists three times: for the currently published assessment
(``/indicators/...``), for an archived one (``/assessments/<id>/indicators/...``) and for a
draft in preview (``/preview/<id>/indicators/...``, analysts and administrators only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import role_required
from safecity_web.observatory.views import (
    archive,
    areas,
    community_reports,
    downloads,
    home,
    hotspots,
    indicators,
    methods,
    palette,
    preview,
    survey,
)
from safecity_web.observatory.views.common import Mode

app_name = "observatory"

PAGES: list[tuple[str, Callable[..., Any], str]] = [
    ("", home.home, "home"),
    ("indicators/", indicators.indicator_list, "indicators"),
    ("indicators/<slug:indicator_id>/", indicators.indicator_detail, "indicator"),
    ("indicators/<slug:indicator_id>/data.csv", downloads.indicator_csv, "indicator-csv"),
    ("indicators/<slug:indicator_id>/data.json", downloads.indicator_json, "indicator-json"),
    ("indicators/<slug:indicator_id>/monthly.csv", downloads.monthly_csv, "indicator-monthly-csv"),
    (
        "indicators/<slug:indicator_id>/monthly.json",
        downloads.monthly_json,
        "indicator-monthly-json",
    ),
    ("areas/<str:gss_code>/", areas.area_detail, "area"),
    ("hotspots/", hotspots.hotspots, "hotspots"),
    ("survey/", survey.survey_list, "survey"),
    ("survey/<slug:measure>/", survey.survey_measure, "survey-measure"),
    ("community-reports/", community_reports.community_reports_overview, "community-reports"),
    (
        "community-reports/<slug:reports_table>.csv",
        community_reports.community_reports_csv,
        "community-reports-csv",
    ),
    (
        "community-reports/<slug:reports_table>.json",
        community_reports.community_reports_json,
        "community-reports-json",
    ),
]
"""(route, view, name) of every page of an assessment."""

preview_only = role_required(Role.ANALYST, Role.ADMINISTRATOR)


def _patterns() -> list[URLPattern]:
    patterns: list[URLPattern] = []
    for route, view, name in PAGES:
        patterns.append(path(route, view, {"mode": Mode.CURRENT}, name=name))
        patterns.append(
            path(
                f"assessments/<int:assessment_id>/{route}",
                view,
                {"mode": Mode.ARCHIVE},
                name="assessment" if name == "home" else f"assessment-{name}",
            )
        )
        patterns.append(
            path(
                f"preview/<int:assessment_id>/{route}",
                preview_only(view),
                {"mode": Mode.PREVIEW},
                name="preview" if name == "home" else f"preview-{name}",
            )
        )
    return patterns


urlpatterns = [
    path("assessments/", archive.assessment_archive, name="assessments"),
    path("methods/", methods.methods_page, name="methods"),
    path("palette.css", palette.palette_css, name="palette-css"),
    path("preview/", preview.draft_list, name="drafts"),
    path("preview/<int:assessment_id>/publish/", preview.publish_draft, name="publish"),
    *_patterns(),
]
