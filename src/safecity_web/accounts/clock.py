"""The time the accounts app reads: one function, so tests can control it.

Lockout windows and authenticator codes depend on the time; services take ``now=`` and views
pass ``clock.now()``. Tests replace :func:`now` (``monkeypatch.setattr(clock, "now", ...)``).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return timezone.now()
