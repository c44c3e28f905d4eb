"""Rendering a Vega-Lite specification to SVG or PNG, offline and deterministically.

vl-convert embeds the Vega and Vega-Lite JavaScript libraries and a renderer, so no browser
and no network is needed; external data URLs are refused (``allowed_base_urls=[]``), and the
Vega-Lite version is pinned so that the same specification gives the same bytes. Vega numbers
gradients from a counter that lives as long as the process (``gradient_0``, ``gradient_1`` ...),
so the SVG's element ids are renamed from a digest of the specification: the same chart gives
the same SVG however many charts were rendered before, and two charts inlined in one HTML
document never share an id. The root element gets ``role="img"`` and the specification's
``description`` (the text alternative) as its ``aria-label``.

References
----------
vl-convert, https://github.com/vega/vl-convert; Vega-Lite v5 documentation,
https://vega.github.io/vega-lite/docs/.
"""

from __future__ import annotations

import hashlib
import json
import re
from html import escape
from typing import Any

import vl_convert

VEGA_LITE_VERSION = "5.20"
"""The Vega-Lite library vl-convert compiles with (pinned for byte-identical output)."""


def render_svg(*, spec: dict[str, Any]) -> str:
    """The chart as an SVG document (text), rendered offline by vl-convert.

    Parameters
    ----------
    spec
        A complete Vega-Lite v5 specification with its data inline.
    """
    svg: str = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION, allowed_base_urls=[])
    return _stable_svg(svg, spec=spec)


_COUNTED_ID = re.compile(r"\b(gradient|clip|pattern)_(\d+)\b")


def _stable_svg(svg: str, *, spec: dict[str, Any]) -> str:
    """Rename Vega's process-counted ids after the spec's digest; label the root element."""
    digest = hashlib.sha256(
        json.dumps(spec, sort_keys=True, separators=(",", ":")).encode("utf-8")
    ).hexdigest()[:10]
    renamed: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in renamed:
            renamed[key] = f"{match.group(1)}-{digest}-{len(renamed)}"
        return renamed[key]

    svg = _COUNTED_ID.sub(rename, svg)
    description = spec.get("description")
    if isinstance(description, str) and svg.startswith("<svg ") and " aria-label=" not in svg[:300]:
        label = escape(description, quote=True)
        svg = f'<svg role="img" aria-label="{label}" ' + svg[len("<svg ") :]
    return svg


def render_png(*, spec: dict[str, Any], scale: float = 2.0) -> bytes:
    """The chart as PNG bytes, ``scale`` times its size in CSS pixels (2 for print).

    Parameters
    ----------
    spec
        A complete Vega-Lite v5 specification with its data inline.
    scale
        Pixels per CSS pixel; must be positive.
    """
    if not scale > 0:
        raise ValueError(f"render_png: scale must be positive, got {scale}")
    png: bytes = vl_convert.vegalite_to_png(
        spec, vl_version=VEGA_LITE_VERSION, scale=scale, allowed_base_urls=[]
    )
    return png
