"""The alerts app: subscriptions, alerts raised by the scheduled jobs, and their emails."""

from __future__ import annotations

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """The alerts app."""

    name = "safecity_web.alerts"
    label = "alerts"
