"""The reporting app: community reports from residents, reporting centres, businesses and apps."""

from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """The reporting app."""

    name = "safecity_web.reporting"
    label = "reporting"
