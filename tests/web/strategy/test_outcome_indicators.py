"""Outcomes linked to observatory indicators show the latest published value and significance."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from web_strategy import CHANGE_TEST_WORDS, SIGNIFICANT_TEST, draft_assessment, publish_assessment

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.strategy.indicators import ChangeLabel, linked_indicators
from safecity_web.strategy.models import Outcome, OutcomeIndicator, Strategy

pytestmark = pytest.mark.django_db

# P2.F2.O4: "Understand, map and target high harm areas with police, health and social care."
OUTCOME = "P2.F2.O4"


def outcome_url(outcome: Outcome) -> str:
    return reverse("strategy:outcome", kwargs={"outcome_id": outcome.pk})


def test_outcome_shows_latest_published_value_ci_and_significance(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    older = draft_assessment(period="2023/24", violence_rate=30.0, change_pct=1.0)
    publish_assessment(older)
    latest = draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3)
    publish_assessment(latest, user=users["analyst"])
    draft_assessment(period="2025/26", violence_rate=99.9, change_pct=50.0)  # never published
    outcome = Outcome.objects.get(code=OUTCOME)
    client.force_login(users["analyst"])
    response = client.post(
        reverse("strategy:outcome-link-indicator", kwargs={"outcome_id": outcome.pk}),
        {"indicator_id": "violence_against_the_person"},
    )
    assert response.status_code == 302
    assert OutcomeIndicator.objects.get(outcome=outcome).indicator_id == (
        "violence_against_the_person"
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, object_type="strategy.OutcomeIndicator"
    ).exists()

    [linked] = linked_indicators(outcome=outcome)
    assert linked.value is not None
    assert (linked.value.period, linked.value.value) == ("2024/25", 27.5)
    assert linked.label is ChangeLabel.SIGNIFICANT_DECREASE

    client.force_login(users["board_member"])
    page = client.get(outcome_url(outcome)).content.decode()
    assert (
        '<a class="govuk-link" href="/indicators/violence_against_the_person/">'
        "Violence against the person</a>" in page
    )
    assert "2024/25" in page
    assert "27.5 per 1,000" in page
    assert "26.3 to 28.7" in page  # the interval 27.5 ± 1.2
    assert (
        '<strong class="govuk-tag safecity-change--decrease">Significant decrease</strong>' in page
    )
    assert "-8.3% since 2023/24" in page
    assert SIGNIFICANT_TEST not in page  # the artefact's name of the test ...
    assert (  # ... is written in readers' words, linked to the method
        f'Tested with <a class="govuk-link" href="/methods/#method-rate-ratio-test">'
        f"{CHANGE_TEST_WORDS}</a>" in page
    )
    assert "99.9" not in page  # the draft stays unseen
    assert "Link indicator" not in page  # board members read only


def test_non_significant_and_unpublished_indicators(
    users: dict[str, Any], imported_strategy: Strategy
) -> None:
    publish_assessment(draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3))
    outcome = Outcome.objects.get(code=OUTCOME)
    for indicator_id in ("residential_burglary", "not_an_indicator"):
        OutcomeIndicator.objects.create(outcome=outcome, indicator_id=indicator_id)
    unknown, burglary = linked_indicators(outcome=outcome)  # in indicator_id order
    assert burglary.label is ChangeLabel.NO_SIGNIFICANT_CHANGE
    assert burglary.tag_class == "safecity-change--not-significant"
    assert burglary.value is not None
    assert burglary.value.value == 4.1
    assert (unknown.is_known, unknown.value, unknown.label) == (False, None, None)


@pytest.mark.parametrize("role", ["board_member", "police_officer"])
def test_only_analysts_and_administrators_link_indicators(
    client: Any, users: dict[str, Any], imported_strategy: Strategy, role: str
) -> None:
    publish_assessment(draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3))
    outcome = Outcome.objects.get(code=OUTCOME)
    client.force_login(users[role])
    response = client.post(
        reverse("strategy:outcome-link-indicator", kwargs={"outcome_id": outcome.pk}),
        {"indicator_id": "violence_against_the_person"},
    )
    assert response.status_code == 403
    assert not OutcomeIndicator.objects.exists()


def test_linking_an_unknown_indicator_is_refused(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    outcome = Outcome.objects.get(code=OUTCOME)
    client.force_login(users["administrator"])
    response = client.post(
        reverse("strategy:outcome-link-indicator", kwargs={"outcome_id": outcome.pk}),
        {"indicator_id": "made_up"},
    )
    assert response.status_code == 400
    assert "Select a valid choice. made_up is not one of the available choices." in (
        response.content.decode()
    )
    assert not OutcomeIndicator.objects.exists()
