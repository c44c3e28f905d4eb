"""Rate limits of the Open311 API: per client address and, for submissions, per API key.

Counted with django-ratelimit in the ``rate-limits`` cache (as the rest of the site counts).
Submissions are limited per address at ``SAFECITY_OPEN311_ADDRESS_RATE`` (default: the
community-reporting configuration's ``abuse.per_address_rate``, the public form's limit) and
per app at ``SAFECITY_OPEN311_KEY_RATE`` (default: ``abuse.global_rate``: an app speaks for
many residents). Reading (``GET``) is limited per address at ``SAFECITY_RATE_LIMIT``, the
site's limit for public answers. A setting set to the empty text switches that limit off.

References
----------
django-ratelimit: https://django-ratelimit.readthedocs.io/en/stable/usage.html; RFC 6585 §4.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from safecity_web import core_gateway
from safecity_web.accounts.audit import client_address
from safecity_web.open311.errors import Open311Error


class Limit(StrEnum):
    """The Open311 rate limits."""

    SUBMISSIONS_PER_ADDRESS = "open311:post:address"
    SUBMISSIONS_PER_KEY = "open311:post:key"
    READS_PER_ADDRESS = "open311:get:address"


def rate_of(limit: Limit) -> str:
    """The rate in force for ``limit`` in django-ratelimit's notation ("" for no limit)."""
    abuse = core_gateway.community_reports_config().abuse
    if limit is Limit.SUBMISSIONS_PER_ADDRESS:
        configured = getattr(settings, "SAFECITY_OPEN311_ADDRESS_RATE", None)
        return abuse.per_address_rate if configured is None else str(configured)
    if limit is Limit.SUBMISSIONS_PER_KEY:
        configured = getattr(settings, "SAFECITY_OPEN311_KEY_RATE", None)
        return abuse.global_rate if configured is None else str(configured)
    return str(getattr(settings, "SAFECITY_RATE_LIMIT", "") or "")


def check_rate(request: HttpRequest, *, limit: Limit, who: str | None = None) -> None:
    """Count the request against ``limit`` for ``who`` (default: the client's address).

    Raises
    ------
    Open311Error
        429 with ``Retry-After`` when over the limit.
    """
    rate = rate_of(limit)
    if not rate:
        return
    counted = who if who is not None else f"address:{client_address(request) or 'unknown'}"
    usage = get_usage(
        request,
        group=str(limit),
        key=lambda _group, _request: counted,
        rate=rate,
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return
    retry_after = max(1, int(usage["time_left"]))
    whose = "this app" if limit is Limit.SUBMISSIONS_PER_KEY else "your address"
    raise Open311Error(
        status=429,
        message=f"too many requests from {whose}: at most {usage['limit']} per "
        f"{rate.partition('/')[2]}; try again in {retry_after} seconds",
        retry_after=retry_after,
    )
