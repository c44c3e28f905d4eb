"""Page-numbered pagination: ``page`` and ``page_size`` in, ``meta`` and ``links`` out.

Pages are numbered from 1; ``page_size`` is at most :data:`MAX_PAGE_SIZE`. The ``links`` carry
the request's other parameters unchanged, so following ``next`` from the first page visits every
row of a stably ordered result exactly once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from django.http import HttpRequest

from safecity_web.api.errors import ApiError, ErrorCode
from safecity_web.api.parameters import Parameter, ParameterKind

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

PAGE = Parameter(
    name="page",
    description="The page to return, counted from 1.",
    expected="a whole number from 1",
    kind=ParameterKind.INTEGER,
    minimum=1,
    default=1,
    example=1,
)
PAGE_SIZE = Parameter(
    name="page_size",
    description=f"Rows per page, at most {MAX_PAGE_SIZE}.",
    expected=f"a whole number from 1 to {MAX_PAGE_SIZE}",
    kind=ParameterKind.INTEGER,
    minimum=1,
    maximum=MAX_PAGE_SIZE,
    default=DEFAULT_PAGE_SIZE,
    example=50,
)
PAGINATION_PARAMETERS = (PAGE, PAGE_SIZE)


class Sliceable(Protocol):
    """A sized, sliceable sequence of rows: a list or a Django QuerySet."""

    def __getitem__(self, index: slice, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a result: its rows, ``meta`` and ``links``."""

    rows: list[Any]
    meta: dict[str, Any]
    links: dict[str, str | None]


def page_link(request: HttpRequest, *, page: int) -> str:
    """The absolute URL of the request with ``page`` replaced, other parameters kept."""
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest, *, rows: Sliceable, total: int, page: int, page_size: int
) -> Page:
    """The page ``page`` of ``rows`` (``total`` of them), with its ``meta`` and ``links``.

    Raises
    ------
    ApiError
        ``invalid_parameter`` naming ``page`` when it lies beyond the last page.
    """
    pages = max(1, math.ceil(total / page_size))
    if page > pages:
        raise ApiError(
            code=ErrorCode.INVALID_PARAMETER,
            message=f"page={page} is beyond the last page ({pages}) of {total} rows "
            f"at page_size={page_size}",
            parameter="page",
        )
    start = (page - 1) * page_size
    selected = list(rows[start : start + page_size])
    meta = {"total": total, "page": page, "page_size": page_size, "pages": pages}
    links: dict[str, str | None] = {
        "self": request.build_absolute_uri(request.get_full_path()),
        "first": page_link(request, page=1),
        "last": page_link(request, page=pages),
        "prev": page_link(request, page=page - 1) if page > 1 else None,
        "next": page_link(request, page=page + 1) if page < pages else None,
    }
    return Page(rows=selected, meta=meta, links=links)
