"""The national picture: the area against England (or Wales) and its comparator group.

One compact table (volume, rate and crime severity; the area, the nation and the comparator
group, with 95% intervals where the figure has one, the label of the area's rate against each,
and the rank) and one small-multiple chart, from the artefact's ``benchmarking_context`` table.
Every figure names its source: police.uk (national figures only with complete national
coverage) or a published table with its publisher, title and period. Figures not made are
listed with the artefact's reason.
"""

from __future__ import annotations

import time

import pandas as pd

from safecity.report.charts import ChartRenderer, figure_block
from safecity.report.context import ReportContext
from safecity.report.document import Cell, Note, Section, Table
from safecity.report.figures import FigureDataError, render_svg
from safecity.report.figures.comparators import national_context_chart, national_context_rows

LABEL_WORDS = {
    "Worse": "significantly higher",
    "Better": "significantly lower",
    "Similar": "not significantly different",
}
"""The area's rate against a figure, in words (Fingertips rule, methods.md §2.1)."""
MEASURE_ORDER = ("volume", "rate", "severity")


def _number(value: object, *, measure: str) -> str:
    number = float(str(value))
    return f"{number:,.0f}" if measure == "volume" else f"{number:,.1f}"


def _cell(row: pd.Series | None, *, with_label: bool) -> Cell:
    """A figure, its interval, rank and (against the area) its label, as one cell."""
    if row is None:
        return Cell(text="not made")
    measure = str(row["measure"])
    text = _number(row["value"], measure=measure)
    if pd.notna(row["lower_ci"]) and pd.notna(row["upper_ci"]):
        lower = _number(row["lower_ci"], measure=measure)
        upper = _number(row["upper_ci"], measure=measure)
        text += f" ({lower} to {upper})"
    if pd.notna(row["rank"]) and pd.notna(row["rank_of"]) and str(row["rank_scope"]):
        text += f"; {int(row['rank'])} of {int(row['rank_of'])} {row['rank_scope']}"
    if with_label and str(row["label"]) in LABEL_WORDS:
        text += f"; the area's rate is {LABEL_WORDS[str(row['label'])]}"
    count = int(float(row["value"])) if measure == "volume" else None
    return Cell(text=text, count=count, numeric=True)


def national_table(shown: pd.DataFrame, *, area_name: str) -> Table:
    """The compact table: one row per measure; the area, the nation and the group."""
    nation_names = shown.loc[shown["comparison"] == "nation", "comparison_name"].astype(str)
    group_names = shown.loc[shown["comparison"] == "comparators", "comparison_name"].astype(str)
    nation = nation_names.iloc[0] if not nation_names.empty else "England"
    group = group_names.iloc[0] if not group_names.empty else "Comparator group"
    rows = []
    for measure in MEASURE_ORDER:
        of_measure = shown[shown["measure"] == measure]
        if of_measure.empty:
            continue
        by_comparison = {str(row["comparison"]): row for _, row in of_measure.iterrows()}
        first = of_measure.iloc[0]
        rows.append(
            (
                Cell(text=f"{first['measure_name']} ({first['unit']})"),
                _cell(by_comparison.get("area"), with_label=False),
                _cell(by_comparison.get("nation"), with_label=True),
                _cell(by_comparison.get("comparators"), with_label=True),
                Cell(text=str(first["source"]).removeprefix("published: ")),
            )
        )
    return Table(
        table_id="national-context-table",
        caption=f"{area_name} against {nation} and its comparator group",
        columns=("Measure", area_name, nation, group, "Source"),
        rows=tuple(rows),
        note=(
            "Rates per 1,000 residents with 95% confidence intervals; the label is the area's"
            " interval against that figure (lower crime is better). Published severity scores"
            " have no interval, so they are ranked, not labelled. 1 = highest."
        ),
        methods=("ranking", "fingertips_benchmark"),
    )


def national_section(context: ReportContext, renderer: ChartRenderer) -> Section | None:
    """The national picture, or None when the artefact has no ``benchmarking_context`` table."""
    frame = context.artefact.table("benchmarking_context")
    if frame is None:
        return None
    section = Section(section_id="national-context", number="", title="England and comparators")
    shown = national_context_rows(frame) if not frame.empty else frame
    if shown.empty or not (shown["comparison"] == "area").any():
        reasons = sorted(set(frame["not_made"].dropna().astype(str)) - {""}) if len(frame) else []
        section.blocks.append(
            Note(
                text="No comparison with England or a comparator group: "
                + (
                    "; ".join(reason.removeprefix("not made: ") for reason in reasons)
                    or "none made"
                )
                + "."
            )
        )
        return section
    families = context.artefact.manifest.get("families", {})
    group = (families.get("benchmarking") or {}).get("comparator_group") or {}
    if group.get("note") and (shown["comparison"] == "comparators").any():
        members = ", ".join(str(name) for name in group.get("member_names", []))
        section.blocks.append(
            Note(text=f"Comparator group ({members}): {str(group['note']).rstrip('.')}.")
        )
    section.blocks.append(national_table(shown, area_name=context.area_name))
    try:
        figure = national_context_chart(
            context=frame, area_name=context.area_name, period=context.period
        )
    except FigureDataError as error:
        section.blocks.append(Note(text=f"No chart: {error}."))
    else:
        started = time.perf_counter()
        svg = render_svg(spec=figure.spec)
        renderer.seconds += time.perf_counter() - started
        renderer.rendered.append((figure, svg))
        section.blocks.append(figure_block(figure, svg=svg))
    refused = sorted(set(frame["not_made"].dropna().astype(str)) - {""})
    section.blocks.extend(
        Note(text=reason[:1].upper() + reason[1:].rstrip(".") + ".") for reason in refused
    )
    return section
