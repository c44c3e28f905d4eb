"""Pagination on its own: pages cover every row exactly once, links keep the other parameters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from safecity_web.api.errors import ApiError, ErrorCode
from safecity_web.api.pagination import paginate


def page_number(link: str) -> int:
    return int(parse_qs(urlsplit(link).query)["page"][0])


@settings(max_examples=60, deadline=None)
@given(total=st.integers(min_value=0, max_value=1200), page_size=st.integers(1, 500))
def test_following_next_visits_every_row_once(total: int, page_size: int) -> None:
    rows = list(range(total))
    factory = RequestFactory()
    seen: list[int] = []
    page = 1
    visited = 0
    while True:
        query = {"area": "E05002462", "page": str(page), "page_size": str(page_size)}
        request = factory.get("/api/v1/values", query)
        result = paginate(request, rows=rows, total=total, page=page, page_size=page_size)
        visited += 1
        seen.extend(result.rows)
        assert result.meta == {
            "total": total,
            "page": page,
            "page_size": page_size,
            "pages": max(1, -(-total // page_size)),
        }
        assert len(result.rows) <= page_size
        for name in ("self", "first", "last", "next", "prev"):
            link = result.links[name]
            if link is not None:
                query = parse_qs(urlsplit(link).query)
                assert query["area"] == ["E05002462"]
                assert query["page_size"] == [str(page_size)]
        if page == 1:
            assert result.links["prev"] is None
        else:
            assert page_number(result.links["prev"] or "") == page - 1
        if result.links["next"] is None:
            assert page == result.meta["pages"]
            assert page_number(result.links["last"] or "") == page
            break
        page = page_number(result.links["next"])
    assert seen == rows
    assert visited == result.meta["pages"]


def test_page_beyond_the_last_names_page() -> None:
    request = RequestFactory().get("/api/v1/values", {"page": 4, "page_size": 10})
    with pytest.raises(ApiError) as raised:
        paginate(request, rows=list(range(25)), total=25, page=4, page_size=10)
    assert raised.value.code is ErrorCode.INVALID_PARAMETER
    assert raised.value.parameter == "page"
    assert raised.value.message == "page=4 is beyond the last page (3) of 25 rows at page_size=10"


def test_an_empty_result_has_one_page() -> None:
    request = RequestFactory().get("/api/v1/values")
    result = paginate(request, rows=[], total=0, page=1, page_size=100)
    assert result.rows == []
    assert result.meta["pages"] == 1
    assert (result.links["next"], result.links["prev"]) == (None, None)
