"""The reporter's private status page and erasure of their personal details (issue 13)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from web_reporting import publish_small_area

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.reporting.models import (
    Channel,
    CommunityReport,
    ReportEvent,
    ReportStatus,
)
from safecity_web.reporting.submission import ReportDraft, SubmittedReport, submit_report

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _submitted() -> SubmittedReport:
    publish_small_area()
    return submit_report(
        draft=ReportDraft(
            kind="hate",
            category="harassment",
            strands=("disability",),
            occurred_from=YESTERDAY,
            occurred_to=YESTERDAY,
            latitude=50.93,
            longitude=-1.37,
            place_name="Outside the library",
            description="Followed home and called names",
            targeted="My son",
            contact={"email": "parent@example.org"},
            contact_consent=True,
        ),
        channel=Channel.PUBLIC_FORM,
    )


def test_the_status_page_shows_status_history_and_outcome_but_no_personal_data(
    client: Client,
) -> None:
    submitted = _submitted()
    report = submitted.report
    ReportEvent.objects.create(
        report=report,
        occurred_at=timezone.now(),
        status=ReportStatus.REFERRED,
        public_text="We passed your report to the police.",
    )
    CommunityReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.REFERRED, outcome="The police spoke to the people involved."
    )
    response = client.get(f"/report/status/{submitted.status_token}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert report.reference in text
    assert "A hate incident or hate crime: Harassment or being followed" in text
    assert "Passed to the police" in text
    assert "We have received your report" in text
    assert "We passed your report to the police." in text
    assert "The police spoke to the people involved." in text
    for personal in ("parent@example.org", "Followed home", "My son", "library"):
        assert personal not in text
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("token", ["not-a-token", "x" * 65, "SC-0000-0000"])
def test_an_unknown_token_is_not_found_and_says_nothing(client: Client, token: str) -> None:
    _submitted()
    response = client.get(f"/report/status/{token}/")
    assert response.status_code == 404
    assert "SC-" not in response.content.decode()
    assert client.post(f"/report/status/{token}/delete/").status_code == 404


def test_the_reporter_can_delete_their_personal_details(client: Client) -> None:
    submitted = _submitted()
    status_url = f"/report/status/{submitted.status_token}/"
    confirm = client.get(status_url + "delete/")
    assert confirm.status_code == 200
    assert "Are you sure" in confirm.content.decode()
    assert confirm["Cache-Control"] == "no-store"
    # A form page: under no-referrer the browser would send "Origin: null", which CSRF refuses.
    assert confirm["Referrer-Policy"] == "same-origin"
    assert CommunityReport.objects.get().anonymised_at is None  # a GET deletes nothing
    response = client.post(status_url + "delete/")
    assert response.status_code == 302
    assert response["Location"] == status_url
    report = CommunityReport.objects.get()
    assert report.anonymised_at is not None
    assert report.encrypted_description == ""
    assert report.encrypted_contact == ""
    assert report.encrypted_targeted == ""
    assert (report.latitude, report.place_name) == (None, "")
    assert (report.kind, report.ward_code) == ("hate", submitted.report.ward_code)
    event = AuditEvent.objects.get(action=AuditAction.ANONYMISED)
    assert "erasure requested" in event.detail
    page = client.get(status_url).content.decode()
    assert "were deleted on" in page
    assert "Delete my personal details" not in page
    # Asking again changes nothing and goes back to the status page.
    again = client.post(status_url + "delete/")
    assert again["Location"] == status_url
    assert AuditEvent.objects.filter(action=AuditAction.ANONYMISED).count() == 1


def test_finding_by_reference_never_says_whether_the_report_exists(client: Client) -> None:
    submitted = _submitted()
    real = client.get("/report/find/", {"reference": submitted.report.reference.lower()})
    made_up = client.get("/report/find/", {"reference": "SC-0000-0000"})
    assert real.status_code == made_up.status_code == 200
    real_text = real.content.decode().replace(submitted.report.reference, "SC-0000-0000")
    assert real_text.replace(real.wsgi_request.csp_nonce, "") == made_up.content.decode().replace(
        made_up.wsgi_request.csp_nonce, ""
    ).replace('value="SC-0000-0000"', f'value="{submitted.report.reference.lower()}"')
    assert "use the private link" in made_up.content.decode()
    assert submitted.status_token not in real.content.decode()
    wrong = client.get("/report/find/", {"reference": "hello"})
    assert wrong.status_code == 400
    assert "Enter a reference like SC-7K3M-Q9TB" in wrong.content.decode()
