"""A business's own area: its reports, its scheme's agreement, and the scheme's alerts.

Alerts are shown only to members who accepted their scheme's current agreement version (others
are sent to the agreement page); reading an alert, and its image, is audit-logged as a read of
personal data, and the image is served with ``Cache-Control: no-store`` from its own URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import PARTNER_ROLES, AuditAction, Role
from safecity_web.accounts.permissions import deny, role_required
from safecity_web.encryption import Purpose, decrypt_bytes, decrypt_text
from safecity_web.reporting.models import BusinessAlert, CommunityReport, SharingAgreement
from safecity_web.reporting.schemes import (
    SchemeError,
    accept_agreement,
    alert_schemes_visible_to,
    is_business_member,
    may_see_alert,
    standings,
)
from safecity_web.reporting.views_centre import kind_labels

REPORTS_PER_PAGE = 25
ALERTS_PER_PAGE = 25


def _business_of(request: HttpRequest) -> Any:
    """The member's business; 403 (audit-logged) when the account is not in a business."""
    if not is_business_member(request.user):
        raise deny(request, reason=f"{request.path}: the account is not in a business")
    return request.user.organisation  # type: ignore[union-attr]


@role_required(Role.BUSINESS_MEMBER)
def business_reports(request: HttpRequest) -> HttpResponse:
    """The business's own reports with their status and outcome."""
    business = _business_of(request)
    reports = CommunityReport.objects.filter(organisation=business)
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    labels = kind_labels()
    return render(
        request,
        "reporting/business_reports.html",
        {
            "business": business,
            "page": page,
            "rows": [
                {
                    "report": report,
                    "category_label": labels.get(f"{report.kind}/{report.category}", ""),
                }
                for report in page.object_list
            ],
            "standings": standings(user=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.BUSINESS_MEMBER)
def business_agreement(request: HttpRequest) -> HttpResponse:
    """Each scheme's current agreement; POST ``agreement`` (its id) to accept it."""
    business = _business_of(request)
    if request.method == "POST":
        chosen = str(request.POST.get("agreement", "")).strip()
        agreement = (
            SharingAgreement.objects.filter(pk=int(chosen)).first()
            if chosen.isascii() and chosen.isdecimal() and len(chosen) < 12
            else None
        )
        if agreement is None:
            raise deny(request, reason=f"{request.path}: no such agreement to accept")
        try:
            accept_agreement(agreement=agreement, user=request.user, request=request)  # type: ignore[arg-type]
        except SchemeError as error:
            raise deny(request, reason=f"{request.path}: {error.message}") from error
        messages.success(
            request,
            f"You accepted the {agreement.scheme.name} information-sharing agreement "
            f"(version {agreement.version}).",
        )
        return redirect("reporting:business-alerts")
    return render(
        request,
        "reporting/business_agreement.html",
        {"business": business, "standings": standings(user=request.user)},
    )


@role_required(Role.BUSINESS_MEMBER)
def business_alerts(request: HttpRequest) -> HttpResponse:
    """Alerts of the business's schemes whose current agreement the member accepted."""
    business = _business_of(request)
    member_standings = standings(user=request.user)
    if not member_standings:
        return render(request, "reporting/business_no_scheme.html", {"business": business})
    if any(
        standing.agreement is not None and not standing.may_see_alerts
        for standing in member_standings
    ):
        messages.info(request, "Accept your scheme's information-sharing agreement to see alerts.")
        return redirect("reporting:business-agreement")
    schemes = [standing.scheme for standing in member_standings if standing.may_see_alerts]
    alerts = BusinessAlert.objects.filter(scheme__in=schemes, anonymised_at__isnull=True)
    page = Paginator(alerts.select_related("scheme"), ALERTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reporting/business_alerts.html",
        {"business": business, "page": page, "standings": member_standings},
    )


def _readable_alert(request: HttpRequest, alert_id: int) -> BusinessAlert:
    alert = get_object_or_404(BusinessAlert.objects.select_related("scheme"), pk=alert_id)
    if not may_see_alert(user=request.user, alert=alert):
        raise deny(request, reason=f"{request.path}: the alert is not for this account")
    return alert


@never_cache
@role_required(Role.BUSINESS_MEMBER, *PARTNER_ROLES)
def business_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """One alert in full (body, offender description, image); the read is audit-logged."""
    alert = _readable_alert(request, alert_id)
    record_event(
        request=request,
        action=AuditAction.VIEWED_PERSONAL_DATA,
        subject=alert,
        detail=f"business alert to {alert.scheme.name}",
    )
    offender = (
        decrypt_text(alert.encrypted_offender_description, purpose=Purpose.PERSONAL_DATA)
        if alert.encrypted_offender_description
        else ""
    )
    is_manager = alert_schemes_visible_to(user=request.user) is None
    return render(
        request,
        "reporting/business_alert.html",
        {
            "alert": alert,
            "body": decrypt_text(alert.encrypted_body, purpose=Purpose.PERSONAL_DATA),
            "offender_description": offender,
            "is_manager": is_manager,
            "layout": "base.html" if is_manager else "reporting/business_layout.html",
        },
    )


@role_required(Role.BUSINESS_MEMBER, *PARTNER_ROLES)
def business_alert_image(request: HttpRequest, alert_id: int) -> HttpResponse:
    """An alert's image, to allowed users only, never cached; the read is audit-logged."""
    alert = _readable_alert(request, alert_id)
    if not alert.encrypted_image:
        raise Http404("This alert has no image")
    record_event(
        request=request,
        action=AuditAction.VIEWED_PERSONAL_DATA,
        subject=alert,
        detail=f"business alert image ({alert.scheme.name})",
    )
    data = decrypt_bytes(bytes(alert.encrypted_image), purpose=Purpose.PERSONAL_DATA)
    response = HttpResponse(data, content_type=alert.image_content_type)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="alert-{alert.pk}"'
    return response
