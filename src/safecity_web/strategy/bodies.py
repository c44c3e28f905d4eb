"""Matching a strategy's responsible bodies to partner organisations.

A body named in a strategy file ("Hampshire and Isle of Wight Constabulary", "Domestic Abuse
Strategic Partnership Board") is linked to an :class:`~safecity_web.accounts.models.Organisation`
when its normalised name equals the organisation's name or a :class:`BodyAlias` that an
administrator recorded. Unmatched bodies are kept by name (never turned into organisations
automatically: many are boards, forums or plans, not bodies with staff in the portal) and listed
for an administrator, who links each to an existing organisation or creates one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from safecity_web.accounts.models import Organisation
from safecity_web.strategy.models import ActionResponsibility, BodyAlias, Strategy

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def normalise_body_name(name: str) -> str:
    """The matching key of a body's name: case, accents, apostrophes, '&' and spacing ignored.

    >>> normalise_body_name("  Children’s  Strategic Partnership ")
    "children's strategic partnership"
    >>> normalise_body_name("Fire & Rescue")
    'fire and rescue'
    """
    folded = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    folded = folded.encode("ascii", "ignore").decode("ascii").replace("&", " and ").casefold()
    return re.sub(r"\s+", " ", folded).strip()


def organisation_directory() -> dict[str, Organisation]:
    """Every matching key (organisation names, then aliases) with its organisation."""
    directory = {
        normalise_body_name(organisation.name): organisation
        for organisation in Organisation.objects.all()
    }
    for alias in BodyAlias.objects.select_related("organisation"):
        directory.setdefault(alias.normalised_name, alias.organisation)
    return directory


@dataclass(frozen=True)
class UnmatchedBody:
    """A responsible body with no organisation yet, and how many actions name it."""

    name: str
    action_count: int


def unmatched_bodies(*, strategy: Strategy | None = None) -> list[UnmatchedBody]:
    """Bodies named as responsible with no organisation linked, most-cited first."""
    links = ActionResponsibility.objects.filter(organisation__isnull=True)
    if strategy is not None:
        links = links.filter(action__focus_area__priority__strategy=strategy)
    rows = (
        links.values("body_name")
        .annotate(actions=Count("action"))
        .order_by("-actions", "body_name")
    )
    return [UnmatchedBody(name=row["body_name"], action_count=row["actions"]) for row in rows]


@transaction.atomic
def link_body(*, name: str, organisation: Organisation) -> int:
    """Record ``name`` as an alias of ``organisation`` and link every action naming it.

    Returns the number of action links updated.
    """
    key = normalise_body_name(name)
    BodyAlias.objects.update_or_create(
        normalised_name=key, defaults={"name": name, "organisation": organisation}
    )
    updated = 0
    for link in ActionResponsibility.objects.filter(organisation__isnull=True):
        if normalise_body_name(link.body_name) == key:
            link.organisation = organisation
            link.save(update_fields=["organisation"])
            updated += 1
    return updated
