"""The strategy app."""

from __future__ import annotations

from django.apps import AppConfig


class StrategyConfig(AppConfig):
    """The strategy app."""

    name = "safecity_web.strategy"
    label = "strategy"
