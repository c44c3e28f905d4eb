"""The survey family: what residents told us, from the survey waves in or next to the period.

Waves used (``choose_waves``): every loaded wave whose fieldwork overlaps the assessment period
(``in period``), the nearest wave whose fieldwork ended before the period began (``before
period``: the latest such) and the nearest whose fieldwork began after it ended (``after
period``: the earliest such). A wave without fieldwork dates whose label is a year (``2021``)
is taken to run through that calendar year, and the reason says so; any other undated wave is
used ``without a date``, and the findings say it could not be placed. A wave of another
surveyed area (``survey_wave.area_code`` set and not the assessed area) is not used; a wave
with no area (a national survey) is used and the reason says it is national. The manifest
lists every wave loaded, used or not, with why.

Tables: ``survey_waves`` (the waves used), ``survey_estimates`` (every measure of every wave
used, for all respondents and by every characteristic the wave has; see
:mod:`safecity.assess.survey_estimates`) and ``survey_comparisons`` (between the latest two
dated waves used, each measure's headline share and every option of a multiple-choice measure,
overall and by group; and between the groups of each characteristic within the latest wave;
see :mod:`safecity.assess.survey_comparisons`). Each row has a ``row_id`` that findings cite.

Public copies (surveys are a protected source, ``methods.md`` §0.2a): no respondent-level
row; an estimate on an unweighted base under the minimum (``config/survey.yaml``) has its
value, interval, weighted base, design effect, effective sample size and rank removed; when
one group of a characteristic is suppressed the next smallest is too (secondary suppression,
``methods.md`` §0.2: otherwise the overall share and the other groups' shares and bases would
give it back by subtraction); a comparison is published only when every estimate it rests on is
published (between groups: every group of the characteristic), else its numbers are removed
and it reads ``not compared``. Findings are published by the engine only when every row they
cite is public and not suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from safecity.assess import wording
from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.assess.survey_comparisons import (
    OTHER_RESPONDENTS,
    ComparisonKind,
    Direction,
    compare_groups,
    compare_waves,
)
from safecity.assess.survey_estimates import (
    ALL_VARIABLE,
    MeasureKind,
    MeasureSpec,
    SurveyConfig,
    WaveData,
    estimate_table,
    load_survey_config,
    read_wave,
)
from safecity.assess.wording import MethodId, p_value_words
from safecity.data.warehouse import Warehouse

SURVEY_DIFFERENCE = wording.TestWording(
    words=(
        "a confidence interval for the difference of the two shares, allowing for the"
        " survey weights"
    ),
    method=MethodId.NEWCOMBE,
)
"""How findings name the comparison of two weighted shares (Newcombe on effective sizes)."""
SURVEY_DESIGN_DIFFERENCE = wording.TestWording(
    words="a design-based t test allowing for the survey's strata and clusters",
    method=MethodId.SURVEY_COMPARISON,
)
"""How findings name a difference between groups of a wave with strata or clusters."""


def _test_wording(test: object) -> wording.TestWording:
    """The wording of the test a comparison row names (its ``test`` column)."""
    return SURVEY_DESIGN_DIFFERENCE if "svyttest" in str(test) else SURVEY_DIFFERENCE


WAVE_COLUMNS = (
    "row_id",
    "wave",
    "survey",
    "title",
    "fieldwork_start",
    "fieldwork_end",
    "respondents",
    "weighting",
    "design_effect",
    "effective_sample_size",
    "relation",
    "reason",
)
"""Columns of ``survey_waves`` (the contract's, with ``row_id`` first and ``reason`` last)."""

NO_SURVEY = (
    "no residents' survey is loaded, so what residents told us is left out (load a survey wave"
    " with its codebook: safecity load survey)"
)
"""The reason the family is skipped when no wave is loaded (readers see it: plain words, no
command-line options)."""


class Relation:
    """Values of ``survey_waves.relation``: where the wave's fieldwork lies."""

    IN_PERIOD = "in period"
    BEFORE = "before period"
    AFTER = "after period"
    WITHOUT_DATE = "without a date"


@dataclass(frozen=True, slots=True)
class ChosenWaves:
    """The waves used (``survey_waves`` rows, oldest first) and those not used, with why."""

    used: pd.DataFrame
    not_used: dict[str, str]


def loaded_wave_rows(warehouse: Warehouse) -> pd.DataFrame:
    """Every loaded wave's row of ``survey_wave`` (without the codebook)."""
    return warehouse.connection.execute(
        "SELECT wave, survey, title, fieldwork_start, fieldwork_end, respondents, weighting,"
        " design_effect, effective_sample_size, area_code FROM survey_wave ORDER BY wave"
    ).df()


def _as_date(value: object) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _period_end(period: Period) -> date:
    last = period.last_month
    following = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _fieldwork(row: Mapping[Hashable, Any]) -> tuple[date | None, date | None, str]:
    start, end = _as_date(row.get("fieldwork_start")), _as_date(row.get("fieldwork_end"))
    if start and end:
        return start, end, f"fieldwork {start:%d %B %Y} to {end:%d %B %Y}"
    if start or end:
        known = start or end
        which = "began" if start else "ended"
        missing = "end" if start else "start"
        return known, known, f"fieldwork {which} {known:%d %B %Y} (no {missing} date loaded)"
    label = str(row["wave"])
    if re.fullmatch(r"(19|20)\d\d", label):
        year = int(label)
        return (
            date(year, 1, 1),
            date(year, 12, 31),
            f"no fieldwork dates loaded: the wave label {label} is taken as the fieldwork year",
        )
    return None, None, "no fieldwork dates loaded and the wave label is not a year"


def choose_waves(waves: pd.DataFrame, *, period: Period, area_code: str) -> ChosenWaves:
    """The waves in the period or next to it, with ``relation`` and ``reason`` (see module).

    Examples
    --------
    >>> from safecity.assess.periods import parse_period
    >>> waves = pd.DataFrame({"wave": ["2019", "2020", "2021", "2023", "2024"],
    ...                       "fieldwork_start": None, "fieldwork_end": None,
    ...                       "area_code": None})
    >>> chosen = choose_waves(waves, period=parse_period("2021/22"), area_code="E06000045")
    >>> chosen.used[["wave", "relation"]].values.tolist()
    [['2020', 'before period'], ['2021', 'in period'], ['2023', 'after period']]
    >>> sorted(chosen.not_used)
    ['2019', '2024']
    """
    first, last = period.first_month, _period_end(period)
    candidates = []
    not_used: dict[str, str] = {}
    for row in waves.to_dict("records"):
        wave = str(row["wave"])
        area = row.get("area_code")
        if isinstance(area, str) and area and area != area_code:
            not_used[wave] = f"surveyed area {area} is not the assessed area {area_code}"
            continue
        start, end, dated = _fieldwork(row)
        national = "" if isinstance(area, str) and area else "; a national survey (no area)"
        candidates.append((row, wave, start, end, dated + national))
    before = [item for item in candidates if item[3] is not None and item[3] < first]
    after = [item for item in candidates if item[2] is not None and item[2] > last]
    nearest_before = max(before, key=lambda item: (item[3], item[1]), default=None)
    nearest_after = min(after, key=lambda item: (item[2], item[1]), default=None)
    used = []
    for row, wave, start, end, dated in candidates:
        if start is None or end is None:
            relation = Relation.WITHOUT_DATE
            reason = f"{dated}: used without a date, so it cannot be placed in {period.label}"
        elif end < first:
            if nearest_before is None or wave != nearest_before[1]:
                not_used[wave] = f"{dated}: before the nearest wave before {period.label}"
                continue
            relation = Relation.BEFORE
            reason = f"{dated}: the nearest wave before {period.label}"
        elif start > last:
            if nearest_after is None or wave != nearest_after[1]:
                not_used[wave] = f"{dated}: after the nearest wave after {period.label}"
                continue
            relation = Relation.AFTER
            reason = f"{dated}: the nearest wave after {period.label}"
        else:
            relation = Relation.IN_PERIOD
            reason = f"{dated}: in {period.label}"
        used.append(
            {
                **row,
                "row_id": f"survey_wave:{wave}",
                "fieldwork_start": start if _as_date(row.get("fieldwork_start")) else None,
                "fieldwork_end": end if _as_date(row.get("fieldwork_end")) else None,
                "relation": relation,
                "reason": reason,
                "_order": (end or date.max, wave),
            }
        )
    used.sort(key=lambda item: item["_order"])
    table = pd.DataFrame(used, columns=[*WAVE_COLUMNS, "_order"]).drop(columns="_order")
    return ChosenWaves(used=table.reset_index(drop=True), not_used=not_used)


def _joined_ids(prefix: str, parts: list[pd.Series]) -> pd.Series:
    """``<prefix>:<part>:<part>…`` of each row."""
    joined = pd.Series(prefix, index=parts[0].index)
    for part in parts:
        joined = joined + ":" + part.astype(str)
    return joined


def estimate_row_ids(table: pd.DataFrame) -> pd.Series:
    """``survey:<wave>:<measure>:<category>:<group_variable>:<group>`` of each estimate."""
    columns = ("wave", "measure", "category", "group_variable", "group")
    return _joined_ids("survey", [table[column] for column in columns])


def comparison_row_ids(table: pd.DataFrame) -> pd.Series:
    """``survey_comparison:<kind>:<from>:<to>:<measure>:<category>:<variable>:<group>``."""
    kind = table["comparison"].astype(str).str.replace(" ", "_")
    columns = ("from_label", "to_label", "measure", "category", "group_variable", "group")
    return _joined_ids("survey_comparison", [kind, *(table[column] for column in columns)])


def _with_row_id(table: pd.DataFrame, row_ids: pd.Series) -> pd.DataFrame:
    result = table.copy()
    result.insert(0, "row_id", row_ids.to_numpy() if len(table) else pd.Series(dtype=str))
    return result


ESTIMATE_HIDDEN = (
    "value",
    "lower_ci",
    "upper_ci",
    "weighted_base",
    "design_effect",
    "effective_sample_size",
    "rank",
)
COMPARISON_HIDDEN = ("from_value", "to_value", "difference", "lower_ci", "upper_ci", "p_value")
MARGIN = ["wave", "measure", "category", "group_variable"]


def public_estimates(estimates: pd.DataFrame) -> pd.DataFrame:
    """The estimates fit to publish: suppressed rows (and, where one group of a characteristic
    is suppressed, the next smallest) with their numbers removed."""
    table = estimates.copy()
    suppressed = table["suppressed"].astype(bool).copy()
    for _, rows in table.groupby(MARGIN, sort=False):
        if len(rows) < 2:
            continue
        hidden = suppressed[rows.index]
        if int(hidden.sum()) == 1:
            shown = rows[~hidden.to_numpy()]
            smallest = shown["unweighted_base"].astype(float).idxmin()
            suppressed = suppressed.where(suppressed.index != smallest, True)
    table["suppressed"] = suppressed
    for column in ESTIMATE_HIDDEN:
        table[column] = table[column].astype(object).where(~suppressed, None)
    return table


def public_comparisons(
    comparisons: pd.DataFrame, *, estimates: pd.DataFrame, groups_wave: str
) -> pd.DataFrame:
    """The comparisons fit to publish, given the public estimates (see the module);
    ``groups_wave`` is the wave whose groups the ``between groups`` rows compare."""
    table = comparisons.copy()
    if table.empty:
        return table
    hidden = estimates[estimates["suppressed"].astype(bool)]
    hidden_keys = set(
        zip(
            hidden["wave"],
            hidden["measure"],
            hidden["category"],
            hidden["group_variable"],
            hidden["group"],
            strict=True,
        )
    )
    hidden_margins = set(
        zip(
            hidden["wave"],
            hidden["measure"],
            hidden["category"],
            hidden["group_variable"],
            strict=True,
        )
    )

    def withheld(row: Mapping[Hashable, Any]) -> bool:
        if bool(row["suppressed"]):
            return True
        key = (row["measure"], row["category"], row["group_variable"])
        if row["comparison"] == ComparisonKind.BETWEEN_WAVES.value:
            return any(
                (wave, *key, row["group"]) in hidden_keys
                for wave in (row["from_label"], row["to_label"])
            )
        return (groups_wave, *key) in hidden_margins

    marked = [withheld(row) for row in table.to_dict("records")]
    mask = pd.Series(marked, index=table.index, dtype=bool)
    for column in COMPARISON_HIDDEN:
        table[column] = table[column].astype(object).where(~mask, None)
    table["significant"] = table["significant"].astype(bool) & ~mask
    table["direction"] = table["direction"].where(~mask, Direction.NOT_COMPARED.value)
    table["suppressed"] = mask
    return table


def _percent(value: float, other: float | None = None) -> str:
    """A share as a whole percentage, with one decimal when two shares would read the same."""
    if other is not None and round(100 * value) == round(100 * other) and value != other:
        return f"{100 * value:.1f}%"
    return f"{100 * value:.0f}%"


def _quoted(spec: MeasureSpec, category: str) -> str:
    verb = "choosing" if spec.kind is MeasureKind.MULTIPLE else "answering"
    return f"{verb} \u201c{category}\u201d"


def _among(spec: MeasureSpec, data: WaveData) -> str:
    if spec.among is None:
        return ""
    other = data.measures.get(spec.among.measure)
    label = other.label if other is not None else spec.among.measure
    return (
        f" (asked of respondents answering \u201c{spec.among.category}\u201d to"
        f" \u201c{label}\u201d)"
    )


def _difference_words(*, significant: bool, p_value: float, change: bool, test: object) -> str:
    noun = "change" if change else "difference"
    verdict = (
        f"a statistically significant {noun}"
        if significant
        else f"not a statistically significant {noun}"
    )
    return f"{verdict} ({_test_wording(test).words}, {p_value_words(p_value)})"


def _wave_findings(
    comparisons: pd.DataFrame, *, data: WaveData
) -> tuple[list[Finding], set[tuple[str, str]]]:
    findings = []
    covered: set[tuple[str, str]] = set()
    rows = comparisons[
        (comparisons["comparison"] == ComparisonKind.BETWEEN_WAVES.value)
        & (comparisons["group_variable"] == ALL_VARIABLE)
        & ~comparisons["suppressed"].astype(bool)
    ]
    for row in rows.to_dict("records"):
        spec = data.measures[str(row["measure"])]
        significant = bool(row["significant"])
        if spec.kind is MeasureKind.MULTIPLE and not significant:
            continue
        covered.add((spec.measure, str(row["category"])))
        before, after = float(row["from_value"]), float(row["to_value"])
        if after == before:
            moved = f"was {_percent(after)} in {row['from_label']} and in {row['to_label']}"
        else:
            verb = "rose" if after > before else "fell"
            moved = (
                f"{verb} from {_percent(before, after)} in {row['from_label']} to"
                f" {_percent(after, before)} in {row['to_label']}"
            )
        sentence = (
            f"{spec.label}: the share of respondents {_quoted(spec, str(row['category']))}"
            f"{_among(spec, data)} {moved}, "
            + _difference_words(
                significant=significant,
                p_value=float(row["p_value"]),
                change=True,
                test=row["test"],
            )
            + "."
        )
        findings.append(
            Finding(
                finding_id=f"survey_change_{spec.measure}_{row['category']}",
                topic="survey",
                sentence=sentence,
                row_ids=(str(row["row_id"]),),
                significant=significant,
                methods=(_test_wording(row["test"]).method.value,),
            )
        )
    return findings, covered


def _level_findings(
    estimates: pd.DataFrame, *, data: WaveData, covered: set[tuple[str, str]]
) -> list[Finding]:
    findings = []
    overall = estimates[
        (estimates["wave"] == data.wave)
        & (estimates["group_variable"] == ALL_VARIABLE)
        & ~estimates["suppressed"].astype(bool)
    ]
    for row in overall[overall["headline"].astype(bool)].to_dict("records"):
        spec = data.measures[str(row["measure"])]
        if (spec.measure, str(row["category"])) in covered:
            continue
        sentence = (
            f"{spec.label}: in the {data.wave} survey {_percent(float(row['value']))} of"
            f" respondents{_among(spec, data)} answered \u201c{row['category']}\u201d (95%"
            f" confidence interval {_percent(float(row['lower_ci']))} to"
            f" {_percent(float(row['upper_ci']))}, {int(row['unweighted_base']):,} valid answers)."
        )
        findings.append(
            Finding(
                finding_id=f"survey_level_{spec.measure}",
                topic="survey",
                sentence=sentence,
                row_ids=(str(row["row_id"]),),
                methods=(MethodId.WILSON.value,),
            )
        )
    options = overall[overall["kind"] == MeasureKind.MULTIPLE.value]
    for measure, frame in options.groupby("measure", sort=False):
        top = frame.dropna(subset=["rank"]).sort_values(["rank", "category"]).head(3)
        if top.empty:
            continue
        spec = data.measures[str(measure)]
        listed = [
            f"{row['category']} ({_percent(float(row['value']))})" for row in top.to_dict("records")
        ]
        listed[0] = listed[0][:-1] + " of respondents who answered)"
        names = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        findings.append(
            Finding(
                finding_id=f"survey_top_{measure}",
                topic="survey",
                sentence=(
                    f"{spec.label}: the options most often chosen in the {data.wave} survey were"
                    f" {names}."
                ),
                row_ids=tuple(str(row_id) for row_id in top["row_id"]),
                methods=(MethodId.WILSON.value,),
            )
        )
    return findings


def _group_findings(comparisons: pd.DataFrame, *, data: WaveData) -> list[Finding]:
    findings = []
    rows = comparisons[
        (comparisons["comparison"] == ComparisonKind.BETWEEN_GROUPS.value)
        & comparisons["significant"].astype(bool)
        & ~comparisons["suppressed"].astype(bool)
    ]
    for row in rows.to_dict("records"):
        spec = data.measures[str(row["measure"])]
        if spec.kind is MeasureKind.MULTIPLE:
            continue
        other = str(row["from_label"])
        other_words = "other respondents" if other == OTHER_RESPONDENTS else f"{other} respondents"
        group, after, before = str(row["group"]), float(row["to_value"]), float(row["from_value"])
        variable = str(row["group_variable"]).replace("_", " ")
        sentence = (
            f"{spec.label}: in the {data.wave} survey {_percent(after, before)} of {group}"
            f" respondents{_among(spec, data)} answered \u201c{row['category']}\u201d, compared"
            f" with {_percent(before, after)} of {other_words} (by {variable}), "
            + _difference_words(
                significant=True, p_value=float(row["p_value"]), change=False, test=row["test"]
            )
            + "."
        )
        findings.append(
            Finding(
                finding_id=(f"survey_group_{spec.measure}_{row['group_variable']}_{group}").replace(
                    " ", "_"
                ),
                topic="survey",
                sentence=sentence,
                row_ids=(str(row["row_id"]),),
                significant=True,
                methods=(_test_wording(row["test"]).method.value,),
            )
        )
    return findings


def _missing_findings(waves: pd.DataFrame, *, period: Period) -> list[Finding]:
    findings = []
    in_period = waves[waves["relation"] == Relation.IN_PERIOD]
    if in_period.empty:
        outside = "; ".join(
            f"{row['wave']} ({row['relation']}: {row['reason']})"
            for row in waves.to_dict("records")
        )
        findings.append(
            Finding(
                finding_id="survey_no_wave_in_period",
                topic="survey",
                sentence=(
                    f"No residents' survey wave loaded has its fieldwork in {period.label}; the"
                    f" survey figures come from the waves next to it: {outside}."
                ),
                row_ids=tuple(str(row_id) for row_id in waves["row_id"]),
            )
        )
    else:
        for row in waves[waves["relation"] != Relation.IN_PERIOD].to_dict("records"):
            findings.append(
                Finding(
                    finding_id=f"survey_wave_outside_{row['wave']}",
                    topic="survey",
                    sentence=(
                        f"The {row['wave']} survey wave does not fall in {period.label}"
                        f" ({row['reason']}); it is shown for comparison."
                    ),
                    row_ids=(str(row["row_id"]),),
                )
            )
    return findings


@dataclass(frozen=True, slots=True)
class SurveyTables:
    """The family's partner tables, the waves read, and the manifest notes."""

    waves: pd.DataFrame
    estimates: pd.DataFrame
    comparisons: pd.DataFrame
    data: dict[str, WaveData]
    not_used: dict[str, str]
    latest: str | None
    previous: str | None


def survey_tables(
    warehouse: Warehouse, *, period: Period, area_code: str, config: SurveyConfig
) -> SurveyTables | str:
    """The family's tables, or the reason there are none."""
    loaded = loaded_wave_rows(warehouse)
    if loaded.empty:
        return NO_SURVEY
    chosen = choose_waves(loaded, period=period, area_code=area_code)
    if chosen.used.empty:
        reasons = "; ".join(f"{wave}: {reason}" for wave, reason in chosen.not_used.items())
        return f"no residents' survey wave loaded can be used for this area ({reasons})"
    data = {str(wave): read_wave(warehouse, wave=str(wave)) for wave in chosen.used["wave"]}
    estimates = pd.concat(
        [estimate_table(item, by=item.variables(), config=config) for item in data.values()],
        ignore_index=True,
    )
    estimates = _with_row_id(estimates, estimate_row_ids(estimates))
    dated = chosen.used[chosen.used["relation"] != Relation.WITHOUT_DATE]
    ordered = (dated if not dated.empty else chosen.used)["wave"].astype(str).tolist()
    latest = ordered[-1]
    previous = ordered[-2] if len(ordered) >= 2 else None
    frames = []
    if previous is not None:
        later, earlier = data[latest], data[previous]
        shared = [name for name in later.variables() if name in earlier.variables()]
        frames.append(compare_waves(earlier=earlier, later=later, by=shared, config=config))
    frames.append(compare_groups(data=data[latest], by=data[latest].variables(), config=config))
    comparisons = pd.concat(
        [frame for frame in frames if not frame.empty] or frames, ignore_index=True
    )
    comparisons = _with_row_id(comparisons, comparison_row_ids(comparisons))
    return SurveyTables(
        waves=chosen.used,
        estimates=estimates,
        comparisons=comparisons,
        data=data,
        not_used=chosen.not_used,
        latest=latest,
        previous=previous,
    )


def survey(inputs: AssessmentInputs) -> FamilyOutput:
    """The survey family (see the module): tables, public copies, findings and manifest."""
    config = load_survey_config()
    found = survey_tables(
        inputs.warehouse, period=inputs.period, area_code=inputs.area.code, config=config
    )
    if isinstance(found, str):
        return FamilyOutput(skipped={"survey": found}, manifest={"status": found})
    latest = found.data[str(found.latest)]
    public_estimates_table = public_estimates(found.estimates)
    public_comparisons_table = public_comparisons(
        found.comparisons, estimates=public_estimates_table, groups_wave=latest.wave
    )
    wave_findings, covered = _wave_findings(found.comparisons, data=latest)
    findings = (
        _missing_findings(found.waves, period=inputs.period)
        + wave_findings
        + _level_findings(found.estimates, data=latest, covered=covered)
        + _group_findings(found.comparisons, data=latest)
    )
    methods = sorted(set(found.estimates["method"].astype(str)))
    tests = sorted(set(found.comparisons["test"].astype(str))) if len(found.comparisons) else []
    manifest: dict[str, Any] = {
        "waves_used": [
            {"wave": row["wave"], "relation": row["relation"], "reason": row["reason"]}
            for row in found.waves.to_dict("records")
        ],
        "waves_not_used": found.not_used,
        "rule": (
            "waves whose fieldwork overlaps the period, plus the nearest wave before it and the"
            " nearest after it; a wave labelled with a year and without dates is taken to run"
            " through that year; other undated waves are used without a date"
        ),
        "comparisons": {
            "between_waves": [found.previous, found.latest] if found.previous else None,
            "between_groups_in": found.latest,
        },
        "methods": methods,
        "tests": tests,
        "minimum_unweighted_base": config.minimum_unweighted_base,
        "flag_unweighted_base": config.flag_unweighted_base,
        "confidence": config.confidence,
        "public_rule": (
            "estimates on an unweighted base under the minimum are published without their"
            " value, interval, weighted base, design effect or rank, with the next smallest"
            " group of the same characteristic when only one is under it; comparisons resting"
            " on a withheld estimate are not published; no respondent-level data"
        ),
    }
    return FamilyOutput(
        tables={
            "survey_waves": found.waves,
            "survey_estimates": found.estimates,
            "survey_comparisons": found.comparisons,
        },
        public_tables={
            "survey_waves": found.waves,
            "survey_estimates": public_estimates_table,
            "survey_comparisons": public_comparisons_table,
        },
        findings=findings,
        manifest=manifest,
    )


__all__ = [
    "NO_SURVEY",
    "SURVEY_DESIGN_DIFFERENCE",
    "SURVEY_DIFFERENCE",
    "WAVE_COLUMNS",
    "ChosenWaves",
    "Relation",
    "SurveyTables",
    "choose_waves",
    "comparison_row_ids",
    "estimate_row_ids",
    "loaded_wave_rows",
    "public_comparisons",
    "public_estimates",
    "survey",
    "survey_tables",
]
