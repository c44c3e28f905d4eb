"""Lockout after repeated failed sign-ins, counted per username and per IP address.

Policy (settings ``SAFECITY_LOCKOUT``, a dict; defaults follow NCSC password guidance of
throttling rather than permanent lock): ``failures_per_username`` failures for one username
(5), or ``failures_per_ip_address`` failures from one address (20; offices share addresses),
within ``window`` (15 minutes) lock that username or address for ``duration`` (15 minutes),
doubled for every earlier lockout of the same key in the last 24 hours, up to
``longest_duration`` (24 hours) — so guessing an authenticator code or a password stays slow.
Failures before a lockout ended, or before a successful sign-in for the username, are not
counted again. A locked username is refused whether or not the account exists, so the
response reveals nothing about which accounts exist.

Counting is atomic: a sign-in holds the row locks of its username and address
(:func:`serialised_sign_in`) from the lockout check through the password or code check to
recording the outcome, so parallel attempts are checked one after another, never more than
the allowed number of passwords is checked, and a lockout is never stacked on a running one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max

from safecity_web.accounts import throttle
from safecity_web.accounts.models import Lockout, LockoutScope, SignInAttempt, ThrottleScope


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures within which window lock sign-in, and for how long."""

    failures_per_username: int = 5
    failures_per_ip_address: int = 20
    window: timedelta = timedelta(minutes=15)
    duration: timedelta = timedelta(minutes=15)
    longest_duration: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.failures_per_username < 1 or self.failures_per_ip_address < 1:
            raise ValueError("SAFECITY_LOCKOUT: failure thresholds must be at least 1")
        if self.window <= timedelta(0) or self.duration <= timedelta(0):
            raise ValueError("SAFECITY_LOCKOUT: window and duration must be positive")
        if self.longest_duration < self.duration:
            raise ValueError("SAFECITY_LOCKOUT: longest_duration must be at least duration")


def current_policy() -> LockoutPolicy:
    """The policy from ``settings.SAFECITY_LOCKOUT`` (missing keys take the defaults)."""
    configured = getattr(settings, "SAFECITY_LOCKOUT", {})
    unknown = set(configured) - set(LockoutPolicy.__dataclass_fields__)
    if unknown:
        raise ValueError(f"SAFECITY_LOCKOUT: unknown keys {sorted(unknown)}")
    return LockoutPolicy(**configured)


def normalise_username(username: str) -> str:
    """The key failures are counted under: stripped and case-folded."""
    return username.strip().casefold()[:150]


@contextmanager
def serialised_sign_in(*, username: str, ip_address: str | None) -> Iterator[None]:
    """Hold the username's and the address's row locks: check, verify and record in turn."""
    keys = [(ThrottleScope.SIGN_IN_USERNAME, normalise_username(username))]
    if ip_address:
        keys.append((ThrottleScope.SIGN_IN_IP_ADDRESS, ip_address))
    with throttle.locked(keys):
        yield


def locked_until(*, username: str, ip_address: str | None, now: datetime) -> datetime | None:
    """When the lockout covering this username or address ends, or ``None`` if not locked."""
    keys = [(LockoutScope.USERNAME, normalise_username(username))]
    if ip_address:
        keys.append((LockoutScope.IP_ADDRESS, ip_address))
    ends = [
        Lockout.objects.filter(scope=scope, key=key, locked_until__gt=now).aggregate(
            end=Max("locked_until")
        )["end"]
        for scope, key in keys
    ]
    found = [end for end in ends if end is not None]
    return max(found) if found else None


def _last_lockout_end(*, scope: LockoutScope, key: str, now: datetime) -> datetime | None:
    """Just before the last ended lockout ended: failures from its last instant on count."""
    end: datetime | None = Lockout.objects.filter(
        scope=scope, key=key, locked_until__lte=now
    ).aggregate(end=Max("locked_until"))["end"]
    return None if end is None else end - timedelta(microseconds=1)


def _counting_from(*, candidates: list[datetime | None]) -> datetime:
    return max(moment for moment in candidates if moment is not None)


ESCALATION_MEMORY = timedelta(hours=24)


def _lock(*, scope: LockoutScope, key: str, now: datetime, policy: LockoutPolicy) -> Lockout | None:
    """A new lockout of ``key``, or ``None`` if one is running (lockouts never stack)."""
    if Lockout.objects.filter(scope=scope, key=key, locked_until__gt=now).exists():
        return None
    earlier = Lockout.objects.filter(
        scope=scope, key=key, locked_at__gt=now - ESCALATION_MEMORY, locked_at__lte=now
    ).count()
    duration = min(policy.duration * 2 ** min(earlier, 16), policy.longest_duration)
    return Lockout.objects.create(scope=scope, key=key, locked_at=now, locked_until=now + duration)


def record_failure(
    *, username: str, ip_address: str | None, now: datetime, policy: LockoutPolicy | None = None
) -> list[Lockout]:
    """Record a failed attempt; return the lockouts it triggered (empty if none).

    Call it inside :func:`serialised_sign_in` for the same username and address, after the
    check that neither is locked, so that the count it reads is not stale.
    """
    policy = policy or current_policy()
    key = normalise_username(username)
    SignInAttempt.objects.create(
        attempted_at=now, username=key, ip_address=ip_address, succeeded=False
    )
    window_start = now - policy.window
    created: list[Lockout | None] = []

    last_success = SignInAttempt.objects.filter(
        username=key, succeeded=True, attempted_at__lte=now
    ).aggregate(at=Max("attempted_at"))["at"]
    since = _counting_from(
        candidates=[
            window_start,
            last_success,
            _last_lockout_end(scope=LockoutScope.USERNAME, key=key, now=now),
        ]
    )
    failures = SignInAttempt.objects.filter(
        username=key, succeeded=False, attempted_at__gt=since, attempted_at__lte=now
    ).count()
    if failures >= policy.failures_per_username:
        created.append(_lock(scope=LockoutScope.USERNAME, key=key, now=now, policy=policy))

    if ip_address:
        since = _counting_from(
            candidates=[
                window_start,
                _last_lockout_end(scope=LockoutScope.IP_ADDRESS, key=ip_address, now=now),
            ]
        )
        failures = SignInAttempt.objects.filter(
            ip_address=ip_address, succeeded=False, attempted_at__gt=since, attempted_at__lte=now
        ).count()
        if failures >= policy.failures_per_ip_address:
            created.append(
                _lock(scope=LockoutScope.IP_ADDRESS, key=ip_address, now=now, policy=policy)
            )
    return [lockout for lockout in created if lockout is not None]


def record_success(*, username: str, ip_address: str | None, now: datetime) -> None:
    """Record a successful sign-in: earlier failures for the username stop counting."""
    SignInAttempt.objects.create(
        attempted_at=now,
        username=normalise_username(username),
        ip_address=ip_address,
        succeeded=True,
    )


def end_username_lockouts(*, username: str, now: datetime) -> int:
    """End the username's current lockouts (after a password reset proves the mailbox)."""
    return Lockout.objects.filter(
        scope=LockoutScope.USERNAME, key=normalise_username(username), locked_until__gt=now
    ).update(locked_until=now)
