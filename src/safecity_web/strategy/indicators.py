"""The latest published value of the indicators linked to an outcome.

Reads the observatory's read model: the area-level row (the assessed CSP itself) of the most
recently published assessment that has a value for the indicator. Drafts are never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import F

from safecity_web.observatory import visual
from safecity_web.observatory.models import (
    AssessmentStatus,
    Indicator,
    IndicatorValue,
    Polarity,
)
from safecity_web.strategy.models import Outcome


class ChangeLabel(StrEnum):
    """What the assessment's test said about the change since the baseline."""

    SIGNIFICANT_INCREASE = "Significant increase"
    SIGNIFICANT_DECREASE = "Significant decrease"
    NO_SIGNIFICANT_CHANGE = "No significant change"
    NOT_TESTED = "Not tested"


def change_label(*, significant: bool | None, change_pct: float | None) -> ChangeLabel:
    """Label a change from its test result ("significant" only when the test said so)."""
    if significant is None:
        return ChangeLabel.NOT_TESTED
    if not significant:
        return ChangeLabel.NO_SIGNIFICANT_CHANGE
    if change_pct is not None and change_pct < 0:
        return ChangeLabel.SIGNIFICANT_DECREASE
    return ChangeLabel.SIGNIFICANT_INCREASE


@dataclass(frozen=True)
class LinkedIndicator:
    """An outcome's indicator with its latest published value (None when there is none)."""

    indicator_id: str
    name: str
    polarity: str
    polarity_label: str
    value: IndicatorValue | None
    label: ChangeLabel | None

    @property
    def tag_class(self) -> str:
        """The change tag's class, as the observatory colours a change (the change chart's
        vermillion for an increase, blue for a decrease; the label's words say which)."""
        if self.label is ChangeLabel.SIGNIFICANT_INCREASE:
            return visual.change_class("increase")
        if self.label is ChangeLabel.SIGNIFICANT_DECREASE:
            return visual.change_class("decrease")
        if self.label is ChangeLabel.NO_SIGNIFICANT_CHANGE:
            return visual.change_class("not-significant")
        return visual.comparison_class(visual.NOT_COMPARED)

    @property
    def is_known(self) -> bool:
        """Whether the observatory has an indicator with this id."""
        return bool(self.name)


def latest_value(*, indicator_id: str) -> IndicatorValue | None:
    """The assessed area's row for the indicator in the latest published assessment."""
    return (
        IndicatorValue.objects.filter(
            indicator_id=indicator_id,
            assessment__status=AssessmentStatus.PUBLISHED,
            area_code=F("assessment__area_code"),
        )
        .select_related("assessment")
        .order_by("-assessment__published_at", "-assessment_id", "id")
        .first()
    )


def linked_indicators(*, outcome: Outcome) -> list[LinkedIndicator]:
    """Every indicator linked to ``outcome`` with its latest value and change label."""
    ids = list(outcome.indicator_links.values_list("indicator_id", flat=True))
    indicators = {
        item.indicator_id: item for item in Indicator.objects.filter(indicator_id__in=ids)
    }
    linked = []
    for indicator_id in ids:
        indicator = indicators.get(indicator_id)
        value = latest_value(indicator_id=indicator_id) if indicator is not None else None
        linked.append(
            LinkedIndicator(
                indicator_id=indicator_id,
                name=indicator.name if indicator is not None else "",
                polarity=indicator.polarity if indicator is not None else "",
                polarity_label=(
                    Polarity(indicator.polarity).label if indicator is not None else ""
                ),
                value=value,
                label=(
                    change_label(significant=value.change_significant, change_pct=value.change_pct)
                    if value is not None
                    else None
                ),
            )
        )
    return linked


def indicator_choices() -> list[tuple[str, str]]:
    """(indicator_id, name) of every indicator the observatory knows, for a select."""
    return [(item.indicator_id, item.name) for item in Indicator.objects.order_by("name")]
