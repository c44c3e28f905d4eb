"""The partner portal's home page: my organisation's actions and the plan's RAG counts."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import role_required
from safecity_web.strategy.access import PORTAL_ROLES, STATEMENT_ROLES
from safecity_web.strategy.bodies import unmatched_bodies
from safecity_web.strategy.importing import current_strategy
from safecity_web.strategy.queries import organisation_actions, rag_counts, strategy_actions

ACTIONS_PER_PAGE = 25


@role_required(*PORTAL_ROLES)
def portal_home(request: HttpRequest) -> HttpResponse:
    """Dashboard: the user's organisation's actions, RAG counts, links to the plan."""
    user: Any = request.user
    strategy = current_strategy()
    context: dict[str, Any] = {
        "strategy": strategy,
        "may_import": user.has_role(Role.ADMINISTRATOR, Role.ANALYST),
        "may_manage_bodies": user.has_role(Role.ADMINISTRATOR),
        "may_write_statement": user.has_role(*STATEMENT_ROLES),
    }
    if strategy is not None:
        all_actions = strategy_actions(strategy=strategy)
        context["plan_rag_counts"] = rag_counts(all_actions)
        context["action_count"] = all_actions.count()
        if user.organisation is not None:
            mine = organisation_actions(strategy=strategy, organisation=user.organisation)
            context["my_rag_counts"] = rag_counts(mine)
            context["my_actions_page"] = Paginator(mine, ACTIONS_PER_PAGE).get_page(
                request.GET.get("page")
            )
        if user.has_role(Role.ADMINISTRATOR):
            context["unmatched_count"] = len(unmatched_bodies(strategy=strategy))
    return render(request, "strategy/portal_home.html", context)
