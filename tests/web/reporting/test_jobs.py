"""The scheduled-job runner (issue 13): due jobs, one JobRun per run, never two runs at once."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.utils import timezone
from web_triage import BLOCKING_JOB, FAILING_JOB, GATE

from safecity_web.jobs.models import JobLock, JobOutcome, JobRun
from safecity_web.jobs.registry import job_named, registered_jobs
from safecity_web.jobs.runner import RunResult, is_due, run_job

NOW = datetime.datetime(2026, 3, 1, 2, 0, tzinfo=datetime.UTC)


def test_the_retention_job_is_registered() -> None:
    names = [job.name for job in registered_jobs()]
    assert names[0] == "community_reports_retention"
    assert "intelligence_retention" in names
    assert job_named("community_reports_retention").function().__name__ == "run_retention"
    with pytest.raises(KeyError, match="registered: community_reports_retention"):
        job_named("no_such_job")


@pytest.mark.django_db(transaction=True)
def test_a_second_concurrent_run_of_a_job_skips_and_records_nothing() -> None:
    GATE.entered.clear()
    GATE.release.clear()
    results: dict[str, RunResult] = {}

    def first() -> None:
        try:
            results["first"] = run_job(job=BLOCKING_JOB, now=NOW, force=True).result
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert GATE.entered.wait(timeout=30), "the first run never started"
        second = run_job(job=BLOCKING_JOB, now=NOW, force=True)
        assert second.result is RunResult.SKIPPED_LOCKED
        assert second.message == "skipped: another run of this job is still in progress"
        assert second.run_id is None
    finally:
        GATE.release.set()
        thread.join(timeout=30)
    assert results["first"] is RunResult.SUCCEEDED
    run = JobRun.objects.get(job_name=BLOCKING_JOB.name)
    assert (run.outcome, run.summary["waited"]) == (JobOutcome.SUCCEEDED, 1)
    assert JobLock.objects.filter(job_name=BLOCKING_JOB.name).count() == 1
    # The lock is free again once the first run has ended.
    GATE.entered.clear()
    third = run_job(job=BLOCKING_JOB, now=NOW, force=True)
    assert third.result is RunResult.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_a_lock_held_by_another_connection_makes_the_runner_skip_at_once() -> None:
    JobLock.objects.create(job_name="community_reports_retention")
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                JobLock.objects.select_for_update().get(job_name="community_reports_retention")
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        started = timezone.now()
        report = run_job(job=job_named("community_reports_retention"), now=NOW, force=True)
        assert report.result is RunResult.SKIPPED_LOCKED
        assert timezone.now() - started < datetime.timedelta(seconds=5)  # NOWAIT: no waiting
    finally:
        release.set()
        holder.join(timeout=30)
    assert JobRun.objects.count() == 0


@pytest.mark.django_db
def test_a_job_runs_when_due_and_not_again_within_its_interval() -> None:
    job = job_named("community_reports_retention")
    assert is_due(job=job, now=NOW)
    first = run_job(job=job, now=NOW)
    assert first.result is RunResult.SUCCEEDED
    assert first.message == "succeeded (reports_anonymised=0, alerts_deleted=0)"
    JobRun.objects.filter(pk=first.run_id).update(started_at=NOW)
    later = NOW + datetime.timedelta(minutes=30)
    assert run_job(job=job, now=later).result is RunResult.NOT_DUE
    assert run_job(job=job, now=later, force=True).result is RunResult.SUCCEEDED
    JobRun.objects.update(started_at=NOW)
    assert run_job(job=job, now=NOW + datetime.timedelta(minutes=56)).result is RunResult.SUCCEEDED


@pytest.mark.django_db
def test_a_failed_run_records_the_error_and_is_due_again() -> None:
    report = run_job(job=FAILING_JOB, now=NOW)
    assert report.result is RunResult.FAILED
    run = JobRun.objects.get(pk=report.run_id)
    assert (run.outcome, run.error) == (
        JobOutcome.FAILED,
        "RuntimeError: the warehouse is not reachable",
    )
    assert is_due(job=FAILING_JOB, now=NOW)


@pytest.mark.django_db
def test_the_command_runs_due_jobs_and_says_what_happened(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = timezone.now()
    call_command("run_scheduled_jobs", now=now.isoformat())
    assert "community_reports_retention: succeeded" in capsys.readouterr().out
    call_command("run_scheduled_jobs", now=(now + datetime.timedelta(minutes=1)).isoformat())
    assert "community_reports_retention: not due: last succeeded run started" in (
        capsys.readouterr().out
    )
    assert JobRun.objects.filter(job_name="community_reports_retention").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"job": "nightly_cleanup"}, "no scheduled job 'nightly_cleanup'"),
        ({"now": "yesterday"}, "--now must be an ISO 8601 date-time"),
    ],
)
def test_the_command_says_what_is_wrong(options: dict[str, str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("run_scheduled_jobs", **options)
    assert JobRun.objects.count() == 0


def test_the_command_is_reachable_as_python_m_safecity_web() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safecity_web", "run_scheduled_jobs", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
        env={"DJANGO_SETTINGS_MODULE": "safecity_web.settings.test", **_environment()},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--job" in result.stdout
    assert "--now" in result.stdout


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
