"""Abuse resistance of the report forms (issue 13): rate limits, honeypot, size limits."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from web_report_journeys import PUBLIC_HATE_ANSWERS, answer_all
from web_reporting import publish_small_area

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.reporting import abuse
from safecity_web.reporting.models import CommunityReport, Moderation

pytestmark = pytest.mark.django_db

CHECK = "/report/new/check/"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    caches["rate-limits"].clear()
    yield
    caches["rate-limits"].clear()


@pytest.fixture
def rates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small limits (the configured ones, 10 an hour and 600 an hour, are too slow to reach)."""
    real = abuse.core_gateway.community_reports_config()
    smaller = dataclasses.replace(
        real, abuse=dataclasses.replace(real.abuse, per_address_rate="3/h", global_rate="5/h")
    )
    monkeypatch.setattr(abuse.core_gateway, "community_reports_config", lambda: smaller)


def _ready_to_send(client: Client, *, description: str) -> None:
    answers = [
        (slug, {**data, "description": description} if slug == "description" else data)
        for slug, data in PUBLIC_HATE_ANSWERS
    ]
    answer_all(client, "/report/new/", answers)


def _send(client: Client, number: int, **extra: str) -> int:
    _ready_to_send(client, description=f"Report number {number}")
    return client.post(CHECK, {"website": ""}, **extra).status_code  # type: ignore[arg-type]


def test_the_per_address_limit_refuses_the_next_submission(client: Client, rates: None) -> None:
    publish_small_area()
    assert [_send(client, number) for number in range(3)] == [302, 302, 302]
    _ready_to_send(client, description="One too many")
    refused = client.post(CHECK, {"website": ""})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    text = refused.content.decode()
    assert "at most 3 reports in an hour from one internet connection" in text
    assert "call 999" in text
    assert CommunityReport.objects.count() == 3
    # The answers are kept: the check page still shows them.
    assert "One too many" in client.get(CHECK).content.decode()


def test_another_address_is_counted_on_its_own(client: Client, rates: None) -> None:
    publish_small_area()
    for number in range(3):
        _send(client, number, REMOTE_ADDR="192.0.2.1")
    assert _send(client, 3, REMOTE_ADDR="192.0.2.2") == 302
    assert _send(client, 4, REMOTE_ADDR="192.0.2.1") == 429


@override_settings(SAFECITY_TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_is_counted(client: Client, rates: None) -> None:
    publish_small_area()
    for number in range(3):
        _send(client, number, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _send(client, 3, HTTP_X_FORWARDED_FOR="198.51.100.8") == 302
    assert _send(client, 4, HTTP_X_FORWARDED_FOR="198.51.100.7") == 429


def test_the_site_wide_limit_holds_across_addresses(client: Client, rates: None) -> None:
    publish_small_area()
    statuses = [_send(client, number, REMOTE_ADDR=f"192.0.2.{number}") for number in range(6)]
    assert statuses == [302, 302, 302, 302, 302, 429]
    assert CommunityReport.objects.count() == 5


def test_a_filled_honeypot_is_stored_as_rejected_and_answered_as_usual(client: Client) -> None:
    publish_small_area()
    _ready_to_send(client, description="Buy cheap watches")
    response = client.post(CHECK, {"website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == "/report/new/done/"
    assert "Report sent" in client.get(response["Location"]).content.decode()
    report = CommunityReport.objects.get()
    assert report.moderation == Moderation.REJECTED
    event = AuditEvent.objects.get(action=AuditAction.EDITED, object_id=str(report.pk))
    assert "honeypot" in event.detail


def test_an_empty_honeypot_leaves_the_report_pending(client: Client) -> None:
    publish_small_area()
    _ready_to_send(client, description="A real report")
    client.post(CHECK, {"website": "  "})
    assert CommunityReport.objects.get().moderation == Moderation.PENDING


def test_the_honeypot_is_hidden_and_labelled_to_be_left_empty(client: Client) -> None:
    publish_small_area()
    _ready_to_send(client, description="Anything")
    text = client.get(CHECK).content.decode()
    assert '<div class="govuk-visually-hidden">' in text
    assert "Leave this field empty" in text
    assert 'name="website"' in text
    assert 'tabindex="-1"' in text


def test_a_question_page_refuses_a_body_larger_than_its_limit(client: Client) -> None:
    publish_small_area()
    response = client.post(
        "/report/new/kind/",
        data=b"kind=hate",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(abuse.TEXT_PAGE_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert response["Cache-Control"] == "no-store"


def test_period_words() -> None:
    assert abuse.period_words("10/h") == "an hour"
    assert abuse.period_words("600/m") == "a minute"
    assert abuse.period_words("5/10m") == "10 minutes"
