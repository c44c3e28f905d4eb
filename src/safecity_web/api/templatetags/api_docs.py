"""``inline_code``: the OpenAPI descriptions' `backticks` as ``<code>`` on the docs page.

The descriptions are the API's own text (:mod:`safecity_web.api.endpoints`), never user
input; they are HTML-escaped first and only the backtick spans become markup.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

BACKTICKS = re.compile(r"`([^`]+)`")


@register.filter
def inline_code(text: str) -> SafeString:
    """``text`` escaped, with each `span` in backticks shown as code (CommonMark's rule)."""
    return mark_safe(BACKTICKS.sub(r"<code>\1</code>", escape(text)))
