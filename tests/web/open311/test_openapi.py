"""The Open311 operations in the site's OpenAPI document (issue 13): documented, routed, true.

Every Open311 route is documented and every documented Open311 path is routed; real answers of
every documented status validate (JSON Schema 2020-12) against the document's schemas.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from web_open311 import hate_form, post

pytestmark = pytest.mark.django_db

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = json.loads(response.content)
    return body


def open311_routes() -> set[str]:
    """Every route under ``open311/v2/`` in OpenAPI form, relative to ``/open311/v2``."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif (
                isinstance(pattern, URLPattern)
                and route.startswith("open311/v2/")
                and pattern.name != "unknown"  # the errors-list 404 for anything else
            ):
                route = route.replace(r"\.", ".")
                found.add(re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return {"/" + route.removeprefix("open311/v2/") for route in found}


def _open311_paths(document: dict[str, Any]) -> dict[str, Any]:
    return {
        path: item
        for path, item in document["paths"].items()
        if item.get("servers") == [{"url": "http://testserver/open311/v2"}]
    }


def test_the_document_stays_valid_and_documents_every_open311_route(
    document: dict[str, Any],
) -> None:
    validate(document)
    paths = _open311_paths(document)
    assert (
        set(paths)
        == open311_routes()
        == {
            "/services.{response_format}",
            "/services/{service_code}.{response_format}",
            "/requests.{response_format}",
            "/requests/{service_request_id}.{response_format}",
        }
    )
    assert sorted(method for item in paths.values() for method in item if method != "servers") == [
        "get",
        "get",
        "get",
        "get",
        "post",
    ]
    assert "Open311 GeoReport v2" in {tag["name"] for tag in document["tags"]}
    for name in ("Open311Service", "Open311ServiceRequest", "Open311Errors"):
        Draft202012Validator.check_schema(document["components"]["schemas"][name])


def _check(document: dict[str, Any], *, path: str, method: str, response: Any) -> Any:
    responses = document["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{method} {path} answered {status}, not documented"
    media = response["Content-Type"].split(";")[0]
    content = responses[status]["content"]
    assert media in content
    if media != "application/json":
        return None
    schema = content[media]["schema"]
    validator = Draft202012Validator(
        {"$schema": DIALECT, "components": document["components"], **schema},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    body = json.loads(response.content)
    errors = [error.message for error in validator.iter_errors(body)]
    assert errors == [], (path, status, errors)
    return body


@override_settings(SAFECITY_OPEN311_ADDRESS_RATE="20/m")
def test_real_answers_match_the_documented_schemas(
    client: Client, document: dict[str, Any], small_area: Any, api_key: str
) -> None:
    created = post(client, hate_form(api_key))
    body = _check(document, path="/requests.{response_format}", method="post", response=created)
    reference = body[0]["service_request_id"]
    calls = [
        ("/services.{response_format}", "get", client.get("/open311/v2/services.json")),
        ("/services.{response_format}", "get", client.get("/open311/v2/services.xml")),
        ("/services.{response_format}", "get", client.get("/open311/v2/services.txt")),
        ("/services.{response_format}", "get", client.delete("/open311/v2/services.json")),
        (
            "/services/{service_code}.{response_format}",
            "get",
            client.get("/open311/v2/services/hate-incident.json"),
        ),
        (
            "/services/{service_code}.{response_format}",
            "get",
            client.get("/open311/v2/services/nothing.json"),
        ),
        ("/requests.{response_format}", "get", client.get("/open311/v2/requests.json")),
        ("/requests.{response_format}", "get", client.get("/open311/v2/requests.json?status=x")),
        (
            "/requests/{service_request_id}.{response_format}",
            "get",
            client.get(f"/open311/v2/requests/{reference}.json"),
        ),
        (
            "/requests/{service_request_id}.{response_format}",
            "get",
            client.get("/open311/v2/requests/SC-0000-0000.json"),
        ),
        ("/requests.{response_format}", "post", post(client, hate_form(api_key, lat=None))),
        ("/requests.{response_format}", "post", post(client, hate_form("wrong"))),
    ]
    statuses = []
    for path, method, response in calls:
        _check(document, path=path, method=method, response=response)
        statuses.append(response.status_code)
    assert statuses == [200, 200, 404, 405, 200, 404, 200, 400, 200, 404, 400, 403]
    with override_settings(SAFECITY_OPEN311_ADDRESS_RATE="1/m"):
        assert post(client, hate_form(api_key, description="one more")).status_code == 200
        limited = post(client, hate_form(api_key, description="and another"))
    _check(document, path="/requests.{response_format}", method="post", response=limited)
    assert limited.status_code == 429
