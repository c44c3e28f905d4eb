"""Row locks that make "count the attempts, do the work, record it" atomic across requests.

Counting failures (or requests) and then acting on the count is a race when requests run in
parallel: every request reads the same count before any of them records its own. Each throttled
action therefore takes a row lock (``SELECT ... FOR UPDATE`` on PostgreSQL, PostgreSQL
documentation §13.3.2 "Row-Level Locks") on one :class:`~safecity_web.accounts.models.ThrottleLock`
row per key it is counted under, inside a transaction, and holds it until it has recorded its
outcome. Locks are always taken in one global order (scope, then key), so two requests that
share some keys cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q

from safecity_web.accounts.models import ThrottledRequest, ThrottleLock, ThrottleScope


@contextmanager
def locked(keys: Iterable[tuple[ThrottleScope, str]]) -> Iterator[None]:
    """A transaction holding the row lock of every ``(scope, key)`` until the block ends.

    Requests for the same key wait for each other here; requests for other keys do not.
    """
    ordered = sorted({(str(scope), key) for scope, key in keys})
    with transaction.atomic():
        # A lock row deleted meanwhile (pruning) is created again and locked on the next pass.
        while ordered and _lock_rows(ordered) < len(ordered):
            continue
        yield


def _lock_rows(ordered: list[tuple[str, str]]) -> int:
    ThrottleLock.objects.bulk_create(
        [ThrottleLock(scope=scope, key=key) for scope, key in ordered], ignore_conflicts=True
    )
    wanted = reduce(or_, (Q(scope=scope, key=key) for scope, key in ordered))
    return len(
        ThrottleLock.objects.select_for_update()
        .filter(wanted)
        .order_by("scope", "key")
        .values_list("id", flat=True)
    )


def requests_within(*, scope: ThrottleScope, key: str, now: datetime, window: timedelta) -> int:
    """How many requests were recorded under ``scope`` and ``key`` since ``window`` before ``now``.

    Requests recorded with a later time count too: a request that waited for the lock may
    have taken its time before the request it waited for.
    """
    return ThrottledRequest.objects.filter(
        scope=scope, key=key, requested_at__gt=now - window
    ).count()


def record_request(*, scope: ThrottleScope, key: str, now: datetime) -> None:
    """Record one request under ``scope`` and ``key``."""
    ThrottledRequest.objects.create(scope=scope, key=key, requested_at=now)
