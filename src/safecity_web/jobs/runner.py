"""Running scheduled jobs: one :class:`JobRun` per run, never two runs of one job at once.

Each job has a :class:`~safecity_web.jobs.models.JobLock` row. A run opens a transaction and
locks that row with ``SELECT ... FOR UPDATE NOWAIT``: if another process holds it, the run is
skipped at once (nothing waits, nothing is recorded) and the caller says so. Holding the lock,
the runner checks the job is due (unless forced), records the run, runs the job in a savepoint
and records how it ended: succeeded with the job's summary counts, or failed with the error's
type and message (the job's own changes rolled back). The lock is released when the transaction
ends. On SQLite (the zero-set-up demo) row locks do not exist and writes are serialised anyway.

References
----------
PostgreSQL documentation, "SELECT: The Locking Clause" (``NOWAIT``).
"""

from __future__ import annotations

import datetime
import enum
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from safecity_web.jobs.models import JobLock, JobOutcome, JobRun
from safecity_web.jobs.registry import ScheduledJob

logger = logging.getLogger(__name__)

DUE_TOLERANCE = datetime.timedelta(minutes=5)
"""A job counts as due this much before its interval has passed, so a timer firing at the same
minute every hour never just misses the hour."""
MAX_ERROR_CHARACTERS = 2000


class RunResult(enum.Enum):
    """What happened when the runner was asked to run a job."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED_LOCKED = "skipped: another run of this job is still in progress"
    NOT_DUE = "not due"


@dataclass(frozen=True, slots=True)
class RunReport:
    """The runner's answer for one job: the result, its run (if one was recorded), a message."""

    job_name: str
    result: RunResult
    message: str
    run_id: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)


class _LockHeldError(Exception):
    """Another transaction holds the job's lock row."""


def last_success(*, job_name: str) -> datetime.datetime | None:
    """When the last successful run of ``job_name`` started (``None`` if it never succeeded)."""
    return (
        JobRun.objects.filter(job_name=job_name, outcome=JobOutcome.SUCCEEDED)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )


def is_due(*, job: ScheduledJob, now: datetime.datetime) -> bool:
    """Whether no successful run of ``job`` started within its interval before ``now``."""
    last = last_success(job_name=job.name)
    return last is None or now - last >= job.every - DUE_TOLERANCE


def _lock(job_name: str) -> None:
    try:
        JobLock.objects.select_for_update(nowait=True).get(job_name=job_name)
    except DatabaseError as error:
        raise _LockHeldError(job_name) from error


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARACTERS]


def run_job(*, job: ScheduledJob, now: datetime.datetime, force: bool = False) -> RunReport:
    """Run ``job`` as of ``now`` if it is due (or ``force``), unless another run holds its lock.

    Parameters
    ----------
    job
        The registered job.
    now
        The moment the job works as of (its "now"; the run's own times are the clock's).
    force
        Run even when the job is not due.

    Returns
    -------
    RunReport
        Succeeded or failed (with the recorded :class:`JobRun`), skipped because another run
        holds the lock, or not due.
    """
    JobLock.objects.get_or_create(job_name=job.name)
    try:
        with transaction.atomic():
            _lock(job.name)
            if not force and not is_due(job=job, now=now):
                last = last_success(job_name=job.name)
                return RunReport(
                    job_name=job.name,
                    result=RunResult.NOT_DUE,
                    message=f"not due: last succeeded run started {last:%Y-%m-%d %H:%M:%S %Z}",
                )
            run = JobRun.objects.create(job_name=job.name, started_at=timezone.now())
            try:
                with transaction.atomic():
                    summary = dict(job.function()(now).items())
            except Exception as error:
                logger.exception("scheduled job %s failed", job.name)
                run.outcome = JobOutcome.FAILED
                run.error = _error_text(error)
                run.summary = {"as_of": now.isoformat()}
                run.finished_at = timezone.now()
                run.save()
                return RunReport(
                    job_name=job.name,
                    result=RunResult.FAILED,
                    message=f"failed: {run.error}",
                    run_id=run.pk,
                )
            run.outcome = JobOutcome.SUCCEEDED
            run.summary = {"as_of": now.isoformat(), **summary}
            run.finished_at = timezone.now()
            run.save()
    except _LockHeldError:
        return RunReport(
            job_name=job.name,
            result=RunResult.SKIPPED_LOCKED,
            message=RunResult.SKIPPED_LOCKED.value,
        )
    counts = ", ".join(f"{key}={value}" for key, value in summary.items())
    return RunReport(
        job_name=job.name,
        result=RunResult.SUCCEEDED,
        message=f"succeeded ({counts})" if counts else "succeeded",
        run_id=run.pk,
        summary=run.summary,
    )
