"""Schemathesis over the Open311 part of the site's OpenAPI document, in process (issue 13).

The site's document serves its Open311 operations from their own server (``/open311/v2``); here
they are taken out into a document of their own whose server is that path, so that calls
through WSGI reach them. Every operation is called with values Hypothesis generates from the
documented parameters and form (valid and, for negative testing, invalid ones); every answer must
not be a server error and must conform to the document (status, content type, headers, body).

What a schema cannot say is left out of one check only, ``positive_data_acceptance``: a
request valid by the schema may still be refused with the documented 400, 403 or 404 because
of what it names (a span of more than 90 days, a service or report that does not exist, a key
that is not registered, a place outside the area). Those refusals are still checked against
the documented errors list.

Reference: Schemathesis documentation, "Python integration" (``from_dict``, ``app``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from safecity_web.api.openapi import openapi_document
from safecity_web.open311.openapi import OPEN311_PREFIX, TAG

EXAMPLES = 12
REFUSALS_NAMING_WHAT_DOES_NOT_EXIST = (400, 403, 404)


def open311_document() -> dict[str, Any]:
    """The Open311 operations of the site's document, served from ``/open311/v2``."""
    whole = openapi_document()
    return {
        "openapi": whole["openapi"],
        "info": {**whole["info"], "title": "Open311 GeoReport v2"},
        "servers": [{"url": OPEN311_PREFIX}],
        "paths": {
            path: {key: value for key, value in item.items() if key != "servers"}
            for path, item in whole["paths"].items()
            if "servers" in item
        },
        "components": whole["components"],
    }


schema = schemathesis.openapi.from_dict(open311_document())
schema.app = get_wsgi_application()


@pytest.fixture
def wsgi_in_the_test_transaction(db: None) -> Iterator[None]:
    """Keep the test's database connection open across WSGI calls, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_extracted_document_holds_every_open311_operation() -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted((operation.method.upper(), operation.path) for operation in operations) == [
        ("GET", "/requests.{response_format}"),
        ("GET", "/requests/{service_request_id}.{response_format}"),
        ("GET", "/services.{response_format}"),
        ("GET", "/services/{service_code}.{response_format}"),
        ("POST", "/requests.{response_format}"),
    ]
    assert all(TAG in operation.definition.raw["tags"] for operation in operations)


@pytest.mark.usefixtures("small_area", "wsgi_in_the_test_transaction", "fresh_rate_limits")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_every_open311_operation_conforms_to_the_document(case: Any) -> None:
    response = case.call()
    excluded = (
        [positive_data_acceptance]
        if response.status_code in REFUSALS_NAMING_WHAT_DOES_NOT_EXIST
        else []
    )
    case.validate_response(response, excluded_checks=excluded)
