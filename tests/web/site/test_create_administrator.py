"""``create_administrator``: the first portal administrator of a new site."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safecity_web.accounts.models import (
    AuditAction,
    AuditEvent,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

ARGUMENTS = (
    "--username",
    "admin@council",
    "--email",
    "admin@example.gov.uk",
    "--organisation",
    "Southampton City Council",
)


def _run(*arguments: str) -> str:
    output = io.StringIO()
    call_command("create_administrator", *arguments, stdout=output)
    return output.getvalue()


@pytest.mark.django_db
def test_creates_an_administrator_and_their_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_ADMINISTRATOR_PASSWORD", "harbour-lantern-quietly-42")
    output = _run(*ARGUMENTS)
    assert output.strip() == (
        "Created admin@council administrator of Southampton City Council (organisation created)."
    )
    user = User.objects.get(username="admin@council")
    assert user.role == Role.ADMINISTRATOR
    assert user.organisation is not None
    assert (user.organisation.name, user.organisation.kind) == (
        "Southampton City Council",
        OrganisationKind.COUNCIL,
    )
    assert user.check_password("harbour-lantern-quietly-42")
    assert user.has_role(Role.ADMINISTRATOR)
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.object_id) == (
        AuditAction.CREATED,
        "command line",
        str(user.pk),
    )


@pytest.mark.django_db
def test_promotes_an_existing_user_in_an_existing_organisation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    council = Organisation.objects.create(name="Southampton City Council", kind="council")
    User.objects.create_user(username="admin@council", password="x" * 20, role=Role.ANALYST)
    monkeypatch.setenv("SAFECITY_ADMINISTRATOR_PASSWORD", "harbour-lantern-quietly-42")
    output = _run(*ARGUMENTS)
    assert output.strip() == "Made admin@council administrator of Southampton City Council."
    user = User.objects.get(username="admin@council")
    assert (user.role, user.organisation) == (Role.ADMINISTRATOR, council)
    assert User.objects.count() == 1
    assert AuditEvent.objects.get().action == AuditAction.EDITED


@pytest.mark.django_db
def test_refuses_a_weak_password_and_creates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_ADMINISTRATOR_PASSWORD", "12345678")
    with pytest.raises(CommandError, match=r"^the password is not accepted: .*at least 12"):
        _run(*ARGUMENTS)
    assert User.objects.count() == 0
    assert Organisation.objects.count() == 0
