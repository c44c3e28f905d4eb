"""Password change (signed in) and password reset by email, with GOV.UK templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from safecity_web.accounts import clock
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.forms import (
    GovukPasswordChangeForm,
    GovukPasswordResetForm,
    GovukSetPasswordForm,
)
from safecity_web.accounts.lockout import end_username_lockouts
from safecity_web.accounts.models import AuditAction
from safecity_web.accounts.password_reset import request_reset


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for an email address; always says the same thing, known address or not.

    Rate-limited per address, per account and per client address, with the same answer and
    the same work done in every case (:mod:`safecity_web.accounts.password_reset`).
    """

    form_class = GovukPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form: Any) -> HttpResponse:
        """Count the request, queue the email when allowed, and answer "check your email"."""
        request_reset(
            form=form, request=self.request, now=clock.now(), token_generator=self.token_generator
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    """Check your email."""

    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link (audit-logged)."""

    form_class = GovukSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        """Save the password and record the reset against the user."""
        response = super().form_valid(form)
        # The emailed link proves the mailbox, so a lockout of the username ends here.
        end_username_lockouts(username=form.user.get_username(), now=clock.now())
        record_event(
            request=self.request,
            action=AuditAction.PASSWORD_RESET,
            user=form.user,
            subject=form.user,
            detail="password reset by emailed link",
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """Your password has been reset."""

    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change your own password (keeps you signed in; audit-logged)."""

    form_class = GovukPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        """Save the password, audit-log the change and say so."""
        response = super().form_valid(form)
        record_event(
            request=self.request,
            action=AuditAction.EDITED,
            subject=form.user,
            detail="changed own password",
        )
        messages.success(self.request, "Your password has been changed.")
        return response
