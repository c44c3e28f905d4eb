"""The police forces of England and Wales as data.police.uk names them (``police_forces.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from safecity.config.nations import Nation
from safecity.config.packaged_yaml import read_packaged_yaml

POLICE_FORCES_FILE = "police_forces.yaml"
FORCE_SLUG_PATTERN = re.compile(r"^[a-z]+(-[a-z]+)*$")


@dataclass(frozen=True, slots=True)
class PoliceForce:
    """A territorial police force: its police.uk slug and name, rough size, and nation.

    ``nation`` is England or Wales, the nation it polices (never England and Wales).
    """

    slug: str
    name: str
    population_millions: float
    community_safety_partnerships: int
    nation: Nation


@cache
def load_police_forces() -> tuple[PoliceForce, ...]:
    """The forces shipped in ``police_forces.yaml``, in file order.

    Raises
    ------
    ValueError
        When an entry is incomplete, a slug is malformed or repeated, a size is not positive, or
        the nation is not England or Wales.
    """
    document = read_packaged_yaml(POLICE_FORCES_FILE)
    entries = document.get("police_forces") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{POLICE_FORCES_FILE}: expected a non-empty list under 'police_forces'")
    forces: list[PoliceForce] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        try:
            force = PoliceForce(
                slug=str(entry["slug"]),
                name=str(entry["name"]),
                population_millions=float(entry["population_millions"]),
                community_safety_partnerships=int(entry["community_safety_partnerships"]),
                nation=Nation(str(entry["nation"])),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"{POLICE_FORCES_FILE}: entry {position} is incomplete: {error}"
            ) from error
        if not FORCE_SLUG_PATTERN.match(force.slug) or force.slug in seen:
            raise ValueError(
                f"{POLICE_FORCES_FILE}: entry {position}: bad or repeated slug {force.slug!r}"
            )
        if force.nation is Nation.ENGLAND_AND_WALES:
            raise ValueError(
                f"{POLICE_FORCES_FILE}: entry {position}: a force polices England or Wales"
            )
        if force.population_millions <= 0 or force.community_safety_partnerships < 1:
            raise ValueError(f"{POLICE_FORCES_FILE}: entry {position}: sizes must be positive")
        seen.add(force.slug)
        forces.append(force)
    return tuple(forces)
