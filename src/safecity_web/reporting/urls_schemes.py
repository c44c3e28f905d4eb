"""URLs of reporting centres' and businesses' own areas and of reporting administration.

``scheme_patterns`` joins the ``reporting`` namespace's other patterns (``reporting/urls.py``);
paths are absolute from the site root, as the namespace is included at ``""``.
"""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from safecity_web.reporting import views_admin, views_business, views_centre

scheme_patterns: list[URLPattern] = [
    path("report/centre/", views_centre.centre_reports, name="centre-reports"),
    # Only references match, so the centre's journey under report/centre/new/ stays helper A's.
    re_path(
        r"^report/centre/(?P<reference>SC-[0-9A-Z]{4}-[0-9A-Z]{4})/$",
        views_centre.centre_report,
        name="centre-report",
    ),
    path("report/business/", views_business.business_reports, name="business-reports"),
    path(
        "report/business/agreement/",
        views_business.business_agreement,
        name="business-agreement",
    ),
    path("report/business/alerts/", views_business.business_alerts, name="business-alerts"),
    path(
        "report/business/alerts/<int:alert_id>/",
        views_business.business_alert,
        name="business-alert",
    ),
    path(
        "report/business/alerts/<int:alert_id>/image/",
        views_business.business_alert_image,
        name="business-alert-image",
    ),
    path("partners/reports/duties/", views_admin.duties, name="duties"),
    path(
        "partners/reports/duties/<int:duty_id>/remove/",
        views_admin.duty_remove,
        name="duty-remove",
    ),
    path("partners/reports/schemes/", views_admin.schemes, name="schemes"),
    path("partners/reports/schemes/<int:scheme_id>/", views_admin.scheme, name="scheme"),
    path(
        "partners/reports/schemes/<int:scheme_id>/members/",
        views_admin.scheme_invite,
        name="scheme-invite",
    ),
    path(
        "partners/reports/schemes/<int:scheme_id>/agreements/",
        views_admin.scheme_agreement,
        name="scheme-agreement",
    ),
    path("partners/reports/alerts/", views_admin.alerts, name="alerts"),
    path("partners/reports/alerts/new/", views_admin.alert_create, name="alert-create"),
]
