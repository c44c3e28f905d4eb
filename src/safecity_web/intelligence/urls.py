"""URLs of partner intelligence, under ``/partners/intelligence/`` (namespace ``intelligence``)."""

from __future__ import annotations

from django.urls import URLPattern, path, register_converter

from safecity_web.intelligence import (
    views_counts,
    views_handling,
    views_receivers,
    views_review,
    views_submit,
)


class ReferenceConverter:
    """A submission's reference in a URL (``IN-7K3M-Q9TB``), so that ``queue/``, ``mine/`` and
    the other fixed pages are never read as a reference."""

    regex = "IN-[0-9A-Z]{4}-[0-9A-Z]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "intelligence_reference")

app_name = "intelligence"

urlpatterns: list[URLPattern] = [
    # Submission (the form and the submitter's own pages).
    path("", views_submit.home, name="home"),
    path("grading/", views_submit.grading_guide, name="grading-guide"),
    path("mine/", views_submit.mine, name="mine"),
    path("new/", views_submit.start, name="submit"),
    path("new/check/", views_submit.check_page, name="submit-check"),
    path("new/done/", views_submit.done_page, name="submit-done"),
    path("new/about/", views_submit.subjects_page, name="submit-subjects"),
    path("new/about/add/<slug:kind>/", views_submit.subject_add, name="submit-subject-add"),
    path("new/about/<int:position>/", views_submit.subject_change, name="submit-subject"),
    path(
        "new/about/<int:position>/remove/",
        views_submit.subject_remove,
        name="submit-subject-remove",
    ),
    path("new/<slug:slug>/", views_submit.step_page, name="submit-step"),
    # Handling by receivers (helper C).
    path("queue/", views_handling.queue, name="queue"),
    path("receivers/", views_receivers.receivers, name="receivers"),
    path(
        "receivers/<int:designation_id>/remove/",
        views_receivers.receiver_remove,
        name="receiver-remove",
    ),
    path(
        "<intelligence_reference:reference>/", views_handling.submission_detail, name="submission"
    ),
    path(
        "<intelligence_reference:reference>/regrade/",
        views_handling.submission_regrade,
        name="regrade",
    ),
    path(
        "<intelligence_reference:reference>/sanitise/",
        views_handling.submission_sanitise,
        name="sanitise",
    ),
    path(
        "<intelligence_reference:reference>/link-action/",
        views_handling.submission_link_action,
        name="link-action",
    ),
    path(
        "<intelligence_reference:reference>/link-place/",
        views_handling.submission_link_place,
        name="link-place",
    ),
    path(
        "<intelligence_reference:reference>/outcome/",
        views_handling.submission_outcome,
        name="outcome",
    ),
    path(
        "<intelligence_reference:reference>/sanitised/<int:copy_id>.<str:export_format>",
        views_handling.sanitised_export,
        name="sanitised-export",
    ),
    path(
        "<intelligence_reference:reference>/audit/",
        views_handling.submission_audit,
        name="submission-audit",
    ),
    # Review and retention (helper B).
    path("reviews/", views_review.reviews, name="reviews"),
    path("<intelligence_reference:reference>/review/", views_review.review, name="review"),
    # De-identified counts (helper E).
    path("counts/", views_counts.counts, name="counts"),
    path("counts.csv", views_counts.counts_csv, name="counts-csv"),
]
