"""Deletion and the retention job of partner intelligence (issue 14).

The county-lines rule (``intelligence.yaml``): first review 365 days after submission, escalated
when the review is 14 days overdue, content deleted when it is 90 days overdue. Days are days in
Europe/London: the deletion day below (10 April 2027) is in British Summer Time, so the job run
at 23:30 UTC on 9 April is already on the 10th.
"""

from __future__ import annotations

import contextlib
import datetime
import sys
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from web_intelligence import (
    PERSON_NAME,
    VEHICLE_REGISTRATION,
    WHAT_IS_KNOWN,
    designate,
    make_submission,
    staff,
)
from web_reporting import publish_small_area

import safecity_web.__main__ as safecity_main
from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.encryption import DecryptionError
from safecity_web.intelligence.deletion import delete_submission
from safecity_web.intelligence.models import (
    ActionLink,
    DeletionReason,
    Grading,
    IntelligenceSubmission,
    PlaceLink,
    ReviewDecision,
    SanitisedCopy,
    SubmissionStatus,
)
from safecity_web.intelligence.retention import run_retention
from safecity_web.intelligence.review import retain_submission
from safecity_web.intelligence.submission import decrypt, encrypt, encrypt_json
from safecity_web.jobs.models import JobOutcome, JobRun
from safecity_web.strategy.models import Action, FocusArea, Priority, Strategy

pytestmark = pytest.mark.django_db

SUBMITTED = datetime.datetime(2026, 1, 10, 9, 30, tzinfo=datetime.UTC)
REVIEW_DUE = datetime.date(2027, 1, 10)
ESCALATION_DAY = REVIEW_DUE + datetime.timedelta(days=14)
DELETION_DAY = REVIEW_DUE + datetime.timedelta(days=90)
CONDITIONS = "Do not disclose the originating organisation."
REGRADE_REASON = "Corroborated by a second, independent source."
SANITISED_TEXT = "Drug dealing reported from a flat on Station Road."
OUTCOME_NOTE = "Passed to the neighbourhood team who visited the flat."
KEEP_REASON = "Supports the open operation against the dealing line."
CONTENT = (
    WHAT_IS_KNOWN,
    PERSON_NAME,
    VEHICLE_REGISTRATION,
    CONDITIONS,
    REGRADE_REASON,
    SANITISED_TEXT,
    OUTCOME_NOTE,
    KEEP_REASON,
    "Station Road, above the bakery",
)


def london(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """``day`` at ``hour:minute`` in Europe/London."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _run(now: datetime.datetime) -> dict[str, Any]:
    call_command("run_scheduled_jobs", job="intelligence_retention", now=now.isoformat())
    run = JobRun.objects.filter(job_name="intelligence_retention").latest("started_at", "id")
    assert run.outcome == JobOutcome.SUCCEEDED, run.error
    return dict(run.summary)


def _action() -> Action:
    strategy = Strategy.objects.create(
        name="Safe City Strategy",
        partnership="Safe City Partnership",
        period_start_year=2022,
        period_end_year=2027,
        source_file_name="strategy.yaml",
        source_sha256="0" * 64,
    )
    priority = Priority.objects.create(strategy=strategy, code="P1", title="Drugs", position=0)
    focus = FocusArea.objects.create(priority=priority, code="P1.1", title="Supply", position=0)
    return Action.objects.create(focus_area=focus, code="P1.1.1", text="Close lines", position=0)


def _everything_about(submission: IntelligenceSubmission, *, receiver: Any) -> None:
    """Give ``submission`` a row in every related table, each holding content."""
    moment = SUBMITTED + datetime.timedelta(days=3)
    Grading.objects.create(
        submission=submission,
        graded_by=receiver,
        graded_at=moment,
        source_evaluation="1",
        intelligence_assessment="B",
        handling_code="C",
        encrypted_handling_conditions=encrypt(CONDITIONS),
        encrypted_reason=encrypt(REGRADE_REASON),
    )
    SanitisedCopy.objects.create(
        submission=submission,
        created_by=receiver,
        created_at=moment,
        encrypted_content=encrypt_json({"what_is_known": SANITISED_TEXT}),
        removed_fields=["subjects", "location"],
    )
    ActionLink.objects.create(
        submission=submission, action=_action(), linked_by=receiver, linked_at=moment
    )
    PlaceLink.objects.create(
        submission=submission,
        area_code="E05900002",
        area_level="ward",
        boundary_vintage="2024",
        linked_by=receiver,
        linked_at=moment,
    )
    IntelligenceSubmission.objects.filter(pk=submission.pk).update(
        outcome="partner_action",
        encrypted_outcome_note=encrypt(OUTCOME_NOTE),
        outcome_recorded_at=moment,
        status=SubmissionStatus.ACTIONED,
    )
    submission.refresh_from_db()


def _intelligence_tables() -> list[str]:
    return [model._meta.db_table for model in apps.get_app_config("intelligence").get_models()]


def _content_found(tables: list[str]) -> list[str]:
    """Every content string found in ``tables``' raw rows, in the clear or in a token."""
    found = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for cell in row:
                    text = str(cell)
                    readable = [text]
                    if isinstance(cell, str) and cell:
                        with contextlib.suppress(DecryptionError, UnicodeError):
                            readable.append(decrypt(cell))
                    for value in readable:
                        found.extend(
                            f"{table}: {content}" for content in CONTENT if content in value
                        )
    return found


def test_nothing_happens_the_day_before_escalation_and_deletion_and_each_happens_on_its_day() -> (
    None
):
    publish_small_area()
    submitter = staff("submitter")
    submission = make_submission(submitted_by=submitter, now=SUBMITTED)
    assert submission.review_due == REVIEW_DUE

    before_escalation = _run(london(ESCALATION_DAY - datetime.timedelta(days=1), 23, 59))
    assert (before_escalation["escalated"], before_escalation["deleted"]) == (0, 0)
    submission.refresh_from_db()
    assert submission.review_escalated_at is None

    escalation_run_at = london(ESCALATION_DAY, 0, 5)
    escalated = _run(escalation_run_at)
    assert escalated == {
        "as_of": escalation_run_at.isoformat(),
        "escalated": 1,
        "deleted": 0,
        "escalated_by_topic": {"county_lines": 1},
        "deleted_by_topic": {},
    }
    submission.refresh_from_db()
    assert submission.review_escalated_at == escalation_run_at
    assert submission.deleted_at is None
    event = AuditEvent.objects.get(action=AuditAction.EDITED, object_id=submission.reference)
    assert event.detail == (
        "review escalated: due 2027-01-10, overdue by 14 days (topic rule: escalate after 14)"
    )
    assert event.user is None

    again = _run(escalation_run_at + datetime.timedelta(hours=1))
    assert (again["escalated"], again["deleted"]) == (0, 0)
    submission.refresh_from_db()
    assert submission.review_escalated_at == escalation_run_at  # not moved by a second run

    # 9 April 2027 at 23:59 in London is still the 89th day overdue.
    before_deletion = _run(london(DELETION_DAY - datetime.timedelta(days=1), 23, 59))
    assert (before_deletion["escalated"], before_deletion["deleted"]) == (0, 0)
    submission.refresh_from_db()
    assert submission.deleted_at is None
    assert decrypt(submission.encrypted_what_is_known) == WHAT_IS_KNOWN

    # 23:30 UTC on 9 April is 00:30 BST on 10 April: the 90th day overdue.
    deletion_run_at = datetime.datetime(2027, 4, 9, 23, 30, tzinfo=datetime.UTC)
    assert timezone.localdate(deletion_run_at) == DELETION_DAY
    deleted = _run(deletion_run_at)
    assert (deleted["escalated"], deleted["deleted"]) == (0, 1)
    assert deleted["deleted_by_topic"] == {"county_lines": 1}
    submission.refresh_from_db()
    assert submission.deleted_at == deletion_run_at
    assert submission.deletion_reason == DeletionReason.RETENTION_EXPIRED
    assert submission.status == SubmissionStatus.DELETED
    assert submission.encrypted_what_is_known == ""
    assert submission.subjects.count() == 0
    deletion = AuditEvent.objects.get(action=AuditAction.DELETED, object_id=submission.reference)
    assert deletion.detail == (
        "content deleted (retention_expired): Its review was overdue past the retention rule"
    )

    rerun = _run(deletion_run_at + datetime.timedelta(days=1))
    assert (rerun["escalated"], rerun["deleted"]) == (0, 0)
    assert AuditEvent.objects.filter(action=AuditAction.DELETED).count() == 1
    for run in JobRun.objects.all():
        assert submission.reference not in str(run.summary)
        assert WHAT_IS_KNOWN not in str(run.summary)


def test_each_topic_follows_its_own_rule_and_retained_reviews_start_again() -> None:
    publish_small_area()
    submitter = staff("submitter")
    receiver = staff("receiver")
    designate(receiver, "partnership_intelligence")
    county_lines = make_submission(submitted_by=submitter, now=SUBMITTED)
    asb = make_submission(submitted_by=submitter, topic="anti_social_behaviour", now=SUBMITTED)
    kept = make_submission(submitted_by=submitter, now=SUBMITTED)
    # ASB: first review after 180 days, deleted 60 days overdue.
    asb_due = datetime.date(2026, 7, 9)
    assert asb.review_due == asb_due
    # The third is kept at its review: the next is 365 days after the decision.
    retain_submission(submission=kept, reason=KEEP_REASON, by=receiver, now=london(REVIEW_DUE, 10))
    assert kept.review_due == datetime.date(2028, 1, 10)

    summary = run_retention(london(asb_due + datetime.timedelta(days=60), 6))
    assert summary == {
        "escalated": 1,
        "deleted": 1,
        "escalated_by_topic": {"anti_social_behaviour": 1},
        "deleted_by_topic": {"anti_social_behaviour": 1},
    }
    summary = run_retention(london(DELETION_DAY, 6))
    assert summary["deleted_by_topic"] == {"county_lines": 1}
    assert summary["escalated_by_topic"] == {"county_lines": 1}
    for submission in (county_lines, asb, kept):
        submission.refresh_from_db()
    assert county_lines.is_deleted
    assert asb.is_deleted
    assert not kept.is_deleted
    assert kept.review_escalated_at is None


def test_deleted_submissions_keep_their_de_identified_fields_and_no_content_anywhere() -> None:
    publish_small_area()
    submitter = staff("submitter")
    receiver = staff("receiver")
    designate(receiver, "police_intelligence")
    doomed = make_submission(submitted_by=submitter, now=SUBMITTED)
    _everything_about(doomed, receiver=receiver)
    retain_submission(
        submission=doomed, reason=KEEP_REASON, by=receiver, now=london(REVIEW_DUE, 10)
    )
    survivor = make_submission(
        submitted_by=submitter, now=SUBMITTED, point=None, ward_code="E05900001"
    )
    before = {
        field: getattr(doomed, field)
        for field in (
            "reference",
            "topic",
            "area_code",
            "ward_code",
            "lsoa_code",
            "boundary_vintage",
            "submitted_at",
            "source_evaluation",
            "intelligence_assessment",
            "handling_code",
            "outcome",
            "review_due",
            "last_reviewed_at",
        )
    }
    assert before["ward_code"] == "E05900002"
    tables = _intelligence_tables()
    found_before = _content_found(tables)
    # The scan sees the content while it is there (so it could fail), in every related table.
    for table in (
        "intelligence_intelligencesubmission",
        "intelligence_intelligencesubject",
        "intelligence_grading",
        "intelligence_sanitisedcopy",
        "intelligence_reviewdecision",
    ):
        assert any(line.startswith(f"{table}: ") for line in found_before), table

    deleted_at = london(DELETION_DAY, 1)
    assert delete_submission(
        submission=doomed, reason=DeletionReason.RETENTION_EXPIRED, now=deleted_at
    )
    # Only the survivor's own content is left.
    survivor_content = {WHAT_IS_KNOWN, PERSON_NAME, VEHICLE_REGISTRATION, CONDITIONS}
    survivor_content.add("Station Road, above the bakery")
    assert {line.partition(": ")[2] for line in _content_found(tables)} == survivor_content
    survivor.delete()
    assert _content_found(tables) == []
    assert _content_found(["accounts_auditevent", "jobs_jobrun"]) == []

    doomed.refresh_from_db()
    assert {field: getattr(doomed, field) for field in before} == before
    assert doomed.status == SubmissionStatus.DELETED
    assert doomed.deleted_at == deleted_at
    assert (doomed.occurred_from, doomed.occurred_to) == (None, None)
    assert (
        doomed.encrypted_what_is_known,
        doomed.encrypted_provenance_detail,
        doomed.encrypted_location,
        doomed.encrypted_handling_conditions,
        doomed.encrypted_outcome_note,
    ) == ("", "", "", "", "")
    assert doomed.subjects.count() == 0
    assert doomed.sanitised_copies.count() == 0
    assert doomed.action_links.count() == 0
    assert doomed.place_links.count() == 0
    assert Action.objects.count() == 1  # the action itself stays
    gradings = list(doomed.gradings.values_list("source_evaluation", "intelligence_assessment"))
    assert gradings == [("2", "B"), ("1", "B")]
    assert set(
        doomed.gradings.values_list("encrypted_handling_conditions", "encrypted_reason")
    ) == {("", "")}
    review = ReviewDecision.objects.get(submission=doomed)
    assert (review.decision, review.encrypted_reason, review.next_review) == (
        "retain",
        "",
        datetime.date(2028, 1, 10),
    )
    # Deleted submissions still count by their de-identified fields.
    assert (
        IntelligenceSubmission.objects.filter(
            topic="county_lines", ward_code="E05900002", submitted_at__year=2026
        ).count()
        == 1
    )


def test_deleting_twice_changes_nothing_the_second_time() -> None:
    publish_small_area()
    submission = make_submission(submitted_by=staff("submitter"), now=SUBMITTED)
    first = london(DELETION_DAY, 1)
    assert delete_submission(
        submission=submission, reason=DeletionReason.REVIEW_DECISION, now=first
    )
    assert not delete_submission(
        submission=submission,
        reason=DeletionReason.RETENTION_EXPIRED,
        now=first + datetime.timedelta(days=1),
    )
    submission.refresh_from_db()
    assert (submission.deleted_at, submission.deletion_reason) == (
        first,
        DeletionReason.REVIEW_DECISION,
    )
    assert AuditEvent.objects.filter(action=AuditAction.DELETED).count() == 1


@pytest.mark.django_db(transaction=True)  # the command closes the connection when it ends
def test_the_job_runs_from_python_m_safecity_web(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_small_area()
    submission = make_submission(submitted_by=staff("submitter"), now=SUBMITTED)
    now = london(DELETION_DAY, 3)
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "python -m safecity_web",
            "run_scheduled_jobs",
            "--job",
            "intelligence_retention",
            "--now",
            now.isoformat(),
        ],
    )
    safecity_main.main()
    out = capsys.readouterr().out
    assert out.strip() == (
        "intelligence_retention: succeeded (escalated=1, deleted=1, "
        "escalated_by_topic={'county_lines': 1}, deleted_by_topic={'county_lines': 1})"
    )
    submission.refresh_from_db()
    assert submission.deletion_reason == DeletionReason.RETENTION_EXPIRED
    run = JobRun.objects.get(job_name="intelligence_retention")
    assert (run.outcome, run.summary["deleted"]) == (JobOutcome.SUCCEEDED, 1)
