"""A business's own area: its reports, accepting the scheme's agreement, then reading alerts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from web_schemes import SchemeWorld, scheme_world

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.reporting.models import AgreementAcceptance
from safecity_web.reporting.schemes import publish_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SchemeWorld:
    return scheme_world()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _alert_url(alert: object, *, image: bool = False) -> str:
    name = "reporting:business-alert-image" if image else "reporting:business-alert"
    return reverse(name, kwargs={"alert_id": alert.pk})  # type: ignore[attr-defined]


def test_a_business_sees_its_own_reports_with_losses_and_status(world: SchemeWorld) -> None:
    page = _client(world.member_a).get(reverse("reporting:business-reports")).content.decode()
    assert world.business_report.reference in page
    assert "£12.50" in page
    assert "Received" in page
    assert world.report_a.reference not in page
    other = _client(world.member_b).get(reverse("reporting:business-reports")).content.decode()
    assert world.business_report.reference not in other
    assert "has not made any reports yet" in other


def test_a_business_outside_every_scheme_is_told_so(world: SchemeWorld) -> None:
    client = _client(world.member_c)
    response = client.get(reverse("reporting:business-alerts"))
    assert response.status_code == 200
    assert "Your business is not a member of a business crime scheme" in response.content.decode()
    agreement = client.get(reverse("reporting:business-agreement")).content.decode()
    assert "Shop C is not a member of a business crime scheme" in agreement
    assert "Accept version" not in agreement


def test_alerts_wait_for_the_agreement_then_show_the_schemes_alerts(world: SchemeWorld) -> None:
    client = _client(world.member_b)
    response = client.get(reverse("reporting:business-alerts"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:business-agreement")
    denied = client.get(_alert_url(world.alert))
    assert denied.status_code == 403

    agreement_page = client.get(reverse("reporting:business-agreement")).content.decode()
    assert "Use alerts only to protect staff." in agreement_page
    assert "Accept version 1.0" in agreement_page
    accepted = client.post(
        reverse("reporting:business-agreement"), {"agreement": world.agreement.pk}
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("reporting:business-alerts")
    acceptance = AgreementAcceptance.objects.get(user=world.member_b)
    assert acceptance.agreement == world.agreement
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED,
        user=world.member_b,
        object_type="reporting.AgreementAcceptance",
        object_id=str(acceptance.pk),
    ).exists()

    alerts = client.get(reverse("reporting:business-alerts"))
    assert alerts.status_code == 200
    page = alerts.content.decode()
    assert "Shoplifter targeting high street" in page
    assert "Other scheme alert" not in page
    # The list shows titles only: the alert's text is read (and logged) on its own page.
    assert "Razor blades" not in page
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_PERSONAL_DATA).exists()


def test_reading_an_alert_and_its_image_is_logged_and_never_cached(world: SchemeWorld) -> None:
    client = _client(world.member_a)
    response = client.get(_alert_url(world.alert))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Razor blades taken from three shops on Monday." in page
    assert "Man in his 30s, red cap" in page
    assert _alert_url(world.alert, image=True) in page
    assert "no-store" in response["Cache-Control"]
    image = client.get(_alert_url(world.alert, image=True))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert "no-store" in image["Cache-Control"]
    assert image.content.startswith(b"\x89PNG")
    reads = AuditEvent.objects.filter(
        action=AuditAction.VIEWED_PERSONAL_DATA, user=world.member_a
    ).order_by("id")
    assert [event.object_id for event in reads] == [str(world.alert.pk)] * 2
    assert [event.detail for event in reads] == [
        "business alert to Smallton Business Crime Partnership",
        "business alert image (Smallton Business Crime Partnership)",
    ]


def test_another_schemes_alert_and_image_are_refused(world: SchemeWorld) -> None:
    client = _client(world.member_a)
    assert client.get(_alert_url(world.other_alert)).status_code == 403
    assert client.get(_alert_url(world.alert, image=True)).status_code == 200
    for outsider in (world.member_b, world.member_c):
        assert _client(outsider).get(_alert_url(world.alert, image=True)).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 3


def test_a_new_agreement_version_sends_members_back_to_accept_it(world: SchemeWorld) -> None:
    publish_agreement(scheme=world.scheme, version="2.0", text="Stricter terms.", by=world.manager)
    client = _client(world.member_a)
    response = client.get(reverse("reporting:business-alerts"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:business-agreement")
    page = client.get(reverse("reporting:business-agreement")).content.decode()
    assert "Stricter terms." in page
    assert "Accept version 2.0" in page


def test_accepting_an_old_version_is_refused(world: SchemeWorld) -> None:
    publish_agreement(scheme=world.scheme, version="2.0", text="Stricter terms.", by=world.manager)
    response = _client(world.member_b).post(
        reverse("reporting:business-agreement"), {"agreement": world.agreement.pk}
    )
    assert response.status_code == 403
    assert not AgreementAcceptance.objects.filter(user=world.member_b).exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1


def test_an_agreement_that_is_not_a_number_is_refused_not_an_error(world: SchemeWorld) -> None:
    client = _client(world.member_b)
    for value in ("abc", "١", "9" * 40, ""):
        response = client.post(reverse("reporting:business-agreement"), {"agreement": value})
        assert response.status_code == 403, value
    assert not AgreementAcceptance.objects.filter(user=world.member_b).exists()


def test_a_manager_reads_an_alert_in_the_partner_layout(world: SchemeWorld) -> None:
    page = _client(world.manager).get(_alert_url(world.alert)).content.decode()
    assert reverse("reporting:alerts") in page
    assert f'href="{reverse("reporting:business-reports")}"' not in page
