"""The intelligence app: partner intelligence submissions, their receivers, review and retention."""

from __future__ import annotations

from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    """The intelligence app."""

    name = "safecity_web.intelligence"
    label = "intelligence"
