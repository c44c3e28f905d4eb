"""The retention job (issue 13): personal data deleted on time and not before, runs recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import timezone
from web_reporting import publish_small_area
from web_triage import PNG_BYTES, make_report

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.encryption import Purpose, encrypt_bytes, encrypt_text
from safecity_web.jobs.models import JobOutcome, JobRun
from safecity_web.reporting.models import BusinessAlert, BusinessScheme, CommunityReport
from safecity_web.reporting.submission import CleanImage
from safecity_web.reporting.triage import record_outcome

pytestmark = pytest.mark.django_db

RECEIVED = datetime.datetime(2026, 1, 10, 9, 30, tzinfo=datetime.UTC)
ONE_SECOND = datetime.timedelta(seconds=1)


def _run(now: datetime.datetime) -> None:
    call_command("run_scheduled_jobs", job="community_reports_retention", now=now.isoformat())


def test_a_report_is_anonymised_at_its_retention_date_and_not_a_second_before() -> None:
    publish_small_area()
    report = make_report(
        description="Shouted at outside the corner shop",
        attachments=(CleanImage(content_type="image/png", data=PNG_BYTES),),
        now=RECEIVED,
    )
    due = RECEIVED + datetime.timedelta(days=1095)
    assert report.retain_until == due

    _run(due - ONE_SECOND)
    report.refresh_from_db()
    assert report.anonymised_at is None
    assert report.encrypted_description != ""
    assert report.attachments.count() == 1

    _run(due)
    report.refresh_from_db()
    assert report.anonymised_at == due
    assert (report.encrypted_description, report.encrypted_contact, report.place_name) == (
        "",
        "",
        "",
    )
    assert report.latitude is None
    assert report.attachments.count() == 0
    # The de-identified fields stay for the counts.
    assert (report.kind, report.category, report.strands) == ("hate", "verbal_abuse", ["race"])
    assert (report.ward_code, report.lsoa_code, report.received_at) == (
        "E05900002",
        "E01900004",
        RECEIVED,
    )
    assert (
        AuditEvent.objects.get(action=AuditAction.ANONYMISED, object_id=report.reference).detail
        == "retention period ended"
    )

    runs = list(JobRun.objects.order_by("started_at", "id"))
    assert [run.outcome for run in runs] == [JobOutcome.SUCCEEDED, JobOutcome.SUCCEEDED]
    assert runs[0].summary["reports_anonymised"] == 0
    assert runs[1].summary["reports_anonymised"] == 1
    assert runs[1].summary["as_of"] == due.isoformat()
    assert runs[1].finished_at is not None
    assert runs[1].error == ""
    assert "corner shop" not in str(runs[1].summary)


def test_a_closed_report_is_kept_from_its_closing_not_its_receipt() -> None:
    publish_small_area()
    report = make_report(kind="concern", category="asb", now=RECEIVED)
    closed = RECEIVED + datetime.timedelta(days=100)
    record_outcome(report=report, outcome="The council moved the bins.", by=None, now=closed)
    _run(RECEIVED + datetime.timedelta(days=730))
    report.refresh_from_db()
    assert report.anonymised_at is None
    _run(closed + datetime.timedelta(days=730) - ONE_SECOND)
    report.refresh_from_db()
    assert report.anonymised_at is None
    _run(closed + datetime.timedelta(days=730))
    report.refresh_from_db()
    assert report.anonymised_at is not None


def test_business_alerts_past_their_date_are_emptied() -> None:
    scheme = BusinessScheme.objects.create(name="City centre shops")
    created = timezone.now() - datetime.timedelta(days=400)

    def alert(title: str, retain_until: datetime.datetime) -> BusinessAlert:
        return BusinessAlert.objects.create(
            scheme=scheme,
            title=title,
            encrypted_body=encrypt_text("Man in a red coat", purpose=Purpose.PERSONAL_DATA),
            encrypted_offender_description=encrypt_text("Tall", purpose=Purpose.PERSONAL_DATA),
            encrypted_image=encrypt_bytes(PNG_BYTES, purpose=Purpose.PERSONAL_DATA),
            image_content_type="image/png",
            created_at=created,
            retain_until=retain_until,
        )

    now = timezone.now()
    old = alert("Shoplifter on High Street", now - ONE_SECOND)
    fresh = alert("Aggressive beggar", now + datetime.timedelta(days=1))
    _run(now)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.encrypted_body, old.encrypted_offender_description, old.encrypted_image) == (
        "",
        "",
        None,
    )
    assert old.anonymised_at == now
    assert fresh.anonymised_at is None
    assert fresh.encrypted_body != ""
    assert JobRun.objects.get().summary["alerts_deleted"] == 1


def test_losses_and_business_fields_survive_anonymising() -> None:
    publish_small_area()
    report = make_report(
        kind="business",
        category="theft",
        losses_pounds=Decimal("45.50"),
        offender_description="Grey hoodie",
        now=RECEIVED,
    )
    _run(report.retain_until)
    report.refresh_from_db()
    assert report.encrypted_offender_description == ""
    assert report.losses_pounds == Decimal("45.50")


def test_a_failing_run_is_recorded_and_the_command_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publish_small_area()
    report = make_report(now=RECEIVED)

    def broken(now: datetime.datetime) -> dict[str, int]:
        CommunityReport.objects.filter(pk=report.pk).update(place_name="changed then undone")
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("safecity_web.reporting.retention.run_retention", broken)
    with pytest.raises(CommandError, match="1 job\\(s\\) failed: community_reports_retention"):
        _run(report.retain_until)
    run = JobRun.objects.get()
    assert run.outcome == JobOutcome.FAILED
    assert run.error == "RuntimeError: the disk is full"
    assert run.finished_at is not None
    report.refresh_from_db()
    assert report.place_name != "changed then undone"  # the failed job's work was rolled back


@pytest.mark.django_db(transaction=True)
def test_from_the_command_line_a_failed_job_exits_with_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(now: datetime.datetime) -> dict[str, int]:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("safecity_web.reporting.retention.run_retention", broken)
    utility = ManagementUtility(["python -m safecity_web", "run_scheduled_jobs"])
    with pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code == 1
    error = capsys.readouterr().err
    assert "community_reports_retention: failed: RuntimeError: the disk is full" in error
    assert "1 job(s) failed: community_reports_retention" in error
    assert JobRun.objects.get(job_name="community_reports_retention").outcome == JobOutcome.FAILED
