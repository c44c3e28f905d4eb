"""The jobs app: the site's scheduled jobs and the record of every run."""

from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """The jobs app."""

    name = "safecity_web.jobs"
    label = "jobs"
