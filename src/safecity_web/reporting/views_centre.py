"""A reporting centre's own area: the reports its staff made and what happened to them.

Staff see each report's reference, kind, category, when it was received, its status, the outcome
in plain words and the same updates the reporter's status page shows (``ReportEvent.public_text``)
— never triage notes, never the personal data, never another centre's reports. Updates since the
worker's previous sign-in are marked new.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction, AuditEvent, OrganisationKind, Role
from safecity_web.accounts.permissions import deny, role_required
from safecity_web.reporting.models import CommunityReport, ReportEvent, ReportStatus

REPORTS_PER_PAGE = 25
UPDATES_SHOWN = 20


def previous_sign_in(*, user: Any) -> datetime.datetime | None:
    """When the user signed in before the current session (from the audit log), if ever."""
    times = list(
        AuditEvent.objects.filter(user=user, action=AuditAction.SIGN_IN)
        .order_by("-occurred_at", "-id")
        .values_list("occurred_at", flat=True)[:2]
    )
    return times[1] if len(times) == 2 else None


def kind_labels() -> dict[str, str]:
    """Report kinds and categories by id, as the forms name them."""
    config = core_gateway.community_reports_config()
    labels = {}
    for kind in config.kinds:
        labels[kind.id] = kind.label
        for category in kind.categories:
            labels[f"{kind.id}/{category.id}"] = category.label
    return labels


def _centre_of(request: HttpRequest) -> Any:
    """The worker's reporting centre; 403 (audit-logged) when the account has none."""
    organisation = request.user.organisation  # type: ignore[union-attr]
    if organisation is None or organisation.kind != OrganisationKind.REPORTING_CENTRE:
        raise deny(request, reason=f"{request.path}: the account is not in a reporting centre")
    return organisation


def _labelled(reports: Any) -> list[dict[str, Any]]:
    labels = kind_labels()
    return [
        {
            "report": report,
            "kind_label": labels.get(report.kind, report.kind),
            "category_label": labels.get(f"{report.kind}/{report.category}", report.category),
        }
        for report in reports
    ]


@role_required(Role.REPORTING_CENTRE_WORKER)
def centre_reports(request: HttpRequest) -> HttpResponse:
    """The centre's reports, newest first, with the updates since the previous sign-in."""
    centre = _centre_of(request)
    reports = CommunityReport.objects.filter(organisation=centre).only(
        "reference", "kind", "category", "received_at", "status", "outcome", "anonymised_at"
    )
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    since = previous_sign_in(user=request.user)
    updates = (
        ReportEvent.objects.filter(report__organisation=centre)
        .exclude(status=ReportStatus.RECEIVED)
        .select_related("report")
        .order_by("-occurred_at", "-id")[:UPDATES_SHOWN]
    )
    return render(
        request,
        "reporting/centre_reports.html",
        {
            "centre": centre,
            "page": page,
            "rows": _labelled(page.object_list),
            "updates": [
                {"event": event, "is_new": since is None or event.occurred_at > since}
                for event in updates
            ],
            "since": since,
        },
    )


@role_required(Role.REPORTING_CENTRE_WORKER)
def centre_report(request: HttpRequest, reference: str) -> HttpResponse:
    """One of the centre's reports with its history (the reporter's view of it)."""
    centre = _centre_of(request)
    report = get_object_or_404(CommunityReport, reference=reference)
    if report.organisation_id != centre.pk:
        raise deny(request, reason=f"{request.path}: the report belongs to another organisation")
    row = _labelled([report])[0]
    return render(
        request,
        "reporting/centre_report.html",
        {"centre": centre, **row, "events": report.events.order_by("occurred_at", "id")},
    )
