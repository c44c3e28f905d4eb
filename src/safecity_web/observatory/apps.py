"""The observatory app."""

from __future__ import annotations

from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    """The observatory app."""

    name = "safecity_web.observatory"
    label = "observatory"
