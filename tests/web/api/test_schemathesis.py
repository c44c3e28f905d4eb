"""Schemathesis against the API's own OpenAPI document, in process, on the published demo data.

Every documented operation is called with values Hypothesis generates from the document's
parameter schemas (valid and, for negative testing, invalid ones); every response must not be
a server error and must conform to the document: status code, content type, headers and body
schema (schemathesis' default checks). The default run takes a few examples per operation; the
``stress`` variant many more.

Reference: Schemathesis documentation, "Python integration" (``from_wsgi``, ``from_fixture``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

OPENAPI_PATH = "/api/v1/openapi.json"
DEFAULT_EXAMPLES = 8
STRESS_EXAMPLES = 300


# Loaded at collection from the WSGI application that serves it (serving it needs no
# database); the calls run inside the tests, on the published demo data. The Open311
# operations name their own server (/open311/v2), which calls through WSGI do not follow:
# tests/web/open311/test_open311_schemathesis.py runs them against a document served there.
schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, get_wsgi_application()).exclude(
    tag="Open311 GeoReport v2"
)


@pytest.fixture
def wsgi_in_the_test_transaction(db: None) -> Iterator[None]:
    """Keep the test's database connection open across WSGI calls, as Django's test client does.

    The WSGI handler closes old connections when a request starts and finishes, which would
    close the connection holding the test's transaction.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": True,
}


def _beyond_the_last_page(response: Any) -> bool:
    """The one schema-valid request the API rightly refuses: a page past the data's end.

    How many pages there are depends on the published data, which a schema cannot say; the
    refusal is the documented 400 error envelope naming ``page``.
    """
    if response.status_code != 400:
        return False
    error = json.loads(response.content)["error"]
    return error["parameter"] == "page" and "is beyond the last page" in error["message"]


def call_and_validate(case: Any) -> None:
    """Call the operation in process and run every default check on the answer."""
    response = case.call()
    excluded = [positive_data_acceptance] if _beyond_the_last_page(response) else []
    case.validate_response(response, excluded_checks=excluded)


@pytest.mark.usefixtures("published_demo", "wsgi_in_the_test_transaction")
@schema.parametrize()
@settings(max_examples=DEFAULT_EXAMPLES, **HYPOTHESIS)
def test_every_operation_conforms_to_the_document(case: Any) -> None:
    call_and_validate(case)


@pytest.mark.stress
@pytest.mark.usefixtures("published_demo", "wsgi_in_the_test_transaction")
@schema.parametrize()
@settings(max_examples=STRESS_EXAMPLES, **HYPOTHESIS)
def test_every_operation_conforms_to_the_document_many_examples(case: Any) -> None:
    call_and_validate(case)
