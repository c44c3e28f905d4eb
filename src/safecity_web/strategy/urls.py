"""URLs of the strategy app."""

from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "strategy"
urlpatterns: list[object] = []
