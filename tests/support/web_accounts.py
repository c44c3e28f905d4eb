"""Shared web-test fixtures: partner organisations and one user per role in each.

Make the fixture visible by importing it in your tests' ``conftest.py`` (pytest finds fixtures
in conftest namespaces), and import the helpers in test modules::

    # tests/web/<yours>/conftest.py
    from web_accounts import portal_people  # noqa: F401

    # a test module
    from web_accounts import PASSWORD, PortalPeople, signed_in

``portal_people`` holds two organisations ("own": Southampton City Council, "other": Hampshire
Constabulary) and a user of every role in each (usernames ``<role>-own`` / ``<role>-other``,
password :data:`PASSWORD`). ``signed_in(client, user)`` signs a test client in without a form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from safecity_web.accounts.models import Organisation, OrganisationKind, Role, User
from safecity_web.strategy.models import (
    Action,
    ActionResponsibility,
    FocusArea,
    Outcome,
    Priority,
    Strategy,
)

PASSWORD = "violet-harbour-lantern-47"


def make_organisation(*, name: str, kind: OrganisationKind) -> Organisation:
    """Create a partner organisation."""
    return Organisation.objects.create(name=name, kind=kind)


def make_user(
    *,
    username: str,
    role: Role,
    organisation: Organisation | None,
    password: str = PASSWORD,
    email: str = "",
) -> User:
    """Create an active user with ``role`` in ``organisation`` and a usable password."""
    user = User(
        username=username,
        role=role,
        organisation=organisation,
        email=email or f"{username}@example.org",
    )
    user.set_password(password)
    user.save()
    return user


@dataclass
class PortalPeople:
    """Two organisations and a user of every role in each."""

    own_organisation: Organisation
    other_organisation: Organisation
    own: dict[Role, User]
    other: dict[Role, User]

    def user(self, role: Role, *, same_organisation: bool = True) -> User:
        """The user holding ``role`` in the own (default) or the other organisation."""
        return (self.own if same_organisation else self.other)[role]


def create_portal_people() -> PortalPeople:
    """Southampton City Council (own) and Hampshire Constabulary (other), every role in each."""
    own = make_organisation(name="Southampton City Council", kind=OrganisationKind.COUNCIL)
    other = make_organisation(name="Hampshire Constabulary", kind=OrganisationKind.POLICE)
    return PortalPeople(
        own_organisation=own,
        other_organisation=other,
        own={role: make_user(username=f"{role}-own", role=role, organisation=own) for role in Role},
        other={
            role: make_user(username=f"{role}-other", role=role, organisation=other)
            for role in Role
        },
    )


@pytest.fixture
def portal_people(db: None) -> PortalPeople:
    """The organisations and users of :func:`create_portal_people`."""
    return create_portal_people()


def signed_in(client: Client, user: User) -> Client:
    """``client`` signed in as ``user`` (session created directly, no sign-in form)."""
    client.force_login(user)
    return client


@dataclass(frozen=True)
class OneActionStrategy:
    """A strategy with one priority, focus area, outcome and action (owned by one organisation)."""

    strategy: Any
    priority: Any
    focus_area: Any
    outcome: Any
    action: Any


def one_action_strategy(
    *, organisation: Organisation, source_file_name: str, source_sha256: str
) -> OneActionStrategy:
    """Create the smallest strategy the portal pages need: one of each level, one action."""
    strategy = Strategy.objects.create(
        name="Safe City Strategy",
        partnership="Safe City Partnership",
        period_start_year=2022,
        period_end_year=2027,
        source_file_name=source_file_name,
        source_sha256=source_sha256,
    )
    priority = Priority.objects.create(
        strategy=strategy, code="P1", title="Keeping people safe", position=1
    )
    focus_area = FocusArea.objects.create(
        priority=priority, code="P1.F1", title="Violence", position=1
    )
    outcome = Outcome.objects.create(
        focus_area=focus_area, code="P1.F1.O1", text="Less violence", position=1
    )
    action = Action.objects.create(
        focus_area=focus_area, code="P1.F1.A1", text="Patrol hotspots", position=1
    )
    ActionResponsibility.objects.create(
        action=action, organisation=organisation, body_name=organisation.name, position=1
    )
    return OneActionStrategy(strategy, priority, focus_area, outcome, action)
