"""The portal home and the action-plan pages: sign-in required, readable by every role."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from web_strategy import POLICE, action_by_code

from safecity_web.strategy.models import FocusArea, Outcome, Priority, ProgressUpdate, Strategy

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "analyst", "board_member", "police_officer", "council_officer"]


def plan_pages() -> list[tuple[str, str]]:
    """Each action-plan page with a text only that page shows."""
    priority = Priority.objects.get(code="P1")
    area = FocusArea.objects.get(code="P1.F3")
    outcome = Outcome.objects.get(code="P1.F3.O1")
    action = action_by_code("P1.F3.A1")
    return [
        (reverse("strategy:home"), "Your organisation's actions"),
        (reverse("strategy:overview"), "Priority 3: Creating safe and stronger communities"),
        (reverse("strategy:priority", kwargs={"priority_id": priority.pk}), "Raise awareness"),
        (
            reverse("strategy:focus-area", kwargs={"focus_area_id": area.pk}),
            "Make crime reporting as easy as possible.",
        ),
        (
            reverse("strategy:outcome", kwargs={"outcome_id": outcome.pk}),
            "No indicator is linked to this outcome yet.",
        ),
        (
            reverse("strategy:action", kwargs={"action_id": action.pk}),
            "No progress has been reported yet.",
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_plan(
    client: Any, users: dict[str, Any], imported_strategy: Strategy, role: str
) -> None:
    client.force_login(users[role])
    for url, text in plan_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, imported_strategy: Strategy) -> None:
    for url, _ in plan_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('accounts:sign-in')}?next={url}"


def test_user_without_a_role_in_the_portal_is_refused(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    inactive = users["analyst"]
    inactive.role = "visitor"
    inactive.save()
    client.force_login(inactive)
    assert client.get(reverse("strategy:overview")).status_code == 403


def test_home_shows_my_organisations_actions_and_rag_counts(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    officer = users["police_officer"]
    for code, rag in (("P1.F3.A1", "red"), ("P1.F3.A2", "amber"), ("P3.F8.A1", "amber")):
        ProgressUpdate.objects.create(
            action=action_by_code(code),
            status="at_risk",
            rag=rag,
            percent_complete=30,
            narrative="Reported.",
            update_date=datetime.date(2025, 1, 10),
            author=officer,
        )
    police_codes = set(officer.organisation.strategy_actions.values_list("code", flat=True))
    client.force_login(officer)
    response = client.get(reverse("strategy:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Actions {POLICE} is responsible for" in page
    # The strategy names the Constabulary for 67 actions: 25 a page.
    assert len(police_codes) == 67
    shown = {action.code for action in response.context["my_actions_page"]}
    assert len(shown) == 25
    for code in shown:
        assert f">{code}</a>" in page
    assert f"(1 to 25 of {len(police_codes)})" in page
    assert 'aria-label="Pagination"' in page
    pages = [client.get(reverse("strategy:home"), {"page": number}) for number in (2, 3)]
    for later in pages:
        shown |= {action.code for action in later.context["my_actions_page"]}
    assert shown == police_codes
    assert ">P1.F1.A1</a>" not in page  # a council board's action
    rag_rows = response.context["my_rag_counts"]
    assert [(row.label, row.count) for row in rag_rows] == [
        ("Red", 1),
        ("Amber", 2),
        ("Green", 0),
        ("No update yet", len(police_codes) - 3),
    ]
    plan_rows = response.context["plan_rag_counts"]
    assert [(row.label, row.count) for row in plan_rows] == [
        ("Red", 1),
        ("Amber", 2),
        ("Green", 0),
        ("No update yet", 147),
    ]


def test_overview_without_a_strategy(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["analyst"])
    response = client.get(reverse("strategy:overview"))
    assert response.status_code == 404
    assert "No strategy has been imported yet" in response.content.decode()
    home = client.get(reverse("strategy:home"))
    assert home.status_code == 200
    assert "Import a strategy file" in home.content.decode()
