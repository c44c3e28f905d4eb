"""Reading ``--area`` and ``--period`` as people write them.

An area is given by its GSS code or by its name as the loaded lookups spell it (any case):
``--area Southampton``. A name that matches several areas, or none, is refused with a list of
the nearest names (:func:`difflib.get_close_matches`) and their codes. A period is a month range
``2022-02..2023-01``, a single month ``2022-02`` or a financial year ``2021/22``.

References
----------
Python documentation, ``difflib.get_close_matches`` (Ratcliff/Obershelp similarity),
https://docs.python.org/3/library/difflib.html#difflib.get_close_matches.
ONS, *Code History Database*: a GSS code is a letter and eight digits.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

from safecity.assess.periods import Period, PeriodError, parse_period
from safecity.assess.study_area import StudyAreaLevel, lsoa_hierarchy
from safecity.data.warehouse import Warehouse

GSS_CODE = re.compile(r"[EWSNK][0-9]{8}")
"""A GSS area code: a country letter and eight digits (ONS Code History Database)."""
SINGLE_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
SUGGESTIONS = 5
"""At most this many names are suggested for a misspelt or ambiguous area."""
SIMILARITY_CUTOFF = 0.6
"""``difflib`` ratio below which a name is not suggested (the library's default)."""
LEVEL_WORDS = {
    StudyAreaLevel.CSP: "CSP",
    StudyAreaLevel.LOCAL_AUTHORITY: "local authority",
    StudyAreaLevel.POLICE_FORCE_AREA: "police force area",
}
_LEVEL_COLUMNS = (
    (StudyAreaLevel.CSP, "csp_code", "csp_name"),
    (StudyAreaLevel.LOCAL_AUTHORITY, "lad_code", "lad_name"),
    (StudyAreaLevel.POLICE_FORCE_AREA, "pfa_code", "pfa_name"),
)


class AreaNameError(ValueError):
    """An ``--area`` that names no loaded area, or several: the message lists the candidates."""


@dataclass(frozen=True, slots=True)
class NamedArea:
    """An area of the loaded lookups: its level, GSS code and name."""

    level: StudyAreaLevel
    code: str
    name: str

    def describe(self) -> str:
        """The area as a suggestion reads it: ``Southampton (CSP E22000120)``."""
        return f"{self.name} ({LEVEL_WORDS[self.level]} {self.code})"


def named_areas(hierarchy: pd.DataFrame) -> list[NamedArea]:
    """Every CSP, local authority and police force area of an LSOA hierarchy, once each.

    ``hierarchy`` has the columns of :func:`safecity.assess.study_area.lsoa_hierarchy`.
    """
    found: dict[tuple[StudyAreaLevel, str], NamedArea] = {}
    for level, code_column, name_column in _LEVEL_COLUMNS:
        pairs = hierarchy.loc[:, [code_column, name_column]].dropna().drop_duplicates()
        for code, name in pairs.itertuples(index=False):
            found.setdefault((level, str(code)), NamedArea(level, str(code), str(name)))
    return list(found.values())


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def match_area(text: str, *, areas: list[NamedArea]) -> str:
    """The GSS code ``text`` names: the code itself, or the one area of that name.

    A name is compared without regard to case or repeated spaces. When a CSP and its local
    authority share a name (Southampton CSP and Southampton local authority), the CSP is
    meant: assessments are for CSPs first, in the order :func:`resolve_study_area` tries.

    Raises
    ------
    AreaNameError
        If no area has that name (the message suggests the closest names), or several areas
        of the same level do (the message lists them with their codes).
    """
    wanted = text.strip()
    if GSS_CODE.fullmatch(wanted.upper()):
        return wanted.upper()
    exact = [area for area in areas if _folded(area.name) == _folded(wanted)]
    for level, _, _ in _LEVEL_COLUMNS:
        at_level = [area for area in exact if area.level is level]
        if len(at_level) == 1:
            return at_level[0].code
        if len(at_level) > 1:
            listed = "; ".join(area.describe() for area in at_level)
            raise AreaNameError(
                f"{len(at_level)} areas are named {wanted!r}: {listed}; give the code instead"
            )
    by_name: dict[str, list[NamedArea]] = {}
    for area in areas:
        by_name.setdefault(_folded(area.name), []).append(area)
    close = difflib.get_close_matches(
        _folded(wanted), list(by_name), n=SUGGESTIONS, cutoff=SIMILARITY_CUTOFF
    )
    if not close:
        raise AreaNameError(
            f"no area named {wanted!r} and none with a similar name in the loaded lookups;"
            " give a GSS code (e.g. E22000120) or check the lookups are loaded (safecity status)"
        )
    suggestions = ", ".join(area.describe() for name in close for area in by_name[name])
    raise AreaNameError(f"no area named {wanted!r}; did you mean {suggestions}?")


def resolve_area_argument(store: Warehouse, text: str) -> str:
    """The GSS code of ``--area`` (a code, or a name of the loaded lookups).

    A code is returned as given (the assessment says if it is not loaded); a name is looked up
    among the CSPs, local authorities and police force areas of the loaded lookups.
    """
    if GSS_CODE.fullmatch(text.strip().upper()):
        return text.strip().upper()
    hierarchy = lsoa_hierarchy(store)[0]
    return match_area(text, areas=named_areas(hierarchy))


def parse_period_argument(text: str) -> Period:
    """A ``--period`` as written: ``2022-02..2023-01``, a single month ``2022-02``, or ``2021/22``.

    Raises
    ------
    safecity.assess.periods.PeriodError
        If ``text`` is none of those forms, or names impossible months.
    """
    wanted = text.strip()
    if SINGLE_MONTH.fullmatch(wanted):
        return parse_period(f"{wanted}..{wanted}")
    try:
        return parse_period(wanted)
    except PeriodError as error:
        if ".." in wanted or "/" in wanted:
            raise
        raise PeriodError(
            f"{wanted!r} is not a period: write a month as 2022-02, months as 2020-04..2021-03,"
            " or a financial year as 2020/21"
        ) from error
