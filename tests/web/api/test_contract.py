"""Contract tests: the OpenAPI document is valid, complete, and what the API really answers.

Every documented path is called on the published demo assessment with its example request and
each parameter's example; every body is validated (``jsonschema``, JSON Schema 2020-12) against
the response schema the document gives for its status. Routes and documented paths are
compared in both directions.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

DIALECT = "https://json-schema.org/draft/2020-12/schema"
INVALID_VALUES = {
    "integer": "zero",
    "boolean": "yes",
    "string": "NOT A VALID VALUE!",
}


def api_routes() -> set[str]:
    """Every route under ``api/`` in OpenAPI form, relative to ``/api/v1``."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/"):
                found.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return {"/" + route.removeprefix("api/v1/") for route in found}


@pytest.fixture(scope="module")
def document(published_demo: Any) -> dict[str, Any]:
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = json.loads(response.content)
    # Path items naming their own server are the Open311 API under /open311/v2, tested in
    # tests/web/open311/test_openapi.py; these tests are about /api/v1.
    body["paths"] = {path: item for path, item in body["paths"].items() if "servers" not in item}
    return body


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of ``schema`` whose ``$ref`` resolve inside the OpenAPI ``document``."""
    return Draft202012Validator(
        {"$schema": DIALECT, "components": document["components"], **schema},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def check_against_document(
    document: dict[str, Any], *, path: str, url: str, response: Any
) -> dict[str, Any]:
    """Validate ``response`` to ``url`` against the documented response of its status."""
    status = str(response.status_code)
    responses = document["paths"][path]["get"]["responses"]
    assert status in responses, f"{url} answered {status}, which {path} does not document"
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body: dict[str, Any] = json.loads(response.content)
    schema = responses[status]["content"]["application/json"]["schema"]
    errors = sorted(validator(document, schema).iter_errors(body), key=str)
    assert not errors, f"{url}: {[error.message for error in errors[:5]]}"
    return body


@pytest.mark.django_db
def test_openapi_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver/api/v1"}]
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.django_db
def test_every_route_is_documented_and_every_documented_path_is_routed(
    document: dict[str, Any],
) -> None:
    routes = api_routes()
    documented = set(document["paths"])
    assert routes - documented == set(), "routed but not documented"
    assert documented - routes == set(), "documented but not routed"
    assert len(routes) == 20


def example_requests(document: dict[str, Any], path: str, live: dict[str, str]) -> list[str]:
    """The path's example request with live ids, and one request per query parameter."""
    parameters = document["paths"][path]["get"]["parameters"]
    base = "/api/v1" + path
    for parameter in parameters:
        if parameter["in"] == "path":
            base = base.replace("{" + parameter["name"] + "}", live[parameter["name"]])
    urls = [base]
    for parameter in parameters:
        if parameter["in"] == "query":
            example = parameter["example"]
            text = str(example).lower() if isinstance(example, bool) else str(example)
            urls.append(f"{base}?{parameter['name']}={text}")
    return urls


@pytest.mark.django_db
def test_every_documented_path_answers_its_documented_schema(
    document: dict[str, Any], published_demo: Any, client: Client
) -> None:
    live = {
        "assessment_id": str(published_demo.current_id),
        "gss_code": published_demo.area_code,
        "indicator_id": "all_crime",
    }
    checked = 0
    for path, item in document["paths"].items():
        content = item["get"]["responses"]["200"]["content"]
        for url in example_requests(document, path, live):
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:300])
            if "text/html" in content:
                assert response["Content-Type"].startswith("text/html")
                continue
            body = check_against_document(document, path=path, url=url, response=response)
            checked += 1
            if isinstance(body.get("data"), list) and body["meta"]["total"] == 0:
                assert body["meta"]["reason"], url
    assert checked >= 30


@pytest.mark.django_db
def test_every_documented_error_answers_the_error_schema(
    document: dict[str, Any], published_demo: Any, client: Client
) -> None:
    unknown = {"assessment_id": "999999", "gss_code": "E05099999", "indicator_id": "no_such"}
    live = {
        "assessment_id": str(published_demo.current_id),
        "gss_code": published_demo.area_code,
        "indicator_id": "all_crime",
    }
    for path, item in document["paths"].items():
        operation = item["get"]
        base = example_requests(document, path, live)[0]
        if "404" in operation["responses"]:
            url = example_requests(document, path, unknown)[0]
            body = check_against_document(document, path=path, url=url, response=client.get(url))
            assert body["error"]["code"] == "not_found"
        for parameter in operation["parameters"]:
            bad = INVALID_VALUES[parameter["schema"]["type"]]
            if parameter["in"] == "path":
                url = example_requests(document, path, {**live, parameter["name"]: "x!"})[0]
            else:
                url = f"{base}?{parameter['name']}={bad}"
            response = client.get(url)
            assert response.status_code == 400, url
            body = check_against_document(document, path=path, url=url, response=response)
            assert body["error"]["parameter"] == parameter["name"]
        if "400" in operation["responses"]:
            response = client.get(f"{base}?colour=blue")
            body = check_against_document(document, path=path, url=base, response=response)
            assert (body["error"]["code"], body["error"]["parameter"]) == (
                "unknown_parameter",
                "colour",
            )
            assert body["error"]["message"].startswith(
                "unknown parameter 'colour'; this endpoint takes: "
            )
        if "text/html" not in operation["responses"]["200"]["content"]:
            response = client.post(base)
            assert response.status_code == 405
            assert response["Allow"] == "GET, HEAD, OPTIONS"
            check_against_document(document, path=path, url=base, response=response)


@pytest.mark.django_db
def test_docs_page_lists_every_endpoint_with_parameters_and_real_examples(
    document: dict[str, Any], published_demo: Any, client: Client
) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower()
    assert "swagger" not in page.lower()
    for path, item in document["paths"].items():
        operation = item["get"]
        assert f"/api/v1{path}" in page
        assert f'id="{operation["operationId"]}"' in page
        for parameter in operation["parameters"]:
            assert f"<code>{parameter['name']}</code>" in page
    # Example responses are the API's real answers from the published demo assessment.
    current = published_demo.current_id
    assert f"<code>curl 'http://testserver/api/v1/assessments/{current}'</code>" in page
    assert "&quot;area_name&quot;: &quot;Demoton&quot;" in page
    assert "Example response (status 200)" in page
    assert "says why nothing matches" in page
    assert "<code>meta.reason</code>" in page
    assert "Example of an error (status 400)" in page
    assert (
        "&quot;message&quot;: &quot;page_size=&#x27;1000&#x27; is not valid: page_size must be "
        "a whole number from 1 to 500&quot;"
    ) in page
    assert "Example of an empty result (status 200)" in page
    assert "&quot;reason&quot;: &quot;unknown area E05099999&quot;" in page
    assert "`" not in page
