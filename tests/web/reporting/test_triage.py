"""Triage (issue 13): the queue by duty, one report with its personal data, and the actions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from web_accounts import PortalPeople, create_portal_people
from web_reporting import publish_small_area
from web_triage import PNG_BYTES, give_duty, make_report

from safecity_web.accounts.models import AuditAction, AuditEvent, Role
from safecity_web.encryption import Purpose, decrypt_text
from safecity_web.reporting.models import (
    CommunityReport,
    Moderation,
    ReportEvent,
    ReportNote,
    ReportStatus,
)
from safecity_web.reporting.submission import CleanImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> PortalPeople:
    publish_small_area()
    return create_portal_people()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _coordinator(people: PortalPeople) -> Client:
    user = people.user(Role.PARTNER_OFFICER)
    give_duty(user, "hate_crime_coordinator")
    return _client(user)


def _views(reference: str) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEWED_PERSONAL_DATA,
        object_type="community_report",
        object_id=reference,
    ).count()


def test_the_queue_shows_the_kinds_routed_to_the_users_duties_and_no_personal_data(
    people: PortalPeople,
) -> None:
    hate = make_report(description="Spat at by the bus stop")
    concern = make_report(kind="concern", category="asb", description="Noise every night")
    business = make_report(
        kind="business", category="theft", description="Stole razors", losses_pounds=Decimal("12")
    )
    page = _coordinator(people).get(reverse("reporting:queue"))
    assert page.status_code == 200
    text = page.content.decode()
    assert hate.reference in text
    assert concern.reference not in text
    assert business.reference not in text
    assert "Spat at" not in text
    assert "victim@example.org" not in text
    assert "Eastbank" in text  # the ward's name, not its code
    assert reverse("reporting:export-csv") not in text  # a partner officer may not export
    assert _views(hate.reference) == 0

    spoc = people.user(Role.ANALYST, same_organisation=False)
    give_duty(spoc, "police_spoc")
    text = _client(spoc).get(reverse("reporting:queue")).content.decode()
    assert hate.reference in text
    assert concern.reference in text
    assert business.reference not in text
    assert reverse("reporting:export-csv") in text  # an analyst may download the counts
    text = _client(people.user(Role.ADMINISTRATOR)).get(reverse("reporting:queue")).content.decode()
    assert all(report.reference in text for report in (hate, concern, business))


def test_the_queue_filters_and_lists_newest_first(people: PortalPeople) -> None:
    now = datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC)
    older = make_report(description="one", now=now - datetime.timedelta(days=2))
    newer = make_report(description="two", now=now)
    client = _coordinator(people)
    text = client.get(reverse("reporting:queue")).content.decode()
    assert text.index(newer.reference) < text.index(older.reference)
    CommunityReport.objects.filter(pk=older.pk).update(
        status=ReportStatus.IN_REVIEW, assigned_to=people.user(Role.PARTNER_OFFICER)
    )
    text = client.get(reverse("reporting:queue"), {"status": "in_review"}).content.decode()
    assert older.reference in text
    assert newer.reference not in text
    text = client.get(reverse("reporting:queue"), {"mine": "on"}).content.decode()
    assert older.reference in text
    assert newer.reference not in text
    wrong = client.get(reverse("reporting:queue"), {"status": "lost"})
    assert wrong.status_code == 400
    assert "Select a valid choice" in wrong.content.decode()


def test_the_report_page_shows_personal_data_and_records_one_view(people: PortalPeople) -> None:
    report = make_report(
        description="Shouted at outside the corner shop",
        targeted="My neighbour Sam",
        victim_consent={"share_with_police": True},
        attachments=(CleanImage(content_type="image/png", data=PNG_BYTES),),
    )
    client = _coordinator(people)
    page = client.get(reverse("reporting:report", kwargs={"reference": report.reference}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Shouted at outside the corner shop" in text
    assert "My neighbour Sam" in text
    assert "victim@example.org" in text
    assert "share_with_police: True" in text
    assert page["Cache-Control"] == "no-store, private"
    assert _views(report.reference) == 1
    event = AuditEvent.objects.get(action=AuditAction.VIEWED_PERSONAL_DATA)
    assert event.username == "partner_officer-own"


def test_contact_details_are_shown_only_with_consent(people: PortalPeople) -> None:
    report = make_report(contact={"phone": "07700 900123"}, contact_consent=False)
    text = (
        _coordinator(people)
        .get(reverse("reporting:report", kwargs={"reference": report.reference}))
        .content.decode()
    )
    assert "07700 900123" not in text
    assert "did not agree to be contacted" in text


def test_an_attachment_is_a_download_never_cached_and_audit_logged(people: PortalPeople) -> None:
    report = make_report(attachments=(CleanImage(content_type="image/png", data=PNG_BYTES),))
    attachment = report.attachments.get()
    response = _coordinator(people).get(
        reverse(
            "reporting:report-attachment",
            kwargs={"reference": report.reference, "attachment_id": attachment.pk},
        )
    )
    assert response.status_code == 200
    assert response.content == PNG_BYTES
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store, private"
    assert _views(report.reference) == 1


def _post(client: Client, name: str, report: CommunityReport, data: dict[str, str]) -> object:
    return client.post(reverse(name, kwargs={"reference": report.reference}), data)


def test_a_status_change_gives_the_reporter_plain_words(people: PortalPeople) -> None:
    report = make_report()
    client = _coordinator(people)
    response = _post(
        client,
        "reporting:report-status",
        report,
        {"status-status": "in_review", "status-public_text": "A coordinator is looking at it."},
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    latest = report.events.last()
    assert latest is not None
    assert (latest.status, latest.public_text) == ("in_review", "A coordinator is looking at it.")
    assert AuditEvent.objects.filter(
        action=AuditAction.EDITED, object_id=report.reference, detail="status received -> in_review"
    ).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter what the person who reported will see"),
        ("Call me on 023 8083 3000", "telephone number"),
        ("Write to sam@example.org", "email address"),
        ("See https://example.org", "web address"),
    ],
)
def test_status_text_with_contact_details_is_refused(
    people: PortalPeople, text: str, message: str
) -> None:
    report = make_report()
    response = _post(
        _coordinator(people),
        "reporting:report-status",
        report,
        {"status-status": "in_review", "status-public_text": text},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert 'href="#id_status-public_text"' in response.content.decode()  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED
    assert ReportEvent.objects.filter(report=report).count() == 1


def test_a_note_is_stored_encrypted_and_shown_to_staff(people: PortalPeople) -> None:
    report = make_report()
    client = _coordinator(people)
    _post(client, "reporting:report-note", report, {"note-text": "Rang the victim back at 4pm"})
    note = ReportNote.objects.get(report=report)
    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted_text FROM reporting_reportnote WHERE id = %s", [note.pk])
        (stored,) = cursor.fetchone()
    assert "victim back" not in stored
    assert decrypt_text(stored, purpose=Purpose.PERSONAL_DATA) == "Rang the victim back at 4pm"
    page = client.get(reverse("reporting:report", kwargs={"reference": report.reference}))
    assert "Rang the victim back at 4pm" in page.content.decode()
    assert report.events.count() == 1  # notes never reach the reporter


def test_a_referral_records_the_police_reference(people: PortalPeople) -> None:
    report = make_report()
    response = _post(
        _coordinator(people),
        "reporting:report-refer",
        report,
        {"refer-police_reference": "44260012345", "refer-public_text": ""},
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.status == ReportStatus.REFERRED
    assert report.police_reference == "44260012345"
    assert report.events.last().public_text == "We have passed your report to the police."  # type: ignore[union-attr]


def test_an_outcome_closes_the_report_and_restarts_its_retention(people: PortalPeople) -> None:
    report = make_report(now=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC))
    response = _post(
        _coordinator(people),
        "reporting:report-outcome",
        report,
        {"outcome-outcome": "The police spoke to the people involved."},
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert report.closed_at is not None
    assert report.retain_until == report.closed_at + datetime.timedelta(days=1095)
    assert report.outcome == "The police spoke to the people involved."

    # Reopening counts from receipt again.
    _post(
        _coordinator_again(people),
        "reporting:report-status",
        report,
        {"status-status": "in_review", "status-public_text": "We are looking at it again."},
    )
    report.refresh_from_db()
    assert report.closed_at is None
    assert report.retain_until == report.received_at + datetime.timedelta(days=1095)


def _coordinator_again(people: PortalPeople) -> Client:
    return _client(people.user(Role.PARTNER_OFFICER))


def test_moderation_marks_a_duplicate_of_another_report(people: PortalPeople) -> None:
    original = make_report(description="first")
    repeat = make_report(description="second")
    client = _coordinator(people)
    missing = _post(
        client, "reporting:report-moderate", repeat, {"moderate-moderation": "duplicate"}
    )
    assert missing.status_code == 400  # type: ignore[attr-defined]
    assert "Enter the reference of the report this repeats" in missing.content.decode()  # type: ignore[attr-defined]
    typed = original.reference.lower().replace("-", " ")
    done = _post(
        client,
        "reporting:report-moderate",
        repeat,
        {"moderate-moderation": "duplicate", "moderate-duplicate_of": typed},
    )
    assert done.status_code == 302  # type: ignore[attr-defined]
    repeat.refresh_from_db()
    assert (repeat.moderation, repeat.duplicate_of_id) == (Moderation.DUPLICATE, original.pk)
    _post(client, "reporting:report-moderate", original, {"moderate-moderation": "rejected"})
    original.refresh_from_db()
    assert original.moderation == Moderation.REJECTED


def test_assigning_only_to_a_holder_of_a_routed_duty(people: PortalPeople) -> None:
    report = make_report()
    client = _coordinator(people)
    holder = people.user(Role.ANALYST, same_organisation=False)
    give_duty(holder, "police_spoc")
    business_manager = people.user(Role.PARTNER_OFFICER, same_organisation=False)
    give_duty(business_manager, "business_crime_manager")
    refused = _post(
        client, "reporting:report-assign", report, {"assign-assignee": str(business_manager.pk)}
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.assigned_to_id is None
    done = _post(client, "reporting:report-assign", report, {"assign-assignee": str(holder.pk)})
    assert done.status_code == 302  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.assigned_to_id == holder.pk
    assert AuditEvent.objects.filter(
        object_id=report.reference, detail=f"assigned to {holder.username}"
    ).exists()


def test_erasing_deletes_the_personal_data_and_keeps_the_counts(people: PortalPeople) -> None:
    report = make_report(attachments=(CleanImage(content_type="image/png", data=PNG_BYTES),))
    client = _coordinator(people)
    assert _post(client, "reporting:report-erase", report, {}).status_code == 400  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.anonymised_at is None
    done = _post(client, "reporting:report-erase", report, {"erase-confirm": "on"})
    assert done.status_code == 302  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.anonymised_at is not None
    assert report.encrypted_description == ""
    assert report.attachments.count() == 0
    assert (report.kind, report.ward_code) == ("hate", "E05900002")
    assert AuditEvent.objects.get(action=AuditAction.ANONYMISED).detail == "deleted by staff"
    views_before = _views(report.reference)
    page = client.get(reverse("reporting:report", kwargs={"reference": report.reference}))
    assert "have been deleted" in page.content.decode()
    assert _views(report.reference) == views_before  # nothing personal left to view


def test_actions_need_the_csrf_token(people: PortalPeople) -> None:
    report = make_report()
    user = people.user(Role.ADMINISTRATOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = _post(client, "reporting:report-erase", report, {"erase-confirm": "on"})
    assert response.status_code == 403  # type: ignore[attr-defined]
    report.refresh_from_db()
    assert report.anonymised_at is None
