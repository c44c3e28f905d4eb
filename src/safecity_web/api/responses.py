"""JSON responses for open data: CORS for everyone, caching validators, the error envelope.

:func:`api_view` wraps a function that returns an :class:`ApiResult` (or raises
:class:`~safecity_web.api.errors.ApiError`) into a Django view that answers GET and HEAD with
JSON, ``Access-Control-Allow-Origin: *``, ``Cache-Control``, a strong ``ETag`` of the body and
``Last-Modified`` from the publication time, answers conditional requests with 304, answers
CORS pre-flight ``OPTIONS``, and refuses other methods with 405 in the error envelope.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from safecity_web.api.errors import ApiError, ErrorCode

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
CACHE_CONTROL = "public, max-age=300"
"""Published data change only when an analyst publishes: caches may keep a response 5 minutes
and revalidate it cheaply with ``If-None-Match`` / ``If-Modified-Since``."""
JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class ApiResult:
    """What an API function answers: the JSON body and when its data were last published."""

    body: dict[str, Any]
    last_modified: datetime | None = None


def json_bytes(body: dict[str, Any]) -> bytes:
    """``body`` as UTF-8 JSON; NaN or infinity is a bug (JSON has no such numbers) and raises."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def with_cors(response: HttpResponse) -> HttpResponse:
    """Open data: any origin may read the response and its caching headers."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


def error_response(error: ApiError) -> HttpResponse:
    """The error envelope of ``error`` with its status; errors are not cached."""
    response = HttpResponse(
        json_bytes(error.body()), status=error.status, content_type=JSON_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-cache"
    if error.code is ErrorCode.METHOD_NOT_ALLOWED:
        response["Allow"] = ", ".join(ALLOWED_METHODS)
    return with_cors(response)


def preflight_response() -> HttpResponse:
    """The answer to a CORS pre-flight request."""
    response = HttpResponse(status=204)
    response["Allow"] = ", ".join(ALLOWED_METHODS)
    response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
    response["Access-Control-Allow-Headers"] = "Accept, If-None-Match, If-Modified-Since"
    response["Access-Control-Max-Age"] = "86400"
    return with_cors(response)


def result_response(request: HttpRequest, result: ApiResult) -> HttpResponse:
    """``result`` as JSON with caching validators, or 304 when the client's copy is current."""
    content = json_bytes(result.body)
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    last_modified = int(result.last_modified.timestamp()) if result.last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(content, content_type=JSON_CONTENT_TYPE)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = CACHE_CONTROL
    return with_cors(response)


def api_view(function: Callable[..., ApiResult]) -> Callable[..., HttpResponse]:
    """A Django view answering with ``function``'s JSON, or its :class:`ApiError` envelope."""

    @wraps(function)
    def view(request: HttpRequest, **arguments: str) -> HttpResponse:
        if request.method == "OPTIONS":
            return preflight_response()
        if request.method not in ("GET", "HEAD"):
            return error_response(
                ApiError(
                    code=ErrorCode.METHOD_NOT_ALLOWED,
                    message=f"method {request.method} is not allowed; the API is read-only "
                    f"({', '.join(ALLOWED_METHODS)})",
                )
            )
        try:
            result = function(request, **arguments)
        except ApiError as error:
            return error_response(error)
        return result_response(request, result)

    return csrf_exempt(view)
