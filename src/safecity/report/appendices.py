"""The appendices: methods used with their references, glossary, sources and licences."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from safecity.report.context import (
    ReportContext,
)
from safecity.report.document import (
    Cell,
    Definition,
    Definitions,
    MethodRef,
    Paragraph,
    Section,
    Sentence,
    Table,
)
from safecity.report.formatting import (
    MISSING,
    format_count,
)
from safecity.report.report_config import (
    glossary,
    methods,
    source_licences,
)


def present_tables(context: ReportContext) -> set[str]:
    return {
        name
        for name in context.artefact.table_names
        if (frame := context.artefact.table(name)) is not None and not frame.empty
    }


def methods_section(
    context: ReportContext, *, referenced: Iterable[str] = ()
) -> tuple[Section, dict[str, MethodRef]]:
    """The methods appendix, and how the text refers to each entry (number and anchor).

    An entry is listed when the artefact used the method (a table or column the entry names
    has data) or the report's text refers to it (``referenced``: a footnote). Entries are
    numbered in the appendix's order; each keeps the section of the methods specification
    (docs/methods.md) that defines it and its published reference.
    """
    present = present_tables(context)
    wanted = set(referenced)
    refs: dict[str, MethodRef] = {}
    items: list[Definition] = []
    for method in methods():
        used = method.method_id in wanted or any(table in present for table in method.tables)
        for qualified in method.columns:
            table, _, column = qualified.partition(".")
            frame = context.artefact.table(table) if table in present else None
            if frame is not None and column in frame.columns and frame[column].notna().any():
                used = True
        if used:
            number = len(items) + 1
            refs[method.method_id] = MethodRef(
                number=number, anchor=method.anchor, name=method.name
            )
            items.append(
                Definition(
                    term=f"[{number}] {method.name} (methods specification §{method.section})",
                    meaning=method.description,
                    detail=f"Reference: {method.reference}",
                    anchor=method.anchor,
                )
            )
    section = Section(section_id="methods", number="", title="Methods", appendix=True)
    section.blocks.append(
        Paragraph(
            sentences=(
                Sentence(
                    text="The statistical methods behind the figures in this report, with the"
                    " section of the project's methods specification (docs/methods.md) that"
                    " defines each and its published reference. A number in square brackets"
                    " in the report, such as [1], refers to the entry of that number here.",
                    row_ids=(),
                ),
            )
        )
    )
    section.blocks.append(Definitions(items=tuple(items)))
    return section, refs


def glossary_section(context: ReportContext) -> Section:
    present = present_tables(context)
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


def sources_section(context: ReportContext) -> Section:
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
        # The licence's address is printed once, in the statement under the table.
        licence = ogl.split(" (")[0] if source.licence == "ogl" else source.licence
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
