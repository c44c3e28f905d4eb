"""Published pages built once: a short-lived cache of public responses, validators, rate limits.

Published outputs (the observatory's pages and downloads, the API, the annual statement) only
change when an analyst publishes, so the same answer is built again and again for every
visitor. :class:`PublicCacheMiddleware` keeps the answer to an anonymous ``GET`` of a public
URL for ``SAFECITY_PAGE_CACHE_SECONDS`` (60 s by default; shorter than the five minutes the API
already allows caches to keep its answers) in each worker's memory, and answers the same
request from there without running the view, the session, the database or the templates.

Only what cannot be personal is kept: a request without any cookie or ``Authorization``
header, answered 200 without setting a cookie, without ``Cache-Control`` private, no-cache or
no-store, and varying on nothing but ``Cookie``. The per-request Content-Security-Policy nonce
is swapped for a placeholder when a page is kept and for the new request's nonce when it is
served, so every answer still carries a fresh nonce matching its header.

A public answer whose body does not carry the nonce (JSON, CSV, PDF) gets a strong ``ETag``
if its view set none, and a conditional request with a current copy gets 304. HTML pages carry
a fresh nonce on every answer, so they get no ETag (a 304 would pair an old page's nonce with
a new header).

What is not served from the cache (a first request, a query string seen for the first time, a
request with cookies) runs the view: that work is rate-limited per client address (as
:func:`safecity_web.accounts.audit.client_address` reads it behind trusted proxies) with
django-ratelimit, at ``SAFECITY_RATE_LIMIT`` per URL family (the
observatory, the API, the statement). Over the limit, the answer is 429 with ``Retry-After``
and a sentence (the API's JSON error envelope for the API).

References
----------
RFC 9110 §8.8 (validators) and §13 (conditional requests); RFC 6585 §4 (429 Too Many
Requests); RFC 9110 §10.2.3 (Retry-After). W3C Content Security Policy Level 3 §7 (nonces).
django-ratelimit: https://django-ratelimit.readthedocs.io/en/stable/usage.html
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django_ratelimit.core import get_usage

from safecity_web.accounts.audit import client_address
from safecity_web.api.errors import ErrorCode

PAGE_CACHE = "pages"
"""The cache alias (``settings.CACHES``) that keeps public answers."""
NONCE_PLACEHOLDER = "\x00safecity-csp-nonce\x00"
"""Stands for the request's CSP nonce in a kept page (a NUL never occurs in a page)."""
MAX_KEPT_BYTES = 4 * 1024 * 1024
"""Larger answers are not kept (a worker's memory is shared by every kept page)."""
MAX_KEPT_BYTES_WITH_QUERY = 128 * 1024
"""The cap for an answer to a URL with a query string. Paths that answer 200 are the site's
own pages, a bounded set; query strings are not (a view may ignore one), so a client cycling
through made-up query strings fills at most ``MAX_ENTRIES`` x this much of a worker's memory."""
UNCACHEABLE_DIRECTIVES = ("private", "no-cache", "no-store")
CACHED_HEADER = "X-Safecity-Cache"
"""``hit`` on an answer served from the cache, ``miss`` on one the view built."""


class UrlFamily(StrEnum):
    """The public URL families: each is a rate-limit group of its own."""

    OBSERVATORY = "observatory"
    API = "api"
    STATEMENT = "strategy-public"


PRIVATE_ROUTE_PREFIXES = ("preview", "publish", "drafts")
"""Observatory routes for analysts (draft previews, publishing): never public."""


def public_family(request: HttpRequest) -> UrlFamily | None:
    """The public URL family of the request's path, or None (portal, accounts, unknown)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    try:
        family = UrlFamily(match.namespace)
    except ValueError:
        return None
    if (match.url_name or "").startswith(PRIVATE_ROUTE_PREFIXES):
        return None
    return family


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """A public answer as kept: status, headers and body (the nonce replaced)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    carries_nonce: bool

    def response(self, request: HttpRequest) -> HttpResponse:
        """The kept answer for ``request``: its nonce put in, or 304 when its copy is current."""
        content = self.content
        if self.carries_nonce:
            nonce = str(getattr(request, "csp_nonce", ""))
            content = content.replace(NONCE_PLACEHOLDER.encode(), nonce.encode())
        response = HttpResponse(content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        response["Content-Length"] = str(len(content))
        response[CACHED_HEADER] = "hit"
        return with_validators(request, response, carries_nonce=self.carries_nonce)


def _strong_etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def with_validators(
    request: HttpRequest, response: HttpResponse, *, carries_nonce: bool
) -> HttpResponse:
    """Give a public answer without a nonce an ETag, and answer 304 when the copy is current."""
    if carries_nonce or response.status_code != 200 or response.streaming:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = _strong_etag(response.content)
    conditional = get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
    if conditional is not response and conditional is not None:
        for name in ("Cache-Control", "Vary", "Access-Control-Allow-Origin"):
            if response.has_header(name):
                conditional[name] = response[name]
        return conditional
    return response


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cap = MAX_KEPT_BYTES_WITH_QUERY if request.META.get("QUERY_STRING") else MAX_KEPT_BYTES
    if len(response.content) > cap:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in UNCACHEABLE_DIRECTIVES):
        return False
    varies = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return varies <= {"cookie"}


def _kept(request: HttpRequest, response: HttpResponse) -> KeptAnswer:
    nonce = str(getattr(request, "csp_nonce", ""))
    content = response.content
    carries_nonce = bool(nonce) and nonce.encode() in content
    if carries_nonce:
        content = content.replace(nonce.encode(), NONCE_PLACEHOLDER.encode())
    headers = tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in ("content-length", CACHED_HEADER.lower())
    )
    return KeptAnswer(
        status=response.status_code, headers=headers, content=content, carries_nonce=carries_nonce
    )


def _cache_key(request: HttpRequest) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "public:" + hashlib.sha256(where.encode()).hexdigest()


def rate_limit_key(group: str, request: HttpRequest) -> str:
    """Who a request counts against: the client's address (behind trusted proxies, the
    address the outermost of them saw)."""
    return f"address:{client_address(request) or 'unknown'}"


def rate_limited(request: HttpRequest, *, family: UrlFamily) -> HttpResponse | None:
    """Count the request against its client's limit; a 429 answer when over it, else None."""
    rate = getattr(settings, "SAFECITY_RATE_LIMIT", None)
    if not rate:
        return None
    usage = get_usage(
        request, group=f"public:{family.value}", key=rate_limit_key, rate=rate, increment=True
    )
    if usage is None or not usage["should_limit"]:
        return None
    retry_after = max(1, int(usage["time_left"]))
    sentence = (
        f"Too many requests from you for pages that are not ready-made: at most "
        f"{usage['limit']} in {_period_words(rate)}. Please try again in {retry_after} seconds."
    )
    if family is UrlFamily.API:
        response = HttpResponse(
            json.dumps(
                {
                    "error": {
                        "code": str(ErrorCode.RATE_LIMITED),
                        "message": sentence,
                        "parameter": None,
                    }
                }
            ),
            status=429,
            content_type="application/json",
        )
        response["Access-Control-Allow-Origin"] = "*"
    else:
        response = HttpResponse(
            sentence + "\n", status=429, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


PERIOD_WORDS = {"s": "a second", "m": "a minute", "h": "an hour", "d": "a day"}


def _period_words(rate: str) -> str:
    """'120/m' -> 'a minute'; '30/5m' -> '5 minutes'."""
    period = rate.partition("/")[2]
    number, unit = period[:-1], period[-1:]
    if not number or number == "1":
        return PERIOD_WORDS.get(unit, period)
    names = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    return f"{number} {names.get(unit, unit)}"


_BUILDING: dict[str, threading.Lock] = {}
"""A lock per answer being built in this process (the cache is per process too)."""
_BUILDING_GUARD = threading.Lock()


class PublicCacheMiddleware:
    """Serve kept public answers; keep new ones; rate-limit the work that is not kept.

    Sits after the security-header middleware (each answer still gets its own nonce and
    headers) and before the session and authentication middleware (a kept answer needs
    neither).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        family = public_family(request)
        if family is None:
            return self.get_response(request)
        seconds = int(getattr(settings, "SAFECITY_PAGE_CACHE_SECONDS", 0))
        anonymous = not request.COOKIES and "Authorization" not in request.headers
        key = _cache_key(request) if seconds > 0 and anonymous and request.method == "GET" else None
        if key is None:
            return self._build(request, family=family, key=None, seconds=seconds)
        kept = caches[PAGE_CACHE].get(key)
        if isinstance(kept, KeptAnswer):
            return kept.response(request)
        # One thread of the worker builds a missing answer; the others asking for it at the
        # same moment (many clients when a kept answer expires) wait and take the kept one.
        with _BUILDING_GUARD:
            building = _BUILDING.setdefault(key, threading.Lock())
        with building:
            kept = caches[PAGE_CACHE].get(key)
            if isinstance(kept, KeptAnswer):
                return kept.response(request)
            try:
                return self._build(request, family=family, key=key, seconds=seconds)
            finally:
                with _BUILDING_GUARD:
                    _BUILDING.pop(key, None)

    def _build(
        self, request: HttpRequest, *, family: UrlFamily, key: str | None, seconds: int
    ) -> HttpResponse:
        """Run the view (within the client's rate limit) and keep its answer if it may be."""
        refused = rate_limited(request, family=family)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return response
        if key is not None and _keepable(request, response):
            patch_vary_headers(response, ("Cookie",))
            kept = _kept(request, response)
            caches[PAGE_CACHE].set(key, kept, seconds)
            response[CACHED_HEADER] = "miss"
            return with_validators(request, response, carries_nonce=kept.carries_nonce)
        nonce = str(getattr(request, "csp_nonce", ""))
        carries_nonce = (
            not response.streaming and bool(nonce) and nonce.encode() in response.content
        )
        return with_validators(request, response, carries_nonce=carries_nonce)
