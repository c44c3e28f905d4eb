"""Who may do what in the action plan.

Every portal role may read the strategy and action plan. Analysts and administrators may add
progress updates to any action; partner officers only to actions their organisation is
responsible for; board members read only. Importing strategies and linking bodies to
organisations is for administrators (importing also for analysts); statements for analysts and
administrators.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import deny
from safecity_web.strategy.models import Action

PORTAL_ROLES = (Role.ADMINISTRATOR, Role.ANALYST, Role.BOARD_MEMBER, Role.PARTNER_OFFICER)
IMPORT_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)
BODY_ROLES = (Role.ADMINISTRATOR,)
STATEMENT_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)
INDICATOR_LINK_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)


def is_responsible(*, user: Any, action: Action) -> bool:
    """Whether the user's organisation is one of the action's responsible organisations."""
    if user.organisation_id is None:
        return False
    return action.responsibilities.filter(organisation_id=user.organisation_id).exists()


def may_update_action(*, user: Any, action: Action) -> bool:
    """Whether the user may add a progress update to the action."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMINISTRATOR, Role.ANALYST):
        return True
    if user.has_role(Role.PARTNER_OFFICER):
        return is_responsible(user=user, action=action)
    return False


def require_may_update_action(request: HttpRequest, *, action: Action) -> None:
    """Raise 403 (audit-logged) unless the user may add a progress update to the action."""
    user: Any = request.user
    if may_update_action(user=user, action=action):
        return
    if user.has_role(Role.PARTNER_OFFICER):
        raise deny(
            request,
            reason=f"{request.path}: action {action.code} is not the responsibility of "
            "the user's organisation",
        )
    raise deny(request, reason=f"{request.path}: the user's role may not update actions")
