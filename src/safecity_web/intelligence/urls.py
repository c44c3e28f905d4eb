"""URLs of partner intelligence, under ``/partners/intelligence/`` (namespace ``intelligence``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from safecity_web.intelligence import views_submit

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
]
