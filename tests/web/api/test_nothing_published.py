"""Before anything is published the API answers, and every empty list says why."""

from __future__ import annotations

import json

import pytest
from django.test import Client

NOTHING = "no assessment has been published yet"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assessments",
        "/api/v1/indicators",
        "/api/v1/areas",
        "/api/v1/values",
        "/api/v1/values?area=E05002462&period=2019/20",
        "/api/v1/findings",
        "/api/v1/downloads",
    ],
)
def test_every_list_says_nothing_is_published(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["data"] == []
    assert body["meta"] == {"total": 0, "page": 1, "page_size": 100, "pages": 1, "reason": NOTHING}
    assert (body["links"]["next"], body["links"]["prev"]) == (None, None)
    assert "Last-Modified" not in response


@pytest.mark.django_db
def test_index_and_docs_answer_with_nothing_published(client: Client) -> None:
    index = json.loads(client.get("/api/v1/").content)
    assert index["assessments"] == []
    assert index["licence"]["name"] == "Open Government Licence v3.0"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    # The example responses are the API's real answers: here, why they are empty.
    assert f"&quot;reason&quot;: &quot;{NOTHING}&quot;" in docs.content.decode()
    assert client.get("/api/v1/assessments/1").status_code == 404
