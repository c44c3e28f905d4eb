"""Reading a report's HTML in tests with the standard library's parser."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

GENERATED_AT = date(2026, 1, 31)
"""The fixed generated-at date of the test reports."""

VOID_ELEMENTS = frozenset({"meta", "link", "br", "img", "hr", "input", "source", "col", "wbr"})


@dataclass
class Element:
    """An element of the page: its tag, attributes, text inside and the elements inside."""

    tag: str
    attributes: dict[str, str]
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All text inside the element, whitespace normalised."""
        parts: list[str] = []
        self._collect(parts)
        return normalise("".join(parts))

    def _collect(self, parts: list[str]) -> None:
        parts.extend(self.text_parts)
        for child in self.children:
            child._collect(parts)

    def iter(self) -> list[Element]:
        """This element and every element inside it, in document order."""
        found = [self]
        for child in self.children:
            found.extend(child.iter())
        return found

    def find_all(self, tag: str, **attributes: str) -> list[Element]:
        """Elements with ``tag`` (``*`` for any) whose attributes include ``attributes``."""
        return [
            element
            for element in self.iter()
            if (tag in {"*", element.tag})
            and all(element.attributes.get(key) == value for key, value in attributes.items())
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element(tag="#document", attributes={})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(
            tag=tag, attributes={key: value or "" for key, value in attrs}, parent=self.current
        )
        self.current.children.append(element)
        # Text is kept in order: a marker splits the parent's text around the child.
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(
            tag=tag, attributes={key: value or "" for key, value in attrs}, parent=self.current
        )
        self.current.children.append(element)

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        holder = Element(tag="#text", attributes={}, parent=self.current)
        holder.text_parts.append(data)
        self.current.children.append(holder)


def parse_html(text: str) -> Element:
    """The page ``text`` as a tree of elements."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces; soft hyphens and line-end hyphenation removed."""
    text = text.replace("\u00ad", "").replace("\u2011", "-")
    return re.sub(r"\s+", " ", text).strip()


A4_POINTS = (595, 842)
MARGIN_BOX_POINTS = 50
"""Height of the running header and footer (the page margins are 20 mm, about 57 points)."""


def pdf_text(path: Path, *, page: int | None = None, body_only: bool = False) -> str:
    """The text of the PDF (or of one page, counting from 1) by ``pdftotext``.

    ``body_only`` crops the running header and footer away, so text flowing over a page
    break reads on without them.
    """
    command = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        command += ["-f", str(page), "-l", str(page)]
    if body_only:
        width, height = A4_POINTS
        command += ["-x", "0", "-y", str(MARGIN_BOX_POINTS), "-W", str(width)]
        command += ["-H", str(height - 2 * MARGIN_BOX_POINTS)]
    result = subprocess.run([*command, str(path), "-"], capture_output=True, text=True, check=True)
    return result.stdout


def pdf_pages(path: Path) -> int:
    """The number of pages of the PDF (``pdfinfo``)."""
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", result.stdout, flags=re.MULTILINE)
    assert match is not None, result.stdout
    return int(match.group(1))


def comparable(text: str) -> str:
    """Text as compared between HTML and PDF: no whitespace and no hyphens.

    A line may break after a hyphen ("rate-" / "ratio"), and ``pdftotext`` then joins the two
    parts without it, as if the hyphen were hyphenation; so hyphens are dropped on both sides.
    """
    text = text.replace("\u00ad", "").replace("-", "").replace("\u2011", "")
    return re.sub(r"\s+", "", text)
