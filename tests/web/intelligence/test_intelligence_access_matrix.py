"""Access matrix of partner intelligence and alerts (issue 14): URL × role × organisation ×
receiver designation × topic routing.

Users of every role are made in three organisations — the partnership's council ("own"), the
police ("other") and a reporting centre — each without a designation, designated as the
receiver the submission's topic (county lines) routes to (``police_intelligence``), and
designated as a receiver it does not route to (``prevent_lead``, which receives radicalisation
concerns only). The submission was made by a separate partner officer (the submitter), who is
checked on every row too. Each request runs in a savepoint that is rolled back; every 403 must
write exactly one permission-denied audit event and nothing else may. A guard fails when an
``intelligence:`` or ``alerts:`` URL is in no row.

Each part of the work keeps its rows in its own list below (submission, handling, review,
counts, alerts); ``ROWS`` joins them.
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
from web_intelligence import designate, make_submission, organisation, staff
from web_reporting import publish_small_area

from safecity_web.accounts.models import (
    PARTNER_ROLES,
    AuditAction,
    AuditEvent,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from safecity_web.intelligence.models import IntelligenceSubmission
from safecity_web.intelligence.sanitising import SanitisedChoice, make_sanitised_copy

pytestmark = pytest.mark.django_db

ROUTED_RECEIVER = "police_intelligence"
UNROUTED_RECEIVER = "prevent_lead"
STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.ANALYST, Role.PARTNER_OFFICER})
# URL names reached without signing in on purpose (a one-click unsubscribe link carries its
# own signed token); each must be listed here with the reason, and is checked by its own tests.
PUBLIC_BY_TOKEN: frozenset[str] = frozenset(
    {
        # The one-click unsubscribe link of alert emails (RFC 8058): a mail client posts to it
        # without a session; its signed token names the user and subscriptions. Checked by
        # tests/web/alerts/test_delivery.py and test_pages.py.
        "alerts:unsubscribe",
    }
)


class Designation(enum.Enum):
    """Which receiver designation the user holds."""

    NONE = "no designation"
    ROUTED = "the receiver the topic routes to"
    UNROUTED = "a receiver the topic does not route to"


class Rule(enum.Enum):
    """What decides access to a URL."""

    SUBMIT = "a staff role (administrator, analyst, partner officer)"
    QUEUE = "a staff role designated as any receiver a topic routes to"
    SEE = "the submitter, or a receiver the submission's topic routes to"
    HANDLE = "a receiver the submission's topic routes to"
    DESIGNATE = "administrator"
    EXPORT = "analyst or administrator (the de-identified counts for the warehouse)"
    PARTNERSHIP = "any of the partnership's own roles (board members included)"

    def allows(self, *, role: Role, designation: Designation, submitter: bool = False) -> bool:
        if self is Rule.DESIGNATE:
            return role == Role.ADMINISTRATOR
        if self is Rule.EXPORT:
            return role in {Role.ADMINISTRATOR, Role.ANALYST}
        if self is Rule.PARTNERSHIP:
            return role in PARTNER_ROLES
        if self is Rule.SUBMIT:
            return role in STAFF_ROLES
        if self is Rule.SEE and submitter:
            return True
        if role not in STAFF_ROLES:
            return False
        if self is Rule.QUEUE:
            return designation is not Designation.NONE
        return designation is Designation.ROUTED


@dataclass
class World:
    """The submission the URLs point at, its submitter, and the three organisations."""

    submission: IntelligenceSubmission
    submitter: User
    organisations: dict[str, Organisation]


def _reference(world: World) -> dict[str, Any]:
    return {"reference": world.submission.reference}


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


# --- Submission (the form and the submitter's own pages) -------------------------------------
def _topic_step(world: World) -> dict[str, Any]:
    return {"slug": "topic"}


def _person(world: World) -> dict[str, Any]:
    return {"kind": "person"}


def _first_subject(world: World) -> dict[str, Any]:
    return {"position": 0}


# Each request starts with an empty draft: pages that need answers first (a subject to change,
# check answers, the confirmation) send an allowed user back with a redirect (302).
SUBMISSION_ROWS: list[Row] = [
    Row("intelligence:home", Rule.PARTNERSHIP),
    Row("intelligence:grading-guide", Rule.PARTNERSHIP),
    Row("intelligence:mine", Rule.SUBMIT),
    Row("intelligence:submit", Rule.SUBMIT),
    Row("intelligence:submit", Rule.SUBMIT, method="post", allowed_status=302),
    Row("intelligence:submit-step", Rule.SUBMIT, _topic_step),
    Row("intelligence:submit-step", Rule.SUBMIT, _topic_step, method="post", allowed_status=400),
    Row("intelligence:submit-subjects", Rule.SUBMIT),
    Row(
        "intelligence:submit-subjects",
        Rule.SUBMIT,
        method="post",
        allowed_status=400,
        data={"action": "add"},
    ),
    Row("intelligence:submit-subject-add", Rule.SUBMIT, _person),
    Row("intelligence:submit-subject-add", Rule.SUBMIT, _person, method="post", allowed_status=400),
    Row("intelligence:submit-subject", Rule.SUBMIT, _first_subject, allowed_status=302),
    Row(
        "intelligence:submit-subject",
        Rule.SUBMIT,
        _first_subject,
        method="post",
        allowed_status=302,
    ),
    Row(
        "intelligence:submit-subject-remove",
        Rule.SUBMIT,
        _first_subject,
        method="post",
        allowed_status=302,
    ),
    Row("intelligence:submit-check", Rule.SUBMIT, allowed_status=302),
    Row("intelligence:submit-check", Rule.SUBMIT, method="post", allowed_status=302),
    Row("intelligence:submit-done", Rule.SUBMIT, allowed_status=302),
]


# --- Handling by receivers (queue, detail, re-grade, sanitise, link, outcome, export) -------
def _sanitised_copy(world: World) -> dict[str, Any]:
    copy = make_sanitised_copy(submission=world.submission, choice=SanitisedChoice(), by=None)
    return {"reference": world.submission.reference, "copy_id": copy.pk, "export_format": "csv"}


def _designation(world: World) -> dict[str, Any]:
    receiver = staff("designated-officer", at=world.organisations["own"])
    return {"designation_id": designate(receiver, UNROUTED_RECEIVER).pk}


REGRADE = {
    "regrade-source_evaluation": "1",
    "regrade-intelligence_assessment": "B",
    "regrade-handling_code": "P",
    "regrade-reason": "Corroborated by a records check.",
}
HANDLING_ROWS: list[Row] = [
    Row("intelligence:queue", Rule.QUEUE),
    Row("intelligence:submission", Rule.SEE, _reference),
    Row("intelligence:regrade", Rule.HANDLE, _reference, "post", 400),
    Row("intelligence:regrade", Rule.HANDLE, _reference, "post", 302, REGRADE),
    Row(
        "intelligence:sanitise",
        Rule.HANDLE,
        _reference,
        "post",
        400,
        {"sanitise-keep_what_is_known": "on", "sanitise-what_is_known": "  "},
    ),
    Row("intelligence:sanitise", Rule.HANDLE, _reference, "post", 302),
    Row("intelligence:link-action", Rule.HANDLE, _reference, "post", 400),
    Row("intelligence:link-place", Rule.HANDLE, _reference, "post", 400),
    Row(
        "intelligence:link-place",
        Rule.HANDLE,
        _reference,
        "post",
        302,
        {"place-area_code": "E05900001"},
    ),
    Row("intelligence:outcome", Rule.HANDLE, _reference, "post", 400),
    Row(
        "intelligence:outcome",
        Rule.HANDLE,
        _reference,
        "post",
        302,
        {"outcome-outcome": "passed_to_police"},
    ),
    Row("intelligence:sanitised-export", Rule.HANDLE, _sanitised_copy),
    Row("intelligence:submission-audit", Rule.HANDLE, _reference),
    Row("intelligence:receivers", Rule.DESIGNATE),
    Row("intelligence:receivers", Rule.DESIGNATE, method="post", allowed_status=400),
    Row(
        "intelligence:receivers",
        Rule.DESIGNATE,
        method="post",
        allowed_status=302,
        data={"username": "the-submitter", "receiver": UNROUTED_RECEIVER},
    ),
    Row("intelligence:receiver-remove", Rule.DESIGNATE, _designation, "post", 302),
]

# --- Review and retention --------------------------------------------------------------------
REVIEW_ROWS: list[Row] = [
    Row("intelligence:reviews", Rule.QUEUE),
    Row("intelligence:review", Rule.HANDLE, _reference),
    Row(
        "intelligence:review",
        Rule.HANDLE,
        _reference,
        method="post",
        allowed_status=400,
        data={"decision": "retain", "reason": "  "},
    ),
    Row(
        "intelligence:review",
        Rule.HANDLE,
        _reference,
        method="post",
        allowed_status=400,
        data={"decision": "delete"},
    ),
]

# --- Counts the partnership sees, and the site's de-identified export --------------------------
COUNTS_ROWS: list[Row] = [
    Row("intelligence:counts", Rule.PARTNERSHIP),
    Row("intelligence:counts-csv", Rule.EXPORT),
]

# --- Alerts and subscriptions -----------------------------------------------------------------
# A user only ever reaches their own alerts and subscriptions: another's id is not found (404).
NOBODY_S = 2_000_000_000
ALERT_ROWS: list[Row] = [
    Row("alerts:list", Rule.PARTNERSHIP),
    Row("alerts:mark-all-read", Rule.PARTNERSHIP, method="post", allowed_status=302),
    Row(
        "alerts:mark-read",
        Rule.PARTNERSHIP,
        kwargs=lambda world: {"alert_id": NOBODY_S},
        method="post",
        allowed_status=404,
    ),
    Row("alerts:subscriptions", Rule.PARTNERSHIP),
    Row("alerts:subscriptions", Rule.PARTNERSHIP, method="post", allowed_status=400),
    Row(
        "alerts:subscription-remove",
        Rule.PARTNERSHIP,
        kwargs=lambda world: {"subscription_id": NOBODY_S},
        method="post",
        allowed_status=404,
    ),
    Row(
        "alerts:frequency",
        Rule.PARTNERSHIP,
        method="post",
        data={"by_role_frequency": "daily"},
        allowed_status=302,
    ),
]

ROWS = SUBMISSION_ROWS + HANDLING_ROWS + REVIEW_ROWS + COUNTS_ROWS + ALERT_ROWS


def _routes(patterns: list[Any], prefix: str = "", route: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        here = route + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _routes(pattern.url_patterns, namespace, here)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", here


def test_every_intelligence_and_alerts_url_is_in_the_table() -> None:
    names = {
        name
        for name, _ in _routes(get_resolver().url_patterns)
        if name.startswith(("intelligence:", "alerts:"))
    }
    covered = {row.name for row in ROWS}
    assert names - covered - PUBLIC_BY_TOKEN == set(), "add these URL names to the table"
    assert covered - names == set(), "the table names URLs that no longer exist"


def _world() -> World:
    publish_small_area()
    organisations = {
        "own": organisation("City Council", OrganisationKind.COUNCIL),
        "other": organisation("Constabulary", OrganisationKind.POLICE),
        "centre": organisation("Community Centre", OrganisationKind.REPORTING_CENTRE),
    }
    submitter = staff("the-submitter", role=Role.PARTNER_OFFICER, at=organisations["own"])
    submission = make_submission(submitted_by=submitter, topic="county_lines")
    return World(submission=submission, submitter=submitter, organisations=organisations)


def _user(role: Role, organisation: Organisation, designation: Designation) -> User:
    user = User.objects.create(
        username=f"{role.value}-{organisation.kind}-{designation.name.lower()}",
        role=role,
        organisation=organisation,
        email=f"{role.value}-{organisation.kind}-{designation.name.lower()}@example.org",
    )
    if designation is Designation.ROUTED:
        designate(user, ROUTED_RECEIVER)
    elif designation is Designation.UNROUTED:
        designate(user, UNROUTED_RECEIVER)
    return user


def _request(client: Client, row: Row, url: str) -> tuple[Any, int]:
    """The response, and how many permission denials it audit-logged (then rolled back)."""
    with transaction.atomic():
        response = getattr(client, row.method)(url, row.data)
        denials = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        transaction.set_rollback(True)
    return response, denials


def _check(
    wrong: list[str], *, who: str, row: Row, response: Any, denials: int, allowed: bool
) -> None:
    status = response.status_code
    expected = row.allowed_status if allowed else 403
    if (status == 403) != (denials == 1):
        wrong.append(f"{who}: {status}, {denials} denials")
    if status != expected:
        wrong.append(f"{who}: {status}, expected {expected}")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method}-{row.name}")
def test_role_organisation_designation_and_routing_decide_access(row: Row) -> None:
    world = _world()
    url = reverse(row.name, kwargs=row.kwargs(world))
    anonymous, _ = _request(Client(), row, url)
    assert anonymous.status_code == 302, f"anonymous {row.method.upper()} {url}"
    assert anonymous["Location"].startswith(f"{reverse('accounts:sign-in')}?next=")

    wrong: list[str] = []
    client = Client()
    client.force_login(world.submitter)
    response, denials = _request(client, row, url)
    allowed = row.rule.allows(
        role=Role.PARTNER_OFFICER, designation=Designation.NONE, submitter=True
    )
    _check(wrong, who="the submitter", row=row, response=response, denials=denials, allowed=allowed)
    for role in Role:
        for where, place in world.organisations.items():
            for designation in Designation:
                client = Client()
                client.force_login(_user(role, place, designation))
                response, denials = _request(client, row, url)
                allowed = row.rule.allows(role=role, designation=designation)
                who = f"{role.value} ({where} organisation, {designation.value})"
                _check(wrong, who=who, row=row, response=response, denials=denials, allowed=allowed)
    assert wrong == [], f"{row.method.upper()} {url}"
