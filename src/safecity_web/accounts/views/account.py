"""A signed-in user's own account: details, password, authenticator, sign out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import role_required
from safecity_web.accounts.two_factor import confirmed_device


@role_required(*Role)
def account_home(request: HttpRequest) -> HttpResponse:
    """Summary of the user's account with links to change password and second factor."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {"account": user, "two_factor_on": confirmed_device(user) is not None},  # type: ignore[arg-type]
    )
