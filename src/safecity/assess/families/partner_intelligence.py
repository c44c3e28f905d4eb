"""The partner-intelligence family: where partners report exploitation and drug-dealing concerns.

Reads the de-identified monthly counts of Community Partnership Intelligence submissions the
web site exports (``safecity load intelligence-counts``) for the assessed area in the period,
and makes one table, ``partner_intelligence_counts`` (submissions by month, topic and ward,
:mod:`safecity.assess.partner_intelligence_tables`), and a few findings: the submissions by
topic and the topic with most; the wards where county-lines and exploitation submissions are
concentrated, beside the police-recorded drug offences of those wards in the same period (the
``indicators`` numerator of the ``drugs`` group) when that group was assessed.

The family is partner-only evidence (issue 14): it has no public tables, its findings cite only
its own partner table (so :func:`safecity.assess.disclosure.public_findings` never publishes
them) and public readers see the manifest without it
(:func:`~safecity.assess.partner_intelligence_tables.public_manifest`).

When no counts are loaded for the area, or the loaded exports cover no month of the period, the
family is not assessed: the manifest and ``skipped`` say why, and no table of zeros is written
(methods.md §0.2a: an absent source is "not assessed").
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.findings import Finding
from safecity.assess.partner_intelligence_tables import (
    FAMILY,
    NO_WARD_NAME,
    OUTSIDE_WARD_NAME,
    TABLE,
    IntelligenceCounts,
    counts_table,
    loaded_areas,
    month_words,
    outside_wards,
    read_intelligence_counts,
)
from safecity.assess.periods import Period
from safecity.config.intelligence import intelligence_config

CONCENTRATION_TOPICS = ("county_lines", "exploitation")
"""Topics whose wards are compared with police-recorded drug offences."""
CONCENTRATION_WORDS = "county lines, drug dealing or exploitation"
"""How findings name the concentration topics together."""
POLICE_GROUP = "drugs"
"""The crime group beside which the concentration topics' wards are shown."""
WARDS_NAMED = 3
"""Wards named in the concentration finding (most submissions first)."""
NOTHING_LOADED = (
    "no partner intelligence counts are loaded, so where partners report exploitation, county"
    " lines and other concerns is not assessed (load the web site's export: safecity load"
    " intelligence-counts)"
)
AUDIENCE = "partners only: never in the public copy, the observatory, the API or the public edition"


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def _not_assessed(reason: str) -> FamilyOutput:
    return FamilyOutput(
        skipped={FAMILY: reason},
        manifest={"status": "not assessed", "reason": reason, "audience": AUDIENCE},
    )


def _all_row_ids(table: pd.DataFrame) -> tuple[str, ...]:
    return tuple(str(row_id) for row_id in table["row_id"])


def _topic_finding(table: pd.DataFrame, *, period: Period, covered: str) -> Finding:
    by_topic = (
        table.groupby(["topic", "topic_label"], as_index=False)
        .agg(submissions=("submissions", "sum"))
        .sort_values(["submissions", "topic"], ascending=[False, True])
    )
    total = int(table["submissions"].sum())
    top = by_topic.iloc[0]
    parts = ", ".join(
        f"{_lower(str(row['topic_label']))} {int(row['submissions']):,}"
        for row in by_topic.to_dict("records")
    )
    return Finding(
        finding_id="partner_intelligence_topics",
        topic=FAMILY,
        sentence=(
            f"Partners made {total:,} Community Partnership Intelligence submissions in"
            f" {period.words}{covered} ({parts}); the topic with most was"
            f" {_lower(str(top['topic_label']))}, {int(top['submissions']):,}"
            f" ({100 * int(top['submissions']) / total:.0f}%)."
        ),
        row_ids=_all_row_ids(table),
    )


def _police_drugs(inputs: AssessmentInputs, ward_codes: list[str]) -> dict[str, tuple[int, str]]:
    """Ward -> (police-recorded drug offences in the period, indicator row id), where known."""
    indicators = inputs.indicators
    if indicators.empty or POLICE_GROUP not in inputs.sources:
        return {}
    rows = indicators[
        (indicators["indicator_id"] == POLICE_GROUP)
        & (indicators["area_level"] == "ward")
        & (indicators["area_code"].isin(ward_codes))
    ]
    return {
        str(row["area_code"]): (int(row["numerator"]), str(row["row_id"]))
        for row in rows.to_dict("records")
        if not pd.isna(row["numerator"])
    }


def _concentration_finding(
    table: pd.DataFrame, *, inputs: AssessmentInputs, topic_words: str
) -> Finding | None:
    concerned = table[table["topic"].isin(CONCENTRATION_TOPICS)]
    placed = concerned[
        concerned["ward_code"].notna() & ~concerned["ward_name"].isin([OUTSIDE_WARD_NAME])
    ]
    if placed.empty:
        return None
    total = int(concerned["submissions"].sum())
    by_ward = (
        placed.groupby(["ward_code", "ward_name"], as_index=False)
        .agg(submissions=("submissions", "sum"))
        .sort_values(["submissions", "ward_name"], ascending=[False, True])
        .head(WARDS_NAMED)
    )
    wards = [str(code) for code in by_ward["ward_code"]]
    parts = ", ".join(
        f"{row['ward_name']} ({int(row['submissions']):,},"
        f" {100 * int(row['submissions']) / total:.0f}%)"
        for row in by_ward.to_dict("records")
    )
    police = _police_drugs(inputs, wards)
    cited = _all_row_ids(placed[placed["ward_code"].isin(wards)])
    if police and all(ward in police for ward in wards):
        recorded = [f"{police[ward][0]:,}" for ward in wards]
        listed = (
            recorded[0] if len(recorded) == 1 else ", ".join(recorded[:-1]) + f" and {recorded[-1]}"
        )
        beside = (
            f"; the police recorded {listed} drug offences in"
            f" {'these wards' if len(wards) > 1 else 'it'} in the same period (what partners"
            " report and what the police record measure different things: neither confirms"
            " the other)"
        )
        cited = (*cited, *(police[ward][1] for ward in wards))
    else:
        beside = (
            "; police-recorded drug offences by ward are not in this assessment, so they are"
            " not shown beside them"
        )
    return Finding(
        finding_id="partner_intelligence_wards_county_lines_exploitation",
        topic=FAMILY,
        sentence=(
            f"Of the {total:,} submissions on {topic_words} in {inputs.period.words}, most were"
            f" about {parts}{beside}."
        ),
        row_ids=cited,
    )


def _manifest(
    counts: IntelligenceCounts, table: pd.DataFrame, *, inputs: AssessmentInputs
) -> dict[str, Any]:
    return {
        "status": "assessed",
        "audience": AUDIENCE,
        "table": TABLE,
        "source_files": list(counts.files),
        "months_covered": [f"{month:%Y-%m}" for month in counts.period_months],
        "months_in_period": len(inputs.period.months),
        "submissions": int(table["submissions"].sum()),
        "submissions_in_no_ward": int(
            table.loc[table["ward_name"] == NO_WARD_NAME, "submissions"].sum()
        ),
        "wards_outside_the_area": outside_wards(counts, area=inputs.area),
        "police_beside": (
            f"the indicators numerator of the {POLICE_GROUP!r} crime group by ward, when assessed"
        ),
    }


def partner_intelligence(inputs: AssessmentInputs) -> FamilyOutput:
    """The partner-intelligence family (see the module)."""
    config = intelligence_config()
    areas = loaded_areas(inputs.warehouse)
    if not areas:
        return _not_assessed(NOTHING_LOADED)
    if inputs.area.code not in areas:
        return _not_assessed(
            f"no partner intelligence counts are loaded for {inputs.area.name}"
            f" ({inputs.area.code}); those loaded are of {', '.join(areas)}"
        )
    counts = read_intelligence_counts(
        inputs.warehouse, area_code=inputs.area.code, period=inputs.period
    )
    if not counts.period_months:
        return _not_assessed(
            f"the partner intelligence counts loaded for {inputs.area.code} cover"
            f" {month_words(counts.all_months)}, no month of {inputs.period.words}"
        )
    table = counts_table(counts, config=config, area=inputs.area)
    findings: list[Finding] = []
    partial = len(counts.period_months) < len(inputs.period.months)
    covered = (
        f" (the counts loaded cover {len(counts.period_months)} of its"
        f" {len(inputs.period.months)} months, {month_words(counts.period_months)})"
        if partial
        else ""
    )
    if not table.empty:
        findings.append(_topic_finding(table, period=inputs.period, covered=covered))
        concentration = _concentration_finding(
            table, inputs=inputs, topic_words=CONCENTRATION_WORDS
        )
        if concentration is not None:
            findings.append(concentration)
    return FamilyOutput(
        tables={TABLE: table},
        findings=findings,
        manifest=_manifest(counts, table, inputs=inputs),
    )


__all__ = ["CONCENTRATION_TOPICS", "NOTHING_LOADED", "POLICE_GROUP", "partner_intelligence"]
