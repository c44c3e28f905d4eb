"""The named scheduled jobs the runner knows (``python -m safecity_web run_scheduled_jobs``).

A job is a function ``(now) -> dict`` that does its work as of ``now`` and returns a summary of
counts (never personal data: the summary is stored in :class:`~safecity_web.jobs.models.JobRun`
and printed). Each job has an interval: the runner, started often by cron or a systemd timer,
runs a job when no successful run of it started within its interval. Jobs are named by a dotted
path and imported when run, so this registry does not import the apps whose work they do. Issue
14 adds its jobs to :data:`JOBS`.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

JobFunction = Callable[[datetime.datetime], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A named job: what it does, how often it is due, and the function that does it."""

    name: str
    description: str
    every: datetime.timedelta
    target: str

    def function(self) -> JobFunction:
        """Import and return the job's function (``module.path:function``)."""
        module_name, _, attribute = self.target.partition(":")
        function: JobFunction = getattr(importlib.import_module(module_name), attribute)
        return function


JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        name="community_reports_retention",
        description=(
            "Anonymise community reports whose retention period has ended and delete business "
            "alerts past their retention date (issue 13)."
        ),
        every=datetime.timedelta(hours=1),
        target="safecity_web.reporting.retention:run_retention",
    ),
    ScheduledJob(
        name="intelligence_retention",
        description=(
            "Escalate partner-intelligence reviews overdue past their topic's rule and delete "
            "the content of submissions whose review is overdue past retention (issue 14)."
        ),
        every=datetime.timedelta(hours=1),
        target="safecity_web.intelligence.retention:run_retention",
    ),
    ScheduledJob(
        name="alerts_generate",
        description=(
            "Raise alerts, once per user per thing: months outside their control limits and "
            "significant changes for followers, overdue action updates, new triage and "
            "intelligence items, intelligence reviews due, overdue or escalated (issue 14)."
        ),
        every=datetime.timedelta(hours=1),
        target="safecity_web.alerts.generation:run_generation",
    ),
    ScheduledJob(
        name="alerts_send",
        description=(
            "Email alerts: immediate ones in one message per user per run, daily ones in one "
            "digest a day from the configured hour; no personal data in any email (issue 14)."
        ),
        every=datetime.timedelta(minutes=10),
        target="safecity_web.alerts.delivery:run_delivery",
    ),
)


def registered_jobs() -> tuple[ScheduledJob, ...]:
    """Every registered job, in the order they run."""
    return JOBS


def job_named(name: str) -> ScheduledJob:
    """The job called ``name`` (``KeyError`` naming the registered jobs otherwise)."""
    for job in JOBS:
        if job.name == name:
            return job
    known = ", ".join(job.name for job in JOBS)
    raise KeyError(f"no scheduled job {name!r} (registered: {known})")
