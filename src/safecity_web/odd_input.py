"""Refuse requests carrying NUL characters, before any view or database sees them.

PostgreSQL text cannot hold the NUL character (U+0000; PostgreSQL documentation §8.3
"Character Types"), so a NUL reaching a query is a database error, which a view would turn
into HTTP 500. Django's form ``CharField`` already refuses NUL
(``ProhibitNullCharactersValidator``), but URL path parts, query-string values read by views
and form values read without a form do not. This middleware answers 400 for a NUL anywhere
in the path, the query string or the form fields (not uploaded file contents): a GOV.UK
"problem with the request" page, the API's JSON error envelope under ``/api/``, or the Open311
errors list under ``/open311/``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict

from safecity_web.api.errors import ApiError, ErrorCode
from safecity_web.api.responses import error_response
from safecity_web.open311.errors import Open311Error
from safecity_web.open311.formats import ResponseFormat

NUL = "\x00"
API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"


def _has_nul(query: QueryDict) -> str | None:
    """The name of the first parameter whose name or a value holds a NUL, or ``None``."""
    for name, values in query.lists():
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "\\x00")
    return None


def nul_in_request(request: HttpRequest) -> str | None:
    """Where the request carries a NUL ("path", or a parameter's name), or ``None``."""
    if NUL in request.path:
        return "path"
    found = _has_nul(request.GET)
    if found is None and request.method == "POST":
        found = _has_nul(request.POST)
    return found


class RejectNulCharactersMiddleware:
    """Answer 400 to any request with a NUL in its path, query string or form fields."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Pass the request on unless it holds a NUL character."""
        where = nul_in_request(request)
        if where is None:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            error = ApiError(
                code=ErrorCode.INVALID_PARAMETER,
                message="the request contains a NUL character, which no parameter may hold",
                parameter=None if where == "path" else where,
            )
            return error_response(error)
        if request.path.startswith(OPEN311_PREFIX):
            return Open311Error(
                status=400,
                field_name=None if where == "path" else where,
                message="the request contains a NUL character, which no field may hold",
            ).response(
                answer_format=ResponseFormat.XML
                if request.path.endswith(".xml")
                else ResponseFormat.JSON
            )
        raise BadRequest(f"NUL character in the request ({where})")
