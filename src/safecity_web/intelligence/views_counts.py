"""The de-identified counts of partner intelligence: the partnership's page and the export.

- ``intelligence:counts`` (every partner role, board members included): submissions by ward and
  topic for a chosen period (default the last twelve full months), small counts withheld with
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
    counts_table,
    default_period,
    export_text,
    parse_period,
)

EXPORT_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)
"""Roles that may download the de-identified export for the warehouse."""
EXPORT_OBJECT_TYPE = "intelligence_counts_export"
NO_STORE = "no-store, private"


@role_required(*PARTNER_ROLES)
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """Submissions by ward and topic in a period (``?first=YYYY-MM&last=YYYY-MM``).

    A period typed wrongly shows the page again with the error summary and no table (a GET
    filter: the page itself is fine, so 200).
    """
    first_default, last_default = default_period(today=timezone.localdate())
    first = request.GET.get("first", "").strip() or first_default
    last = request.GET.get("last", "").strip() or last_default
    errors: dict[str, str] = {}
    try:
        first, last = parse_period(first=first, last=last)
    except CountsPeriodError as error:
        errors[error.field_name] = str(error)
    table = None if errors else counts_table(first_month=first, last_month=last)
    user = request.user
    return render(
        request,
        "intelligence/counts/counts.html",
        {
            "table": table,
            "errors": errors,
            "first": first,
            "last": last,
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
