"""Access matrix: reporting centres', businesses' and scheme administration URLs × every person.

Every role is tried in two organisations, chosen where the organisation matters: reporting-centre
workers of centre A (whose report is asked for) and centre B; business members of shop A (scheme
member, current agreement accepted), shop B (member, not accepted) and shop C (no scheme);
partner roles in the council and the police, plus a partner officer holding the business crime
manager duty. Each request runs in a savepoint that is rolled back; every 403 must write exactly
one permission-denied audit event and nothing else may. A guard fails when a ``reporting:`` URL
under ``/report/centre/``, ``/report/business/`` (except the ``new/`` journeys) or
``/partners/reports/duties|schemes|alerts`` is not in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from web_accounts import make_organisation, make_user
from web_schemes import SchemeWorld, scheme_world

from safecity_web.accounts.models import (
    PARTNER_ROLES,
    AuditAction,
    AuditEvent,
    OrganisationKind,
    Role,
    User,
)

GUARDED_PREFIXES = (
    "report/centre/",
    "report/business/",
    "partners/reports/duties",
    "partners/reports/schemes",
    "partners/reports/alerts",
)
# Helper A's submission journeys (their own matrix covers them).
JOURNEY_PREFIXES = ("report/centre/new/", "report/business/new/")

ADMINISTRATORS = ("administrator@council", "administrator@police")
MANAGERS = (*ADMINISTRATORS, "business crime manager")
WORKER_A, WORKER_B = "worker@centre-a", "worker@centre-b"
MEMBER_A, MEMBER_B, MEMBER_C = "member@shop-a", "member@shop-b", "member@shop-c"
MEMBERS = (MEMBER_A, MEMBER_B, MEMBER_C)


@dataclass
class People:
    """The world and one signed-in person per label."""

    world: SchemeWorld
    users: dict[str, User]


def create_people() -> People:
    """Every role in two organisations, and the duty holder, on top of :func:`scheme_world`."""
    world = scheme_world()
    police = make_organisation(name="Smallton Police", kind=OrganisationKind.POLICE)
    users: dict[str, User] = {
        WORKER_A: world.worker_a,
        WORKER_B: world.worker_b,
        MEMBER_A: world.member_a,
        MEMBER_B: world.member_b,
        MEMBER_C: world.member_c,
        "business crime manager": world.manager,
        "administrator@council": world.administrator,
    }
    for role in PARTNER_ROLES:
        for organisation in (world.council, police):
            where = "council" if organisation == world.council else "police"
            label = f"{role.value}@{where}"
            if label not in users:
                users[label] = make_user(
                    username=label.replace("@", "-"), role=role, organisation=organisation
                )
    assert {user.role for user in users.values()} == set(Role)
    return People(world=world, users=users)


def _none(world: SchemeWorld) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Row:
    """One URL (and method), and the status each person gets (403 for everyone not listed)."""

    name: str
    allowed: dict[str, int]
    kwargs: Callable[[SchemeWorld], dict[str, Any]] = _none
    method: str = "get"
    data: Callable[[SchemeWorld], dict[str, Any]] = lambda world: {}
    label: str = ""

    def expected(self, person: str) -> int:
        return self.allowed.get(person, 403)


def _each(people: tuple[str, ...], status: int) -> dict[str, int]:
    return dict.fromkeys(people, status)


def _report_a(world: SchemeWorld) -> dict[str, Any]:
    return {"reference": world.report_a.reference}


def _alert(world: SchemeWorld) -> dict[str, Any]:
    return {"alert_id": world.alert.pk}


def _other_alert(world: SchemeWorld) -> dict[str, Any]:
    return {"alert_id": world.other_alert.pk}


def _scheme(world: SchemeWorld) -> dict[str, Any]:
    return {"scheme_id": world.scheme.pk}


def _managers_duty(world: SchemeWorld) -> dict[str, Any]:
    return {"duty_id": world.manager.triage_duties.get().pk}


MATRIX = [
    # Each centre sees its own list; only centre A sees centre A's report.
    Row("reporting:centre-reports", {WORKER_A: 200, WORKER_B: 200}),
    Row("reporting:centre-report", {WORKER_A: 200}, _report_a),
    Row("reporting:business-reports", _each(MEMBERS, 200)),
    Row("reporting:business-agreement", _each(MEMBERS, 200)),
    # Accepting: A (already accepted) and B are sent to the alerts; C's business is no member.
    Row(
        "reporting:business-agreement",
        {MEMBER_A: 302, MEMBER_B: 302},
        method="post",
        data=lambda world: {"agreement": world.agreement.pk},
    ),
    # B must accept first (sent to the agreement); C is told it is in no scheme.
    Row("reporting:business-alerts", {MEMBER_A: 200, MEMBER_B: 302, MEMBER_C: 200}),
    Row("reporting:business-alert", {MEMBER_A: 200, **_each(MANAGERS, 200)}, _alert),
    Row(
        "reporting:business-alert",
        _each(MANAGERS, 200),
        _other_alert,
        label="another scheme's alert",
    ),
    Row("reporting:business-alert-image", {MEMBER_A: 200, **_each(MANAGERS, 200)}, _alert),
    Row("reporting:duties", _each(ADMINISTRATORS, 200)),
    # Empty POSTs: an allowed user gets the form back with errors (400), nothing is saved.
    Row("reporting:duties", _each(ADMINISTRATORS, 400), method="post"),
    Row("reporting:duty-remove", _each(ADMINISTRATORS, 302), _managers_duty, method="post"),
    Row("reporting:schemes", _each(MANAGERS, 200)),
    Row("reporting:schemes", _each(MANAGERS, 400), method="post"),
    Row("reporting:scheme", _each(MANAGERS, 200), _scheme),
    Row("reporting:scheme-invite", _each(MANAGERS, 400), _scheme, method="post"),
    Row("reporting:scheme-agreement", _each(MANAGERS, 400), _scheme, method="post"),
    Row("reporting:alerts", _each(MANAGERS, 200)),
    Row("reporting:alert-create", _each(MANAGERS, 200)),
    Row("reporting:alert-create", _each(MANAGERS, 400), method="post"),
]


def _route(pattern: URLPattern | URLResolver) -> str:
    return str(pattern.pattern).lstrip("^").replace("\\", "")


def _reporting_urls(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _reporting_urls(pattern.url_patterns, prefix + _route(pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace == "reporting:":
            yield f"reporting:{pattern.name}", prefix + _route(pattern)


def test_every_centre_business_and_scheme_url_is_in_the_matrix() -> None:
    routes = dict(_reporting_urls(get_resolver().url_patterns))
    guarded = {
        name
        for name, route in routes.items()
        if route.startswith(GUARDED_PREFIXES) and not route.startswith(JOURNEY_PREFIXES)
    }
    covered = {row.name for row in MATRIX}
    assert "reporting:centre-report" in guarded  # the walk sees regex routes too
    assert guarded - covered == set(), "add these URL names to the access matrix"
    assert covered - set(routes) == set(), "the matrix names URLs that no longer exist"


def _request(client: Client, row: Row, url: str, world: SchemeWorld) -> tuple[Any, int]:
    """The response, and how many permission denials it audit-logged (then rolled back)."""
    with transaction.atomic():
        before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        response = getattr(client, row.method)(url, row.data(world))
        after = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        transaction.set_rollback(True)
    return response, after - before


@pytest.fixture
def people(db: None) -> People:
    return create_people()


@pytest.mark.parametrize(
    "row", MATRIX, ids=lambda row: f"{row.method}-{row.name}{'-' + row.label if row.label else ''}"
)
def test_role_organisation_membership_and_agreement_decide_access(row: Row, people: People) -> None:
    world = people.world
    assert set(row.allowed) <= set(people.users), "the row names an unknown person"
    url = reverse(row.name, kwargs=row.kwargs(world))
    anonymous, denials = _request(Client(), row, url, world)
    assert anonymous.status_code == 302, f"anonymous {row.method.upper()} {url}"
    assert anonymous["Location"].startswith(f"{reverse('accounts:sign-in')}?next=")
    assert denials == 0

    wrong = []
    for person, user in people.users.items():
        client = Client()
        client.force_login(user)
        response, denials = _request(client, row, url, world)
        status, expected = response.status_code, row.expected(person)
        if (status == 403) != (denials == 1) or denials > 1:
            wrong.append(f"{person}: {status}, {denials} denials")
        if status != expected:
            wrong.append(f"{person}: {status}, expected {expected}")
    assert wrong == [], f"{row.method.upper()} {url}"


def test_every_person_is_refused_somewhere_and_allowed_somewhere() -> None:
    """The table is not trivially all-403 or all-200 for anyone."""
    people = {WORKER_A, WORKER_B, *MEMBERS, *MANAGERS}
    for person in people:
        statuses = {row.expected(person) for row in MATRIX}
        assert 403 in statuses, person
        assert statuses - {403}, person
