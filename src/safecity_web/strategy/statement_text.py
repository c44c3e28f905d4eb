"""The annual statement's text format: plain paragraphs with a little structure.

A line starting ``## `` is a heading, ``### `` a sub-heading, ``- `` a list item; other lines
are joined into paragraphs, which blank lines separate. Nothing else is interpreted: the text
is always rendered escaped, so HTML typed into it shows as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
