"""The de-identified counts of partner intelligence: the partnership's page and the export.

- ``intelligence:counts`` (every partner role, board members included): submissions by ward and
  topic for a complete financial year (default the latest), small counts withheld with
  secondary suppression (:func:`safecity_web.intelligence.counts.counts_table`). No submission's
  content, reference or submitter is on the page.
- ``intelligence:counts-csv`` (analysts and administrators): the ``intelligence-counts`` CSV for
  the warehouse (``safecity load intelligence-counts``), audit-logged as ``exported``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from safecity_web.accounts.audit import client_address
from safecity_web.accounts.models import PARTNER_ROLES, AuditAction, AuditEvent, Role
from safecity_web.accounts.permissions import role_required
from safecity_web.intelligence.counts import (
    CountsPeriodError,
    available_years,
    counts_table,
    export_text,
    last_complete_year,
    parse_year,
    year_label,
    year_months,
)

EXPORT_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)
"""Roles that may download the de-identified export for the warehouse."""
EXPORT_OBJECT_TYPE = "intelligence_counts_export"
NO_STORE = "no-store, private"


@role_required(*PARTNER_ROLES)
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """Submissions by ward and topic in a complete financial year (``?year=2024/25``).

    Default: the latest complete year. A year that is malformed or not yet complete shows the
    page again with the error summary and no table (a GET filter: the page itself is fine, 200).
    """
    today = timezone.localdate()
    chosen = request.GET.get("year", "").strip() or year_label(last_complete_year(today=today))
    errors: dict[str, str] = {}
    table = None
    try:
        start_year = parse_year(text=chosen, today=today)
    except CountsPeriodError as error:
        errors[error.field_name] = str(error)
    else:
        first, last = year_months(start_year)
        table = counts_table(first_month=first, last_month=last)
        chosen = year_label(start_year)
    user = request.user
    return render(
        request,
        "intelligence/counts/counts.html",
        {
            "table": table,
            "errors": errors,
            "year": chosen,
            "years": [year_label(year) for year in available_years(today=today)],
            "may_export": user.has_role(*EXPORT_ROLES),  # type: ignore[union-attr]
        },
    )


@role_required(*EXPORT_ROLES)
@require_GET
def counts_csv(request: HttpRequest) -> HttpResponse:
    """The de-identified ``intelligence-counts`` CSV (every month, every submission)."""
    text, rows = export_text()
    user = request.user
    AuditEvent.objects.create(
        action=AuditAction.EXPORTED,
        user=user,
        username=user.get_username(),
        organisation=getattr(user, "organisation", None),
        object_type=EXPORT_OBJECT_TYPE,
        object_id="intelligence-counts.csv",
        detail=f"de-identified intelligence-counts CSV, {rows} rows",
        path=request.get_full_path()[:500],
        ip_address=client_address(request),
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="intelligence-counts.csv"'
    response["Cache-Control"] = NO_STORE
    return response
