"""Every CSP at once: police.uk counts, rates, change and rank in one pass.

The warehouse aggregates police.uk street data for all LSOAs to LSOA x category (one Ibis
query per period, counting as ``safecity.assess.counts`` does); everything after that is
vectorised over the small CSP x group table. CSPs whose reporting force has a missing or
low-coverage month in the period (``methods.md`` §11.7: a force-month below 80% of the force's
median month, or absent) are kept in the table but not ranked, and the reason is given (§3.1:
"exclude and list CSPs with known data problems; report N actually ranked").

Whether the loaded data cover England (or Wales) is decided once, by
:mod:`safecity.assess.national_coverage`. CSPs of a nation with national coverage are ranked
among the covered CSPs of that nation (``rank``, ``rank_of``, percentile band); CSPs of a
nation without it get no national rank, only a rank among the covered CSPs of their nation that
are loaded (``regional_rank``, ``regional_rank_of``), named with its members. Ranks use
1 = highest rate, ties sharing the smallest rank (§3.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd

from safecity.assess.counts import group_counts_from_categories
from safecity.assess.crime_groups import CrimeGroup, DataSource, load_crime_groups
from safecity.assess.denominators import lsoa_denominators
from safecity.assess.fact_source import FactSource, warehouse_facts
from safecity.assess.families.quality import LOW_COVERAGE_SHARE
from safecity.assess.indicator_columns import INDICATOR_COLUMNS, AreaLevel
from safecity.assess.national_coverage import (
    NationalCoverage,
    RegionalGroup,
    national_coverage,
    regional_group,
)
from safecity.assess.periods import Period
from safecity.assess.street_aggregate import (
    force_lsoa_rows,
    force_month_rows,
    lsoa_category_totals,
    period_street_months,
    street_month,
)
from safecity.assess.study_area import lsoa_hierarchy
from safecity.config.nations import Nation, load_nations, nation_of_csp
from safecity.config.police_forces import PoliceForce, load_police_forces
from safecity.data.police_uk.formats import force_slug
from safecity.data.warehouse import Warehouse
from safecity.stats import crude_rate, rank_rates, rate_ratio_test

RATE_MULTIPLIER = 1000
CHANGE_TEST = "exact conditional rate-ratio test (methods.md §2.2a)"
RANK_RULE = (
    "ranked by rate among the CSPs of its nation with complete police.uk data (1 = highest;"
    " tied rates share the smallest rank), when the loaded data cover the nation"
)


@dataclass(frozen=True, slots=True)
class CspTable:
    """Police.uk counts and rates for every CSP and group over one period.

    Attributes
    ----------
    rates
        One row per CSP x group: ``csp_code, csp_name, pfa_code, pfa_name, nation, group_id,
        group_name, count, population, value, lower_ci, upper_ci, method, unreliable,
        reporting_force, complete_coverage, exclusion_reason, rank, rank_of,
        percentile_position, band, regional_rank, regional_rank_of, rank_scope``.
        ``complete_coverage``: the CSP's own force has every month and residents are loaded.
        ``national_not_made``: why its nation has no national figure (else empty).
        ``rank``..``band``: among the covered CSPs of its nation, only when the loaded data
        cover the nation; ``regional_rank``: among the covered CSPs of its nation loaded, only
        when they do not; ``rank_scope`` says which, in words.
    coverage
        One row per force x month of the period: ``force, month, rows, present,
        low_coverage``.
    excluded_forces
        Forces with a missing or low-coverage month in the period, sorted.
    population_note
        Where the populations come from.
    national
        The national-coverage verdict for England, Wales, and England and Wales.
    regional
        For each of England and Wales without national coverage, its covered CSPs loaded.
    """

    rates: pd.DataFrame
    coverage: pd.DataFrame
    excluded_forces: tuple[str, ...]
    population_note: str
    national: dict[Nation, NationalCoverage]
    regional: dict[Nation, RegionalGroup]


def police_uk_groups(groups: Sequence[CrimeGroup] | None = None) -> list[CrimeGroup]:
    """The groups that police.uk street data defines (of ``groups``, or the shipped ones)."""
    chosen = list(groups) if groups is not None else load_crime_groups()
    return [group for group in chosen if group.police_uk_defined()]


def lsoa_category_counts(warehouse: Warehouse, *, period: Period, street: Any | None = None) -> Any:
    """An Ibis expression: ``lsoa_code, crime_type, count`` over ``period`` for every LSOA.

    The same counts as :func:`safecity.assess.counts.police_uk_category_counts` summed over
    the months (a Crime ID counted once per force and month at its located row's LSOA,
    ``methods.md`` §11.6; ASB and crimes without an ID row by row; rows without an LSOA left
    out), summed from the monthly street aggregate (:mod:`safecity.assess.street_aggregate`):
    ``street`` when given (covering at least ``period``, on any engine), else the warehouse's.
    ``tests/assess/test_all_csps.py`` checks the two give the same counts.
    """
    return lsoa_category_totals(_period_months(warehouse, period=period, street=street))


def _period_months(warehouse: Warehouse, *, period: Period, street: Any | None) -> Any:
    """The monthly street aggregate of ``period``: from ``street`` or the warehouse's facts."""
    if street is None:
        return street_month(
            warehouse_facts(warehouse),
            first_month=period.first_month,
            last_month=period.last_month,
        )
    return street.filter(
        (street.month >= ibis.literal(period.first_month))
        & (street.month <= ibis.literal(period.last_month))
    )


def csp_group_counts(
    warehouse: Warehouse,
    *,
    period: Period,
    groups: Sequence[CrimeGroup],
    hierarchy: pd.DataFrame,
    street: Any | None = None,
) -> pd.DataFrame:
    """Police.uk counts over ``period`` for every CSP: ``csp_code, group_id, count``.

    One aggregation in the warehouse: LSOA x category counts (:func:`lsoa_category_counts`)
    joined to ``hierarchy`` (``lsoa_code, csp_code``) and summed to CSP x category; then the
    categories are expanded to groups (a category counts towards every group that includes it).
    """
    by_lsoa = lsoa_category_counts(warehouse, period=period, street=street)
    lookup = ibis.memtable(
        hierarchy[["lsoa_code", "csp_code"]].astype({"lsoa_code": object, "csp_code": object})
    )
    joined = by_lsoa.join(lookup, "lsoa_code")
    by_csp = (
        joined.group_by(["csp_code", "crime_type"])
        .aggregate(count=joined["count"].sum())
        .to_pandas()
    )
    # group_counts_from_categories keys its rows by LSOA and month: the CSP stands in for both.
    keyed = by_csp.rename(columns={"csp_code": "lsoa_code"})
    keyed["month"] = pd.Timestamp(period.first_month)
    counts = group_counts_from_categories(keyed, groups=groups)
    return counts.rename(columns={"lsoa_code": "csp_code"})[["csp_code", "group_id", "count"]]


def force_coverage(
    warehouse: Warehouse, *, period: Period, street: Any | None = None
) -> pd.DataFrame:
    """Rows per force and month of ``period`` for every force, with missing or low months.

    The same rule as the data-quality family (``families.quality.coverage_table``): a month is
    low when absent or below 80% of the force's median month over the months present. The rows
    are summed from the monthly street aggregate ``street`` (default: the warehouse's).
    """
    table = force_month_rows(_period_months(warehouse, period=period, street=street))
    columns = ["force", "month", "rows", "present", "low_coverage"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    grid = pd.MultiIndex.from_product(
        [sorted(table["force"].unique()), [pd.Timestamp(month) for month in period.months]],
        names=["force", "month"],
    ).to_frame(index=False)
    full = grid.merge(table, on=["force", "month"], how="left")
    full["present"] = full["rows"].notna()
    full["rows"] = full["rows"].fillna(0).astype("int64")
    median = full[full["present"]].groupby("force")["rows"].median()
    full["low_coverage"] = ~full["present"] | (
        full["rows"] < LOW_COVERAGE_SHARE * full["force"].map(median)
    )
    full["month"] = full["month"].dt.date
    return full[columns]


def csp_reporting_forces(
    warehouse: Warehouse, *, period: Period, hierarchy: pd.DataFrame, street: Any | None = None
) -> pd.DataFrame:
    """Each CSP's own force in the police.uk data: ``csp_code, force`` (missing: none loaded).

    A CSP's own force is the force of its police force area (the lookup's PFA name as a
    police.uk slug, e.g. "Hampshire" -> ``hampshire``). Neighbouring forces and British
    Transport Police report a few crimes inside a CSP; those alone never make a CSP's data,
    so a CSP whose own force is not loaded has none. When no PFA name matches any loaded force
    (lookups whose names differ from police.uk's), the force reporting most of the CSP's rows
    is taken instead. The rows are summed from the monthly street aggregate ``street`` (default:
    the warehouse's).
    """
    by_lsoa = force_lsoa_rows(_period_months(warehouse, period=period, street=street))
    merged = by_lsoa.merge(hierarchy[["lsoa_code", "csp_code"]], on="lsoa_code")
    by_csp = merged.groupby(["csp_code", "force"])["rows"].sum().reset_index()
    by_csp = by_csp.sort_values(["csp_code", "rows", "force"], ascending=[True, False, True])
    majority = by_csp.drop_duplicates("csp_code")[["csp_code", "force"]].reset_index(drop=True)
    own = hierarchy[["csp_code", "pfa_name"]].dropna().drop_duplicates("csp_code")
    own = own.assign(force=own["pfa_name"].map(_police_uk_slug))
    loaded = set(by_lsoa["force"].unique())
    if not own["force"].isin(loaded).any():
        return majority
    present = by_csp[["csp_code", "force"]].drop_duplicates()
    matched = own.merge(present, on=["csp_code", "force"], how="inner")
    return matched[["csp_code", "force"]].reset_index(drop=True)


def _police_uk_slug(force_name: str) -> str:
    """A force area's name as police.uk's slug.

    ONS writes some names inverted ("London, City of"); police.uk does not.

    Examples
    --------
    >>> _police_uk_slug("Devon & Cornwall"), _police_uk_slug("London, City of")
    ('devon-and-cornwall', 'city-of-london')
    """
    name = str(force_name)
    if ", " in name:
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}"
    return force_slug(name.replace("&", " and "))


def csp_populations(
    warehouse: Warehouse, *, hierarchy: pd.DataFrame, lsoa_vintage: int, year: int
) -> tuple[pd.DataFrame, str]:
    """Residents of every CSP (sum of its LSOAs): ``csp_code, population``, and the source."""
    denominators = lsoa_denominators(
        warehouse,
        lsoa_codes=hierarchy["lsoa_code"].tolist(),
        lsoa_vintage=lsoa_vintage,
        year=year,
    )
    merged = hierarchy[["lsoa_code", "csp_code"]].merge(
        denominators.table[["lsoa_code", "population"]], on="lsoa_code", how="left"
    )
    merged["population"] = pd.to_numeric(merged["population"], errors="coerce")
    population = merged.groupby("csp_code")["population"].sum(min_count=1).reset_index()
    return population, denominators.note


def _rank_within_groups(
    rates: pd.DataFrame,
    *,
    national: dict[Nation, NationalCoverage],
    regional: dict[Nation, RegionalGroup],
) -> pd.DataFrame:
    """Add national and regional ranks of the covered rows, group by group and nation.

    Rates are compared exactly as fractions count / population (:func:`safecity.stats.rank_rates`;
    1 = highest, ties share the smallest rank; methods.md §0.2a, §3.1).
    """
    for column in ("rank", "rank_of", "band", "regional_rank", "regional_rank_of"):
        rates[column] = pd.array([pd.NA] * len(rates), dtype="Int64")
    rates["percentile_position"] = np.nan
    rates["rank_scope"] = ""
    rates["national_not_made"] = ""
    covered = rates["complete_coverage"]
    for nation in (Nation.ENGLAND, Nation.WALES):
        in_nation = covered & (rates["nation"] == nation.value)
        verdict = national[nation]
        group = regional.get(nation)
        rates.loc[rates["nation"] == nation.value, "national_not_made"] = verdict.not_made
        if verdict.national:
            rates.loc[in_nation, "rank_scope"] = verdict.rank_scope
            for _group, frame in rates[in_nation].groupby("group_id"):
                result = _exact_ranks(frame)
                rates.loc[frame.index, "rank"] = result["rank"].to_numpy()
                rates.loc[frame.index, "rank_of"] = result["n_ranked"].to_numpy()
                rates.loc[frame.index, "percentile_position"] = result[
                    "percentile_position"
                ].to_numpy()
                rates.loc[frame.index, "band"] = result["band"].to_numpy()
        elif group is not None and not group.not_made:
            rates.loc[in_nation, "rank_scope"] = group.scope
            for _group, frame in rates[in_nation].groupby("group_id"):
                result = _exact_ranks(frame)
                rates.loc[frame.index, "regional_rank"] = result["rank"].to_numpy()
                rates.loc[frame.index, "regional_rank_of"] = result["n_ranked"].to_numpy()
    return rates


def _exact_ranks(frame: pd.DataFrame) -> pd.DataFrame:
    """Ranks of one group's CSPs on their exact rates (the period's months, complete coverage)."""
    return rank_rates(
        counts=frame["count"].to_numpy(dtype=float),
        populations=frame["population"].to_numpy(dtype=float),
        descending=True,
    )


def lookup_csps(warehouse: Warehouse, *, csp_vintage: int) -> pd.DataFrame:
    """Every CSP of the loaded CSP lookup of ``csp_vintage``: ``csp_code, csp_name``.

    Includes CSPs none of whose local authorities is in the loaded LSOA lookup (a newer CSP
    lookup than the LSOA lookup), which therefore have no LSOAs.
    """
    return warehouse.connection.execute(
        "SELECT DISTINCT csp_code, csp_name FROM csp_lookup WHERE csp_vintage = ?"
        " AND csp_code IS NOT NULL ORDER BY csp_code",
        [csp_vintage],
    ).df()


def csp_table(
    warehouse: Warehouse,
    *,
    period: Period,
    groups: Sequence[CrimeGroup] | None = None,
    forces: Sequence[PoliceForce] | None = None,
    street: Any | None = None,
) -> CspTable:
    """Counts, rates with 95% intervals and ranks for every CSP and police.uk group.

    Parameters
    ----------
    warehouse
        The loaded warehouse (police.uk street data, LSOA and CSP lookups, LSOA populations).
    period
        The months counted.
    groups
        Crime groups (only police.uk-defined ones are used); by default the shipped groups.
    forces
        The territorial police forces with their nations, which decide national coverage; by
        default the shipped ``police_forces.yaml``.
    street
        The monthly street aggregate (:func:`safecity.assess.street_aggregate.street_month`)
        covering at least ``period``, on any engine; by default the warehouse's.

    Returns
    -------
    CspTable
        Rates per 1,000 residents (exact Poisson limits below 10 events, Byar's from 10,
        ``methods.md`` §1.1), the national-coverage verdicts, and ranks among the covered CSPs
        of each nation, nationally or among those loaded (§3.1, §11.7).
    """
    chosen = police_uk_groups(groups)
    force_list = tuple(forces) if forces is not None else load_police_forces()
    hierarchy, lsoa_vintage, _ward_vintage, csp_vintage = lsoa_hierarchy(warehouse)
    hierarchy = hierarchy[hierarchy["csp_code"].notna()]
    csps = hierarchy.drop_duplicates("csp_code")[["csp_code", "csp_name", "pfa_code", "pfa_name"]]
    counts = csp_group_counts(
        warehouse, period=period, groups=chosen, hierarchy=hierarchy, street=street
    )
    by_csp = counts.set_index(["csp_code", "group_id"])["count"]
    grid = pd.MultiIndex.from_product(
        [csps["csp_code"], [group.id for group in chosen]], names=["csp_code", "group_id"]
    )
    rates = by_csp.reindex(grid, fill_value=0).reset_index()
    rates["count"] = rates["count"].astype("int64")
    names = {group.id: group.name for group in chosen}
    rates["group_name"] = rates["group_id"].map(names)
    population, note = csp_populations(
        warehouse, hierarchy=hierarchy, lsoa_vintage=lsoa_vintage, year=period.mid_year
    )
    reporting = csp_reporting_forces(warehouse, period=period, hierarchy=hierarchy, street=street)
    coverage = force_coverage(warehouse, period=period, street=street)
    excluded_forces = tuple(
        sorted(coverage.loc[coverage["low_coverage"].astype(bool), "force"].unique())
    )
    rates = (
        rates.merge(csps, on="csp_code", how="left")
        .merge(population, on="csp_code", how="left")
        .merge(reporting.rename(columns={"force": "reporting_force"}), on="csp_code", how="left")
    )
    valid = rates["population"].notna() & (rates["population"] > 0)
    for column in ("value", "lower_ci", "upper_ci"):
        rates[column] = np.nan
    rates["method"] = ""
    rates["unreliable"] = False
    if valid.any():
        computed = crude_rate(
            rates.loc[valid, "count"].to_numpy(dtype=float),
            rates.loc[valid, "population"].to_numpy(dtype=float),
            multiplier=RATE_MULTIPLIER,
        )
        computed.index = rates.index[valid]
        rates.loc[valid, ["value", "lower_ci", "upper_ci"]] = computed[
            ["value", "lower_ci", "upper_ci"]
        ].to_numpy()
        rates.loc[valid, "method"] = computed["method"].astype(str).to_numpy()
        rates.loc[valid, "unreliable"] = computed["unreliable"].astype(bool).to_numpy()
    no_data = rates["reporting_force"].isna()
    # Without its own force's data a CSP has no rate, not a rate of zero.
    rates.loc[no_data, ["value", "lower_ci", "upper_ci"]] = np.nan
    low = rates["reporting_force"].isin(excluded_forces)
    rates["exclusion_reason"] = np.select(
        [no_data, ~valid, low],
        [
            "no police.uk data from its own force in the period",
            "no population loaded",
            "police.uk coverage: its force ("
            + rates["reporting_force"].fillna("")
            + ") has a missing or low month in the period",
        ],
        default="",
    )
    rates["complete_coverage"] = rates["exclusion_reason"] == ""
    rates["nation"] = [
        nation.value if nation is not None else ""
        for nation in map(nation_of_csp, rates["csp_code"].astype(str))
    ]
    status = rates.drop_duplicates("csp_code")[
        ["csp_code", "csp_name", "pfa_name", "nation", "reporting_force", "complete_coverage"]
    ]
    in_lookup = lookup_csps(warehouse, csp_vintage=csp_vintage)
    national = {
        nation: national_coverage(
            nation=facts,
            forces=force_list,
            coverage=coverage,
            lookup_csps=in_lookup,
            csps=status,
            period_label=period.label,
        )
        for nation, facts in load_nations().items()
    }
    regional = {
        nation: group
        for nation in (Nation.ENGLAND, Nation.WALES)
        if (
            group := regional_group(
                coverage=national[nation], csps=status, forces=force_list, period_label=period.label
            )
        )
        is not None
    }
    rates = _rank_within_groups(rates, national=national, regional=regional)
    columns = [
        "csp_code", "csp_name", "pfa_code", "pfa_name", "nation", "group_id", "group_name",
        "count", "population", "value", "lower_ci", "upper_ci", "method", "unreliable",
        "reporting_force", "complete_coverage", "exclusion_reason", "rank", "rank_of",
        "percentile_position", "band", "regional_rank", "regional_rank_of", "rank_scope",
        "national_not_made",
    ]  # fmt: skip
    return CspTable(
        rates=rates[columns].sort_values(["group_id", "csp_code"]).reset_index(drop=True),
        coverage=coverage,
        excluded_forces=excluded_forces,
        population_note=note,
        national=national,
        regional=regional,
    )


def assess_all_csps(
    warehouse: Warehouse,
    *,
    period: Period,
    baseline: Period | None = None,
    groups: Sequence[CrimeGroup] | None = None,
    forces: Sequence[PoliceForce] | None = None,
    facts: FactSource | None = None,
) -> pd.DataFrame:
    """Families 1 and 2 for every CSP and police.uk group, in the ``indicators`` layout.

    Parameters
    ----------
    warehouse
        The loaded warehouse (police.uk street data for all forces, lookups, populations).
    period
        The months assessed.
    baseline
        The comparison period; by default the same length immediately before.
    groups
        Crime groups (police.uk-defined ones are used); by default the shipped groups.
    forces
        The territorial police forces with their nations (by default the shipped list).
    facts
        Where the police.uk street data are aggregated (by default the warehouse's DuckDB).

    Returns
    -------
    pandas.DataFrame
        ``row_id`` then :data:`INDICATOR_COLUMNS`, one row per CSP x group, ``area_level``
        ``csp``: count and crude rate per 1,000 residents with its 95% interval (§1.1),
        change against the baseline by the exact conditional rate-ratio test (§2.2a; not
        computed when the baseline has no police.uk data), and ``rank``/``rank_of`` among the
        covered CSPs of its nation when the loaded data cover the nation (§3.1); otherwise
        no rank, and ``caveat`` says why (as it does for CSPs excluded for incomplete data).
    """
    baseline = baseline or period.preceding(count=1)[0]
    with period_street_months(
        facts or warehouse_facts(warehouse), periods=(period, baseline)
    ) as street:
        current = csp_table(warehouse, period=period, groups=groups, forces=forces, street=street)
        before = csp_table(warehouse, period=baseline, groups=groups, forces=forces, street=street)
    return indicator_rows(current=current, before=before, period=period, baseline=baseline)


def _months_present(table: CspTable) -> dict[str, int]:
    """Months of the period each force has a street file for."""
    coverage = table.coverage
    if coverage.empty:
        return {}
    present = coverage[coverage["present"].astype(bool)]
    return {str(force): int(count) for force, count in present.groupby("force").size().items()}


def indicator_rows(
    *, current: CspTable, before: CspTable, period: Period, baseline: Period
) -> pd.DataFrame:
    """The ``indicators`` rows of :func:`assess_all_csps` from the two periods' CSP tables.

    A CSP's months with data are its reporting force's months with a street file: its rate is
    an annual rate on them (exposure = residents x months / 12, methods.md §0.2a), and its
    change is given only when its force has every month of both periods (the counts by CSP are
    for whole periods, so no like-for-like subset of months can be formed here; the
    single-area assessment forms one).
    """
    now_months = _months_present(current)
    then_months = _months_present(before)
    current_rates = current.rates
    before_rates = before.rates
    keys = ["csp_code", "group_id"]
    base = before_rates[[*keys, "count", "population", "value", "reporting_force"]].rename(
        columns={
            "count": "baseline_numerator",
            "population": "baseline_denominator",
            "value": "baseline_value",
            "reporting_force": "baseline_force",
        }
    )
    table = current_rates.merge(base, on=keys, how="left")
    has_baseline = bool(before_rates["reporting_force"].notna().any())
    table["months_with_data"] = (
        table["reporting_force"].map(lambda force: now_months.get(str(force), 0)).astype("int64")
    )
    table["baseline_months_with_data"] = table["baseline_force"].map(
        lambda force: then_months.get(str(force), 0) if isinstance(force, str) else 0
    )
    table["exposure"] = table["population"] * table["months_with_data"] / 12.0
    annual = table["exposure"].gt(0)
    table[["value", "lower_ci", "upper_ci"]] = np.nan
    table["method"] = ""
    if annual.any():
        rates = crude_rate(
            table.loc[annual, "count"].to_numpy(dtype=float),
            table.loc[annual, "exposure"].to_numpy(dtype=float),
            multiplier=RATE_MULTIPLIER,
        )
        table.loc[annual, ["value", "lower_ci", "upper_ci"]] = rates[
            ["value", "lower_ci", "upper_ci"]
        ].to_numpy()
        table.loc[annual, "method"] = rates["method"].astype(str).to_numpy()
    complete_both = (table["months_with_data"] == period.length) & (
        table["baseline_months_with_data"] == baseline.length
    )
    table["change_not_made"] = np.where(
        has_baseline & ~complete_both,
        "not made: the force's police.uk data have "
        + table["months_with_data"].astype(str)
        + f" of the {period.length} months of {period.words} and "
        + table["baseline_months_with_data"].astype(str)
        + f" of the {baseline.length} months of {baseline.words}; the all-CSP table compares"
        " only whole periods",
        "",
    )
    compared = (
        has_baseline
        & complete_both
        & table["population"].gt(0)
        & table["baseline_denominator"].gt(0)
        & ((table["count"] + table["baseline_numerator"]) > 0)
    )
    table["change_pct"] = np.where(
        compared & (table["baseline_numerator"] > 0),
        (table["count"] - table["baseline_numerator"]) / table["baseline_numerator"] * 100,
        np.nan,
    )
    table["change_ratio"] = np.nan
    table["change_p_value"] = np.nan
    table["change_significant"] = pd.array([pd.NA] * len(table), dtype="boolean")
    table["change_test"] = ""
    if compared.any():
        test = rate_ratio_test(
            count=table.loc[compared, "count"].to_numpy(dtype=float),
            population=table.loc[compared, "population"].to_numpy(dtype=float),
            comparator_count=table.loc[compared, "baseline_numerator"].to_numpy(dtype=float),
            comparator_population=table.loc[compared, "baseline_denominator"].to_numpy(dtype=float),
        )
        table.loc[compared, "change_ratio"] = test["value"].to_numpy()
        table.loc[compared, "change_p_value"] = test["p_value"].to_numpy()
        table.loc[compared, "change_significant"] = test["significant"].to_numpy(dtype=bool)
        table.loc[compared, "change_test"] = CHANGE_TEST
    if not has_baseline:
        table["change_pct"] = np.nan
    caveats = np.where(
        table["exclusion_reason"] != "",
        "not ranked: " + table["exclusion_reason"],
        np.where(
            table["national_not_made"] != "",
            "no national rank: " + table["national_not_made"].str.removeprefix("not made: "),
            "",
        ),
    )
    rows = pd.DataFrame(
        {
            "indicator_id": table["group_id"],
            "indicator_name": table["group_name"],
            "area_code": table["csp_code"],
            "area_name": table["csp_name"],
            "area_level": AreaLevel.CSP.value,
            "period": period.label,
            "source": DataSource.POLICE_UK.value,
            "numerator": table["count"],
            "denominator": table["population"],
            "denominator_type": "residents",
            "multiplier": RATE_MULTIPLIER,
            "months_in_period": period.length,
            "months_with_data": table["months_with_data"],
            "data_months": np.where(
                table["months_with_data"] == period.length,
                f"{period.first_month:%Y-%m}..{period.last_month:%Y-%m}",
                "",
            ),
            "exposure": table["exposure"],
            "value": table["value"],
            "lower_ci": table["lower_ci"],
            "upper_ci": table["upper_ci"],
            "method": table["method"],
            "confidence": 0.95,
            "baseline_period": baseline.label if has_baseline else "",
            "baseline_numerator": table["baseline_numerator"] if has_baseline else np.nan,
            "baseline_denominator": table["baseline_denominator"] if has_baseline else np.nan,
            "baseline_value": table["baseline_value"] if has_baseline else np.nan,
            "baseline_months_with_data": table["baseline_months_with_data"]
            if has_baseline
            else np.nan,
            "change_numerator": np.where(compared, table["count"], np.nan),
            "change_baseline_numerator": np.where(compared, table["baseline_numerator"], np.nan),
            "change_months": np.where(compared, period.length, np.nan),
            "change_baseline_months": np.where(compared, baseline.length, np.nan),
            "change_basis": "",
            "change_not_made": table["change_not_made"],
            "change_pct": table["change_pct"],
            "change_ratio": table["change_ratio"],
            "change_p_value": table["change_p_value"],
            "change_significant": table["change_significant"],
            "change_test": table["change_test"],
            "benchmark_code": "",
            "benchmark_value": np.nan,
            "benchmark_label": "",
            "benchmark_method": "",
            "rank": table["rank"],
            "rank_of": table["rank_of"],
            "suppressed": False,
            "unreliable": table["unreliable"],
            "caveat": caveats,
        }
    )
    rows = rows[list(INDICATOR_COLUMNS)]
    rows.insert(0, "row_id", rows["indicator_id"] + ":" + rows["area_code"] + ":" + period.label)
    return rows.reset_index(drop=True)


__all__ = [
    "CspTable",
    "assess_all_csps",
    "csp_group_counts",
    "csp_populations",
    "csp_reporting_forces",
    "csp_table",
    "force_coverage",
    "indicator_rows",
    "lookup_csps",
    "lsoa_category_counts",
    "police_uk_groups",
]
