"""Administration of community reporting: duties, schemes, members, agreements, alerts, users."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from web_accounts import PASSWORD, make_organisation, make_user
from web_schemes import SchemeWorld, jpeg_with_location, scheme_world

from safecity_web.accounts.models import AuditAction, AuditEvent, OrganisationKind, Role, User
from safecity_web.encryption import Purpose, decrypt_bytes
from safecity_web.reporting.models import (
    BusinessAlert,
    BusinessScheme,
    SchemeMembership,
    SharingAgreement,
    TriageDuty,
)
from safecity_web.reporting.schemes import current_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SchemeWorld:
    return scheme_world()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_an_administrator_gives_and_removes_a_duty(world: SchemeWorld) -> None:
    officer = make_user(username="spoc", role=Role.PARTNER_OFFICER, organisation=world.council)
    client = _client(world.administrator)
    response = client.post(reverse("reporting:duties"), {"user": officer.pk, "duty": "police_spoc"})
    assert response.status_code == 302
    duty = TriageDuty.objects.get(user=officer)
    assert (duty.duty, duty.assigned_by) == ("police_spoc", world.administrator)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATED, detail="duty police_spoc given to spoc"
        ).count()
        == 1
    )
    page = client.get(reverse("reporting:duties")).content.decode()
    assert "Police single point of contact" in page
    assert "spoc" in page
    removed = client.post(reverse("reporting:duty-remove", kwargs={"duty_id": duty.pk}))
    assert removed.status_code == 302
    assert not TriageDuty.objects.filter(user=officer).exists()
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.DELETED, detail="duty police_spoc removed from spoc"
        ).count()
        == 1
    )


def test_duties_go_only_to_partner_users_and_known_duties(world: SchemeWorld) -> None:
    client = _client(world.administrator)
    response = client.post(
        reverse("reporting:duties"), {"user": world.member_a.pk, "duty": "police_spoc"}
    )
    assert response.status_code == 400
    assert "Select an active partner user from the list" in response.content.decode()
    unknown = client.post(
        reverse("reporting:duties"), {"user": world.manager.pk, "duty": "chief_constable"}
    )
    assert unknown.status_code == 400
    assert "govuk-error-summary" in unknown.content.decode()
    assert TriageDuty.objects.count() == 1  # the manager's own, from the world


def test_a_business_crime_manager_runs_a_scheme(world: SchemeWorld) -> None:
    client = _client(world.manager)
    created = client.post(reverse("reporting:schemes"), {"name": "  Eastbank   Traders "})
    scheme = BusinessScheme.objects.get(name="Eastbank Traders")
    assert created["Location"] == reverse("reporting:scheme", kwargs={"scheme_id": scheme.pk})
    duplicate = client.post(reverse("reporting:schemes"), {"name": "eastbank traders"})
    assert duplicate.status_code == 400
    assert "A scheme with this name already exists" in duplicate.content.decode()

    invite_url = reverse("reporting:scheme-invite", kwargs={"scheme_id": scheme.pk})
    assert client.post(invite_url, {"organisation": world.business_c.pk}).status_code == 302
    assert SchemeMembership.objects.filter(scheme=scheme, organisation=world.business_c).exists()
    centre = client.post(invite_url, {"organisation": world.centre_a.pk})
    assert centre.status_code == 400
    assert "Select a business from the list" in centre.content.decode()

    agreement_url = reverse("reporting:scheme-agreement", kwargs={"scheme_id": scheme.pk})
    published = client.post(agreement_url, {"version": "1.0", "text": "Keep alerts in-house."})
    assert published.status_code == 302
    current = current_agreement(scheme=scheme)
    assert current is not None
    assert current.text == "Keep alerts in-house."
    again = client.post(agreement_url, {"version": "1.0", "text": "Again"})
    assert again.status_code == 400
    assert "Version 1.0 has already been published" in again.content.decode()
    assert SharingAgreement.objects.filter(scheme=scheme).count() == 1
    detail = client.get(reverse("reporting:scheme", kwargs={"scheme_id": scheme.pk}))
    assert "Shop C" in detail.content.decode()


def test_a_manager_writes_an_alert_with_a_cleaned_image(world: SchemeWorld) -> None:
    upload = SimpleUploadedFile("phone.jpg", jpeg_with_location(), content_type="image/jpeg")
    response = _client(world.manager).post(
        reverse("reporting:alert-create"),
        {
            "scheme": world.scheme.pk,
            "title": "Distraction thefts",
            "body": "Two people asking for directions while a third takes the till.",
            "offender_description": "Three teenagers",
            "image": upload,
        },
    )
    assert response.status_code == 302
    alert = BusinessAlert.objects.get(title="Distraction thefts")
    assert alert.created_by == world.manager
    assert alert.image_content_type == "image/jpeg"
    data = decrypt_bytes(bytes(alert.encrypted_image), purpose=Purpose.PERSONAL_DATA)
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
    assert b"PhoneMaker" not in data


def test_an_alert_with_a_file_that_is_not_a_picture_is_refused(world: SchemeWorld) -> None:
    upload = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = _client(world.administrator).post(
        reverse("reporting:alert-create"),
        {"scheme": world.scheme.pk, "title": "Bad", "body": "x", "image": upload},
    )
    assert response.status_code == 400
    assert "The file is not a photo we can take: it must be a" in response.content.decode()
    assert not BusinessAlert.objects.filter(title="Bad").exists()


def _user_form(organisation_id: int, role: Role, username: str) -> dict[str, object]:
    return {
        "username": username,
        "first_name": "Test",
        "last_name": "Person",
        "email": f"{username}@example.org",
        "role": role.value,
        "organisation": organisation_id,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def test_roles_must_fit_the_organisations_kind(world: SchemeWorld) -> None:
    client = _client(world.administrator)
    url = reverse("accounts:user-create")
    wrong_centre = client.post(
        url, _user_form(world.council.pk, Role.REPORTING_CENTRE_WORKER, "x1")
    )
    assert "must belong to an organisation of kind Third-party reporting centre" in (
        wrong_centre.content.decode()
    )
    partner_in_shop = client.post(url, _user_form(world.business_a.pk, Role.ANALYST, "x2"))
    assert "hold only their own roles" in partner_in_shop.content.decode()
    member_in_centre = client.post(url, _user_form(world.centre_a.pk, Role.BUSINESS_MEMBER, "x3"))
    assert "must belong to an organisation of kind Business" in member_in_centre.content.decode()
    assert not User.objects.filter(username__in=["x1", "x2", "x3"]).exists()
    ok = client.post(url, _user_form(world.centre_b.pk, Role.REPORTING_CENTRE_WORKER, "x4"))
    assert ok.status_code == 302
    assert User.objects.get(username="x4").organisation == world.centre_b


def test_an_organisation_cannot_change_kind_under_its_users(world: SchemeWorld) -> None:
    response = _client(world.administrator).post(
        reverse("accounts:organisation-edit", kwargs={"organisation_id": world.centre_a.pk}),
        {"name": "Centre A", "kind": OrganisationKind.COUNCIL.value},
    )
    assert "roles do not fit this kind" in response.content.decode()
    world.centre_a.refresh_from_db()
    assert world.centre_a.kind == OrganisationKind.REPORTING_CENTRE
    empty = make_organisation(name="New centre", kind=OrganisationKind.COUNCIL)
    changed = _client(world.administrator).post(
        reverse("accounts:organisation-edit", kwargs={"organisation_id": empty.pk}),
        {"name": "New centre", "kind": OrganisationKind.REPORTING_CENTRE.value},
    )
    assert changed.status_code == 302
