"""Charts in the document: accessible inline SVG and the data table behind each chart.

The charts themselves come from :mod:`safecity.report.figures`; this module renders them
(timing the rendering), makes the SVG accessible (``role="img"``, a ``<title>`` and ``<desc>``
named by ``aria-labelledby``, ids made unique in the page, no namespace URLs) and turns the
chart's data into a printed table.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from safecity.report.artefact_reader import AssessmentArtefact
from safecity.report.document import Cell, FigureBlock, Table
from safecity.report.figures import Figure, overview_figures, render_svg, theme_figures
from safecity.report.figures.assemble import named_figures, theme_small_multiples
from safecity.report.formatting import SUPPRESSED, format_count, is_missing
from safecity.report.reader_words import NO_DATA, column_heading, shown_columns, table_words

COUNT_COLUMNS = frozenset(
    {"count", "numerator", "crimes", "persons", "baseline_count", "baseline_numerator"}
)
"""Columns of a chart's data that hold published counts (checked by disclosure tests)."""

TABLE_ROW_LIMIT = 200
"""Rows of a chart's data printed in the HTML; the CSV in ``tables/`` always has them all."""

_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_ID = re.compile(r'\bid="([^"]+)"')
_NAMESPACE = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_ROOT_ARIA = re.compile(r'\s+(?:role|aria-label|aria-roledescription)="[^"]*"')


@dataclass(slots=True)
class ChartRenderer:
    """Renders the artefact's charts to SVG, remembering each figure and the time spent."""

    artefact: AssessmentArtefact
    seconds: float = 0.0
    rendered: list[tuple[Figure, str]] = field(default_factory=list)

    def overview(self) -> tuple[list[FigureBlock], list[str]]:
        """The overview charts as blocks, and sentences saying which were left out and why."""
        started = time.perf_counter()
        figures, omitted = overview_figures(artefact=self.artefact)
        self.seconds += time.perf_counter() - started
        return [self._block(figure) for figure in figures], list(omitted)

    def theme(self, crime_group: str) -> tuple[list[FigureBlock], list[str]]:
        """A theme's charts as blocks, and sentences saying which were left out and why."""
        started = time.perf_counter()
        figures, omitted = theme_figures(artefact=self.artefact, crime_group=crime_group)
        self.seconds += time.perf_counter() - started
        return [self._block(figure) for figure in figures], list(omitted)

    def named(
        self, names: Sequence[str], *, crime_group: str | None
    ) -> tuple[list[FigureBlock], list[str]]:
        """The charts ``names`` of an edition for one group (``None``: the overview's)."""
        started = time.perf_counter()
        figures, omitted = named_figures(
            artefact=self.artefact, names=names, crime_group=crime_group
        )
        self.seconds += time.perf_counter() - started
        return [self._block(figure) for figure in figures], list(omitted)

    def small_multiples(
        self, chart: str, *, group_ids: Sequence[str], theme_id: str, theme_title: str
    ) -> tuple[list[FigureBlock], list[str]]:
        """One figure of ``chart`` for several groups of a theme, side by side."""
        started = time.perf_counter()
        figures, omitted = theme_small_multiples(
            artefact=self.artefact,
            chart=chart,
            group_ids=group_ids,
            theme_id=theme_id,
            theme_title=theme_title,
        )
        self.seconds += time.perf_counter() - started
        return [self._block(figure) for figure in figures], list(omitted)

    def _block(self, figure: Figure) -> FigureBlock:
        started = time.perf_counter()
        svg = render_svg(spec=figure.spec)
        self.seconds += time.perf_counter() - started
        self.rendered.append((figure, svg))
        return figure_block(figure, svg=svg)


def figure_block(figure: Figure, *, svg: str) -> FigureBlock:
    """The document block of ``figure`` rendered as ``svg``."""
    return FigureBlock(
        figure_id=figure.figure_id,
        title=figure.title,
        alt_text=figure.alt_text,
        svg=accessible_svg(
            svg,
            element_id=f"figure-{figure.figure_id}",
            title=figure.title,
            description=figure.alt_text,
        ),
        image_uri="data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode(),
        data_table=data_table(figure),
        source_table=table_words(figure.source_table),
        note=figure.note,
    )


def accessible_svg(svg: str, *, element_id: str, title: str, description: str) -> str:
    """``svg`` ready to sit inline in an HTML page as an accessible image.

    The root gets ``role="img"`` and ``aria-labelledby`` naming a ``<title>`` and a ``<desc>``
    (WAI-ARIA Graphics; W3C WAI images tutorial); every id inside is prefixed with
    ``element_id`` so several charts can share a page; the XML namespace declarations (URLs,
    not needed inline in HTML) are removed.
    """
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError(f"{element_id}: the rendered chart is not SVG (no <svg> element)")
    body = svg[match.end() :]
    for old_id in sorted(set(_ID.findall(body)), key=len, reverse=True):
        new_id = f"{element_id}-{old_id}"
        body = body.replace(f'id="{old_id}"', f'id="{new_id}"')
        body = body.replace(f"url(#{old_id})", f"url(#{new_id})")
        body = body.replace(f'href="#{old_id}"', f'href="#{new_id}"')
    opening = _ROOT_ARIA.sub("", _NAMESPACE.sub("", match.group(0)))
    title_id, description_id = f"{element_id}-title", f"{element_id}-desc"
    opening = (
        opening[:-1]
        + f' role="img" aria-labelledby="{title_id} {description_id}" focusable="false">'
    )
    return (
        f'{opening}<title id="{title_id}">{escape_xml(title)}</title>'
        f'<desc id="{description_id}">{escape_xml(description)}</desc>{body}'
    )


def escape_xml(text: str) -> str:
    """``text`` safe inside an XML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_table_value(value: object) -> str:
    """A value of a chart's data table as printed (counts whole, others to 3-4 figures)."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return format_count(value)
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _flags(frame: pd.DataFrame, column: str, *, default: bool) -> list[bool]:
    if column not in frame.columns:
        return [default] * len(frame)
    return [default if is_missing(value) else bool(value) for value in frame[column].tolist()]


def data_table(figure: Figure) -> Table:
    """The data behind ``figure`` as a printed table (at most :data:`TABLE_ROW_LIMIT` rows).

    Columns are headed in readers' words, and identifier columns are left out (the CSV in
    ``tables/`` keeps every column). Missing counts on a suppressed row read "suppressed", and
    on a month without data (``has_data`` false) "no data"; never 0. Count columns keep the
    count they show, so a test can check no published count is under the suppression
    threshold.
    """
    frame = figure.data
    hidden = _flags(frame, "suppressed", default=False)
    with_data = _flags(frame, "has_data", default=True)
    columns = shown_columns([str(column) for column in frame.columns])
    rows: list[tuple[Cell, ...]] = []
    for position, record in enumerate(frame.head(TABLE_ROW_LIMIT).to_dict("records")):
        cells: list[Cell] = []
        for column in columns:
            value = record[column]
            if is_missing(value) and hidden[position]:
                cells.append(Cell(text=SUPPRESSED))
                continue
            if is_missing(value) and not with_data[position] and column in COUNT_COLUMNS:
                cells.append(Cell(text=NO_DATA))
                continue
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            count = (
                round(float(value))
                if column in COUNT_COLUMNS and numeric and not is_missing(value)
                else None
            )
            cells.append(Cell(text=format_table_value(value), count=count, numeric=numeric))
        rows.append(tuple(cells))
    shown = min(len(frame), TABLE_ROW_LIMIT)
    note = (
        f"The first {format_count(shown)} of {format_count(len(frame))} rows; every row is in"
        f" tables/{figure.figure_id}.csv."
        if len(frame) > TABLE_ROW_LIMIT
        else None
    )
    return Table(
        table_id=f"data-{figure.figure_id}",
        caption=f"Data for the chart: {figure.title}",
        columns=tuple(column_heading(column) for column in columns),
        rows=tuple(rows),
        note=note,
    )
