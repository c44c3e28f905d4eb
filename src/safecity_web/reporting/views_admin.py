"""Administration of community reporting: triage duties, business schemes and their alerts.

Administrators assign and remove triage duties. Administrators and business crime managers
(partner users holding the ``business_crime_manager`` duty) create schemes, invite member
businesses, publish agreement versions and write alerts. Every change is audit-logged.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web import core_gateway
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import PARTNER_ROLES, AuditAction, Role
from safecity_web.accounts.permissions import deny, role_required
from safecity_web.reporting.forms_admin import (
    AgreementForm,
    AlertForm,
    DutyAssignForm,
    InviteForm,
    SchemeForm,
)
from safecity_web.reporting.models import (
    BusinessAlert,
    BusinessScheme,
    SchemeMembership,
    SharingAgreement,
    TriageDuty,
)
from safecity_web.reporting.schemes import (
    SchemeError,
    create_alert,
    create_scheme,
    current_agreement,
    invite_member,
    may_manage_schemes,
    publish_agreement,
)

ALERTS_SHOWN = 100


def _duty_labels() -> dict[str, str]:
    return {duty.id: duty.label for duty in core_gateway.community_reports_config().duties}


def _require_scheme_manager(request: HttpRequest) -> None:
    if not may_manage_schemes(request.user):
        raise deny(
            request,
            reason=(
                f"{request.path}: needs the administrator role or the business crime manager duty"
            ),
        )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def duties(request: HttpRequest) -> HttpResponse:
    """Who holds which triage duty; POST gives a user a duty."""
    form = DutyAssignForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user, duty = form.cleaned_data["user"], form.cleaned_data["duty"]
            assignment, created = TriageDuty.objects.get_or_create(
                user=user, duty=duty, defaults={"assigned_by": request.user}
            )
            labels = _duty_labels()
            if created:
                record_event(
                    request=request,
                    action=AuditAction.CREATED,
                    subject=assignment,
                    detail=f"duty {duty} given to {user.username}",
                )
                messages.success(request, f"{user.username} is now {labels[duty].lower()}.")
            else:
                messages.info(request, f"{user.username} already holds that duty.")
            return redirect("reporting:duties")
        status = 400
    labels = _duty_labels()
    assignments = TriageDuty.objects.select_related("user", "user__organisation").order_by(
        "duty", "user__username"
    )
    return render(
        request,
        "reporting/admin_duties.html",
        {
            "form": form,
            "assignments": [
                {"assignment": item, "duty_label": labels.get(item.duty, item.duty)}
                for item in assignments
            ],
        },
        status=status,
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def duty_remove(request: HttpRequest, duty_id: int) -> HttpResponse:
    """Take a triage duty away from a user."""
    assignment = get_object_or_404(TriageDuty.objects.select_related("user"), pk=duty_id)
    record_event(
        request=request,
        action=AuditAction.DELETED,
        subject=assignment,
        detail=f"duty {assignment.duty} removed from {assignment.user.username}",
    )
    assignment.delete()
    messages.success(request, f"The duty has been removed from {assignment.user.username}.")
    return redirect("reporting:duties")


@require_http_methods(["GET", "POST"])
@role_required(*PARTNER_ROLES)
def schemes(request: HttpRequest) -> HttpResponse:
    """Every business crime scheme; POST creates one."""
    _require_scheme_manager(request)
    form = SchemeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                scheme = create_scheme(
                    name=form.cleaned_data["name"],
                    by=request.user,  # type: ignore[arg-type]
                    request=request,
                )
            except SchemeError as error:
                form.add_error("name", error.message)
            else:
                messages.success(request, f"{scheme.name} has been created.")
                return redirect("reporting:scheme", scheme_id=scheme.pk)
        status = 400
    listed = BusinessScheme.objects.annotate(member_count=Count("members")).order_by("name")
    return render(
        request,
        "reporting/admin_schemes.html",
        {
            "form": form,
            "schemes": [
                {"scheme": scheme, "agreement": current_agreement(scheme=scheme)}
                for scheme in listed
            ],
        },
        status=status,
    )


def _scheme_page(
    request: HttpRequest,
    *,
    scheme: BusinessScheme,
    invite_form: InviteForm | None = None,
    agreement_form: AgreementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    members = SchemeMembership.objects.filter(scheme=scheme).select_related("organisation")
    agreements = SharingAgreement.objects.filter(scheme=scheme).annotate(
        acceptance_count=Count("acceptances")
    )
    return render(
        request,
        "reporting/admin_scheme.html",
        {
            "scheme": scheme,
            "members": members.order_by("organisation__name"),
            "agreements": agreements,
            "current": current_agreement(scheme=scheme),
            "invite_form": invite_form or InviteForm(scheme=scheme),
            "agreement_form": agreement_form or AgreementForm(),
            "form": invite_form if invite_form is not None else agreement_form,
        },
        status=status,
    )


@role_required(*PARTNER_ROLES)
def scheme(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """A scheme's members and agreement versions, with the forms to change them."""
    _require_scheme_manager(request)
    return _scheme_page(request, scheme=get_object_or_404(BusinessScheme, pk=scheme_id))


@require_POST
@role_required(*PARTNER_ROLES)
def scheme_invite(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """Invite a business into the scheme."""
    _require_scheme_manager(request)
    chosen = get_object_or_404(BusinessScheme, pk=scheme_id)
    form = InviteForm(request.POST, scheme=chosen)
    if form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            invite_member(
                scheme=chosen,
                organisation=organisation,
                by=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except SchemeError as error:
            form.add_error("organisation", error.message)
        else:
            messages.success(request, f"{organisation.name} is now a member of {chosen.name}.")
            return redirect("reporting:scheme", scheme_id=chosen.pk)
    return _scheme_page(request, scheme=chosen, invite_form=form, status=400)


@require_POST
@role_required(*PARTNER_ROLES)
def scheme_agreement(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """Publish a new version of the scheme's information-sharing agreement."""
    _require_scheme_manager(request)
    chosen = get_object_or_404(BusinessScheme, pk=scheme_id)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            agreement = publish_agreement(
                scheme=chosen,
                version=form.cleaned_data["version"],
                text=form.cleaned_data["text"],
                by=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except SchemeError as error:
            form.add_error(error.field_name, error.message)
        else:
            messages.success(
                request,
                f"Version {agreement.version} is now the current agreement; members must accept "
                "it before they see alerts.",
            )
            return redirect("reporting:scheme", scheme_id=chosen.pk)
    return _scheme_page(request, scheme=chosen, agreement_form=form, status=400)


@role_required(*PARTNER_ROLES)
def alerts(request: HttpRequest) -> HttpResponse:
    """The alerts written to every scheme, newest first (titles only; open one to read it)."""
    _require_scheme_manager(request)
    listed: Any = BusinessAlert.objects.filter(anonymised_at__isnull=True).select_related(
        "scheme", "created_by"
    )[:ALERTS_SHOWN]
    return render(request, "reporting/admin_alerts.html", {"alerts": listed})


@require_http_methods(["GET", "POST"])
@role_required(*PARTNER_ROLES)
def alert_create(request: HttpRequest) -> HttpResponse:
    """Write an alert to a scheme's members."""
    _require_scheme_manager(request)
    form = AlertForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                alert = create_alert(
                    scheme=form.cleaned_data["scheme"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    offender_description=form.cleaned_data["offender_description"],
                    image=form.cleaned_data["image"],
                    by=request.user,  # type: ignore[arg-type]
                    request=request,
                )
            except SchemeError as error:
                form.add_error(error.field_name, error.message)
            else:
                messages.success(
                    request, f"The alert is now shown to the members of {alert.scheme.name}."
                )
                return redirect("reporting:alerts")
        status = 400
    return render(request, "reporting/admin_alert_form.html", {"form": form}, status=status)
