"""Template context: ``commentary_stamp``, which the observatory's page cache varies on.

Add ``"safecity_web.commentary.context_processors.commentary_stamp"`` to the template
``context_processors``. It is lazy: pages that do not use it make no query.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from safecity_web.commentary.services import snapshot


def commentary_stamp(request: HttpRequest) -> dict[str, Any]:
    """``{"commentary_stamp": <the site's commentary and when it last changed>}`` (lazy; a
    :class:`~safecity_web.commentary.services.Snapshot`, whose text is the cache-key part)."""
    return {"commentary_stamp": SimpleLazyObject(snapshot)}
