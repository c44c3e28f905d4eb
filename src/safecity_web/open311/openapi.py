"""The Open311 GeoReport v2 operations as part of the site's OpenAPI document.

The API's document (:func:`safecity_web.api.openapi.openapi_document`) is served from
``/api/v1``; these paths live under ``/open311/v2``, so each Path Item names its own server
(OpenAPI 3.1 §4.8.9, Path Item ``servers``). The response schemas say exactly what is returned:
the de-identified request record allows no other field (no description, no point, no contact).

References
----------
OpenAPI Specification 3.1.0; Open311 GeoReport v2 specification and its JSON schemas
(``../shared/data/api-samples/open311/``).
"""

from __future__ import annotations

from typing import Any

from safecity_web.open311.service_requests import MAX_REQUESTS, WINDOW_DAYS
from safecity_web.open311.submissions import MAX_DESCRIPTION_CHARACTERS

OPEN311_PREFIX = "/open311/v2"
TAG = "Open311 GeoReport v2"
TAG_DESCRIPTION = (
    "The civic reporting API through which registered apps submit community reports "
    "(Open311 GeoReport v2, under /open311/v2). Answers in JSON or XML by the extension; "
    "errors are the specification's list of {code, description}. Reading is open and "
    "de-identified; submitting needs a registered app's api_key."
)
JSON = "application/json"
XML = "text/xml"
NULLABLE_TEXT = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


COMPONENTS: dict[str, Any] = {
    "Open311Service": {
        "type": "object",
        "description": "A service (type of report) offered through Open311.",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string"},
            "service_name": {"type": "string"},
            "description": NULLABLE_TEXT,
            "metadata": {"type": "boolean", "description": "true: see its definition."},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": NULLABLE_TEXT,
            "group": NULLABLE_TEXT,
        },
        "additionalProperties": False,
    },
    "Open311ServiceDefinition": {
        "type": "object",
        "description": "What a submission to a service may carry, as attribute[code]=value.",
        "required": ["service_code", "attributes"],
        "properties": {
            "service_code": {"type": "string"},
            "attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["variable", "code", "datatype", "required", "order"],
                    "properties": {
                        "variable": {"type": "boolean"},
                        "code": {"type": "string"},
                        "datatype": {
                            "enum": [
                                "string",
                                "number",
                                "datetime",
                                "text",
                                "singlevaluelist",
                                "multivaluelist",
                            ]
                        },
                        "required": {"type": "boolean"},
                        "datatype_description": NULLABLE_TEXT,
                        "order": {"type": "integer", "minimum": 1},
                        "description": NULLABLE_TEXT,
                        "values": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["key", "name"],
                                "properties": {
                                    "key": {"type": "string"},
                                    "name": {"type": "string"},
                                },
                                "additionalProperties": False,
                            },
                        },
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
    "Open311ServiceRequest": {
        "type": "object",
        "description": "A report as anyone may see it: de-identified, the ward's name at most, "
        "dates as the start of the day. Never a description, a point, contact details or "
        "media.",
        "required": [
            "service_request_id",
            "status",
            "status_notes",
            "service_name",
            "service_code",
            "requested_datetime",
            "updated_datetime",
        ],
        "properties": {
            "service_request_id": {"type": "string", "description": "The report's reference."},
            "status": {"enum": ["open", "closed"]},
            "status_notes": {
                "type": "string",
                "description": "Where the report is (Received, Being looked at, Passed to the "
                "police, Closed); the outcome is shown only on the reporter's private page.",
            },
            "service_name": NULLABLE_TEXT,
            "service_code": {"type": "string"},
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "address": {"type": "string", "description": "The ward's name, when known."},
        },
        "additionalProperties": False,
    },
    "Open311RequestCreated": {
        "type": "object",
        "required": ["service_request_id", "service_notice", "account_id"],
        "properties": {
            "service_request_id": {"type": "string", "description": "The report's reference."},
            "service_notice": {
                "type": "string",
                "description": "What happens next, the reporter's private status link, and "
                "what was not kept (contact details without consent, media_url).",
            },
            "account_id": {"type": "null"},
        },
        "additionalProperties": False,
    },
    "Open311Errors": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status."},
                "description": {
                    "type": "string",
                    "description": "What is wrong, starting with the field at fault.",
                },
            },
            "additionalProperties": False,
        },
    },
}

FORMAT_PARAMETER = {
    "name": "response_format",
    "in": "path",
    "required": True,
    "description": "The answer's format: json or xml (the resource's extension).",
    "schema": {"type": "string", "enum": ["json", "xml"]},
    "example": "json",
}
JURISDICTION_PARAMETER = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": False,
    "description": "May be left out (the site serves one jurisdiction); when the site names "
    "one, any other is 404.",
    "schema": {"type": "string"},
}
ERROR_DESCRIPTIONS = {
    "400": "A field is missing or wrong (or holds a NUL character); the description names it.",
    "403": "api_key is missing, unknown or revoked.",
    "404": "No such service, request, jurisdiction or format.",
    "405": "The method is not allowed here (see Allow).",
    "429": "Too many requests from this address or app; Retry-After says how many seconds to wait.",
}


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            JSON: {"schema": schema},
            XML: {
                "schema": {
                    "type": "string",
                    "description": "The same content as XML (the specification's elements).",
                }
            },
        },
    }


def _errors(*statuses: str) -> dict[str, Any]:
    return {
        status: _answer(ERROR_DESCRIPTIONS[status], _ref("Open311Errors")) for status in statuses
    }


def _operation(
    *,
    operation_id: str,
    summary: str,
    description: str,
    parameters: list[dict[str, Any]],
    success: dict[str, Any],
    errors: tuple[str, ...],
) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "tags": [TAG],
        "parameters": [FORMAT_PARAMETER, JURISDICTION_PARAMETER, *parameters],
        "responses": {"200": success, **_errors(*errors)},
    }


def _query(name: str, description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "example": example,
    }


SUBMISSION_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": {"type": "string", "description": "The registered app's key."},
        "jurisdiction_id": {"type": "string"},
        "service_code": {"type": "string"},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {
            "type": "string",
            "description": "Words naming a ward or neighbourhood of the area (its point is "
            "used); required without lat and long.",
        },
        "address_id": {"type": "string", "description": "Not supported (400)."},
        "description": {
            "type": "string",
            "maxLength": MAX_DESCRIPTION_CHARACTERS,
            "description": "Kept encrypted; never shown publicly.",
        },
        "email": {"type": "string"},
        "phone": {"type": "string"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "media_url": {"type": "string", "description": "Ignored: links are never fetched."},
    },
    "patternProperties": {
        r"^attribute\[[^\]]+\](\[\])?$": {
            "description": "attribute[code]=value as the service definition says; "
            "attribute[code][]=value once per value of a multivaluelist.",
            "type": ["string", "array"],
        }
    },
}


def paths(*, server_url: str) -> dict[str, Any]:
    """The Open311 Path Items, each served from ``server_url`` (the site's ``/open311/v2``)."""
    servers = [{"url": server_url}]
    requested = _query(
        "service_request_id",
        "References, comma-separated; overrides every other filter.",
        {"type": "string"},
        "SC-7K3M-Q9TB",
    )
    return {
        "/services.{response_format}": {
            "servers": servers,
            "get": _operation(
                operation_id="open311ListServices",
                summary="The services (types of report) apps may submit",
                description="Every service the partnership offers: code, name, description, "
                "group; metadata is true when its definition lists attributes.",
                parameters=[],
                success=_answer(
                    "The services.", {"type": "array", "items": _ref("Open311Service")}
                ),
                errors=("400", "404", "405", "429"),
            ),
        },
        "/services/{service_code}.{response_format}": {
            "servers": servers,
            "get": _operation(
                operation_id="open311ServiceDefinition",
                summary="What a submission to one service may carry",
                description="The service's attributes: for hate reports the strands "
                "(multivaluelist) and what happened (singlevaluelist); for every service "
                "when it happened (datetime) and consent to be contacted.",
                parameters=[
                    {
                        "name": "service_code",
                        "in": "path",
                        "required": True,
                        "description": "A service's code.",
                        "schema": {"type": "string"},
                        "example": "hate-incident",
                    }
                ],
                success=_answer("The service's definition.", _ref("Open311ServiceDefinition")),
                errors=("400", "404", "405", "429"),
            ),
        },
        "/requests.{response_format}": {
            "servers": servers,
            "get": _operation(
                operation_id="open311ListRequests",
                summary="Reports, de-identified",
                description=f"Reports received in a span of at most {WINDOW_DAYS} days "
                f"(default: the last {WINDOW_DAYS}), newest first, at most {MAX_REQUESTS}. "
                "Only the service, status, the days received and updated "
                "and the ward's name; rejected reports and business crime are left out.",
                parameters=[
                    requested,
                    _query(
                        "service_code",
                        "Service codes, comma-separated.",
                        {"type": "string"},
                        "asb",
                    ),
                    _query(
                        "start_date",
                        "Received at or after (W3C date and time with zone).",
                        {"type": "string", "format": "date-time"},
                        "2026-01-01T00:00:00Z",
                    ),
                    _query(
                        "end_date",
                        "Received at or before (W3C date and time with zone).",
                        {"type": "string", "format": "date-time"},
                        "2026-03-01T00:00:00Z",
                    ),
                    _query(
                        "status",
                        "open, closed, or both comma-separated (empty: both).",
                        {"type": "string", "pattern": "^((open|closed)(,(open|closed))*)?$"},
                        "open",
                    ),
                ],
                success=_answer(
                    "The matching reports.",
                    {"type": "array", "items": _ref("Open311ServiceRequest")},
                ),
                errors=("400", "404", "405", "429"),
            ),
            "post": {
                "operationId": "open311SubmitRequest",
                "summary": "Submit a report from a registered app",
                "description": "Form-encoded, as the specification says. A location is "
                "required: lat and long inside the area, or address_string naming a ward or "
                "neighbourhood. Contact details are kept (encrypted) only with "
                "attribute[contact_consent]=true. media_url is ignored.",
                "tags": [TAG],
                "parameters": [FORMAT_PARAMETER],
                "requestBody": {
                    "required": True,
                    "content": {"application/x-www-form-urlencoded": {"schema": SUBMISSION_FORM}},
                },
                "responses": {
                    "200": _answer(
                        "The report was received: its reference.",
                        {"type": "array", "items": _ref("Open311RequestCreated")},
                    ),
                    **_errors("400", "403", "404", "429"),
                },
            },
        },
        "/requests/{service_request_id}.{response_format}": {
            "servers": servers,
            "get": _operation(
                operation_id="open311GetRequest",
                summary="One report, de-identified",
                description="A list of one report, as in the list of reports.",
                parameters=[
                    {
                        "name": "service_request_id",
                        "in": "path",
                        "required": True,
                        "description": "The report's reference.",
                        "schema": {"type": "string"},
                        "example": "SC-7K3M-Q9TB",
                    }
                ],
                success=_answer(
                    "The report.", {"type": "array", "items": _ref("Open311ServiceRequest")}
                ),
                errors=("400", "404", "405", "429"),
            ),
        },
    }
