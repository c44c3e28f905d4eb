"""The intelligence submission service (issue 14): checks, placing, encryption, grading, review."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from web_intelligence import (
    PERSON_NAME,
    VEHICLE_REGISTRATION,
    WHAT_IS_KNOWN,
    designate,
    make_submission,
    staff,
)
from web_reporting import publish_small_area

from safecity_web.accounts.models import AuditAction, AuditEvent, Role
from safecity_web.intelligence import access
from safecity_web.intelligence.models import Grading, IntelligenceSubmission
from safecity_web.intelligence.submission import (
    IntelligenceRejectedError,
    SubjectDraft,
    decrypt,
    decrypt_json,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def _raw_table_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intelligence_intelligencesubmission")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM intelligence_intelligencesubject")
        rows += cursor.fetchall()
        cursor.execute("SELECT * FROM intelligence_grading")
        rows += cursor.fetchall()
    return repr(rows)


def test_a_submission_is_placed_encrypted_graded_and_given_its_review_date() -> None:
    publish_small_area()
    officer = staff("officer")
    submission = make_submission(submitted_by=officer, grading="2BC", now=NOW)
    stored = IntelligenceSubmission.objects.get(pk=submission.pk)
    assert stored.reference.startswith("IN-")
    assert len(stored.reference) == 12
    assert (stored.area_code, stored.ward_code, stored.lsoa_code) == (
        "E22900099",
        "E05900002",
        "E01900004",
    )
    # county_lines: first review 365 days after submission (intelligence.yaml).
    assert stored.review_due == datetime.date(2027, 3, 10)
    assert decrypt(stored.encrypted_what_is_known) == WHAT_IS_KNOWN
    assert decrypt(stored.encrypted_handling_conditions).startswith("Do not disclose")
    subjects = [decrypt_json(subject.encrypted_details) for subject in stored.subjects.all()]
    assert subjects == [
        {"name": PERSON_NAME, "nickname": "J"},
        {"registration": VEHICLE_REGISTRATION},
    ]
    grading = Grading.objects.get(submission=stored)
    assert (grading.source_evaluation, grading.intelligence_assessment, grading.handling_code) == (
        "2",
        "B",
        "C",
    )
    assert grading.by_submitter
    raw = _raw_table_text()
    for secret in (WHAT_IS_KNOWN, PERSON_NAME, VEHICLE_REGISTRATION, "Station Road", "50.93"):
        assert secret not in raw
    event = AuditEvent.objects.get(object_id=stored.reference)
    assert event.action == AuditAction.CREATED
    assert event.object_type == "intelligence_submission"
    assert WHAT_IS_KNOWN not in event.detail


@pytest.mark.parametrize(
    ("overrides", "field_name", "words"),
    [
        ({"topic": "gossip"}, "topic", "no intelligence topic 'gossip'"),
        ({"what_is_known": "   "}, "what_is_known", "say what is known"),
        ({"grading": "4BP"}, "source_evaluation", "choose one of 1, 2, 3"),
        ({"grading": "2FP"}, "intelligence_assessment", "choose one of A, B, C, D, E"),
        (
            {"grading": "2BC", "handling_conditions": " "},
            "handling_conditions",
            "needs its conditions",
        ),
        ({"provenance": "other"}, "provenance_detail", "say how you know it"),
        (
            {"subjects": (SubjectDraft(kind="boat", details={"name": "x"}),)},
            "subjects[0]",
            "no subject kind",
        ),
        (
            {"subjects": (SubjectDraft(kind="vehicle", details={"name": "x"}),)},
            "subjects[0]",
            "has no field 'name'",
        ),
        (
            {"subjects": (SubjectDraft(kind="person", details={"name": " "}),)},
            "subjects[0]",
            "say something",
        ),
        ({"ward_code": "E05999999", "point": None}, "ward_code", "not a ward of the partnership"),
        (
            {"occurred_from": datetime.date(2026, 3, 9), "occurred_to": datetime.date(2026, 3, 1)},
            "occurred",
            "after the last",
        ),
        (
            {"occurred_from": datetime.date(2026, 3, 9), "occurred_to": datetime.date(2026, 3, 11)},
            "occurred",
            "in the future",
        ),
    ],
)
def test_bad_submissions_are_refused_naming_the_field(
    overrides: dict[str, object], field_name: str, words: str
) -> None:
    publish_small_area()
    officer = staff("officer")
    with pytest.raises(IntelligenceRejectedError) as caught:
        make_submission(submitted_by=officer, now=NOW, **overrides)  # type: ignore[arg-type]
    assert caught.value.field_name == field_name
    assert words in caught.value.message
    assert not IntelligenceSubmission.objects.exists()
    assert not AuditEvent.objects.filter(object_type="intelligence_submission").exists()


def test_a_ward_chosen_by_name_and_a_point_outside_the_area() -> None:
    publish_small_area()
    officer = staff("officer")
    by_ward = make_submission(submitted_by=officer, point=None, ward_code="E05900001", now=NOW)
    assert (by_ward.area_code, by_ward.ward_code, by_ward.lsoa_code) == (
        "E22900099",
        "E05900001",
        "",
    )
    outside = make_submission(submitted_by=officer, point=(51.5, -0.12), now=NOW)
    assert (outside.area_code, outside.ward_code) == ("", "")
    assert decrypt_json(outside.encrypted_location)["latitude"] == 51.5


def test_board_members_may_not_submit() -> None:
    publish_small_area()
    board = staff("board", role=Role.BOARD_MEMBER)
    with pytest.raises(PermissionError):
        make_submission(submitted_by=board, now=NOW)


def test_need_to_know_submitter_and_routed_receivers_only() -> None:
    publish_small_area()
    officer = staff("officer")
    police = staff("police-intel", role=Role.ANALYST)
    designate(police, "police_intelligence")
    prevent = staff("prevent", role=Role.PARTNER_OFFICER)
    designate(prevent, "prevent_lead")
    administrator = staff("admin", role=Role.ADMINISTRATOR)
    board = staff("board-receiver", role=Role.BOARD_MEMBER)
    designate(board, "police_intelligence")
    submission = make_submission(submitted_by=officer, topic="county_lines", now=NOW)
    assert access.may_see(user=officer, submission=submission)
    assert not access.may_handle(user=officer, submission=submission)
    assert access.may_handle(user=police, submission=submission)
    assert not access.may_see(user=prevent, submission=submission)  # radicalisation only
    assert not access.may_see(user=administrator, submission=submission)
    assert not access.may_see(user=board, submission=submission)  # a board member's designation
    assert list(access.receivers_of(topic="county_lines")) == [police]
    assert list(access.routed_submissions(user=police)) == [submission]
    assert list(access.routed_submissions(user=prevent)) == []
    assert list(access.visible_submissions(user=officer)) == [submission]
