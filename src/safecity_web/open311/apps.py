"""The open311 app: GeoReport v2 services, service definitions and service requests."""

from __future__ import annotations

from django.apps import AppConfig


class Open311Config(AppConfig):
    """The open311 app (no models: apps and reports are the reporting app's)."""

    name = "safecity_web.open311"
    label = "open311"
