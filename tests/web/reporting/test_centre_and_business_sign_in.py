"""Where each role lands after signing in: centres and businesses have their own areas."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import PASSWORD, make_organisation, make_user

from safecity_web.accounts.models import OrganisationKind, Role

pytestmark = pytest.mark.django_db

KIND_FOR_ROLE = {
    Role.REPORTING_CENTRE_WORKER: OrganisationKind.REPORTING_CENTRE,
    Role.BUSINESS_MEMBER: OrganisationKind.BUSINESS,
}
LANDING = {
    Role.REPORTING_CENTRE_WORKER: "/report/centre/",
    Role.BUSINESS_MEMBER: "/report/business/",
    Role.ADMINISTRATOR: "/partners/",
    Role.ANALYST: "/partners/",
    Role.BOARD_MEMBER: "/partners/",
    Role.PARTNER_OFFICER: "/partners/",
}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_lands_on_its_own_area(role: Role) -> None:
    assert set(LANDING) == set(Role)
    kind = KIND_FOR_ROLE.get(role, OrganisationKind.COUNCIL)
    organisation = make_organisation(name=f"Organisation of {role.value}", kind=kind)
    make_user(username=f"{role.value}-user", role=role, organisation=organisation)
    client = Client()
    response = client.post(
        reverse("accounts:sign-in"), {"username": f"{role.value}-user", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == LANDING[role]
    assert client.get(response["Location"]).status_code == 200


def test_a_next_address_still_wins() -> None:
    centre = make_organisation(name="Centre", kind=OrganisationKind.REPORTING_CENTRE)
    make_user(username="worker", role=Role.REPORTING_CENTRE_WORKER, organisation=centre)
    response = Client().post(
        reverse("accounts:sign-in"),
        {"username": "worker", "password": PASSWORD, "next": "/accounts/"},
    )
    assert response["Location"] == "/accounts/"
