"""URLs of partner intelligence, under ``/partners/intelligence/`` (namespace ``intelligence``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from safecity_web.intelligence import views_review

app_name = "intelligence"

urlpatterns: list[URLPattern] = [
    path("reviews/", views_review.reviews, name="reviews"),
    path("<str:reference>/review/", views_review.review, name="review"),
]
