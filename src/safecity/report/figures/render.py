"""Rendering a Vega-Lite specification to SVG or PNG, offline and deterministically.

vl-convert embeds the Vega and Vega-Lite JavaScript libraries and a renderer, so no browser
and no network is needed; external data URLs are refused (``allowed_base_urls=[]``), and the
Vega-Lite version is pinned so that the same specification gives the same bytes.

References
----------
vl-convert, https://github.com/vega/vl-convert; Vega-Lite v5 documentation,
https://vega.github.io/vega-lite/docs/.
"""

from __future__ import annotations

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
