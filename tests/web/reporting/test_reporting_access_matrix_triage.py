"""Access matrix of the triage pages (issue 13): every URL × role × organisation × duty.

One row per URL (and method): which rule decides access and what an allowed request returns.
Users of every role are made in three organisations — the partnership's council ("own"), the
police ("other") and the reporting centre that submitted the report — each without a triage
duty, with the duty the report's kind is routed to (``hate_crime_coordinator`` for a hate
report), and with a duty it is not routed to (``business_crime_manager``). Each request runs in a
savepoint that is rolled back; every 403 must write exactly one permission-denied audit event and
nothing else may. A guard fails when a ``reporting:`` URL under ``/partners/reports/`` is not in
the table.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from web_reporting import publish_small_area
from web_triage import PNG_BYTES, give_duty, make_report

from safecity_web.accounts.models import (
    AuditAction,
    AuditEvent,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from safecity_web.reporting.models import Channel, CommunityReport
from safecity_web.reporting.submission import CleanImage

pytestmark = pytest.mark.django_db

ROUTED_DUTY = "hate_crime_coordinator"
UNROUTED_DUTY = "business_crime_manager"
TRIAGE_ROLES = frozenset({Role.ADMINISTRATOR, Role.ANALYST, Role.PARTNER_OFFICER})
EXPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.ANALYST})
# reporting: names under /partners/reports/ whose access another matrix checks: the duty, scheme
# and alert administration (test_reporting_access_matrix_schemes.py, with its own guard).
COVERED_ELSEWHERE: frozenset[str] = frozenset(
    {
        "reporting:duties",
        "reporting:duty-remove",
        "reporting:schemes",
        "reporting:scheme",
        "reporting:scheme-invite",
        "reporting:scheme-agreement",
        "reporting:alerts",
        "reporting:alert-create",
    }
)


class Duty(enum.Enum):
    """Which triage duty the user holds."""

    NONE = "no duty"
    ROUTED = "the routed duty"
    UNROUTED = "a duty not routed to this kind"


class Rule(enum.Enum):
    """What decides access to a URL."""

    QUEUE = "a triage duty with any routed kind, or administrator"
    REPORT = "the duty the report's kind is routed to, or administrator"
    EXPORT = "analyst or administrator"

    def allows(self, *, role: Role, duty: Duty) -> bool:
        if self is Rule.EXPORT:
            return role in EXPORT_ROLES
        if role == Role.ADMINISTRATOR:
            return True
        if role not in TRIAGE_ROLES:
            return False
        return duty is Duty.ROUTED or (self is Rule.QUEUE and duty is Duty.UNROUTED)


@dataclass
class World:
    """The report the URLs point at (a hate report from the reporting centre, one image)."""

    report: CommunityReport
    organisations: dict[str, Organisation]


def _reference(world: World) -> dict[str, Any]:
    return {"reference": world.report.reference}


def _attachment(world: World) -> dict[str, Any]:
    return {
        "reference": world.report.reference,
        "attachment_id": world.report.attachments.get().pk,
    }


def _nothing(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Row:
    """One URL and method, the rule deciding access, and what an allowed request returns."""

    name: str
    rule: Rule
    kwargs: Callable[[World], dict[str, Any]] = _nothing
    method: str = "get"
    allowed_status: int = 200
    data: dict[str, str] = field(default_factory=dict)


# Invalid POSTs: an allowed user gets the page back with the form's errors (400), nothing saved.
ROWS = [
    Row("reporting:queue", Rule.QUEUE),
    Row("reporting:subject-access", Rule.QUEUE),
    Row("reporting:subject-access", Rule.QUEUE, method="post", allowed_status=400),
    Row("reporting:export-csv", Rule.EXPORT),
    Row("reporting:report", Rule.REPORT, _reference),
    Row("reporting:report-attachment", Rule.REPORT, _attachment),
    Row(
        "reporting:report-assign",
        Rule.REPORT,
        _reference,
        method="post",
        allowed_status=400,
        data={"assign-assignee": "999999"},
    ),
    Row("reporting:report-status", Rule.REPORT, _reference, method="post", allowed_status=400),
    Row("reporting:report-note", Rule.REPORT, _reference, method="post", allowed_status=400),
    Row("reporting:report-refer", Rule.REPORT, _reference, method="post", allowed_status=400),
    Row("reporting:report-outcome", Rule.REPORT, _reference, method="post", allowed_status=400),
    Row("reporting:report-moderate", Rule.REPORT, _reference, method="post", allowed_status=400),
    Row("reporting:report-erase", Rule.REPORT, _reference, method="post", allowed_status=400),
]


def _routes(patterns: list[Any], prefix: str = "", route: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        here = route + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _routes(pattern.url_patterns, namespace, here)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", here


def test_every_reporting_url_under_partners_reports_is_in_the_table() -> None:
    names = {
        name
        for name, route in _routes(get_resolver().url_patterns)
        if name.startswith("reporting:") and route.startswith("partners/reports/")
    }
    covered = {row.name for row in ROWS}
    assert "reporting:queue" in names  # the detection works
    assert names - covered - COVERED_ELSEWHERE == set(), "add these URL names to the table"
    assert covered - names == set(), "the table names URLs that no longer exist"


def _world() -> World:
    publish_small_area()
    organisations = {
        "own": Organisation.objects.create(name="City Council", kind=OrganisationKind.COUNCIL),
        "other": Organisation.objects.create(name="Constabulary", kind=OrganisationKind.POLICE),
        "centre": Organisation.objects.create(
            name="Community Centre", kind=OrganisationKind.REPORTING_CENTRE
        ),
    }
    report = make_report(
        channel=Channel.REPORTING_CENTRE,
        organisation=organisations["centre"],
        attachments=(CleanImage(content_type="image/png", data=PNG_BYTES),),
    )
    return World(report=report, organisations=organisations)


def _user(role: Role, organisation: Organisation, duty: Duty) -> User:
    user = User.objects.create(
        username=f"{role.value}-{organisation.kind}-{duty.name.lower()}",
        role=role,
        organisation=organisation,
    )
    if duty is Duty.ROUTED:
        give_duty(user, ROUTED_DUTY)
    elif duty is Duty.UNROUTED:
        give_duty(user, UNROUTED_DUTY)
    return user


def _request(client: Client, row: Row, url: str) -> tuple[Any, int]:
    """The response, and how many permission denials it audit-logged (then rolled back)."""
    with transaction.atomic():
        response = getattr(client, row.method)(url, row.data)
        denials = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        transaction.set_rollback(True)
    return response, denials


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method}-{row.name}")
def test_role_organisation_and_duty_decide_access(row: Row) -> None:
    world = _world()
    url = reverse(row.name, kwargs=row.kwargs(world))
    anonymous, _ = _request(Client(), row, url)
    assert anonymous.status_code == 302, f"anonymous {row.method.upper()} {url}"
    assert anonymous["Location"].startswith(f"{reverse('accounts:sign-in')}?next=")

    wrong = []
    for role in Role:
        for where, organisation in world.organisations.items():
            for duty in Duty:
                client = Client()
                client.force_login(_user(role, organisation, duty))
                response, denials = _request(client, row, url)
                status = response.status_code
                expected = row.allowed_status if row.rule.allows(role=role, duty=duty) else 403
                who = f"{role.value} ({where} organisation, {duty.value})"
                if (status == 403) != (denials == 1):
                    wrong.append(f"{who}: {status}, {denials} denials")
                if status != expected:
                    wrong.append(f"{who}: {status}, expected {expected}")
    assert wrong == [], f"{row.method.upper()} {url}"


def test_a_report_of_an_unrouted_kind_is_refused_to_a_duty_holder() -> None:
    world = _world()
    business = make_report(kind="business", category="theft", description="razors")
    user = _user(Role.PARTNER_OFFICER, world.organisations["own"], Duty.ROUTED)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("reporting:report", kwargs={"reference": business.reference}))
    assert response.status_code == 403
    denial = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert "reports of kind business are not routed" in denial.detail
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_PERSONAL_DATA).exists()
