"""Public answers built once and kept briefly, validators and 304s, per-client rate limits.

The test settings turn the page cache and the rate limit off (tests publish different data
under the same URLs); these tests turn them on. Real requests through the whole middleware
stack on the published demo assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from jsonschema import Draft202012Validator

from safecity_web.accounts.models import Role
from safecity_web.api.openapi import openapi_document
from safecity_web.public_cache import CACHED_HEADER, PAGE_CACHE

NONCE = re.compile(r'<script nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    """Kept answers and rate counts of another test must not leak into this one."""
    for alias in (PAGE_CACHE, "rate-limits"):
        caches[alias].clear()
    yield
    for alias in (PAGE_CACHE, "rate-limits"):
        caches[alias].clear()


def _csp_nonce(response: Any) -> str:
    found = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert found is not None
    return found.group(1)


@override_settings(SAFECITY_PAGE_CACHE_SECONDS=60)
def test_a_public_page_is_built_once_and_each_answer_has_a_fresh_nonce(
    client: Client, published_demo: Any, django_assert_num_queries: Any
) -> None:
    first = client.get("/indicators/all_crime/")
    assert first.status_code == 200
    assert first[CACHED_HEADER] == "miss"
    with django_assert_num_queries(0):  # no view, session or database: the kept answer
        second = client.get("/indicators/all_crime/")
    assert second.status_code == 200
    assert second[CACHED_HEADER] == "hit"
    first_nonce, second_nonce = _csp_nonce(first), _csp_nonce(second)
    assert first_nonce != second_nonce
    assert set(NONCE.findall(first.content.decode())) == {first_nonce}
    assert set(NONCE.findall(second.content.decode())) == {second_nonce}
    assert second.content.decode().replace(second_nonce, first_nonce) == first.content.decode()
    assert second["Content-Length"] == str(len(second.content))
    assert "ETag" not in second  # a page carries its nonce: no 304 for it
    assert "Cookie" in second["Vary"]
    assert second["X-Frame-Options"] == "DENY"


@override_settings(SAFECITY_PAGE_CACHE_SECONDS=60)
def test_downloads_and_api_answers_get_validators_and_304(
    client: Client, published_demo: Any
) -> None:
    for url in ("/indicators/all_crime/data.csv", "/api/v1/indicators", "/api/v1/openapi.json"):
        full = client.get(url)
        assert full.status_code == 200, url
        etag = full["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{32,64}"', etag), (url, etag)
        kept = client.get(url)
        assert (kept[CACHED_HEADER], kept["ETag"], kept.content) == ("hit", etag, full.content)
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert not_modified.status_code == 304, url
        assert not_modified.content == b""
        assert not_modified["ETag"] == etag
        changed = client.get(url, HTTP_IF_NONE_MATCH='"somethingelse"')
        assert changed.status_code == 200
    api = client.get(
        "/api/v1/indicators", HTTP_IF_NONE_MATCH=client.get("/api/v1/indicators")["ETag"]
    )
    assert api["Access-Control-Allow-Origin"] == "*"


@override_settings(SAFECITY_PAGE_CACHE_SECONDS=60)
def test_nothing_personal_is_kept_or_served_from_the_cache(
    client: Client, published_demo: Any, user_with_role: Any
) -> None:
    analyst = user_with_role(Role.ANALYST)
    client.force_login(analyst)
    signed_in = client.get("/indicators/all_crime/")
    assert signed_in.status_code == 200
    assert CACHED_HEADER not in signed_in  # a request with a session cookie is never kept
    assert "Account and sign out" in signed_in.content.decode()
    anonymous = Client().get("/indicators/all_crime/")
    assert anonymous[CACHED_HEADER] == "miss"
    assert "Account and sign out" not in anonymous.content.decode()
    assert "Partner sign in" in anonymous.content.decode()
    again = client.get("/indicators/all_crime/")
    assert CACHED_HEADER not in again  # nor served one
    # The sign-in page sets a CSRF cookie and is outside the public URLs: never kept.
    sign_in = Client().get("/accounts/sign-in/")
    assert sign_in.status_code == 200
    assert CACHED_HEADER not in sign_in
    with_cookie = Client()
    with_cookie.cookies["csrftoken"] = "x" * 32
    assert CACHED_HEADER not in with_cookie.get("/indicators/all_crime/")


@override_settings(SAFECITY_PAGE_CACHE_SECONDS=0, SAFECITY_RATE_LIMIT="3/m")
def test_work_beyond_the_limit_is_refused_with_429_retry_after_and_a_sentence(
    published_demo: Any,
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.get("/api/v1/indicators").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/indicators")
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["message"].startswith("Too many requests from you")
    assert "at most 3 in a minute" in error["message"]
    assert f"try again in {retry_after} seconds" in error["message"]
    assert refused["Cache-Control"] == "no-store"
    # The refusal is the documented 429 of every operation, in the API's error envelope.
    document = openapi_document()
    documented = document["paths"]["/indicators"]["get"]["responses"]["429"]
    assert "Retry-After" in documented["headers"]
    envelope = {**document["components"]["schemas"]["Error"], "$defs": {}}
    Draft202012Validator(envelope).validate(refused.json())
    # Each family counts on its own; pages answer a sentence in plain text.
    assert [client.get("/indicators/").status_code for _ in range(4)] == [200, 200, 200, 429]
    page = client.get("/indicators/")
    assert page["Content-Type"] == "text/plain; charset=utf-8"
    assert "Please try again in" in page.content.decode()
    # Another client is not affected.
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/indicators").status_code == 200


@override_settings(SAFECITY_PAGE_CACHE_SECONDS=60, SAFECITY_RATE_LIMIT="3/m")
def test_answers_served_from_the_cache_do_not_count(published_demo: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get("/api/v1/findings?significant=true").status_code for _ in range(20)]
    assert statuses == [200] * 20
    # Work that is not ready-made still counts: new query strings are each built.
    fresh = [client.get(f"/api/v1/values?page={page}").status_code for page in range(1, 4)]
    assert fresh == [200, 200, 429]


def test_the_api_docs_examples_are_built_once_per_publication(
    client: Client, published_demo: Any
) -> None:
    """The docs page runs a dozen API requests for its examples: only the first time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first_queries:
        first = client.get("/api/v1/docs/")
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get("/api/v1/docs/")
    assert first.status_code == second.status_code == 200
    assert len(second_queries) < len(first_queries) / 3, (len(first_queries), len(second_queries))
    nonce = _csp_nonce(second)
    assert second.content.decode().replace(nonce, _csp_nonce(first)) == first.content.decode()
    assert f'"id": {published_demo.pk}' in second.content.decode().replace("&quot;", '"')


@override_settings(SAFECITY_PAGE_CACHE_SECONDS=60)
def test_many_clients_asking_for_a_missing_answer_at_once_build_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When a kept answer expires under load, one thread builds it and the others wait for it."""
    import threading
    import time

    from safecity_web.api.views import documentation

    builds = []
    real = documentation.openapi_document

    def slow_document(**arguments: Any) -> Any:
        builds.append(1)
        time.sleep(0.3)  # long enough for every client to arrive while it is being built
        return real(**arguments)

    monkeypatch.setattr(documentation, "openapi_document", slow_document)
    start = threading.Barrier(8)
    answers: list[tuple[int, str, bytes]] = []
    lock = threading.Lock()

    def fetch() -> None:
        start.wait()
        response = Client().get("/api/v1/openapi.json")
        with lock:
            answers.append((response.status_code, response[CACHED_HEADER], response.content))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert sorted(cached for _status, cached, _content in answers) == ["hit"] * 7 + ["miss"]
    assert {status for status, _cached, _content in answers} == {200}
    assert len({content for _status, _cached, content in answers}) == 1


def test_large_answers_to_made_up_query_strings_are_not_kept() -> None:
    """A path that answers 200 is one of the site's pages; a query string can be anything."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from safecity_web.public_cache import (
        MAX_KEPT_BYTES,
        MAX_KEPT_BYTES_WITH_QUERY,
        _keepable,
    )

    factory = RequestFactory()
    page = HttpResponse(b"x" * (MAX_KEPT_BYTES_WITH_QUERY + 1))
    assert _keepable(factory.get("/hotspots/"), page)
    assert not _keepable(factory.get("/hotspots/?made-up=1"), page)
    assert not _keepable(factory.get("/hotspots/"), HttpResponse(b"x" * (MAX_KEPT_BYTES + 1)))
    private = HttpResponse(b"x")
    private["Cache-Control"] = "private"
    assert not _keepable(factory.get("/hotspots/"), private)
    with_cookie = HttpResponse(b"x")
    with_cookie.set_cookie("csrftoken", "y")
    assert not _keepable(factory.get("/hotspots/"), with_cookie)
    varies = HttpResponse(b"x")
    varies["Vary"] = "Accept-Language"
    assert not _keepable(factory.get("/hotspots/"), varies)
