"""The summary: key figures, headline sentences, position against other CSPs, top priorities."""

from __future__ import annotations

from safecity.report.context import (
    ReportContext,
    topic_findings,
)
from safecity.report.document import (
    Cell,
    KeyFigure,
    KeyFigures,
    Note,
    Paragraph,
    Priorities,
    Priority,
    Section,
    Sentence,
    SentenceList,
    Table,
)
from safecity.report.evidence import CitedRow, split_row_ids
from safecity.report.formatting import (
    MISSING,
    format_count,
    format_criterion_score,
    format_score,
)
from safecity.report.narrative import (
    PRIORITY_CRITERIA,
    area_row,
    benchmark_not_made,
    benchmark_sentences,
    change_sentence,
    evidence_text,
    harm_sentence,
    headline_key_figures,
    priority_sentence,
    volume_sentence,
)
from safecity.report.report_config import PriorityEvidence

CHANGE_FINDING_PREFIX = "change_"
"""Ids of the artefact's findings on change against the baseline (``change_<group>``)."""


CHANGES_SHOWN = 6
"""Statistically significant changes the summary's "What changed" lists (the rest counted)."""


def summary_section(
    context: ReportContext,
    findings: list[Sentence],
    topics: dict[str, str],
    *,
    priority_evidence: PriorityEvidence = PriorityEvidence.SUMMARY,
) -> tuple[Section, tuple[KeyFigure, ...]]:
    """The two-page summary: key figures and messages, what changed, the position against
    other partnerships and the top priorities (the recommendations drafted from them are
    placed after them by :mod:`safecity.report.commentary_section`).

    Parameters
    ----------
    context, findings, topics
        The report's context and its findings with their topics.
    priority_evidence
        Whether each priority's scores-and-evidence table is printed here or in the priority
        appendix (:func:`priority_appendix`).
    """
    section = Section(section_id="summary", number="", title="Summary")
    crime = area_row(
        context.index, group_id="all_crime", area_code=context.area_code, period=context.period
    )
    asb = area_row(
        context.index, group_id="asb", area_code=context.area_code, period=context.period
    )
    harm = context.index.get(f"harm_total:{context.area_code}:{context.period}")
    boxes = headline_key_figures(crime=crime, harm=harm, asb=asb)
    if boxes:
        section.blocks.append(KeyFigures(figures=boxes))
    paragraphs: list[list[Sentence]] = []
    if crime is not None:
        crime_sentences = [
            volume_sentence(
                crime,
                area_name=context.area_name,
                period=context.period,
                noun="crimes (police recorded crime, excluding anti-social behaviour)",
            )
        ]
        change = change_sentence(crime, subject="That is a")
        if change is not None:
            crime_sentences.append(change)
        paragraphs.append(crime_sentences)
    if harm is not None:
        paragraphs.append([harm_sentence(harm, area_name=context.area_name)])
    if asb is not None:
        asb_sentences = [
            volume_sentence(
                asb,
                area_name=context.area_name,
                period=context.period,
                noun="anti-social behaviour incidents",
            )
        ]
        change = change_sentence(asb, subject="For anti-social behaviour that is a")
        if change is not None:
            asb_sentences.append(change)
        paragraphs.append(asb_sentences)
    for sentences in paragraphs:
        section.blocks.append(Paragraph(sentences=tuple(sentences)))
    if not paragraphs:
        section.blocks.append(
            Note(text="The assessment has no figures for all crime in the area and period.")
        )
    changed = what_changed_section(context, findings)
    if changed is not None:
        section.subsections.append(changed)
    section.subsections.append(position_section(context))
    section.subsections.append(
        priorities_section(context, findings, topics, evidence=priority_evidence)
    )
    return section, boxes


def what_changed_section(context: ReportContext, findings: list[Sentence]) -> Section | None:
    """The statistically significant changes on the baseline (the artefact's own findings,
    ``change_*`` marked ``significant``), at most :data:`CHANGES_SHOWN`; ``None`` when none."""
    frame = context.artefact.table("findings")
    if frame is None or "significant" not in frame.columns:
        return None
    flags = frame["significant"].astype("boolean").fillna(False).astype(bool)
    significant = set(frame.loc[flags, "finding_id"].astype(str))
    changes = [
        sentence
        for sentence in findings
        if sentence.finding_id is not None
        and sentence.finding_id.startswith(CHANGE_FINDING_PREFIX)
        and sentence.finding_id in significant
    ]
    if not changes:
        return None
    section = Section(section_id="what-changed", number="", title="What changed")
    section.blocks.append(SentenceList(sentences=tuple(changes[:CHANGES_SHOWN])))
    rest = len(changes) - CHANGES_SHOWN
    if rest > 0:
        section.blocks.append(
            Note(
                text=f"{format_count(rest)} further statistically significant change"
                f"{'s are' if rest != 1 else ' is'} in the themes and the findings table."
            )
        )
    return section


def priority_appendix(context: ReportContext) -> Section | None:
    """Each top priority's scores and evidence (the rows behind each score), as an appendix;
    ``None`` when the assessment has no priority scores."""
    top = context.artefact.table("priority_top")
    if top is None or top.empty:
        return None
    section = Section(
        section_id="priority-appendix",
        number="",
        title="Priority scores and evidence",
        appendix=True,
    )
    for priority_id in top.sort_values("rank")["priority_id"].astype(str):
        row = context.index.get(priority_id)
        if row is None:
            continue
        section.blocks.append(_priority_evidence(context, row, _scores_row(context, priority_id)))
    return section


def position_section(context: ReportContext) -> Section:
    """All crime against the nation (only when the data cover it), the CSPs loaded, comparators.

    Comparisons not made are said, with the artefact's reason, in notes.
    """
    section = Section(section_id="position", number="", title="Against other partnerships")
    frame = context.artefact.table("benchmarking")
    sentences: list[Sentence] = []
    notes: list[str] = []
    if frame is not None and not frame.empty:
        rows = frame[(frame["group_id"] == "all_crime") & (frame["area_code"] == context.area_code)]
        for benchmark_id in rows["benchmark_id"].astype(str):
            row = context.index.get(benchmark_id)
            if row is not None:
                sentences.extend(benchmark_sentences(row, area_name=context.area_name))
                notes.extend(benchmark_not_made(row))
    if sentences:
        section.blocks.append(Paragraph(sentences=tuple(sentences)))
        section.blocks.extend(Note(text=note) for note in notes)
    else:
        reason = context.artefact.manifest.get("skipped", {}).get(
            "benchmarking", "the artefact has no benchmarking table for this audience"
        )
        section.blocks.append(
            Note(text=f"No comparison with other partnerships: {reason.rstrip('.')}.")
        )
    return section


def priorities_section(
    context: ReportContext,
    findings: list[Sentence],
    topics: dict[str, str],
    *,
    evidence: PriorityEvidence = PriorityEvidence.SUMMARY,
) -> Section:
    section = Section(section_id="priorities", number="", title="Top priorities")
    top = context.artefact.table("priority_top")
    if top is None or top.empty:
        section.blocks.append(
            Note(text="The assessment has no priority scores, so no priorities are ranked.")
        )
        return section
    overall = topic_findings(findings, topics, ("priorities",))
    if overall:
        section.blocks.append(Paragraph(sentences=tuple(overall)))
    with_evidence = evidence is PriorityEvidence.SUMMARY
    priorities: list[Priority] = []
    for priority_id in top.sort_values("rank")["priority_id"].astype(str):
        row = context.index.get(priority_id)
        if row is None:
            continue
        scores = _scores_row(context, priority_id)
        priorities.append(
            Priority(
                rank=format_count(row.values.get("rank")),
                name=str(row.values.get("group_name")),
                score=format_score(row.values.get("priority_score")),
                sentence=priority_sentence(row),
                evidence=_priority_evidence(context, row, scores) if with_evidence else None,
            )
        )
    section.blocks.append(Priorities(priorities=tuple(priorities)))
    if priorities and evidence is PriorityEvidence.APPENDIX:
        section.blocks.append(
            Note(text="The scores and the evidence behind each priority are in the appendix.")
        )
    if priorities and evidence is PriorityEvidence.DATA_FILES:
        section.blocks.append(
            Note(
                text="The scores on each criterion and the evidence behind them are in the"
                " published table of priority scores."
            )
        )
    return section


def _scores_row(context: ReportContext, priority_id: str) -> CitedRow | None:
    frame = context.artefact.table("priority_scores")
    if frame is None or frame.empty:
        return None
    match = frame.index[frame["priority_id"].astype(str) == priority_id]
    if len(match) == 0:
        return None
    values = {str(column): value for column, value in frame.loc[match[0]].items()}
    return CitedRow(table="priority_scores", row_id=priority_id, values=values)


def _priority_evidence(context: ReportContext, top: CitedRow, scores: CitedRow | None) -> Table:
    rows: list[tuple[Cell, ...]] = []
    if scores is not None:
        for key, label in PRIORITY_CRITERIA:
            evidence_ids = split_row_ids(scores.values.get(f"{key}_evidence"))
            evidence = (
                "; ".join(
                    dict.fromkeys(
                        evidence_text(context.index.get(row_id), row_id)[0]
                        for row_id in evidence_ids
                    )
                )
                or MISSING
            )
            rows.append(
                (
                    Cell(text=label),
                    Cell(
                        text=format_criterion_score(scores.values.get(f"{key}_score")),
                        numeric=True,
                    ),
                    Cell(text=str(scores.values.get(f"{key}_basis") or MISSING)),
                    Cell(text=evidence),
                )
            )
    else:
        for row_id in split_row_ids(top.values.get("evidence_row_ids")):
            text, _ = evidence_text(context.index.get(row_id), row_id)
            rows.append((Cell(text="Evidence"), Cell(text=""), Cell(text=""), Cell(text=text)))
    return Table(
        table_id=f"evidence-{top.values.get('group_id')}",
        caption=f"Scores and evidence: {top.values.get('group_name')}",
        columns=("Criterion", "Score (1–5)", "Basis", "Evidence"),
        rows=tuple(rows),
    )
