"""The two answer formats of GeoReport v2, JSON and XML, from one plain-data payload.

The specification's JSON is a mechanical mapping of its XML (the Spark convention): a list of
records is a JSON array and an XML root element holding one element per record; a record's
fields are object members and child elements; a list field (``attributes``, ``values``) is an
element holding one singular-named element per item; ``null`` is an empty element and booleans
are ``true``/``false``. Answers are UTF-8 with the specification's content types, and XML
starts with its declaration.

References
----------
Open311 GeoReport v2 specification, "Format Support", "XML Support" and "JSON Support"
(``../shared/data/api-samples/open311/GeoReport_v2_index.md``).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
LIST_ITEM_ELEMENTS = {"attributes": "attribute", "values": "value"}
"""The element name of each item of a list-valued field."""


class ResponseFormat(StrEnum):
    """The format a client asks for by the resource's extension."""

    JSON = "json"
    XML = "xml"

    @property
    def content_type(self) -> str:
        """The specification's ``Content-Type`` for this format."""
        if self is ResponseFormat.JSON:
            return "application/json; charset=utf-8"
        return "text/xml; charset=utf-8"


class Document(StrEnum):
    """The root element of each kind of answer and the element of each of its records."""

    SERVICES = "services"
    SERVICE_DEFINITION = "service_definition"
    SERVICE_REQUESTS = "service_requests"
    ERRORS = "errors"

    @property
    def record_element(self) -> str | None:
        """The element of one record of a list answer (None: the answer is one record)."""
        return {
            Document.SERVICES: "service",
            Document.SERVICE_REQUESTS: "request",
            Document.ERRORS: "error",
        }.get(self)


def response_format(text: str) -> ResponseFormat | None:
    """The format named by a resource's extension (None when it is neither json nor xml)."""
    try:
        return ResponseFormat(text.lower())
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        item_name = LIST_ITEM_ELEMENTS.get(element.tag, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def xml_text(payload: Any, *, document: Document) -> str:
    """The XML of ``payload`` (a list of records, or one record) under ``document``'s root."""
    root = ElementTree.Element(str(document))
    record = document.record_element
    if record is None:
        _fill(root, payload)
    else:
        for item in payload:
            _fill(ElementTree.SubElement(root, record), item)
    return XML_DECLARATION + ElementTree.tostring(root, encoding="unicode") + "\n"


def rendered(
    payload: Any, *, document: Document, answer_format: ResponseFormat, status: int = 200
) -> HttpResponse:
    """An HTTP answer carrying ``payload`` in ``answer_format``."""
    if answer_format is ResponseFormat.JSON:
        content = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    else:
        content = xml_text(payload, document=document)
    response = HttpResponse(
        content.encode("utf-8"), status=status, content_type=answer_format.content_type
    )
    response["Cache-Control"] = "no-store"
    return response
