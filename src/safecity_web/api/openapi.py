"""The OpenAPI 3.1 document, built from :data:`safecity_web.api.endpoints.ENDPOINTS`."""

from __future__ import annotations

from typing import Any

from safecity_web.api.endpoints import API_PREFIX, API_VERSION, ENDPOINTS, Endpoint, MediaType, Tag
from safecity_web.api.schemas import COMPONENTS, reference
from safecity_web.open311 import openapi as open311_openapi

LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
TAG_DESCRIPTIONS = {
    Tag.ABOUT: "The API itself.",
    Tag.ASSESSMENTS: "Published Strategic Assessments, current and archived.",
    Tag.INDICATORS: "What each indicator measures.",
    Tag.AREAS: "The partnership, its wards and neighbourhoods.",
    Tag.VALUES: "Indicator values and findings.",
    Tag.DOWNLOADS: "Files of each indicator's values.",
    Tag.SURVEY: "The residents' survey: waves, weighted estimates and comparisons.",
    Tag.COMMUNITY_REPORTS: "Hate incidents, community safety concerns and business crime "
    "reported to the partnership: disclosure-controlled counts, never a report itself.",
}


def error_response(description: str) -> dict[str, Any]:
    """An OpenAPI Response Object answering the error envelope."""
    return {
        "description": description,
        "content": {MediaType.JSON.value: {"schema": reference("Error")}},
    }


def operation(endpoint: Endpoint) -> dict[str, Any]:
    """The OpenAPI Operation Object of ``endpoint``."""
    if endpoint.media_type is MediaType.HTML:
        responses: dict[str, Any] = {
            "200": {
                "description": endpoint.summary,
                "content": {MediaType.HTML.value: {"schema": {"type": "string"}}},
            }
        }
    else:
        responses = {
            "200": {
                "description": endpoint.summary,
                "headers": {
                    "ETag": {"schema": {"type": "string"}, "description": "Validator of the body."},
                    "Access-Control-Allow-Origin": {"schema": {"const": "*"}},
                },
                "content": {MediaType.JSON.value: {"schema": reference(endpoint.response)}},
            },
            "400": error_response(
                "A parameter is unknown, repeated or not of the documented form; "
                "`error.parameter` names it."
            ),
        }
        if endpoint.not_found:
            responses["404"] = error_response("Nothing published has this identifier.")
        responses["405"] = error_response("The API is read-only: GET, HEAD and OPTIONS only.")
        responses["429"] = {
            **error_response(
                "Too many requests from this client for answers that are not ready-made; "
                "`Retry-After` says how many seconds to wait."
            ),
            "headers": {
                "Retry-After": {
                    "schema": {"type": "integer", "minimum": 1},
                    "description": "Seconds to wait before asking again.",
                }
            },
        }
    return {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "description": endpoint.description,
        "tags": [str(endpoint.tag)],
        "parameters": [parameter.openapi() for parameter in endpoint.all_parameters],
        "responses": responses,
    }


def openapi_document(*, server_url: str = API_PREFIX) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API, its server at ``server_url``."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Safe City open data API",
            "version": API_VERSION,
            "summary": "Published community safety indicators, areas, values and findings.",
            "description": "Read-only open data from the partnership's published Strategic "
            "Assessments: only public, disclosure-controlled tables are served, and drafts "
            "never appear. Responses are JSON, paginated with `page` and `page_size`, "
            "carry `ETag` and `Last-Modified` for caching and "
            "`Access-Control-Allow-Origin: *`. The Open311 GeoReport v2 operations, through "
            "which registered reporting apps submit community reports, are served under "
            "`/open311/v2` (each of their paths names its server).",
            "license": {"name": LICENCE["name"], "url": LICENCE["url"]},
        },
        "servers": [{"url": server_url}],
        "tags": [
            {"name": str(tag), "description": description}
            for tag, description in TAG_DESCRIPTIONS.items()
        ]
        + [{"name": open311_openapi.TAG, "description": open311_openapi.TAG_DESCRIPTION}],
        "paths": {
            **{endpoint.path: {"get": operation(endpoint)} for endpoint in ENDPOINTS},
            **open311_openapi.paths(
                server_url=server_url.removesuffix(API_PREFIX) + open311_openapi.OPEN311_PREFIX
            ),
        },
        "components": {"schemas": {**COMPONENTS, **open311_openapi.COMPONENTS}},
    }
