"""Small helpers of the Open311 tests: posting a report, reading answers in both formats."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from django.test import Client

SUBMIT_URL = "/open311/v2/requests.json"
INSIDE_EAST_NORTH = {"lat": "50.93", "long": "-1.37"}
"""A point in the east ward's north LSOA of the small area."""


def hate_form(key: str, /, **changes: Any) -> dict[str, Any]:
    """A valid hate-incident submission; ``changes`` replace or (value None) remove fields."""
    form: dict[str, Any] = {
        "api_key": key,
        "service_code": "hate-incident",
        **INSIDE_EAST_NORTH,
        "attribute[strands][]": ["race", "religion"],
        "attribute[category]": "verbal_abuse",
        "description": "Shouted at outside the corner shop",
    }
    for name, value in changes.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


def post(client: Client, form: dict[str, Any], *, url: str = SUBMIT_URL, **extra: Any) -> Any:
    """POST ``form`` form-encoded, as the specification says."""
    return client.post(url, form, **extra)


def json_body(response: Any) -> Any:
    """The parsed JSON of an answer (checking its content type)."""
    assert response["Content-Type"] == "application/json; charset=utf-8", response["Content-Type"]
    return json.loads(response.content.decode("utf-8"))


def xml_root(response: Any) -> ElementTree.Element:
    """The parsed XML of an answer (checking its content type and declaration)."""
    assert response["Content-Type"] == "text/xml; charset=utf-8", response["Content-Type"]
    text = response.content.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def error_of(response: Any, *, status: int) -> str:
    """The one error's description of an errors answer in JSON with ``status``."""
    assert response.status_code == status, (response.status_code, response.content[:400])
    body = json_body(response)
    assert isinstance(body, list), body
    assert len(body) == 1, body
    assert set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status
    description: str = body[0]["description"]
    return description
