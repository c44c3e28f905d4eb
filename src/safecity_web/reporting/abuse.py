"""Abuse resistance of the report forms, without CAPTCHA or tracking.

- **Rate limits** on submitting (the check-answers page's POST), counted with django-ratelimit
  in the ``rate-limits`` cache: per client address (``abuse.per_address_rate`` of
  ``community_reports.yaml``; the address as :func:`safecity_web.accounts.audit.client_address`
  reads it behind ``SAFECITY_TRUSTED_PROXIES``) for the public journey, and across the whole
  site (``abuse.global_rate``) for every journey. Reporting-centre workers and business members
  are signed in and may share an office address, so only the global limit counts them.
  Over a limit the reporter gets a 429 page in plain words, with ``Retry-After``; the draft
  stays in their session, so nothing they wrote is lost.
- **A honeypot field** on the check-answers page, hidden off screen by CSS and labelled for
  screen-reader users to leave empty. A filled honeypot is treated quietly as spam: the report
  **is stored, with moderation ``rejected``**, and the sender sees the usual confirmation.
  Stored rather than dropped because a person's browser or password manager can fill a hidden
  field: staff can still see the report in the queue and accept it, so a real victim's report is
  never lost; ``rejected`` keeps it out of every count and export.
- **Size limits**: a report page's request body may be at most :data:`TEXT_PAGE_MAX_BYTES`,
  the photos page's at most the photos allowed plus :data:`TEXT_PAGE_MAX_BYTES`, checked from
  ``Content-Length`` by :class:`ReportBodyLimitMiddleware` before anything reads the body (it
  sits before the middleware that parse forms); text answers are capped by the forms
  (``abuse.max_description_characters``); each photo by ``attachments.max_bytes``.
- **Duplicates** are marked by ``submit_report`` itself (``abuse.duplicate_window_minutes``).

References
----------
OWASP Automated Threats to Web Applications (OAT-019 account creation / form spam) and the
OWASP "Blocking Brute Force Attacks" guidance on rate limiting; RFC 6585 §4 (429) and RFC 9110
§10.2.3 (Retry-After). django-ratelimit: https://django-ratelimit.readthedocs.io/
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from safecity_web import core_gateway
from safecity_web.public_cache import rate_limit_key

ADDRESS_GROUP = "reporting:submit:address"
GLOBAL_GROUP = "reporting:submit:site"
HONEYPOT_FIELD = "website"
"""The honeypot's name: one a form-filling robot is keen to fill."""
TEXT_PAGE_MAX_BYTES = 64 * 1024
"""A question page without files: the longest description is far below this."""
REPORT_PATH_PREFIX = "/report/"
PHOTOS_PATH_SUFFIX = "/photos/"


@dataclass(frozen=True, slots=True)
class RateRefusal:
    """A submission over a rate limit: which limit, and when to try again."""

    per_address: bool
    limit: int
    period: str
    retry_after_seconds: int


PERIOD_NAMES = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def period_words(rate: str) -> str:
    """A django-ratelimit rate's period in words: '10/h' -> 'an hour', '5/10m' -> '10 minutes'."""
    period = rate.partition("/")[2]
    number, unit = period[:-1], PERIOD_NAMES.get(period[-1:], period[-1:])
    if not number or number == "1":
        return f"an {unit}" if unit == "hour" else f"a {unit}"
    return f"{number} {unit}s"


def _site_key(group: str, request: HttpRequest) -> str:
    return "site"


def submission_refused(request: HttpRequest, *, per_address: bool) -> RateRefusal | None:
    """Count one submission against the limits; a refusal when over one, else None.

    Parameters
    ----------
    request
        The submitting request (its client address is counted).
    per_address
        Whether the per-address limit applies (the public journey).
    """
    rules = core_gateway.community_reports_config().abuse
    if per_address:
        usage = get_usage(
            request,
            group=ADDRESS_GROUP,
            key=rate_limit_key,
            rate=rules.per_address_rate,
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            return RateRefusal(
                per_address=True,
                limit=int(usage["limit"]),
                period=period_words(rules.per_address_rate),
                retry_after_seconds=max(1, int(usage["time_left"])),
            )
    usage = get_usage(
        request, group=GLOBAL_GROUP, key=_site_key, rate=rules.global_rate, increment=True
    )
    if usage is not None and usage["should_limit"]:
        return RateRefusal(
            per_address=False,
            limit=int(usage["limit"]),
            period=period_words(rules.global_rate),
            retry_after_seconds=max(1, int(usage["time_left"])),
        )
    return None


def honeypot_filled(*, value: str) -> bool:
    """Whether the hidden field was filled (only a robot, or an over-eager autofill, does)."""
    return bool(value.strip())


def body_limit(*, with_files: bool) -> int:
    """The largest request body a question page takes, in bytes."""
    if not with_files:
        return TEXT_PAGE_MAX_BYTES
    rules = core_gateway.community_reports_config().attachments
    return rules.max_bytes * rules.max_per_report + TEXT_PAGE_MAX_BYTES


def body_too_large(request: HttpRequest, *, limit: int) -> bool:
    """Whether the request announces a body larger than ``limit`` (checked before reading)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit


def body_limit_for_path(path: str) -> int:
    """The largest body a POST to a report page at ``path`` may send."""
    return body_limit(with_files=path.endswith(PHOTOS_PATH_SUFFIX))


class ReportBodyLimitMiddleware:
    """Answer 413 to a POST under ``/report/`` announcing a body larger than its page takes.

    Placed before every middleware that reads the form (NUL check, CSRF), so an oversized
    upload is refused before a byte of it is parsed or written to a temporary file.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Pass the request on unless it is an oversized POST to a report page."""
        if request.method != "POST" or not request.path.startswith(REPORT_PATH_PREFIX):
            return self.get_response(request)
        limit = body_limit_for_path(request.path)
        if not body_too_large(request, limit=limit):
            return self.get_response(request)
        response = render(
            request,
            "reporting/public_too_large.html",
            {"back_url": request.path, "limit_mb": max(1, round(limit / (1024 * 1024)))},
            status=413,
        )
        response["Cache-Control"] = "no-store"
        return response
