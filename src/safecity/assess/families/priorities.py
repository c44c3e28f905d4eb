"""Family 11: crime priorities — a MoRiLE-shaped scoring matrix fed from the other families.

Each crime group computed for the area is an issue. Its evidence is scored 1–5 on each
criterion of ``methods.md`` §8.2 (volume, trend, harm, comparator position, vulnerability,
public concern, organisational position; confidence 1–3 beside them), by the rules and
weights of ``config/priority_scoring.yaml``; a criterion without evidence for an issue is
"not scored" (never a default number), and the combined score treats it by the configured
rule (by default the weighted mean of the scored criteria scaled to the full weight). The
scores are combined by a weighted sum or as harm x likelihood (MoRiLE form) and ranked, ties
broken by harm (§8.2). Harm is scored for every issue with evidence: force-extract groups from
offence-code weights, police.uk groups from their categories' national-offence-mix weights
(family 3). Every score carries
the evidence behind it: a sentence and the ids of the rows it was read from (``indicators``,
``benchmarking``, ``harm_by_crime_group``) or the user's input. The ranking is recomputed
under every loaded harm index, and without harm, to show how much it depends on the index.
The scales are a design choice, not an external standard (§8.1: MoRiLE's numeric scales are
not published).

Public concern comes from the residents' survey when the assessment uses a wave (the share of
residents citing each issue, :mod:`safecity.assess.survey_concern`), else, and for issues the
survey does not cover, from the partnership's priority inputs file; the matrix's
``public_concern_source`` says which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import DataSource
from safecity.assess.extract_counts import (
    extract_profile_counts,
    group_counts_from_extract,
    offence_classification,
)
from safecity.assess.families.benchmarking import benchmark_rows
from safecity.assess.families.harm import (
    HarmIndexError,
    category_weights,
    choose_harm_index,
    harm_by_crime_group,
    harm_by_police_uk_group,
    harm_weights,
    loaded_harm_indices,
    national_offence_mix,
    offence_categories,
    police_uk_crimes,
)
from safecity.assess.findings import Finding
from safecity.assess.survey_concern import ConcernEvidence, public_concern_evidence
from safecity.assess.survey_estimates import load_survey_config
from safecity.assess.wording import RATE_RATIO, MethodId, p_value_words
from safecity.config.packaged_yaml import read_packaged_yaml
from safecity.stats import (
    ComparisonLabel,
    TrendLabel,
    UnscoredRule,
    combine_priority_scores,
    comparison_score,
    quintile_score,
    trend_score,
)


class Criterion(StrEnum):
    """The criteria of the scoring matrix (``methods.md`` §8.2)."""

    VOLUME = "volume"
    TREND = "trend"
    HARM = "harm"
    COMPARATOR_POSITION = "comparator_position"
    VULNERABILITY = "vulnerability"
    PUBLIC_CONCERN = "public_concern"
    ORGANISATIONAL_POSITION = "organisational_position"
    CONFIDENCE = "confidence"


USER_CRITERIA = (Criterion.PUBLIC_CONCERN, Criterion.ORGANISATIONAL_POSITION)
"""Criteria entered by the partnership in the priority inputs file."""


class Combination(StrEnum):
    """How criterion scores make the priority score."""

    WEIGHTED_SUM = "weighted_sum"
    MORILE = "morile"


class PriorityConfigError(ValueError):
    """A priority scoring or priority inputs file that is not valid, naming the key."""


@dataclass(frozen=True, slots=True)
class PriorityScoring:
    """The scoring rules (``config/priority_scoring.yaml``)."""

    top_n: int
    combination: Combination
    likelihood_criteria: tuple[Criterion, ...]
    weights: Mapping[Criterion, float]
    unscored: UnscoredRule
    reliable_count: int
    minimum_count: int
    exclude_groups: tuple[str, ...]
    survey_change_step: int = 1
    """Public concern from a survey: points added for a significant rise in the share citing
    the issue since the previous wave (taken away for a fall), within 1 to 5."""


def parse_priority_scoring(document: Any, *, origin: str) -> PriorityScoring:
    """Scoring rules from a parsed YAML document (see ``config/priority_scoring.yaml``).

    Raises
    ------
    PriorityConfigError
        If a key is missing or has the wrong kind of value; the message names it.
    """
    if not isinstance(document, dict):
        raise PriorityConfigError(f"{origin}: expected a mapping")
    if "missing_score" in document:
        raise PriorityConfigError(
            f"{origin}: missing_score is no longer used: a criterion without evidence is not"
            " scored; say how the priority score treats it with unscored (rescale or exclude)"
        )
    try:
        weights_raw = document["weights"]
        thresholds = document["confidence_thresholds"]
        scoring = PriorityScoring(
            top_n=int(document["top_n"]),
            combination=Combination(document["combination"]),
            likelihood_criteria=tuple(
                Criterion(name) for name in document.get("likelihood_criteria", [])
            ),
            weights={Criterion(name): float(value) for name, value in weights_raw.items()},
            unscored=UnscoredRule(document["unscored"]),
            reliable_count=int(thresholds["reliable_count"]),
            minimum_count=int(thresholds["minimum_count"]),
            exclude_groups=tuple(str(group) for group in document.get("exclude_groups", [])),
            survey_change_step=int(
                (document.get("public_concern") or {}).get("survey_change_step", 1)
            ),
        )
    except KeyError as error:
        raise PriorityConfigError(f"{origin}: missing key {error}") from error
    except (TypeError, ValueError, AttributeError) as error:
        raise PriorityConfigError(f"{origin}: {error}") from error
    if scoring.top_n < 1:
        raise PriorityConfigError(f"{origin}: top_n must be at least 1")
    if not 0 <= scoring.survey_change_step <= 4:
        raise PriorityConfigError(
            f"{origin}: public_concern.survey_change_step must be a whole number from 0 to 4"
        )
    if scoring.combination is Combination.MORILE and not scoring.likelihood_criteria:
        raise PriorityConfigError(f"{origin}: the morile combination needs likelihood_criteria")
    return scoring


def load_priority_scoring() -> PriorityScoring:
    """The scoring rules shipped in ``safecity.config/priority_scoring.yaml``."""
    return parse_priority_scoring(
        read_packaged_yaml("priority_scoring.yaml"),
        origin="safecity.config/priority_scoring.yaml",
    )


@dataclass(frozen=True, slots=True)
class UserScore:
    """A score entered by the partnership, with its note."""

    score: int
    note: str


def read_priority_inputs(
    path: Path, *, known_groups: Sequence[str]
) -> dict[Criterion, dict[str, UserScore]]:
    """Public concern and organisational position by crime group, from a YAML file.

    The file maps ``public_concern`` and ``organisational_position`` to crime-group ids, each
    with a score from 1 to 5 or ``{score: 1-5, note: "..."}``::

        public_concern:
          asb: {score: 5, note: "Residents' survey 2024: 41% name ASB"}
          burglary: 4
        organisational_position:
          shoplifting: {score: 2, note: "Retail crime plan already funded"}

    Raises
    ------
    PriorityConfigError
        If the file cannot be read, names an unknown criterion or group, or a score is not a
        whole number from 1 to 5; the message names the entry.
    """
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PriorityConfigError(f"{path}: cannot read the priority inputs: {error}") from error
    if not isinstance(document, dict):
        raise PriorityConfigError(f"{path}: expected a mapping of criteria to groups")
    allowed = {criterion.value for criterion in USER_CRITERIA}
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise PriorityConfigError(f"{path}: unknown criteria {unknown}; known: {sorted(allowed)}")
    result: dict[Criterion, dict[str, UserScore]] = {}
    for criterion in USER_CRITERIA:
        entries = document.get(criterion.value) or {}
        if not isinstance(entries, dict):
            raise PriorityConfigError(f"{path}: {criterion.value} must map group ids to scores")
        scores = {}
        for group, entry in entries.items():
            where = f"{path}: {criterion.value}.{group}"
            if group not in known_groups:
                raise PriorityConfigError(f"{where}: not a crime group computed for this area")
            score, note = (
                (entry.get("score"), str(entry.get("note", "")))
                if isinstance(entry, dict)
                else (entry, "")
            )
            if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
                raise PriorityConfigError(f"{where}: score must be a whole number from 1 to 5")
            scores[str(group)] = UserScore(score=score, note=note)
        result[criterion] = scores
    return result


@dataclass(slots=True)
class CriterionScores:
    """One criterion's score, evidence sentence and evidence row ids, by issue."""

    score: pd.Series
    value: pd.Series
    basis: pd.Series
    evidence: pd.Series


NOT_SCORED = "not scored"
"""The basis of a criterion without evidence for an issue begins with these words."""


def _criterion(issues: pd.Index, reason: str) -> CriterionScores:
    return CriterionScores(
        score=pd.Series(np.nan, index=issues, dtype=float),
        value=pd.Series(np.nan, index=issues, dtype=float),
        basis=pd.Series(f"{NOT_SCORED}: {reason}", index=issues, dtype=object),
        evidence=pd.Series("", index=issues, dtype=object),
    )


def _quintiles(
    result: CriterionScores, values: pd.Series, *, what: str, evidence: pd.Series
) -> CriterionScores:
    """Quintile scores among the issues that have a value (at least five needed)."""
    present = values.dropna()
    if len(present) < 5:
        result.basis[present.index] = (
            f"{NOT_SCORED}: {what} known for {len(present)} issue(s), 5 needed"
        )
        return result
    scored = quintile_score(values=present.to_numpy(dtype=float))
    result.score[present.index] = scored["score"].to_numpy()
    result.value[present.index] = present.to_numpy()
    for issue in present.index:
        result.basis[issue] = (
            f"quintile {int(result.score[issue])} of {len(present)} issues by {what}"
        )
        result.evidence[issue] = evidence[issue]
    return result


def _trend(area: pd.DataFrame) -> CriterionScores:
    result = _criterion(area.index, "no change computed")
    labels = []
    scored = []
    for issue, row in zip(area.index.astype(str), area.to_dict("records"), strict=True):
        significant = row["change_significant"]
        if pd.isna(significant) or pd.isna(row["change_ratio"]):
            refused = str(row.get("change_not_made") or "")
            result.basis[issue] = (
                f"{NOT_SCORED}: change against the baseline not made: {refused}"
                if refused and refused != "nan"
                else f"{NOT_SCORED}: change against the baseline not computed"
            )
            continue
        if bool(significant):
            label = TrendLabel.INCREASING if row["change_ratio"] > 1 else TrendLabel.DECREASING
        else:
            label = TrendLabel.NO_SIGNIFICANT_CHANGE
        labels.append(label.value)
        scored.append(issue)
        change = row["change_pct"]
        change_text = f"{float(change):+.1f}%" if pd.notna(change) else "new"
        result.basis[issue] = (
            f"{label.value.lower()}: {change_text} against {row['baseline_period']}, "
            f"rate ratio {float(row['change_ratio']):.2f}, "
            f"{p_value_words(float(row['change_p_value']))} ({RATE_RATIO.words})"
        )
        result.value[issue] = float(row["change_ratio"])
        result.evidence[issue] = row["row_id"]
    if scored:
        result.score[scored] = trend_score(trend=labels)["score"].to_numpy(dtype=float)
    return result


def _harm_totals(
    inputs: AssessmentInputs,
    *,
    issues: pd.Index,
    profile: pd.DataFrame,
    police_uk: pd.DataFrame,
    index: tuple[str, str],
) -> pd.Series:
    """Harm (Σ weight x crimes) of each issue under one index, from the issue's own source.

    Extract-sourced issues from offence-code weights; police.uk-sourced issues from their
    categories' national-offence-mix weights (``families.harm``); missing where the source
    has no crimes or no weight.
    """
    warehouse = inputs.warehouse
    weights = harm_weights(warehouse, index_name=index[0], index_version=index[1])
    chosen = [group for group in inputs.groups if group.id in issues]
    extract_groups = [
        group
        for group in chosen
        if group.extract is not None and inputs.sources.get(group.id) == DataSource.EXTRACT.value
    ]
    frames = []
    if extract_groups and not profile.empty:
        frames.append(
            harm_by_crime_group(
                profile,
                groups=extract_groups,
                classification=offence_classification(warehouse),
                weights=weights,
                population=None,
            )
        )
    police_uk_groups = [
        group
        for group in chosen
        if group.police_uk_defined() and inputs.sources.get(group.id) == DataSource.POLICE_UK.value
    ]
    if police_uk_groups and not police_uk.empty:
        categories = offence_categories(warehouse)
        means = category_weights(
            national_offence_mix(warehouse, categories=categories), weights=weights
        )
        frames.append(
            harm_by_police_uk_group(
                police_uk, groups=police_uk_groups, means=means, population=None
            )
        )
    if not frames:
        return pd.Series(np.nan, index=issues, dtype=float)
    table = pd.concat(frames, ignore_index=True)
    table = table[table["crimes"] > 0]
    return table.set_index("group_id")["harm"].reindex(issues).astype(float)


def _vulnerability(
    inputs: AssessmentInputs, *, area: pd.DataFrame, profile: pd.DataFrame
) -> CriterionScores:
    result = _criterion(area.index, "needs a force extract with the domestic flag")
    if profile.empty or profile["flag_domestic"].isna().all():
        return result
    groups = [
        group
        for group in inputs.groups
        if group.id in area.index and inputs.sources.get(group.id) == DataSource.EXTRACT.value
    ]
    classification = offence_classification(inputs.warehouse)
    everything, _ = group_counts_from_extract(profile, groups=groups, classification=classification)
    domestic, _ = group_counts_from_extract(
        profile[profile["flag_domestic"].fillna(False).astype(bool)],
        groups=groups,
        classification=classification,
    )
    totals = everything.groupby("group_id")["count"].sum()
    flagged = domestic.groupby("group_id")["count"].sum().reindex(totals.index, fill_value=0)
    share = (100 * flagged / totals.where(totals > 0)).reindex(area.index)
    domestic_row = area["row_id"].get("domestic_flagged", "")
    evidence = area["row_id"] + (";" + domestic_row if domestic_row else "")
    result = _quintiles(result, share, what="share of crimes flagged domestic", evidence=evidence)
    for issue in share.dropna().index:
        if result.basis[issue].startswith("quintile"):
            result.basis[issue] += f" ({share[issue]:.1f}% flagged domestic)"
    return result


def _comparator(
    inputs: AssessmentInputs, *, area: pd.DataFrame
) -> tuple[CriterionScores, dict[str, str]]:
    table, _national, skipped = benchmark_rows(inputs)
    reason = skipped.get("benchmarking", "no national police.uk comparison for this group")
    result = _criterion(area.index, reason)
    if table.empty:
        return result, skipped
    rows = table.set_index("group_id").reindex(area.index).dropna(subset=["benchmark_id"])
    if rows.empty:
        return result, skipped
    scored = comparison_score(
        versus_england=rows["national_label"].to_numpy(),
        versus_comparators=rows["comparator_label"].to_numpy(),
    )
    for position, issue in enumerate(rows.index):
        row = rows.loc[issue]
        if {str(row["national_label"]), str(row["comparator_label"])} <= {
            ComparisonLabel.NOT_COMPARED.value
        }:
            result.basis[issue] = (
                f"{NOT_SCORED}: compared with neither England nor the comparator group"
            )
            continue
        result.score[issue] = float(scored["score"].iloc[position])
        rank = (
            f"ranked {int(row['rank'])} of {int(row['rank_of'])} {row['rank_scope']}"
            if pd.notna(row["rank"])
            else "no national rank"
        )
        national = (
            f"against {row['national_name']}: {row['national_label']}"
            if row["national_name"]
            else "no national comparison"
        )
        result.basis[issue] = (
            f"{national}; against the comparator group: {row['comparator_label']} (95%"
            f" confidence intervals, lower crime being better); {rank}"
        )
        result.evidence[issue] = row["benchmark_id"]
    return result, skipped


def _confidence_basis(count: float, scoring: PriorityScoring) -> str:
    if count >= scoring.reliable_count:
        return f"at least {scoring.reliable_count} events"
    if count >= scoring.minimum_count:
        return f"{scoring.minimum_count} to {scoring.reliable_count - 1} events"
    return f"fewer than {scoring.minimum_count} events (small numbers: low confidence)"


def _confidence(area: pd.DataFrame, scoring: PriorityScoring) -> CriterionScores:
    counts = area["numerator"].astype(float)
    score = np.where(
        counts >= scoring.reliable_count, 3, np.where(counts >= scoring.minimum_count, 2, 1)
    )
    return CriterionScores(
        score=pd.Series(score, index=area.index, dtype="int64"),
        value=counts,
        basis=pd.Series(
            [_confidence_basis(float(value), scoring) for value in counts],
            index=area.index,
            dtype=object,
        ),
        evidence=area["row_id"].astype(object),
    )


def _user(entered: dict[str, UserScore], *, area: pd.DataFrame, source: str) -> CriterionScores:
    result = _criterion(area.index, f"not entered in {source}")
    for issue in area.index:
        if issue in entered:
            result.score[issue] = entered[issue].score
            result.value[issue] = float(entered[issue].score)
            note = entered[issue].note
            result.basis[issue] = f"entered by the partnership{': ' + note if note else ''}"
            result.evidence[issue] = f"input:{source}"
    return result


def _survey_change_words(row: Mapping[str, Any], *, step: int) -> tuple[int, str]:
    """The score adjustment for the change since the previous wave, and its words."""
    previous = row.get("previous_wave")
    if previous is None or pd.isna(previous) or row.get("change_significant") is None:
        return 0, "no earlier wave to compare with"
    before = f"{100 * float(row['previous_value']):.0f}% in {previous}"
    verdict = p_value_words(float(row["change_p_value"]))
    if not bool(row["change_significant"]):
        return 0, f"no significant change from {before} ({verdict})"
    rise = float(row["change_difference"]) > 0
    shift = step if rise else -step
    return shift, (
        f"significantly {'up' if rise else 'down'} from {before} ({verdict}; score {shift:+d})"
    )


def survey_public_concern(
    evidence: ConcernEvidence, *, area: pd.DataFrame, scoring: PriorityScoring
) -> CriterionScores:
    """Public concern scored from the survey: the quintile of the share of residents citing
    each issue among the issues the survey covers (at least five), moved by
    ``survey_change_step`` for a significant change since the previous wave, within 1 to 5;
    issues the survey does not cover are not scored."""
    result = _criterion(area.index, f"the {evidence.wave} survey does not cover this issue")
    table = evidence.table.set_index("group_id")
    covered = table.index.intersection(area.index)
    shares = table["value"].reindex(area.index).astype(float)
    what = f"share of residents citing it in the {evidence.wave} survey"
    result = _quintiles(result, shares, what=what, evidence=table["row_id"].reindex(area.index))
    for issue in covered:
        row = table.loc[issue].to_dict()
        detail = (
            f"{100 * float(row['value']):.0f}% (95% confidence interval"
            f" {100 * float(row['lower_ci']):.0f}% to {100 * float(row['upper_ci']):.0f}%,"
            f" {int(row['unweighted_base']):,} valid answers) chose \u201c{row['category']}\u201d"
            f" in \u201c{row['measure_label']}\u201d"
        )
        if pd.isna(result.score[issue]):
            result.basis[issue] += f" ({detail})"
            continue
        shift, change = _survey_change_words(row, step=scoring.survey_change_step)
        result.score[issue] = float(min(5, max(1, int(result.score[issue]) + shift)))
        result.basis[issue] += f": {detail}; {change}"
        if row.get("change_row_id"):
            result.evidence[issue] = f"{result.evidence[issue]};{row['change_row_id']}"
    return result


def _merge_concern(survey: CriterionScores, entered: CriterionScores) -> CriterionScores:
    """Survey scores where the survey scored the issue, else the partnership's entry."""
    use_entered = survey.score.isna() & entered.score.notna()
    return CriterionScores(
        score=survey.score.where(~use_entered, entered.score),
        value=survey.value.where(~use_entered, entered.value),
        basis=survey.basis.where(~use_entered, entered.basis),
        evidence=survey.evidence.where(~use_entered, entered.evidence),
    )


def concern_sources(criterion: CriterionScores, *, wave: str | None) -> pd.Series:
    """Where each public-concern score came from: ``survey <wave>``, ``priority inputs``,
    or empty when not scored."""
    evidence = criterion.evidence.astype(str)
    scored = criterion.score.notna()
    source = pd.Series("", index=criterion.score.index, dtype=object)
    source[scored & evidence.str.startswith("survey:")] = f"survey {wave}"
    source[scored & evidence.str.startswith("input:")] = "priority inputs"
    return source


def _combine(
    criteria: Mapping[Criterion, CriterionScores], scoring: PriorityScoring
) -> pd.DataFrame:
    scores = pd.DataFrame({criterion.value: item.score for criterion, item in criteria.items()})
    weights = {criterion.value: scoring.weights.get(criterion, 1.0) for criterion in criteria}
    likelihood = (
        tuple(criterion.value for criterion in scoring.likelihood_criteria)
        if scoring.combination is Combination.MORILE
        else None
    )
    return combine_priority_scores(
        scores=scores,
        weights=weights,
        harm_column=Criterion.HARM.value,
        likelihood_columns=likelihood,
        unscored=scoring.unscored,
    )


PriorityResult = tuple[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, Any]]
"""The scoring matrix, the sensitivity table, parts skipped with reasons, manifest notes."""


def priority_tables(inputs: AssessmentInputs, *, scoring: PriorityScoring) -> PriorityResult:
    """The scoring matrix, the sensitivity table, parts skipped, and manifest notes."""
    skipped: dict[str, str] = {}
    indicators = inputs.indicators
    area = indicators[
        (indicators["area_code"] == inputs.area.code)
        & ~indicators["indicator_id"].isin(scoring.exclude_groups)
    ].set_index("indicator_id")
    if len(area) < 5:
        skipped["priorities"] = f"priority scoring needs at least five issues; {len(area)} computed"
        return pd.DataFrame(), pd.DataFrame(), skipped, {}
    criteria: dict[Criterion, CriterionScores] = {}
    volume = _criterion(area.index, "no count")
    # Issues from sources with different months of data compare as annual counts (§0.2a).
    months = (
        area["months_with_data"].astype(float)
        if "months_with_data" in area
        else pd.Series(float(inputs.period.length), index=area.index)
    )
    same_months = months.nunique() <= 1
    counts = area["numerator"].astype(float)
    annual = 12.0 / months.where(months > 0)
    criteria[Criterion.VOLUME] = _quintiles(
        volume,
        counts if same_months else counts * annual,
        what="count" if same_months else "annual count",
        evidence=area["row_id"],
    )
    criteria[Criterion.TREND] = _trend(area)
    profile = extract_profile_counts(
        inputs.fact_backend(),
        first_month=inputs.period.first_month,
        last_month=inputs.period.last_month,
        lsoa_codes=inputs.area.lsoas["lsoa_code"].tolist(),
    ).to_pandas()
    police_uk = police_uk_crimes(
        inputs.warehouse,
        period=inputs.period,
        lsoa_codes=inputs.area.lsoas["lsoa_code"].tolist(),
        backend=inputs.fact_backend(),
    )
    indices = loaded_harm_indices(inputs.warehouse)
    index_labels = [
        (str(name), str(version))
        for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
    ]
    harm_reason = "no harm index is available"
    chosen: tuple[str, str] | None = None
    try:
        chosen = choose_harm_index(indices, requested=inputs.options.harm_index)
    except HarmIndexError as error:
        harm_reason = str(error)

    def harm_scores(index: tuple[str, str] | None) -> CriterionScores:
        result = _criterion(area.index, harm_reason)
        if index is None:
            return result
        totals = _harm_totals(
            inputs, issues=area.index, profile=profile, police_uk=police_uk, index=index
        )
        for issue in totals[totals.isna()].index:
            result.basis[issue] = (
                f"{NOT_SCORED}: no weighed crimes for this group in its source"
                f" ({inputs.sources.get(str(issue), 'no source')})"
            )
        if not same_months:
            totals = totals * annual
        evidence = "harm_crime_group:" + pd.Series(area.index, index=area.index)
        what = f"{'annual ' if not same_months else ''}harm ({index[0]} {index[1]})"
        scored = _quintiles(result, totals, what=what, evidence=evidence)
        for issue in totals.dropna().index:
            if scored.basis[issue].startswith("quintile"):
                scored.basis[issue] += f": {totals[issue]:,.1f} weighted crimes"
        return scored

    criteria[Criterion.HARM] = harm_scores(chosen)
    if chosen is None:
        skipped["priorities_harm"] = f"harm not scored for any issue: {harm_reason}"
    criteria[Criterion.COMPARATOR_POSITION], benchmark_skipped = _comparator(inputs, area=area)
    if "benchmarking" in benchmark_skipped:
        skipped["priorities_comparator_position"] = (
            f"comparator position not scored: {benchmark_skipped['benchmarking']}"
        )
    criteria[Criterion.VULNERABILITY] = _vulnerability(inputs, area=area, profile=profile)
    path = inputs.options.priority_inputs_path
    evidence = public_concern_evidence(
        inputs.warehouse,
        period=inputs.period,
        area_code=inputs.area.code,
        config=load_survey_config(),
    )
    survey_concern = (
        None if evidence is None else survey_public_concern(evidence, area=area, scoring=scoring)
    )
    if path is None:
        if survey_concern is None:
            skipped["priorities_user_inputs"] = (
                "the partnership's own inputs (public concern and organisational position) were"
                " not given, so they are left out of the score"
            )
        else:
            skipped["priorities_organisational_position"] = (
                "the partnership's own input of organisational position was not given, so it"
                " is left out of the score (public concern comes from the residents' survey)"
            )
            criteria[Criterion.PUBLIC_CONCERN] = survey_concern
    else:
        entered = read_priority_inputs(path, known_groups=list(area.index))
        for criterion in USER_CRITERIA:
            criteria[criterion] = _user(entered[criterion], area=area, source=path.name)
        if survey_concern is not None:
            criteria[Criterion.PUBLIC_CONCERN] = _merge_concern(
                survey_concern, criteria[Criterion.PUBLIC_CONCERN]
            )
    criteria[Criterion.CONFIDENCE] = _confidence(area, scoring)
    combined = _combine(criteria, scoring)
    matrix = _matrix(combined, criteria=criteria, area=area, inputs=inputs, scoring=scoring)
    if Criterion.PUBLIC_CONCERN in criteria:
        sources = concern_sources(
            criteria[Criterion.PUBLIC_CONCERN], wave=None if evidence is None else evidence.wave
        )
        matrix["public_concern_source"] = sources[matrix["group_id"]].to_numpy()
    scenarios: dict[str, tuple[str, str] | None] = {
        f"{name} {version}": (name, version) for name, version in index_labels
    }
    scenarios["without harm"] = None
    frames = []
    for scenario, index in scenarios.items():
        varied = dict(criteria)
        varied[Criterion.HARM] = (
            _criterion(area.index, "without harm") if index is None else harm_scores(index)
        )
        ranked = _combine(varied, scoring)
        frames.append(
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "group_id": ranked.index,
                    "harm_score": ranked[Criterion.HARM.value].to_numpy(),
                    "priority_score": ranked["priority_score"].to_numpy(),
                    "rank": ranked["rank"].to_numpy(),
                    "in_top": ranked["rank"].to_numpy() <= scoring.top_n,
                }
            )
        )
    sensitivity = pd.concat(frames, ignore_index=True)
    notes: dict[str, Any] = {
        "combination": scoring.combination.value,
        "weights": {criterion.value: scoring.weights.get(criterion, 1.0) for criterion in criteria},
        "harm_index": " ".join(chosen) if chosen else None,
        "top_n": scoring.top_n,
        "criteria": [criterion.value for criterion in criteria],
        "unscored": scoring.unscored.value,
        "unscored_rule": unscored_rule_words(scoring),
        "public_concern": _concern_notes(evidence, path=path, scoring=scoring),
    }
    return matrix, sensitivity, skipped, notes


def _concern_notes(
    evidence: ConcernEvidence | None, *, path: Path | None, scoring: PriorityScoring
) -> dict[str, Any]:
    """Where public concern came from, for the manifest."""
    fallback = path.name if path is not None else None
    if evidence is None:
        return {
            "source": "priority inputs" if path is not None else "not given",
            "priority_inputs": fallback,
        }
    return {
        "source": "survey",
        "wave": evidence.wave,
        "previous_wave": evidence.previous_wave,
        "crime_groups": sorted(evidence.table["group_id"].astype(str)),
        "rule": (
            "quintile of the share of residents citing the issue among the issues the survey"
            f" covers (at least 5), {scoring.survey_change_step:+d} for a significant rise since"
            f" the previous wave and {-scoring.survey_change_step:+d} for a significant fall,"
            " within 1 to 5; the priority inputs file scores the issues the survey does not"
            " cover"
        ),
        "priority_inputs": fallback,
    }


def unscored_rule_words(scoring: PriorityScoring) -> str:
    """How the priority score treats criteria not scored for an issue, in words."""
    if scoring.combination is Combination.MORILE:
        prefix = "an issue whose harm is not scored has no priority score; in likelihood, "
    else:
        prefix = ""
    if scoring.unscored is UnscoredRule.RESCALE:
        return (
            f"{prefix}criteria not scored for an issue (no evidence) are left out and the"
            " weighted mean of its scored criteria is scaled to the full weight"
        )
    return f"{prefix}criteria not scored for an issue (no evidence) add nothing to its score"


def _matrix(
    combined: pd.DataFrame,
    *,
    criteria: Mapping[Criterion, CriterionScores],
    area: pd.DataFrame,
    inputs: AssessmentInputs,
    scoring: PriorityScoring,
) -> pd.DataFrame:
    issues = combined.index
    table = pd.DataFrame(
        {
            "priority_id": "priority:"
            + issues
            + ":"
            + inputs.area.code
            + ":"
            + inputs.period.label,
            "group_id": issues,
            "group_name": area.loc[issues, "indicator_name"].to_numpy(),
            "rank": combined["rank"].to_numpy(),
            "priority_score": combined["priority_score"].to_numpy(),
            "in_top": combined["rank"].to_numpy() <= scoring.top_n,
        }
    )
    evidence_all = pd.Series("", index=issues, dtype=object)
    for criterion, item in criteria.items():
        table[f"{criterion.value}_score"] = item.score[issues].to_numpy()
        table[f"{criterion.value}_value"] = item.value[issues].to_numpy()
        table[f"{criterion.value}_basis"] = item.basis[issues].to_numpy()
        table[f"{criterion.value}_evidence"] = item.evidence[issues].to_numpy()
        evidence_all = evidence_all + ";" + item.evidence[issues]
    table["evidence_row_ids"] = [
        ";".join(dict.fromkeys(part for part in text.split(";") if part)) for text in evidence_all
    ]
    weighed = [criterion for criterion in criteria if scoring.weights.get(criterion, 1.0) != 0]
    table["scored_criteria"] = combined["scored_criteria"].to_numpy()
    table["not_scored"] = [
        ", ".join(
            criterion.value.replace("_", " ")
            for criterion in weighed
            if pd.isna(criteria[criterion].score[issue])
        )
        for issue in issues
    ]
    table["score_rule"] = unscored_rule_words(scoring)
    table["count"] = area.loc[issues, "numerator"].to_numpy()
    table["baseline_count"] = (
        area.loc[issues, "baseline_numerator"].to_numpy()
        if "baseline_numerator" in area
        else np.nan
    )
    return table.reset_index(drop=True)


def _names(names: list[str]) -> str:
    lowered = [name[0].lower() + name[1:] for name in names]
    if len(lowered) == 1:
        return lowered[0]
    return ", ".join(lowered[:-1]) + " and " + lowered[-1]


def _public(matrix: pd.DataFrame) -> pd.DataFrame:
    """Values that could reveal counts under 5 removed: ``*_value`` columns and counts, and the
    sentences of issues with 1–4 events in the period or the baseline (a change reveals both)."""
    hidden = [c for c in matrix.columns if c.endswith("_value")] + ["count", "baseline_count"]
    # Texts quoting protected counts that disclosure control withholds are blanked then, with
    # the counts (safecity.assess.disclosure).
    return matrix.drop(columns=hidden)


def _sensitivity_sentence(sensitivity: pd.DataFrame, *, matrix: pd.DataFrame, top_n: int) -> str:
    """Whether the top issues are the same under every harm scenario, and if not, each list."""
    names = dict(zip(matrix["group_id"], matrix["group_name"].astype(str), strict=True))
    tops = {
        str(scenario): frame.loc[frame["in_top"]].sort_values("rank")["group_id"].tolist()
        for scenario, frame in sensitivity.groupby("scenario", sort=False)
    }
    if len({tuple(sorted(groups)) for groups in tops.values()}) == 1:
        return (
            f"The top {top_n} crime priorities are the same under every harm scenario "
            f"({', '.join(tops)})."
        )
    lists = "; ".join(
        f"{scenario}: {_names([names[group] for group in groups])}"
        for scenario, groups in tops.items()
    )
    return f"The top {top_n} crime priorities depend on how harm is scored ({lists})."


def _unscored_sentence(matrix: pd.DataFrame, *, criteria: Sequence[str]) -> str:
    """Which criteria were not scored for how many issues (no evidence), in one sentence."""
    parts = []
    for name in criteria:
        column = f"{name}_score"
        if column not in matrix:
            continue
        missing = int(matrix[column].isna().sum())
        if missing:
            issues = "every issue" if missing == len(matrix) else f"{missing} of {len(matrix)}"
            parts.append(f"{name.replace('_', ' ')} ({issues})")
    if not parts:
        return ""
    return (
        "Criteria not scored for lack of evidence, and left out of those issues' scores rather"
        f" than given a default: {', '.join(parts)}."
    )


def priorities(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 11: the scoring matrix, the top N and the ranking's sensitivity to harm."""
    scoring = load_priority_scoring()
    matrix, sensitivity, skipped, notes = priority_tables(inputs, scoring=scoring)
    if matrix.empty:
        return FamilyOutput(skipped=skipped, manifest={"status": skipped.get("priorities", "")})
    top = matrix[matrix["in_top"]].sort_values("rank")
    criteria = [name for name in notes["criteria"] if notes["weights"].get(name, 1.0) != 0]
    if scoring.combination is Combination.WEIGHTED_SUM:
        how = "weighted sum of " + ", ".join(name.replace("_", " ") for name in criteria)
    else:
        likelihood = " + ".join(criterion.value for criterion in scoring.likelihood_criteria)
        how = f"harm x ({likelihood.replace('_', ' ')})"
    sentence = (
        f"The top {len(top)} crime priorities for {inputs.area.name} in {inputs.period.label} "
        f"are {_names(top['group_name'].astype(str).tolist())} (priority scoring matrix, "
        f"{how} scores; {notes['unscored_rule']})."
    )
    findings = [
        Finding(
            finding_id="priorities_top",
            topic="priorities",
            sentence=sentence,
            row_ids=tuple(top["priority_id"]),
            methods=(MethodId.PRIORITY_SCORING.value,),
        )
    ]
    tops = {
        str(scenario): tuple(sorted(frame.loc[frame["in_top"], "group_id"]))
        for scenario, frame in sensitivity.groupby("scenario", sort=False)
    }
    stable = len(set(tops.values())) == 1
    notes["top_by_scenario"] = {scenario: list(groups) for scenario, groups in tops.items()}
    notes["top_stable_across_harm_scenarios"] = stable
    findings.append(
        Finding(
            finding_id="priorities_sensitivity",
            topic="priorities",
            sentence=_sensitivity_sentence(sensitivity, matrix=matrix, top_n=len(top)),
            row_ids=tuple(top["priority_id"]),
        )
    )
    unscored = _unscored_sentence(matrix, criteria=criteria)
    if unscored:
        findings.append(
            Finding(
                finding_id="priorities_not_scored",
                topic="priorities",
                sentence=unscored,
                row_ids=tuple(matrix.sort_values("rank")["priority_id"]),
                methods=(MethodId.PRIORITY_SCORING.value,),
            )
        )
    top_table = top[
        [
            "priority_id",
            "rank",
            "group_id",
            "group_name",
            "priority_score",
            "scored_criteria",
            "not_scored",
            "evidence_row_ids",
        ]
    ].reset_index(drop=True)
    return FamilyOutput(
        tables={
            "priority_scores": matrix,
            "priority_top": top_table,
            "priority_sensitivity": sensitivity,
        },
        public_tables={
            "priority_scores": _public(matrix),
            "priority_top": top_table,
            "priority_sensitivity": sensitivity,
        },
        skipped=skipped,
        findings=findings,
        manifest=notes,
    )
