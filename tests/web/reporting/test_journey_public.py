"""The public report journey (issue 13): every question page, its errors, check answers, submit."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils import timezone
from web_report_journeys import (
    LAST_WEEK,
    PUBLIC_HATE_ANSWERS,
    YESTERDAY,
    answer,
    answer_all,
    date_answer,
)
from web_reporting import CSP_CODE, EAST_WARD, LSOAS, WEST_WARD, publish_small_area

from safecity_web.encryption import Purpose, decrypt_text
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.reporting.models import Channel, CommunityReport, Moderation

pytestmark = pytest.mark.django_db

NEW = "/report/new/"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Each test starts with no submissions counted (the limits are per process)."""
    caches["rate-limits"].clear()
    yield
    caches["rate-limits"].clear()


@pytest.fixture
def area() -> None:
    publish_small_area()


def test_the_start_page_signposts_emergencies_and_the_police_first(client: Client) -> None:
    response = client.get("/report/")
    assert response.status_code == 200
    text = response.content.decode()
    emergency, non_emergency = text.index("call 999"), text.index("call 101")
    assert emergency < text.index("Start now")
    assert non_emergency < text.index("Start now")
    assert 'href="https://www.police.uk/"' in text
    assert "do not need to give your name" in text
    assert 'href="/report/new/kind/"' in text


def test_a_hate_report_walks_every_page_and_reaches_the_database(
    client: Client, area: None
) -> None:
    location = answer_all(client, NEW, PUBLIC_HATE_ANSWERS)
    assert location == "/report/new/check/"
    check = client.get(location)
    text = check.content.decode()
    assert check.status_code == 200
    for shown in (
        "Race or ethnicity; Religion or belief",
        "Verbal abuse, threats or insults",
        "Eastbank",
        "corner shop",
        "Sam Example, sam@example.org",
    ):
        assert shown in text, shown
    assert check["Cache-Control"] == "no-store"
    sent = client.post(location, {"website": ""})
    assert sent.status_code == 302
    assert sent["Location"] == "/report/new/done/"
    report = CommunityReport.objects.get()
    assert report.channel == Channel.PUBLIC_FORM
    assert (report.kind, report.category) == ("hate", "verbal_abuse")
    assert report.strands == ["race", "religion"]
    assert report.occurred_from == report.occurred_to == YESTERDAY
    assert (report.ward_code, report.area_code) == (EAST_WARD, CSP_CODE)
    assert report.place_name == "Eastbank"
    assert report.contact_consent is True
    assert report.moderation == Moderation.PENDING
    assert report.submitted_by is None
    assert report.organisation is None
    description = decrypt_text(report.encrypted_description, purpose=Purpose.PERSONAL_DATA)
    assert description.startswith("Shouted at")
    done = client.get(sent["Location"])
    page = done.content.decode()
    assert report.reference in page
    assert "/report/status/" in page
    assert done["Referrer-Policy"] == "no-referrer"
    assert done["Cache-Control"] == "no-store"
    # The link is shown once: the draft and the token are gone from the session.
    again = client.get(sent["Location"])
    assert again.status_code == 302
    assert again["Location"] == "/report/"
    assert client.get("/report/new/check/")["Location"] == "/report/new/kind/"


def test_personal_answers_are_not_readable_in_the_database(client: Client, area: None) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS)
    client.post("/report/new/check/", {"website": ""})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_description, encrypted_contact, encrypted_targeted "
            "FROM reporting_communityreport"
        )
        description, contact, targeted = cursor.fetchone()
    assert "corner shop" not in description
    assert "sam@example.org" not in contact
    assert "Sam Example" not in contact
    assert "brother" not in targeted
    assert "sam@example.org" in decrypt_text(contact, purpose=Purpose.PERSONAL_DATA)


def test_a_concern_skips_the_strands_and_needs_no_personal_data(client: Client, area: None) -> None:
    location = answer_all(
        client,
        NEW,
        [
            ("kind", {"kind": "concern"}),
            ("category", {"category": "drug_dealing"}),
            (
                "when",
                {"when": "range", **date_answer("from", LAST_WEEK), **date_answer("to", YESTERDAY)},
            ),
            ("where", {"where": "not_said"}),
            ("description", {"description": ""}),
            ("targeted", {"targeted": ""}),
            ("contact", {"contact": "no"}),
            ("photos", {}),
        ],
    )
    assert location == "/report/new/check/"
    assert client.post(location, {"website": ""}).status_code == 302
    report = CommunityReport.objects.get()
    assert (report.kind, report.category, report.strands) == ("concern", "drug_dealing", [])
    assert (report.occurred_from, report.occurred_to) == (LAST_WEEK, YESTERDAY)
    assert (report.latitude, report.ward_code, report.online) == (None, "", False)
    assert report.area_code == CSP_CODE
    assert report.contact_consent is False
    assert decrypt_text(report.encrypted_contact, purpose=Purpose.PERSONAL_DATA) == ""


def test_a_point_from_the_map_places_the_report_without_the_choice_page(
    client: Client, area: None
) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[:4])
    response = answer(
        client,
        NEW,
        "where",
        {"where": "place", "place": "", "latitude": "50.905", "longitude": "-1.395"},
    )
    assert response["Location"] == "/report/new/description/"
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[6:])
    assert "a point on the map in Westfield" in client.get("/report/new/check/").content.decode()
    client.post("/report/new/check/", {"website": ""})
    report = CommunityReport.objects.get()
    assert (report.ward_code, report.lsoa_code) == (WEST_WARD, LSOAS[("west", "south")])
    assert report.latitude == pytest.approx(50.905)


def test_online_reports_have_no_point(client: Client, area: None) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[:4])
    assert answer(client, NEW, "where", {"where": "online"})["Location"].endswith("/description/")
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[6:])
    client.post("/report/new/check/", {"website": ""})
    report = CommunityReport.objects.get()
    assert report.online is True
    assert report.ward_code == ""


def test_an_unmatched_place_name_is_kept_as_typed(client: Client, area: None) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[:4])
    answer(client, NEW, "where", {"where": "place", "place": "Mill Lane"})
    page = client.get("/report/new/place/").content.decode()
    assert "No ward or neighbourhood of the area is called ‘Mill Lane’" in page
    assert answer(client, NEW, "place", {"place": "keep"})["Location"].endswith("/description/")
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[6:])
    client.post("/report/new/check/", {"website": ""})
    report = CommunityReport.objects.get()
    assert (report.place_name, report.latitude, report.ward_code) == ("Mill Lane", None, "")


def test_place_matches_list_the_areas_named_like_what_was_typed(client: Client, area: None) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[:4])
    answer(client, NEW, "where", {"where": "place", "place": "high street, westfield"})
    page = client.get("/report/new/place/").content.decode()
    assert 'value="E05900001"' in page  # Westfield ward: its whole name was typed
    assert 'value="E05900002"' not in page


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("kind", {}, "Select what you want to report"),
        ("kind", {"kind": "business"}, "Select a valid choice"),
    ],
)
def test_the_first_page_says_what_is_wrong(
    client: Client, area: None, slug: str, data: dict[str, str], message: str
) -> None:
    response = answer(client, NEW, slug, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert message in text
    assert '<a href="#id_kind">' in text
    assert text.count("govuk-form-group--error") == 1


def _page_error(client: Client, slug: str, data: dict[str, object]) -> str:
    response = answer(client, NEW, slug, data)
    assert response.status_code == 200, f"{slug} took {data}"
    text = response.content.decode()
    assert "There is a problem" in text
    return text


def test_every_page_refuses_what_is_wrong_with_a_message(client: Client, area: None) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[:1])
    assert "Select what you think it was about" in _page_error(client, "strands", {})
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[1:2])
    assert "Select what happened" in _page_error(client, "category", {})
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[2:3])
    when = _page_error(client, "when", {})
    assert "Select whether it happened on one day or over a period" in when
    missing_month = _page_error(
        client, "when", {"when": "day", "on_day": "3", "on_month": "", "on_year": "2026"}
    )
    assert "The date it happened must include a month" in missing_month
    assert '<a href="#id_on_month">' in missing_month
    not_real = _page_error(
        client, "when", {"when": "day", "on_day": "31", "on_month": "2", "on_year": "2025"}
    )
    assert "must be a real date" in not_real
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    future = _page_error(client, "when", {"when": "day", **date_answer("on", tomorrow)})
    assert "must be today or in the past" in future
    backwards = _page_error(
        client,
        "when",
        {"when": "range", **date_answer("from", YESTERDAY), **date_answer("to", LAST_WEEK)},
    )
    assert "The end date must be the same as or after the start date" in backwards
    old = timezone.localdate().replace(year=timezone.localdate().year - 6)
    assert "within the last 5 years" in _page_error(
        client, "when", {"when": "day", **date_answer("on", old)}
    )
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[3:4])
    assert "Select where it happened" in _page_error(client, "where", {})
    nothing = _page_error(client, "where", {"where": "place", "place": ""})
    assert "Enter a place or street name, or choose a point on the map" in nothing
    outside = _page_error(
        client, "where", {"where": "place", "latitude": "51.5", "longitude": "-0.12"}
    )
    assert "outside the area" in outside
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[4:6])
    long_text = "x" * 5001
    assert "must be 5000 characters or fewer" in _page_error(
        client, "description", {"description": long_text}
    )
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS[6:8])
    assert "Select yes if you want us to contact you" in _page_error(client, "contact", {})
    no_details = _page_error(client, "contact", {"contact": "yes", "consent": "on"})
    assert "Enter an email address or a phone number" in no_details
    bad_email = _page_error(
        client, "contact", {"contact": "yes", "email": "not-an-email", "consent": "on"}
    )
    assert "Enter an email address in the correct format" in bad_email
    no_consent = _page_error(client, "contact", {"contact": "yes", "phone": "07700 900982"})
    assert "Tick the box to agree" in no_consent


def test_a_page_cannot_be_skipped_to(client: Client, area: None) -> None:
    response = client.get("/report/new/contact/")
    assert response.status_code == 302
    assert response["Location"] == "/report/new/kind/"
    assert client.get("/report/new/nonsense/").status_code == 404


def test_strands_only_apply_to_hate(client: Client, area: None) -> None:
    answer(client, NEW, "kind", {"kind": "concern"})
    response = client.get("/report/new/strands/")
    assert response.status_code == 302
    assert response["Location"] == "/report/new/category/"


def test_change_links_come_back_to_check_answers(client: Client, area: None) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS)
    check = client.get("/report/new/check/").content.decode()
    assert 'href="/report/new/description/?change=1"' in check
    changed = client.post(
        "/report/new/description/?change=1", {"description": "A different account"}
    )
    assert changed["Location"] == "/report/new/check/"
    assert "A different account" in client.get("/report/new/check/").content.decode()
    # Changing the kind asks the new kind's category before coming back.
    changed = client.post("/report/new/kind/?change=1", {"kind": "concern"})
    assert changed["Location"] == "/report/new/category/"
    assert (
        client.post("/report/new/category/?change=1", {"category": "asb"})["Location"]
        == "/report/new/check/"
    )
    client.post("/report/new/check/", {"website": ""})
    report = CommunityReport.objects.get()
    assert (report.kind, report.category, report.strands) == ("concern", "asb", [])


def test_a_refusal_of_the_service_goes_back_to_the_page_that_asked(
    client: Client, area: None
) -> None:
    answer_all(client, NEW, PUBLIC_HATE_ANSWERS)
    # A new assessment is published meanwhile, of an area further east: the point is outside.
    PublishedAssessment.objects.update(status=AssessmentStatus.SUPERSEDED)
    moved = publish_small_area()
    for feature in moved.boundaries["features"]:
        ring = feature["geometry"]["coordinates"][0]
        feature["geometry"]["coordinates"] = [[[x + 1.0, y] for x, y in ring]]
    moved.save()
    response = client.post("/report/new/check/", {"website": ""})
    assert response.status_code == 302
    assert response["Location"] == "/report/new/where/?change=1"
    page = client.get(response["Location"]).content.decode()
    assert "There is a problem" in page
    assert "The place is outside the partnership&#x27;s area" in page
    assert not CommunityReport.objects.exists()


def test_journey_pages_are_never_kept_by_a_cache(client: Client, area: None) -> None:
    response = client.get("/report/new/kind/")
    assert response["Cache-Control"] == "no-store"
    from django.test import RequestFactory

    from safecity_web.public_cache import public_family

    for path in ("/report/", "/report/new/kind/", "/report/status/abc/"):
        assert public_family(RequestFactory().get(path)) is None
