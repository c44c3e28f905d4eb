"""A reporting centre's own area: its reports, their history and updates, nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from web_schemes import SchemeWorld, scheme_world

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.encryption import Purpose, encrypt_text
from safecity_web.reporting.models import ReportEvent, ReportNote, ReportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SchemeWorld:
    return scheme_world()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _move(report: object, *, status: ReportStatus, text: str, when: datetime.datetime) -> None:
    report.status = status  # type: ignore[attr-defined]
    report.outcome = text if status == ReportStatus.CLOSED else ""  # type: ignore[attr-defined]
    report.save()  # type: ignore[attr-defined]
    ReportEvent.objects.create(report=report, occurred_at=when, status=status, public_text=text)


def test_the_centre_sees_its_own_reports_only(world: SchemeWorld) -> None:
    response = _client(world.worker_a).get(reverse("reporting:centre-reports"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.report_a.reference in page
    assert world.report_b.reference not in page
    assert world.business_report.reference not in page
    assert "A hate incident or hate crime: Verbal abuse" in page
    # No personal data: neither the description nor the contact details.
    assert "bus stop" not in page
    assert "07700" not in page


def test_one_report_shows_its_history_and_outcome_but_no_triage_notes(world: SchemeWorld) -> None:
    now = timezone.now()
    ReportNote.objects.create(
        report=world.report_a,
        created_at=now,
        encrypted_text=encrypt_text("Coordinator's private note", purpose=Purpose.PERSONAL_DATA),
    )
    _move(
        world.report_a,
        status=ReportStatus.IN_REVIEW,
        text="A coordinator is looking at it.",
        when=now + datetime.timedelta(minutes=1),
    )
    _move(
        world.report_a,
        status=ReportStatus.CLOSED,
        text="Patrols were increased near the stop.",
        when=now + datetime.timedelta(minutes=2),
    )
    url = reverse("reporting:centre-report", kwargs={"reference": world.report_a.reference})
    response = _client(world.worker_a).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    history = page[page.index(">History</h2>") :]
    assert history.index("We have received your report") < history.index("A coordinator is")
    assert history.index("A coordinator is looking") < history.index("Patrols were increased")
    outcome = page[page.index(">Outcome</dt>") : page.index(">History</h2>")]
    assert "Patrols were increased near the stop." in outcome
    assert "Closed" in page
    assert "Coordinator's private note" not in page
    assert "bus stop" not in page


def test_another_centres_report_is_refused_and_audited(world: SchemeWorld) -> None:
    url = reverse("reporting:centre-report", kwargs={"reference": world.report_b.reference})
    response = _client(world.worker_a).get(url)
    assert response.status_code == 403
    denial = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert denial.user == world.worker_a
    assert "another organisation" in denial.detail


def test_updates_since_the_previous_sign_in_are_marked_new(world: SchemeWorld) -> None:
    now = timezone.now()
    earlier_sign_in = AuditEvent.objects.create(
        action=AuditAction.SIGN_IN, user=world.worker_a, username="worker-a"
    )
    AuditEvent.objects.filter(pk=earlier_sign_in.pk).update(
        occurred_at=now - datetime.timedelta(days=3)
    )
    AuditEvent.objects.create(action=AuditAction.SIGN_IN, user=world.worker_a, username="worker-a")
    _move(
        world.report_a,
        status=ReportStatus.IN_REVIEW,
        text="Old update.",
        when=now - datetime.timedelta(days=5),
    )
    _move(
        world.report_a,
        status=ReportStatus.REFERRED,
        text="Passed to the police.",
        when=now - datetime.timedelta(days=1),
    )
    _move(
        world.report_b,
        status=ReportStatus.CLOSED,
        text="Centre B's outcome.",
        when=now - datetime.timedelta(days=1),
    )
    page = _client(world.worker_a).get(reverse("reporting:centre-reports")).content.decode()
    updates = page[page.index('<h2 class="govuk-heading-m">Updates') : page.index(">Reports</h2>")]
    assert "Centre B's outcome" not in page
    assert updates.count(">New</strong>") == 1
    new_line = updates[updates.index(">New</strong>") :]
    assert "Passed to the police." in new_line.split("</li>")[0]
    assert "Old update." in updates


def test_an_account_outside_a_reporting_centre_is_refused(world: SchemeWorld) -> None:
    from web_accounts import make_user

    from safecity_web.accounts.models import Role

    stray = make_user(
        username="stray", role=Role.REPORTING_CENTRE_WORKER, organisation=world.council
    )
    response = _client(stray).get(reverse("reporting:centre-reports"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, user=stray).count() == 1
