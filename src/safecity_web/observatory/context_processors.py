"""Template context: the currently published assessment, for any page of the site.

Add ``"safecity_web.observatory.context_processors.published_assessment"`` to the template
``context_processors`` to get ``published_assessment`` (None while nothing is published) in
every template. It is computed lazily: pages that do not use it make no query.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from safecity_web.observatory.queries import current_assessment


def published_assessment(request: HttpRequest) -> dict[str, Any]:
    """``{"published_assessment": <the currently published assessment or None>}`` (lazy)."""
    return {"published_assessment": SimpleLazyObject(current_assessment)}
