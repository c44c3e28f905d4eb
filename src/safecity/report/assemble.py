"""Assemble the report document from an Assessment artefact for one audience.

Sections, in order: summary; overview; one section per priority theme with data (a note lists
the themes without); victims and offenders (partners only, when the artefact has the person
tables); data quality and caveats; then the appendices (methods, glossary, sources and
licences). Every number is formatted in Python from an artefact row (see
:mod:`safecity.report.narrative`).
"""

from __future__ import annotations

from datetime import date

from safecity.report.appendices import glossary_section, methods_section, sources_section
from safecity.report.artefact_reader import AssessmentArtefact, Audience
from safecity.report.charts import ChartRenderer
from safecity.report.commentary import Commentary
from safecity.report.commentary_section import apply_commentary
from safecity.report.context import (
    APPENDIX_LETTERS,
    MARKING,
    REPORT_TITLE,
    ReportContext,
    is_person_level,
)
from safecity.report.document import (
    Cover,
    Document,
    Note,
    Section,
)
from safecity.report.evidence import index_rows
from safecity.report.formatting import (
    MISSING,
    format_date,
    format_month,
)
from safecity.report.narrative import (
    finding_sentences,
    finding_topics,
)
from safecity.report.national_section import national_section
from safecity.report.people_section import people_section
from safecity.report.quality_section import data_quality_section
from safecity.report.summary_section import summary_section
from safecity.report.theme_sections import overview_section, theme_sections


def build_document(
    *,
    artefact: AssessmentArtefact,
    generated_at: date,
    renderer: ChartRenderer,
    commentary: Commentary | None = None,
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
    commentary
        The analyst's decisions on the recommendations, commentary and area context notes
        (:mod:`safecity.report.commentary_section` places them); without it the drafted
        recommendations are shown as awaiting review.
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
    person_level = [sentence for sentence in findings if is_person_level(sentence, context)]
    general = [sentence for sentence in findings if sentence not in person_level]

    summary, key_figures = summary_section(context, general, topics)
    national = national_section(context, renderer)
    if national is not None:
        summary.subsections.insert(1, national)
    sections = [summary, overview_section(context, general, topics, renderer)]
    themed, absent = theme_sections(context, general, topics, renderer)
    if absent:
        sections[1].blocks.append(
            Note(text="Themes without a section: " + "; ".join(absent) + ".", tone="info")
        )
    sections.extend(themed)
    if context.audience is Audience.PARTNERS:
        people = people_section(context, person_level)
        if people is not None:
            sections.append(people)
    sections.append(data_quality_section(context))
    referenced = [method for figure in key_figures for method in figure.methods]
    for section in sections:
        referenced.extend(section.method_ids())
    methods_appendix, method_refs = methods_section(context, referenced=referenced)
    sections.extend([methods_appendix, glossary_section(context), sources_section(context)])
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
    document = Document(
        cover=cover,
        audience=context.audience,
        marking=MARKING if context.audience is Audience.PARTNERS else None,
        sections=sections,
        key_figures=key_figures,
        contents_detail=("summary", "data-quality"),
        method_refs=method_refs,
        description=(
            f"Strategic Assessment of crime and anti-social behaviour in {context.area_name}"
            f" ({context.area_code}), {context.period} against {context.baseline}."
        ),
    )
    apply_commentary(
        document, artefact=artefact, index=context.index, commentary=commentary or Commentary()
    )
    _number(document.sections)
    return document


def _area_vintage(manifest: dict[str, object]) -> str:
    vintages = manifest.get("vintages")
    if isinstance(vintages, dict) and vintages.get("ward") is not None:
        return f"wards {vintages['ward']}, LSOAs {vintages.get('lsoa', MISSING)}"
    return ""


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
