"""``/api/v1/openapi.json`` and ``/api/v1/docs/``: the API described for machines and people.

The docs page is rendered from the same OpenAPI dict; its example responses are real answers
of the API to the example requests, taken from the published data. Building them runs a dozen
API requests, so what the page shows is built once per publication (the current assessments'
ids and publication times) and site address, and kept in the cache; publishing anew changes
the key, so the page never shows examples of data no longer published.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import RequestFactory
from django.urls import resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from safecity_web.api import endpoints
from safecity_web.api.endpoints import MediaType
from safecity_web.api.openapi import openapi_document
from safecity_web.api.queries import current_assessments, current_indicators
from safecity_web.api.responses import ApiResult, api_view

EXAMPLE_ROWS = 2
"""Rows of a collection shown in an example response."""
ERROR_EXAMPLE = "/values?page_size=1000"
"""A request the API refuses, to show the error envelope."""
EMPTY_EXAMPLE = "/values?area=E05099999"
"""A request that matches nothing, to show an empty result's reason."""


@api_view
def openapi_json(request: HttpRequest) -> ApiResult:
    """The OpenAPI 3.1 document, its server the absolute URL of ``/api/v1``."""
    endpoints.OPENAPI.parse(request, {})
    return ApiResult(
        body=openapi_document(server_url=request.build_absolute_uri(endpoints.API_PREFIX))
    )


def live_path_examples() -> dict[str, str]:
    """Identifiers that exist in the published data, for example requests."""
    examples: dict[str, str] = {}
    assessment = current_assessments().order_by("-published_at", "-pk").first()
    if assessment is not None:
        examples["assessment_id"] = str(assessment.pk)
        examples["gss_code"] = assessment.area_code
    indicator = current_indicators().order_by("-headline", "display_order", "name").first()
    if indicator is not None:
        examples["indicator_id"] = indicator.indicator_id
    return examples


def example_response(request: HttpRequest, path: str) -> tuple[int, str]:
    """The API's real answer to ``path`` (collections cut to a few rows), pretty-printed."""
    parts = urlsplit(path)
    match = resolve(parts.path)
    inner = RequestFactory().get(path, HTTP_HOST=request.get_host(), secure=request.is_secure())
    response = match.func(inner, *match.args, **match.kwargs)
    body: dict[str, Any] = json.loads(response.content)
    data = body.get("data")
    if isinstance(data, list) and len(data) > EXAMPLE_ROWS:
        body["data"] = data[:EXAMPLE_ROWS]
    text = json.dumps(body, indent=2, ensure_ascii=False)
    if isinstance(data, list) and len(data) > EXAMPLE_ROWS:
        text += f"\n(first {EXAMPLE_ROWS} of {len(data)} rows on this page shown)"
    return response.status_code, text


def type_text(schema: dict[str, Any]) -> str:
    """A parameter's type and constraints in words."""
    words = [str(schema["type"])]
    if "enum" in schema:
        words.append("one of " + ", ".join(str(choice) for choice in schema["enum"]))
    if "pattern" in schema:
        words.append(f"matching {schema['pattern']}")
    if "minimum" in schema:
        words.append(f"from {schema['minimum']}")
    if "maximum" in schema:
        words.append(f"to {schema['maximum']}")
    if "default" in schema:
        words.append(f"default {schema['default']}")
    return ", ".join(words)


DOCS_CACHE_SECONDS = 3600
"""How long the built docs page content is kept (a new publication changes its key anyway)."""


def publication_stamp() -> str:
    """What the docs' examples depend on: the current assessments and when they were published."""
    rows = current_assessments().order_by("pk").values_list("pk", "published_at")
    return ";".join(f"{pk}@{published.isoformat() if published else ''}" for pk, published in rows)


@csrf_exempt  # a read-only page: any other method is 405, not a CSRF refusal (403)
@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """The human documentation page, GOV.UK styled, built from the OpenAPI document."""
    key = (
        "api-docs:"
        + hashlib.sha256(
            f"{request.build_absolute_uri(endpoints.API_PREFIX)}|{publication_stamp()}".encode()
        ).hexdigest()
    )
    context = cache.get(key)
    if context is None:
        context = docs_context(request)
        cache.set(key, context, DOCS_CACHE_SECONDS)
    return render(request, "api/docs.html", context)


def docs_context(request: HttpRequest) -> dict[str, Any]:
    """The docs page's content: every operation, its parameters and a live example answer."""
    document = openapi_document(server_url=request.build_absolute_uri(endpoints.API_PREFIX))
    examples = live_path_examples()
    sections = []
    for endpoint in endpoints.ENDPOINTS:
        operation = document["paths"][endpoint.path]["get"]
        path = endpoint.example_path(examples)
        section: dict[str, Any] = {
            "anchor": operation["operationId"],
            "path": endpoint.full_path,
            "operation": operation,
            "parameters": [
                {**parameter, "type_text": type_text(parameter["schema"])}
                for parameter in operation["parameters"]
            ],
            "statuses": sorted(operation["responses"]),
            "example_url": request.build_absolute_uri(path),
            "example_response": None,
        }
        if endpoint.media_type is MediaType.JSON and endpoint is not endpoints.OPENAPI:
            section["example_status"], section["example_response"] = example_response(request, path)
        sections.append(section)
    special = {}
    for name, path in (("error", ERROR_EXAMPLE), ("empty", EMPTY_EXAMPLE)):
        status, response = example_response(request, endpoints.API_PREFIX + path)
        special[name] = {
            "url": request.build_absolute_uri(endpoints.API_PREFIX + path),
            "status": status,
            "response": response,
        }
    return {"document": document, "sections": sections, "tags": document["tags"], **special}
