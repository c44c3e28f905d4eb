"""The commentary app: the analyst's decisions, commentary and context notes on assessments."""

from __future__ import annotations

from django.apps import AppConfig


class CommentaryConfig(AppConfig):
    """The commentary app."""

    name = "safecity_web.commentary"
    label = "commentary"
