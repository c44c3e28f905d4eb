"""Downloads of an indicator's values and of its monthly series: every column, CSV and JSON.

Suppressed figures read ``suppressed`` in the CSV and are ``null`` in the JSON (with the row's
``suppressed`` true); a month without data has an empty count in the CSV and ``null`` in the
JSON (with ``has_data`` false); never 0.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from safecity_web.observatory import presentation, queries
from safecity_web.observatory.publishing import FLOAT_COLUMNS, INTEGER_COLUMNS
from safecity_web.observatory.records import indicator_columns, value_record
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    resolve_assessment,
)
from safecity_web.observatory.views.indicators import indicator_of

WITHHELD_COLUMNS = frozenset(FLOAT_COLUMNS) | frozenset(INTEGER_COLUMNS) | {"unreliable"}
"""Number columns and the unreliable flag (it says whether a count is under 10): on a
suppressed row, a missing one there was withheld."""


def _resolve(mode: Mode, assessment_id: int | None, indicator_id: str) -> tuple[Any, Any]:
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError as error:
        raise Http404("No assessment has been published yet") from error
    return assessment, indicator_of(assessment, indicator_id)


def _rows(assessment: Any, indicator: Any) -> list[dict[str, Any]]:
    columns = indicator_columns()
    return [
        value_record(row, columns=columns)
        for row in queries.values(assessment).filter(indicator=indicator).order_by("id")
    ]


def _filename(assessment: Any, indicator_id: str, extension: str) -> str:
    period = assessment.period.replace("/", "-")
    return f"{assessment.area_code}-{period}-{indicator_id}.{extension}"


def _csv_cell(column: str, value: Any, *, suppressed: bool) -> str:
    if value is None:
        return presentation.SUPPRESSED if suppressed and column in WITHHELD_COLUMNS else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def _csv_table(columns: list[str], rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


class DownloadFormat(StrEnum):
    """The file formats of the downloads."""

    CSV = "csv"
    JSON = "json"


def _download(
    assessment: Any, *, key: str, build: Callable[[], str], filename: str, media: DownloadFormat
) -> HttpResponse:
    """The download ``filename`` of ``assessment``: built once (``key``), then served as is."""
    body = queries.cached(assessment, key, build)
    if media is DownloadFormat.CSV:
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _csv_text(assessment: Any, indicator: Any) -> str:
    columns = indicator_columns()
    return _csv_table(
        columns,
        (
            [
                _csv_cell(column, row[column], suppressed=bool(row["suppressed"]))
                for column in columns
            ]
            for row in _rows(assessment, indicator)
        ),
    )


def indicator_csv(
    request: HttpRequest,
    indicator_id: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """All values of the indicator as CSV (the artefact's columns, in order)."""
    assessment, indicator = _resolve(mode, assessment_id, indicator_id)
    return _download(
        assessment,
        key=f"csv:{indicator_id}",
        build=lambda: _csv_text(assessment, indicator),
        filename=_filename(assessment, indicator_id, "csv"),
        media=DownloadFormat.CSV,
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _json_document(assessment: Any, indicator: Any) -> dict[str, Any]:
    return {
        "assessment": {
            "id": assessment.pk,
            "area_code": assessment.area_code,
            "area_name": assessment.area_name,
            "period": assessment.period,
            "baseline": assessment.baseline,
            "status": assessment.status,
            "published_at": (
                assessment.published_at.isoformat() if assessment.published_at else None
            ),
        },
        "indicator": {
            "indicator_id": indicator.indicator_id,
            "name": indicator.name,
            "definition": indicator.definition,
            "polarity": indicator.polarity,
            "unit": indicator.unit,
            "multiplier": indicator.multiplier,
            "denominator_type": indicator.denominator_type,
        },
        "notes": (
            "Suppressed figures (counts under the disclosure threshold and what could reveal "
            "them) are null, with suppressed true; they are never zero."
        ),
        "columns": indicator_columns(),
        "rows": [
            {key: _json_value(value) for key, value in row.items()}
            for row in _rows(assessment, indicator)
        ],
    }


def indicator_json(
    request: HttpRequest,
    indicator_id: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """All values of the indicator as JSON: the assessment, the indicator and every row."""
    assessment, indicator = _resolve(mode, assessment_id, indicator_id)
    return _download(
        assessment,
        key=f"json:{indicator_id}",
        build=lambda: json.dumps(_json_document(assessment, indicator), ensure_ascii=False),
        filename=_filename(assessment, indicator_id, "json"),
        media=DownloadFormat.JSON,
    )


MONTHLY_TABLE = "monthly_series"


def _monthly(assessment: Any, indicator: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and the area's rows of the public monthly series of the indicator.

    Raises
    ------
    Http404
        When the assessment published no monthly series for the indicator.
    """
    table = queries.table_rows(assessment, MONTHLY_TABLE, group_key=indicator.indicator_id)
    rows = [
        row
        for row in (table.rows if table is not None else [])
        if row.get("area_code") in (None, assessment.area_code)
    ]
    if table is None or not rows:
        raise Http404(f"No monthly series of {indicator.indicator_id} in this assessment")
    return list(table.columns), rows


def _monthly_csv_text(assessment: Any, indicator: Any) -> str:
    columns, rows = _monthly(assessment, indicator)
    return _csv_table(
        columns,
        (
            [
                presentation.SUPPRESSED
                if column == "count" and row.get(column) is None and row.get("suppressed")
                else _csv_cell(column, row.get(column), suppressed=False)
                for column in columns
            ]
            for row in rows
        ),
    )


def monthly_csv(
    request: HttpRequest,
    indicator_id: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """The indicator's monthly counts as CSV: a month without data has an empty count."""
    assessment, indicator = _resolve(mode, assessment_id, indicator_id)
    return _download(
        assessment,
        key=f"monthly-csv:{indicator_id}",
        build=lambda: _monthly_csv_text(assessment, indicator),
        filename=_filename(assessment, indicator_id + "-monthly", "csv"),
        media=DownloadFormat.CSV,
    )


def _monthly_document(assessment: Any, indicator: Any) -> dict[str, Any]:
    columns, rows = _monthly(assessment, indicator)
    return {
        "assessment": {
            "id": assessment.pk,
            "area_code": assessment.area_code,
            "area_name": assessment.area_name,
            "period": assessment.period,
        },
        "indicator": {"indicator_id": indicator.indicator_id, "name": indicator.name},
        "notes": (
            "A month without data has count null and has_data false: it is missing, never "
            "zero. A suppressed count is null with suppressed true."
        ),
        "columns": columns,
        "rows": [{column: _json_value(row.get(column)) for column in columns} for row in rows],
    }


def monthly_json(
    request: HttpRequest,
    indicator_id: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """The indicator's monthly counts as JSON: a month without data has a null count."""
    assessment, indicator = _resolve(mode, assessment_id, indicator_id)
    return _download(
        assessment,
        key=f"monthly-json:{indicator_id}",
        build=lambda: json.dumps(_monthly_document(assessment, indicator), ensure_ascii=False),
        filename=_filename(assessment, indicator_id + "-monthly", "json"),
        media=DownloadFormat.JSON,
    )
