"""Differences between survey waves and between subgroups of a wave (issue 12, ``methods.md`` §10).

Between waves (independent samples): each measure's headline share (every option of a
multiple-choice measure) in the later wave minus the earlier, for all respondents and for
each group present in both waves. Between groups of one wave: for a characteristic with two
known groups, the second minus the first; with more, each group minus the other respondents
whose group is known (independent samples, never a group against a total it is part of).
``Not known`` is never compared. Between waves, and between groups of a wave without strata or
clusters, a difference is Newcombe's on effective sample sizes
(:func:`safecity.assess.survey_estimates.compare_proportion_pairs`; a designed wave's effective
sizes from its Taylor design effect); between groups of a wave with strata or clusters, the
design-based t test on the whole wave's design
(:func:`safecity.assess.survey_estimates.compare_groups_in_design`). ``test`` names which; a
difference is ``significant`` when that test says so. A comparison with a side under the
minimum base is ``suppressed`` and ``not compared``: its numbers are kept for partners, never
stated.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import pandas as pd

from safecity.assess.survey_estimates import (
    ALL_GROUP,
    ALL_VARIABLE,
    NOT_KNOWN,
    MeasureSpec,
    SurveyConfig,
    WaveData,
    compare_groups_in_design,
    compare_proportion_pairs,
    group_labels,
    group_order,
    indicator,
    measure_categories,
)

COMPARISON_COLUMNS = (
    "comparison",
    "measure",
    "measure_label",
    "category",
    "group_variable",
    "group",
    "from_label",
    "to_label",
    "from_value",
    "to_value",
    "difference",
    "lower_ci",
    "upper_ci",
    "p_value",
    "test",
    "significant",
    "direction",
    "suppressed",
)
"""The columns of the ``survey_comparisons`` table."""

OTHER_RESPONDENTS = "Other respondents"
"""``from_label`` of a group compared with the rest of the respondents whose group is known."""


class ComparisonKind(StrEnum):
    """What a comparison compares."""

    BETWEEN_WAVES = "between waves"
    BETWEEN_GROUPS = "between groups"


class Direction(StrEnum):
    """The verdict of a comparison (``to`` against ``from``)."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NO_SIGNIFICANT_CHANGE = "no significant change"
    NOT_COMPARED = "not compared"


Job = tuple[dict[str, object], pd.DataFrame, pd.DataFrame]
"""A comparison to make: its identity columns, the ``from`` sample and the ``to`` sample."""


def _run(
    jobs: list[Job],
    *,
    config: SurveyConfig,
    waves: tuple[WaveData | None, WaveData | None] = (None, None),
    within: WaveData | None = None,
) -> list[dict[str, object]]:
    """The rows of the comparisons ``jobs`` (those with both sides answered), made at once:
    between ``waves`` (independent samples), or between groups ``within`` one wave (by the
    design when it has strata or clusters, else as independent samples)."""
    ready = [
        (identity, before, after) for identity, before, after in jobs if len(before) and len(after)
    ]
    if within is not None and within.designed:
        found = [
            compare_groups_in_design(within, before=before, after=after, config=config)
            for _, before, after in ready
        ]
    else:
        found = compare_proportion_pairs(
            [(before, after) for _, before, after in ready], config=config, waves=waves
        )
    rows = []
    for (identity, before, after), difference in zip(ready, found, strict=True):
        suppressed = min(len(before), len(after)) < config.minimum_unweighted_base
        if suppressed:
            direction = Direction.NOT_COMPARED
        elif not difference.significant:
            direction = Direction.NO_SIGNIFICANT_CHANGE
        else:
            direction = Direction.INCREASE if difference.difference > 0 else Direction.DECREASE
        rows.append(
            {
                **identity,
                "from_value": difference.from_value,
                "to_value": difference.to_value,
                "difference": difference.difference,
                "lower_ci": difference.lower_ci,
                "upper_ci": difference.upper_ci,
                "p_value": difference.p_value,
                "test": difference.test,
                "significant": difference.significant and not suppressed,
                "direction": direction.value,
                "suppressed": suppressed,
            }
        )
    return rows


def _table(rows: list[dict[str, object]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in COMPARISON_COLUMNS})
    return pd.DataFrame(rows)[list(COMPARISON_COLUMNS)]


def _identity(
    kind: ComparisonKind, spec: MeasureSpec, category: str, variable: str, group: str
) -> dict[str, object]:
    return {
        "comparison": kind.value,
        "measure": spec.measure,
        "measure_label": spec.label,
        "category": category,
        "group_variable": variable,
        "group": group,
    }


def compare_waves(
    *,
    earlier: WaveData,
    later: WaveData,
    by: Sequence[str] = (),
    config: SurveyConfig,
) -> pd.DataFrame:
    """Each measure's headline share (options of multiple choice) from ``earlier`` to
    ``later``: all respondents, and each known group of each characteristic in ``by`` present
    in both waves (``from_label``/``to_label`` are the wave labels)."""
    rows: list[dict[str, object]] = []
    for measure, spec in later.measures.items():
        if measure not in earlier.measures:
            continue
        earlier_spec = earlier.measures[measure]
        before_categories = set(measure_categories(earlier, spec=earlier_spec))
        common = [
            category
            for category in measure_categories(later, spec=spec)
            if category in before_categories
        ]
        for category in spec.comparison_categories(common):
            before = indicator(earlier, spec=earlier_spec, category=category)
            after = indicator(later, spec=spec, category=category)
            labels = {"from_label": earlier.wave, "to_label": later.wave}
            identity = _identity(
                ComparisonKind.BETWEEN_WAVES, spec, category, ALL_VARIABLE, ALL_GROUP
            )
            jobs: list[Job] = [({**identity, **labels}, before, after)]
            for variable in by:
                before_groups = group_labels(earlier, variable=variable, frame=before)
                after_groups = group_labels(later, variable=variable, frame=after)
                shared = set(before_groups) & set(after_groups) - {NOT_KNOWN}
                for group in group_order(later, variable=variable, groups=sorted(shared)):
                    identity = _identity(
                        ComparisonKind.BETWEEN_WAVES, spec, category, variable, group
                    )
                    jobs.append(
                        (
                            {**identity, **labels},
                            before[before_groups == group],
                            after[after_groups == group],
                        )
                    )
            rows.extend(_run(jobs, config=config, waves=(earlier, later)))
    return _table(rows)


def compare_groups(*, data: WaveData, by: Sequence[str], config: SurveyConfig) -> pd.DataFrame:
    """Within one wave, each measure's headline share (options of multiple choice) between
    the known groups of each characteristic in ``by``: the second of two groups minus the
    first, or each of three or more minus the other respondents whose group is known."""
    rows: list[dict[str, object]] = []
    for spec in data.measures.values():
        categories = spec.comparison_categories(measure_categories(data, spec=spec))
        for category in categories:
            frame = indicator(data, spec=spec, category=category)
            if frame.empty:
                continue
            jobs: list[Job] = []
            for variable in by:
                labels = group_labels(data, variable=variable, frame=frame)
                known = group_order(
                    data, variable=variable, groups=sorted(set(labels) - {NOT_KNOWN})
                )
                if len(known) < 2:
                    continue
                if len(known) == 2:
                    pairs = [(known[0], known[1], frame[labels == known[0]])]
                else:
                    pairs = [
                        (OTHER_RESPONDENTS, group, frame[(labels != group) & (labels != NOT_KNOWN)])
                        for group in known
                    ]
                for from_label, group, before in pairs:
                    identity = _identity(
                        ComparisonKind.BETWEEN_GROUPS, spec, category, variable, group
                    )
                    jobs.append(
                        (
                            {**identity, "from_label": from_label, "to_label": group},
                            before,
                            frame[labels == group],
                        )
                    )
            rows.extend(_run(jobs, config=config, within=data))
    return _table(rows)


__all__ = [
    "COMPARISON_COLUMNS",
    "OTHER_RESPONDENTS",
    "ComparisonKind",
    "Direction",
    "compare_groups",
    "compare_waves",
]
