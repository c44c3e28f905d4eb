"""Administration of organisations and users; the audit log view."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import PASSWORD, PortalPeople

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import (
    AuditAction,
    AuditEvent,
    Organisation,
    OrganisationKind,
    Role,
    TwoFactorDevice,
    User,
)

NEW_PASSWORD = "copper-willow-signal-58"


@pytest.fixture
def admin_client(client: Client, portal_people: PortalPeople) -> Client:
    client.force_login(portal_people.user(Role.ADMINISTRATOR))
    return client


@pytest.mark.django_db
def test_create_and_edit_an_organisation(admin_client: Client) -> None:
    create = reverse("accounts:organisation-create")
    html = admin_client.get(create).content.decode()
    for kind in OrganisationKind:
        assert f'<option value="{kind.value}">{kind.label}</option>' in html

    response = admin_client.post(create, {"name": "", "kind": "nonsense"})
    html = response.content.decode()
    assert '<a href="#id_name">Enter the organisation&#x27;s name</a>' in html
    assert "Select a valid choice" in html
    assert 'class="govuk-select govuk-select--error"' in html

    response = admin_client.post(create, {"name": "Hampshire Constabulary", "kind": "police"})
    assert "An organisation with this name already exists" in response.content.decode()

    response = admin_client.post(
        create, {"name": "Southampton Probation Delivery Unit", "kind": "probation"}
    )
    assert response["Location"] == reverse("accounts:organisation-list")
    created = Organisation.objects.get(name="Southampton Probation Delivery Unit")
    assert created.kind == OrganisationKind.PROBATION
    event = AuditEvent.objects.get(action=AuditAction.CREATED)
    assert (event.object_type, event.object_id) == ("accounts.Organisation", str(created.pk))

    edit = reverse("accounts:organisation-edit", kwargs={"organisation_id": created.pk})
    admin_client.post(edit, {"name": "Hampshire and IoW Probation", "kind": "probation"})
    created.refresh_from_db()
    assert created.name == "Hampshire and IoW Probation"
    assert AuditEvent.objects.get(action=AuditAction.EDITED).detail == "changed name"

    listing = admin_client.get(reverse("accounts:organisation-list")).content.decode()
    assert "Hampshire and IoW Probation" in listing
    assert '<td class="govuk-table__cell">Probation</td>' in listing


@pytest.mark.django_db
def test_create_a_user_with_role_and_organisation(
    admin_client: Client, portal_people: PortalPeople
) -> None:
    create = reverse("accounts:user-create")
    own = portal_people.own_organisation
    form = {
        "username": "new-analyst",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "role": Role.ANALYST,
        "organisation": own.pk,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    response = admin_client.post(create, {**form, "password2": "different-password-00"})
    assert "The passwords do not match" in response.content.decode()
    response = admin_client.post(
        create, {**form, "password1": "12345678901234", "password2": "12345678901234"}
    )
    assert "This password is entirely numeric" in response.content.decode()
    response = admin_client.post(create, {**form, "username": "analyst-own"})
    assert "A user with this username already exists" in response.content.decode()
    response = admin_client.post(create, {**form, "organisation": ""})
    assert '<a href="#id_organisation">Select the user&#x27;s organisation</a>' in (
        response.content.decode()
    )
    assert not User.objects.filter(username="new-analyst").exists()

    response = admin_client.post(create, form)
    created = User.objects.get(username="new-analyst")
    assert response["Location"] == reverse("accounts:user-detail", kwargs={"user_id": created.pk})
    assert (created.role, created.organisation, created.is_active) == (Role.ANALYST, own, True)
    assert created.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.CREATED)
    assert event.detail == "user new-analyst: Analyst at Southampton City Council"
    assert (
        Client()
        .post(reverse("accounts:sign-in"), {"username": "new-analyst", "password": NEW_PASSWORD})
        .status_code
        == 302
    )


@pytest.mark.django_db
def test_edit_role_and_organisation(admin_client: Client, portal_people: PortalPeople) -> None:
    user = portal_people.user(Role.PARTNER_OFFICER)
    edit = reverse("accounts:user-edit", kwargs={"user_id": user.pk})
    admin_client.post(
        edit,
        {
            "first_name": "",
            "last_name": "",
            "email": user.email,
            "role": Role.BOARD_MEMBER,
            "organisation": portal_people.other_organisation.pk,
        },
    )
    user.refresh_from_db()
    assert user.role == Role.BOARD_MEMBER
    assert user.organisation == portal_people.other_organisation
    assert AuditEvent.objects.get(action=AuditAction.EDITED).detail == "changed role, organisation"


@pytest.mark.django_db
def test_deactivated_user_cannot_sign_in_and_can_be_reactivated(
    admin_client: Client, portal_people: PortalPeople
) -> None:
    user = portal_people.user(Role.ANALYST, same_organisation=False)
    deactivate = reverse("accounts:user-deactivate", kwargs={"user_id": user.pk})
    assert admin_client.get(deactivate).status_code == 405
    admin_client.post(deactivate)
    user.refresh_from_db()
    assert not user.is_active
    sign_in = {"username": user.username, "password": PASSWORD}
    assert Client().post(reverse("accounts:sign-in"), sign_in).status_code == 200
    admin_client.post(reverse("accounts:user-reactivate", kwargs={"user_id": user.pk}))
    assert Client().post(reverse("accounts:sign-in"), sign_in).status_code == 302
    details = list(
        AuditEvent.objects.filter(action=AuditAction.EDITED)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == ["user deactivated", "user reactivated"]


@pytest.mark.django_db
def test_administrator_cannot_deactivate_themself(
    admin_client: Client, portal_people: PortalPeople
) -> None:
    me = portal_people.user(Role.ADMINISTRATOR)
    admin_client.post(reverse("accounts:user-deactivate", kwargs={"user_id": me.pk}))
    me.refresh_from_db()
    assert me.is_active


@pytest.mark.django_db
def test_reset_two_factor(admin_client: Client, portal_people: PortalPeople) -> None:
    user = portal_people.user(Role.BOARD_MEMBER)
    TwoFactorDevice.objects.create(
        user=user,
        encrypted_secret="x",
        created_at="2026-11-25T09:00:00Z",
        confirmed_at="2026-11-25T09:01:00Z",
    )
    detail = admin_client.get(reverse("accounts:user-detail", kwargs={"user_id": user.pk}))
    assert "Reset authenticator app" in detail.content.decode()
    admin_client.post(reverse("accounts:user-reset-two-factor", kwargs={"user_id": user.pk}))
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR)
    assert (event.object_id, event.detail) == (
        str(user.pk),
        "authenticator reset by an administrator",
    )


@pytest.mark.django_db
def test_user_list_shows_role_organisation_and_status(
    admin_client: Client, portal_people: PortalPeople
) -> None:
    html = admin_client.get(reverse("accounts:user-list")).content.decode()
    assert html.count('<strong class="govuk-tag govuk-tag--green">Active</strong>') == 2 * len(Role)
    assert "Board member" in html
    assert "Hampshire Constabulary" in html


@pytest.mark.django_db
def test_audit_log_is_paginated_and_filtered(
    admin_client: Client, portal_people: PortalPeople
) -> None:
    analyst = portal_people.user(Role.ANALYST)
    for number in range(55):
        record_event(request=None, action=AuditAction.EDITED, user=analyst, detail=f"edit {number}")
    for _ in range(3):
        record_event(request=None, action=AuditAction.SIGN_IN_FAILED, username="Mallory")
    audit = reverse("accounts:audit-log")

    first = admin_client.get(audit).content.decode()
    assert "Events 1 to 50 of 58" in first
    assert 'href="?page=2" rel="next"' in first
    second = admin_client.get(audit, {"page": 2}).content.decode()
    assert "Events 51 to 58 of 58" in second
    assert "edit 0<" in second

    edits = admin_client.get(audit, {"action": "edited", "page": 2}).content.decode()
    assert "Events 51 to 55 of 55" in edits
    assert 'href="?action=edited&page=1"' in edits

    by_user = admin_client.get(audit, {"username": "mallory"}).content.decode()
    assert "Events 1 to 3 of 3" in by_user
    assert by_user.count('<td class="govuk-table__cell">Sign-in failed</td>') == 3

    none = admin_client.get(audit, {"action": "published"}).content.decode()
    assert "No events match these filters." in none

    bad = admin_client.get(audit, {"action": "nonsense"}).content.decode()
    assert 'class="govuk-error-summary"' in bad
    # Read-only: no way to change it.
    assert admin_client.post(audit, {"action": "edited"}).status_code == 405
