"""The Community Partnership Intelligence form, page by page, with Django's test client (issue 14).

A partner officer submits intelligence about a person, a vehicle and premises in a ward chosen
by its name; each page refuses what is wrong with a GOV.UK error summary (400, nothing kept); a
refusal of the submission service comes back on the page that asks the field; submitting the
same draft twice makes one submission; the draft is encrypted in the session and never reaches
the audit log; board members may not submit.
"""

from __future__ import annotations

import datetime
import re
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from web_intelligence import PERSON_NAME, VEHICLE_REGISTRATION, make_submission, organisation, staff
from web_reporting import EAST_WARD, publish_small_area

from safecity_web.accounts.models import AuditEvent, OrganisationKind, Role
from safecity_web.intelligence.journey_submit import DRAFT_SESSION_KEY
from safecity_web.intelligence.models import IntelligenceSubmission, SubmissionStatus
from safecity_web.intelligence.submission import decrypt, decrypt_json, encrypt_json

pytestmark = pytest.mark.django_db

WHAT = "Two teenagers are collected from the school gates by a man who pays them in cash."
PREMISES_ADDRESS = "14 Mill Lane"
CONDITIONS = "Not to be shared outside the police without the originator's agreement."


def step(slug: str, *, change: bool = False) -> str:
    url = reverse("intelligence:submit-step", kwargs={"slug": slug})
    return url + "?change=1" if change else url


ABOUT = "/partners/intelligence/new/about/"


def _officer_client() -> tuple[Client, Any]:
    publish_small_area()
    officer = staff("officer", role=Role.PARTNER_OFFICER)
    client = Client()
    client.force_login(officer)
    return client, officer


def _add(client: Client, kind: str, details: dict[str, str]) -> None:
    chosen = client.post(ABOUT, {"action": "add", "kind": kind})
    assert chosen.status_code == 302
    assert chosen["Location"] == f"{ABOUT}add/{kind}/"
    added = client.post(chosen["Location"], details)
    assert added.status_code == 302, added.content.decode()[:2000]
    assert added["Location"] == ABOUT


def _answer_everything(client: Client, *, handling: str = "C") -> None:
    """Every question answered validly (person, vehicle, premises; Eastbank ward by name)."""
    assert client.post(reverse("intelligence:submit"))["Location"] == step("topic")
    assert client.post(step("topic"), {"topic": "county_lines"})["Location"] == step(
        "what-is-known"
    )
    assert client.post(step("what-is-known"), {"what_is_known": WHAT})["Location"] == ABOUT
    _add(client, "person", {"name": PERSON_NAME, "nickname": "JJ", "age_or_date_of_birth": "30s"})
    _add(client, "vehicle", {"registration": VEHICLE_REGISTRATION, "colour": "Silver"})
    _add(client, "premises", {"address": PREMISES_ADDRESS, "postcode": "SO14 0AA"})
    assert client.post(ABOUT, {"action": "continue"})["Location"] == step("where")
    where = client.get(step("where")).content.decode()
    assert re.search(rf'<option value="{EAST_WARD}"[^>]*>Eastbank</option>', where)
    moved = client.post(
        step("where"),
        {"where": "ward", "ward_code": EAST_WARD, "place_words": "Outside the school gates"},
    )
    assert moved["Location"] == step("when")
    day = timezone.localdate() - datetime.timedelta(days=3)
    moved = client.post(
        step("when"), {"from_day": day.day, "from_month": day.month, "from_year": day.year}
    )
    assert moved["Location"] == step("how-you-know")
    moved = client.post(step("how-you-know"), {"provenance": "saw_or_heard"})
    assert moved["Location"] == step("grading")
    grading = {"source_evaluation": "1", "intelligence_assessment": "A", "handling_code": handling}
    if handling == "C":
        grading["handling_conditions"] = CONDITIONS
    assert client.post(step("grading"), grading)["Location"] == reverse("intelligence:submit-check")


def _draft_id(client: Client) -> str:
    page = client.get(reverse("intelligence:submit-check")).content.decode()
    found = re.search(r'name="draft_id" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_partner_officer_submits_about_a_person_a_vehicle_and_premises_in_a_ward() -> None:
    client, officer = _officer_client()
    start = client.get(reverse("intelligence:submit"))
    assert start.status_code == 200
    assert "Police intelligence officer (force intelligence bureau)" in start.content.decode()
    _answer_everything(client)

    check = client.get(reverse("intelligence:submit-check"))
    assert check.status_code == 200
    assert check["Cache-Control"] == "no-store"
    text = check.content.decode()
    for shown in (
        "County lines and drug dealing",
        WHAT,
        f"Name or names used: {PERSON_NAME}",
        f"Registration number: {VEHICLE_REGISTRATION}",
        f"Address: {PREMISES_ADDRESS}",
        "Eastbank ward",
        "Outside the school gates",
        "I saw or heard it myself",
        "1AC",
        CONDITIONS.replace("'", "&#x27;"),
        "Police intelligence officer (force intelligence bureau); Partnership intelligence analyst",
    ):
        assert shown in text, shown
    hidden = re.findall(r'<input type="hidden" name="([a-z_]+)"', text)
    assert hidden == ["csrfmiddlewaretoken", "draft_id"]  # no answer travels in the page

    sent = client.post(reverse("intelligence:submit-check"), {"draft_id": _draft_id(client)})
    assert sent["Location"] == reverse("intelligence:submit-done")
    submission = IntelligenceSubmission.objects.get()
    assert submission.submitted_by == officer
    assert (submission.topic, submission.ward_code, submission.area_code) == (
        "county_lines",
        EAST_WARD,
        "E22900099",
    )
    assert decrypt(submission.encrypted_what_is_known) == WHAT
    assert decrypt_json(submission.encrypted_location) == {
        "place_words": "Outside the school gates"
    }
    assert submission.occurred_from == timezone.localdate() - datetime.timedelta(days=3)
    assert submission.occurred_to == submission.occurred_from
    assert (
        submission.source_evaluation,
        submission.intelligence_assessment,
        submission.handling_code,
    ) == ("1", "A", "C")
    assert decrypt(submission.encrypted_handling_conditions) == CONDITIONS
    subjects = [
        (subject.kind, decrypt_json(subject.encrypted_details))
        for subject in submission.subjects.order_by("position")
    ]
    assert subjects == [
        ("person", {"name": PERSON_NAME, "nickname": "JJ", "age_or_date_of_birth": "30s"}),
        ("vehicle", {"registration": VEHICLE_REGISTRATION, "colour": "Silver"}),
        ("premises", {"address": PREMISES_ADDRESS, "postcode": "SO14 0AA"}),
    ]

    done = client.get(reverse("intelligence:submit-done"))
    assert done.status_code == 200
    page = done.content.decode()
    assert submission.reference in page
    assert "Police intelligence officer (force intelligence bureau)" in page
    assert "Partnership intelligence analyst" in page
    assert f"{submission.review_due:%-d %B %Y}" in page

    mine = client.get(reverse("intelligence:mine")).content.decode()
    assert submission.reference in mine
    assert "County lines and drug dealing" in mine
    assert WHAT not in mine


def test_subjects_are_added_changed_and_removed_without_javascript() -> None:
    client, _ = _officer_client()
    _add(client, "person", {"name": "First Person"})
    _add(client, "place", {"name": "The rec ground"})
    _add(client, "vehicle", {"make_and_model": "Blue hatchback"})
    page = client.get(ABOUT).content.decode()
    assert re.findall(r"summary-card__title\">([^<]+)<", page) == [
        "Person 1",
        "Place 2",
        "Vehicle 3",
    ]
    removed = client.post(reverse("intelligence:submit-subject-remove", kwargs={"position": 1}))
    assert removed["Location"] == ABOUT
    change = reverse("intelligence:submit-subject", kwargs={"position": 1})
    assert "Blue hatchback" in client.get(change).content.decode()
    assert client.post(change, {"make_and_model": "Red van"})["Location"] == ABOUT
    page = client.get(ABOUT).content.decode()
    assert "The rec ground" not in page
    assert "Make and model: Red van" in page
    assert "First Person" in page
    # A position that is not there goes back to the list; an unknown kind is not found.
    assert client.get(reverse("intelligence:submit-subject", kwargs={"position": 7}))[
        "Location"
    ] == (ABOUT)
    assert client.get(f"{ABOUT}add/spaceship/").status_code == 404


DAY_AFTER_TOMORROW = timezone.localdate() + datetime.timedelta(days=2)
INVALID = [
    ("topic", {}, "Select what the intelligence is about", "id_topic"),
    ("topic", {"topic": "gossip"}, "Select one of the topics listed", "id_topic"),
    ("what-is-known", {"what_is_known": "  "}, "Enter what you know", "id_what_is_known"),
    (
        "what-is-known",
        {"what_is_known": "x" * 10_001},
        "Write at most 10,000 characters",
        "id_what_is_known",
    ),
    ("where", {"where": "ward"}, "Select the ward", "id_ward_code"),
    (
        "where",
        {"where": "ward", "ward_code": "E05999999"},
        "Select one of the wards",
        "id_ward_code",
    ),
    (
        "where",
        {"where": "point", "latitude": "north", "longitude": "-1.4"},
        "Latitude must be a number",
        "id_latitude",
    ),
    (
        "where",
        {"where": "point", "latitude": "50.9", "longitude": "-200"},
        "Longitude must be between -180 and 180",
        "id_longitude",
    ),
    (
        "when",
        {"from_day": "30", "from_month": "2", "from_year": "2025"},
        "must be a real date",
        "id_from_day",
    ),
    (
        "when",
        {
            "from_day": str(DAY_AFTER_TOMORROW.day),
            "from_month": str(DAY_AFTER_TOMORROW.month),
            "from_year": str(DAY_AFTER_TOMORROW.year),
        },
        "The first date must be today or in the past",
        "id_from_day",
    ),
    (
        "when",
        {
            "from_day": "10",
            "from_month": "3",
            "from_year": "2025",
            "to_day": "1",
            "to_month": "3",
            "to_year": "2025",
        },
        "The last date must be on or after the first date",
        "id_to_day",
    ),
    (
        "when",
        {"to_day": "1", "to_month": "3", "to_year": "2025"},
        "Enter the first date",
        "id_from_day",
    ),
    (
        "when",
        {"from_day": "\u00b9\u00b2", "from_month": "3", "from_year": "2025"},
        "The first date must be a real date: use numbers for the day",
        "id_from_day",
    ),
    ("how-you-know", {"provenance": "other"}, "Say how you know this", "id_provenance_detail"),
    ("how-you-know", {}, "Select how you know this", "id_provenance"),
    (
        "grading",
        {"source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "C"},
        "Write the conditions on which it may be shared (handling code C)",
        "id_handling_conditions",
    ),
    (
        "grading",
        {
            "source_evaluation": "2",
            "intelligence_assessment": "B",
            "handling_code": "P",
            "handling_conditions": "Only for the police",
        },
        "Handling code P has no conditions",
        "id_handling_conditions",
    ),
    (
        "grading",
        {"intelligence_assessment": "F", "handling_code": "P"},
        "Select how reliable the source is (1, 2 or 3)",
        "id_source_evaluation",
    ),
]


@pytest.mark.parametrize(
    ("slug", "data", "message", "target"), INVALID, ids=[f"{row[0]}-{row[2]}" for row in INVALID]
)
def test_each_page_refuses_what_is_wrong_with_an_error_summary(
    slug: str, data: dict[str, str], message: str, target: str
) -> None:
    client, _ = _officer_client()
    response = client.post(step(slug), data)
    assert response.status_code == 400
    page = response.content.decode()
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert summary is not None
    assert f'href="#{target}"' in summary.group(1)
    assert message in summary.group(1)
    assert "<title>Error: " in page
    assert f'id="{target}"' in page
    # Nothing was kept: the step is not answered and the draft holds none of it.
    assert client.session.get(DRAFT_SESSION_KEY) is None


def test_the_subject_pages_refuse_an_empty_subject_and_a_missing_kind() -> None:
    client, _ = _officer_client()
    empty = client.post(f"{ABOUT}add/person/", {"name": " ", "nickname": ""})
    assert empty.status_code == 400
    assert "Enter at least one detail about a person" in empty.content.decode()
    no_kind = client.post(ABOUT, {"action": "add"})
    assert no_kind.status_code == 400
    assert "Select what you want to add" in no_kind.content.decode()
    assert client.session.get(DRAFT_SESSION_KEY) is None


def _tamper(client: Client, **changes: Any) -> None:
    """Change the session's draft as a stale draft would be (boundaries re-published...)."""
    session = client.session
    draft = decrypt_json(session[DRAFT_SESSION_KEY])
    draft.update(changes)
    session[DRAFT_SESSION_KEY] = encrypt_json(draft)
    session.save()


def test_a_refusal_of_the_service_comes_back_on_the_page_that_asks_it() -> None:
    client, _ = _officer_client()
    _answer_everything(client)
    _tamper(client, ward_code="E05999999")  # a ward no longer in the published boundaries
    sent = client.post(reverse("intelligence:submit-check"), {"draft_id": _draft_id(client)})
    assert sent["Location"] == step("where", change=True)
    page = client.get(sent["Location"]).content.decode()
    assert "&#x27;E05999999&#x27; is not a ward of the partnership&#x27;s area" in page
    assert 'href="#id_ward_code"' in page
    assert IntelligenceSubmission.objects.count() == 0
    # Choosing a ward again and coming back to check answers submits it.
    moved = client.post(
        step("where", change=True), {"where": "ward", "ward_code": EAST_WARD, "place_words": ""}
    )
    assert moved["Location"] == reverse("intelligence:submit-check")
    client.post(reverse("intelligence:submit-check"), {"draft_id": _draft_id(client)})
    assert IntelligenceSubmission.objects.get().ward_code == EAST_WARD


def test_submitting_the_same_draft_twice_makes_one_submission() -> None:
    client, _ = _officer_client()
    _answer_everything(client, handling="P")
    draft_id = _draft_id(client)
    first = client.post(reverse("intelligence:submit-check"), {"draft_id": draft_id})
    second = client.post(reverse("intelligence:submit-check"), {"draft_id": draft_id})
    assert first["Location"] == second["Location"] == reverse("intelligence:submit-done")
    submission = IntelligenceSubmission.objects.get()
    assert submission.reference in client.get(reverse("intelligence:submit-done")).content.decode()
    # The back button to check answers finds no draft: it starts again, it does not resubmit.
    assert client.get(reverse("intelligence:submit-check"))["Location"] == step("topic")
    stale = client.post(reverse("intelligence:submit-check"), {"draft_id": "0" * 32})
    assert stale["Location"] == reverse("intelligence:submit")
    assert IntelligenceSubmission.objects.count() == 1


def test_the_draft_is_encrypted_in_the_session_and_never_in_the_audit_log() -> None:
    client, _ = _officer_client()
    _answer_everything(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        stored = repr(cursor.fetchall())
    for secret in (WHAT, PERSON_NAME, VEHICLE_REGISTRATION, PREMISES_ADDRESS, CONDITIONS):
        assert secret not in stored
    client.post(reverse("intelligence:submit-check"), {"draft_id": _draft_id(client)})
    events = list(AuditEvent.objects.values_list("detail", "path", "object_id"))
    assert events  # the service's CREATED event
    for secret in (WHAT, PERSON_NAME, VEHICLE_REGISTRATION, PREMISES_ADDRESS, CONDITIONS, "Mill"):
        assert secret not in repr(events)


def test_board_members_may_not_submit_but_see_the_counts_link_and_the_guide() -> None:
    publish_small_area()
    board = staff("board", role=Role.BOARD_MEMBER)
    client = Client()
    client.force_login(board)
    assert client.get(reverse("intelligence:submit")).status_code == 403
    assert client.post(step("topic"), {"topic": "county_lines"}).status_code == 403
    assert client.get(reverse("intelligence:mine")).status_code == 403
    home = client.get(reverse("intelligence:home"))
    assert home.status_code == 200
    page = home.content.decode()
    assert reverse("intelligence:grading-guide") in page
    assert reverse("intelligence:submit") not in page
    assert reverse("intelligence:mine") not in page
    guide = client.get(reverse("intelligence:grading-guide")).content.decode()
    for words in (
        "Untested",
        "Known indirectly to the source but corroborated",
        "Conditions required",
    ):
        assert words in guide
    assert IntelligenceSubmission.objects.count() == 0


def test_the_header_links_to_intelligence_for_partner_roles_only() -> None:
    home = reverse("intelligence:home")
    officer = staff("officer-nav", role=Role.PARTNER_OFFICER)
    centre = staff(
        "centre-nav",
        role=Role.REPORTING_CENTRE_WORKER,
        at=organisation("Centre", OrganisationKind.REPORTING_CENTRE),
    )
    for user, shown in ((officer, True), (centre, False)):
        client = Client()
        client.force_login(user)
        page = client.get(reverse("accounts:sign-in")).content.decode()
        assert (f'href="{home}">Intelligence</a>' in page) is shown, user.username


def test_my_submissions_show_deleted_ones_as_deleted_and_only_mine() -> None:
    publish_small_area()
    officer = staff("officer")
    other = staff("other-officer")
    kept = make_submission(submitted_by=officer, topic="hate")
    gone = make_submission(submitted_by=officer, topic="county_lines")
    theirs = make_submission(submitted_by=other)
    IntelligenceSubmission.objects.filter(pk=gone.pk).update(
        status=SubmissionStatus.DELETED, deleted_at=timezone.now()
    )
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("intelligence:mine")).content.decode()
    assert kept.reference in page
    assert gone.reference in page
    assert theirs.reference not in page
    row = re.search(rf"{gone.reference}.*?</tr>", page, re.S)
    assert row is not None
    assert "Deleted" in row.group(0)
    assert "Hate crime and community tension" in page
    assert "2 submissions" in page


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_the_same_draft_make_one_submission() -> None:
    client, _ = _officer_client()
    _answer_everything(client, handling="P")
    draft_id = _draft_id(client)
    start = threading.Barrier(2)
    answers: list[str] = []

    def post() -> None:
        twin = Client()
        twin.cookies = client.cookies
        start.wait()
        try:
            response = twin.post(reverse("intelligence:submit-check"), {"draft_id": draft_id})
            answers.append(response["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [reverse("intelligence:submit-done")] * 2
    assert IntelligenceSubmission.objects.count() == 1


def test_a_draft_can_be_continued_changed_from_check_answers_or_started_again() -> None:
    client, _ = _officer_client()
    _answer_everything(client)
    start = client.get(reverse("intelligence:submit")).content.decode()
    assert "Continue your form" in start
    assert "Start again" in start
    # Changing an answer from check answers comes back to check answers.
    change = step("topic", change=True)
    assert change in client.get(reverse("intelligence:submit-check")).content.decode()
    moved = client.post(change, {"topic": "modern_slavery"})
    assert moved["Location"] == reverse("intelligence:submit-check")
    check = client.get(reverse("intelligence:submit-check")).content.decode()
    assert "Modern slavery and human trafficking lead" in check
    assert "Partnership intelligence analyst" not in check
    # Starting again deletes the unsent answers.
    assert client.post(reverse("intelligence:submit"))["Location"] == step("topic")
    assert client.get(reverse("intelligence:submit-check"))["Location"] == step("topic")
    assert "Start now" in client.get(reverse("intelligence:submit")).content.decode()
    assert IntelligenceSubmission.objects.count() == 0
