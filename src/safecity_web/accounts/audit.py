"""Writing the audit log: sign-ins, permission denials, publishing and edits."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from safecity_web.accounts.models import AuditAction, AuditEvent, User


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as the server saw it (``REMOTE_ADDR``)."""
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


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
