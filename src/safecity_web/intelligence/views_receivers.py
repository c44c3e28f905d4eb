"""Administrators give and take away receiver designations (no submission is shown here)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import role_required
from safecity_web.intelligence.designations import (
    DesignationError,
    designate_receiver,
    receiver_labels,
    remove_designation,
)
from safecity_web.intelligence.forms_receivers import DesignationForm
from safecity_web.intelligence.models import ReceiverDesignation


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def receivers(request: HttpRequest) -> HttpResponse:
    """The designations, and the form to give one."""
    form = DesignationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            designation = designate_receiver(
                user=form.cleaned_data["username"],
                receiver=form.cleaned_data["receiver"],
                by=request.user,
                request=request,
            )
        except DesignationError as error:
            form.add_error(
                error.field_name if error.field_name in form.fields else None, error.message
            )
        else:
            labels = receiver_labels()
            messages.success(
                request,
                f"{designation.user.get_username()} is now designated as "
                f"{labels.get(designation.receiver, designation.receiver)}",
            )
            return redirect("intelligence:receivers")
    labels = receiver_labels()
    designations = [
        {"designation": designation, "receiver_label": labels.get(designation.receiver, "")}
        for designation in ReceiverDesignation.objects.select_related(
            "user", "user__organisation", "designated_by"
        ).order_by("receiver", "user__username")
    ]
    return render(
        request,
        "intelligence/handling/receivers.html",
        {"form": form, "designations": designations},
        status=400 if form.is_bound else 200,
    )


@role_required(Role.ADMINISTRATOR)
@require_POST
def receiver_remove(request: HttpRequest, designation_id: int) -> HttpResponse:
    """Take a designation away."""
    designation = get_object_or_404(
        ReceiverDesignation.objects.select_related("user"), pk=designation_id
    )
    remove_designation(designation=designation, by=request.user, request=request)
    labels = receiver_labels()
    messages.success(
        request,
        f"{designation.user.get_username()} is no longer designated as "
        f"{labels.get(designation.receiver, designation.receiver)}",
    )
    return redirect("intelligence:receivers")
