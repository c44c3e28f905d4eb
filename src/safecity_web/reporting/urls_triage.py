"""The triage pages' URLs (namespace ``reporting``), added to ``reporting/urls.py``."""

from __future__ import annotations

from django.urls import path

from safecity_web.reporting import views_triage

triage_patterns = [
    path("partners/reports/", views_triage.queue, name="queue"),
    path(
        "partners/reports/subject-access/",
        views_triage.subject_access,
        name="subject-access",
    ),
    path("partners/reports/export.csv", views_triage.export_csv, name="export-csv"),
    path("partners/reports/<str:reference>/", views_triage.report_detail, name="report"),
    path(
        "partners/reports/<str:reference>/attachments/<int:attachment_id>/",
        views_triage.report_attachment,
        name="report-attachment",
    ),
    path(
        "partners/reports/<str:reference>/assign/", views_triage.report_assign, name="report-assign"
    ),
    path(
        "partners/reports/<str:reference>/status/", views_triage.report_status, name="report-status"
    ),
    path("partners/reports/<str:reference>/note/", views_triage.report_note, name="report-note"),
    path("partners/reports/<str:reference>/refer/", views_triage.report_refer, name="report-refer"),
    path(
        "partners/reports/<str:reference>/outcome/",
        views_triage.report_outcome,
        name="report-outcome",
    ),
    path(
        "partners/reports/<str:reference>/moderate/",
        views_triage.report_moderate,
        name="report-moderate",
    ),
    path("partners/reports/<str:reference>/erase/", views_triage.report_erase, name="report-erase"),
]
