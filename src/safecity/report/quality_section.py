"""Data quality and caveats: standing caveats, coverage, disclosure, parts not computed."""

from __future__ import annotations

import pandas as pd

from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.context import (
    ReportContext,
    group_names,
)
from safecity.report.document import (
    Cell,
    Definition,
    Definitions,
    Section,
    Sentence,
    SentenceList,
    Table,
)
from safecity.report.formatting import (
    format_count,
    format_month,
    format_percent,
)
from safecity.report.reader_words import part_words
from safecity.report.report_config import SkippedParts, caveats, edition


def _input_formats(context: ReportContext) -> set[str]:
    inputs = context.artefact.manifest.get("inputs") or []
    return {str(entry.get("format")) for entry in inputs if isinstance(entry, dict)}


def data_quality_section(context: ReportContext) -> Section:
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
        names = group_names(context)
        by_reason: dict[str, list[str]] = {}
        for part, reason in sorted(skipped.items()):
            by_reason.setdefault(str(reason), []).append(part_words(str(part), group_names=names))
        if edition(context.audience.value).skipped_parts is SkippedParts.LIST:
            section.subsections.append(
                Section(
                    section_id="data-quality-skipped",
                    number="",
                    title="Parts not computed",
                    blocks=[SentenceList(sentences=(_skipped_sentence(by_reason),))],
                )
            )
            return section
        rows = tuple(
            (Cell(text=_joined_parts(parts)), Cell(text=reason))
            for reason, parts in by_reason.items()
        )
        section.subsections.append(
            Section(
                section_id="data-quality-skipped",
                number="",
                title="Parts not computed",
                blocks=[
                    Table(
                        table_id="skipped",
                        caption="Parts of the assessment not computed, and why (parts with"
                        " the same reason share a row)",
                        columns=("Part", "Why"),
                        rows=rows,
                    )
                ],
            )
        )
    return section


def _skipped_sentence(by_reason: dict[str, list[str]]) -> Sentence:
    """The parts not computed in one sentence: each kind of part once, with how many of it
    (``Hot spots on a grid (33)``); the reasons are in the partners' edition."""
    counts: dict[str, int] = {}
    for parts in by_reason.values():
        for part in parts:
            kind = part.partition(": ")[0]
            counts[kind] = counts.get(kind, 0) + 1
    kinds = [kind if count == 1 else f"{kind} ({count})" for kind, count in counts.items()]
    return Sentence(
        text="Not computed in this assessment (the partners' edition gives each part's reason):"
        f" {'; '.join(kinds)}.",
        row_ids=(),
    )


def _joined_parts(parts: list[str]) -> str:
    """Parts sharing a reason, each kind of part named once: ``Hot spots on a grid: Burglary,
    Robbery; Priority scores: comparator position``.

    >>> _joined_parts(["Hot spots on a grid: Burglary", "Hot spots on a grid: Robbery", "KDE"])
    'Hot spots on a grid: Burglary, Robbery; KDE'
    """
    by_kind: dict[str, list[str]] = {}
    for part in parts:
        kind, separator, name = part.partition(": ")
        by_kind.setdefault(kind if separator else part, []).append(name if separator else "")
    joined = []
    for kind, names in by_kind.items():
        if "" in names:
            joined.append(kind)
        named = [name for name in names if name]
        if named:
            joined.append(f"{kind}: {', '.join(named)}")
    return "; ".join(joined)


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
