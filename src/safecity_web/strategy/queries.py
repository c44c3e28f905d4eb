"""Read queries of the action plan: latest updates, RAG counts, an organisation's actions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from safecity_web.accounts.models import Organisation
from safecity_web.strategy.models import Action, ProgressUpdate, RagRating, Strategy


def _latest(field: str) -> Subquery:
    return Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk"))
        .order_by("-update_date", "-created_at", "-id")
        .values(field)[:1]
    )


def actions_with_latest(queryset: QuerySet[Action]) -> QuerySet[Action]:
    """Annotate actions with their latest update's status, RAG, percent and date."""
    return queryset.annotate(
        latest_status=_latest("status"),
        latest_rag=_latest("rag"),
        latest_percent=_latest("percent_complete"),
        latest_date=_latest("update_date"),
    )


def strategy_actions(*, strategy: Strategy) -> QuerySet[Action]:
    """Every action of the strategy in plan order, with its latest update."""
    return actions_with_latest(
        Action.objects.filter(focus_area__priority__strategy=strategy)
        .select_related("focus_area__priority")
        .order_by("focus_area__priority__position", "focus_area__position", "position")
    )


def organisation_actions(*, strategy: Strategy, organisation: Organisation) -> QuerySet[Action]:
    """The strategy's actions an organisation is responsible for, with their latest update."""
    return (
        strategy_actions(strategy=strategy)
        .filter(responsibilities__organisation=organisation)
        .distinct()
    )


@dataclass(frozen=True)
class RagCount:
    """How many actions have a given latest RAG rating (None: no update yet)."""

    rag: RagRating | None
    label: str
    count: int


def rag_counts(actions: QuerySet[Action]) -> list[RagCount]:
    """Counts of actions by their latest RAG rating, red first, then 'no update yet'."""
    counts = Counter(actions.values_list("latest_rag", flat=True))
    rows = [RagCount(rag=rag, label=rag.label, count=counts.get(rag.value, 0)) for rag in RagRating]
    rows.append(RagCount(rag=None, label="No update yet", count=counts.get(None, 0)))
    return rows
