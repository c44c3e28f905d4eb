"""Password-reset requests: rate-limited, and alike whether or not an account exists.

Policy (settings ``SAFECITY_PASSWORD_RESET_LIMIT``, a dict; missing keys take the defaults):
at most ``per_email`` (3) reset emails for one address, ``per_account`` (3) for one account and
``per_ip_address`` (20) requests from one client address within ``window`` (1 hour). Only
requests that pass every limit are counted, so a flood cannot keep an address refused for
longer than the window. A refused request is logged and sends nothing.

The answer is the same in every case (the "check your email" page), and so is the work done
before it: the account lookup, the counting under row locks, making a reset token and
rendering the email. A placeholder account stands in when none matches; only a real, allowed
message is queued, and it is sent off the request (:mod:`safecity_web.accounts.outbox`), so the
response time does not say whether an account exists (OWASP Forgot Password Cheat Sheet).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template import loader
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from safecity_web.accounts import outbox, throttle
from safecity_web.accounts.audit import client_address
from safecity_web.accounts.models import ThrottleScope, User

logger = logging.getLogger(__name__)

RESET_KEY_SALT = "safecity_web.accounts.password_reset.email_key"
SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
BODY_TEMPLATE = "accounts/email/password_reset.txt"


@dataclass(frozen=True)
class ResetLimit:
    """How many reset requests per address, account and client address within a window."""

    per_email: int = 3
    per_account: int = 3
    per_ip_address: int = 20
    window: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if min(self.per_email, self.per_account, self.per_ip_address) < 1:
            raise ValueError("SAFECITY_PASSWORD_RESET_LIMIT: limits must be at least 1")
        if self.window <= timedelta(0):
            raise ValueError("SAFECITY_PASSWORD_RESET_LIMIT: window must be positive")

    def limit_for(self, scope: ThrottleScope) -> int:
        """The limit that applies to ``scope``."""
        return {
            ThrottleScope.RESET_EMAIL: self.per_email,
            ThrottleScope.RESET_ACCOUNT: self.per_account,
            ThrottleScope.RESET_IP_ADDRESS: self.per_ip_address,
        }[scope]


def current_limit() -> ResetLimit:
    """The limits from ``settings.SAFECITY_PASSWORD_RESET_LIMIT`` (missing keys: defaults)."""
    configured = getattr(settings, "SAFECITY_PASSWORD_RESET_LIMIT", {})
    unknown = set(configured) - set(ResetLimit.__dataclass_fields__)
    if unknown:
        raise ValueError(f"SAFECITY_PASSWORD_RESET_LIMIT: unknown keys {sorted(unknown)}")
    return ResetLimit(**configured)


def email_key(email: str) -> str:
    """What an address is counted under: a keyed hash of it, case-folded (64 hex characters).

    Case-folding can lengthen an address (``ß`` becomes ``ss``), and the count need not keep
    the address itself, which is personal data.
    """
    return salted_hmac(RESET_KEY_SALT, email.casefold(), algorithm="sha256").hexdigest()


class ResetOutcome(enum.Enum):
    """What happened to a reset request (never shown to the requester)."""

    SENT = "sent"
    NO_ACCOUNT = "no account"
    RATE_LIMITED = "rate limited"


def _message(
    *, user: User, email: str, request: HttpRequest, token_generator: PasswordResetTokenGenerator
) -> EmailMultiAlternatives:
    site = get_current_site(request)
    context: dict[str, Any] = {
        "email": email,
        "domain": site.domain,
        "site_name": site.name,
        "uid": urlsafe_base64_encode(force_bytes(user._meta.pk.value_to_string(user))),
        "user": user,
        "token": token_generator.make_token(user),
        "protocol": "https" if request.is_secure() else "http",
    }
    subject = "".join(loader.render_to_string(SUBJECT_TEMPLATE, context).splitlines())
    body = loader.render_to_string(BODY_TEMPLATE, context)
    return EmailMultiAlternatives(subject, body, None, [email])


def request_reset(
    *,
    form: PasswordResetForm,
    request: HttpRequest,
    now: datetime,
    token_generator: PasswordResetTokenGenerator,
    limit: ResetLimit | None = None,
) -> ResetOutcome:
    """Count a valid reset request; queue the email if it is allowed and the account exists."""
    limit = limit or current_limit()
    email: str = form.cleaned_data["email"]
    users: list[User] = list(form.get_users(email))
    keys = [(ThrottleScope.RESET_EMAIL, email_key(email))]
    address = client_address(request)
    if address:
        keys.append((ThrottleScope.RESET_IP_ADDRESS, address))
    # Without an account the address stands in for one, so the same rows are locked, read and
    # written either way (the number of database queries does not tell either).
    account_keys = [str(user.pk) for user in users] or [f"no account {email_key(email)}"]
    keys.extend((ThrottleScope.RESET_ACCOUNT, key) for key in account_keys)
    with throttle.locked(keys):
        allowed = all(
            throttle.requests_within(scope=scope, key=key, now=now, window=limit.window)
            < limit.limit_for(scope)
            for scope, key in keys
        )
        if allowed:
            for scope, key in keys:
                throttle.record_request(scope=scope, key=key, now=now)
    recipients = users or [User(username=email, email=email)]
    messages = [
        _message(user=user, email=user.email, request=request, token_generator=token_generator)
        for user in recipients
    ]
    if not allowed:
        logger.warning("Password reset refused by the rate limit (client %s)", address)
        return ResetOutcome.RATE_LIMITED
    if not users:
        return ResetOutcome.NO_ACCOUNT
    for message in messages:
        outbox.send_in_background(message)
    return ResetOutcome.SENT
