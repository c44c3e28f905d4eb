"""Survey evidence of public concern by crime group, for priority scoring (``methods.md`` §8.2).

The evidence is the share of residents citing an issue in the latest survey wave the survey
family uses (:func:`safecity.assess.families.survey.choose_waves`, dated waves first): each
option of a multiple-choice measure marked ``public_concern: true`` in the codebook with
``crime_groups``, and the headline share of a single-choice measure with ``crime_groups``.
Only estimates for all respondents on an unweighted base at or above the minimum are used;
when several cite a crime group, the highest share is its evidence. Each share is compared
with the same share in the previous wave used (Newcombe on effective sample sizes, as the
family's comparisons), so the score can follow significance against the previous survey.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from safecity.assess.families.survey import (
    Relation,
    choose_waves,
    comparison_row_ids,
    estimate_row_ids,
    loaded_wave_rows,
)
from safecity.assess.periods import Period
from safecity.assess.survey_estimates import (
    ALL_GROUP,
    ALL_VARIABLE,
    MeasureKind,
    MeasureSpec,
    SurveyConfig,
    WaveData,
    compare_proportions,
    estimate_proportion,
    indicator,
    measure_categories,
    read_wave,
)
from safecity.data.warehouse import Warehouse

CONCERN_COLUMNS = (
    "group_id",
    "wave",
    "measure",
    "measure_label",
    "category",
    "value",
    "lower_ci",
    "upper_ci",
    "unweighted_base",
    "row_id",
    "previous_wave",
    "previous_value",
    "change_significant",
    "change_difference",
    "change_p_value",
    "change_row_id",
)
"""Columns of :attr:`ConcernEvidence.table` (one row per crime group with evidence)."""


@dataclass(frozen=True, slots=True)
class ConcernEvidence:
    """The latest wave used, the previous one (or None), and the evidence by crime group."""

    wave: str
    previous_wave: str | None
    table: pd.DataFrame


def _items(spec: MeasureSpec, categories: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    if spec.kind is MeasureKind.MULTIPLE:
        if not spec.public_concern:
            return []
        return [
            (option, spec.option_crime_groups.get(option, ()))
            for option in categories
            if spec.option_crime_groups.get(option)
        ]
    if spec.crime_groups and spec.headline is not None and spec.headline in categories:
        return [(spec.headline, spec.crime_groups)]
    return []


def _evidence_rows(
    latest: WaveData, previous: WaveData | None, *, config: SurveyConfig
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for spec in latest.measures.values():
        for category, groups in _items(spec, measure_categories(latest, spec=spec)):
            frame = indicator(latest, spec=spec, category=category)
            if len(frame) < config.minimum_unweighted_base:
                continue
            estimate = estimate_proportion(frame, groups=None, config=config, data=latest).iloc[0]
            change: dict[str, object] = {
                "previous_wave": None,
                "previous_value": float("nan"),
                "change_significant": None,
                "change_difference": float("nan"),
                "change_p_value": float("nan"),
            }
            if previous is not None and spec.measure in previous.measures:
                before = indicator(
                    previous, spec=previous.measures[spec.measure], category=category
                )
                if len(before) >= config.minimum_unweighted_base:
                    found = compare_proportions(
                        before=before, after=frame, config=config, waves=(previous, latest)
                    )
                    change = {
                        "previous_wave": previous.wave,
                        "previous_value": found.from_value,
                        "change_significant": found.significant,
                        "change_difference": found.difference,
                        "change_p_value": found.p_value,
                    }
            for group in groups:
                rows.append(
                    {
                        "group_id": group,
                        "wave": latest.wave,
                        "measure": spec.measure,
                        "measure_label": spec.label,
                        "category": category,
                        "value": float(estimate["value"]),
                        "lower_ci": float(estimate["lower_ci"]),
                        "upper_ci": float(estimate["upper_ci"]),
                        "unweighted_base": int(estimate["unweighted_base"]),
                        **change,
                    }
                )
    return rows


def public_concern_evidence(
    warehouse: Warehouse, *, period: Period, area_code: str, config: SurveyConfig
) -> ConcernEvidence | None:
    """The survey's evidence of public concern by crime group, or None without a wave used."""
    loaded = loaded_wave_rows(warehouse)
    if loaded.empty:
        return None
    used = choose_waves(loaded, period=period, area_code=area_code).used
    if used.empty:
        return None
    dated = used[used["relation"] != Relation.WITHOUT_DATE]
    ordered = (dated if not dated.empty else used)["wave"].astype(str).tolist()
    latest = read_wave(warehouse, wave=ordered[-1])
    previous = read_wave(warehouse, wave=ordered[-2]) if len(ordered) >= 2 else None
    rows = _evidence_rows(latest, previous, config=config)
    computed = [column for column in CONCERN_COLUMNS if column not in ("row_id", "change_row_id")]
    table = pd.DataFrame(rows, columns=computed)
    if not table.empty:
        table = (
            table.sort_values("value", ascending=False, kind="stable")
            .drop_duplicates("group_id")
            .reset_index(drop=True)
        )
        ids = table.assign(group_variable=ALL_VARIABLE, group=ALL_GROUP)
        table["row_id"] = estimate_row_ids(ids).to_numpy()
        changes = ids.assign(
            comparison="between waves", from_label=ids["previous_wave"], to_label=ids["wave"]
        )
        table["change_row_id"] = (
            comparison_row_ids(changes).where(table["previous_wave"].notna(), "").to_numpy()
        )
    else:
        table["row_id"] = pd.Series(dtype=str)
        table["change_row_id"] = pd.Series(dtype=str)
    return ConcernEvidence(
        wave=latest.wave,
        previous_wave=None if previous is None else previous.wave,
        table=table[list(CONCERN_COLUMNS)],
    )


__all__ = ["CONCERN_COLUMNS", "ConcernEvidence", "public_concern_evidence"]
