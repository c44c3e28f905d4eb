"""Whether the loaded police.uk data cover a nation: the one rule behind every "England" figure.

``methods.md`` §0.2a: "England"/"Wales" figures come only from complete national coverage (or a
loaded published national table, named as such); a subset is labelled with its members. §3.1:
rank among every CSP, list the exclusions, report N, and say "English CSPs" when only English
CSPs are ranked.

The rule, for a nation (England, Wales, or England and Wales) and a period:

* **complete**: every territorial police force of the nation (``police_forces.yaml``, its
  ``nation``) has police.uk street data for every month of the period with no low month (the
  data-quality rule, :func:`safecity.assess.all_csps.force_coverage`: a month absent, or below
  80% of the force's median month, is missing, never 0), and every CSP of the nation in the
  loaded CSP lookup is covered (its own force's data complete, LSOAs in the loaded LSOA lookup,
  residents loaded). The figure is named after the nation ("England") with its GSS code.
* **subset**: every force of the nation has data in the period, but known problems leave some
  CSPs out (a force with a missing or low month, a CSP without LSOAs or residents). The figure
  is "England excluding <the forces and CSPs left out>", never plain "England", and has no GSS
  code.
* **not national**: a force of the nation has no data at all in the period (or the nation has
  no CSP in the lookup, or no CSP of it is covered). No national figure, rank or band is made;
  the reason says which CSPs and forces the data do cover. The area may instead be ranked
  among the covered CSPs of its nation, named with its members (:class:`RegionalGroup`).

A CSP's nation is the nation of its GSS code (E... England, W... Wales; ``national_coverage.yaml``).
British Transport Police is not a territorial force and plays no part.

**Published national tables.** A loaded published table (``published_indicator``: e.g. the ONS
Crime Severity Score by CSP, Home Office police recorded crime by CSP) gives England/Wales figures
named after its publisher, title and period (:func:`published_by_csp`). It is used only for the
assessment's own period: a table of another period is not compared, and the reason says which
periods differ. A table published by local authority is mapped to CSPs through the loaded CSP
lookup; a CSP covering several authorities repeats its value in such a table (the ONS CSS "Data -
csp" sheet joined to 2023 authority codes), so identical repeats are taken once, and the note
says how many rows became how many CSPs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from safecity.assess.periods import Period, PeriodError, months_ending, parse_period
from safecity.config.nations import Nation, NationFacts, load_national_coverage_settings
from safecity.config.police_forces import PoliceForce
from safecity.data.reference.published_indicators import PublishedIndicator
from safecity.data.warehouse import Warehouse


class CoverageKind(StrEnum):
    """How far the loaded police.uk data cover a nation in a period."""

    COMPLETE = "complete"
    SUBSET = "subset"
    NOT_NATIONAL = "not national"


def join_names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``.

    Examples
    --------
    >>> join_names(["Eastleigh"]), join_names(["Eastleigh", "Fareham", "Gosport"])
    ('Eastleigh', 'Eastleigh, Fareham and Gosport')
    """
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True, slots=True)
class NationalCoverage:
    """The verdict of the rule for one nation and period (see the module docstring).

    Attributes
    ----------
    nation, kind
        The nation, and complete, subset or not national.
    name
        The figure's name: the nation's ("England"), "England excluding ..." for a subset, or
        empty when not national.
    code
        The nation's GSS code when complete, else empty.
    adjective
        "English", "Welsh", "English and Welsh".
    csps_in_lookup, csps_covered
        CSPs of the nation in the loaded CSP lookup, and those covered (ranked).
    forces, forces_without_data, forces_excluded
        Names of the nation's forces, of those with no police.uk data in the period, and of
        those with a missing or low month.
    left_out
        What a subset leaves out, in words: force names, then CSP names.
    not_made
        Why there is no national figure (empty unless not national).
    """

    nation: Nation
    kind: CoverageKind
    name: str
    code: str
    adjective: str
    csps_in_lookup: int
    csps_covered: int
    forces: tuple[str, ...]
    forces_without_data: tuple[str, ...]
    forces_excluded: tuple[str, ...]
    left_out: tuple[str, ...]
    not_made: str

    @property
    def national(self) -> bool:
        """Whether a national figure (complete or a labelled subset) is made."""
        return self.kind is not CoverageKind.NOT_NATIONAL

    @property
    def rank_scope(self) -> str:
        """What the CSPs are ranked among, e.g. "English CSPs" or "English CSPs (excluding X)"."""
        if self.kind is CoverageKind.SUBSET:
            return f"{self.adjective} CSPs (excluding {join_names(self.left_out)})"
        return f"{self.adjective} CSPs"

    def manifest(self) -> dict[str, object]:
        """The verdict for the artefact manifest."""
        return {
            "coverage": self.kind.value,
            "name": self.name,
            "code": self.code,
            "csps_in_lookup": self.csps_in_lookup,
            "csps_covered": self.csps_covered,
            "forces": len(self.forces),
            "forces_without_data": list(self.forces_without_data),
            "forces_excluded": list(self.forces_excluded),
            "left_out": list(self.left_out),
            "not_made": self.not_made,
        }


@dataclass(frozen=True, slots=True)
class RegionalGroup:
    """The covered CSPs of a nation without national coverage, named with their members.

    Attributes
    ----------
    nation
        The nation they lie in.
    csp_codes, csp_names
        The members, in name order.
    forces
        Names of the forces whose data cover them.
    not_made
        Why no regional comparison is made (too few members), else empty.
    """

    nation: Nation
    csp_codes: tuple[str, ...]
    csp_names: tuple[str, ...]
    forces: tuple[str, ...]
    not_made: str

    @property
    def scope(self) -> str:
        """E.g. "the 12 CSPs of Hampshire Constabulary's area loaded"."""
        count = len(self.csp_codes)
        csps = "CSP" if count == 1 else f"{count} CSPs"
        if len(self.forces) == 1:
            return f"the {csps} of {self.forces[0]}'s area loaded"
        return f"the {csps} of the {join_names(self.forces)} areas loaded"

    @property
    def members(self) -> str:
        """The members' names, e.g. "East Hampshire, Eastleigh, … and Winchester"."""
        return join_names(self.csp_names)


def _nation_forces(nation: Nation, forces: Sequence[PoliceForce]) -> list[PoliceForce]:
    if nation is Nation.ENGLAND_AND_WALES:
        return list(forces)
    return [force for force in forces if force.nation is nation]


def force_name(slug: str, *, forces: Sequence[PoliceForce], csps: pd.DataFrame) -> str:
    """A force's name: from the force list, else the loaded lookup's force area, else its slug.

    ``csps`` has ``reporting_force`` and ``pfa_name`` (the lookup's police force area).
    """
    for force in forces:
        if force.slug == slug:
            return force.name
    areas = csps.loc[csps["reporting_force"] == slug, "pfa_name"].dropna().unique()
    if len(areas) == 1:
        return f"the {areas[0]} police force"
    return slug


def national_coverage(
    *,
    nation: NationFacts,
    forces: Sequence[PoliceForce],
    coverage: pd.DataFrame,
    lookup_csps: pd.DataFrame,
    csps: pd.DataFrame,
    period_label: str,
) -> NationalCoverage:
    """Apply the rule of the module docstring to one nation.

    Parameters
    ----------
    nation
        The nation's facts (``safecity.config.nations``).
    forces
        The territorial police forces, each with its nation (by default the shipped
        ``police_forces.yaml``; tests pass synthetic ones).
    coverage
        :func:`safecity.assess.all_csps.force_coverage` of the period: ``force, month,
        present, low_coverage`` for every force with data in the period.
    lookup_csps
        Every CSP of the loaded CSP lookup: ``csp_code, csp_name``.
    csps
        One row per CSP of the LSOA hierarchy: ``csp_code, csp_name, pfa_name,
        reporting_force, complete_coverage`` (its own force's data complete, residents loaded).
    period_label
        The period, for the reasons.

    Returns
    -------
    NationalCoverage
        The verdict, the figure's name and, when not national, the reason.
    """
    own = _nation_forces(nation.nation, forces)
    loaded = set(coverage["force"]) if not coverage.empty else set()
    low = (
        set(coverage.loc[coverage["low_coverage"].astype(bool), "force"])
        if not coverage.empty
        else set()
    )
    without_data = tuple(force.name for force in own if force.slug not in loaded)
    excluded_forces = tuple(force.name for force in own if force.slug in low)
    in_nation = lookup_csps[lookup_csps["csp_code"].map(nation.holds)].drop_duplicates("csp_code")
    status = csps[csps["csp_code"].isin(in_nation["csp_code"])]
    covered = status[status["complete_coverage"].astype(bool)].sort_values("csp_name")
    common = {
        "nation": nation.nation,
        "adjective": nation.adjective,
        "csps_in_lookup": len(in_nation),
        "csps_covered": len(covered),
        "forces": tuple(force.name for force in own),
        "forces_without_data": without_data,
        "forces_excluded": excluded_forces,
    }
    reason = ""
    if not own:
        reason = f"no territorial police force of {nation.nation} is in the force list"
    elif in_nation.empty:
        reason = f"the loaded CSP lookup has no CSP in {nation.nation}"
    elif without_data or covered.empty:
        reason = _not_national_reason(
            nation=nation,
            covered=covered,
            forces=forces,
            csps=csps,
            own=len(own),
            without_data=len(without_data),
            excluded=excluded_forces,
            period_label=period_label,
        )
    if reason:
        return NationalCoverage(
            kind=CoverageKind.NOT_NATIONAL,
            name="",
            code="",
            left_out=(),
            not_made=f"not made: {reason}",
            **common,  # type: ignore[arg-type]
        )
    left_out = _left_out(
        in_nation=in_nation,
        status=status,
        forces=forces,
        csps=csps,
        low=low,
        excluded_forces=excluded_forces,
    )
    if left_out:
        return NationalCoverage(
            kind=CoverageKind.SUBSET,
            name=f"{nation.nation} excluding {join_names(left_out)}",
            code="",
            left_out=left_out,
            not_made="",
            **common,  # type: ignore[arg-type]
        )
    return NationalCoverage(
        kind=CoverageKind.COMPLETE,
        name=nation.nation.value,
        code=nation.code,
        left_out=(),
        not_made="",
        **common,  # type: ignore[arg-type]
    )


def _left_out(
    *,
    in_nation: pd.DataFrame,
    status: pd.DataFrame,
    forces: Sequence[PoliceForce],
    csps: pd.DataFrame,
    low: set[str],
    excluded_forces: Sequence[str],
) -> tuple[str, ...]:
    """The nation's forces with a missing or low month and the forces whose CSPs are left out
    for one, then the other CSPs left out."""
    covered = status.loc[status["complete_coverage"].astype(bool), "csp_code"]
    forces_of = status[["csp_code", "reporting_force"]]
    not_covered = in_nation[~in_nation["csp_code"].isin(covered)].merge(
        forces_of, on="csp_code", how="left"
    )
    by_force = not_covered["reporting_force"].isin(low)
    force_names = sorted(
        {
            *excluded_forces,
            *(
                force_name(str(slug), forces=forces, csps=csps)
                for slug in not_covered.loc[by_force, "reporting_force"]
            ),
        }
    )
    csp_names = sorted(str(name) for name in not_covered.loc[~by_force, "csp_name"])
    return (*force_names, *csp_names)


def _not_national_reason(
    *,
    nation: NationFacts,
    covered: pd.DataFrame,
    forces: Sequence[PoliceForce],
    csps: pd.DataFrame,
    own: int,
    without_data: int,
    excluded: Sequence[str],
    period_label: str,
) -> str:
    gaps = []
    if without_data == own:
        gaps.append(
            f"none of the {_plural(own, 'police force')} of {nation.nation} has police.uk data"
            f" for {period_label}"
        )
    elif without_data:
        gaps.append(
            f"{without_data} of the {_plural(own, 'police force')} of {nation.nation} "
            f"{'has' if without_data == 1 else 'have'} no police.uk data for {period_label}"
        )
    if excluded:
        gaps.append(
            f"{join_names(excluded)} {'has' if len(excluded) == 1 else 'have'} a missing or low"
            f" month in {period_label}"
        )
    gap = "; ".join(gaps)
    if covered.empty:
        return f"no CSP of {nation.nation} has complete police.uk data for {period_label}: {gap}"
    names = sorted(
        {
            force_name(str(slug), forces=forces, csps=csps)
            for slug in covered["reporting_force"].dropna()
        }
    )
    return (
        f"the loaded police.uk data cover {_plural(len(covered), 'CSP')} of "
        f"{join_names(names)} ({join_names([str(name) for name in covered['csp_name']])}), "
        f"not all of {nation.nation}: {gap}"
    )


def regional_group(
    *,
    coverage: NationalCoverage,
    csps: pd.DataFrame,
    forces: Sequence[PoliceForce],
    period_label: str,
) -> RegionalGroup | None:
    """The covered CSPs of a nation without national coverage (None when it has coverage).

    ``csps`` is as for :func:`national_coverage`, with ``nation``. The group is made with at
    least ``regional_comparison.minimum_csps`` members (``national_coverage.yaml``); with fewer,
    ``not_made`` says why.
    """
    if coverage.national:
        return None
    members = csps[
        (csps["nation"] == coverage.nation.value) & csps["complete_coverage"].astype(bool)
    ].sort_values(["csp_name", "csp_code"])
    names = tuple(
        sorted(
            {
                force_name(str(slug), forces=forces, csps=csps)
                for slug in members["reporting_force"].dropna()
            }
        )
    )
    minimum = load_national_coverage_settings().regional_minimum_csps
    not_made = ""
    if len(members) < minimum:
        listed = join_names([str(name) for name in members["csp_name"]])
        which = f" ({listed})" if listed else ""
        has = "has" if len(members) <= 1 else "have"
        count = "no CSP" if members.empty else "only " + _plural(len(members), "CSP")
        not_made = (
            f"not made: {count} of {coverage.nation.value}{which} {has} complete police.uk "
            f"data for {period_label}; a comparison among the CSPs loaded needs at least "
            f"{minimum}"
        )
    return RegionalGroup(
        nation=coverage.nation,
        csp_codes=tuple(str(code) for code in members["csp_code"]),
        csp_names=tuple(str(name) for name in members["csp_name"]),
        forces=names,
        not_made=not_made,
    )


INDICATOR_NAMES = {
    PublishedIndicator.CRIME_SEVERITY_SCORE: "crime severity score",
    PublishedIndicator.RECORDED_CRIME: "recorded crime",
    PublishedIndicator.RECORDED_CRIME_RATE: "recorded crime rate",
}
"""How each published indicator is named in sentences."""
TOTAL_RECORDED_CRIME = "Total recorded crime"
"""The offence group of a published table's all-crime rows."""
NATION_CODES = {"E92000001": Nation.ENGLAND, "W92000004": Nation.WALES}
"""GSS codes of the nations whose published rows give the national figure."""
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_YEAR_ENDING = re.compile(r"^(?:year ending|ye)\s+([a-z]+)\s+(\d{4})$")
_MONTH_TO_MONTH = re.compile(r"^([a-z]+)\s+(\d{4})\s+to\s+([a-z]+)\s+(\d{4})$")


def published_period(text: str) -> Period | None:
    """The months a published period covers, or None when its words are not understood.

    Reads a financial year (``2022/23``), ``year ending March 2023`` (or ``YE Mar 2023``),
    ``April 2022 to March 2023`` and ``2022-04..2023-03``.

    Examples
    --------
    >>> [published_period(text).label for text in ("2022/23", "Year ending March 2023",
    ...     "YE Mar 2023", "April 2022 to March 2023")]
    ['2022/23', '2022/23', '2022/23', '2022/23']
    >>> published_period("year ending December 2022").label
    '2022-01..2022-12'
    >>> published_period("Q3 2022") is None
    True
    """
    words = re.sub(r"\s+", " ", text.strip().lower())
    try:
        return parse_period(words)
    except PeriodError:
        pass
    if (match := _YEAR_ENDING.match(words)) and match[1] in _MONTHS:
        return months_ending(last_month=date(int(match[2]), _MONTHS[match[1]], 1))
    if (match := _MONTH_TO_MONTH.match(words)) and {match[1], match[3]} <= set(_MONTHS):
        try:
            return Period(
                first_month=date(int(match[2]), _MONTHS[match[1]], 1),
                last_month=date(int(match[4]), _MONTHS[match[3]], 1),
            )
        except PeriodError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class PublishedSource:
    """A published table as loaded: who published it, its title, release and period."""

    publisher: str
    title: str
    vintage: str
    period: str

    @property
    def label(self) -> str:
        """E.g. ``ONS, Crime Severity Score (experimental statistics), 2022/23 (release …)``."""
        return f"{self.publisher}, {self.title}, {self.period} (release {self.vintage})"


@dataclass(frozen=True, slots=True)
class PublishedByCsp:
    """A published indicator for every CSP the table gives, with its nations' figures.

    Attributes
    ----------
    indicator
        What the values are.
    source
        The table used (None when no table of the indicator is loaded for the period).
    values
        ``csp_code, csp_name, value, lower_ci, upper_ci, unit``, one row per CSP with a value.
    nations
        The published national value by nation (when the table has a national row).
    note
        How the table was read (e.g. local-authority rows mapped to CSPs, repeats taken once).
    not_made
        Why the table is not used (e.g. its period is not the assessment's), else empty.
    """

    indicator: PublishedIndicator
    source: PublishedSource | None
    values: pd.DataFrame
    nations: dict[Nation, float]
    note: str
    not_made: str


_VALUE_COLUMNS = ["csp_code", "csp_name", "value", "lower_ci", "upper_ci", "unit"]


def _no_table(indicator: PublishedIndicator, *, not_made: str) -> PublishedByCsp:
    return PublishedByCsp(
        indicator=indicator,
        source=None,
        values=pd.DataFrame(columns=_VALUE_COLUMNS),
        nations={},
        note="",
        not_made=not_made,
    )


def lad_csp_map(warehouse: Warehouse) -> pd.DataFrame:
    """``lad_code, csp_code, csp_name`` of the newest loaded CSP lookup (empty when none)."""
    return warehouse.connection.execute(
        "SELECT DISTINCT lad_code, csp_code, csp_name FROM csp_lookup"
        " WHERE csp_vintage = (SELECT max(csp_vintage) FROM csp_lookup) ORDER BY lad_code"
    ).df()


def _csp_values_from_lads(
    rows: pd.DataFrame, *, lads: pd.DataFrame, summable: bool
) -> tuple[pd.DataFrame, str]:
    """Local-authority rows as CSP values, and the note saying how.

    A CSP whose authorities all carry the same value has that value (the table repeats the CSP's
    figure for each authority). Otherwise a count (``summable``) is the sum of its authorities'
    values when the table has every one of them; a score or rate is not combined without the
    authorities' populations, so the CSP has no value and the note names it.
    """
    mapped = rows.merge(lads, left_on="area_code", right_on="lad_code", how="left")
    unmapped = sorted(mapped.loc[mapped["csp_code"].isna(), "area_code"].astype(str))
    mapped = mapped[mapped["csp_code"].notna()]
    lads_per_csp = lads.groupby("csp_code")["lad_code"].nunique()
    kept = []
    combined: list[str] = []
    dropped: list[str] = []
    for csp_code, frame in mapped.groupby("csp_code", sort=True):
        values = frame["value"].to_numpy(dtype=float)
        first = frame.iloc[0]
        if np.allclose(values, values[0], rtol=1e-12, atol=0.0, equal_nan=True):
            kept.append(first)
        elif summable and frame["area_code"].nunique() == lads_per_csp.get(csp_code, 0):
            summed = first.copy()
            summed["value"] = float(np.nansum(values))
            kept.append(summed)
            combined.append(str(csp_code))
        else:
            dropped.append(str(csp_code))
    table = pd.DataFrame(kept).reset_index(drop=True) if kept else mapped.iloc[0:0]
    notes = [
        f"published by local authority: {len(rows)} authority rows mapped to {len(table)} CSPs"
        " through the loaded CSP lookup (a CSP covering several authorities repeats its value"
        " in the table; repeats are taken once)"
    ]
    if combined:
        notes.append(f"authority counts summed for {', '.join(combined)}")
    if dropped:
        notes.append(
            "no CSP value where its authorities' values differ and cannot be combined: "
            + ", ".join(dropped)
        )
    if unmapped:
        notes.append(f"authorities not in the loaded CSP lookup, left out: {', '.join(unmapped)}")
    return table, "; ".join(notes)


def published_by_csp(
    warehouse: Warehouse,
    *,
    indicator: PublishedIndicator,
    period: Period | None,
    offence_group: str = TOTAL_RECORDED_CRIME,
) -> PublishedByCsp:
    """The loaded published table of ``indicator`` for ``period``, by CSP.

    Of the loaded tables of the indicator and offence group, those whose published period
    covers exactly the assessment's months are used (the newest release when several are);
    when tables are loaded but none is for the period, nothing is compared and ``not_made``
    names the periods loaded. Values by local authority are mapped to CSPs through the newest
    loaded CSP lookup (:func:`_csp_values_from_lads`). Suppressed values (NULL) are left out.

    Parameters
    ----------
    warehouse
        The open warehouse.
    indicator
        The published statistic.
    period
        The assessment's period; None takes the table of the latest period loaded (for
        describing CSPs, e.g. as a comparator-group indicator, never for a comparison).
    offence_group
        The offence group (case-insensitive), by default total recorded crime.
    """
    rows = warehouse.connection.execute(
        "SELECT publisher, title, vintage, period, area_level, area_code, area_name, value,"
        " lower_ci, upper_ci, unit FROM published_indicator"
        " WHERE indicator = ? AND lower(offence_group) = lower(?)",
        [indicator.value, offence_group],
    ).df()
    if rows.empty:
        return _no_table(
            indicator,
            not_made=f"not made: no published table of {INDICATOR_NAMES[indicator]}"
            f" ({offence_group}) is"
            " loaded",
        )
    sources = rows[["publisher", "title", "vintage", "period"]].drop_duplicates()
    readable = [
        (
            covered,
            PublishedSource(
                publisher=str(source.publisher),
                title=str(source.title),
                vintage=str(source.vintage),
                period=str(source.period),
            ),
        )
        for source in sources.itertuples()
        if (covered := published_period(str(source.period))) is not None
    ]
    if period is None:
        newest = max((covered.last_month for covered, _ in readable), default=None)
        matching = [source for covered, source in readable if covered.last_month == newest]
    else:
        matching = [source for covered, source in readable if covered == period]
    if not matching:
        loaded = "; ".join(
            f"{row.publisher}, {row.title}: {row.period}" for row in sources.itertuples()
        )
        return _no_table(
            indicator,
            not_made=f"not made: the loaded published {INDICATOR_NAMES[indicator]} tables"
            f" ({loaded}) are"
            f" not for the assessment's period {period.label if period else ''}; a published"
            " figure is compared only for the same period",
        )
    source = max(matching, key=lambda item: (item.vintage, item.publisher, item.title))
    used = rows[
        (rows["publisher"] == source.publisher)
        & (rows["title"] == source.title)
        & (rows["vintage"] == source.vintage)
        & (rows["period"] == source.period)
    ]
    nations = {
        NATION_CODES[str(code)]: float(value)
        for code, value in zip(used["area_code"], used["value"], strict=True)
        if str(code) in NATION_CODES and pd.notna(value)
    }
    valued = used[used["value"].notna()]
    by_csp = valued[valued["area_level"] == "csp"].rename(columns={"area_code": "csp_code"})
    by_csp = by_csp.assign(csp_name=by_csp["area_name"])
    note = ""
    by_lad = valued[valued["area_level"] == "lad"]
    if not by_lad.empty:
        lads = lad_csp_map(warehouse)
        from_lads, note = _csp_values_from_lads(
            by_lad, lads=lads, summable=indicator is PublishedIndicator.RECORDED_CRIME
        )
        from_lads = from_lads[~from_lads["csp_code"].isin(by_csp["csp_code"])]
        by_csp = pd.concat([by_csp, from_lads], ignore_index=True)
    suppressed = int(used["value"].isna().sum())
    if suppressed:
        note = "; ".join(filter(None, [note, f"{suppressed} values suppressed by the publisher"]))
    values = by_csp[_VALUE_COLUMNS].sort_values("csp_code").reset_index(drop=True)
    return PublishedByCsp(
        indicator=indicator, source=source, values=values, nations=nations, note=note, not_made=""
    )


__all__ = [
    "NATION_CODES",
    "TOTAL_RECORDED_CRIME",
    "CoverageKind",
    "NationalCoverage",
    "PublishedByCsp",
    "PublishedIndicator",
    "PublishedSource",
    "RegionalGroup",
    "force_name",
    "join_names",
    "lad_csp_map",
    "national_coverage",
    "published_by_csp",
    "published_period",
    "regional_group",
]
