"""Turning the authenticator-app second factor on (confirmed by a code) and off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from safecity_web.accounts import clock
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.forms import CodeForm
from safecity_web.accounts.models import AuditAction, Role, TwoFactorDevice
from safecity_web.accounts.permissions import role_required
from safecity_web.accounts.two_factor import (
    confirmed_device,
    grouped_secret,
    qr_code_svg,
    start_setup,
    verify_code,
)

WRONG_CODE = "The code is not correct. Enter the code your app shows now"


@never_cache
@sensitive_post_parameters("code")
@role_required(*Role)
def two_factor(request: HttpRequest) -> HttpResponse:
    """Show the status, or set up a new authenticator and confirm it with a code."""
    user: Any = request.user
    device = confirmed_device(user)
    if device is not None:
        return render(request, "accounts/two_factor_on.html", {"form": CodeForm()})
    pending = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if pending is None:
        pending = start_setup(user=user, now=clock.now())
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        now = clock.now()
        if verify_code(device=pending, code=form.cleaned_data["code"], now=now):
            pending.confirmed_at = now
            pending.save(update_fields=["confirmed_at"])
            record_event(
                request=request,
                action=AuditAction.SECOND_FACTOR,
                subject=user,
                detail="authenticator app turned on",
            )
            messages.success(request, "Your authenticator app is set up.")
            return redirect("accounts:account")
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_code": qr_code_svg(pending), "secret": grouped_secret(pending)},
    )


@sensitive_post_parameters("code")
@require_POST
@role_required(*Role)
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off; needs a current code so a left-open session cannot."""
    user: Any = request.user
    device = confirmed_device(user)
    if device is None:
        return redirect("accounts:two-factor")
    form = CodeForm(request.POST)
    if form.is_valid() and verify_code(
        device=device, code=form.cleaned_data["code"], now=clock.now()
    ):
        device.delete()
        record_event(
            request=request,
            action=AuditAction.SECOND_FACTOR,
            subject=user,
            detail="authenticator app turned off",
        )
        messages.success(request, "Your authenticator app is turned off.")
        return redirect("accounts:account")
    if form.is_valid():
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/two_factor_on.html", {"form": form}, status=400)
