"""Home Office offence codes and the police.uk category each is published under.

The list ships as ``offence_codes.yaml`` (config as data); see that file for its sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from safecity.config.packaged_yaml import read_packaged_yaml

OFFENCE_CODES_FILE = "offence_codes.yaml"
OFFENCE_CODE_PATTERN = re.compile(r"^(\d{1,3}/\d{2}|\d{1,3}[A-Z]?)$")
"""Home Office offence code forms: ``NNN/NN``, ``NNN`` or ``NNNA`` (e.g. ``008/01``, ``28E``)."""


@dataclass(frozen=True, slots=True)
class OffenceCode:
    """One Home Office offence code and how it is classified."""

    code: str
    description: str
    offence_group: str
    offence_subgroup: str
    police_uk_category: str


@cache
def load_offence_codes() -> tuple[OffenceCode, ...]:
    """The offence codes shipped in ``offence_codes.yaml``, in file order.

    Returns
    -------
    tuple of OffenceCode
        One entry per code; codes are unique and match :data:`OFFENCE_CODE_PATTERN`.

    Raises
    ------
    ValueError
        When an entry lacks a field, a code is malformed or repeated.
    """
    document = read_packaged_yaml(OFFENCE_CODES_FILE)
    entries = document.get("offence_codes") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{OFFENCE_CODES_FILE}: expected a non-empty list under 'offence_codes'")
    codes: list[OffenceCode] = []
    seen: set[str] = set()
    fields = ("code", "description", "offence_group", "offence_subgroup", "police_uk_category")
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or any(not isinstance(entry.get(f), str) for f in fields):
            raise ValueError(
                f"{OFFENCE_CODES_FILE}: entry {position} must give {', '.join(fields)} as text"
            )
        code = entry["code"]
        if not OFFENCE_CODE_PATTERN.match(code):
            raise ValueError(f"{OFFENCE_CODES_FILE}: entry {position}: malformed code {code!r}")
        if code in seen:
            raise ValueError(f"{OFFENCE_CODES_FILE}: entry {position}: code {code!r} repeated")
        seen.add(code)
        codes.append(OffenceCode(**{f: entry[f] for f in fields}))
    return tuple(codes)
