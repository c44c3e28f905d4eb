"""The community reports page and its tables' downloads (CSV and JSON)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import community_reports, presentation, queries
from safecity_web.observatory.community_reports import Table
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment

DOWNLOAD_NOTE = (
    "Community reports are a protected source: a count under the published minimum, or one "
    "that would reveal such a count, is withheld (null, with suppressed true; its losses too). "
    "A withheld count is never zero."
)


def community_reports_overview(
    request: HttpRequest, mode: Mode = Mode.CURRENT, assessment_id: int | None = None
) -> HttpResponse:
    """Reports by kind and channel against the previous period, by month, hate reports by
    strand beside police-recorded hate crime, by ward, and business crime with its losses;
    withheld counts read "Suppressed" with the reason; or why the family was not assessed."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        reports=lazy(
            lambda: community_reports.overview_page(
                community_reports.community_reports_data(assessment)
            )
        ),
        monthly_chart=lazy(
            lambda: community_reports.monthly_chart(
                assessment, community_reports.community_reports_data(assessment)
            )
        ),
        findings=lazy(lambda: queries.findings(assessment, topic=community_reports.FAMILY)),
    )
    return render(request, "observatory/community_reports.html", context)


def _table_rows(
    mode: Mode, assessment_id: int | None, name: str
) -> tuple[PublishedAssessment, Table, list[dict[str, Any]]]:
    """The assessment, the table named ``name`` in the URL, and its rows as published.

    Raises
    ------
    Http404
        For an unknown table, nothing published, or an assessment that did not assess
        community reports (the message says why).
    """
    table = community_reports.DOWNLOAD_NAMES.get(name)
    if table is None:
        raise Http404(f"No community reports table {name!r}")
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError as error:
        raise Http404("No assessment has been published yet") from error
    data = community_reports.community_reports_data(assessment)
    if data.absent_reason is not None:
        raise Http404(f"Community reports were not assessed: {data.absent_reason}")
    rows = {
        Table.SUMMARY: data.summary,
        Table.MONTHLY: data.monthly,
        Table.STRAND: data.strands,
        Table.WARD: data.wards,
        Table.BUSINESS: data.business,
    }[table]
    return assessment, table, rows


def _filename(assessment: PublishedAssessment, name: str, extension: str) -> str:
    period = assessment.period.replace("/", "-")
    return f"{assessment.area_code}-{period}-community-reports-{name}.{extension}"


def _csv_cell(table: Table, column: str, row: dict[str, Any]) -> str:
    value = row.get(column)
    withheld = community_reports.COUNT_COLUMNS[table] + community_reports.LOSS_COLUMNS.get(
        table, ()
    )
    if value is None:
        return presentation.SUPPRESSED if row["suppressed"] and column in withheld else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and column != "losses_pounds":
        return str(round(value))
    if isinstance(value, float):
        return f"{value:.2f}" if column == "losses_pounds" else repr(value)
    return str(value)


def _csv_text(table: Table, rows: list[dict[str, Any]]) -> str:
    columns = community_reports.COLUMNS[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(table, column, row) for column in columns] for row in rows)
    return buffer.getvalue()


def _json_text(assessment: PublishedAssessment, table: Table, rows: list[dict[str, Any]]) -> str:
    columns = community_reports.COLUMNS[table]
    document = {
        "assessment": {
            "id": assessment.pk,
            "area_code": assessment.area_code,
            "area_name": assessment.area_name,
            "period": assessment.period,
        },
        "table": table.value,
        "notes": DOWNLOAD_NOTE,
        "columns": list(columns),
        "rows": [{column: row.get(column) for column in columns} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False)


def community_reports_csv(
    request: HttpRequest,
    reports_table: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """One of the family's public tables as CSV: withheld counts read ``suppressed``."""
    assessment, found, rows = _table_rows(mode, assessment_id, reports_table)
    body = queries.cached(
        assessment, f"community-reports-csv:{reports_table}", lambda: _csv_text(found, rows)
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(assessment, reports_table, "csv")}"'
    )
    return response


def community_reports_json(
    request: HttpRequest,
    reports_table: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """One of the family's public tables as JSON: withheld counts are null, suppressed true."""
    assessment, found, rows = _table_rows(mode, assessment_id, reports_table)
    body = queries.cached(
        assessment,
        f"community-reports-json:{reports_table}",
        lambda: _json_text(assessment, found, rows),
    )
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = (
        f'inline; filename="{_filename(assessment, reports_table, "json")}"'
    )
    return response
