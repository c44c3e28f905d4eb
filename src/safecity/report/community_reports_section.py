"""What residents and businesses reported: community reports beside police-recorded crime.

Built from the ``community_reports`` family's tables of the artefact (the audience's copies,
so the public edition reads only the disclosure-controlled ones, where a withheld count is
empty): ``community_reports_summary`` (by kind and channel, with the change on the previous
period), ``community_reports_strand`` (hate reports by strand beside police-recorded hate
crime), ``community_reports_business`` and, in the partners' edition,
``community_reports_ward``.

The board edition is short (its page budget): all reports with each kind's count and the
change with the test that judged it, each kind whose change is significant, the strands beside
police-recorded hate crime, each strand whose change is significant, business crime and
losses; no chart. The partners' edition adds the channels, every strand, the wards with most
reports and a chart of the strands in the two years (the monthly counts and the family's
findings, every kind's change among them, are in the published tables). A withheld count
reads "withheld", never a number. Without community report tables the section is absent and
:func:`community_reports_absence` gives the sentence the data quality section prints instead
(the manifest's reason: not assessed, never zeros).

References
----------
Home Office (2023) *Hate crime, England and Wales* (the five monitored strands; a crime may
have more than one); methods specification §2.2a (the exact conditional rate-ratio test).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from safecity.report.charts import ChartRenderer, figure_block
from safecity.report.context import ReportContext
from safecity.report.document import (
    FigureBlock,
    Note,
    Paragraph,
    Section,
    Sentence,
    SentenceList,
)
from safecity.report.figures import Figure, FigureDataError, render_svg
from safecity.report.figures.community_reports import strand_chart
from safecity.report.formatting import format_count, format_p_value, is_missing

SECTION_ID = "community_reports"
SECTION_TITLE = "What residents and businesses reported"
FAMILY = "community_reports"
SUMMARY_TABLE = "community_reports_summary"
STRAND_TABLE = "community_reports_strand"
BUSINESS_TABLE = "community_reports_business"
WARD_TABLE = "community_reports_ward"
RATE_RATIO_METHOD = "rate_ratio_test"
DISCLOSURE_METHOD = "disclosure_control"
ALL = "all"
WARDS_SHOWN = 5
NOT_LOADED = "no community reports were loaded for this assessment"
TEST_WORDS = "an exact test comparing the reports received per month in the two periods"
KIND_WORDS = {
    ALL: "All community reports",
    "hate": "Hate incident reports",
    "concern": "Community safety concerns",
    "business": "Business crime reports",
}
"""How the section names each kind (a partnership's own kinds: by their label)."""


def kind_words(kind: object, label: object) -> str:
    """``Hate incident reports`` for ``hate``; another kind by its label."""
    return KIND_WORDS.get(str(kind), str(label))


@dataclass(frozen=True, slots=True)
class CommunityReportTables:
    """The family's tables for the report's audience."""

    summary: pd.DataFrame
    strands: pd.DataFrame
    business: pd.DataFrame
    wards: pd.DataFrame | None


def community_report_tables(context: ReportContext) -> CommunityReportTables | None:
    """The tables, or ``None`` when the artefact has no community reports to report."""
    summary = context.artefact.table(SUMMARY_TABLE)
    if summary is None or summary.empty:
        return None
    strands = context.artefact.table(STRAND_TABLE)
    business = context.artefact.table(BUSINESS_TABLE)
    return CommunityReportTables(
        summary=summary,
        strands=strands if strands is not None else pd.DataFrame(),
        business=business if business is not None else pd.DataFrame(),
        wards=context.artefact.table(WARD_TABLE),
    )


def community_reports_absence(context: ReportContext) -> str | None:
    """Why the report has no community-reports section (``None`` when it has one)."""
    if community_report_tables(context) is not None:
        return None
    skipped = context.artefact.manifest.get("skipped")
    reason = skipped.get(FAMILY) if isinstance(skipped, Mapping) else None
    text = str(reason).strip().rstrip(".") if reason else NOT_LOADED
    return f"This report has no “{SECTION_TITLE}” section: {text}."


def _row_ids(row: Mapping[Any, Any]) -> tuple[str, ...]:
    value = row.get("row_id")
    return () if is_missing(value) else (str(value),)


def _count(value: object) -> str:
    return "withheld" if is_missing(value) else format_count(value)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _change(row: Mapping[Any, Any], *, baseline: str) -> tuple[str, tuple[str, ...]]:
    """ ", against 71 in 2023/24: a statistically significant increase (…)" and its methods."""
    reason = row.get("change_not_made")
    if not is_missing(reason) and str(reason):
        return f"; no change on {baseline} is reported ({reason})", ()
    previous = row.get("reports_previous", row.get("community_reports_previous"))
    if is_missing(previous) or is_missing(row.get("change_p_value")):
        return f"; the change on {baseline} is withheld with the counts it rests on", ()
    significant = not is_missing(row.get("change_significant")) and bool(
        row.get("change_significant")
    )
    change = row.get("change_pct")
    if significant and not is_missing(change):
        direction = "increase" if float(str(change)) > 0 else "decrease"
        verdict = f"a statistically significant {direction}"
    elif significant:
        verdict = "a statistically significant change"
    else:
        verdict = "not a statistically significant change"
    return (
        f", against {format_count(previous)} in {baseline}: {verdict} ({TEST_WORDS},"
        f" {format_p_value(row['change_p_value'])})",
        (RATE_RATIO_METHOD,),
    )


def kind_sentences(tables: CommunityReportTables, context: ReportContext) -> list[Sentence]:
    """The reports of all kinds with each kind's count and the change; then one sentence per
    kind whose change is statistically significant (every kind's change is in the published
    findings)."""
    summary = tables.summary
    rows = summary[summary["channel"].astype(str) == ALL]
    kinds = rows[rows["kind"] != ALL]
    sentences = []
    for total in rows[rows["kind"] == ALL].to_dict("records"):
        change, methods = _change(total, baseline=context.baseline)
        parts = ", ".join(
            f"{_lower_first(kind_words(row['kind'], row['kind_label']))} {_count(row['reports'])}"
            for row in kinds.to_dict("records")
        )
        sentences.append(
            Sentence(
                text=f"{kind_words(ALL, '')}: {_count(total['reports'])} in {context.period}"
                f" ({parts}){change}.",
                row_ids=(*_row_ids(total), *(str(row_id) for row_id in kinds["row_id"])),
                methods=methods,
            )
        )
    for row in kinds.to_dict("records"):
        significant = not is_missing(row.get("change_significant")) and bool(
            row.get("change_significant")
        )
        if not significant:
            continue
        change, methods = _change(row, baseline=context.baseline)
        losses = ""
        if str(row["kind"]) == "business" and not is_missing(row.get("losses_pounds")):
            losses = f", with £{float(str(row['losses_pounds'])):,.2f} of losses recorded"
        sentences.append(
            Sentence(
                text=f"{kind_words(row['kind'], row['kind_label'])}: {_count(row['reports'])} in"
                f" {context.period}{losses}{change}.",
                row_ids=_row_ids(row),
                methods=methods,
            )
        )
    return sentences


def channel_sentence(tables: CommunityReportTables, context: ReportContext) -> Sentence | None:
    """How the reports arrived (partners' edition): each kind's reports by channel."""
    summary = tables.summary
    rows = summary[(summary["channel"].astype(str) != ALL) & (summary["kind"] != ALL)]
    if rows.empty:
        return None
    parts = []
    for kind, frame in rows.groupby("kind", sort=False):
        channels = ", ".join(
            f"{_lower_first(str(row['channel_label']))} {_count(row['reports'])}"
            for row in frame.to_dict("records")
        )
        words = kind_words(kind, frame["kind_label"].iloc[0])
        parts.append(f"{_lower_first(words)}: {channels}")
    return Sentence(
        text=f"How the reports arrived in {context.period}: " + "; ".join(parts) + ".",
        row_ids=tuple(str(row_id) for row_id in rows["row_id"]),
    )


def strand_sentences(
    tables: CommunityReportTables, context: ReportContext, *, detailed: bool
) -> list[Sentence]:
    """Hate reports by strand beside police-recorded hate crime."""
    strands = tables.strands
    if strands.empty:
        return []
    shown = strands.copy()
    shown["_reports"] = pd.to_numeric(shown["community_reports"], errors="coerce")
    significant = shown["change_significant"].astype("boolean").fillna(False).astype(bool)
    if not detailed:
        shown = shown[(shown["_reports"].fillna(1) > 0) | significant]
    parts = []
    for row in shown.sort_values("_reports", ascending=False, na_position="last").to_dict(
        "records"
    ):
        police = row.get("police_recorded")
        beside = f" (police-recorded: {format_count(police)})" if not is_missing(police) else ""
        parts.append(
            f"{_lower_first(str(row['strand_label']))} {_count(row['community_reports'])}{beside}"
        )
    if not parts:
        return []
    notes = (
        strands["police_recorded_note"].dropna().astype(str)
        if ("police_recorded_note" in strands)
        else pd.Series(dtype=str)
    )
    police_known = strands["police_recorded"].notna().any()
    tail = (
        " Police-recorded hate crime by strand is not shown: " + notes.iloc[0] + "."
        if not police_known and not notes.empty
        else ""
    )
    sentences = [
        Sentence(
            text=f"Hate incident reports in {context.period} by strand (a report may name more"
            " than one): " + "; ".join(parts) + "." + tail,
            row_ids=tuple(str(row_id) for row_id in shown["row_id"]),
        )
    ]
    for row in strands[significant].to_dict("records"):
        change, methods = _change(row, baseline=context.baseline)
        sentences.append(
            Sentence(
                text=f"Reports naming {_lower_first(str(row['strand_label']))}:"
                f" {_count(row['community_reports'])} in {context.period}{change}.",
                row_ids=_row_ids(row),
                methods=methods,
            )
        )
    return sentences


def business_sentence(tables: CommunityReportTables, context: ReportContext) -> Sentence | None:
    """Business crime by category, with losses."""
    business = tables.business
    if business.empty:
        return None
    parts = []
    for row in business.to_dict("records"):
        losses = row.get("losses_pounds")
        money = "" if is_missing(losses) else f" (£{float(str(losses)):,.2f} lost)"
        parts.append(f"{_lower_first(str(row['category_label']))} {_count(row['reports'])}{money}")
    return Sentence(
        text=f"Business crime reported in {context.period}: " + "; ".join(parts) + ".",
        row_ids=tuple(str(row_id) for row_id in business["row_id"]),
    )


def ward_sentence(tables: CommunityReportTables, context: ReportContext) -> Sentence | None:
    """The wards with most reports (partners' edition)."""
    wards = tables.wards
    if wards is None or wards.empty:
        return None
    placed = wards[wards["ward_code"].notna()].copy()
    placed["_reports"] = pd.to_numeric(placed["reports"], errors="coerce")
    rows = (
        placed[placed["_reports"].fillna(0) > 0]
        .sort_values(["_reports", "ward_name"], ascending=[False, True])
        .head(WARDS_SHOWN)
    )
    if rows.empty:
        return None
    parts = [
        f"{row['ward_name']} ({_lower_first(kind_words(row['kind'], row['kind_label']))},"
        f" {format_count(row['reports'])})"
        for row in rows.to_dict("records")
    ]
    return Sentence(
        text=f"Most reports of one kind in one ward, {context.period}: " + "; ".join(parts) + ".",
        row_ids=tuple(str(row_id) for row_id in rows["row_id"]),
    )


def _render(renderer: ChartRenderer, figure: Figure) -> FigureBlock:
    started = time.perf_counter()
    svg = render_svg(spec=figure.spec)
    renderer.seconds += time.perf_counter() - started
    renderer.rendered.append((figure, svg))
    return figure_block(figure, svg=svg)


def community_reports_section(
    context: ReportContext, renderer: ChartRenderer, *, detailed: bool
) -> Section | None:
    """The "What residents and businesses reported" section, or ``None`` without reports.

    Parameters
    ----------
    context
        The report's artefact (the audience's copies) and labels.
    renderer
        Renders (and records) the charts.
    detailed
        The partners' edition (channels, every strand, wards, a chart of the strands; the
        monthly counts and every kind's change are in the published tables); otherwise the board's
        short version (the kinds' changes that are significant, the strands beside
        police-recorded hate crime, business crime; no chart: the board's page budget).
    """
    tables = community_report_tables(context)
    if tables is None:
        return None
    section = Section(section_id=SECTION_ID, number="", title=SECTION_TITLE)
    if detailed:
        section.blocks.append(
            Paragraph(
                sentences=(
                    Sentence(
                        text="What residents reported to the partnership (online, through"
                        " third-party reporting centres and reporting apps) and businesses through"
                        " the business crime portal, counted without anyone's details; many of"
                        " these are never reported to the police.",
                        row_ids=(),
                    ),
                )
            )
        )
    extra: list[Sentence] = kind_sentences(tables, context)
    extra.extend(strand_sentences(tables, context, detailed=detailed))
    business = business_sentence(tables, context)
    if business is not None:
        extra.append(business)
    if detailed:
        for sentence in (channel_sentence(tables, context), ward_sentence(tables, context)):
            if sentence is not None:
                extra.append(sentence)
    if extra:
        section.blocks.append(SentenceList(sentences=tuple(extra)))
    if detailed and not tables.strands.empty:
        try:
            figure = strand_chart(
                strands=tables.strands,
                period=context.period,
                baseline=context.baseline,
                area_name=context.area_name,
                threshold=context.threshold,
            )
        except FigureDataError as error:
            section.blocks.append(Note(text=f"No chart: {error}."))
        else:
            section.blocks.append(_render(renderer, figure))
    withheld = tables.summary["suppressed"].astype("boolean").fillna(False).astype(bool).any() or (
        not tables.strands.empty
        and tables.strands["suppressed"].astype("boolean").fillna(False).astype(bool).any()
    )
    if withheld:
        section.blocks.append(
            Note(
                text=f"Counts under {context.threshold}, and any that would let one be worked"
                " out from the others, are withheld."
            )
        )
    return section


__all__ = [
    "SECTION_ID",
    "SECTION_TITLE",
    "community_report_tables",
    "community_reports_absence",
    "community_reports_section",
]
