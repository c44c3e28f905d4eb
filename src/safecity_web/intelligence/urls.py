"""URLs of partner intelligence, under ``/partners/intelligence/`` (namespace ``intelligence``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from safecity_web.intelligence import views_counts

app_name = "intelligence"

urlpatterns: list[URLPattern] = [
    path("counts/", views_counts.counts, name="counts"),
    path("counts.csv", views_counts.counts_csv, name="counts-csv"),
]
