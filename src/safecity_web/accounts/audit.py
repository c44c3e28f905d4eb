"""Writing the audit log: sign-ins, permission denials, publishing and edits."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from safecity_web.accounts.models import AuditAction, AuditEvent, User


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, for the audit log and per-address lockout.

    ``REMOTE_ADDR`` unless ``settings.SAFECITY_TRUSTED_PROXIES`` (default 0) says how many
    reverse proxies in front of the site append to ``X-Forwarded-For``: then the address the
    outermost trusted proxy saw, counted from the right (addresses further left can be forged
    by the client). A malformed or too-short header falls back to ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "SAFECITY_TRUSTED_PROXIES", 0))
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies > 0 and len(forwarded) >= proxies:
        candidate = forwarded[-proxies]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return str(remote) if remote else None
    return str(remote) if remote else None


def record_event(
    *,
    request: HttpRequest | None,
    action: AuditAction,
    subject: models.Model | None = None,
    detail: str = "",
    user: User | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``user`` defaults to the request's signed-in user; ``subject`` is the object acted on.
    """
    acting: Any = user
    if acting is None and request is not None and request.user.is_authenticated:
        acting = request.user
    return AuditEvent.objects.create(
        action=action,
        user=acting,
        username=username or (acting.get_username() if acting is not None else ""),
        organisation=getattr(acting, "organisation", None),
        object_type=subject._meta.label if subject is not None else "",
        object_id=str(subject.pk) if subject is not None else "",
        detail=detail,
        path=request.get_full_path()[:500] if request is not None else "",
        ip_address=client_address(request) if request is not None else None,
    )
