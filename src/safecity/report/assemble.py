"""Assemble the report document from an Assessment artefact for one audience.

Sections, in order: summary; overview; one section per priority theme with data (a note lists
the themes without); victims and offenders (partners only, when the artefact has the person
tables); data quality and caveats; then the appendices (methods, glossary, sources and
licences). Every number is formatted in Python from an artefact row (see
:mod:`safecity.report.narrative`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from safecity.report.artefact_reader import AssessmentArtefact, Audience, open_artefact
from safecity.report.charts import ChartRenderer
from safecity.report.document import (
    Block,
    Cell,
    Cover,
    Definition,
    Definitions,
    Document,
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
from safecity.report.evidence import CitedRow, RowIndex, index_rows, split_row_ids
from safecity.report.formatting import (
    MISSING,
    SUPPRESSED,
    format_change,
    format_count,
    format_date,
    format_interval,
    format_month,
    format_p_value,
    format_percent,
    format_rate,
    format_score,
    format_share,
    format_signed_percent,
    is_missing,
)
from safecity.report.narrative import (
    PRIORITY_CRITERIA,
    SentenceBuilder,
    area_row,
    benchmark_sentences,
    change_sentence,
    evidence_text,
    finding_sentences,
    finding_topics,
    harm_sentence,
    headline_key_figures,
    key_figure,
    lower_first,
    priority_sentence,
    significance_phrase,
    volume_sentence,
)
from safecity.report.report_config import (
    Theme,
    caveats,
    glossary,
    methods,
    source_licences,
    themes,
)

MARKING = "OFFICIAL-SENSITIVE"
"""The security marking of the partners' edition (UK Government Security Classifications)."""

REPORT_TITLE = "Strategic Assessment"
PERSON_TABLES = ("people_repeats", "people_profiles")
"""Tables about people (victims, offenders): partners only, and their own section."""
OVERVIEW_TOPICS = ("all_crime", "harm")
APPENDIX_LETTERS = "ABCDEFGH"


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What every section builder needs: the artefact, its rows by id, and its labels."""

    artefact: AssessmentArtefact
    index: RowIndex
    area_code: str
    area_name: str
    period: str
    baseline: str
    threshold: int

    @property
    def audience(self) -> Audience:
        """The audience the report is for."""
        return self.artefact.audience


def build_document(
    *, artefact: AssessmentArtefact, generated_at: date, renderer: ChartRenderer
) -> Document:
    """The report on ``artefact`` for its audience.

    Parameters
    ----------
    artefact
        The Assessment artefact, opened for the report's audience.
    generated_at
        The date printed on the cover (the only text that varies between two runs).
    renderer
        Renders the charts (and records them, to be written as files, and the time taken).
    """
    manifest = artefact.manifest
    parameters = manifest.get("parameters", {})
    context = ReportContext(
        artefact=artefact,
        index=index_rows(artefact),
        area_code=artefact.area_code,
        area_name=str(manifest["area"].get("name", artefact.area_code)),
        period=str(parameters.get("period", "")),
        baseline=str(parameters.get("baseline", "")),
        threshold=int(parameters.get("suppression_threshold", 5)),
    )
    findings = finding_sentences(
        artefact.table("findings"),
        index=context.index,
        drop_suppressed=context.audience is Audience.PUBLIC,
    )
    topics = finding_topics(artefact.table("findings"))
    person_level = [sentence for sentence in findings if _is_person_level(sentence, context)]
    general = [sentence for sentence in findings if sentence not in person_level]

    summary, key_figures = _summary(context, general, topics)
    sections = [summary, _overview(context, general, topics, renderer)]
    theme_sections, absent = _themes(context, general, topics, renderer)
    if absent:
        sections[1].blocks.append(
            Note(text="Themes without a section: " + "; ".join(absent) + ".", tone="info")
        )
    sections.extend(theme_sections)
    if context.audience is Audience.PARTNERS:
        people = _people(context, person_level)
        if people is not None:
            sections.append(people)
    sections.append(_data_quality(context))
    sections.extend(
        [_methods(context), _glossary(context), _sources(context)],
    )
    _number(sections)
    edition = (
        f"Partners' edition ({MARKING})"
        if context.audience is Audience.PARTNERS
        else "Public edition"
    )
    months = parameters.get("period_months") or []
    period_months = (
        f"{format_month(months[0])} to {format_month(months[-1])}" if len(months) == 2 else ""
    )
    cover = Cover(
        title=REPORT_TITLE,
        area_name=context.area_name,
        area_code=context.area_code,
        area_vintage=_area_vintage(manifest),
        period=context.period,
        period_months=period_months,
        baseline=context.baseline,
        generated_at=format_date(generated_at),
        generated_at_iso=generated_at.isoformat(),
        edition=edition,
    )
    return Document(
        cover=cover,
        audience=context.audience,
        marking=MARKING if context.audience is Audience.PARTNERS else None,
        sections=sections,
        key_figures=key_figures,
        contents_detail=("summary", "data-quality"),
        description=(
            f"Strategic Assessment of crime and anti-social behaviour in {context.area_name}"
            f" ({context.area_code}), {context.period} against {context.baseline}."
        ),
    )


def _area_vintage(manifest: dict[str, object]) -> str:
    vintages = manifest.get("vintages")
    if isinstance(vintages, dict) and vintages.get("ward") is not None:
        return f"wards {vintages['ward']}, LSOAs {vintages.get('lsoa', MISSING)}"
    return ""


def _is_person_level(sentence: Sentence, context: ReportContext) -> bool:
    for row_id in sentence.row_ids:
        row = context.index.positions.get(row_id)
        if row is not None and row[0] in PERSON_TABLES:
            return True
    return False


def _number(sections: list[Section]) -> None:
    main = [section for section in sections if not section.appendix]
    appendices = [section for section in sections if section.appendix]
    for position, section in enumerate(main, start=1):
        section.number = str(position)
        for sub_position, subsection in enumerate(section.subsections, start=1):
            subsection.number = f"{position}.{sub_position}"
    for letter, section in zip(APPENDIX_LETTERS, appendices, strict=False):
        section.number = letter
        for sub_position, subsection in enumerate(section.subsections, start=1):
            subsection.number = f"{letter}.{sub_position}"


def _topic_findings(
    findings: list[Sentence], topics: dict[str, str], wanted: tuple[str, ...]
) -> list[Sentence]:
    return [
        sentence
        for sentence in findings
        if sentence.finding_id is not None and topics.get(sentence.finding_id) in wanted
    ]


# --- summary ---------------------------------------------------------------------------------


def _summary(
    context: ReportContext, findings: list[Sentence], topics: dict[str, str]
) -> tuple[Section, tuple[KeyFigure, ...]]:
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
            Note(text="The artefact has no all-crime indicator for the area and period.")
        )
    section.subsections.append(_position(context))
    section.subsections.append(_priorities(context, findings, topics))
    return section, boxes


def _position(context: ReportContext) -> Section:
    section = Section(section_id="position", number="", title="Against England and comparators")
    frame = context.artefact.table("benchmarking")
    sentences: list[Sentence] = []
    if frame is not None and not frame.empty:
        rows = frame[(frame["group_id"] == "all_crime") & (frame["area_code"] == context.area_code)]
        for benchmark_id in rows["benchmark_id"].astype(str):
            row = context.index.get(benchmark_id)
            if row is not None:
                sentences.extend(benchmark_sentences(row, area_name=context.area_name))
    if sentences:
        section.blocks.append(Paragraph(sentences=tuple(sentences)))
    else:
        reason = context.artefact.manifest.get("skipped", {}).get(
            "benchmarking", "the artefact has no benchmarking table for this audience"
        )
        section.blocks.append(
            Note(text=f"No comparison with England or comparator partnerships: {reason}.")
        )
    return section


def _priorities(
    context: ReportContext, findings: list[Sentence], topics: dict[str, str]
) -> Section:
    section = Section(section_id="priorities", number="", title="Top priorities")
    top = context.artefact.table("priority_top")
    if top is None or top.empty:
        section.blocks.append(
            Note(text="The artefact has no priority scores, so no priorities are ranked.")
        )
        return section
    overall = _topic_findings(findings, topics, ("priorities",))
    if overall:
        section.blocks.append(Paragraph(sentences=tuple(overall)))
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
                evidence=_priority_evidence(context, row, scores),
            )
        )
    section.blocks.append(Priorities(priorities=tuple(priorities)))
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
                    Cell(text=format_score(scores.values.get(f"{key}_score")), numeric=True),
                    Cell(text=str(scores.values.get(f"{key}_basis") or MISSING)),
                    Cell(text=evidence),
                )
            )
    else:
        for row_id in split_row_ids(top.values.get("evidence_row_ids")):
            text, _ = evidence_text(context.index.get(row_id), row_id)
            rows.append((Cell(text=row_id), Cell(text=""), Cell(text=""), Cell(text=text)))
    return Table(
        table_id=f"evidence-{top.values.get('group_id')}",
        caption=f"Scores and evidence: {top.values.get('group_name')}",
        columns=("Criterion", "Score (1–5)", "Basis", "Evidence (artefact rows)"),
        rows=tuple(rows),
    )


# --- overview and themes ----------------------------------------------------------------------


def _overview(
    context: ReportContext,
    findings: list[Sentence],
    topics: dict[str, str],
    renderer: ChartRenderer,
) -> Section:
    section = Section(section_id="overview", number="", title="Overview")
    overall = _topic_findings(findings, topics, OVERVIEW_TOPICS)
    if overall:
        section.blocks.append(SentenceList(sentences=tuple(overall), heading="Findings"))
    figures, omitted = renderer.overview()
    section.blocks.extend(figures)
    if omitted:
        section.blocks.append(Note(text=" ".join(omitted)))
    return section


def _main_group(context: ReportContext, theme: Theme) -> tuple[str | None, str]:
    """The theme's first group with data, or ``None`` and why none has any."""
    groups = context.artefact.table("crime_groups")
    reasons: dict[str, str] = {}
    if groups is not None and not groups.empty:
        for record in groups.to_dict("records"):
            reason = record.get("skipped_reason")
            if not bool(record.get("computed")) and isinstance(reason, str) and reason:
                reasons[str(record["group_id"])] = reason
    for group_id in theme.groups:
        row = area_row(
            context.index, group_id=group_id, area_code=context.area_code, period=context.period
        )
        if row is None:
            continue
        count = row.values.get("numerator")
        if bool(row.values.get("suppressed")) or (not is_missing(count) and float(str(count)) > 0):
            return group_id, ""
    for group_id in theme.groups:
        if group_id in reasons:
            return None, reasons[group_id]
    return (
        None,
        f"no crimes of these kinds were recorded in {context.area_name} in {context.period}",
    )


def _themes(
    context: ReportContext,
    findings: list[Sentence],
    topics: dict[str, str],
    renderer: ChartRenderer,
) -> tuple[list[Section], list[str]]:
    sections: list[Section] = []
    absent: list[str] = []
    for theme in themes():
        group_id, reason = _main_group(context, theme)
        if group_id is None:
            absent.append(f"{theme.title} ({reason})")
            continue
        sections.append(
            _theme(
                context,
                theme,
                group_id=group_id,
                findings=findings,
                topics=topics,
                renderer=renderer,
            )
        )
    return sections, absent


def _theme(
    context: ReportContext,
    theme: Theme,
    *,
    group_id: str,
    findings: list[Sentence],
    topics: dict[str, str],
    renderer: ChartRenderer,
) -> Section:
    section = Section(section_id=f"theme-{theme.theme_id}", number="", title=theme.title)
    row = area_row(
        context.index, group_id=group_id, area_code=context.area_code, period=context.period
    )
    intro: list[Block] = []
    if row is not None:
        name = lower_first(str(row.values.get("indicator_name", group_id)))
        boxes = [
            key_figure(
                label="Recorded",
                row=row,
                column="numerator",
                formatter=_count_or_suppressed,
                detail=SentenceBuilder().value(row, "indicator_name", str),
            ),
            key_figure(
                label=f"Per 1,000 {row.values.get('denominator_type') or 'residents'}",
                row=row,
                column="value",
                formatter=format_rate,
                detail=SentenceBuilder()
                .text("95% CI ")
                .value(row, "lower_ci", format_rate)
                .text(" to ")
                .value(row, "upper_ci", format_rate),
            ),
        ]
        if not is_missing(row.values.get("change_pct")):
            boxes.append(
                key_figure(
                    label=f"Change on {context.baseline}",
                    row=row,
                    column="change_pct",
                    formatter=format_signed_percent,
                    detail=SentenceBuilder()
                    .text(f"{significance_phrase(row)}, ")
                    .value(row, "change_p_value", format_p_value),
                )
            )
        intro.append(KeyFigures(figures=tuple(boxes)))
        sentences = [Sentence(text=theme.summary, row_ids=())]
        if not is_missing(row.values.get("numerator")):
            sentences.append(
                volume_sentence(row, area_name=context.area_name, period=context.period, noun=name)
            )
        intro.append(Paragraph(sentences=tuple(sentences)))
    section.blocks.extend(intro)
    theme_findings = _topic_findings(findings, topics, theme.groups)
    findings_section = Section(
        section_id=f"{section.section_id}-findings", number="", title="Findings"
    )
    if theme_findings:
        findings_section.blocks.append(SentenceList(sentences=tuple(theme_findings)))
    else:
        findings_section.blocks.append(Note(text="The assessment made no findings on this theme."))
    section.subsections.append(findings_section)
    charts = Section(section_id=f"{section.section_id}-charts", number="", title="Charts")
    figures, omitted = renderer.theme(group_id)
    charts.blocks.extend(figures)
    if omitted:
        charts.blocks.append(Note(text=" ".join(omitted)))
    if not figures and not omitted:
        charts.blocks.append(Note(text="No charts: the artefact has no data to chart."))
    section.subsections.append(charts)
    wards = Section(section_id=f"{section.section_id}-wards", number="", title="Wards")
    wards.blocks.append(_ward_table(context, group_id, theme))
    section.subsections.append(wards)
    return section


def _count_or_suppressed(value: object) -> str:
    return SUPPRESSED if is_missing(value) else format_count(value)


def _ward_table(context: ReportContext, group_id: str, theme: Theme) -> Block:
    indicators = context.artefact.table("indicators")
    if indicators is None:
        return Note(text="The artefact has no indicator table, so no ward figures.")
    wards = indicators[
        (indicators["indicator_id"] == group_id)
        & (indicators["area_level"] == "ward")
        & (indicators["period"] == context.period)
    ]
    if wards.empty:
        return Note(text="The artefact has no ward figures for this theme.")
    ordered = wards.assign(_missing=wards["value"].isna()).sort_values(
        ["_missing", "value", "area_name"], ascending=[True, False, True], kind="mergesort"
    )
    rows: list[tuple[Cell, ...]] = []
    for record in ordered.to_dict("records"):
        suppressed = bool(record.get("suppressed")) and is_missing(record.get("numerator"))
        count = record.get("numerator")
        label = record.get("benchmark_label")
        rows.append(
            (
                Cell(text=f"{record['area_name']} ({record['area_code']})"),
                Cell(
                    text=SUPPRESSED if suppressed else format_count(count),
                    count=_int(count),
                    numeric=True,
                ),
                Cell(
                    text=SUPPRESSED if suppressed else format_rate(record.get("value")),
                    numeric=True,
                ),
                Cell(
                    text=SUPPRESSED
                    if suppressed
                    else format_interval(record.get("lower_ci"), record.get("upper_ci")),
                    numeric=True,
                ),
                Cell(text=str(label) if isinstance(label, str) and label else MISSING),
                Cell(text=format_change(record.get("change_pct")), numeric=True),
            )
        )
    name = str(wards.iloc[0]["indicator_name"])
    unit = str(wards.iloc[0].get("denominator_type") or "residents")
    return Table(
        table_id=f"wards-{group_id}",
        caption=f"{name} by ward, {context.period}, highest rate first",
        columns=(
            "Ward",
            "Recorded",
            f"Rate per 1,000 {unit}",
            "95% confidence interval",
            f"Compared with {context.area_name}",
            f"Change on {context.baseline}",
        ),
        rows=tuple(rows),
        note=(
            f"Compared with {context.area_name}: whether the ward's 95% confidence interval lies"
            f" above (higher) or below (lower) the {context.area_name} rate, or overlaps it"
            " (similar)."
        ),
    )


# --- people ------------------------------------------------------------------------------------


def _people(context: ReportContext, person_level: list[Sentence]) -> Section | None:
    repeats = context.artefact.table("people_repeats")
    profiles = context.artefact.table("people_profiles")
    if (repeats is None or repeats.empty) and (profiles is None or profiles.empty):
        return None
    section = Section(
        section_id="victims-and-offenders",
        number="",
        title="Victims and offenders",
        person_level=True,
    )
    section.blocks.append(
        Note(
            text=f"{MARKING}: this section is about people recorded as victims and offenders;"
            " it is for the partnership's own use and is left out of the public edition.",
            tone="warning",
        )
    )
    if person_level:
        section.blocks.append(SentenceList(sentences=tuple(person_level), heading="Findings"))
    if repeats is not None and not repeats.empty:
        rows = []
        for record in repeats.to_dict("records"):
            rows.append(
                (
                    Cell(
                        text=f"{str(record['role']).capitalize()}s ({record['scope']}):"
                        f" {lower_first(str(record['group_name']))}"
                    ),
                    Cell(
                        text=format_count(record["persons"]),
                        count=_int(record["persons"]),
                        numeric=True,
                    ),
                    Cell(
                        text=format_count(record["repeat_persons"]),
                        count=_int(record["repeat_persons"]),
                        numeric=True,
                    ),
                    Cell(
                        text=f"{format_share(record['repeat_person_share'])} ("
                        + _share_interval(record, "repeat_person_share")
                        + ")",
                        numeric=True,
                    ),
                    Cell(text=format_share(record["repeat_person_crime_share"]), numeric=True),
                )
            )
        section.blocks.append(
            Table(
                table_id="people-repeats",
                caption=f"Repeat victims and offenders, {context.period}",
                columns=(
                    "People",
                    "Persons",
                    "Repeat persons",
                    "Share repeat (95% CI)",
                    "Share of crimes involving a repeat person",
                ),
                rows=tuple(rows),
            )
        )
    if profiles is not None and not profiles.empty:
        chosen = profiles[profiles["group_id"] == "all_crime"]
        profile_rows = [
            (
                Cell(
                    text=f"{str(record['role']).capitalize()}s: {record['dimension']}"
                    f" {record['category']}".replace("_", " ")
                ),
                Cell(
                    text=format_count(record["persons"]),
                    count=_int(record["persons"]),
                    numeric=True,
                ),
                Cell(
                    text=f"{format_share(record['share'])} ("
                    + _share_interval(record, "share")
                    + ")",
                    numeric=True,
                ),
            )
            for record in chosen.to_dict("records")
        ]
        section.blocks.append(
            Table(
                table_id="people-profiles",
                caption=f"Victims and offenders of all crime by age, sex and ethnicity,"
                f" {context.period}",
                columns=("People", "Persons", "Share (95% CI)"),
                rows=tuple(profile_rows),
            )
        )
    return section


def _int(value: object) -> int | None:
    return None if is_missing(value) else round(float(str(value)))


def _share_interval(record: Mapping[Any, object], column: str) -> str:
    lower, upper = record.get(f"{column}_lower_ci"), record.get(f"{column}_upper_ci")
    if is_missing(lower) or is_missing(upper):
        return MISSING
    return f"{format_share(lower)} to {format_share(upper)}"


# --- data quality -------------------------------------------------------------------------------


def _input_formats(context: ReportContext) -> set[str]:
    inputs = context.artefact.manifest.get("inputs") or []
    return {str(entry.get("format")) for entry in inputs if isinstance(entry, dict)}


def _data_quality(context: ReportContext) -> Section:
    section = Section(section_id="data-quality", number="", title="Data quality and caveats")
    formats = _input_formats(context)
    standing = [
        Definition(term=caveat.title, meaning=caveat.text)
        for caveat in caveats()
        if caveat.needs_format is None or caveat.needs_format in formats
    ]
    section.blocks.append(Definitions(items=tuple(standing)))
    measured: list[Sentence] = []
    coverage = context.artefact.table("data_quality_coverage")
    if coverage is not None and not coverage.empty:
        poor = coverage[(~coverage["present"].astype(bool)) | coverage["low_coverage"].astype(bool)]
        if poor.empty:
            measured.append(
                Sentence(
                    text="Every force supplied data for every month the assessment used"
                    " (no missing or low months).",
                    row_ids=(),
                )
            )
        for force, months in poor.groupby("force", sort=True)["month"]:
            spans = _month_spans(sorted(months.tolist()))
            measured.append(
                Sentence(
                    text=f"{force}: {format_count(len(months))} months with no or low police.uk"
                    f" data ({'; '.join(spans)}); these months are masked, not counted as zero.",
                    row_ids=(),
                )
            )
    summary = context.artefact.table("data_quality_summary")
    if summary is not None and not summary.empty:
        values = dict(zip(summary["measure"].astype(str), summary["value"], strict=True))
        if "rows_without_location_pct" in values:
            measured.append(
                Sentence(
                    text=f"{format_percent(values['rows_without_location_pct'])} of the"
                    " police.uk rows had no location and could not be placed in a neighbourhood.",
                    row_ids=(),
                )
            )
        if "rows_quarantined" in values:
            measured.append(
                Sentence(
                    text=f"{format_count(values['rows_quarantined'])} rows were quarantined at"
                    " load (malformed or duplicated).",
                    row_ids=(),
                )
            )
    suppressed = _suppressed_cells(context)
    if suppressed is not None:
        measured.append(suppressed)
    vintages = context.artefact.manifest.get("vintages", {})
    if isinstance(vintages, dict) and vintages.get("population_note"):
        measured.append(Sentence(text=f"Populations: {vintages['population_note']}.", row_ids=()))
    if measured:
        section.subsections.append(
            Section(
                section_id="data-quality-measured",
                number="",
                title="Coverage and disclosure",
                blocks=[SentenceList(sentences=tuple(measured))],
            )
        )
    skipped = context.artefact.manifest.get("skipped") or {}
    if isinstance(skipped, dict) and skipped:
        rows = tuple(
            (Cell(text=str(part).replace("_", " ").replace(":", ": ")), Cell(text=str(reason)))
            for part, reason in sorted(skipped.items())
        )
        section.subsections.append(
            Section(
                section_id="data-quality-skipped",
                number="",
                title="Parts not computed",
                blocks=[
                    Table(
                        table_id="skipped",
                        caption="Parts of the assessment not computed, and why",
                        columns=("Part", "Why"),
                        rows=rows,
                    )
                ],
            )
        )
    return section


def _month_spans(months: list[object]) -> list[str]:
    """Consecutive months as ``"April 2021 to March 2022"`` spans."""
    stamps = [pd.Timestamp(str(month)) for month in months]
    spans: list[list[pd.Timestamp]] = []
    for stamp in stamps:
        if (
            spans
            and (stamp.year * 12 + stamp.month) - (spans[-1][-1].year * 12 + spans[-1][-1].month)
            == 1
        ):
            spans[-1].append(stamp)
        else:
            spans.append([stamp])
    return [
        format_month(span[0].date())
        if len(span) == 1
        else f"{format_month(span[0].date())} to {format_month(span[-1].date())}"
        for span in spans
    ]


def _suppressed_cells(context: ReportContext) -> Sentence | None:
    public = (
        context.artefact
        if context.audience is Audience.PUBLIC
        else open_artefact(directory=context.artefact.directory, audience=Audience.PUBLIC)
    )
    indicators = public.table("indicators")
    if indicators is None or "suppressed" not in indicators.columns:
        return None
    suppressed = int(indicators["suppressed"].fillna(False).astype(bool).sum())
    edition = "this edition" if context.audience is Audience.PUBLIC else "the public edition"
    return Sentence(
        text=f"Disclosure control: {format_count(suppressed)} of the"
        f" {format_count(len(indicators))} rows of the indicator table in {edition} are suppressed"
        f" (counts from 1 to {format_count(context.threshold - 1)}, and figures that would reveal"
        " them by subtraction).",
        row_ids=(),
    )


# --- appendices ---------------------------------------------------------------------------------


def _present_tables(context: ReportContext) -> set[str]:
    return {
        name
        for name in context.artefact.table_names
        if (frame := context.artefact.table(name)) is not None and not frame.empty
    }


def _methods(context: ReportContext) -> Section:
    present = _present_tables(context)
    items: list[Definition] = []
    for method in methods():
        used = any(table in present for table in method.tables)
        for qualified in method.columns:
            table, _, column = qualified.partition(".")
            frame = context.artefact.table(table) if table in present else None
            if frame is not None and column in frame.columns and frame[column].notna().any():
                used = True
        if used:
            items.append(
                Definition(
                    term=f"{method.name} (methods specification §{method.section})",
                    meaning=method.description,
                    detail=f"Reference: {method.reference}",
                )
            )
    section = Section(section_id="methods", number="", title="Methods", appendix=True)
    section.blocks.append(
        Paragraph(
            sentences=(
                Sentence(
                    text="The statistical methods behind the figures in this report, with the"
                    " section of the project's methods specification (docs/methods.md) that"
                    " defines each and its published reference.",
                    row_ids=(),
                ),
            )
        )
    )
    section.blocks.append(Definitions(items=tuple(items)))
    return section


def _glossary(context: ReportContext) -> Section:
    present = _present_tables(context)
    items = tuple(
        Definition(term=term.term, meaning=term.meaning)
        for term in glossary()
        if not term.needs_tables or any(table in present for table in term.needs_tables)
    )
    return Section(
        section_id="glossary",
        number="",
        title="Glossary",
        appendix=True,
        blocks=[Definitions(items=items)],
    )


def _sources(context: ReportContext) -> Section:
    licences, ogl = source_licences()
    inputs = [
        entry for entry in context.artefact.manifest.get("inputs") or [] if isinstance(entry, dict)
    ]
    by_source: dict[int, list[dict[str, object]]] = defaultdict(list)
    other: dict[str, list[dict[str, object]]] = defaultdict(list)
    for entry in inputs:
        position = next(
            (
                place
                for place, source in enumerate(licences)
                if entry.get("format") in source.formats
            ),
            None,
        )
        if position is None:
            other[str(entry.get("format"))].append(entry)
        else:
            by_source[position].append(entry)
    rows: list[tuple[Cell, ...]] = []
    for position in sorted(by_source):
        source, entries = licences[position], by_source[position]
        licence = ogl if source.licence == "ogl" else source.licence
        rows.append(
            (
                Cell(text=f"{source.publisher}: {source.title}"),
                Cell(text=format_count(len(entries)), numeric=True),
                Cell(text=format_count(sum(_rows_in(entry) for entry in entries)), numeric=True),
                Cell(text=licence),
                Cell(text=source.attribution),
            )
        )
    for format_name, entries in sorted(other.items()):
        rows.append(
            (
                Cell(text=format_name),
                Cell(text=format_count(len(entries)), numeric=True),
                Cell(text=format_count(sum(_rows_in(entry) for entry in entries)), numeric=True),
                Cell(text=MISSING),
                Cell(text=MISSING),
            )
        )
    versions = context.artefact.manifest.get("versions") or {}
    produced = Sentence(
        text=f"Produced with Safe City {versions.get('safecity', MISSING)} from the Assessment"
        f" artefact created {context.artefact.manifest.get('created_at', MISSING)}; every figure"
        " in this report is a row of that artefact.",
        row_ids=(),
    )
    statement = Sentence(
        text="Data from the Office for National Statistics, the Ministry of Housing, Communities"
        f" and Local Government and data.police.uk are used under the {ogl}.",
        row_ids=(),
    )
    return Section(
        section_id="sources",
        number="",
        title="Sources and licences",
        appendix=True,
        blocks=[
            Paragraph(sentences=(statement, produced)),
            Table(
                table_id="sources-table",
                caption="Data sources of this assessment",
                columns=("Source", "Files", "Rows", "Licence", "Attribution"),
                rows=tuple(rows),
            ),
        ],
    )


def _rows_in(entry: dict[str, object]) -> int:
    value = entry.get("rows_in")
    return int(value) if isinstance(value, int | float) else 0
