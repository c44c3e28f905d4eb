"""The overview and one section per priority theme with data (findings, charts, wards)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from safecity.report.charts import ChartRenderer
from safecity.report.context import (
    OVERVIEW_TOPICS,
    ReportContext,
    topic_findings,
    whole_number,
)
from safecity.report.document import (
    Block,
    Cell,
    KeyFigures,
    Note,
    Paragraph,
    Section,
    Sentence,
    SentenceList,
    Table,
)
from safecity.report.formatting import (
    MISSING,
    SUPPRESSED,
    format_change,
    format_count,
    format_interval,
    format_rate,
    is_missing,
)
from safecity.report.narrative import (
    BENCHMARK_BY_INTERVAL,
    SentenceBuilder,
    area_row,
    change_key_figure,
    key_figure,
    lower_first,
    rate_key_figure,
    volume_sentence,
)
from safecity.report.reader_words import NOT_ASSESSED, not_assessed
from safecity.report.report_config import (
    Theme,
    ThemeLayout,
    WardTable,
    themes,
)


def overview_section(
    context: ReportContext,
    findings: list[Sentence],
    topics: dict[str, str],
    renderer: ChartRenderer,
    *,
    charts: tuple[str, ...] | None = None,
    shown: int | None = None,
) -> Section:
    """The overview: findings on all crime and harm (every one, or the first ``shown``,
    significant ones first), and the edition's overview charts (``charts``; every overview
    chart when ``None``)."""
    section = Section(section_id="overview", number="", title="Overview")
    overall = topic_findings(findings, topics, OVERVIEW_TOPICS)
    if overall and shown is not None and len(overall) > shown:
        significant = significant_findings(context)
        ordered = sorted(overall, key=lambda sentence: sentence.finding_id not in significant)
        section.blocks.append(SentenceList(sentences=tuple(ordered[:shown]), heading="Findings"))
        rest = len(overall) - shown
        section.blocks.append(
            Note(
                text=f"{format_count(rest)} further finding{'s' if rest != 1 else ''} on all"
                " crime and harm are in the published findings table (findings.csv)."
            )
        )
    elif overall:
        section.blocks.append(SentenceList(sentences=tuple(overall), heading="Findings"))
    figures, omitted = (
        renderer.overview() if charts is None else renderer.named(charts, crime_group=None)
    )
    section.blocks.extend(figures)
    if omitted:
        section.blocks.append(Note(text=" ".join(omitted)))
    return section


def not_assessed_reasons(context: ReportContext) -> dict[str, str]:
    """Crime group id -> why it was not assessed, for every group the assessment skipped.

    From the artefact's ``crime_groups`` table (``computed`` false, ``skipped_reason``) when
    this audience has it, else from the manifest's ``skipped`` reasons of crime groups. Each
    reason reads ``not assessed: needs ...``.
    """
    reasons: dict[str, str] = {}
    groups = context.artefact.table("crime_groups")
    if groups is not None and not groups.empty:
        for record in groups.to_dict("records"):
            reason = record.get("skipped_reason")
            if not _computed(record.get("computed")) and isinstance(reason, str) and reason:
                reasons[str(record["group_id"])] = not_assessed(reason)
        return reasons
    skipped = context.artefact.manifest.get("skipped") or {}
    known = {group_id for theme in themes() for group_id in theme.groups}
    for key, reason in skipped.items() if isinstance(skipped, dict) else ():
        if str(key) in known and isinstance(reason, str) and reason:
            reasons[str(key)] = not_assessed(reason)
    return reasons


def _computed(value: object) -> bool:
    return not is_missing(value) and bool(value)


def main_group(context: ReportContext, theme: Theme) -> tuple[str | None, str]:
    """The theme's first group with data, or ``None`` and why none has any.

    "No crimes of these kinds were recorded" is said only when a group of the theme was
    assessed and counted none; a group that was not assessed (its source not loaded) is
    "not assessed", with what it needs; never zero.
    """
    counted_none = False
    for group_id in theme.groups:
        row = area_row(
            context.index, group_id=group_id, area_code=context.area_code, period=context.period
        )
        if row is None:
            continue
        count = row.values.get("numerator")
        if bool(row.values.get("suppressed")) or (not is_missing(count) and float(str(count)) > 0):
            return group_id, ""
        counted_none = counted_none or (not is_missing(count) and float(str(count)) == 0)
    if counted_none:
        return (
            None,
            f"no crimes of these kinds were recorded in {context.area_name} in {context.period}",
        )
    reasons = not_assessed_reasons(context)
    for group_id in theme.groups:
        if group_id in reasons:
            return None, reasons[group_id]
    return None, f"{NOT_ASSESSED}: the assessment has no figures for these crimes"


def groups_with_data(context: ReportContext, theme: Theme) -> list[str]:
    """The theme's groups with a count above zero (or a suppressed one), in theme order."""
    found: list[str] = []
    for group_id in theme.groups:
        row = area_row(
            context.index, group_id=group_id, area_code=context.area_code, period=context.period
        )
        if row is None:
            continue
        count = row.values.get("numerator")
        if bool(row.values.get("suppressed")) or (not is_missing(count) and float(str(count)) > 0):
            found.append(group_id)
    return found


def theme_sections(
    context: ReportContext,
    findings: list[Sentence],
    topics: dict[str, str],
    renderer: ChartRenderer,
    *,
    layout: ThemeLayout,
) -> tuple[list[Section], list[str]]:
    """One section per theme with data, laid out as the edition says, and the themes without.

    Parameters
    ----------
    context, findings, topics, renderer
        The report's context, its findings (and their topics) and the chart renderer.
    layout
        The edition's theme layout (``editions.yaml``): small multiples of the theme's groups,
        the main group's charts, how many findings, and where the ward table goes.
    """
    sections: list[Section] = []
    absent: list[str] = []
    for theme in themes():
        group_id, reason = main_group(context, theme)
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
                layout=layout,
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
    layout: ThemeLayout,
) -> Section:
    row = area_row(
        context.index, group_id=group_id, area_code=context.area_code, period=context.period
    )
    title = theme.title
    intro: list[Block] = []
    if group_id != theme.groups[0]:
        # The theme's own group was not assessed (a police.uk-only run has no residential
        # burglary): the section is titled by what it shows, and says why.
        shown = str(row.values.get("indicator_name", group_id)) if row is not None else group_id
        title = shown[:1].upper() + shown[1:]
        reason = not_assessed_reasons(context).get(theme.groups[0], NOT_ASSESSED)
        intro.append(
            Note(
                text=f"{theme.title} is {reason}; this section shows {lower_first(shown)},"
                " which includes it but does not separate it."
            )
        )
    section = Section(
        section_id=f"theme-{theme.theme_id}", number="", title=title, new_page=layout.new_page
    )
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
            rate_key_figure(
                row=row, label=f"Per 1,000 {row.values.get('denominator_type') or 'residents'}"
            ),
        ]
        if not is_missing(row.values.get("change_pct")):
            boxes.append(change_key_figure(row=row, label=f"Change on {context.baseline}"))
        intro.append(KeyFigures(figures=tuple(boxes)))
        sentences = [Sentence(text=theme.summary, row_ids=())]
        if layout.volume_sentence and not is_missing(row.values.get("numerator")):
            sentences.append(
                volume_sentence(row, area_name=context.area_name, period=context.period, noun=name)
            )
        intro.append(Paragraph(sentences=tuple(sentences)))
    section.blocks.extend(intro)
    section.subsections.append(
        _findings(context, section.section_id, topic_findings(findings, topics, theme.groups),
                  shown=layout.findings)
    )  # fmt: skip
    charts = Section(section_id=f"{section.section_id}-charts", number="", title="Charts")
    groups = groups_with_data(context, theme)[: layout.max_groups] or [group_id]
    for chart in layout.small_multiples:
        figures, omitted = renderer.small_multiples(
            chart, group_ids=groups, theme_id=theme.theme_id, theme_title=theme.title
        )
        charts.blocks.extend(figures)
        if omitted:
            charts.blocks.append(Note(text=" ".join(omitted)))
    if layout.charts:
        figures, omitted = renderer.named(layout.charts, crime_group=group_id)
        charts.blocks.extend(figures)
        if omitted:
            charts.blocks.append(Note(text=" ".join(omitted)))
    if not charts.blocks:
        charts.blocks.append(Note(text="No charts: the assessment has no data to chart."))
    section.subsections.append(charts)
    if layout.ward_table is WardTable.SECTION:
        wards = Section(section_id=f"{section.section_id}-wards", number="", title="Wards")
        wards.blocks.append(_ward_table(context, group_id, theme))
        section.subsections.append(wards)
    return section


def _findings(
    context: ReportContext, section_id: str, found: list[Sentence], *, shown: int | None
) -> Section:
    """The theme's findings: every one, or the first ``shown`` (significant ones first)."""
    section = Section(section_id=f"{section_id}-findings", number="", title="Findings")
    if not found:
        section.blocks.append(Note(text="The assessment made no findings on this theme."))
        return section
    if shown is not None and len(found) > shown:
        significant = significant_findings(context)
        ordered = sorted(found, key=lambda sentence: sentence.finding_id not in significant)
        section.blocks.append(SentenceList(sentences=tuple(ordered[:shown])))
        rest = len(found) - shown
        section.blocks.append(
            Note(
                text=f"{format_count(rest)} further finding{'s' if rest != 1 else ''} on this"
                " theme are in the published findings table (findings.csv)."
            )
        )
        return section
    section.blocks.append(SentenceList(sentences=tuple(found)))
    return section


def significant_findings(context: ReportContext) -> set[str]:
    """Ids of the findings the artefact marks statistically significant (``significant``)."""
    frame = context.artefact.table("findings")
    if frame is None or "significant" not in frame.columns:
        return set()
    flags = frame["significant"].astype("boolean").fillna(False).astype(bool)
    return set(frame.loc[flags, "finding_id"].astype(str))


def _count_or_suppressed(value: object) -> str:
    return SUPPRESSED if is_missing(value) else format_count(value)


def _ward_table(context: ReportContext, group_id: str, theme: Theme) -> Block:
    indicators = context.artefact.table("indicators")
    if indicators is None:
        return Note(text="The assessment has no counts and rates, so no ward figures.")
    wards = indicators[
        (indicators["indicator_id"] == group_id)
        & (indicators["area_level"] == "ward")
        & (indicators["period"] == context.period)
    ]
    if wards.empty:
        return Note(text="The assessment has no ward figures for this theme.")
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
                    count=whole_number(count),
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
        methods=(BENCHMARK_BY_INTERVAL,),
    )


HIGHER_MARK, LOWER_MARK = "\u25b2", "\u25bc"
"""Marks after a ward's rate significantly higher (▲) or lower (▼) than the area's."""
WARD_APPENDIX_COLUMNS = 7
"""Themes per table of the ward appendix (a wider table does not fit an A4 page)."""


def ward_appendix(context: ReportContext) -> Section:
    """Every theme's main group by ward in compact tables: the rate, marked when the ward's
    95% confidence interval lies above (▲) or below (▼) the area's rate.

    The full ward figures (counts, intervals, change) are in the published ``indicators``
    table; the partners' edition also prints them in each theme.
    """
    section = Section(
        section_id="ward-appendix", number="", title="Ward figures by theme", appendix=True
    )
    indicators = context.artefact.table("indicators")
    chosen = [
        (theme, group_id)
        for theme in themes()
        for group_id in (main_group(context, theme)[0],)
        if group_id is not None
    ]
    if indicators is None or not chosen:
        section.blocks.append(Note(text="The assessment has no ward figures."))
        return section
    wards = indicators[
        (indicators["area_level"] == "ward") & (indicators["period"] == context.period)
    ]
    if wards.empty:
        section.blocks.append(Note(text="The assessment has no ward figures."))
        return section
    names = (
        wards[["area_code", "area_name"]]
        .drop_duplicates("area_code")
        .sort_values(["area_name", "area_code"], kind="mergesort")
    )
    cells = {
        (str(record["indicator_id"]), str(record["area_code"])): record
        for record in wards.to_dict("records")
    }
    section.blocks.append(
        Paragraph(
            sentences=(
                Sentence(
                    text="Rates per 1,000 residents (per 1,000 households where the theme's key"
                    f" figures give households) in each ward of {context.area_name},"
                    f" {context.period}, for the main crime group of"
                    f" each theme. {HIGHER_MARK}: significantly higher than the"
                    f" {context.area_name} rate (the ward's 95% confidence interval lies above"
                    f" it); {LOWER_MARK}: significantly lower; no mark: similar. Counts,"
                    " intervals and change for every ward and crime group are in the published"
                    " indicators table (indicators.csv).",
                    row_ids=(),
                    methods=(BENCHMARK_BY_INTERVAL,),
                ),
            )
        )
    )
    for start in range(0, len(chosen), WARD_APPENDIX_COLUMNS):
        part = chosen[start : start + WARD_APPENDIX_COLUMNS]
        rows = tuple(
            (
                Cell(text=str(ward["area_name"])),
                *(
                    Cell(text=_ward_rate(cells.get((group_id, str(ward["area_code"])))),
                         numeric=True)
                    for _, group_id in part
                ),
            )
            for ward in names.to_dict("records")
        )  # fmt: skip
        section.blocks.append(
            Table(
                table_id=f"ward-appendix-{start // WARD_APPENDIX_COLUMNS + 1}",
                caption=f"Rate per 1,000 by ward, {context.period}: "
                + ", ".join(theme.title.lower() for theme, _ in part),
                columns=("Ward", *(theme.title for theme, _ in part)),
                rows=rows,
            )
        )
    return section


def _ward_rate(record: Mapping[Hashable, object] | None) -> str:
    if record is None:
        return MISSING
    if bool(record.get("suppressed")) and is_missing(record.get("value")):
        return SUPPRESSED
    if is_missing(record.get("value")):
        return MISSING
    label = record.get("benchmark_label")
    mark = {"Higher": f" {HIGHER_MARK}", "Lower": f" {LOWER_MARK}"}.get(str(label), "")
    return format_rate(record.get("value")) + mark
