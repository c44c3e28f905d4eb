"""URLs of partner intelligence, under ``/partners/intelligence/`` (namespace ``intelligence``)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "intelligence"

urlpatterns: list[URLPattern] = []
