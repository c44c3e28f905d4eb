"""Nations of national figures and the regional-comparison parameter (``national_coverage.yaml``).

Which loaded police.uk data count as covering a nation is decided by
:mod:`safecity.assess.national_coverage`; this module only reads the facts it needs: each
nation's GSS code, the prefixes of its CSP codes and its adjective, and the smallest number of
CSPs a regional comparison may rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from safecity.config.packaged_yaml import read_packaged_yaml

NATIONAL_COVERAGE_FILE = "national_coverage.yaml"


class Nation(StrEnum):
    """A nation that a national figure can be about."""

    ENGLAND = "England"
    WALES = "Wales"
    ENGLAND_AND_WALES = "England and Wales"


@dataclass(frozen=True, slots=True)
class NationFacts:
    """A nation's GSS code, the prefixes of its CSP codes, and its adjective ("English")."""

    nation: Nation
    code: str
    csp_code_prefixes: tuple[str, ...]
    adjective: str

    def holds(self, csp_code: str) -> bool:
        """Whether the CSP with GSS code ``csp_code`` lies in this nation.

        Examples
        --------
        >>> load_nations()[Nation.ENGLAND].holds("E22000120")
        True
        >>> load_nations()[Nation.ENGLAND].holds("W22000001")
        False
        """
        return str(csp_code).startswith(self.csp_code_prefixes)


@dataclass(frozen=True, slots=True)
class NationalCoverageSettings:
    """Facts of every nation, and the fewest CSPs a regional comparison ranks."""

    nations: dict[Nation, NationFacts]
    regional_minimum_csps: int


@cache
def load_national_coverage_settings() -> NationalCoverageSettings:
    """The settings shipped in ``national_coverage.yaml``.

    Raises
    ------
    ValueError
        When a nation is unknown, repeated or incomplete, a nation is missing, or the regional
        minimum is not a whole number of at least 2.
    """
    document = read_packaged_yaml(NATIONAL_COVERAGE_FILE)
    if not isinstance(document, dict):
        raise ValueError(f"{NATIONAL_COVERAGE_FILE}: expected a mapping")
    nations: dict[Nation, NationFacts] = {}
    for position, entry in enumerate(document.get("nations") or [], start=1):
        try:
            nation = Nation(str(entry["name"]))
            prefixes = tuple(str(prefix) for prefix in entry["csp_code_prefixes"])
            facts = NationFacts(
                nation=nation,
                code=str(entry["code"]),
                csp_code_prefixes=prefixes,
                adjective=str(entry["adjective"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"{NATIONAL_COVERAGE_FILE}: nation {position} is unknown or incomplete: {error}"
            ) from error
        if nation in nations or not prefixes:
            raise ValueError(
                f"{NATIONAL_COVERAGE_FILE}: nation {position} ({nation}) is repeated or has no "
                "CSP code prefix"
            )
        nations[nation] = facts
    missing = [nation.value for nation in Nation if nation not in nations]
    if missing:
        raise ValueError(f"{NATIONAL_COVERAGE_FILE}: no entry for {', '.join(missing)}")
    regional = document.get("regional_comparison")
    minimum = regional.get("minimum_csps") if isinstance(regional, dict) else None
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 2:
        raise ValueError(
            f"{NATIONAL_COVERAGE_FILE}: regional_comparison.minimum_csps must be a whole number"
            " of at least 2"
        )
    return NationalCoverageSettings(nations=nations, regional_minimum_csps=minimum)


def load_nations() -> dict[Nation, NationFacts]:
    """The facts of every nation, by nation."""
    return load_national_coverage_settings().nations


def nation_of_csp(csp_code: str) -> Nation | None:
    """England or Wales for a CSP code (by its prefix), or None for neither.

    Examples
    --------
    >>> nation_of_csp("E22000120"), nation_of_csp("W22000030"), nation_of_csp("S12000033")
    (<Nation.ENGLAND: 'England'>, <Nation.WALES: 'Wales'>, None)
    """
    nations = load_nations()
    for nation in (Nation.ENGLAND, Nation.WALES):
        if nations[nation].holds(csp_code):
            return nation
    return None


__all__ = [
    "Nation",
    "NationFacts",
    "NationalCoverageSettings",
    "load_national_coverage_settings",
    "load_nations",
    "nation_of_csp",
]
