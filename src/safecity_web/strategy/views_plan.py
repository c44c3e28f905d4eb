"""The action plan: strategy overview, priority, focus area, outcome and action pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction
from safecity_web.accounts.permissions import role_required
from safecity_web.strategy.access import (
    INDICATOR_LINK_ROLES,
    PORTAL_ROLES,
    may_update_action,
    require_may_update_action,
)
from safecity_web.strategy.forms import OutcomeIndicatorForm, ProgressUpdateForm
from safecity_web.strategy.importing import current_strategy
from safecity_web.strategy.indicators import indicator_choices, linked_indicators
from safecity_web.strategy.models import (
    Action,
    FocusArea,
    Outcome,
    OutcomeIndicator,
    Priority,
    Strategy,
)
from safecity_web.strategy.queries import actions_with_latest, rag_counts, strategy_actions


def _strategy_or_404(strategy_id: int | None = None) -> Strategy:
    strategy = get_object_or_404(Strategy, pk=strategy_id) if strategy_id else current_strategy()
    if strategy is None:
        raise Http404("No strategy has been imported yet")
    return strategy


@role_required(*PORTAL_ROLES)
def strategy_overview(request: HttpRequest) -> HttpResponse:
    """The current strategy: its priorities and focus areas with RAG counts."""
    strategy = current_strategy()
    if strategy is None:
        return render(request, "strategy/no_strategy.html", status=404)
    priorities = []
    for priority in strategy.priorities.prefetch_related("focus_areas"):
        actions = strategy_actions(strategy=strategy).filter(focus_area__priority=priority)
        priorities.append({"priority": priority, "rag_counts": rag_counts(actions)})
    return render(
        request,
        "strategy/strategy_overview.html",
        {
            "strategy": strategy,
            "priorities": priorities,
            "rag_counts": rag_counts(strategy_actions(strategy=strategy)),
        },
    )


@role_required(*PORTAL_ROLES)
def priority_detail(request: HttpRequest, priority_id: int) -> HttpResponse:
    """A priority: its focus statements and focus areas."""
    priority = get_object_or_404(Priority.objects.select_related("strategy"), pk=priority_id)
    areas = []
    for area in priority.focus_areas.all():
        actions = actions_with_latest(area.actions.all())
        areas.append({"area": area, "rag_counts": rag_counts(actions)})
    return render(request, "strategy/priority_detail.html", {"priority": priority, "areas": areas})


@role_required(*PORTAL_ROLES)
def focus_area_detail(request: HttpRequest, focus_area_id: int) -> HttpResponse:
    """A focus area: responsible bodies, outcomes and actions with their latest update."""
    area = get_object_or_404(
        FocusArea.objects.select_related("priority__strategy"), pk=focus_area_id
    )
    actions = actions_with_latest(area.actions.prefetch_related("responsibilities__organisation"))
    return render(
        request,
        "strategy/focus_area_detail.html",
        {"area": area, "outcomes": area.outcomes.all(), "actions": actions},
    )


@role_required(*PORTAL_ROLES)
@require_http_methods(["GET"])
def outcome_detail(request: HttpRequest, outcome_id: int) -> HttpResponse:
    """An outcome with its indicators' latest published values and significance."""
    outcome = get_object_or_404(
        Outcome.objects.select_related("focus_area__priority__strategy"), pk=outcome_id
    )
    user: Any = request.user
    context: dict[str, Any] = {
        "outcome": outcome,
        "area": outcome.focus_area,
        "indicators": linked_indicators(outcome=outcome),
        "may_link": user.has_role(*INDICATOR_LINK_ROLES),
    }
    if context["may_link"]:
        context["form"] = OutcomeIndicatorForm(choices=_unlinked_choices(outcome))
    return render(request, "strategy/outcome_detail.html", context)


def _unlinked_choices(outcome: Outcome) -> list[tuple[str, str]]:
    linked = set(outcome.indicator_links.values_list("indicator_id", flat=True))
    return [("", "Choose an indicator")] + [
        choice for choice in indicator_choices() if choice[0] not in linked
    ]


@role_required(*INDICATOR_LINK_ROLES)
@require_POST
def outcome_link_indicator(request: HttpRequest, outcome_id: int) -> HttpResponse:
    """Link an observatory indicator to an outcome (analysts, administrators)."""
    outcome = get_object_or_404(
        Outcome.objects.select_related("focus_area__priority__strategy"), pk=outcome_id
    )
    form = OutcomeIndicatorForm(request.POST, choices=_unlinked_choices(outcome))
    if not form.is_valid():
        return render(
            request,
            "strategy/outcome_detail.html",
            {
                "outcome": outcome,
                "area": outcome.focus_area,
                "indicators": linked_indicators(outcome=outcome),
                "may_link": True,
                "form": form,
            },
            status=400,
        )
    with transaction.atomic():
        link = OutcomeIndicator.objects.create(
            outcome=outcome, indicator_id=form.cleaned_data["indicator_id"]
        )
        record_event(
            request=request,
            action=AuditAction.CREATED,
            subject=link,
            detail=f"linked indicator {link.indicator_id} to outcome {outcome.code}",
        )
    messages.success(request, "Indicator linked to the outcome")
    return redirect("strategy:outcome", outcome_id=outcome.pk)


def _action_context(request: HttpRequest, action: Action) -> dict[str, Any]:
    return {
        "action": action,
        "area": action.focus_area,
        "responsibilities": action.responsibilities.select_related("organisation"),
        "updates": action.progress_updates.select_related("author__organisation"),
        "latest": action.latest_update(),
        "may_update": may_update_action(user=request.user, action=action),
    }


@role_required(*PORTAL_ROLES)
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    """An action, its history of updates and (for those allowed) the add-update form."""
    action = get_object_or_404(
        Action.objects.select_related("focus_area__priority__strategy"), pk=action_id
    )
    context = _action_context(request, action)
    if request.method == "POST":
        require_may_update_action(request, action=action)
        form = ProgressUpdateForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                update = form.save(commit=False)
                update.action = action
                update.author = request.user
                update.update_date = form.cleaned_data["update_date"]
                update.save()
                record_event(
                    request=request,
                    action=AuditAction.CREATED,
                    subject=update,
                    detail=(
                        f"progress update on action {action.code}: "
                        f"{update.get_status_display()}, {update.get_rag_display()}, "
                        f"{update.percent_complete}%"
                    ),
                )
            messages.success(request, "Progress update added")
            return redirect("strategy:action", action_id=action.pk)
        context["form"] = form
        return render(request, "strategy/action_detail.html", context, status=400)
    if context["may_update"]:
        context["form"] = ProgressUpdateForm()
    return render(request, "strategy/action_detail.html", context)
