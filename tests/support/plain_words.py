"""What readers must never see in the report or on the observatory's pages, and a scanner for it.

Readers read plain English: no references to the project's methods specification ("methods.md
§2.2a"), no program identifiers (``low_is_good``, ``options.comparators_path``, column names such
as ``change_p_value``, ids such as ``group_id``), no command-line options (``--comparators``).
The methods appendix of the report and the observatory's methods page keep the specification's
section numbers and the literature: that is where they belong, so callers cut those parts out
before scanning.

The scanner reads the text a reader gets: element text, and the ``alt``, ``title``,
``aria-label`` attributes (not ids, classes, ``href`` or ``data-*``, which no one reads).
Data file names (``tables/monthly-trend-all_crime.csv``) are names of downloads, not words,
and are cut out too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

FORBIDDEN: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a reference to the methods specification", re.compile(r"methods\.md", re.IGNORECASE)),
    ("a section sign", re.compile("§")),
    ("the word polarity", re.compile(r"\bpolarity\b", re.IGNORECASE)),
    ("an option name", re.compile(r"\boptions\.\w+")),
    ("a command-line option", re.compile(r"(?<![\w-])--[a-z][a-z-]+")),
    ("an identifier ending _id", re.compile(r"\b\w+_id\b")),
    ("a polarity value", re.compile(r"\b(?:low|high)_is_good\b|\bno_judgement\b")),
    ("a snake_case identifier", re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")),
)
"""(what it is, pattern) of everything a reader must not see."""

DATA_FILE = re.compile(r"\btables/[\w.-]+\.csv\b")
"""A data file's name (a download beside the report), cut out before scanning."""

MIN_PASSAGE = 12
"""Allowed passages shorter than this are ignored (they would match inside other text)."""
WINDOW = 24
"""Characters of text around a hit that an allowed passage must hold too."""

READ_ATTRIBUTES = ("alt", "title", "aria-label")
SKIPPED_ELEMENTS = frozenset({"script", "style", "template"})
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass(frozen=True)
class Hit:
    """One forbidden pattern found: what it is, the matched text and the text around it."""

    kind: str
    match: str
    context: str


class _ReaderText(HTMLParser):
    """Collects the text a reader gets, leaving out elements whose id is in ``cut_ids``."""

    def __init__(self, *, cut_ids: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.cut_ids = cut_ids
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    @property
    def hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        hidden = tag in SKIPPED_ELEMENTS or attributes.get("id", "") in self.cut_ids
        if not self.hidden and not hidden:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.parts.append(f" {attributes[name]} ")
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if not self.hidden:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.parts.append(f" {attributes[name]} ")

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position][0] == tag:
                del self.stack[position:]
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def reader_text(html: str, *, cut_ids: frozenset[str] = frozenset()) -> str:
    """The text a reader of ``html`` gets (elements with an id in ``cut_ids`` left out)."""
    parser = _ReaderText(cut_ids=cut_ids)
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def squeezed(text: str) -> str:
    """``text`` without whitespace, hyphens or soft hyphens: how a PDF's text and the HTML's
    are compared (``pdftotext`` joins a word broken after a hyphen without it)."""
    return re.sub(r"[\s\-\u00ad\u2011]+", "", text)


def forbidden_in(text: str, *, allowed: tuple[str, ...] = ()) -> list[Hit]:
    """Every forbidden pattern in ``text``, except in data file names and in the passages
    ``allowed`` (texts others write, each allowed wherever it occurs).

    A hit is inside an allowed passage when the passage holds the hit with the
    :data:`WINDOW` characters before it, or with those after it (compared
    :func:`squeezed`, so the text of a PDF matches too, whatever its line breaks).
    """
    text = DATA_FILE.sub(" ", " ".join(text.split()))
    passages = [squeezed(passage) for passage in allowed if len(passage.strip()) >= MIN_PASSAGE]
    hits: list[Hit] = []
    for kind, pattern in FORBIDDEN:
        for match in pattern.finditer(text):
            before = squeezed(text[max(0, match.start() - WINDOW) : match.end()])
            after = squeezed(text[match.start() : match.end() + WINDOW])
            if any(before in passage or after in passage for passage in passages):
                continue
            start, end = max(0, match.start() - 80), min(len(text), match.end() + 80)
            hits.append(Hit(kind=kind, match=match.group(0), context=text[start:end]))
    return hits


def printed(passages: tuple[str, ...], *, text: str) -> list[str]:
    """The ``passages`` that ``text`` prints (compared :func:`squeezed`), in order."""
    page = squeezed(text)
    return [passage for passage in dict.fromkeys(passages) if squeezed(passage) in page]


def describe(hits: list[Hit]) -> str:
    """The hits as lines for an assertion message (each distinct context once)."""
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(hit.context, hit)
    return "\n".join(f"{hit.kind} {hit.match!r}: ...{hit.context}..." for hit in seen.values())


ENGINE_TEXT_COLUMNS = (
    "caveat",
    "change_not_made",
    "england_basis",
    "label_rule",
    "population_note",
    "skipped_reason",
    "test",
)
"""Columns whose text the assessment engine writes and the report or the pages print."""


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return []


def engine_texts(directory: Path, *, public: bool) -> tuple[str, ...]:
    """Texts of the artefact in ``directory`` that the assessment engine wrote, other than
    findings: the manifest's reasons and notes, and the text columns printed as they are
    (:data:`ENGINE_TEXT_COLUMNS`, the priority scores' ``*_basis``).

    The report and the observatory print these as the artefact has them; they are the
    engine's to word (the findings are scanned on their own).
    """
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    found = _strings(manifest.get("skipped") or {}) + _strings(manifest.get("families") or {})
    found += _strings((manifest.get("vintages") or {}).get("population_note") or "")
    key, folder = ("public_tables", directory / "public") if public else ("tables", directory)
    for entry in (manifest.get(key) or {}).values():
        frame = pd.read_parquet(folder / entry["parquet"])
        for column in frame.columns:
            if column in ENGINE_TEXT_COLUMNS or str(column).endswith("_basis"):
                found += [str(text) for text in frame[column].dropna().unique()]
    return tuple(found)


def finding_texts(directory: Path, *, public: bool) -> tuple[str, ...]:
    """The sentences of the artefact's findings (public or full table)."""
    folder = directory / "public" if public else directory
    path = folder / "findings.parquet"
    if not path.is_file():
        return ()
    return tuple(str(text) for text in pd.read_parquet(path)["sentence"])
