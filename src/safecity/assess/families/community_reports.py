"""The community-reports family: what residents, reporting centres and businesses reported.

Reads the de-identified monthly counts the web site exports (``safecity load
community-reports``) for the assessed area, in the period and the baseline, and makes the five
tables of :mod:`safecity.assess.community_reports_tables` (summary by kind and channel,
monthly, hate by strand beside police-recorded hate crime, by ward, business by category), their
public copies (:mod:`safecity.assess.community_reports_disclosure`: counts under the threshold
withheld with secondary suppression) and findings. A change between the periods is compared
per month covered with the exact conditional rate-ratio test (methods.md §2.2a), and a
sentence says "statistically significant" only when that test does, naming it.

When no community reports are loaded for the area, or the loaded exports cover no month of
the period, the family is not assessed: the manifest and ``skipped`` say why, and no table
of zeros is written (methods.md §0.2a: an absent source is "not assessed").
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from safecity.assess.community_reports_disclosure import public_copies
from safecity.assess.community_reports_tables import (
    ALL,
    CHANGE_TEST,
    CommunityReportCounts,
    as_float,
    business_table,
    loaded_areas,
    month_words,
    monthly_table,
    not_made,
    outside_wards,
    read_community_reports,
    strand_table,
    summary_table,
    ward_table,
)
from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.assess.wording import MethodId, TestWording, p_value_words
from safecity.config.community_reports import CommunityReportsConfig, community_reports_config

FAMILY = "community_reports"
SOURCE = "community_reports"
BUSINESS_KIND = "business"
HATE_KIND = "hate"
REPORTS_PER_MONTH = TestWording(
    words="an exact test comparing the reports received per month in the two periods",
    method=MethodId.RATE_RATIO_TEST,
)
"""How findings name the comparison of two periods' reports (methods.md §2.2a)."""
NOTHING_LOADED = (
    "no community reports are loaded, so what residents, reporting centres and businesses"
    " reported is not assessed (load the web site's export: safecity load community-reports)"
)
KIND_WORDS = {"hate": "hate incident reports", "concern": "community safety concerns"}
STRANDS_BESIDE_POLICE = 2
"""Strands (most reported first) given a sentence beside police-recorded hate crime."""


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def _kind_words(kind: str, label: str) -> str:
    if kind == BUSINESS_KIND:
        return "business crime reports"
    return KIND_WORDS.get(kind, label[0].lower() + label[1:])


def _change_words(
    row: Mapping[Hashable, Any], *, period: Period, baseline: Period
) -> tuple[str, bool]:
    """ ", compared with 71 in 2023/24: a 24% increase, not a statistically significant change
    (…)" and whether it is significant."""
    then = row.get("reports_previous", row.get("community_reports_previous"))
    if not_made(row):
        return f"; no change on {baseline.words} is reported ({not_made(row)})", False
    significant = bool(row["change_significant"])
    verdict = (
        "a statistically significant change"
        if significant
        else ("not a statistically significant change")
    )
    test = f"{REPORTS_PER_MONTH.words}, {p_value_words(as_float(row['change_p_value']))}"
    change = as_float(row["change_pct"])
    if pd.isna(change):
        moved = f", compared with none in {baseline.words}"
    elif change == 0:
        moved = f", the same as in {baseline.words}"
    else:
        direction = "increase" if change > 0 else "decrease"
        moved = (
            f", compared with {int(as_float(then)):,} in {baseline.words}: a"
            f" {abs(change):.0f}% {direction}"
        )
    return f"{moved}, {verdict} ({test})", significant


def _overall_findings(summary: pd.DataFrame, *, period: Period, baseline: Period) -> list[Finding]:
    total = summary[(summary["kind"] == ALL) & (summary["channel"] == ALL)].iloc[0].to_dict()
    kinds = summary[(summary["kind"] != ALL) & (summary["channel"] == ALL)]
    parts = [
        f"{_kind_words(str(row['kind']), str(row['kind_label']))} {int(row['reports']):,}"
        for row in kinds.to_dict("records")
    ]
    change, significant = _change_words(total, period=period, baseline=baseline)
    findings = [
        Finding(
            finding_id="community_reports_total",
            topic=FAMILY,
            sentence=(
                f"Residents, third-party reporting centres and businesses made"
                f" {int(total['reports']):,} community reports to the partnership in"
                f" {period.words} ({', '.join(parts)}){change}."
            ),
            row_ids=(str(total["row_id"]), *(str(row_id) for row_id in kinds["row_id"])),
            significant=significant,
            methods=(REPORTS_PER_MONTH.method.value,) if not not_made(total) else (),
        )
    ]
    for row in kinds.to_dict("records"):
        if not_made(row):
            continue
        change, significant = _change_words(row, period=period, baseline=baseline)
        words = _kind_words(str(row["kind"]), str(row["kind_label"]))
        findings.append(
            Finding(
                finding_id=f"community_reports_change_{row['kind']}",
                topic=FAMILY,
                sentence=(
                    f"{words[0].upper()}{words[1:]}: {int(row['reports']):,} in {period.words}"
                    f"{change}."
                ),
                row_ids=(str(row["row_id"]),),
                significant=significant,
                methods=(REPORTS_PER_MONTH.method.value,),
            )
        )
    centre = summary[(summary["kind"] == HATE_KIND) & (summary["channel"] == "reporting_centre")]
    hate = kinds[kinds["kind"] == HATE_KIND]
    if not centre.empty and not hate.empty and int(hate.iloc[0]["reports"]) > 0:
        through, of = int(centre.iloc[0]["reports"]), int(hate.iloc[0]["reports"])
        findings.append(
            Finding(
                finding_id="community_reports_hate_reporting_centres",
                topic=FAMILY,
                sentence=(
                    f"Third-party reporting centres passed on {through:,} of the {of:,} hate"
                    f" incident reports in {period.words} ({100 * through / of:.0f}%)."
                ),
                row_ids=(str(centre.iloc[0]["row_id"]), str(hate.iloc[0]["row_id"])),
            )
        )
    return findings


def _strand_findings(strands: pd.DataFrame, *, period: Period, baseline: Period) -> list[Finding]:
    findings = []
    for row in strands.to_dict("records"):
        if not_made(row) or not bool(row["change_significant"]):
            continue
        before, after = int(row["community_reports_previous"]), int(row["community_reports"])
        verb = "rose" if after > before else "fell"
        findings.append(
            Finding(
                finding_id=f"community_reports_strand_change_{row['strand']}",
                topic=FAMILY,
                sentence=(
                    f"Hate incident reports naming {str(row['strand_label']).lower()} {verb} from"
                    f" {before:,} in {baseline.words} to {after:,} in {period.words}, a"
                    f" statistically significant change ({REPORTS_PER_MONTH.words},"
                    f" {p_value_words(as_float(row['change_p_value']))})."
                ),
                row_ids=(str(row["row_id"]),),
                significant=True,
                methods=(REPORTS_PER_MONTH.method.value,),
            )
        )
    known = strands[strands["police_recorded"].notna()]
    if known.empty:
        notes = strands["police_recorded_note"].dropna().astype(str)
        if not notes.empty:
            findings.append(
                Finding(
                    finding_id="community_reports_police_not_known",
                    topic=FAMILY,
                    sentence=(
                        "Police-recorded hate crime by strand is not shown beside the"
                        f" community reports: {notes.iloc[0]}."
                    ),
                    row_ids=tuple(str(row_id) for row_id in strands["row_id"]),
                )
            )
        return findings
    top = known.sort_values(["community_reports", "strand"], ascending=[False, True])
    for row in top.head(STRANDS_BESIDE_POLICE).to_dict("records"):
        label = str(row["strand_label"]).lower()
        findings.append(
            Finding(
                finding_id=f"community_reports_beside_police_{row['strand']}",
                topic=FAMILY,
                sentence=(
                    f"In {period.words} the partnership received {int(row['community_reports']):,}"
                    f" hate incident reports naming {label}; the police recorded"
                    f" {int(row['police_recorded']):,} hate crimes flagged for {label} in the"
                    " same period (many incidents reported to one are not reported to the"
                    " other)."
                ),
                row_ids=(str(row["row_id"]),),
            )
        )
    return findings


def _business_findings(
    summary: pd.DataFrame, business: pd.DataFrame, *, period: Period
) -> list[Finding]:
    total = summary[(summary["kind"] == BUSINESS_KIND) & (summary["channel"] == ALL)]
    if total.empty or not int(total.iloc[0]["reports"]):
        return []
    row = total.iloc[0]
    losses = as_float(row["losses_pounds"])
    top = business.sort_values(["reports", "category"], ascending=[False, True]).iloc[0]
    loss_words = (
        f", with £{losses:,.2f} of losses recorded"
        if not pd.isna(losses)
        else ", with no losses recorded"
    )
    return [
        Finding(
            finding_id="community_reports_business",
            topic=FAMILY,
            sentence=(
                f"Businesses reported {int(row['reports']):,} crimes and incidents in"
                f" {period.words}{loss_words}; {int(top['reports']):,} of them were"
                f" {_lower(str(top['category_label']))}."
            ),
            row_ids=(str(row["row_id"]), str(top["row_id"])),
        )
    ]


def _coverage_findings(
    counts: CommunityReportCounts, summary: pd.DataFrame, *, period: Period, baseline: Period
) -> list[Finding]:
    total_id = str(
        summary[(summary["kind"] == ALL) & (summary["channel"] == ALL)].iloc[0]["row_id"]
    )
    findings = []
    for which, months, covered in (
        (period, period.months, counts.period_months),
        (baseline, baseline.months, counts.baseline_months),
    ):
        if 0 < len(covered) < len(months):
            findings.append(
                Finding(
                    finding_id=f"community_reports_coverage_{which.label}".replace("/", "_"),
                    topic=FAMILY,
                    sentence=(
                        f"The community reports loaded cover {len(covered)} of the"
                        f" {len(months)} months of {which.words} ({month_words(covered)}):"
                        " counts are for those months, and changes compare reports per month"
                        " covered."
                    ),
                    row_ids=(total_id,),
                )
            )
    return findings


def _not_assessed(reason: str, config: CommunityReportsConfig) -> FamilyOutput:
    return FamilyOutput(
        skipped={FAMILY: reason},
        manifest={
            "status": "not assessed",
            "reason": reason,
            "minimum_public_count": config.minimum_public_count,
        },
    )


def community_reports(inputs: AssessmentInputs) -> FamilyOutput:
    """The community-reports family (see the module)."""
    config = community_reports_config()
    areas = loaded_areas(inputs.warehouse)
    if not areas:
        return _not_assessed(NOTHING_LOADED, config)
    if inputs.area.code not in areas:
        return _not_assessed(
            f"no community reports are loaded for {inputs.area.name} ({inputs.area.code});"
            f" those loaded are of {', '.join(areas)}",
            config,
        )
    counts = read_community_reports(
        inputs.warehouse,
        area_code=inputs.area.code,
        period=inputs.period,
        baseline=inputs.baseline,
    )
    if not counts.period_months:
        return _not_assessed(
            f"the community reports loaded for {inputs.area.code} cover"
            f" {month_words(counts.all_months)}, no month of {inputs.period.words}",
            config,
        )
    summary = summary_table(counts, config=config)
    strands = strand_table(
        counts,
        config=config,
        indicators=inputs.indicators,
        sources=inputs.sources,
        area_code=inputs.area.code,
    )
    business = business_table(counts, config=config, business_kind=BUSINESS_KIND)
    tables = {
        "community_reports_summary": summary,
        "community_reports_monthly": monthly_table(counts, config=config, period=inputs.period),
        "community_reports_strand": strands,
        "community_reports_ward": ward_table(counts, config=config, area=inputs.area),
        "community_reports_business": business,
    }
    threshold = max(inputs.policy.threshold, config.minimum_public_count)
    if inputs.policy.protects(SOURCE):
        public, account = public_copies(
            tables, counts=counts, area_code=inputs.area.code, threshold=threshold
        )
    else:
        public, account = dict(tables), {"rule": "not protected by the disclosure policy"}
    findings = (
        _coverage_findings(counts, summary, period=inputs.period, baseline=inputs.baseline)
        + _overall_findings(summary, period=inputs.period, baseline=inputs.baseline)
        + _strand_findings(strands, period=inputs.period, baseline=inputs.baseline)
        + _business_findings(summary, business, period=inputs.period)
    )
    total = summary[(summary["kind"] == ALL) & (summary["channel"] == ALL)].iloc[0]
    manifest: dict[str, Any] = {
        "status": "assessed",
        "source_files": list(counts.files),
        "months_covered": {
            "period": [f"{month:%Y-%m}" for month in counts.period_months],
            "baseline": [f"{month:%Y-%m}" for month in counts.baseline_months],
        },
        "reports": {
            "period": int(total["reports"]),
            "baseline": None
            if pd.isna(total["reports_previous"])
            else int(total["reports_previous"]),
        },
        "reports_outside_the_area_wards": outside_wards(counts, area=inputs.area),
        "minimum_public_count": config.minimum_public_count,
        "threshold": threshold,
        "test": CHANGE_TEST,
        "police_recorded": (
            "the indicators numerator of each strand's police crime group (force extract)"
        ),
        "disclosure": {
            **account,
            "rule": (
                "counts under the threshold withheld with every figure revealing them (losses,"
                " changes), with secondary suppression across the five tables, audited by linear"
                " programming (methods.md §0.2a); police-recorded counts share the indicators'"
                " disclosure control"
            ),
        },
    }
    return FamilyOutput(tables=tables, public_tables=public, findings=findings, manifest=manifest)


__all__ = ["NOTHING_LOADED", "REPORTS_PER_MONTH", "community_reports"]
