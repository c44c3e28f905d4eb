"""Comparator groups of CSPs: supplied, loaded by name, or computed as nearest neighbours.

``methods.md`` §3.2: the Home Office most similar groups (MSG) are input data, never
recomputed; they are not published openly. A group therefore comes, in order of preference,
from

1. ``--comparators FILE``: a YAML or CSV file of CSP codes (:func:`read_comparators` in
   :mod:`safecity.assess.families.benchmarking`);
2. ``--comparators NAME``: the group of that name in a loaded comparator-groups table
   (``comparator_group``: e.g. a force's most-similar-group list), for the assessed CSP;
3. otherwise, computed: the ``k`` CSPs nearest the assessed CSP on open indicators
   (``comparators.yaml``): IMD score, population density, population (log10) and the
   published Crime Severity Score. Each indicator is z-scored over the CSPs that have all of
   them (population standard deviation), distance is Euclidean on the z-scores, and CSPs at equal
   distance are taken in GSS-code order, so the same inputs always give the same group. This is
   ``approximate_msg`` of §3.2 and is always labelled approximate: it is not the Home Office
   most similar group, whose variables and weights are not published.

References
----------
Leigh, A., Read, T. & Tilley, N. (2000) *Family Values: the Home Office CDRP families*; Home
Office (2001) *Family Ties*; ``methods.md`` §3.2 (approximate_msg: k nearest neighbours on
z-scored variables, Euclidean, flagged approximate).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from safecity.assess.national_coverage import (
    PublishedIndicator,
    lad_csp_map,
    published_by_csp,
)
from safecity.assess.periods import Period
from safecity.config.packaged_yaml import read_packaged_yaml
from safecity.data.warehouse import Warehouse

COMPARATORS_FILE = "comparators.yaml"
INDICATOR_COLUMNS = (
    "csp_code", "csp_name", "imd_score", "population", "area_hectares", "population_density",
    "log_population", "crime_severity_score",
)  # fmt: skip


INDICATOR_WORDS = {
    "imd_score": "deprivation (IMD score)",
    "population_density": "residents per hectare",
    "log_population": "residents (log scale)",
    "population": "residents",
    "crime_severity_score": "crime severity score",
}
"""How each indicator is named to readers (notes reach the report and the observatory)."""


def _words(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(INDICATOR_WORDS.get(name, name) for name in names)


class GroupMethod(StrEnum):
    """Where a comparator group came from."""

    SUPPLIED_FILE = "supplied (file)"
    LOADED_TABLE = "supplied (loaded comparator-groups table)"
    NEAREST_NEIGHBOURS = "computed (nearest neighbours on open indicators)"


@dataclass(frozen=True, slots=True)
class NearestNeighbourSettings:
    """The computed group's parameters (``comparators.yaml``)."""

    k: int
    variables: tuple[str, ...]
    minimum_variables: int
    minimum_csps: int
    approximate_note: str


@cache
def load_nearest_neighbour_settings() -> NearestNeighbourSettings:
    """The settings shipped in ``comparators.yaml``."""
    document = read_packaged_yaml(COMPARATORS_FILE)
    settings = document["nearest_neighbours"]
    variables = tuple(str(name) for name in settings["variables"])
    unknown = sorted(set(variables) - set(INDICATOR_COLUMNS))
    if unknown:
        raise ValueError(f"{COMPARATORS_FILE}: unknown indicator(s) {', '.join(unknown)}")
    return NearestNeighbourSettings(
        k=int(settings["k"]),
        variables=variables,
        minimum_variables=int(settings["minimum_variables"]),
        minimum_csps=int(settings["minimum_csps"]),
        approximate_note=" ".join(str(document["approximate_note"]).split()),
    )


@dataclass(frozen=True, slots=True)
class ComparatorGroup:
    """A comparator group for one CSP.

    Attributes
    ----------
    name
        The group's name (a file's name, a loaded table's group name, or the computed group's).
    method
        Where it came from.
    codes, names
        The members (the subject CSP not included), nearest first for a computed group.
    approximate
        True for a computed group: it is not the Home Office most similar group.
    note
        How it was made, in words (for a computed group: the indicators, k and the flag).
    distances
        For a computed group: ``csp_code, distance, order`` of the members; else empty.
    """

    name: str
    method: GroupMethod
    codes: tuple[str, ...]
    names: tuple[str, ...]
    approximate: bool
    note: str
    distances: pd.DataFrame


def nearest_neighbours(
    indicators: pd.DataFrame, *, subject: str, k: int, variables: tuple[str, ...]
) -> pd.DataFrame:
    """The ``k`` CSPs nearest ``subject`` on z-scored ``variables`` (Euclidean distance).

    Only CSPs with every variable take part. Each variable is centred on its mean and divided
    by its population standard deviation over those CSPs (a variable with no spread is left
    out, as it cannot tell CSPs apart). Ties in distance are broken by CSP code, ascending.

    Parameters
    ----------
    indicators
        One row per CSP: ``csp_code`` and the variables.
    subject
        The CSP the group is for (it must have every variable).
    k
        Group size (the subject not counted); fewer when fewer CSPs take part.
    variables
        Column names to use.

    Returns
    -------
    pandas.DataFrame
        ``csp_code, distance, order`` (1 = nearest), at most ``k`` rows, the subject excluded.

    Raises
    ------
    ValueError
        If ``subject`` lacks a variable or is not in ``indicators``.

    Examples
    --------
    >>> frame = pd.DataFrame({"csp_code": ["A", "B", "C", "D"], "x": [0.0, 1.0, 1.0, 3.0]})
    >>> nearest_neighbours(frame, subject="A", k=2, variables=("x",))["csp_code"].tolist()
    ['B', 'C']
    """
    complete = indicators.dropna(subset=list(variables)).sort_values("csp_code")
    if subject not in set(complete["csp_code"]):
        raise ValueError(f"{subject} has not every indicator of {', '.join(variables)}")
    values = complete[list(variables)].to_numpy(dtype=float)
    spread = values.std(axis=0)
    used = spread > 0
    scores = (values[:, used] - values[:, used].mean(axis=0)) / spread[used]
    own = (complete["csp_code"] == subject).to_numpy()
    distance = np.sqrt(((scores - scores[own][0]) ** 2).sum(axis=1))
    table = pd.DataFrame({"csp_code": complete["csp_code"].to_numpy(), "distance": distance})
    table = table[~own].sort_values(["distance", "csp_code"], kind="mergesort").head(k)
    table["order"] = np.arange(1, len(table) + 1)
    return table.reset_index(drop=True)


def _year_rows(frame: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Rows of the latest year not after ``year`` (else the earliest year), by level."""
    chosen = []
    for _level, rows in frame.groupby("area_level"):
        years = sorted(set(rows["year"].astype(int)))
        before = [value for value in years if value <= year]
        pick = before[-1] if before else years[0]
        chosen.append(rows[rows["year"] == pick])
    return pd.concat(chosen, ignore_index=True) if chosen else frame


def _csp_of(warehouse: Warehouse, level: str) -> pd.DataFrame:
    """``area_code, csp_code`` for areas of ``level`` (csp, lad or lsoa)."""
    lads = lad_csp_map(warehouse)
    if level == "csp":
        return pd.DataFrame({"area_code": lads["csp_code"], "csp_code": lads["csp_code"]})
    if level == "lad":
        return lads.rename(columns={"lad_code": "area_code"})[["area_code", "csp_code"]]
    lsoas = warehouse.connection.execute(
        "SELECT DISTINCT lsoa_code AS area_code, lad_code FROM area_lookup"
    ).df()
    return lsoas.merge(lads, on="lad_code")[["area_code", "csp_code"]]


LEVELS = ("csp", "lad", "lsoa")
"""Levels open indicators are read at, preferred first (coarser tables cover every CSP)."""


def _by_csp(warehouse: Warehouse, rows: pd.DataFrame, *, column: str) -> pd.Series:
    """``column`` of areas summed to CSPs, from the first level in :data:`LEVELS` that has it.

    A CSP is given a sum only when every one of its areas at that level has a value.
    """
    found = pd.Series(dtype=float)
    for level in LEVELS:
        at_level = rows[(rows["area_level"] == level) & rows[column].notna()]
        at_level = at_level.drop_duplicates("area_code")
        if at_level.empty:
            continue
        areas = _csp_of(warehouse, level).drop_duplicates(["area_code", "csp_code"])
        mapped = areas.merge(at_level[["area_code", column]], on="area_code", how="left")
        complete = mapped.groupby("csp_code")[column].apply(lambda values: values.notna().all())
        summed = mapped.groupby("csp_code")[column].sum()[complete]
        found = pd.concat([found, summed[~summed.index.isin(found.index)]])
    return found


def _populations(warehouse: Warehouse, *, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CSP ``population, area_hectares`` and the by-area populations used to weight scores.

    Residents: ``population_total`` of the latest year not after ``year`` (else the earliest).
    Areas: ``population_total.area_hectares`` where given (latest year), else the loaded
    boundaries' areas.
    """
    rows = warehouse.connection.execute(
        "SELECT area_level, area_code, year, persons, area_hectares FROM population_total"
        " WHERE area_level IN ('csp', 'lad', 'lsoa')"
    ).df()
    if rows.empty:
        return pd.DataFrame(columns=["csp_code", "population", "area_hectares"]), rows
    chosen = _year_rows(rows, year=year)
    with_area = rows[rows["area_hectares"].notna()]
    areas = (
        _year_rows(with_area, year=year)[["area_level", "area_code", "area_hectares"]]
        if not with_area.empty
        else with_area[["area_level", "area_code", "area_hectares"]]
    )
    boundaries = warehouse.connection.execute(
        "SELECT area_level, area_code, max(area_hectares) AS area_hectares FROM boundary"
        " WHERE area_level IN ('csp', 'lad', 'lsoa') GROUP BY ALL"
    ).df()
    areas = pd.concat([areas, boundaries], ignore_index=True).drop_duplicates(
        ["area_level", "area_code"]
    )
    population = _by_csp(warehouse, chosen, column="persons").rename("population")
    hectares = _by_csp(warehouse, areas, column="area_hectares").rename("area_hectares")
    by_csp = pd.concat([population, hectares], axis=1).rename_axis("csp_code").reset_index()
    return by_csp, chosen


def _imd_scores(warehouse: Warehouse, *, populations: pd.DataFrame) -> tuple[pd.Series, str]:
    """Population-weighted mean IMD score by CSP, from local-authority or LSOA scores."""
    rows = warehouse.connection.execute(
        "SELECT index_name, area_level, area_code, value FROM deprivation"
        " WHERE domain = 'imd' AND measure = 'score' AND area_level IN ('lad', 'lsoa')"
    ).df()
    if rows.empty:
        return pd.Series(dtype=float), "no IMD scores loaded"
    index_name = str(rows["index_name"].max())
    rows = rows[rows["index_name"] == index_name]
    scores = pd.Series(dtype=float)
    used = []
    for level in ("lad", "lsoa"):
        at_level = rows[rows["area_level"] == level].drop_duplicates("area_code")
        if at_level.empty:
            continue
        weights = populations[populations["area_level"] == level].drop_duplicates("area_code")
        mapped = at_level.merge(_csp_of(warehouse, level), on="area_code").merge(
            weights[["area_code", "persons"]], on="area_code", how="left"
        )
        mapped["persons"] = mapped["persons"].fillna(1.0)
        mapped["weighted"] = mapped["value"] * mapped["persons"]
        grouped = mapped.groupby("csp_code")[["weighted", "persons"]].sum()
        found = grouped["weighted"] / grouped["persons"]
        scores = pd.concat([scores, found[~found.index.isin(scores.index)]])
        used.append("local authorities" if level == "lad" else "LSOAs")
    return scores, f"{index_name} score, population-weighted mean of its {' and '.join(used)}"


def csp_open_indicators(
    warehouse: Warehouse, *, period: Period
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Open indicators of every CSP in the loaded CSP lookup, and where each comes from.

    Populations and areas come from ``population_total`` (CSP rows, else local-authority rows,
    else LSOA rows summed through the lookups; the latest year not after the period's mid-year);
    IMD scores from ``deprivation`` (local-authority or LSOA scores, population-weighted); the
    Crime Severity Score from a loaded published table (the period's, else the latest).

    Returns
    -------
    tuple
        ``INDICATOR_COLUMNS`` per CSP (NaN where not loaded), and indicator -> source words.
    """
    lads = lad_csp_map(warehouse)
    table = lads.drop_duplicates("csp_code")[["csp_code", "csp_name"]].reset_index(drop=True)
    populations, by_area = _populations(warehouse, year=period.mid_year)
    table = table.merge(populations, on="csp_code", how="left")
    table["population"] = table["population"].astype(float)
    table["area_hectares"] = table["area_hectares"].astype(float)
    table["population_density"] = table["population"] / table["area_hectares"]
    table["log_population"] = np.log10(table["population"].where(table["population"] > 0))
    imd, imd_source = _imd_scores(warehouse, populations=by_area)
    table["imd_score"] = table["csp_code"].map(imd).astype(float)
    severity = published_by_csp(
        warehouse, indicator=PublishedIndicator.CRIME_SEVERITY_SCORE, period=period
    )
    if severity.source is None:
        severity = published_by_csp(
            warehouse, indicator=PublishedIndicator.CRIME_SEVERITY_SCORE, period=None
        )
    css = severity.values.set_index("csp_code")["value"] if severity.source else pd.Series()
    table["crime_severity_score"] = table["csp_code"].map(css).astype(float)
    sources = {
        "population": "residents, the latest estimate not after the period's middle",
        "population_density": "residents ÷ area in hectares",
        "log_population": "log10 of residents",
        "imd_score": imd_source,
        "crime_severity_score": (
            f"published: {severity.source.label}" if severity.source else severity.not_made
        ),
    }
    return table[list(INDICATOR_COLUMNS)], sources


def loaded_group(
    warehouse: Warehouse, *, group_name: str, subject: str
) -> tuple[ComparatorGroup | None, str]:
    """The group ``group_name`` for ``subject`` from the loaded ``comparator_group`` table.

    Returns the group (newest vintage), or None with the reason (no such group, or the group
    has no list for ``subject``, naming the groups loaded).
    """
    rows = warehouse.connection.execute(
        "SELECT group_name, vintage, subject_code, member_code, member_name, method"
        " FROM comparator_group WHERE group_name = ?",
        [group_name],
    ).df()
    if rows.empty:
        names = [
            str(row[0])
            for row in warehouse.connection.execute(
                "SELECT DISTINCT group_name FROM comparator_group ORDER BY 1"
            ).fetchall()
        ]
        loaded = ", ".join(names) if names else "none"
        return None, (
            f"{group_name!r} is neither a comparator file nor a loaded comparator group "
            f"(loaded groups: {loaded})"
        )
    vintage = str(rows["vintage"].max())
    rows = rows[(rows["vintage"] == vintage) & (rows["subject_code"] == subject)]
    rows = rows[rows["member_code"] != subject].drop_duplicates("member_code")
    if rows.empty:
        return (
            None,
            f"the loaded comparator group {group_name!r} ({vintage}) has no list for {subject}",
        )
    return (
        ComparatorGroup(
            name=f"{group_name} ({vintage})",
            method=GroupMethod.LOADED_TABLE,
            codes=tuple(str(code) for code in rows["member_code"]),
            names=tuple(
                str(name) if pd.notna(name) else str(code)
                for code, name in zip(rows["member_code"], rows["member_name"], strict=True)
            ),
            approximate=False,
            note=f"the loaded comparator group {group_name!r}, vintage {vintage}",
            distances=pd.DataFrame(columns=["csp_code", "distance", "order"]),
        ),
        "",
    )


def computed_group(
    indicators: pd.DataFrame,
    *,
    subject: str,
    sources: dict[str, str],
    settings: NearestNeighbourSettings | None = None,
) -> tuple[ComparatorGroup | None, str]:
    """The nearest-neighbour group of ``subject``, or None with the reason.

    Uses the configured indicators that are loaded for ``subject`` (at least
    ``minimum_variables``) over the CSPs that have all of them (at least ``minimum_csps``).
    """
    settings = settings or load_nearest_neighbour_settings()
    own = indicators[indicators["csp_code"] == subject]
    if own.empty:
        return None, f"{subject} is not in the loaded CSP lookup"
    variables = tuple(
        name
        for name in settings.variables
        if pd.notna(own[name].iloc[0]) and indicators[name].notna().sum() > 1
    )
    missing = [name for name in settings.variables if name not in variables]
    if len(variables) < settings.minimum_variables:
        return None, (
            f"not computed: only {len(variables)} of the comparator indicators"
            f" ({_words(settings.variables)}) are loaded for {subject}; at least"
            f" {settings.minimum_variables} are needed"
        )
    complete = indicators.dropna(subset=list(variables))
    if len(complete) < settings.minimum_csps:
        return None, (
            f"not computed: only {len(complete)} CSPs have every indicator used"
            f" ({_words(variables)}); at least {settings.minimum_csps} are needed"
        )
    found = nearest_neighbours(complete, subject=subject, k=settings.k, variables=variables)
    names = complete.set_index("csp_code")["csp_name"]
    used = "; ".join(f"{INDICATOR_WORDS[name]}: {sources.get(name, name)}" for name in variables)
    note = (
        f"{settings.approximate_note}: the {len(found)} CSPs nearest {subject} of"
        f" {len(complete)} with every indicator, on z-scored {_words(variables)}"
        f" (Euclidean; ties in CSP-code order). Indicators: {used}"
    )
    if missing:
        note += f". Not used (not loaded): {_words(missing)}"
    return (
        ComparatorGroup(
            name=f"nearest {len(found)} CSPs on open indicators (approximate)",
            method=GroupMethod.NEAREST_NEIGHBOURS,
            codes=tuple(str(code) for code in found["csp_code"]),
            names=tuple(str(names.get(code, code)) for code in found["csp_code"]),
            approximate=True,
            note=note,
            distances=found,
        ),
        "",
    )


def resolve_group(
    warehouse: Warehouse,
    *,
    subject: str,
    period: Period,
    option: Path | None,
    file_codes: list[str] | None,
    file_names: dict[str, str] | None = None,
) -> tuple[ComparatorGroup | None, str]:
    """The comparator group of ``subject`` (see the module docstring), or None with the reason.

    Parameters
    ----------
    warehouse
        The open warehouse.
    subject
        The assessed CSP.
    period
        The assessment's period (for the indicators' year and the CSS table).
    option
        What ``--comparators`` gave, if anything.
    file_codes
        The codes read from ``option`` when it is a file (else None).
    file_names
        CSP names by code, for a supplied file's members.
    """
    if option is not None and file_codes is not None:
        names = file_names or {}
        return (
            ComparatorGroup(
                name=option.name,
                method=GroupMethod.SUPPLIED_FILE,
                codes=tuple(code for code in file_codes if code != subject),
                names=tuple(names.get(code, code) for code in file_codes if code != subject),
                approximate=False,
                note=f"supplied with --comparators ({option.name})",
                distances=pd.DataFrame(columns=["csp_code", "distance", "order"]),
            ),
            "",
        )
    if option is not None:
        return loaded_group(warehouse, group_name=str(option), subject=subject)
    indicators, sources = csp_open_indicators(warehouse, period=period)
    return computed_group(indicators, subject=subject, sources=sources)


__all__ = [
    "ComparatorGroup",
    "GroupMethod",
    "NearestNeighbourSettings",
    "computed_group",
    "csp_open_indicators",
    "load_nearest_neighbour_settings",
    "loaded_group",
    "nearest_neighbours",
    "resolve_group",
]
