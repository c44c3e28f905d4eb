"""Role and organisation checks for partner-portal views; every denial is audit-logged."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, Organisation, Role

View = TypeVar("View", bound=Callable[..., HttpResponse])


def deny(request: HttpRequest, *, reason: str) -> PermissionDenied:
    """Audit-log a permission denial and return the exception to raise (HTTP 403)."""
    record_event(request=request, action=AuditAction.PERMISSION_DENIED, detail=reason)
    return PermissionDenied(reason)


def role_required(*roles: Role) -> Callable[[View], View]:
    """Decorate a view: sign-in required, and the user must hold one of ``roles``.

    Anonymous users are sent to the sign-in page; signed-in users without the role get 403
    and an audit-log entry.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(*roles):  # type: ignore[union-attr]
                names = ", ".join(role.label for role in roles)
                raise deny(request, reason=f"{request.path}: needs the role {names}")
            return view(request, *args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def require_same_organisation(request: HttpRequest, *, organisation: Organisation | None) -> None:
    """Raise 403 (audit-logged) unless the user is in ``organisation`` or an administrator."""
    user: Any = request.user
    if user.has_role(Role.ADMINISTRATOR):
        return
    if organisation is None or user.organisation_id != organisation.pk:
        raise deny(
            request,
            reason=f"{request.path}: the object belongs to another organisation",
        )
