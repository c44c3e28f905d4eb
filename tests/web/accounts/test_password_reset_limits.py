"""Password reset under bursts: limits per address, per account and per client address, and
the same answer and the same work whether or not the account exists (issue 15)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.template import loader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from web_accounts import PortalPeople

from safecity_web.accounts.models import Role
from safecity_web.accounts.outbox import wait_until_sent
from safecity_web.accounts.password_reset import current_limit

RESET = reverse("accounts:password-reset")
SENT = reverse("accounts:password-reset-sent")


def _ask(client: Client, email: str) -> tuple[int, str, bytes]:
    response = client.post(RESET, {"email": email})
    return response.status_code, response["Location"], response.content


def _sent_to() -> list[str]:
    assert wait_until_sent()
    return [address for message in mail.outbox for address in message.to]


@pytest.mark.django_db
def test_at_most_three_emails_an_hour_to_one_address(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    email = portal_people.user(Role.ANALYST).email
    answers = {_ask(client, address) for address in [email, email.upper(), email, email, email]}
    assert answers == {(302, SENT, b"")}
    assert _sent_to() == [email] * 3
    manual_clock.advance(minutes=59)
    _ask(client, email)
    assert len(_sent_to()) == 3
    # Refused requests are not counted: an hour after the last sent email, one goes again.
    manual_clock.advance(minutes=1, seconds=1)
    _ask(client, email)
    assert len(_sent_to()) == 4


@pytest.mark.django_db
def test_limit_per_account(client: Client, portal_people: PortalPeople, settings) -> None:
    settings.SAFECITY_PASSWORD_RESET_LIMIT = {"per_email": 100, "per_account": 2}
    email = portal_people.user(Role.BOARD_MEMBER).email
    for _ in range(4):
        assert _ask(client, email) == (302, SENT, b"")
    assert _sent_to() == [email] * 2


@pytest.mark.django_db
def test_limit_per_client_address(portal_people: PortalPeople, settings) -> None:
    settings.SAFECITY_PASSWORD_RESET_LIMIT = {"per_ip_address": 3}
    flooding = Client(REMOTE_ADDR="203.0.113.5")
    for number in range(3):
        _ask(flooding, f"guess-{number}@example.org")  # unknown addresses count too
    victim = portal_people.user(Role.ANALYST).email
    assert _ask(flooding, victim) == (302, SENT, b"")
    assert _sent_to() == []
    assert _ask(Client(REMOTE_ADDR="198.51.100.9"), victim) == (302, SENT, b"")
    assert _sent_to() == [victim]


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_for_one_address_send_three_emails(portal_people: PortalPeople) -> None:
    from django.db import connection

    email = portal_people.user(Role.ANALYST).email
    barrier = threading.Barrier(12)
    answers: list[tuple[int, str, bytes]] = []

    def ask(number: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
            barrier.wait()
            answers.append(_ask(client, email))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(answers) == {(302, SENT, b""): 12}
    assert _sent_to() == [email] * 3


class _Calls:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def spy(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return original(*args, **kwargs)

        return counted


@pytest.mark.django_db
def test_known_unknown_and_limited_requests_get_the_same_answer_after_the_same_work(
    portal_people: PortalPeople, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    """No timing test (it would be flaky): the same expensive steps are counted instead."""
    settings.SAFECITY_PASSWORD_RESET_LIMIT = {"per_email": 1}
    calls = _Calls()
    monkeypatch.setattr(
        PasswordResetTokenGenerator,
        "make_token",
        calls.spy("token", PasswordResetTokenGenerator.make_token),
    )
    monkeypatch.setattr(loader, "render_to_string", calls.spy("render", loader.render_to_string))
    known = portal_people.user(Role.ANALYST).email
    work: dict[str, Counter[str]] = {}
    answers = {}
    for case, email in [
        ("known", known),
        ("unknown", "nobody@example.org"),
        ("limited", known),
        ("inactive", "inactive@example.org"),
    ]:
        if case == "inactive":
            user = portal_people.user(Role.PARTNER_OFFICER)
            user.email, user.is_active = email, False
            user.save()
        calls.counts.clear()
        with CaptureQueriesContext(connection) as queries:
            answers[case] = _ask(Client(), email)
        work[case] = Counter(calls.counts)
        work[case]["database queries"] = len(queries)
    assert set(answers.values()) == {(302, SENT, b"")}
    # An account that exists, none, or an inactive one: the same queries, token and rendering.
    assert work["known"] == work["unknown"] == work["inactive"], work
    assert (work["known"]["token"], work["known"]["render"]) == (1, 2)
    # Refused by the limit (which counts unknown addresses alike): nothing recorded, the same
    # token and rendering.
    assert (work["limited"]["token"], work["limited"]["render"]) == (1, 2)
    assert _sent_to() == [known]


@pytest.mark.django_db
def test_the_answer_does_not_wait_for_the_mail_server(
    portal_people: PortalPeople, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow mail server cannot reveal a known address: the answer comes before it accepts."""
    mail_server_free = threading.Event()
    original = EmailBackend.send_messages

    def slow_mail_server(self: EmailBackend, messages: Any) -> int:
        assert mail_server_free.wait(timeout=10)
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_mail_server)
    email = portal_people.user(Role.ANALYST).email
    assert _ask(Client(), email) == (302, SENT, b"")
    assert mail.outbox == []  # answered while the mail server is still busy
    mail_server_free.set()
    assert _sent_to() == [email]


def test_reset_limit_settings_are_checked(settings) -> None:
    settings.SAFECITY_PASSWORD_RESET_LIMIT = {"per_hour": 3}
    with pytest.raises(ValueError, match=r"unknown keys \['per_hour'\]"):
        current_limit()
    settings.SAFECITY_PASSWORD_RESET_LIMIT = {"per_email": 0}
    with pytest.raises(ValueError, match="limits must be at least 1"):
        current_limit()
    settings.SAFECITY_PASSWORD_RESET_LIMIT = {"window": timedelta(hours=2)}
    assert current_limit().window == timedelta(hours=2)


@pytest.mark.django_db
def test_addresses_are_counted_under_a_keyed_hash_not_kept(client: Client) -> None:
    from safecity_web.accounts.models import ThrottledRequest
    from safecity_web.accounts.password_reset import email_key

    assert _ask(client, "Someone@Example.org") == (302, SENT, b"")
    assert _ask(client, "someone@example.org") == (302, SENT, b"")
    keys = list(ThrottledRequest.objects.filter(scope="reset_email").values_list("key", flat=True))
    assert keys == [email_key("someone@example.org")] * 2
    assert len(keys[0]) == 64
    assert "someone" not in keys[0]
    # Case-folding can lengthen text ('ß' becomes 'ss'); the key's length never changes.
    assert len(email_key("ß" * 254)) == 64
