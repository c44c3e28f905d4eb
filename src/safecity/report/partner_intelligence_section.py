"""What partners reported: Community Partnership Intelligence submissions (partners' edition).

Built from the ``partner_intelligence`` family's table ``partner_intelligence_counts`` (the
partner copy of the artefact; the public copy never has it, so the public edition never shows
this section, and its manifest has no trace of the family) beside the police-recorded drug
offences of the same wards (the ``indicators`` rows of the ``drugs`` group at ward level).

The section says what the counts are (de-identified, every submission counted, graded by the
submitter, not recorded crime), gives the submissions by topic, a table of the wards with most
county-lines and exploitation submissions beside the police-recorded drug offences there, and
the family's findings. Without the table the section is absent and
:func:`partner_intelligence_absence` gives the sentence the data quality section prints instead
(the manifest's reason: not assessed, never zeros).

References
----------
College of Policing (2021) *Authorised Professional Practice: Intelligence management* (the
3x5x2 grading of intelligence reports).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from safecity.report.context import ReportContext
from safecity.report.document import (
    Cell,
    Note,
    Paragraph,
    Section,
    Sentence,
    SentenceList,
    Table,
)
from safecity.report.formatting import format_count

SECTION_ID = "partner_intelligence"
SECTION_TITLE = "Partner intelligence"
FAMILY = "partner_intelligence"
TABLE = "partner_intelligence_counts"
CONCENTRATION_TOPICS = ("county_lines", "exploitation")
COLUMN_HEADINGS = {
    "county_lines": "County lines submissions",
    "exploitation": "Exploitation submissions",
}
"""Short headings of the ward table's columns (the topics' labels are too long for a column)."""
POLICE_GROUP = "drugs"
WARDS_SHOWN = 5
NOT_LOADED = "no partner intelligence counts were loaded for this assessment"
TOPICS_FINDING = "partner_intelligence_topics"
"""The family's finding that already gives the submissions by topic (said once, not twice)."""


def partner_intelligence_table(context: ReportContext) -> pd.DataFrame | None:
    """The family's table, or ``None`` when the artefact (for this audience) has none."""
    table = context.artefact.table(TABLE)
    if table is None or table.empty:
        return None
    return table


def partner_intelligence_absence(context: ReportContext) -> str | None:
    """Why the partners' report has no partner-intelligence section (``None`` when it has)."""
    if partner_intelligence_table(context) is not None:
        return None
    families = context.artefact.manifest.get("families")
    family = families.get(FAMILY) if isinstance(families, Mapping) else None
    if isinstance(family, Mapping) and family.get("status") == "assessed":
        covered = len(family.get("months_covered") or [])
        return (
            f"This report has no “{SECTION_TITLE}” section: partners made no intelligence"
            f" submissions in the {covered} months of {context.period} the counts loaded cover."
        )
    skipped = context.artefact.manifest.get("skipped")
    reason = skipped.get(FAMILY) if isinstance(skipped, Mapping) else None
    text = str(reason).strip().rstrip(".") if reason else NOT_LOADED
    return f"This report has no “{SECTION_TITLE}” section: {text}."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def topic_sentence(table: pd.DataFrame, context: ReportContext) -> Sentence:
    """The submissions of the period by topic, most first."""
    by_topic = (
        table.groupby(["topic", "topic_label"], as_index=False)
        .agg(submissions=("submissions", "sum"))
        .sort_values(["submissions", "topic"], ascending=[False, True])
    )
    parts = "; ".join(
        f"{_lower_first(str(row['topic_label']))} {format_count(row['submissions'])}"
        for row in by_topic.to_dict("records")
    )
    return Sentence(
        text=f"Submissions in {context.period} by topic: {parts}"
        f" ({format_count(int(table['submissions'].sum()))} in all).",
        row_ids=tuple(str(row_id) for row_id in table["row_id"]),
    )


def _police_drugs(context: ReportContext) -> dict[str, tuple[int, str]]:
    indicators = context.artefact.table("indicators")
    if indicators is None or indicators.empty:
        return {}
    rows = indicators[
        (indicators["indicator_id"] == POLICE_GROUP) & (indicators["area_level"] == "ward")
    ]
    return {
        str(row["area_code"]): (int(row["numerator"]), str(row["row_id"]))
        for row in rows.to_dict("records")
        if not pd.isna(row["numerator"])
    }


def ward_table(table: pd.DataFrame, context: ReportContext) -> Table | None:
    """The wards with most county-lines and exploitation submissions, beside drug offences."""
    concerned = table[table["topic"].isin(CONCENTRATION_TOPICS) & table["ward_code"].notna()]
    if concerned.empty:
        return None
    wide = (
        concerned.pivot_table(
            index=["ward_code", "ward_name"],
            columns="topic",
            values="submissions",
            aggfunc="sum",
            fill_value=0,
        )
        .reindex(columns=list(CONCENTRATION_TOPICS), fill_value=0)
        .reset_index()
    )
    wide["_total"] = wide[list(CONCENTRATION_TOPICS)].sum(axis=1)
    wide = wide.sort_values(["_total", "ward_name"], ascending=[False, True]).head(WARDS_SHOWN)
    police = _police_drugs(context)
    rows = []
    for row in wide.to_dict("records"):
        offences = police.get(str(row["ward_code"]))
        rows.append(
            (
                Cell(text=str(row["ward_name"])),
                *(
                    Cell(text=format_count(row[topic]), count=int(row[topic]), numeric=True)
                    for topic in CONCENTRATION_TOPICS
                ),
                Cell(
                    text="not assessed" if offences is None else format_count(offences[0]),
                    count=None if offences is None else offences[0],
                    numeric=True,
                ),
            )
        )
    return Table(
        table_id="partner-intelligence-wards",
        caption=f"Wards with most submissions on county lines or exploitation, {context.period},"
        " beside police-recorded drug offences",
        columns=(
            "Ward",
            *(COLUMN_HEADINGS[topic] for topic in CONCENTRATION_TOPICS),
            "Police-recorded drug offences",
        ),
        rows=tuple(rows),
        note="What partners report and what the police record measure different things; a"
        " submission is intelligence graded by the partner who made it, not a recorded crime.",
    )


def partner_intelligence_section(
    context: ReportContext, *, findings: tuple[Sentence, ...] = ()
) -> Section | None:
    """The "Partner intelligence" section, or ``None`` without the family's table.

    Parameters
    ----------
    context
        The report's artefact (the audience's copies) and labels.
    findings
        The family's findings as sentences (printed in the section; when they give the
        submissions by topic, the section's own sentence saying so is left out).
    """
    table = partner_intelligence_table(context)
    if table is None:
        return None
    section = Section(section_id=SECTION_ID, number="", title=SECTION_TITLE)
    section.blocks.append(
        Paragraph(
            sentences=(
                Sentence(
                    text="Partners pass intelligence to the partnership through Community"
                    " Partnership Intelligence forms. These are counts of submissions by topic"
                    " and ward, without anything they say or anyone they name; every submission"
                    " counts, including those since deleted under the retention rules. This"
                    " section is in the partners' edition only.",
                    row_ids=(),
                ),
            )
        )
    )
    said = {sentence.finding_id for sentence in findings}
    opening = () if TOPICS_FINDING in said else (topic_sentence(table, context),)
    section.blocks.append(SentenceList(sentences=(*opening, *findings)))
    wards = ward_table(table, context)
    if wards is not None:
        section.blocks.append(wards)
    else:
        section.blocks.append(
            Note(text="No county-lines or exploitation submission was placed in a ward.")
        )
    return section


__all__ = [
    "SECTION_ID",
    "SECTION_TITLE",
    "partner_intelligence_absence",
    "partner_intelligence_section",
    "partner_intelligence_table",
]
