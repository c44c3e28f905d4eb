"""Sign in (password, then an authenticator code when one is set up) and sign out."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from safecity_web.accounts import clock
from safecity_web.accounts.audit import client_address, record_event
from safecity_web.accounts.forms import CodeForm, SignInForm
from safecity_web.accounts.lockout import (
    locked_until,
    record_failure,
    record_success,
    serialised_sign_in,
)
from safecity_web.accounts.models import AuditAction, Role, TwoFactorDevice, User
from safecity_web.accounts.two_factor import confirmed_device, verify_code

PENDING_USER = "accounts.pending_user_id"
PENDING_BACKEND = "accounts.pending_backend"
PENDING_SINCE = "accounts.pending_since"
PENDING_NEXT = "accounts.pending_next"
PENDING_KEYS = (PENDING_USER, PENDING_BACKEND, PENDING_SINCE, PENDING_NEXT)
# How long a correct password stays good for while the user finds their authenticator code.
PENDING_LIFETIME = timedelta(minutes=5)

WRONG_CREDENTIALS = "The username or password is not correct"
WRONG_CODE = "The code is not correct, or it has already been used. Enter the latest code"


def locked_message(*, until: datetime, now: datetime) -> str:
    """The same message for every locked username, whether or not the account exists."""
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Sign-in is paused after too many failed attempts. "
        f"Wait {minutes} {unit}, then try again, or reset your password."
    )


# Where a user lands after signing in without a ``next`` address, by role (issue 13):
# reporting centres and businesses have their own areas; the partnership's roles the portal.
LANDING_BY_ROLE = {
    Role.REPORTING_CENTRE_WORKER: "reporting:centre-reports",
    Role.BUSINESS_MEMBER: "reporting:business-reports",
}


def landing_for(user: User) -> str:
    """The page ``user`` lands on after signing in when no ``next`` address was asked for."""
    return resolve_url(LANDING_BY_ROLE.get(user.role, settings.LOGIN_REDIRECT_URL))


def _safe_next(request: HttpRequest, candidate: str, *, user: User) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return landing_for(user)


def _record_failure(
    request: HttpRequest, *, username: str, now: datetime, detail: str
) -> datetime | None:
    """Count a failure, audit it (and any lockout it triggers); when a new lockout ends."""
    record_event(
        request=request, action=AuditAction.SIGN_IN_FAILED, username=username, detail=detail
    )
    lockouts = record_failure(username=username, ip_address=client_address(request), now=now)
    for lockout in lockouts:
        record_event(
            request=request,
            action=AuditAction.LOCKED_OUT,
            username=username,
            detail=f"{lockout.get_scope_display()} locked until {lockout.locked_until.isoformat()}",
        )
    return max((lockout.locked_until for lockout in lockouts), default=None)


def _locked_until(request: HttpRequest, *, username: str, now: datetime) -> datetime | None:
    """When the lockout covering this username or the client's address ends (audited)."""
    until = locked_until(username=username, ip_address=client_address(request), now=now)
    if until is None:
        return None
    record_event(
        request=request,
        action=AuditAction.LOCKED_OUT,
        username=username,
        detail="sign-in refused while locked",
    )
    return until


def _complete_sign_in(
    request: HttpRequest, *, user: User, next_url: str, now: datetime, detail: str
) -> HttpResponse:
    login(request, user)  # rotates the session key
    record_success(username=user.get_username(), ip_address=client_address(request), now=now)
    record_event(request=request, action=AuditAction.SIGN_IN, detail=detail)
    return redirect(_safe_next(request, next_url, user=user))


def _check_password(
    request: HttpRequest, *, form: SignInForm, username: str, next_url: str
) -> HttpResponse | None:
    """Check the password unless locked; a redirect when right, else ``None`` (form errors)."""
    now = clock.now()  # after waiting for the lock, so that the count read is not stale
    until = _locked_until(request, username=username, now=now)
    if until is not None:
        form.add_error(None, locked_message(until=until, now=now))
        return None
    user: Any = authenticate(request, username=username, password=form.cleaned_data["password"])
    if user is None:
        until = _record_failure(
            request, username=username, now=now, detail="wrong username or password"
        )
        form.add_error(
            None, WRONG_CREDENTIALS if until is None else locked_message(until=until, now=now)
        )
        return None
    if confirmed_device(user) is None:
        return _complete_sign_in(request, user=user, next_url=next_url, now=now, detail="password")
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_BACKEND] = user.backend
    request.session[PENDING_SINCE] = now.isoformat()
    request.session[PENDING_NEXT] = next_url
    return redirect("accounts:sign-in-code")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one: username and password (checked only when neither is locked)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username: str = form.cleaned_data["username"]
        with serialised_sign_in(username=username, ip_address=client_address(request)):
            response = _check_password(request, form=form, username=username, next_url=next_url)
        if response is not None:
            return response
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


def _pending_user(request: HttpRequest, *, now: datetime) -> User | None:
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE)
    if user_id is None or since is None:
        return None
    if now - datetime.fromisoformat(since) > PENDING_LIFETIME:
        _forget_pending(request)
        return None
    user: User | None = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return user


def _forget_pending(request: HttpRequest) -> None:
    for key in PENDING_KEYS:
        request.session.pop(key, None)


def _check_code(
    request: HttpRequest, *, form: CodeForm, user: User, device: TwoFactorDevice
) -> HttpResponse | None:
    """Check the code unless locked; a redirect when right, else ``None`` (form errors)."""
    now = clock.now()  # after waiting for the lock, so that the count read is not stale
    username = user.get_username()
    until = _locked_until(request, username=username, now=now)
    if until is not None:
        _forget_pending(request)
        form.add_error(None, locked_message(until=until, now=now))
        return None
    if verify_code(device=device, code=form.cleaned_data["code"], now=now):
        backend = request.session[PENDING_BACKEND]
        next_url = request.session.get(PENDING_NEXT, "")
        _forget_pending(request)
        user.backend = backend
        return _complete_sign_in(
            request,
            user=user,
            next_url=next_url,
            now=now,
            detail="password and authenticator code",
        )
    until = _record_failure(request, username=username, now=now, detail="wrong authenticator code")
    if until is None:
        form.add_error("code", WRONG_CODE)
    else:
        _forget_pending(request)
        form.add_error(None, locked_message(until=until, now=now))
    return None


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step two: the authenticator code. The session is not signed in until it is right."""
    now = clock.now()
    user = _pending_user(request, now=now)
    if user is None:
        messages.info(request, "Sign in again: enter your username and password first.")
        return redirect("accounts:sign-in")
    device = confirmed_device(user)
    if device is None:  # an administrator reset the authenticator meanwhile
        _forget_pending(request)
        messages.info(request, "Sign in again: your authenticator app has been reset.")
        return redirect("accounts:sign-in")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        with serialised_sign_in(username=username, ip_address=client_address(request)):
            response = _check_code(request, form=form, user=user, device=device)
        if response is not None:
            return response
    return render(request, "accounts/sign_in_code.html", {"form": form})


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so a link or image cannot sign anyone out)."""
    if request.user.is_authenticated:
        record_event(request=request, action=AuditAction.SIGN_OUT)
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign-in")
