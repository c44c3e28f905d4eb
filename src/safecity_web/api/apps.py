"""The api app."""

from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The api app."""

    name = "safecity_web.api"
    label = "api"
