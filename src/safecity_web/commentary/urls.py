"""URLs of the commentary pages (mounted at ``partners/assessments/``)."""

from __future__ import annotations

from django.urls import path

from safecity_web.commentary import views

app_name = "commentary"
urlpatterns = [
    path("", views.assessment_list, name="assessments"),
    path("<int:assessment_id>/recommendations/", views.recommendations, name="recommendations"),
    path(
        "<int:assessment_id>/recommendations/<slug:group_id>/",
        views.recommendation_decide,
        name="decide",
    ),
    path("<int:assessment_id>/commentary/", views.commentary, name="commentary"),
    path(
        "<int:assessment_id>/commentary/<int:commentary_id>/delete/",
        views.commentary_delete,
        name="commentary-delete",
    ),
]
