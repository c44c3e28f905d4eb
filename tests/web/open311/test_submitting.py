"""POST requests (issue 13): a registered app submits a report; bad input is named; abuse held."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from web_open311 import INSIDE_EAST_NORTH, error_of, hate_form, json_body, post, xml_root
from web_reporting import EAST_WARD, LSOAS, WEST_WARD

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.encryption import Purpose, decrypt_text
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.open311.keys import register_application, revoke_application
from safecity_web.reporting.models import Channel, CommunityReport, Open311Application
from safecity_web.reporting.submission import token_hash

pytestmark = pytest.mark.django_db


def _created(response: Any, specification: Any) -> tuple[dict[str, Any], CommunityReport]:
    assert response.status_code == 200, response.content[:500]
    body = json_body(response)
    assert isinstance(body, list)
    assert len(body) == 1
    record = body[0]
    assert set(record) == {"service_request_id", "service_notice", "account_id"}
    assert record["account_id"] is None
    # The spec's request schema describes the id and notice fields of the created record too.
    schema_errors = [
        error.message
        for error in specification.validator("request.json").iter_errors(record)
        if error.validator != "required"
    ]
    assert schema_errors == []
    return record, CommunityReport.objects.get(reference=record["service_request_id"])


def test_a_hate_report_from_an_app_is_stored_placed_and_encrypted(
    client: Client, small_area: Any, api_key: str, specification: Any
) -> None:
    form = hate_form(
        api_key,
        email="victim@example.org",
        first_name="Sam",
        phone="07700 900123",
        **{"attribute[contact_consent]": "true", "attribute[when]": "2026-01-05"},
    )
    record, report = _created(post(client, form), specification)
    assert report.channel == Channel.OPEN311
    assert report.open311_application == Open311Application.objects.get(name="Test reporting app")
    assert (report.kind, report.category, report.strands) == (
        "hate",
        "verbal_abuse",
        ["race", "religion"],
    )
    assert (report.ward_code, report.lsoa_code) == (EAST_WARD, LSOAS[("east", "north")])
    assert (report.latitude, report.longitude) == (50.93, -1.37)
    assert report.occurred_from == report.occurred_to == datetime.date(2026, 1, 5)
    assert report.contact_consent is True
    contact = decrypt_text(report.encrypted_contact, purpose=Purpose.PERSONAL_DATA)
    assert contact == "email: victim@example.org\nfirst_name: Sam\nphone: 07700 900123"
    assert "victim@example.org" not in report.encrypted_contact
    assert decrypt_text(report.encrypted_description, purpose=Purpose.PERSONAL_DATA) == (
        "Shouted at outside the corner shop"
    )
    notice = record["service_notice"]
    assert notice.startswith("Thank you: your report has been received")
    token = notice.split("/report/status/", 1)[1].split("/", 1)[0]
    assert token_hash(token) == report.status_token_hash
    assert "http://testserver/report/status/" in notice
    assert "not kept" not in notice
    created = AuditEvent.objects.get(action=AuditAction.CREATED, object_id=report.reference)
    assert "victim" not in created.detail


def test_without_consent_contact_details_are_not_kept_and_media_url_is_ignored(
    client: Client, small_area: Any, api_key: str, specification: Any
) -> None:
    form = hate_form(
        api_key,
        email="someone@example.org",
        last_name="Jones",
        media_url="http://example.org/photo.jpg",
        device_id="tt222111",
        account_id="123456",
    )
    record, report = _created(post(client, form), specification)
    assert report.encrypted_contact == "" or (
        decrypt_text(report.encrypted_contact, purpose=Purpose.PERSONAL_DATA) == ""
    )
    assert report.contact_consent is False
    assert (
        "Contact details were not kept, because attribute[contact_consent] was not true."
        in (record["service_notice"])
    )
    assert (
        "The media_url was not kept: this service does not fetch links."
        in (record["service_notice"])
    )
    assert report.attachments.count() == 0
    assert report.occurred_from == timezone.localdate()


def test_a_place_named_in_address_string_places_the_report_at_that_ward(
    client: Client, small_area: Any, api_key: str, specification: Any
) -> None:
    form = {
        "api_key": api_key,
        "service_code": "unsafe-place",
        "address_string": "The underpass by the station, WESTFIELD",
    }
    _record, report = _created(post(client, form), specification)
    assert (report.kind, report.category) == ("concern", "unsafe_place")
    assert report.ward_code == WEST_WARD
    assert report.place_name == "Westfield"
    # The words sent are kept (encrypted) with the description, not in the clear.
    assert decrypt_text(report.encrypted_description, purpose=Purpose.PERSONAL_DATA) == (
        "Where: The underpass by the station, WESTFIELD"
    )
    # An LSOA's name is more specific than its ward's.
    form["address_string"] = "Smallton 003, Eastbank"
    _record, report = _created(post(client, form), specification)
    assert report.lsoa_code == LSOAS[("east", "south")]


def test_the_answer_in_xml_has_the_specifications_elements(
    client: Client, small_area: Any, api_key: str
) -> None:
    response = post(client, hate_form(api_key), url="/open311/v2/requests.xml")
    assert response.status_code == 200
    root = xml_root(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert [child.tag for child in request] == [
        "service_request_id",
        "service_notice",
        "account_id",
    ]
    assert CommunityReport.objects.filter(reference=request.findtext("service_request_id")).exists()
    account = request.find("account_id")
    assert account is not None
    assert account.text is None
    assert len(account) == 0


@pytest.mark.parametrize(
    ("changes", "status", "expected"),
    [
        ({"service_code": None}, 400, "service_code: is required (see GET services for the codes)"),
        ({"service_code": "potholes"}, 404, "service_code: there is no service 'potholes'"),
        ({"lat": None, "long": None}, 400, "lat: a location is required"),
        ({"long": None}, 400, "long: lat and long are sent together"),
        ({"lat": "north"}, 400, "lat: must be a number (WGS84 degrees), got 'north'"),
        ({"lat": "95"}, 400, "lat: must be between -90 and 90"),
        (
            {"lat": "51.5", "long": "-0.12"},
            400,
            "lat: the place is outside the partnership's area: report it to the police",
        ),
        (
            {"lat": None, "long": None, "address_string": "10 Downing Street, London"},
            400,
            "address_string: no ward or neighbourhood of the area is named in it; send lat and "
            "long, or include the name of a ward (Eastbank, Westfield)",
        ),
        ({"lat": None, "long": None, "address_id": "545483"}, 400, "address_id: is not supported"),
        (
            {"attribute[strands][]": None},
            400,
            "attribute[strands]: is required: choose one or more",
        ),
        ({"attribute[strands][]": ["race", "hair"]}, 400, "attribute[strands]: 'hair' is not one"),
        ({"attribute[category]": None}, 400, "attribute[category]: is required: choose one of"),
        ({"attribute[WHISPAWN]": "123456"}, 400, "attribute[WHISPAWN]: the service"),
        ({"attribute": "x"}, 400, "attribute: attributes are sent as attribute[code]=value"),
        ({"attribute[when]": "yesterday"}, 400, "attribute[when]: 'yesterday' is not an ISO 8601"),
        ({"attribute[when]": "2099-01-01"}, 400, "attribute[when]: the date is in the future"),
        ({"attribute[contact_consent]": "maybe"}, 400, "attribute[contact_consent]: must be true"),
        ({"description": "x" * 4001}, 400, "description: must be at most 4,000 characters"),
        ({"email": "not-an-address"}, 400, "email: is not an email address"),
    ],
)
@pytest.mark.usefixtures("small_area")
def test_bad_input_is_refused_naming_the_field(
    client: Client,
    api_key: str,
    changes: dict[str, Any],
    status: int,
    expected: str,
) -> None:
    description = error_of(post(client, hate_form(api_key, **changes)), status=status)
    assert description.startswith(expected), description
    assert CommunityReport.objects.count() == 0


def test_missing_unknown_and_revoked_keys_are_refused(
    client: Client, small_area: Any, api_key: str
) -> None:
    assert error_of(post(client, hate_form(api_key, api_key=None)), status=403) == (
        "api_key: is required to submit: registered apps get one from the partnership"
    )
    unknown = error_of(post(client, hate_form("o311_" + "A" * 43)), status=403)
    assert unknown == "api_key: is not the key of a registered app, or it has been revoked"
    assert error_of(post(client, hate_form("xyz")), status=403) == unknown
    other = register_application(name="Another app")
    assert post(client, hate_form(other.api_key)).status_code == 200
    revoke_application(name="Another app")
    assert error_of(post(client, hate_form(other.api_key)), status=403) == unknown
    refused_xml = xml_root(post(client, hate_form(other.api_key), url="/open311/v2/requests.xml"))
    assert refused_xml.tag == "errors"
    assert refused_xml.findtext("error/code") == "403"
    assert CommunityReport.objects.count() == 1


@override_settings(SAFECITY_OPEN311_ADDRESS_RATE="3/m", SAFECITY_OPEN311_KEY_RATE="")
def test_submissions_are_limited_per_address(client: Client, small_area: Any, api_key: str) -> None:
    statuses = [
        post(client, hate_form(api_key, description=f"report {number}")).status_code
        for number in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = post(client, hate_form(api_key, description="one more"))
    description = error_of(refused, status=429)
    assert description.startswith("too many requests from your address: at most 3 per m; try ")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address is not affected; a refused request is not stored.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert post(other, hate_form(api_key, description="from elsewhere")).status_code == 200
    assert CommunityReport.objects.count() == 4


@override_settings(SAFECITY_OPEN311_ADDRESS_RATE="", SAFECITY_OPEN311_KEY_RATE="2/m")
def test_submissions_are_limited_per_app(client: Client, small_area: Any, api_key: str) -> None:
    addresses = [f"203.0.113.{number}" for number in range(1, 4)]
    statuses = [
        post(Client(REMOTE_ADDR=address), hate_form(api_key, description=address)).status_code
        for address in addresses
    ]
    assert statuses == [200, 200, 429]
    description = error_of(post(Client(REMOTE_ADDR="203.0.113.50"), hate_form(api_key)), status=429)
    assert description.startswith("too many requests from this app: at most 2 per m")
    other = register_application(name="Second app").api_key
    assert post(client, hate_form(other)).status_code == 200


def test_the_default_limits_come_from_the_configuration(settings: Any) -> None:
    from safecity_web.open311.throttling import Limit, rate_of

    settings.SAFECITY_OPEN311_ADDRESS_RATE = None
    settings.SAFECITY_OPEN311_KEY_RATE = None
    assert rate_of(Limit.SUBMISSIONS_PER_ADDRESS) == "10/h"
    assert rate_of(Limit.SUBMISSIONS_PER_KEY) == "600/h"


def test_without_published_boundaries_a_place_name_cannot_be_matched(
    client: Client, api_key: str
) -> None:
    # Nothing published in this test (a session may have the demo published: set it aside).
    PublishedAssessment.objects.filter(status=AssessmentStatus.PUBLISHED).update(
        status=AssessmentStatus.SUPERSEDED
    )
    form = {"api_key": api_key, "service_code": "asb", "address_string": "Westfield"}
    description = error_of(post(client, form), status=400)
    assert description.startswith("address_string: places cannot be matched by name until")
    assert INSIDE_EAST_NORTH["lat"] == "50.93"
