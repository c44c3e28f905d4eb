"""The site's comparison colours, from the core's one palette: CSS classes and map colours.

The palette is defined once, in the core (``safecity.report.figures.palette``), and read here
through the core gateway. The stylesheet served at ``/palette.css`` is generated from it, so a
ward's tag in a table, its marker on a spine chart and its fill on a map are the colour the
report gives the same label. No colour is written anywhere else in the web's Python or
templates (``tests/web/test_visual_language.py`` checks it).

Class names: ``safecity-comparison--<label>`` (tags: ``worse``, ``similar``, ``better``,
``worst``, ``best``, ``higher``, ``lower``, ``not-compared``), ``safecity-spine__value--<label>``
(spine chart markers) and ``safecity-change--<direction>`` (``increase``, ``decrease``,
``not-significant``).
"""

from __future__ import annotations

import functools
from typing import Any

from safecity_web import core_gateway

NOT_COMPARED = "Not compared"


def slug(label: str) -> str:
    """A label as a CSS class suffix: ``Not compared`` -> ``not-compared``."""
    return "-".join(label.lower().split())


@functools.cache
def colours() -> dict[str, Any]:
    """The palette as plain data (see :func:`safecity_web.core_gateway.visual_language`)."""
    return core_gateway.visual_language()


def comparison_class(label: str) -> str:
    """The tag class of a comparison label; an unknown or empty label reads as not compared."""
    known = colours()["comparison"]
    return f"safecity-comparison--{slug(label if label in known else NOT_COMPARED)}"


def spine_value_class(label: str) -> str:
    """The spine chart marker class of a comparison label."""
    known = colours()["comparison"]
    return f"safecity-spine__value--{slug(label if label in known else NOT_COMPARED)}"


def change_class(direction: str) -> str:
    """The tag class of a change direction (``increase``, ``decrease``, ``not-significant``)."""
    return f"safecity-change--{direction}"


def _tag_rules(selector: str, style: dict[str, str]) -> str:
    width = "4px" if style["border"] == "double" else "2px"
    return (
        f"{selector} {{ background-color: {style['fill']}; color: {style['text']};"
        f" border: {width} {style['border']} {colours()['page_ink']}; font-weight: 700; }}"
    )


@functools.cache
def stylesheet() -> str:
    """The CSS of every comparison and change tag, spine chart part and marker."""
    palette = colours()
    lines = [
        "/* Generated from the core's palette (safecity.report.figures.palette): do not edit. */"
    ]
    for label, style in palette["comparison"].items():
        lines.append(_tag_rules(f".safecity-comparison--{slug(label)}", style))
        lines.append(
            f".safecity-spine__value--{slug(label)} {{ fill: {style['fill']};"
            f" stroke: {palette['page_ink']}; stroke-width: 1;"
            f" stroke-dasharray: {'2 1' if style['border'] == 'dotted' else 'none'}; }}"
        )
    for direction, style in palette["change"].items():
        lines.append(_tag_rules(f".safecity-change--{direction}", style))
    lines += [
        f".safecity-spine__range {{ fill: {palette['spine_range']}; }}",
        f".safecity-spine__interquartile {{ fill: {palette['spine_middle_half']}; }}",
        f".safecity-spine__benchmark {{ stroke: {palette['page_ink']}; stroke-width: 2; }}",
    ]
    return "\n".join(lines) + "\n"
