"""A page of a collection, with an empty result's reason, as an :class:`ApiResult`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from safecity_web.api.pagination import paginate
from safecity_web.api.queries import last_published
from safecity_web.api.responses import ApiResult


def collection_result(
    request: HttpRequest,
    *,
    filters: dict[str, Any],
    rows: QuerySet[Any],
    represent: Callable[[Any], dict[str, Any]],
    reason: Callable[[], str],
) -> ApiResult:
    """The page of ``rows`` the request asks for; ``meta.reason`` says why when none match.

    ``rows`` must be stably ordered, so that pages never overlap or skip a row.
    """
    total = rows.count()
    page = paginate(
        request, rows=rows, total=total, page=filters["page"], page_size=filters["page_size"]
    )
    meta = dict(page.meta)
    if total == 0:
        meta["reason"] = reason()
    return ApiResult(
        body={"data": [represent(row) for row in page.rows], "meta": meta, "links": page.links},
        last_modified=last_published(),
    )
