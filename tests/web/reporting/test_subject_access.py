"""Subject access and erasure by reference (issue 13)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import PortalPeople, create_portal_people
from web_reporting import publish_small_area
from web_triage import PNG_BYTES, give_duty, make_report

from safecity_web.accounts.models import AuditAction, AuditEvent, Role
from safecity_web.reporting.models import CommunityReport, ReportStatus
from safecity_web.reporting.submission import CleanImage
from safecity_web.reporting.triage import add_note, change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> PortalPeople:
    publish_small_area()
    return create_portal_people()


def _coordinator(people: PortalPeople) -> Client:
    user = people.user(Role.PARTNER_OFFICER)
    give_duty(user, "hate_crime_coordinator")
    client = Client()
    client.force_login(user)
    return client


def _request(client: Client, reference: str, request_type: str, checked: bool = True) -> object:
    data = {"reference": reference, "request_type": request_type}
    if checked:
        data["identity_checked"] = "on"
    return client.post(reverse("reporting:subject-access"), data)


def test_a_subject_access_download_holds_everything_about_the_report(
    people: PortalPeople,
) -> None:
    report = make_report(
        description="Shouted at outside the corner shop",
        targeted="My neighbour Sam",
        attachments=(CleanImage(content_type="image/png", data=PNG_BYTES),),
    )
    staff = people.user(Role.PARTNER_OFFICER)
    change_status(
        report=report, status=ReportStatus.IN_REVIEW, public_text="Being looked at.", by=staff
    )
    add_note(report=report, text="Called back on Tuesday", by=staff)
    client = _coordinator(people)
    typed = report.reference.lower().replace("-", " ")
    response = _request(client, typed, "access")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == (  # type: ignore[index]
        f'attachment; filename="subject-access-{report.reference}.json"'
    )
    assert response["Cache-Control"] == "no-store, private"  # type: ignore[index]
    document = json.loads(response.content)  # type: ignore[attr-defined]
    assert document["reference"] == report.reference
    assert document["report"]["description"] == "Shouted at outside the corner shop"
    assert document["report"]["who_was_targeted"] == "My neighbour Sam"
    assert document["report"]["contact_details"] == "email: victim@example.org"
    assert document["report"]["ward_code"] == "E05900002"
    assert [event["status"] for event in document["status_history"]] == [
        "received",
        "in_review",
    ]
    assert document["notes"][0]["text"] == "Called back on Tuesday"
    assert document["attachments"] == [
        {
            "content_type": "image/png",
            "size_bytes": len(PNG_BYTES),
            "uploaded_at": report.received_at.isoformat(),
        }
    ]
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert (event.object_type, event.object_id) == ("community_report", report.reference)


def test_erasure_by_reference_anonymises_the_report(people: PortalPeople) -> None:
    report = make_report()
    client = _coordinator(people)
    response = _request(client, report.reference, "erasure")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Personal details deleted" in response.content.decode()  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.anonymised_at is not None
    assert report.encrypted_description == ""
    event = AuditEvent.objects.get(action=AuditAction.ANONYMISED)
    assert event.detail == "erasure requested by the person it is about"
    assert event.username == "partner_officer-own"
    again = _request(client, report.reference, "erasure")
    assert "Already deleted" in again.content.decode()  # type: ignore[attr-defined]


def test_the_request_needs_an_identity_check_and_a_known_reference(people: PortalPeople) -> None:
    report = make_report()
    business = make_report(kind="business", category="theft", description="razors")
    client = _coordinator(people)
    unchecked = _request(client, report.reference, "erasure", checked=False)
    assert unchecked.status_code == 400  # type: ignore[attr-defined]
    assert "Confirm that you have checked who is asking" in unchecked.content.decode()  # type: ignore[attr-defined]
    unknown = _request(client, "SC-0000-0000", "access")
    assert "There is no report with reference SC-0000-0000" in unknown.content.decode()  # type: ignore[attr-defined]
    malformed = _request(client, "hello", "access")
    assert "Enter a reference like SC-7K3M-Q9TB" in malformed.content.decode()  # type: ignore[attr-defined]
    not_routed = _request(client, business.reference, "erasure")
    assert not_routed.status_code == 400  # type: ignore[attr-defined]
    assert CommunityReport.objects.get(pk=business.pk).anonymised_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()
