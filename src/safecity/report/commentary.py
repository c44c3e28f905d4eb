"""The analyst's commentary file: decisions on the recommendations, commentary, context notes.

A YAML file (``safecity report --commentary FILE``; format in ``docs/commentary.md``)::

    organisation: Southampton City Council     # default for every entry
    author: Community Safety Analyst            # optional
    date: 2025-06-30                            # default for every entry
    recommendations:                            # by crime-group id
      vawg: {decision: accept}
      violent_crime: {decision: edit, text: "Keep violent crime a priority, focused on ..."}
      alcohol_affected: {decision: reject, reason: "Covered by the night-time economy plan"}
    sections:                                   # by report section id
      summary: "Markdown text ..."
    indicators:                                 # by indicator (crime-group) id
      burglary: {text: "Markdown ...", organisation: Hampshire Constabulary, date: 2025-06-12}
    areas:                                      # context notes by GSS code
      E05002462: "City-centre night-time economy: most violence is around the late-night venues"

Commentary is Markdown, rendered with markdown-it-py (CommonMark, raw HTML off, so any HTML
in the text is shown as text) and then sanitised with nh3 (an allow-list of tags and
attributes; links only to http, https and mailto), so a ``<script>`` or a ``javascript:``
link never reaches a page.

References
----------
CommonMark Spec 0.31.2, https://spec.commonmark.org/; nh3 (Python binding of the Rust
``ammonia`` sanitiser), https://nh3.readthedocs.io/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr"}
    | {"h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
)
"""Tags commentary may use (headings start at h3: the page's own headings are h1 and h2)."""
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
MAXIMUM_TEXT = 20_000
"""Longest commentary entry, in characters (a page, not a document)."""


class CommentaryError(ValueError):
    """A commentary file or entry that is not valid; the message names the entry."""


class Decision(StrEnum):
    """What the analyst decided about a drafted recommendation."""

    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


DECISION_WORDS = {
    "accept": Decision.ACCEPTED,
    "accepted": Decision.ACCEPTED,
    "edit": Decision.EDITED,
    "edited": Decision.EDITED,
    "reject": Decision.REJECTED,
    "rejected": Decision.REJECTED,
}


class Target(StrEnum):
    """What a piece of commentary is about."""

    SECTION = "section"
    INDICATOR = "indicator"
    AREA = "area"


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who wrote an entry and when."""

    organisation: str
    author: str
    date: dt.date | None

    @property
    def words(self) -> str:
        """``Organisation (author), 30 June 2025`` with the parts that are known."""
        who = self.organisation or self.author or "the partnership's analyst"
        if self.organisation and self.author:
            who = f"{self.organisation} ({self.author})"
        when = f"{self.date.day} {self.date:%B %Y}" if self.date else ""
        return f"{who}, {when}" if when else who


@dataclass(frozen=True, slots=True)
class RecommendationDecision:
    """The analyst's decision on one recommendation (by crime-group id)."""

    group_id: str
    decision: Decision
    text: str
    reason: str
    attribution: Attribution


@dataclass(frozen=True, slots=True)
class CommentaryEntry:
    """Commentary on a section or an indicator, or a context note on an area."""

    target: Target
    key: str
    markdown: str
    attribution: Attribution

    @property
    def html(self) -> str:
        """The Markdown as sanitised HTML."""
        return render_markdown(self.markdown)


@dataclass(frozen=True, slots=True)
class Commentary:
    """Everything the analyst added to an assessment."""

    decisions: Mapping[str, RecommendationDecision] = field(default_factory=dict)
    entries: tuple[CommentaryEntry, ...] = ()

    def for_target(self, target: Target) -> dict[str, CommentaryEntry]:
        """Entries about ``target`` by key (section id, indicator id or GSS code)."""
        return {entry.key: entry for entry in self.entries if entry.target is target}


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> str:
    """Markdown as HTML safe to place in a page: raw HTML escaped, then an nh3 allow-list.

    Examples
    --------
    >>> render_markdown("**Night-time economy** <script>alert(1)</script>")
    '<p><strong>Night-time economy</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
    >>> "href" in render_markdown("[x](javascript:alert(1))")
    False
    """
    html = _markdown().render(text)
    return str(
        nh3.clean(
            html,
            tags=set(ALLOWED_TAGS),
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=set(ALLOWED_URL_SCHEMES),
            link_rel="noopener noreferrer nofollow",
        )
    )


def _date(value: object, *, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise CommentaryError(f"{where}: date {value!r} is not YYYY-MM-DD") from error


def _attribution(entry: Mapping[str, Any], default: Attribution, *, where: str) -> Attribution:
    return Attribution(
        organisation=str(entry.get("organisation") or default.organisation),
        author=str(entry.get("author") or default.author),
        date=_date(entry.get("date"), where=where) or default.date,
    )


def _text(value: object, *, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CommentaryError(f"{where}: needs text (Markdown)")
    if len(value) > MAXIMUM_TEXT:
        raise CommentaryError(f"{where}: longer than {MAXIMUM_TEXT:,} characters")
    return value.strip()


def _mapping(value: object, *, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CommentaryError(f"{where}: expected a mapping")
    return {str(key): item for key, item in value.items()}


def parse_decision(
    group_id: str, entry: object, *, default: Attribution, where: str
) -> RecommendationDecision:
    """One recommendation decision from its YAML entry (``accept`` alone is allowed)."""
    fields = {"decision": entry} if isinstance(entry, str) else _mapping(entry, where=where)
    word = str(fields.get("decision", "")).strip().lower()
    if word not in DECISION_WORDS:
        raise CommentaryError(f"{where}: decision must be accept, edit or reject (got {word!r})")
    decision = DECISION_WORDS[word]
    text = str(fields.get("text") or "").strip()
    reason = str(fields.get("reason") or "").strip()
    if decision is Decision.EDITED:
        text = _text(fields.get("text"), where=f"{where}.text")
    if decision is Decision.REJECTED and not reason:
        raise CommentaryError(f"{where}: a rejection needs a reason (the board reads it)")
    return RecommendationDecision(
        group_id=group_id,
        decision=decision,
        text=text,
        reason=reason,
        attribution=_attribution(fields, default, where=where),
    )


def parse_commentary(document: object, *, origin: str) -> Commentary:
    """The commentary in a parsed YAML document.

    Raises
    ------
    CommentaryError
        If a part has the wrong shape, a decision is not accept/edit/reject, an edit has no
        text, a rejection no reason, an area key is not a GSS code, or a date is not
        ``YYYY-MM-DD``; the message names the entry.
    """
    fields = _mapping(document, where=origin)
    known = {"organisation", "author", "date", "recommendations", "sections", "indicators", "areas"}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise CommentaryError(f"{origin}: unknown keys {unknown}; known: {sorted(known)}")
    default = Attribution(
        organisation=str(fields.get("organisation") or ""),
        author=str(fields.get("author") or ""),
        date=_date(fields.get("date"), where=f"{origin}: date"),
    )
    decisions = {
        group: parse_decision(
            group, entry, default=default, where=f"{origin}: recommendations.{group}"
        )
        for group, entry in _mapping(
            fields.get("recommendations"), where=f"{origin}: recommendations"
        ).items()
    }
    entries: list[CommentaryEntry] = []
    for target, part in (
        (Target.SECTION, "sections"),
        (Target.INDICATOR, "indicators"),
        (Target.AREA, "areas"),
    ):
        for key, entry in _mapping(fields.get(part), where=f"{origin}: {part}").items():
            where = f"{origin}: {part}.{key}"
            if target is Target.AREA and not GSS_CODE.match(key):
                raise CommentaryError(f"{where}: areas are keyed by GSS code, e.g. E05002462")
            item = {"text": entry} if isinstance(entry, str) else _mapping(entry, where=where)
            text_key = "note" if target is Target.AREA and "note" in item else "text"
            entries.append(
                CommentaryEntry(
                    target=target,
                    key=key,
                    markdown=_text(item.get(text_key), where=where),
                    attribution=_attribution(item, default, where=where),
                )
            )
    return Commentary(decisions=decisions, entries=tuple(entries))


def read_commentary(path: Path) -> Commentary:
    """The commentary file at ``path``; raises :class:`CommentaryError` naming the problem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CommentaryError(f"{path}: cannot read the commentary file: {error}") from error
    return parse_commentary(document or {}, origin=str(path))
