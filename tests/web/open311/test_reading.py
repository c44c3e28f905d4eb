"""GET requests and GET requests/<id> (issue 13): de-identified, ward-level, by the day."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from web_open311 import error_of, json_body, xml_root

from safecity_web.reporting.models import Channel, CommunityReport, Moderation, ReportStatus
from safecity_web.reporting.submission import ReportDraft, submit_report

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
DE_IDENTIFIED_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "requested_datetime",
    "updated_datetime",
}


def _report(*, channel: Channel = Channel.PUBLIC_FORM, **changes: Any) -> CommunityReport:
    values: dict[str, Any] = {
        "kind": "hate",
        "category": "physical_assault",
        "strands": ("sexual_orientation",),
        "occurred_from": YESTERDAY,
        "occurred_to": YESTERDAY,
        "latitude": 50.91,
        "longitude": -1.39,
        "description": "Punched near the bus stop on Mill Lane",
        "contact": {"email": "victim@example.org", "phone": "07700 900456"},
        "contact_consent": True,
    }
    values.update(changes)
    return submit_report(draft=ReportDraft(**values), channel=channel).report


def _day_start(moment: datetime.datetime) -> str:
    day = timezone.localtime(moment).date()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time())).isoformat()


def test_a_hate_report_is_listed_without_anything_personal(
    client: Client, small_area: Any, specification: Any
) -> None:
    report = _report()
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = json_body(response)
    assert list(specification.validator("requests.json").iter_errors(body)) == []
    assert body == [
        {
            "service_request_id": report.reference,
            "status": "open",
            "status_notes": "Received",
            "service_name": "Hate incident or hate crime",
            "service_code": "hate-incident",
            "requested_datetime": _day_start(report.received_at),
            "updated_datetime": _day_start(report.received_at),
            "address": "Westfield",
        }
    ]
    text = response.content.decode()
    for secret in ("Punched", "Mill Lane", "victim@", "07700", "sexual", "physical", "50.91"):
        assert secret not in text
    assert body[0]["requested_datetime"].endswith(("T00:00:00+00:00", "T00:00:00+01:00"))


def test_status_outcome_and_what_is_left_out(
    client: Client, small_area: Any, specification: Any
) -> None:
    closed = _report(kind="concern", category="drug_dealing", strands=(), description="")
    closed.status = ReportStatus.CLOSED
    closed.outcome = "The police have increased patrols in the area."
    closed.closed_at = timezone.now()
    closed.save()
    referred = _report(kind="concern", category="asb", strands=(), latitude=None, longitude=None)
    referred.status = ReportStatus.REFERRED
    referred.save()
    rejected = _report(description="spam spam")
    rejected.moderation = Moderation.REJECTED
    rejected.save()
    duplicate = _report(description="twice")
    duplicate.moderation = Moderation.DUPLICATE
    duplicate.save()
    _report(
        kind="business",
        category="theft",
        strands=(),
        losses_pounds=Decimal("20.00"),
        channel=Channel.BUSINESS,
    )
    _report(kind="concern", category="other_concern", strands=())
    body = json_body(client.get("/open311/v2/requests.json"))
    assert list(specification.validator("requests.json").iter_errors(body)) == []
    by_id = {record["service_request_id"]: record for record in body}
    assert set(by_id) == {closed.reference, referred.reference, duplicate.reference}
    assert by_id[closed.reference]["status"] == "closed"
    assert by_id[closed.reference]["status_notes"] == "Closed"
    assert "patrols" not in json.dumps(body)
    assert by_id[closed.reference]["service_code"] == "drug-dealing"
    assert by_id[closed.reference]["updated_datetime"] == _day_start(closed.closed_at)
    assert by_id[referred.reference]["status"] == "open"
    assert by_id[referred.reference]["status_notes"] == "Passed to the police"
    assert "address" not in by_id[referred.reference]
    for record in body:
        assert DE_IDENTIFIED_FIELDS <= set(record) <= DE_IDENTIFIED_FIELDS | {"address"}


def test_filters_by_id_service_status_and_dates(client: Client, small_area: Any) -> None:
    hate = _report()
    asb = _report(kind="concern", category="asb", strands=(), description="loud")
    closed = _report(kind="concern", category="asb", strands=(), description="again")
    closed.status = ReportStatus.CLOSED
    closed.save()
    old = _report(description="old")
    CommunityReport.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=120)
    )

    def ids(query: str) -> set[str]:
        response = client.get("/open311/v2/requests.json" + query)
        assert response.status_code == 200, response.content
        return {record["service_request_id"] for record in json_body(response)}

    assert ids("") == {hate.reference, asb.reference, closed.reference}
    assert ids("?service_code=asb") == {asb.reference, closed.reference}
    assert ids("?service_code=asb,hate-incident&status=open") == {hate.reference, asb.reference}
    assert ids("?status=closed") == {closed.reference}
    assert ids("?status=open,closed") == {hate.reference, asb.reference, closed.reference}
    # service_request_id overrides every other filter, and reaches older reports.
    lowered = old.reference.lower().replace("-", " ")
    assert ids(f"?service_request_id={hate.reference},{lowered}&status=closed") == {
        hate.reference,
        old.reference,
    }
    start = (timezone.now() - datetime.timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - datetime.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?start_date={start}&end_date={end}") == {old.reference}
    assert ids(f"?start_date={start}") == {old.reference}
    assert ids(f"?end_date={end}") == {old.reference}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start_date=2026-01-01", "start_date: '2026-01-01' is not a W3C date and time"),
        ("end_date=soon", "end_date: 'soon' is not a W3C date and time"),
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "end_date: the span from start_date may be at most 90 days",
        ),
        (
            "start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z",
            "end_date: is before start_date",
        ),
        ("status=pending", "status: 'pending' is not one of open, closed"),
        ("service_code=potholes", "service_code: there is no service 'potholes'"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(
    client: Client, query: str, expected: str
) -> None:
    description = error_of(client.get(f"/open311/v2/requests.json?{query}"), status=400)
    assert description.startswith(expected), description


def test_one_request_by_its_id_in_both_formats(
    client: Client, small_area: Any, specification: Any
) -> None:
    report = _report(kind="concern", category="exploitation", strands=())
    body = json_body(client.get(f"/open311/v2/requests/{report.reference}.json"))
    assert list(specification.validator("requests.json").iter_errors(body)) == []
    assert [record["service_code"] for record in body] == ["exploitation-concern"]
    root = xml_root(client.get(f"/open311/v2/requests/{report.reference}.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert request.findtext("service_request_id") == report.reference
    assert request.findtext("status") == "open"
    assert request.findtext("address") == "Westfield"
    assert request.find("description") is None
    assert request.find("lat") is None
    typed = report.reference.lower().replace("-", "")
    assert json_body(client.get(f"/open311/v2/requests/{typed}.json"))[0]["service_request_id"] == (
        report.reference
    )


def test_unknown_rejected_and_business_requests_are_not_found(
    client: Client, small_area: Any
) -> None:
    rejected = _report()
    rejected.moderation = Moderation.REJECTED
    rejected.save()
    business = _report(kind="business", category="theft", strands=(), channel=Channel.BUSINESS)
    for reference in ("SC-0000-0000", rejected.reference, business.reference):
        description = error_of(client.get(f"/open311/v2/requests/{reference}.json"), status=404)
        assert description == f"service_request_id: there is no service request '{reference}'"
