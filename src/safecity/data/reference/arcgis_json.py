"""Reading ONS Open Geography Portal (ArcGIS) JSON and GeoJSON attribute tables as rows.

An ArcGIS feature-service query (``f=json``) answers with a FeatureSet: ``{"fields": [{"name":
...}], "features": [{"attributes": {...}}], "exceededTransferLimit": true?}``. A query with
``f=geojson`` answers with a GeoJSON FeatureCollection whose features carry ``properties``.
Either is read as a table: the header is the field names (the FeatureSet's ``fields`` order,
else the order of the keys as first met), and each feature is one row, numbered from 1.

A service returns at most its record limit per request and then sets ``exceededTransferLimit``;
``safecity fetch`` asks for every page and saves them as one JSON array of FeatureSets, which
is read here page after page. A single page that says more records exist is refused (loading
it would silently lose the rest).

References
----------
Esri, *ArcGIS REST API: Query (Feature Service/Layer)*, FeatureSet object and
``resultOffset``/``exceededTransferLimit`` paging. IETF RFC 7946, *The GeoJSON Format*.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.tabular import Cell, Sheet, SourceRows, cell_text
from safecity.data.reference.text_input import read_bytes, to_utf8


def looks_like_json(data: bytes) -> bool:
    """Whether ``data`` (decompressed) starts, after blanks and a BOM, with ``{`` or ``[``."""
    start = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in {b"{", b"["}


def _pages(document: Any) -> list[dict[str, Any]]:
    pages = document if isinstance(document, list) else [document]
    if not pages or not all(isinstance(page, dict) for page in pages):
        raise UnrecognisedFileError(
            "JSON that is neither an ArcGIS FeatureSet, a list of FeatureSet pages, nor GeoJSON"
        )
    for number, page in enumerate(pages, start=1):
        error = page.get("error")
        if error is not None:
            message = error.get("message") if isinstance(error, dict) else error
            raise UnrecognisedFileError(
                f"the file is an ArcGIS error response, not data (page {number}): {message}"
            )
        if not isinstance(page.get("features"), list):
            raise UnrecognisedFileError(
                f"JSON page {number} has no 'features' list (expected an ArcGIS FeatureSet "
                '{"features": [{"attributes": {...}}]} or a GeoJSON FeatureCollection)'
            )
    if (
        pages[-1].get("exceededTransferLimit") is True
        or (pages[-1].get("properties", {}) or {}).get("exceededTransferLimit") is True
    ):
        raise UnrecognisedFileError(
            "the file is one page of a longer query result (exceededTransferLimit is true): "
            "fetch every page (safecity fetch does: resultOffset paging) or download the full "
            "file from the portal"
        )
    return pages


def _record(feature: Any, *, number: int) -> dict[str, Cell]:
    if not isinstance(feature, dict):
        raise UnrecognisedFileError(f"feature {number} is not a JSON object")
    values = feature.get("attributes", feature.get("properties"))
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise UnrecognisedFileError(f"feature {number}'s attributes are not a JSON object")
    return {
        str(key): (json.dumps(value) if isinstance(value, dict | list) else value)
        for key, value in values.items()
    }


def read_feature_table(path: Path) -> SourceRows:
    """The attribute table of an ArcGIS FeatureSet (or its pages) or GeoJSON at ``path``.

    Raises
    ------
    UnrecognisedFileError
        If the JSON is not valid, is an ArcGIS error, is an incomplete page, or is over an input
        limit.
    """
    raw, notes = read_bytes(path)
    data, encoding_notes = to_utf8(raw)
    notes.extend(encoding_notes)
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UnrecognisedFileError(f"not valid JSON: {error}") from error
    pages = _pages(document)
    kind = (
        "GeoJSON FeatureCollection"
        if pages[0].get("type") == "FeatureCollection"
        else "ArcGIS FeatureSet JSON"
    )
    header: list[str] = []
    for page in pages:
        for field in page.get("fields") or []:
            name = field.get("name") if isinstance(field, dict) else None
            if isinstance(name, str) and name not in header:
                header.append(name)
    records: list[dict[str, Cell]] = []
    for page in pages:
        for feature in page["features"]:
            record = _record(feature, number=len(records) + 1)
            for key in record:
                if key not in header:
                    header.append(key)
            records.append(record)
    if not header:
        raise UnrecognisedFileError(f"the {kind} has no attribute fields (no features?)")
    rows = [header] + [[cell_text(record.get(key)) for key in header] for record in records]
    if len(pages) > 1:
        notes.append(f"{len(pages)} pages")
    return SourceRows(
        description=f"{kind}, {len(records):,} features",
        sheets=[Sheet(name="features", rows=rows, first_row_number=0, fixed_header=True)],
        notes=notes,
        row_word="feature",
    )
