"""Assemble the report document from an Assessment artefact for one audience.

The audience's edition (``editions.yaml``) gives the sections and their order: by default the
summary; overview; one section per priority theme with data (a note lists the themes
without); victims and offenders (partners only, when the artefact has the person tables);
data quality and caveats; then the appendices (ward figures, priority evidence, methods,
glossary, sources and licences). Every number is formatted in Python from an artefact row (see
:mod:`safecity.report.narrative`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from safecity.report.appendices import glossary_section, methods_section, sources_section
from safecity.report.artefact_reader import AssessmentArtefact, Audience
from safecity.report.charts import ChartRenderer
from safecity.report.commentary import Commentary
from safecity.report.commentary_section import apply_commentary
from safecity.report.community_reports_section import (
    community_reports_absence,
    community_reports_section,
)
from safecity.report.context import (
    APPENDIX_LETTERS,
    MARKING,
    REPORT_TITLE,
    ReportContext,
    is_person_level,
    topic_findings,
)
from safecity.report.document import (
    Cover,
    Document,
    KeyFigure,
    MethodRef,
    Note,
    Section,
    Sentence,
    SentenceList,
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
from safecity.report.partner_intelligence_section import (
    partner_intelligence_absence,
    partner_intelligence_section,
)
from safecity.report.people_section import people_section
from safecity.report.quality_section import data_quality_section
from safecity.report.report_config import Edition, PriorityEvidence, edition
from safecity.report.summary_section import priority_appendix, summary_section
from safecity.report.survey_section import survey_absence, survey_section
from safecity.report.theme_sections import overview_section, theme_sections, ward_appendix


@dataclass(slots=True)
class Assembly:
    """What the section builders of one report share while the document is assembled."""

    context: ReportContext
    edition: Edition
    general: list[Sentence]
    person_level: list[Sentence]
    topics: dict[str, str]
    renderer: ChartRenderer
    key_figures: tuple[KeyFigure, ...] = ()
    absent_themes: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    """The sections built so far, in order (a builder may read the ones before it)."""
    method_refs: dict[str, MethodRef] = field(default_factory=dict)
    """Set by the methods appendix: method id -> its numbered entry."""


SURVEY_TOPIC = "survey"
"""The topic of the survey family's findings (printed in the partners' residents section)."""
COMMUNITY_REPORTS_TOPIC = "community_reports"
"""The topic of the community-reports family's findings (printed in the partners' section)."""
PARTNER_INTELLIGENCE_TOPIC = "partner_intelligence"
"""The topic of the partner-intelligence family's findings (printed in its section)."""

SectionBuilder = Callable[[Assembly], list[Section]]
"""Builds the sections of one id of ``editions.yaml`` (none when it has nothing to say)."""


def _summary(assembly: Assembly) -> list[Section]:
    summary, key_figures = summary_section(
        assembly.context,
        assembly.general,
        assembly.topics,
        priority_evidence=assembly.edition.priority_evidence,
    )
    assembly.key_figures = key_figures
    return [summary]


def _national(assembly: Assembly) -> list[Section]:
    """The national picture (England and comparators by volume, rate and severity), after the
    summary; it replaces the summary's shorter position against other partnerships."""
    national = national_section(assembly.context, assembly.renderer)
    if national is None:
        return []
    for summary in (s for s in assembly.sections if s.section_id == "summary"):
        summary.subsections = [sub for sub in summary.subsections if sub.section_id != "position"]
    national.new_page = assembly.edition.themes.new_page
    return [national]


def _residents(assembly: Assembly) -> list[Section]:
    """What residents told us (the survey family); none without survey tables (the data
    quality section then says why)."""
    section = survey_section(
        assembly.context,
        assembly.renderer,
        detailed=assembly.context.audience is Audience.PARTNERS,
    )
    if section is None:
        return []
    found = topic_findings(assembly.general, assembly.topics, (SURVEY_TOPIC,))
    if found and assembly.context.audience is Audience.PARTNERS:
        section.subsections.append(
            Section(
                section_id="residents-findings",
                number="",
                title="Findings",
                blocks=[SentenceList(sentences=tuple(found))],
            )
        )
    section.new_page = assembly.edition.themes.new_page
    return [section]


def _community_reports(assembly: Assembly) -> list[Section]:
    """What residents and businesses reported (the community-reports family); none without
    its tables (the data quality section then says why)."""
    section = community_reports_section(
        assembly.context,
        assembly.renderer,
        detailed=assembly.context.audience is Audience.PARTNERS,
    )
    # The section follows data quality on its page (the page budgets); the partners' edition
    # lists the family's findings too, as it does every family's.
    if section is None:
        return []
    found = topic_findings(assembly.general, assembly.topics, (COMMUNITY_REPORTS_TOPIC,))
    if found and assembly.context.audience is Audience.PARTNERS:
        section.subsections.append(
            Section(
                section_id="community-reports-findings",
                number="",
                title="Findings",
                blocks=[SentenceList(sentences=tuple(found))],
            )
        )
    section.new_page = False
    return [section]


def _partner_intelligence(assembly: Assembly) -> list[Section]:
    """What partners reported through intelligence forms (the partner-intelligence family):
    the partners' edition only, whatever an edition lists; none without its table (the data
    quality section then says why)."""
    if assembly.context.audience is not Audience.PARTNERS:
        return []
    found = topic_findings(assembly.general, assembly.topics, (PARTNER_INTELLIGENCE_TOPIC,))
    section = partner_intelligence_section(assembly.context, findings=tuple(found))
    if section is None:
        return []
    section.new_page = False
    return [section]


def _data_quality(assembly: Assembly) -> list[Section]:
    section = data_quality_section(assembly.context)
    if "residents" in assembly.edition.sections:
        absent = survey_absence(assembly.context)
        if absent is not None:
            section.blocks.append(Note(text=absent))
    if "community_reports" in assembly.edition.sections:
        absent = community_reports_absence(assembly.context)
        if absent is not None:
            section.blocks.append(Note(text=absent))
    if (
        "partner_intelligence" in assembly.edition.sections
        and assembly.context.audience is Audience.PARTNERS
    ):
        absent = partner_intelligence_absence(assembly.context)
        if absent is not None:
            section.blocks.append(Note(text=absent))
    return [section]


def _overview(assembly: Assembly) -> list[Section]:
    section = overview_section(
        assembly.context,
        assembly.general,
        assembly.topics,
        assembly.renderer,
        charts=assembly.edition.overview_charts,
        shown=assembly.edition.overview_findings,
    )
    # An edition whose themes flow (the board's) lets the overview follow the national picture.
    section.new_page = assembly.edition.themes.new_page or not any(
        s.section_id == "national-context" for s in assembly.sections
    )
    return [section]


def _themes(assembly: Assembly) -> list[Section]:
    themed, absent = theme_sections(
        assembly.context,
        assembly.general,
        assembly.topics,
        assembly.renderer,
        layout=assembly.edition.themes,
    )
    if absent:
        note = Note(text="Themes without a section: " + "; ".join(absent) + ".", tone="info")
        overview = next((s for s in assembly.sections if s.section_id == "overview"), None)
        if overview is not None:
            overview.blocks.append(note)
        elif themed:
            themed[0].blocks.insert(0, note)
    assembly.absent_themes = absent
    return themed


def _people(assembly: Assembly) -> list[Section]:
    if assembly.context.audience is not Audience.PARTNERS:
        return []
    people = people_section(assembly.context, assembly.person_level)
    return [] if people is None else [people]


def _priority_appendix(assembly: Assembly) -> list[Section]:
    if assembly.edition.priority_evidence is not PriorityEvidence.APPENDIX:
        return []
    section = priority_appendix(assembly.context)
    return [] if section is None else [section]


def _methods(assembly: Assembly) -> list[Section]:
    referenced = [method for figure in assembly.key_figures for method in figure.methods]
    for section in assembly.sections:
        referenced.extend(section.method_ids())
    methods_appendix, method_refs = methods_section(assembly.context, referenced=referenced)
    assembly.method_refs = method_refs
    return [methods_appendix]


SECTION_BUILDERS: dict[str, SectionBuilder] = {
    "summary": _summary,
    "national": _national,
    "residents": _residents,
    "community_reports": _community_reports,
    "partner_intelligence": _partner_intelligence,
    "overview": _overview,
    "themes": _themes,
    "people": _people,
    "data_quality": _data_quality,
    "ward_appendix": lambda assembly: [ward_appendix(assembly.context)],
    "priority_appendix": _priority_appendix,
    "methods": _methods,
    "glossary": lambda assembly: [glossary_section(assembly.context)],
    "sources": lambda assembly: [sources_section(assembly.context)],
}
"""Section id of ``editions.yaml`` -> its builder. A new section module (e.g. the national
picture) adds its builder here and its id to the editions' ``sections``; ``methods`` must come
after every section whose methods it lists."""


def build_document(
    *,
    artefact: AssessmentArtefact,
    generated_at: date,
    renderer: ChartRenderer,
    commentary: Commentary | None = None,
) -> Document:
    """The report on ``artefact`` for its audience, laid out as its edition says.

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
    chosen = edition(context.audience.value)
    unknown = [section_id for section_id in chosen.sections if section_id not in SECTION_BUILDERS]
    if unknown:
        raise ValueError(
            f"editions.yaml, edition {chosen.audience!r}: no section builder for"
            f" {', '.join(unknown)} (known: {', '.join(SECTION_BUILDERS)})"
        )
    findings = finding_sentences(
        artefact.table("findings"),
        index=context.index,
        drop_suppressed=context.audience is Audience.PUBLIC,
    )
    person_level = [sentence for sentence in findings if is_person_level(sentence, context)]
    assembly = Assembly(
        context=context,
        edition=chosen,
        general=[sentence for sentence in findings if sentence not in person_level],
        person_level=person_level,
        topics=finding_topics(artefact.table("findings")),
        renderer=renderer,
    )
    for section_id in chosen.sections:
        assembly.sections.extend(SECTION_BUILDERS[section_id](assembly))
    sections = assembly.sections
    _number(sections)
    edition_name = (
        f"{chosen.title} ({MARKING})" if context.audience is Audience.PARTNERS else chosen.title
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
        edition=edition_name,
    )
    document = Document(
        cover=cover,
        audience=context.audience,
        marking=MARKING if context.audience is Audience.PARTNERS else None,
        sections=sections,
        key_figures=assembly.key_figures,
        contents_detail=("summary", "data-quality"),
        method_refs=assembly.method_refs,
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
