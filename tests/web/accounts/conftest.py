"""Fixtures for the accounts tests: a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from web_accounts import portal_people  # noqa: F401  (shared fixture)

from safecity_web.accounts import clock, outbox


@dataclass
class ManualClock:
    """A clock that only moves when the test says so."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def manual_clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """Replace ``safecity_web.accounts.clock.now``; starts at 2026-11-25 09:00:00 UTC."""
    controlled = ManualClock(current=datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC))
    monkeypatch.setattr(clock, "now", controlled.now)
    return controlled


@pytest.fixture(autouse=True)
def _emails_sent_before_the_next_test() -> Iterator[None]:
    """Reset emails go out on a background thread: none may land in the next test's outbox."""
    yield
    assert outbox.wait_until_sent(), "the background email sender did not finish"
