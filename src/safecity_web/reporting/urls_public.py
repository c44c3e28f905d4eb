"""The report journeys' URLs: the public journey, the status page, the centre and business forms.

Included in ``reporting.urls`` (namespace ``reporting``) before the centre and business lists,
whose ``report/centre/<reference>/`` would otherwise be asked about ``report/centre/new/``.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from safecity_web.reporting import views_public


def _journey_paths(prefix: str, journey_id: str) -> list[URLPattern]:
    """The question pages, check-answers and confirmation of one journey under ``prefix``."""
    extra = {"journey_id": journey_id}
    return [
        path(f"{prefix}check/", views_public.check_page, extra, name=f"{journey_id}-check"),
        path(f"{prefix}done/", views_public.done_page, extra, name=f"{journey_id}-done"),
        path(f"{prefix}<slug:slug>/", views_public.step_page, extra, name=f"{journey_id}-step"),
    ]


public_patterns = [
    path("report/", views_public.start, name="start"),
    *_journey_paths("report/new/", "public"),
    path("report/find/", views_public.find_page, name="find"),
    path("report/status/<str:token>/", views_public.status_page, name="status"),
    path("report/status/<str:token>/delete/", views_public.erase_page, name="status-erase"),
    path(
        "report/centre/new/",
        views_public.journey_start,
        {"journey_id": "centre"},
        name="centre-start",
    ),
    *_journey_paths("report/centre/new/", "centre"),
    path(
        "report/business/new/",
        views_public.journey_start,
        {"journey_id": "business"},
        name="business-start",
    ),
    *_journey_paths("report/business/new/", "business"),
]
