"""Permission matrix: every signed-in view × every role × own/other organisation, and anonymous.

One row per URL name: who may use it, whether a partner's organisation matters, and what an
allowed request returns. Each request runs in a savepoint that is rolled back, so a POST by one
role does not change what the next role sees; every 403 must write exactly one
permission-denied audit event (and nothing else may). A guard test fails when the portal
(``strategy:``), the draft preview/publish pages (``observatory:preview*``, ``drafts``,
``publish``) or ``accounts:`` gain a URL name this table does not cover.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from web_accounts import PortalPeople, create_portal_people, one_action_strategy

from safecity_web.accounts.models import PARTNER_ROLES, AuditAction, AuditEvent, Role

ALL_ROLES = frozenset(Role)
# The partnership's own staff; reporting-centre workers and business members are refused the
# portal (issue 13).
PARTNERS = frozenset(PARTNER_ROLES)
ADMINISTRATOR = frozenset({Role.ADMINISTRATOR})
ANALYSTS = frozenset({Role.ADMINISTRATOR, Role.ANALYST})


class World:
    """The objects the URLs point at, created on first use; all belong to the own organisation."""

    def __init__(self, people: PortalPeople) -> None:
        self.people = people

    @cached_property
    def strategy_tree(self) -> dict[str, Any]:
        created = one_action_strategy(
            organisation=self.people.own_organisation,
            source_file_name="matrix.yaml",
            source_sha256="0" * 64,
        )
        priority, focus_area, outcome, action = (
            created.priority,
            created.focus_area,
            created.outcome,
            created.action,
        )
        return {
            "priority": priority,
            "focus_area": focus_area,
            "outcome": outcome,
            "action": action,
        }

    @cached_property
    def statement(self) -> Any:
        from safecity_web.strategy.models import StatementVersion

        return StatementVersion.objects.create(
            title="Annual statement 2025/26",
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2026, 3, 31),
            body="What changed and what was done.",
            created_by=self.people.user(Role.ANALYST),
        )

    @cached_property
    def draft(self) -> Any:
        from safecity_web.observatory.models import AreaLevel, PublishedAssessment

        return PublishedAssessment.objects.create(
            area_code="E22900001",
            area_name="Demo City",
            area_level=AreaLevel.CSP,
            period="2024/25",
            manifest={},
            source_directory="/nonexistent/matrix",
        )


def no_kwargs(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Guarded:
    """One URL that needs sign-in, and who may use it."""

    name: str
    allowed: frozenset[Role]
    kwargs: Callable[[World], dict[str, Any]] = no_kwargs
    # Roles refused when the object belongs to another organisation (administrators never are).
    organisation_scoped: frozenset[Role] = frozenset()
    method: str = "get"
    allowed_status: int = 200
    data: dict[str, str] = field(default_factory=dict)

    def expected(self, *, role: Role, same_organisation: bool) -> int:
        if role not in self.allowed:
            return 403
        if role in self.organisation_scoped and not same_organisation:
            return 403
        return self.allowed_status


def _user_id(world: World) -> dict[str, Any]:
    return {"user_id": world.people.user(Role.PARTNER_OFFICER, same_organisation=False).pk}


def _organisation_id(world: World) -> dict[str, Any]:
    return {"organisation_id": world.people.other_organisation.pk}


def _strategy(key: str, argument: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {argument: world.strategy_tree[key].pk}


def _statement(world: World) -> dict[str, Any]:
    return {"version_id": world.statement.pk}


def _draft(world: World) -> dict[str, Any]:
    return {"assessment_id": world.draft.pk}


def _draft_and(**extra: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"assessment_id": world.draft.pk, **extra}


ACCOUNTS = [
    Guarded("accounts:account", ALL_ROLES),
    Guarded("accounts:password-change", ALL_ROLES),
    Guarded("accounts:two-factor", ALL_ROLES),
    # Without an authenticator there is nothing to turn off: back to the set-up page.
    Guarded("accounts:two-factor-disable", ALL_ROLES, method="post", allowed_status=302),
    Guarded("accounts:admin-home", ADMINISTRATOR),
    Guarded("accounts:organisation-list", ADMINISTRATOR),
    Guarded("accounts:organisation-create", ADMINISTRATOR),
    Guarded("accounts:organisation-edit", ADMINISTRATOR, _organisation_id),
    Guarded("accounts:user-list", ADMINISTRATOR),
    Guarded("accounts:user-create", ADMINISTRATOR),
    Guarded("accounts:user-detail", ADMINISTRATOR, _user_id),
    Guarded("accounts:user-edit", ADMINISTRATOR, _user_id),
    Guarded("accounts:user-deactivate", ADMINISTRATOR, _user_id, method="post", allowed_status=302),
    Guarded("accounts:user-reactivate", ADMINISTRATOR, _user_id, method="post", allowed_status=302),
    Guarded(
        "accounts:user-reset-two-factor",
        ADMINISTRATOR,
        _user_id,
        method="post",
        allowed_status=302,
    ),
    Guarded("accounts:audit-log", ADMINISTRATOR),
]

# Empty POSTs: an allowed user gets the form back with errors (400), nothing is saved.
STRATEGY = [
    Guarded("strategy:home", PARTNERS),
    Guarded("strategy:overview", PARTNERS, lambda world: world.strategy_tree and {}),
    Guarded("strategy:import", ANALYSTS),
    Guarded("strategy:bodies", ADMINISTRATOR),
    Guarded("strategy:body-link", ADMINISTRATOR, method="post", allowed_status=400),
    Guarded("strategy:body-create-organisation", ADMINISTRATOR, method="post", allowed_status=400),
    Guarded("strategy:priority", PARTNERS, _strategy("priority", "priority_id")),
    Guarded("strategy:focus-area", PARTNERS, _strategy("focus_area", "focus_area_id")),
    Guarded("strategy:outcome", PARTNERS, _strategy("outcome", "outcome_id")),
    Guarded(
        "strategy:outcome-link-indicator",
        ANALYSTS,
        _strategy("outcome", "outcome_id"),
        method="post",
        allowed_status=400,
    ),
    Guarded("strategy:action", PARTNERS, _strategy("action", "action_id")),
    # Adding a progress update: analysts for any action, partner officers only for actions
    # their organisation is responsible for, board members never.
    Guarded(
        "strategy:action",
        frozenset({Role.ADMINISTRATOR, Role.ANALYST, Role.PARTNER_OFFICER}),
        _strategy("action", "action_id"),
        organisation_scoped=frozenset({Role.PARTNER_OFFICER}),
        method="post",
        allowed_status=400,
    ),
    Guarded("strategy:statement", ANALYSTS),
    Guarded("strategy:statement-edit", ANALYSTS, _statement),
    Guarded("strategy:statement-publish", ANALYSTS, _statement, method="post", allowed_status=302),
]

OBSERVATORY = [
    Guarded("observatory:drafts", ANALYSTS),
    # Publishing this empty draft fails validation or succeeds; either way a redirect.
    Guarded("observatory:publish", ANALYSTS, _draft, method="post", allowed_status=302),
    Guarded("observatory:preview", ANALYSTS, _draft),
    Guarded("observatory:preview-indicators", ANALYSTS, _draft),
    Guarded("observatory:preview-hotspots", ANALYSTS, _draft),
    # The draft has no indicators or areas: an allowed user passes the role check and gets 404.
    Guarded(
        "observatory:preview-indicator",
        ANALYSTS,
        _draft_and(indicator_id="no-such-indicator"),
        allowed_status=404,
    ),
    Guarded(
        "observatory:preview-indicator-csv",
        ANALYSTS,
        _draft_and(indicator_id="no-such-indicator"),
        allowed_status=404,
    ),
    Guarded(
        "observatory:preview-indicator-json",
        ANALYSTS,
        _draft_and(indicator_id="no-such-indicator"),
        allowed_status=404,
    ),
    Guarded(
        "observatory:preview-indicator-monthly-csv",
        ANALYSTS,
        _draft_and(indicator_id="no-such-indicator"),
        allowed_status=404,
    ),
    Guarded(
        "observatory:preview-indicator-monthly-json",
        ANALYSTS,
        _draft_and(indicator_id="no-such-indicator"),
        allowed_status=404,
    ),
    Guarded(
        "observatory:preview-area", ANALYSTS, _draft_and(gss_code="E05999999"), allowed_status=404
    ),
    # The draft has no survey tables: the list page says why; a measure page is not found.
    Guarded("observatory:preview-survey", ANALYSTS, _draft),
    Guarded(
        "observatory:preview-survey-measure",
        ANALYSTS,
        _draft_and(measure="no_such_measure"),
        allowed_status=404,
    ),
    # The draft has no community-report tables: the page says the family was not assessed.
    Guarded("observatory:preview-community-reports", ANALYSTS, _draft),
    Guarded(
        "observatory:preview-community-reports-csv",
        ANALYSTS,
        _draft_and(reports_table="summary"),
        allowed_status=404,
    ),
    Guarded(
        "observatory:preview-community-reports-json",
        ANALYSTS,
        _draft_and(reports_table="wards"),
        allowed_status=404,
    ),
]

# Recommendations and commentary (docs/commentary.md): the empty draft has no priority tables,
# so no recommendation is drafted (404) and an empty commentary POST is a form error (400).
COMMENTARY = [
    Guarded("commentary:assessments", ANALYSTS),
    Guarded("commentary:recommendations", ANALYSTS, _draft),
    Guarded("commentary:decide", ANALYSTS, _draft_and(group_id="vawg"), allowed_status=404),
    Guarded("commentary:commentary", ANALYSTS, _draft),
    Guarded("commentary:commentary", ANALYSTS, _draft, method="post", allowed_status=400),
    Guarded(
        "commentary:commentary-delete",
        ANALYSTS,
        lambda world: {"assessment_id": world.draft.pk, "commentary_id": 999_999},
        method="post",
        allowed_status=404,
    ),
]

MATRIX = ACCOUNTS + STRATEGY + OBSERVATORY + COMMENTARY

# Names in the guarded namespaces that are deliberately open to anonymous users.
PUBLIC = {
    "accounts:sign-in",
    "accounts:sign-in-code",
    "accounts:sign-out",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
}


def _url_callbacks(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _url_callbacks(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern.callback


def _checks_role(view: Any) -> bool:
    """Whether ``role_required`` wraps the view, under any other decorators."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if (
            code is not None
            and code.co_qualname == "role_required.<locals>.decorate.<locals>.checked"
        ):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def _needs_guarding(name: str) -> bool:
    namespace, _, short = name.partition(":")
    if namespace in {"accounts", "strategy", "commentary"}:
        return True
    return namespace == "observatory" and (
        short.startswith("preview") or short in {"drafts", "publish"}
    )


def test_every_portal_preview_and_accounts_url_is_in_the_matrix() -> None:
    names = {name for name, _ in _url_callbacks(get_resolver().url_patterns)}
    guarded = {name for name in names if _needs_guarding(name)}
    covered = {row.name for row in MATRIX}
    assert guarded - covered - PUBLIC == set(), "add these URL names to the permission matrix"
    assert covered - names == set(), "the matrix names URLs that no longer exist"
    assert names >= PUBLIC


REPORTING_ROUTES = ("partners/reports/", "report/centre/", "report/business/")


def _triage_names(patterns: list[Any], prefix: str = "", route: str = "") -> Iterator[str]:
    """``reporting:`` names under ``partners/reports/``, ``report/centre/`` and
    ``report/business/``: their own matrices check them
    (``tests/web/reporting/test_reporting_access_matrix_triage.py``, role × organisation × duty;
    ``..._schemes.py``, role × centre × business × scheme membership × agreement), each with its
    own guard)."""
    for pattern in patterns:
        here = route + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _triage_names(pattern.url_patterns, namespace, here)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{prefix}{pattern.name}"
            if name.startswith("reporting:") and here.lstrip("^").startswith(REPORTING_ROUTES):
                yield name


OWN_MATRIX_NAMESPACES = ("intelligence:", "alerts:")
"""Namespaces with their own access matrix and guard
(``tests/web/intelligence/test_intelligence_access_matrix.py``: role × organisation × receiver
designation × topic routing)."""


def test_every_role_checked_view_anywhere_is_in_the_matrix() -> None:
    role_checked = {
        name for name, view in _url_callbacks(get_resolver().url_patterns) if _checks_role(view)
    }
    assert "accounts:audit-log" in role_checked  # the detection works
    triage = set(_triage_names(get_resolver().url_patterns))
    own_matrix = {name for name in role_checked if name.startswith(OWN_MATRIX_NAMESPACES)}
    assert role_checked - {row.name for row in MATRIX} - triage - own_matrix == set()


def _request(client: Client, row: Guarded, url: str) -> tuple[Any, int]:
    """The response, and how many permission denials it audit-logged (then rolled back)."""
    with transaction.atomic():
        response = getattr(client, row.method)(url, row.data)
        denials = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        transaction.set_rollback(True)
    return response, denials


@pytest.fixture
def people(db: None) -> PortalPeople:
    return create_portal_people()


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.method}-{row.name}")
def test_role_and_organisation_decide_access(row: Guarded, people: PortalPeople) -> None:
    world = World(people)
    url = reverse(row.name, kwargs=row.kwargs(world))
    anonymous, _ = _request(Client(), row, url)
    assert anonymous.status_code == 302, f"anonymous {row.method.upper()} {url}"
    assert anonymous["Location"].startswith(f"{reverse('accounts:sign-in')}?next=")

    wrong = []
    for role in Role:
        for same_organisation in (True, False):
            client = Client()
            client.force_login(people.user(role, same_organisation=same_organisation))
            response, denials = _request(client, row, url)
            status = response.status_code
            expected = row.expected(role=role, same_organisation=same_organisation)
            where = "own" if same_organisation else "other"
            if (status == 403) != (denials == 1):
                wrong.append(f"{role.value} ({where} organisation): {status}, {denials} denials")
            if status != expected:
                wrong.append(f"{role.value} ({where} organisation): {status}, expected {expected}")
    assert wrong == [], f"{row.method.upper()} {url}"
