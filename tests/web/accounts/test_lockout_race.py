"""Lockout under a burst: parallel wrong passwords for one user, in real threads on PostgreSQL.

Before the fix (issue 15), 40 parallel wrong passwords got 12 password checks instead of 5 and
stacked 7-8 lockouts (about 24 hours instead of 15 minutes): every request read the failure
count before any of them had recorded its own. The hasher is slowed down here so that the
requests really overlap while passwords are checked.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.urls import reverse
from web_accounts import PASSWORD, PortalPeople

from safecity_web.accounts.models import Lockout, SignInAttempt

SIGN_IN = reverse("accounts:sign-in")
LOCKED_TEXT = "Sign-in is paused after too many failed attempts"
WRONG_TEXT = "The username or password is not correct"
PARALLEL = 40
SLOW_CHECK_SECONDS = 0.05


class _CountingChecks:
    """Counts password checks (hash computations) and makes each take a little time."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def slow_and_counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.count += 1
            time.sleep(SLOW_CHECK_SECONDS)
            return original(*args, **kwargs)

        return slow_and_counted


@pytest.fixture
def counted_checks(monkeypatch: pytest.MonkeyPatch) -> _CountingChecks:
    checks = _CountingChecks()
    # verify() calls encode(), and an unknown username's password is encode()d once, so
    # encode() counts every hash computation exactly once.
    monkeypatch.setattr(MD5PasswordHasher, "encode", checks.wrap(MD5PasswordHasher.encode))
    return checks


def _burst(*, username: str, passwords: list[str], address: str = "127.0.0.1") -> list[str]:
    barrier = threading.Barrier(len(passwords))

    def attempt(password: str) -> str:
        try:
            client = Client(REMOTE_ADDR=address)
            barrier.wait()
            response = client.post(SIGN_IN, {"username": username, "password": password})
            if response.status_code == 302:
                return "signed in"
            html = response.content.decode()
            assert response.status_code == 200, response.status_code
            return "locked" if LOCKED_TEXT in html else "wrong" if WRONG_TEXT in html else html
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(attempt, passwords))


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_get_five_checks_and_one_fifteen_minute_lockout(
    portal_people: PortalPeople, manual_clock, counted_checks: _CountingChecks
) -> None:
    outcomes = _burst(username="analyst-own", passwords=[f"wrong {n}" for n in range(PARALLEL)])

    assert counted_checks.count == 5
    assert Counter(outcomes) == {"wrong": 4, "locked": PARALLEL - 4}
    lockout = Lockout.objects.get()
    assert (lockout.scope, lockout.key) == ("username", "analyst-own")
    assert lockout.locked_until - lockout.locked_at == timedelta(minutes=15)
    assert SignInAttempt.objects.filter(succeeded=False).count() == 5

    # The lockout ends after 15 minutes, not a day later.
    manual_clock.advance(minutes=15)
    response = Client().post(SIGN_IN, {"username": "analyst-own", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_for_an_unknown_username_are_counted_the_same_way(
    portal_people: PortalPeople, manual_clock, counted_checks: _CountingChecks
) -> None:
    outcomes = _burst(username="nobody-here", passwords=[f"wrong {n}" for n in range(12)])
    # ModelBackend hashes the password once for an unknown username too (no timing signal).
    assert counted_checks.count == 5
    assert Counter(outcomes) == {"wrong": 4, "locked": 8}
    assert Lockout.objects.get().key == "nobody-here"


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_from_one_address_lock_it_once(
    portal_people: PortalPeople, manual_clock, counted_checks: _CountingChecks, settings
) -> None:
    settings.SAFECITY_LOCKOUT = {"failures_per_ip_address": 3, "failures_per_username": 100}
    usernames = [f"guess-{n}" for n in range(10)]
    barrier = threading.Barrier(len(usernames))

    def attempt(username: str) -> None:
        try:
            client = Client(REMOTE_ADDR="203.0.113.9")
            barrier.wait()
            client.post(SIGN_IN, {"username": username, "password": "password123"})
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(usernames)) as pool:
        list(pool.map(attempt, usernames))
    assert counted_checks.count == 3
    assert list(Lockout.objects.values_list("scope", "key")) == [("ip_address", "203.0.113.9")]


@pytest.mark.django_db
def test_failures_recorded_during_a_lockout_never_stack_another(manual_clock) -> None:
    from safecity_web.accounts.lockout import record_failure

    triggered = [
        record_failure(username="someone", ip_address=None, now=manual_clock.now())
        for _ in range(8)
    ]
    assert [len(lockouts) for lockouts in triggered] == [0, 0, 0, 0, 1, 0, 0, 0]
    lockout = Lockout.objects.get()
    assert lockout.locked_until - lockout.locked_at == timedelta(minutes=15)
