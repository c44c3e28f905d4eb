"""The annual statement's text format: plain paragraphs with a little structure.

A line starting ``## `` is a heading, ``### `` a sub-heading, ``- `` a list item; other lines
are joined into paragraphs, which blank lines separate. In a paragraph or a list item,
``[words](/path)`` is a link to a page of this site (the path must start with ``/``; anything
else stays as typed). Nothing else is interpreted: the text is always rendered escaped, so HTML
typed into it shows as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

LINK = re.compile(r"\[([^\[\]]+)\]\((/[A-Za-z0-9/_#.?=&%-]*)\)")
"""``[words](/path)``: a link to a page of this site (no scheme, no other host)."""


def inline_html(text: str) -> SafeString:
    """``text`` escaped, with each ``[words](/path)`` made a GOV.UK link.

    >>> str(inline_html("See [the map](/hotspots/) <b>now</b>"))
    'See <a class="govuk-link" href="/hotspots/">the map</a> &lt;b&gt;now&lt;/b&gt;'
    """
    parts: list[tuple[str, str | None]] = []
    position = 0
    for match in LINK.finditer(text):
        parts.append((text[position : match.start()], None))
        parts.append((match.group(1), match.group(2)))
        position = match.end()
    parts.append((text[position:], None))
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<a class="govuk-link" href="{}">{}</a>', href, words),)
            if href is not None
            else (words,)
            for words, href in parts
            if words
        ),
    )


def plain_text(text: str) -> str:
    """``text`` with each ``[words](/path)`` link written as its words only.

    >>> plain_text("See [the map](/hotspots/).")
    'See the map.'
    """
    return LINK.sub(lambda match: match.group(1), text)


class BlockKind(StrEnum):
    """The kinds of block a statement is made of."""

    HEADING = "heading"
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"
    LIST = "list"


@dataclass
class Block:
    """One block of a statement: its kind, its text, and list items for a list."""

    kind: BlockKind
    text: str = ""
    items: list[str] = field(default_factory=list)

    @property
    def html(self) -> SafeString:
        """The block's text as HTML: escaped, with its links."""
        return inline_html(self.text)

    @property
    def items_html(self) -> list[SafeString]:
        """The list's items as HTML: escaped, with their links."""
        return [inline_html(item) for item in self.items]


def statement_blocks(*, text: str) -> list[Block]:
    """Split a statement's text into headings, paragraphs and lists.

    >>> [(block.kind.value, block.text or block.items) for block in statement_blocks(
    ...     text="## Done\\nWe did\\nthings.\\n\\n- one\\n- two")]
    [('heading', 'Done'), ('paragraph', 'We did things.'), ('list', ['one', 'two'])]
    """
    blocks: list[Block] = []
    paragraph: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            blocks.append(Block(kind=BlockKind.PARAGRAPH, text=" ".join(paragraph)))
            paragraph.clear()

    for raw_line in text.replace("\r\n", "\n").split("\n"):
        line = raw_line.strip()
        if not line:
            close_paragraph()
        elif line.startswith("### "):
            close_paragraph()
            blocks.append(Block(kind=BlockKind.SUBHEADING, text=line[4:].strip()))
        elif line.startswith("## "):
            close_paragraph()
            blocks.append(Block(kind=BlockKind.HEADING, text=line[3:].strip()))
        elif line.startswith("- "):
            close_paragraph()
            if blocks and blocks[-1].kind is BlockKind.LIST:
                blocks[-1].items.append(line[2:].strip())
            else:
                blocks.append(Block(kind=BlockKind.LIST, items=[line[2:].strip()]))
        else:
            paragraph.append(line)
    close_paragraph()
    return blocks
