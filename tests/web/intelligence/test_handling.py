"""Handling by receivers (issue 14): the queue, the submission page for the submitter and for a
routed receiver, re-grade, sanitise, links, outcome, export, the audit trail and designations.

Data are made through the real services (``submit_intelligence`` via ``make_submission``); the
pages are reached with Django's test client. Content planted in the submission
(``WHAT_IS_KNOWN``, ``PERSON_NAME``, ``VEHICLE_REGISTRATION``) must never reach the queue, an
audit event or a page the user may not see.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import one_action_strategy
from web_intelligence import (
    PERSON_NAME,
    VEHICLE_REGISTRATION,
    WHAT_IS_KNOWN,
    designate,
    make_submission,
    organisation,
    staff,
)
from web_reporting import publish_small_area

from safecity_web.accounts.models import (
    AuditAction,
    AuditEvent,
    OrganisationKind,
    Role,
    User,
)
from safecity_web.intelligence.models import (
    ActionLink,
    DeletionReason,
    Grading,
    IntelligenceSubmission,
    PlaceLink,
    ReceiverDesignation,
    SanitisedCopy,
    SubmissionStatus,
)
from safecity_web.intelligence.submission import decrypt

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
SECRETS = (WHAT_IS_KNOWN, PERSON_NAME, VEHICLE_REGISTRATION, "Station Road, above the bakery")


@dataclass
class People:
    """The submitter, a routed receiver, an unrouted receiver, an administrator, a board member."""

    submitter: User
    receiver: User
    prevent_lead: User
    administrator: User
    board_member: User


@pytest.fixture
def people() -> People:
    publish_small_area()
    council = organisation("City Council", OrganisationKind.COUNCIL)
    police = organisation("Constabulary", OrganisationKind.POLICE)
    receiver = staff("fib.officer", role=Role.PARTNER_OFFICER, at=police)
    designate(receiver, "police_intelligence")
    prevent_lead = staff("prevent.lead", role=Role.PARTNER_OFFICER, at=council)
    designate(prevent_lead, "prevent_lead")
    board_member = staff("board.member", role=Role.BOARD_MEMBER, at=council)
    designate(board_member, "police_intelligence")
    return People(
        submitter=staff("youth.worker", role=Role.PARTNER_OFFICER, at=council),
        receiver=receiver,
        prevent_lead=prevent_lead,
        administrator=staff("admin", role=Role.ADMINISTRATOR, at=council),
        board_member=board_member,
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, submission: IntelligenceSubmission, **kwargs: Any) -> str:
    return reverse(f"intelligence:{name}", kwargs={"reference": submission.reference, **kwargs})


def _events(submission: IntelligenceSubmission, action: AuditAction) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_id=submission.reference, action=action).order_by("id")
    )


def test_the_queue_lists_routed_submissions_without_content(people: People) -> None:
    county_lines = make_submission(submitted_by=people.submitter, grading="2BC", now=NOW)
    exploitation = make_submission(
        submitted_by=people.submitter, topic="exploitation", grading="1AP", now=NOW
    )
    make_submission(submitted_by=people.submitter, topic="radicalisation", now=NOW)
    client = _client(people.receiver)
    response = client.get(reverse("intelligence:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 submissions" in html
    assert county_lines.reference in html
    assert exploitation.reference in html
    assert "Eastbank" in html  # the ward's name from the published boundaries
    assert "2/B/C" in html
    assert "1/A/P" in html
    assert "10 Mar 2026" in html  # submitted
    assert "10 Mar 2027" in html  # county lines: review 365 days later
    for secret in SECRETS:
        assert secret not in html

    by_topic = client.get(reverse("intelligence:queue"), {"topic": "exploitation"})
    assert "1 submission<" in by_topic.content.decode()
    assert county_lines.reference not in by_topic.content.decode()
    by_grade = client.get(reverse("intelligence:queue"), {"handling_code": "C"})
    assert county_lines.reference in by_grade.content.decode()
    assert exploitation.reference not in by_grade.content.decode()
    bad = client.get(reverse("intelligence:queue"), {"topic": "radicalisation"})
    assert bad.status_code == 400  # not one of this receiver's topics
    assert "Select a valid choice" in bad.content.decode()

    IntelligenceSubmission.objects.filter(pk=exploitation.pk).update(
        status=SubmissionStatus.DELETED, deleted_at=NOW
    )
    default = client.get(reverse("intelligence:queue")).content.decode()
    assert exploitation.reference not in default
    deleted = client.get(reverse("intelligence:queue"), {"status": "deleted"}).content.decode()
    assert exploitation.reference in deleted
    assert county_lines.reference not in deleted
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_INTELLIGENCE).exists()


def test_a_routed_receiver_sees_everything_and_each_view_is_audited(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    response = _client(people.receiver).get(_url("submission", submission))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    for secret in SECRETS:
        assert secret in html
    assert "Do not disclose the originating organisation." in html  # handling conditions
    assert "youth.worker" in html
    assert "City Council" in html
    assert "Grading history" in html
    assert "(submitter)" in html
    for action in ("regrade", "sanitise", "link-action", "link-place", "outcome"):
        assert f'action="{_url(action, submission)}"' in html
    assert f'href="{_url("submission-audit", submission)}"' in html
    views = _events(submission, AuditAction.VIEWED_INTELLIGENCE)
    assert [(event.username, event.organisation.name) for event in views] == [
        ("fib.officer", "Constabulary")
    ]
    assert all(secret not in views[0].detail for secret in SECRETS)


def test_the_submitter_sees_their_original_and_the_outcome_label_only(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, grading="2BC", now=NOW)
    receiver = _client(people.receiver)
    receiver.post(
        _url("regrade", submission),
        {
            "regrade-source_evaluation": "1",
            "regrade-intelligence_assessment": "A",
            "regrade-handling_code": "P",
            "regrade-reason": "Seen on the force's CCTV review.",
        },
    )
    receiver.post(
        _url("outcome", submission),
        {"outcome-outcome": "passed_to_police", "outcome-note": "Logged as intel 4471 by the FIB."},
    )
    response = _client(people.submitter).get(_url("submission", submission))
    html = response.content.decode()
    assert response.status_code == 200
    assert WHAT_IS_KNOWN in html
    assert PERSON_NAME in html
    assert "Outcome recorded" in html  # the status
    assert "Passed to the police intelligence system" in html  # the outcome's label
    assert "Logged as intel 4471" not in html  # the receivers' note
    assert "Seen on the force&#x27;s CCTV review." not in html  # a re-grade reason
    assert "2/B/C" in html
    assert "1/A/P" not in html
    assert "Grading history" not in html
    assert 'action="' not in html.split('id="main-content"')[1]  # no handling forms
    view = _events(submission, AuditAction.VIEWED_INTELLIGENCE)[-1]
    assert view.username == "youth.worker"
    assert view.detail.startswith("submitter's page")


@pytest.mark.parametrize("who", ["prevent_lead", "administrator", "board_member"])
def test_others_are_refused_every_page_and_action_and_nothing_changes(
    people: People, who: str
) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    make_submission(submitted_by=people.submitter, now=NOW)
    client = _client(getattr(people, who))
    for name in ("submission", "submission-audit"):
        assert client.get(_url(name, submission)).status_code == 403
    posts = {
        "regrade": {
            "regrade-source_evaluation": "1",
            "regrade-intelligence_assessment": "A",
            "regrade-handling_code": "P",
            "regrade-reason": "A reason.",
        },
        "sanitise": {"sanitise-keep_what_is_known": "on", "sanitise-what_is_known": "Text."},
        "link-place": {"place-area_code": "E05900001"},
        "outcome": {"outcome-outcome": "no_further_action"},
    }
    for name, data in posts.items():
        response = client.post(_url(name, submission), data)
        assert response.status_code == 403, name
        assert WHAT_IS_KNOWN not in response.content.decode()
    stored = IntelligenceSubmission.objects.get(pk=submission.pk)
    assert (stored.status, stored.source_evaluation, stored.outcome) == ("new", "2", "")
    assert not SanitisedCopy.objects.exists()
    assert not PlaceLink.objects.exists()
    assert Grading.objects.filter(submission=submission).count() == 1
    assert not _events(submission, AuditAction.VIEWED_INTELLIGENCE)
    denials = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
    assert denials.count() == 6
    queue = client.get(reverse("intelligence:queue"))
    # The prevent lead has a queue (radicalisation); the others have none.
    assert queue.status_code == (200 if who == "prevent_lead" else 403)
    assert submission.reference not in queue.content.decode()


def test_regrade_needs_a_reason_and_conditions_for_c_and_records_history(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, grading="2BC", now=NOW)
    client = _client(people.receiver)
    url = _url("regrade", submission)
    missing = client.post(
        url,
        {
            "regrade-source_evaluation": "1",
            "regrade-intelligence_assessment": "B",
            "regrade-handling_code": "C",
            "regrade-reason": "",
        },
    )
    assert missing.status_code == 400
    html = missing.content.decode()
    assert "There is a problem" in html
    assert "Say why the grading changes" in html
    no_conditions = client.post(
        url,
        {
            "regrade-source_evaluation": "1",
            "regrade-intelligence_assessment": "B",
            "regrade-handling_code": "C",
            "regrade-reason": "Corroborated.",
        },
    )
    assert no_conditions.status_code == 400
    assert "Handling code C needs its conditions written" in no_conditions.content.decode()
    conditions_for_p = client.post(
        url,
        {
            "regrade-source_evaluation": "1",
            "regrade-intelligence_assessment": "B",
            "regrade-handling_code": "P",
            "regrade-handling_conditions": "Police only.",
            "regrade-reason": "Corroborated.",
        },
    )
    assert conditions_for_p.status_code == 400
    assert "has no conditions" in conditions_for_p.content.decode()
    assert Grading.objects.filter(submission=submission).count() == 1
    assert IntelligenceSubmission.objects.get(pk=submission.pk).status == SubmissionStatus.NEW

    done = client.post(
        url,
        {
            "regrade-source_evaluation": "1",
            "regrade-intelligence_assessment": "B",
            "regrade-handling_code": "C",
            "regrade-handling_conditions": "Police and council safeguarding only.",
            "regrade-reason": "Corroborated by the council's housing records.",
        },
    )
    assert done.status_code == 302
    stored = IntelligenceSubmission.objects.get(pk=submission.pk)
    assert (stored.source_evaluation, stored.intelligence_assessment, stored.handling_code) == (
        "1",
        "B",
        "C",
    )
    assert decrypt(stored.encrypted_handling_conditions) == "Police and council safeguarding only."
    assert stored.status == SubmissionStatus.IN_PROGRESS
    latest = Grading.objects.filter(submission=submission).last()
    assert latest is not None
    assert not latest.by_submitter
    assert latest.graded_by == people.receiver
    assert "housing records" not in latest.encrypted_reason
    assert decrypt(latest.encrypted_reason) == "Corroborated by the council's housing records."
    (edit,) = _events(submission, AuditAction.EDITED)
    assert edit.detail == "re-graded from 2/B/C to 1/B/C"
    page = client.get(_url("submission", submission)).content.decode()
    assert "Corroborated by the council&#x27;s housing records." in page
    assert "Re-graded 1/B/C" in page  # the success message


def test_links_to_an_action_and_a_place_and_duplicates_are_refused(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    plan = one_action_strategy(
        organisation=organisation("City Council"), source_file_name="s.yaml", source_sha256="a" * 64
    )
    client = _client(people.receiver)
    page = client.get(_url("submission", submission)).content.decode()
    assert f'<option value="{plan.action.pk}">P1.F1.A1: Patrol hotspots</option>' in page
    assert '<option value="E05900002">Eastbank (ward, E05900002)</option>' in page
    assert "Smallton 004 (LSOA, E01900004)" in page

    action = {"action-action": str(plan.action.pk)}
    assert client.post(_url("link-action", submission), action).status_code == 302
    again = client.post(_url("link-action", submission), action)
    assert again.status_code == 400
    assert "It is already linked to action P1.F1.A1" in again.content.decode()
    assert ActionLink.objects.filter(submission=submission).count() == 1

    for code in ("E05900001", "E01900004"):
        place = {"place-area_code": code}
        assert client.post(_url("link-place", submission), place).status_code == 302
    duplicate = client.post(_url("link-place", submission), {"place-area_code": "E05900001"})
    assert duplicate.status_code == 400
    assert "It is already linked to Westfield (ward, E05900001)" in duplicate.content.decode()
    unknown = client.post(_url("link-place", submission), {"place-area_code": "E05999999"})
    assert unknown.status_code == 400
    assert "Choose a place" in unknown.content.decode()
    links = sorted(
        PlaceLink.objects.filter(submission=submission).values_list(
            "area_code", "area_level", "boundary_vintage"
        )
    )
    assert links == [("E01900004", "lsoa", "2021"), ("E05900001", "ward", "2021")]
    assert IntelligenceSubmission.objects.get(pk=submission.pk).status == "in_progress"
    details = [event.detail for event in _events(submission, AuditAction.EDITED)]
    assert details == [
        f"linked to action P1.F1.A1 (id {plan.action.pk})",
        "linked to ward E05900001",
        "linked to lsoa E01900004",
    ]


def test_recording_the_outcome(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    client = _client(people.receiver)
    refused = client.post(_url("outcome", submission), {"outcome-outcome": "arrested"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    done = client.post(
        _url("outcome", submission),
        {"outcome-outcome": "safeguarding_referral", "outcome-note": "Referred to MASH."},
    )
    assert done.status_code == 302
    stored = IntelligenceSubmission.objects.get(pk=submission.pk)
    assert stored.status == SubmissionStatus.ACTIONED
    assert stored.outcome == "safeguarding_referral"
    assert stored.outcome_recorded_at is not None
    assert "MASH" not in stored.encrypted_outcome_note
    assert decrypt(stored.encrypted_outcome_note) == "Referred to MASH."
    (edit,) = _events(submission, AuditAction.EDITED)
    assert edit.detail == "recorded the outcome safeguarding_referral"


def test_a_sanitised_copy_keeps_only_what_is_ticked_and_exports_it(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    client = _client(people.receiver)
    leaking = client.post(
        _url("sanitise", submission),
        {
            "sanitise-keep_what_is_known": "on",
            "sanitise-what_is_known": f"{PERSON_NAME} deals from a flat.",
        },
    )
    assert leaking.status_code == 400
    assert (
        "It still contains subject 1 (a person): name or names used, which you left out"
        in leaking.content.decode()
    )
    assert not SanitisedCopy.objects.exists()

    made = client.post(
        _url("sanitise", submission),
        {
            "sanitise-keep_what_is_known": "on",
            "sanitise-what_is_known": "A flat in the east of the area is used to deal drugs.",
            "sanitise-keep_subject_1_registration": "on",
            "sanitise-subject_1_registration": VEHICLE_REGISTRATION,
        },
    )
    assert made.status_code == 302
    copy = SanitisedCopy.objects.get(submission=submission)
    assert copy.removed_fields == [
        "provenance",
        "place_words",
        "point",
        "dates",
        "subjects[0].name",
        "subjects[0].nickname",
    ]
    stored = IntelligenceSubmission.objects.get(pk=submission.pk)
    assert decrypt(stored.encrypted_what_is_known) == WHAT_IS_KNOWN  # the original is unchanged

    csv_response = client.get(
        _url("sanitised-export", submission, copy_id=copy.pk, export_format="csv")
    )
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="{submission.reference}-sanitised-{copy.pk}.csv"'
    )
    rows = dict(csv.reader(io.StringIO(csv_response.content.decode())))
    assert rows["field"] == "value"
    assert rows["reference"] == submission.reference
    assert (rows["topic"], rows["month"], rows["ward_code"]) == (
        "county_lines",
        "2026-03",
        "E05900002",
    )
    assert (rows["source_evaluation"], rows["intelligence_assessment"], rows["handling_code"]) == (
        "2",
        "B",
        "C",
    )
    assert rows["handling_conditions"] == "Do not disclose the originating organisation."
    assert rows["what_is_known"] == "A flat in the east of the area is used to deal drugs."
    assert rows["subjects[0].registration"] == VEHICLE_REGISTRATION
    assert rows["subjects[0].kind"] == "vehicle"
    json_response = client.get(
        _url("sanitised-export", submission, copy_id=copy.pk, export_format="json")
    )
    document = json.loads(json_response.content)
    assert document["format"] == "safecity-sanitised-intelligence"
    assert document["subjects"] == [
        {
            "kind": "vehicle",
            "kind_label": "A vehicle",
            "details": {"registration": VEHICLE_REGISTRATION},
        }
    ]
    for body in (csv_response.content.decode(), json_response.content.decode()):
        for secret in (WHAT_IS_KNOWN, PERSON_NAME, "Station Road", "50.93", "told_by_person"):
            assert secret not in body
    page = client.get(_url("submission", submission)).content.decode()
    assert f"<li>Registration number: {VEHICLE_REGISTRATION}</li>" in page  # the copy, labelled
    assert "provenance, place_words, point, dates, subjects[0].name, subjects[0].nickname" in page
    exports = _events(submission, AuditAction.EXPORTED)
    assert [event.detail for event in exports] == [
        f"downloaded sanitised copy {copy.pk} as CSV",
        f"downloaded sanitised copy {copy.pk} as JSON",
    ]
    assert (
        client.get(
            _url("sanitised-export", submission, copy_id=copy.pk, export_format="xml")
        ).status_code
        == 404
    )
    other = make_submission(submitted_by=people.submitter, now=NOW)
    assert (
        client.get(
            _url("sanitised-export", other, copy_id=copy.pk, export_format="csv")
        ).status_code
        == 404
    )
    assert len(_events(submission, AuditAction.EXPORTED)) == 2


def test_the_csv_export_does_not_let_a_spreadsheet_run_a_formula(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, point=(50.93, -1.37), now=NOW)
    client = _client(people.receiver)
    formula = '=HYPERLINK("http://evil.example","click")'
    client.post(
        _url("sanitise", submission),
        {
            "sanitise-keep_what_is_known": "on",
            "sanitise-what_is_known": formula,
            "sanitise-keep_point": "on",
        },
    )
    copy = SanitisedCopy.objects.get(submission=submission)
    download = client.get(
        _url("sanitised-export", submission, copy_id=copy.pk, export_format="csv")
    )
    rows = dict(csv.reader(io.StringIO(download.content.decode())))
    assert rows["what_is_known"] == "'" + formula
    assert rows["longitude"] == "-1.37"  # a number is written as it is
    document = client.get(
        _url("sanitised-export", submission, copy_id=copy.pk, export_format="json")
    ).json()
    assert document["what_is_known"] == formula
    assert document["longitude"] == -1.37
    IntelligenceSubmission.objects.filter(pk=submission.pk).update(deleted_at=NOW)
    gone = client.get(_url("sanitised-export", submission, copy_id=copy.pk, export_format="csv"))
    assert gone.status_code == 404


def test_the_audit_trail_shows_who_saw_what(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    receiver = _client(people.receiver)
    receiver.get(_url("submission", submission))
    _client(people.submitter).get(_url("submission", submission))
    _client(people.prevent_lead).get(_url("submission", submission))  # refused
    receiver.post(_url("outcome", submission), {"outcome-outcome": "no_further_action"})
    response = receiver.get(_url("submission-audit", submission))
    html = response.content.decode()
    assert response.status_code == 200
    rows = html.split("<tbody")[1].split("<tr")[1:]
    whats = [
        (cells[1], cells[2], cells[3])
        for cells in (
            [part.split("</td>")[0].split(">")[-1] for part in row.split("<td")[1:]] for row in rows
        )
    ]
    assert whats == [
        ("fib.officer", "Constabulary", "Edited"),
        ("prevent.lead", "City Council", "Permission denied"),
        ("youth.worker", "City Council", "Viewed intelligence"),
        ("fib.officer", "Constabulary", "Viewed intelligence"),
        ("youth.worker", "City Council", "Created"),
    ]
    for secret in SECRETS:
        assert secret not in html
    assert _client(people.submitter).get(_url("submission-audit", submission)).status_code == 403

    admin = _client(people.administrator)
    log = admin.get(reverse("accounts:audit-log"), {"object": submission.reference.lower()})
    assert log.status_code == 200
    assert "Events 1 to 4 of 4" in log.content.decode()  # the denial names no object


def test_a_deleted_submission_shows_only_that_it_was_deleted(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    IntelligenceSubmission.objects.filter(pk=submission.pk).update(
        encrypted_what_is_known="",
        encrypted_location="",
        encrypted_handling_conditions="",
        status=SubmissionStatus.DELETED,
        deleted_at=NOW,
        deletion_reason=DeletionReason.RETENTION_EXPIRED,
    )
    submission.subjects.all().delete()
    for user in (people.receiver, people.submitter):
        response = _client(user).get(_url("submission", submission))
        html = response.content.decode()
        assert response.status_code == 200
        assert "was deleted on 10 March 2026" in html
        assert "its review was overdue past the retention rule" in html
        assert "Grading history" not in html
    refused = _client(people.receiver).post(
        _url("outcome", submission), {"outcome-outcome": "no_further_action"}
    )
    assert refused.status_code == 400
    assert (
        "This submission's content has been deleted, so it can no longer be handled"
        in refused.content.decode()
    )
    assert IntelligenceSubmission.objects.get(pk=submission.pk).outcome == ""


def test_administrators_give_and_take_away_designations(people: People) -> None:
    submission = make_submission(submitted_by=people.submitter, now=NOW)
    analyst = staff("an.analyst", role=Role.ANALYST)
    centre = staff("centre.worker", role=Role.REPORTING_CENTRE_WORKER)
    admin = _client(people.administrator)
    url = reverse("intelligence:receivers")
    page = admin.get(url).content.decode()
    assert "fib.officer" in page
    assert "Police intelligence officer" in page
    assert submission.reference not in page
    assert WHAT_IS_KNOWN not in page

    given = admin.post(url, {"username": "An.Analyst", "receiver": "partnership_intelligence"})
    assert given.status_code == 302
    designation = ReceiverDesignation.objects.get(user=analyst)
    assert (designation.receiver, designation.designated_by) == (
        "partnership_intelligence",
        people.administrator,
    )
    created = AuditEvent.objects.get(action=AuditAction.CREATED, username="admin")
    assert created.detail == "designated an.analyst as receiver partnership_intelligence"

    for username, words in (
        ("board.member", "board.member is a board member: only staff"),
        ("centre.worker", "centre.worker is a reporting-centre worker: only staff"),
        ("an.analyst", "an.analyst is already designated as Partnership intelligence analyst"),
        ("nobody", "There is no account with the username nobody"),
    ):
        refused = admin.post(url, {"username": username, "receiver": "partnership_intelligence"})
        assert refused.status_code == 400, username
        assert words in refused.content.decode()
    assert not ReceiverDesignation.objects.filter(user=centre).exists()
    assert ReceiverDesignation.objects.count() == 4

    removed = admin.post(
        reverse("intelligence:receiver-remove", kwargs={"designation_id": designation.pk})
    )
    assert removed.status_code == 302
    assert not ReceiverDesignation.objects.filter(pk=designation.pk).exists()
    deleted = AuditEvent.objects.get(action=AuditAction.DELETED, username="admin")
    assert deleted.detail == "took away receiver partnership_intelligence from an.analyst"
    assert _client(people.receiver).get(url).status_code == 403
