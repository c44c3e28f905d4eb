"""The report as a document: numbered sections holding blocks of text, figures and tables.

The model holds text only (every number already formatted by :mod:`safecity.report.formatting`),
so the HTML templates print what they are given and never compute or type a number. Each
sentence keeps the ids of the artefact rows it cites, and the cited values, so that a test can
check every printed number against its row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from safecity.report.artefact_reader import Audience


@dataclass(frozen=True, slots=True)
class Citation:
    """One value a sentence prints: the artefact row and column it comes from, as printed.

    Attributes
    ----------
    row_id
        The cited row's id (its ``row_id``, or ``priority_id`` in the priority tables).
    table
        The artefact table that holds the row.
    column
        The column whose value is printed.
    text
        The value as printed (formatted by :mod:`safecity.report.formatting`).
    """

    row_id: str
    table: str
    column: str
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the narrative with the artefact rows it cites.

    ``citations`` lists each value the sentence prints; for a finding written by
    ``safecity assess`` (``finding_id`` set) the text is the artefact's own and only
    ``row_ids`` are known. ``methods`` are the ids of the methods-appendix entries the
    sentence rests on (each printed as a footnote mark linking to its entry).
    """

    text: str
    row_ids: tuple[str, ...]
    citations: tuple[Citation, ...] = ()
    finding_id: str | None = None
    methods: tuple[str, ...] = ()


class BlockKind(StrEnum):
    """The kinds of block a section holds (the template macro that prints each)."""

    PARAGRAPH = "paragraph"
    SENTENCES = "sentences"
    KEY_FIGURES = "key_figures"
    TABLE = "table"
    FIGURE = "figure"
    NOTE = "note"
    DEFINITIONS = "definitions"
    PRIORITIES = "priorities"
    COMMENTARY = "commentary"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of sentences printed as running text."""

    sentences: tuple[Sentence, ...]
    kind: BlockKind = BlockKind.PARAGRAPH


@dataclass(frozen=True, slots=True)
class SentenceList:
    """Sentences printed as a bulleted list (the findings of a theme)."""

    sentences: tuple[Sentence, ...]
    heading: str | None = None
    kind: BlockKind = BlockKind.SENTENCES


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A headline number in a box: label, value, a line of detail, and what it cites."""

    label: str
    value: str
    detail: str
    citations: tuple[Citation, ...]
    tone: str = "neutral"
    methods: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """A row of key-figure boxes."""

    figures: tuple[KeyFigure, ...]
    kind: BlockKind = BlockKind.KEY_FIGURES


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell as printed; ``count`` is the published count it shows, if it shows one."""

    text: str
    count: int | None = None
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A data table with a caption; the first column heads each row (``th scope="row"``)."""

    table_id: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str | None = None
    methods: tuple[str, ...] = ()
    kind: BlockKind = BlockKind.TABLE


@dataclass(frozen=True, slots=True)
class FigureBlock:
    """A chart: inline SVG (already made accessible), its title, text alternative and data.

    ``image_uri`` is the same SVG as a ``data:`` URI, which the print version of the page
    (the PDF) shows as an image: WeasyPrint lays out an SVG image several times faster than
    the same SVG inline, whose every element it would style as part of the HTML.
    """

    figure_id: str
    title: str
    alt_text: str
    svg: str
    image_uri: str
    data_table: Table
    source_table: str
    note: str | None = None
    kind: BlockKind = BlockKind.FIGURE


@dataclass(frozen=True, slots=True)
class Note:
    """A note in a box: why something is absent, or a caveat."""

    text: str
    tone: str = "info"
    kind: BlockKind = BlockKind.NOTE


@dataclass(frozen=True, slots=True)
class Definition:
    """A term and its meaning (glossary) or a name and its description (methods)."""

    term: str
    meaning: str
    detail: str | None = None
    anchor: str | None = None


@dataclass(frozen=True, slots=True)
class Definitions:
    """A definition list."""

    items: tuple[Definition, ...]
    kind: BlockKind = BlockKind.DEFINITIONS


@dataclass(frozen=True, slots=True)
class Priority:
    """One of the top priorities: its rank, name, score, sentence and evidence table."""

    rank: str
    name: str
    score: str
    sentence: Sentence
    evidence: Table | None
    """The scores and evidence, or ``None`` when the edition prints them in an appendix."""


@dataclass(frozen=True, slots=True)
class Priorities:
    """The top priorities with the evidence behind each."""

    priorities: tuple[Priority, ...]
    kind: BlockKind = BlockKind.PRIORITIES


@dataclass(frozen=True, slots=True)
class CommentaryBlock:
    """The analyst's own words: HTML already sanitised by :mod:`safecity.report.commentary`."""

    label: str
    html: str
    attribution: str
    kind: BlockKind = BlockKind.COMMENTARY


Block = (
    Paragraph
    | SentenceList
    | KeyFigures
    | Table
    | FigureBlock
    | Note
    | Definitions
    | Priorities
    | CommentaryBlock
)


@dataclass(slots=True)
class Section:
    """A numbered section (``h2``) or subsection (``h3``) of the report."""

    section_id: str
    number: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    person_level: bool = False
    appendix: bool = False
    new_page: bool = True
    """Whether the section starts a new page in print (top-level sections only)."""

    def sentences(self) -> list[Sentence]:
        """Every sentence in the section and its subsections, in document order."""
        found: list[Sentence] = []
        for block in self.blocks:
            found.extend(_block_sentences(block))
        for subsection in self.subsections:
            found.extend(subsection.sentences())
        return found

    def method_ids(self) -> list[str]:
        """Ids of the methods the section's text refers to, in document order."""
        found: list[str] = []
        for block in self.blocks:
            found.extend(_block_methods(block))
        for subsection in self.subsections:
            found.extend(subsection.method_ids())
        return found

    def figures(self) -> list[FigureBlock]:
        """Every figure in the section and its subsections, in document order."""
        found = [block for block in self.blocks if isinstance(block, FigureBlock)]
        for subsection in self.subsections:
            found.extend(subsection.figures())
        return found


def _block_methods(block: Block) -> list[str]:
    found = [method for sentence in _block_sentences(block) for method in sentence.methods]
    if isinstance(block, KeyFigures):
        found.extend(method for figure in block.figures for method in figure.methods)
    if isinstance(block, Table):
        found.extend(block.methods)
    if isinstance(block, Priorities):
        for priority in block.priorities:
            if priority.evidence is not None:
                found.extend(priority.evidence.methods)
    return found


def _block_sentences(block: Block) -> list[Sentence]:
    if isinstance(block, Paragraph | SentenceList):
        return list(block.sentences)
    if isinstance(block, Priorities):
        return [priority.sentence for priority in block.priorities]
    return []


@dataclass(frozen=True, slots=True)
class MethodRef:
    """How the text refers to an entry of the methods appendix: its number and anchor."""

    number: int
    anchor: str
    name: str


@dataclass(frozen=True, slots=True)
class Cover:
    """The title page: what, where, when, for whom."""

    title: str
    area_name: str
    area_code: str
    area_vintage: str
    period: str
    period_months: str
    baseline: str
    generated_at: str
    generated_at_iso: str
    edition: str


@dataclass(slots=True)
class Document:
    """The whole report, for one audience."""

    cover: Cover
    audience: Audience
    marking: str | None
    sections: list[Section]
    key_figures: tuple[KeyFigure, ...] = ()
    language: str = "en-GB"
    description: str = ""
    contents_detail: tuple[str, ...] = ()
    """Sections whose subsections the contents list shows too."""
    method_refs: dict[str, MethodRef] = field(default_factory=dict)
    """Method id -> its numbered entry in the methods appendix (footnote marks link to it)."""

    @property
    def title(self) -> str:
        """The document's title (HTML ``<title>`` and PDF metadata)."""
        return f"{self.cover.title}: {self.cover.area_name} {self.cover.period}"

    def sentences(self) -> list[Sentence]:
        """Every sentence of the narrative, in document order (key figures not included)."""
        found: list[Sentence] = []
        for section in self.sections:
            found.extend(section.sentences())
        return found

    def method_ids(self) -> list[str]:
        """Ids of the methods the text refers to (sentences, key figures, tables), in order."""
        found: list[str] = []
        for figure in self.key_figures:
            found.extend(figure.methods)
        for section in self.sections:
            found.extend(section.method_ids())
        return list(dict.fromkeys(found))

    def figures(self) -> list[FigureBlock]:
        """Every figure of the report, in document order."""
        found: list[FigureBlock] = []
        for section in self.sections:
            found.extend(section.figures())
        return found

    def section(self, section_id: str) -> Section | None:
        """The section or subsection with id ``section_id``, if the report has it."""
        pending = list(self.sections)
        while pending:
            section = pending.pop(0)
            if section.section_id == section_id:
                return section
            pending.extend(section.subsections)
        return None
