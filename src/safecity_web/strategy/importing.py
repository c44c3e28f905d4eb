"""Importing a checked strategy file into the database, atomically and idempotently."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, User
from safecity_web.strategy.bodies import UnmatchedBody, normalise_body_name, organisation_directory
from safecity_web.strategy.bodies import unmatched_bodies as unmatched_bodies_of
from safecity_web.strategy.models import (
    Action,
    ActionResponsibility,
    FocusArea,
    Outcome,
    OutcomeIndicator,
    Priority,
    Strategy,
)
from safecity_web.strategy.strategy_file import StrategyFile, parse_strategy


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the strategy, whether it was new, and bodies left unmatched."""

    strategy: Strategy
    created: bool
    unmatched_bodies: list[UnmatchedBody]


def _store(*, parsed: StrategyFile, source_name: str, user: User | None) -> Strategy:
    """Write the strategy level by level, one bulk insert per table."""
    directory = organisation_directory()
    strategy = Strategy.objects.create(
        name=parsed.name,
        partnership=parsed.partnership,
        period_start_year=parsed.period_start_year,
        period_end_year=parsed.period_end_year,
        source_file_name=source_name[:300],
        source_sha256=parsed.source_sha256,
        imported_by=user,
    )
    priorities = Priority.objects.bulk_create(
        Priority(
            strategy=strategy,
            code=entry.code,
            number=entry.number,
            title=entry.title,
            focus_statements=list(entry.focus_statements),
            position=position,
        )
        for position, entry in enumerate(parsed.priorities)
    )
    area_pairs = [
        (
            area_entry,
            FocusArea(
                priority=priority,
                code=area_entry.code,
                title=area_entry.title,
                responsible_names=list(area_entry.responsible),
                notes=list(area_entry.notes),
                position=position,
            ),
        )
        for priority, priority_entry in zip(priorities, parsed.priorities, strict=True)
        for position, area_entry in enumerate(priority_entry.focus_areas)
    ]
    FocusArea.objects.bulk_create(area for _, area in area_pairs)
    outcome_pairs = [
        (
            outcome_entry,
            Outcome(
                focus_area=area,
                code=outcome_entry.code,
                number=outcome_entry.number,
                text=outcome_entry.text,
                position=position,
            ),
        )
        for area_entry, area in area_pairs
        for position, outcome_entry in enumerate(area_entry.outcomes)
    ]
    Outcome.objects.bulk_create(outcome for _, outcome in outcome_pairs)
    OutcomeIndicator.objects.bulk_create(
        OutcomeIndicator(outcome=outcome, indicator_id=indicator_id)
        for outcome_entry, outcome in outcome_pairs
        for indicator_id in dict.fromkeys(outcome_entry.indicator_ids)
    )
    action_pairs = [
        (
            action_entry,
            Action(
                focus_area=area,
                code=action_entry.code,
                text=action_entry.text,
                due_date=action_entry.due_date,
                timescale=action_entry.timescale,
                position=position,
            ),
        )
        for area_entry, area in area_pairs
        for position, action_entry in enumerate(area_entry.actions)
    ]
    Action.objects.bulk_create(action for _, action in action_pairs)
    ActionResponsibility.objects.bulk_create(
        ActionResponsibility(
            action=action,
            body_name=name,
            organisation=directory.get(normalise_body_name(name)),
            position=position,
        )
        for action_entry, action in action_pairs
        for position, name in enumerate(dict.fromkeys(action_entry.responsible))
    )
    return strategy


def _already_imported(strategy: Strategy) -> ImportResult:
    return ImportResult(
        strategy=strategy, created=False, unmatched_bodies=unmatched_bodies_of(strategy=strategy)
    )


def import_strategy(
    *,
    content: bytes,
    source_name: str,
    request: HttpRequest | None = None,
    user: User | None = None,
) -> ImportResult:
    """Check and import a strategy file; the same bytes imported again change nothing.

    The whole file goes in one transaction: an error leaves the database unchanged.

    Raises
    ------
    safecity_web.strategy.strategy_file.StrategyFileError
        When the file is not valid (the message names the YAML path).
    """
    parsed = parse_strategy(content=content)
    acting = user
    if acting is None and request is not None and request.user.is_authenticated:
        acting = request.user  # type: ignore[assignment]
    existing = Strategy.objects.filter(source_sha256=parsed.source_sha256).first()
    if existing is not None:
        return _already_imported(existing)
    try:
        with transaction.atomic():
            strategy = _store(parsed=parsed, source_name=source_name, user=acting)
            record_event(
                request=request,
                user=acting,
                username="" if acting is not None else "command line",
                action=AuditAction.CREATED,
                subject=strategy,
                detail=(
                    f"imported strategy {strategy.name!r} from {source_name} "
                    f"(sha256 {parsed.source_sha256}): {len(parsed.priorities)} priorities, "
                    f"{len(parsed.focus_areas)} focus areas, {len(parsed.outcomes)} outcomes, "
                    f"{len(parsed.actions)} actions"
                ),
            )
    except IntegrityError:
        # The same file imported at the same moment by someone else: theirs stands.
        concurrent = Strategy.objects.filter(source_sha256=parsed.source_sha256).first()
        if concurrent is None:
            raise
        return _already_imported(concurrent)
    return ImportResult(
        strategy=strategy, created=True, unmatched_bodies=unmatched_bodies_of(strategy=strategy)
    )


def current_strategy() -> Strategy | None:
    """The most recently imported strategy, or None."""
    return Strategy.objects.order_by("-imported_at", "-id").first()
