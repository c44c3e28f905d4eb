"""``python -m safecity_web run_scheduled_jobs [--job NAME] [--now ISO]``: run the due jobs.

Started every 15 minutes by cron or a systemd timer (``docs/operations.md``). Without ``--job``
every registered job that is due runs; ``--job NAME`` runs that job now, due or not. ``--now``
sets the moment the jobs work as of (an ISO 8601 date-time; without an offset it is read as
Europe/London). Each run is recorded as a ``JobRun``; a job whose previous run still holds its
lock is skipped with a message. The command exits with status 1 when any job failed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safecity_web.jobs.registry import ScheduledJob, job_named, registered_jobs
from safecity_web.jobs.runner import RunResult, run_job


def parse_now(text: str) -> datetime.datetime:
    """An ISO 8601 date-time (naive: Europe/London); ``CommandError`` saying what is wrong."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise CommandError(
            f"--now must be an ISO 8601 date-time such as 2026-01-31T02:00:00+00:00, got {text!r}"
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Run the scheduled jobs that are due (or one job with --job), recording each run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", help="run only this job, whether or not it is due")
        parser.add_argument("--now", help="the moment to work as of (ISO 8601; default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        jobs: tuple[ScheduledJob, ...]
        if options["job"]:
            try:
                jobs = (job_named(options["job"]),)
            except KeyError as error:
                raise CommandError(str(error.args[0])) from error
        else:
            jobs = registered_jobs()
        failed = []
        for job in jobs:
            report = run_job(job=job, now=now, force=bool(options["job"]))
            line = f"{job.name}: {report.message}"
            if report.result is RunResult.FAILED:
                failed.append(job.name)
                self.stderr.write(line)
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
