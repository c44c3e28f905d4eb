"""Showing the analyst's recommendations, commentary and context notes on observatory pages.

``{% load commentary_tags %}``, then:

* ``{% recommendations_panel assessment %}``: the recommendations the analyst decided on;
* ``{% section_commentary assessment %}``: commentary on the sections, with who and when;
* ``{% indicator_commentary assessment indicator_id %}``: commentary on one indicator;
* ``{% context_notes assessment as notes %}`` once, then ``{% context_note notes code %}``
  beside an area's rate (nothing when the area has no note).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from safecity_web import core_gateway
from safecity_web.commentary.models import Commentary, Decision, RecommendationDecision, Target
from safecity_web.commentary.services import (
    SECTION_TITLES,
    Snapshot,
    attribution,
    drafts,
    snapshot,
)
from safecity_web.observatory.models import PublishedAssessment

register = template.Library()


def _entry(item: Commentary, *, label: str) -> dict[str, Any]:
    return {
        "label": label,
        # Rendered from Markdown with raw HTML off, then cleaned by nh3 (an allow-list).
        "html": mark_safe(core_gateway.render_commentary(item.text)),
        "plain": " ".join(item.text.split()),
        "attribution": attribution(item),
        "key": item.key,
    }


@register.inclusion_tag("commentary/includes/recommendations.html")
def recommendations_panel(assessment: PublishedAssessment) -> dict[str, Any]:
    """The recommendations the analyst accepted, edited or rejected (undecided ones are not
    public)."""
    if not RecommendationDecision.objects.filter(assessment=assessment).exists():
        return {"items": [], "accepted": [], "rejected": []}
    decided = [item for item in drafts(assessment).items if item.decision is not None]
    return {
        "items": decided,
        "accepted": [
            item
            for item in decided
            if item.decision and item.decision.decision != Decision.REJECTED
        ],
        "rejected": [
            item
            for item in decided
            if item.decision and item.decision.decision == Decision.REJECTED
        ],
    }


def _entries(context: Any, assessment: PublishedAssessment, target: Target) -> list[Commentary]:
    """The commentary of the assessment on ``target``: from the page's snapshot (no query)."""
    found = context.get("commentary_stamp")
    # The context processor's lazy Snapshot passes isinstance (a LazyObject proxies __class__).
    current = found if isinstance(found, Snapshot) else snapshot()
    return current.entries(assessment.pk, target)


@register.inclusion_tag("commentary/includes/commentary.html", takes_context=True)
def section_commentary(context: Any, assessment: PublishedAssessment) -> dict[str, Any]:
    """Commentary on the assessment's sections, in section order of the report."""
    order = list(SECTION_TITLES)
    items = sorted(
        _entries(context, assessment, Target.SECTION),
        key=lambda item: (order.index(item.key) if item.key in order else len(order), item.key),
    )
    return {
        "entries": [
            _entry(item, label=f"Analyst's commentary: {SECTION_TITLES.get(item.key, item.key)}")
            for item in items
        ]
    }


@register.inclusion_tag("commentary/includes/commentary.html", takes_context=True)
def indicator_commentary(
    context: Any, assessment: PublishedAssessment, indicator_id: str
) -> dict[str, Any]:
    """Commentary on one indicator."""
    items = [
        item for item in _entries(context, assessment, Target.INDICATOR) if item.key == indicator_id
    ]
    return {"entries": [_entry(item, label="Analyst's commentary") for item in items]}


@register.simple_tag(takes_context=True)
def context_notes(context: Any, assessment: PublishedAssessment) -> dict[str, dict[str, Any]]:
    """The assessment's context notes by GSS code."""
    return {
        item.key: _entry(item, label="Context")
        for item in _entries(context, assessment, Target.AREA)
    }


@register.inclusion_tag("commentary/includes/context_note.html")
def context_note(
    notes: dict[str, dict[str, Any]], area_code: str, block: bool = False
) -> dict[str, Any]:
    """The context note of ``area_code``, if it has one (``block``: as its own paragraph)."""
    return {"note": notes.get(area_code) if isinstance(notes, dict) else None, "block": block}
