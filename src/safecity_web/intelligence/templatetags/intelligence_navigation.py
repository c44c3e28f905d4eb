"""``{% intelligence_in_navigation as shown %}``: whether the header links to intelligence."""

from __future__ import annotations

from typing import Any

from django import template

from safecity_web.accounts.models import PARTNER_ROLES

register = template.Library()


@register.simple_tag(takes_context=True)
def intelligence_in_navigation(context: Any) -> bool:
    """Whether the signed-in user holds a partner role (the intelligence pages are theirs)."""
    user = context.get("user")
    return bool(user is not None and user.is_authenticated and user.has_role(*PARTNER_ROLES))
