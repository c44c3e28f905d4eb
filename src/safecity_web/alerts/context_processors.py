"""Template context: how many unread alerts the signed-in partner user has (for the header).

Adds ``alerts_unread`` (counted only when a template shows it) for users of the partnership's
own roles; other visitors get nothing, and the header shows no Alerts link.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from safecity_web.accounts.models import PARTNER_ROLES
from safecity_web.alerts.services import unread_count


def unread_alerts(request: HttpRequest) -> dict[str, Any]:
    """``{"alerts_unread": <lazy count>}`` for a signed-in partner user, else ``{}``."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_role(*PARTNER_ROLES):
        return {}
    return {"alerts_unread": SimpleLazyObject(lambda: unread_count(user=user))}
