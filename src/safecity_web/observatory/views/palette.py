"""``/palette.css``: the comparison colours of the core's palette as a stylesheet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from safecity_web.observatory import visual

PALETTE_CACHE_CONTROL = "public, max-age=3600"
"""The palette changes only with a new release: caches keep it an hour."""


@require_safe
def palette_css(request: HttpRequest) -> HttpResponse:
    """The generated stylesheet of comparison tags, change tags and spine charts."""
    response = HttpResponse(visual.stylesheet(), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = PALETTE_CACHE_CONTROL
    return response
