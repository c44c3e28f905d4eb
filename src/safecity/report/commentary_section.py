"""Recommendations, the analyst's commentary and area context notes, placed in the report.

:func:`apply_commentary` runs after the document is assembled and adds:

* a "Recommendations" subsection after the top priorities (in the summary): each drafted
  recommendation (:mod:`safecity.report.recommendations`) as the analyst decided it (accepted,
  edited, rejected with the reason, or awaiting review), citing its rows, with the criteria
  behind it in a table;
* commentary on a section at the end of that section's text, and commentary on an indicator
  in the theme section that shows it (else in a closing "Analyst's commentary" section);
* each area's context note in every table row that heads with the area's name and GSS code
  (the ward tables, the charts' data tables) and under every chart that shows the area.

Unknown section ids, indicator ids, area codes or recommendation groups are refused with the
ids that are known, so a typing error in the commentary file never drops a comment silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from safecity.report.artefact_reader import AssessmentArtefact
from safecity.report.commentary import (
    Commentary,
    CommentaryEntry,
    CommentaryError,
    Decision,
    RecommendationDecision,
    Target,
)
from safecity.report.document import (
    Block,
    Cell,
    CommentaryBlock,
    Document,
    FigureBlock,
    Note,
    Paragraph,
    Section,
    Sentence,
    Table,
)
from safecity.report.evidence import RowIndex
from safecity.report.formatting import MISSING
from safecity.report.narrative import evidence_text
from safecity.report.recommendations import (
    PRIORITY_SCORES_TABLE,
    PRIORITY_TOP_TABLE,
    Recommendation,
    RecommendationKind,
    draft_recommendations,
)
from safecity.report.report_config import PriorityEvidence, edition, themes

RECOMMENDATIONS_SECTION = "recommendations"
COMMENTARY_SECTION = "analyst-commentary"
CONTEXT_LABEL = "Context"

DECISION_WORDS = {
    Decision.ACCEPTED: "Accepted",
    Decision.EDITED: "Accepted as edited",
    Decision.REJECTED: "Rejected",
}
AWAITING = "Drafted from the priority scores; not yet reviewed by the partnership's analyst."


def recommendation_sections(
    recommendations: list[Recommendation],
    decisions: dict[str, RecommendationDecision],
    *,
    index: RowIndex,
    evidence_tables: bool = True,
) -> Section:
    """The "Recommendations" subsection: each recommendation as decided, and its evidence.

    With ``evidence_tables`` False (an edition that leaves the priorities' evidence to the data
    files) each recommendation keeps its sentence, which names its criteria and cites its rows,
    and the criteria's table is left to the published ``priority_scores`` table.
    """
    section = Section(section_id=RECOMMENDATIONS_SECTION, number="", title="Recommendations")
    if not recommendations:
        section.blocks.append(
            Note(text="The assessment has no priority scores, so no recommendations are drafted.")
        )
        return section
    section.blocks.append(
        Paragraph(
            sentences=(
                Sentence(
                    text="Recommendations are drafted from the priority scoring matrix and"
                    " reviewed by the partnership's analyst, who accepts, edits or rejects"
                    " each one; "
                    + (
                        "the criteria behind each are listed with the rows they rest on."
                        if evidence_tables
                        else "the criteria behind each, with the rows they rest on, are in the"
                        " published table of priority scores."
                    ),
                    row_ids=(),
                ),
            )
        )
    )
    if not decisions:
        section.blocks.append(Note(text=AWAITING, tone="info"))
    for number, recommendation in enumerate(recommendations, start=1):
        decision = decisions.get(recommendation.group_id)
        section.blocks.extend(
            _recommendation_blocks(
                number,
                recommendation,
                decision,
                index,
                evidence_tables=evidence_tables,
                any_decided=bool(decisions),
            )
        )
    return section


def _evidence(row_ids: tuple[str, ...], index: RowIndex) -> str:
    """The cited rows in readers' words, with their figures (as the priorities' tables)."""
    return "; ".join(
        dict.fromkeys(evidence_text(index.get(row_id), row_id)[0] for row_id in row_ids)
    )


def _recommendation_blocks(
    number: int,
    recommendation: Recommendation,
    decision: RecommendationDecision | None,
    index: RowIndex,
    *,
    evidence_tables: bool,
    any_decided: bool,
) -> list[Block]:
    kind = "Watch" if recommendation.kind is RecommendationKind.WATCH else "Priority"
    text = (
        decision.text
        if decision is not None and decision.decision is Decision.EDITED
        else recommendation.text
        if evidence_tables
        else recommendation.short_text
    )
    blocks: list[Block] = [
        Paragraph(
            sentences=(
                Sentence(
                    text=f"Recommendation {number} ({kind.lower()}): {text}",
                    row_ids=recommendation.row_ids,
                ),
            )
        )
    ]
    if decision is None:
        status = "" if not any_decided else "Not yet reviewed by the partnership's analyst."
    else:
        status = f"{DECISION_WORDS[decision.decision]} by {decision.attribution.words}."
        if decision.decision is Decision.EDITED:
            status += f" The draft read: {recommendation.text}"
        if decision.reason:
            status += f" Reason: {decision.reason}"
    tone = "warning" if decision is not None and decision.decision is Decision.REJECTED else "info"
    if status:
        blocks.append(Note(text=status, tone=tone))
    if recommendation.drivers and evidence_tables:
        blocks.append(
            Table(
                table_id=f"recommendation-{recommendation.group_id}",
                caption=f"Evidence behind recommendation {number}: {recommendation.group_name}",
                columns=("Criterion", "Score (1–5)", "Basis", "Evidence"),
                rows=tuple(
                    (
                        Cell(text=driver.label[:1].upper() + driver.label[1:]),
                        Cell(text=f"{driver.score:.0f}", numeric=True),
                        Cell(text=driver.basis),
                        Cell(text=_evidence(driver.row_ids, index) or MISSING),
                    )
                    for driver in recommendation.drivers
                ),
            )
        )
    return blocks


def _block_for(entry: CommentaryEntry, *, label: str) -> CommentaryBlock:
    return CommentaryBlock(label=label, html=entry.html, attribution=entry.attribution.words)


def _refuse_unknown(kind: str, given: Iterable[str], known: Iterable[str]) -> None:
    known_set = set(known)
    unknown = sorted(set(given) - known_set)
    if unknown:
        raise CommentaryError(
            f"the commentary names {kind} that the report does not have: {unknown};"
            f" known: {sorted(known_set)}"
        )


def _all_sections(document: Document) -> list[Section]:
    found: list[Section] = []
    pending = list(document.sections)
    while pending:
        section = pending.pop(0)
        found.append(section)
        pending.extend(section.subsections)
    return found


def _place_recommendations(document: Document, section: Section) -> None:
    summary = document.section("summary")
    if summary is None:
        document.sections.insert(0, section)
        return
    positions = [sub.section_id for sub in summary.subsections]
    after = positions.index("priorities") + 1 if "priorities" in positions else len(positions)
    summary.subsections.insert(after, section)


def _indicator_home(document: Document, indicator_id: str) -> Section | None:
    """The section that shows ``indicator_id``'s ward table or chart: the section holding its
    ward table, else the section of the first theme (``themes.yaml``) that lists the group."""
    for top in document.sections:
        for section in [top, *top.subsections]:
            for block in section.blocks:
                if isinstance(block, Table) and block.table_id == f"wards-{indicator_id}":
                    return top
    by_id = {section.section_id: section for section in document.sections}
    for theme in themes():
        if indicator_id in theme.groups and f"theme-{theme.theme_id}" in by_id:
            return by_id[f"theme-{theme.theme_id}"]
    return None


def _area_names(artefact: AssessmentArtefact) -> dict[str, str]:
    indicators = artefact.table("indicators")
    if indicators is None or indicators.empty:
        return {}
    return dict(
        zip(indicators["area_code"].astype(str), indicators["area_name"].astype(str), strict=False)
    )


def _with_notes(table: Table, notes: dict[str, tuple[str, str]]) -> tuple[Table, list[str]]:
    """The table with each noted area's row head carrying its note; the codes noted."""
    rows = []
    noted: list[str] = []
    for row in table.rows:
        head = row[0].text if row else ""
        code = next((code for code in notes if f"({code})" in head), None)
        if code is None:
            rows.append(row)
            continue
        text, _ = notes[code]
        rows.append(
            (dataclasses.replace(row[0], text=f"{head} — {CONTEXT_LABEL}: {text}"), *row[1:])
        )
        noted.append(code)
    if not noted:
        return table, []
    attribution = " ".join(
        f"{CONTEXT_LABEL} for {code}: {notes[code][1]}." for code in dict.fromkeys(noted)
    )
    note = f"{table.note} {attribution}" if table.note else attribution
    return dataclasses.replace(table, rows=tuple(rows), note=note), noted


def _figure_with_notes(
    figure: FigureBlock, notes: dict[str, tuple[str, str]], names: dict[str, str]
) -> FigureBlock:
    data_table, noted = _with_notes(figure.data_table, notes)
    cells = " ".join(cell.text for row in figure.data_table.rows for cell in row)
    for code in notes:
        name = names.get(code, "")
        if code not in noted and (code in cells or (name and name in cells.split(" "))):
            noted.append(code)
    if not noted:
        return figure
    words = " ".join(
        f"{CONTEXT_LABEL}: {names.get(code, code)} ({code}): {notes[code][0]} ({notes[code][1]})."
        for code in dict.fromkeys(noted)
    )
    note = f"{figure.note} {words}" if figure.note else words
    return dataclasses.replace(figure, data_table=data_table, note=note)


def _apply_area_notes(
    document: Document, notes: dict[str, tuple[str, str]], names: dict[str, str]
) -> None:
    for section in _all_sections(document):
        blocks: list[Block] = []
        for block in section.blocks:
            if isinstance(block, Table):
                blocks.append(_with_notes(block, notes)[0])
            elif isinstance(block, FigureBlock):
                blocks.append(_figure_with_notes(block, notes, names))
            else:
                blocks.append(block)
        section.blocks = blocks


def _plain_note(entry: CommentaryEntry) -> str:
    """A context note as one line of text (the Markdown source, whitespace folded)."""
    return " ".join(entry.markdown.split())


def apply_commentary(
    document: Document,
    *,
    artefact: AssessmentArtefact,
    index: RowIndex,
    commentary: Commentary,
) -> list[Recommendation]:
    """Add the recommendations, commentary and context notes to ``document`` (in place).

    Returns the drafted recommendations (each citing only rows in ``index``).

    Raises
    ------
    CommentaryError
        When the commentary names a recommendation, section, indicator or area the report
        does not have; the message lists those it has.
    """
    period = document.cover.period
    recommendations = draft_recommendations(
        scores=artefact.table(PRIORITY_SCORES_TABLE),
        top=artefact.table(PRIORITY_TOP_TABLE),
        period=period,
        known_rows=index,
    )
    _refuse_unknown(
        "recommendations",
        commentary.decisions,
        (recommendation.group_id for recommendation in recommendations),
    )
    sections = commentary.for_target(Target.SECTION)
    _refuse_unknown(
        "sections", sections, (section.section_id for section in _all_sections(document))
    )
    names = _area_names(artefact)
    areas = commentary.for_target(Target.AREA)
    _refuse_unknown("areas", areas, names)
    indicators = commentary.for_target(Target.INDICATOR)
    frame = artefact.table("indicators")
    indicator_names = (
        dict(
            zip(
                frame["indicator_id"].astype(str), frame["indicator_name"].astype(str), strict=False
            )
        )
        if frame is not None
        else {}
    )
    _refuse_unknown("indicators", indicators, indicator_names)

    _place_recommendations(
        document,
        recommendation_sections(
            recommendations,
            dict(commentary.decisions),
            index=index,
            evidence_tables=edition(document.audience.value).priority_evidence
            is not PriorityEvidence.DATA_FILES,
        ),
    )
    for section_id, entry in sections.items():
        section = document.section(section_id)
        if section is not None:
            section.blocks.append(_block_for(entry, label="Analyst's commentary"))
    homeless: list[Block] = []
    for indicator_id, entry in indicators.items():
        label = f"Analyst's commentary: {indicator_names[indicator_id]}"
        home = _indicator_home(document, indicator_id)
        if home is None:
            homeless.append(_block_for(entry, label=label))
        else:
            home.blocks.append(_block_for(entry, label=label))
    if homeless:
        closing = Section(
            section_id=COMMENTARY_SECTION, number="", title="Analyst's commentary", blocks=homeless
        )
        first_appendix = next(
            (position for position, item in enumerate(document.sections) if item.appendix),
            len(document.sections),
        )
        document.sections.insert(first_appendix, closing)
    if areas:
        notes = {
            code: (_plain_note(entry), entry.attribution.words) for code, entry in areas.items()
        }
        _apply_area_notes(document, notes, names)
    return recommendations
