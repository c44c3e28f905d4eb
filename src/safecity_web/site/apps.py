"""The site app."""

from __future__ import annotations

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site app."""

    name = "safecity_web.site"
    label = "site"
