"""Families 3–6 for every CSP at once, on top of families 1–2 of :mod:`safecity.assess.all_csps`.

Orchestration only: the warehouse (or the chosen engine) aggregates police.uk street data once
to LSOA x category (:func:`safecity.assess.all_csps.lsoa_category_counts`); every statistic
after that is computed for all CSPs together by the same keyed implementation the single-area
families use (docs/assessment.md, "One family engine"):

* family 4 (distribution): ward and LSOA annual rates (``families.rates.add_crude_rates``,
  ``methods.md`` §1.1, §0.2a) labelled against their own CSP's rate by the Fingertips 95%
  interval rule, polarity ``no_judgement`` (``families.rates.label_against_benchmark``, §2.1),
  and each CSP's concentration in its top 10% of LSOAs (``families.rates.concentration_by_area``);
* family 5 (deprivation): rates by national IMD decile and quintile within each CSP and the
  quintile 1 against 5 rate ratio (``families.deprivation.deprivation_rates``, §5.1, §2.2a);
  the slope and relative indices of inequality are single-area only;
* family 6 (benchmarking): each covered CSP against its nation's pooled rate, or the covered
  CSPs loaded, with rank and band (``families.benchmarking.national_benchmarks``, §3.1);
* family 3 (harm): the police.uk category approximation of the Crime Severity Score per
  person-year and harm per 1,000 a year (``families.harm.csp_harm``, §4.1).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from safecity.assess.all_csps import (
    csp_table,
    indicator_rows,
    lsoa_category_counts,
    police_uk_groups,
)
from safecity.assess.counts import group_counts_from_categories
from safecity.assess.crime_groups import CrimeGroup
from safecity.assess.denominators import lsoa_denominators
from safecity.assess.fact_source import FactSource, warehouse_facts
from safecity.assess.families.benchmarking import (
    LABEL_RULE,
    NATIONAL_BASIS,
    NOT_COMPARED,
    national_benchmarks,
    national_context_manifest,
)
from safecity.assess.families.deprivation import (
    GAP_TEST,
    LEAST_DEPRIVED_QUINTILE,
    MOST_DEPRIVED_QUINTILE,
    deprivation_rates,
    lsoa_deprivation,
)
from safecity.assess.families.harm import (
    HarmIndexError,
    csp_harm,
)
from safecity.assess.families.rates import (
    add_crude_rates,
    concentration_by_area,
    label_against_benchmark,
)
from safecity.assess.indicator_columns import AreaLevel
from safecity.assess.periods import Period
from safecity.assess.street_aggregate import period_street_months
from safecity.assess.study_area import lsoa_hierarchy
from safecity.config.nations import Nation
from safecity.config.police_forces import PoliceForce, load_police_forces
from safecity.data.warehouse import Warehouse

RATE_MULTIPLIER = 1000
DISTRIBUTION_RULE = (
    "Fingertips 95% confidence interval against the CSP's rate, polarity no_judgement "
    "(methods.md §2.1)"
)
SII_SKIPPED = (
    "slope and relative index of inequality (SII/RII) per CSP are not computed for every CSP"
    " at once (left out for speed); the single-area assessment gives them (methods.md §5.2)"
)
AREA_COLUMNS = (
    "row_id", "csp_code", "csp_name", "area_level", "area_code", "area_name", "parent_code",
    "group_id",
    "group_name", "period", "count", "population", "value", "lower_ci", "upper_ci", "method",
    "unreliable", "benchmark_code", "benchmark_value", "benchmark_label", "benchmark_method",
)  # fmt: skip
CONCENTRATION_COLUMNS = (
    "row_id", "csp_code", "csp_name", "group_id", "group_name", "period", "lsoas",
    "top_lsoas", "top_count", "total", "top_share_pct",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AllCspsAssessment:
    """Families 1–6 for every CSP.

    Attributes
    ----------
    indicators
        Families 1–2 (and the national benchmark of family 6) in the ``indicators`` layout.
    tables
        Further partner tables by name (``all_csps_wards_lsoas``, ``all_csps_concentration``,
        ``all_csps_deprivation``, ``all_csps_deprivation_gaps``, ``all_csps_benchmarking``,
        ``all_csps_harm``), each with a ``row_id``.
    skipped
        Parts not computed, with the reason in words.
    manifest
        What was computed and how, for the artefact manifest.
    """

    indicators: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)


def _no_population_as_missing(table: pd.DataFrame) -> pd.DataFrame:
    """Population missing (not 0) where none of the summed LSOAs has one; drops the tally."""
    table["population"] = table["population"].where(table["populations_known"] > 0)
    return table.drop(columns="populations_known")


def lsoa_group_counts(
    category_counts: pd.DataFrame,
    *,
    groups: Sequence[CrimeGroup],
    hierarchy: pd.DataFrame,
    populations: pd.DataFrame,
) -> pd.DataFrame:
    """Every LSOA of a CSP x group, zeros included, with its population.

    ``category_counts`` is ``lsoa_code, crime_type, count``; returns ``lsoa_code, group_id,
    count, population`` and the hierarchy columns.
    """
    keyed = category_counts.assign(month=pd.Timestamp(0))
    counts = group_counts_from_categories(keyed, groups=groups).set_index(
        ["lsoa_code", "group_id"]
    )["count"]
    grid = pd.MultiIndex.from_product(
        [hierarchy["lsoa_code"], [group.id for group in groups]], names=["lsoa_code", "group_id"]
    )
    table = counts.reindex(grid, fill_value=0).reset_index()
    table["count"] = table["count"].astype("int64")
    table["group_name"] = table["group_id"].map({group.id: group.name for group in groups})
    table = table.merge(hierarchy, on="lsoa_code", how="left")
    return table.merge(populations, on="lsoa_code", how="left")


def ward_and_lsoa_rates(
    lsoa_counts: pd.DataFrame,
    *,
    csp_rates: pd.DataFrame,
    period: Period,
    years_at_risk: pd.Series | None = None,
) -> pd.DataFrame:
    """Ward and LSOA rates of every CSP, each labelled against its own CSP's rate (family 4).

    ``csp_rates`` is ``csp_code, group_id, value``: the CSP's annual rate (its ``indicators``
    row). Rates are annual, as the single area's: count / (residents x ``years_at_risk``) x
    1,000, the years being the CSP's months with data / 12 (CSP code -> years; by default the
    period's length; methods.md §0.2a), by :func:`safecity.assess.families.rates.
    add_crude_rates`, labelled by :func:`safecity.assess.families.rates.
    label_against_benchmark`. Wards are keyed by CSP and ward (a ward lies in one local
    authority, so one CSP).
    """
    lsoas = lsoa_counts.assign(
        area_level=AreaLevel.LSOA.value,
        area_code=lsoa_counts["lsoa_code"],
        area_name=lsoa_counts["lsoa_name"],
        parent_code=lsoa_counts["ward_code"],
    )
    wards = (
        lsoa_counts.groupby(
            ["csp_code", "csp_name", "ward_code", "ward_name", "group_id", "group_name"],
            sort=False,
        )
        .agg(
            count=("count", "sum"),
            population=("population", "sum"),
            populations_known=("population", "count"),
        )
        .reset_index()
        .pipe(_no_population_as_missing)
        .rename(columns={"ward_code": "area_code", "ward_name": "area_name"})
        .assign(area_level=AreaLevel.WARD.value)
    )
    wards["parent_code"] = wards["csp_code"]
    columns = [
        "csp_code", "csp_name", "area_level", "area_code", "area_name", "parent_code",
        "group_id", "group_name", "count", "population",
    ]  # fmt: skip
    table = pd.concat([wards[columns], lsoas[columns]], ignore_index=True)
    years = (
        table["csp_code"].map(years_at_risk).astype(float)
        if years_at_risk is not None
        else pd.Series(period.length / 12.0, index=table.index)
    )
    table["exposure"] = table["population"] * years
    table = add_crude_rates(table, count="count", exposure="exposure")
    benchmark = csp_rates[["csp_code", "group_id", "value"]].rename(
        columns={"value": "benchmark_value"}
    )
    table = table.merge(benchmark, on=["csp_code", "group_id"], how="left")
    table["benchmark_code"] = table["csp_code"]
    label_against_benchmark(table, where=pd.Series(True, index=table.index), rule=DISTRIBUTION_RULE)
    table["period"] = period.label
    table["row_id"] = table["group_id"] + ":" + table["area_code"] + ":" + period.label
    return table[list(AREA_COLUMNS)]


def concentration(lsoa_counts: pd.DataFrame, *, period: Period) -> pd.DataFrame:
    """Share of each CSP's crime in its top 10% of LSOAs by count (at least one LSOA).

    The rule of the single-area family (``families.rates.concentration``), for all CSPs at once:
    ``top_lsoas = max(1, ⌈0.1 n⌉)`` of the CSP's ``n`` LSOAs, the busiest by count.
    """
    keys = ["csp_code", "group_id"]
    names = lsoa_counts.drop_duplicates(keys)[[*keys, "csp_name", "group_name"]]
    table = concentration_by_area(lsoa_counts, keys=keys).merge(names, on=keys, how="left")
    table["period"] = period.label
    table["row_id"] = (
        "concentration:" + table["group_id"] + ":" + table["csp_code"] + ":" + period.label
    )
    return table[list(CONCENTRATION_COLUMNS)]


def _years_with_data(indicators: pd.DataFrame) -> pd.Series:
    """CSP code -> years of the period with data (its force's months with a file / 12)."""
    rows = indicators.drop_duplicates("area_code").set_index("area_code")
    return rows["months_with_data"].astype(float) / 12.0


def _all_crime_exposure(indicators: pd.DataFrame) -> pd.Series | None:
    """CSP code -> person-years of its all-crime row (residents x months with data / 12)."""
    if "exposure" not in indicators.columns:
        return None
    rows = indicators[indicators["indicator_id"] == "all_crime"]
    if rows.empty:
        return None
    return rows.drop_duplicates("area_code").set_index("area_code")["exposure"].astype(float)


def _fill_national(indicators: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Put each CSP x group's national rate and label into the indicator rows.

    Only where a national figure is made; ``benchmark_code`` is the nation's GSS code only with
    complete coverage (a labelled subset such as "England excluding …" has no code, and
    ``benchmark_method`` names it).
    """
    lookup = benchmarks.set_index(["group_id", "csp_code"])
    keys = pd.MultiIndex.from_arrays([indicators["indicator_id"], indicators["area_code"]])
    rate = lookup["national_rate"].reindex(keys).to_numpy()
    label = lookup["national_label"].reindex(keys).fillna(NOT_COMPARED).to_numpy()
    code = lookup["national_code"].reindex(keys).fillna("").to_numpy()
    name = lookup["national_name"].reindex(keys).fillna("").to_numpy()
    made = pd.notna(rate)
    indicators["benchmark_code"] = np.where(made, code, "")
    indicators["benchmark_value"] = rate
    indicators["benchmark_label"] = np.where(made, label, "")
    indicators["benchmark_method"] = np.where(
        made, "against " + pd.Series(name).to_numpy(dtype=object) + ": " + LABEL_RULE, ""
    )
    return indicators


def assess_every_csp(
    warehouse: Warehouse,
    *,
    period: Period,
    baseline: Period | None = None,
    groups: Sequence[CrimeGroup] | None = None,
    harm_index: str | None = None,
    forces: Sequence[PoliceForce] | None = None,
    facts: FactSource | None = None,
) -> AllCspsAssessment:
    """Families 1–6 for every CSP and police.uk group in one pass.

    Parameters
    ----------
    warehouse
        The loaded warehouse (police.uk street data for all forces, lookups, populations; IMD
        for family 5; harm weights and a force extract for family 3).
    period
        The months assessed.
    baseline
        The comparison period of family 2; by default the same length immediately before.
    groups
        Crime groups (police.uk-defined ones are used); by default the shipped groups.
    harm_index
        The harm index (``name`` or ``name@version``) when several are loaded; when None and
        several are loaded, harm is skipped with the reason.
    forces
        The territorial police forces with their nations, which decide national coverage (by
        default the shipped ``police_forces.yaml``).
    facts
        Where the police.uk street data are aggregated: DuckDB on the warehouse (the default),
        DuckDB on a lake, or Spark (:mod:`safecity.assess.fact_source`). The monthly street
        aggregate of both periods is computed once there; everything after it is the same.

    Returns
    -------
    AllCspsAssessment
        The indicator rows of :func:`safecity.assess.all_csps.assess_all_csps` with national
        benchmarks filled in where the data cover the nation, and the tables of families 3–6
        (see the module docstring).
    """
    baseline = baseline or period.preceding(count=1)[0]
    chosen = police_uk_groups(groups)
    source = facts or warehouse_facts(warehouse)
    with period_street_months(source, periods=(period, baseline)) as street:
        national = csp_table(warehouse, period=period, groups=chosen, forces=forces, street=street)
        before = csp_table(warehouse, period=baseline, groups=chosen, forces=forces, street=street)
        category_counts = lsoa_category_counts(warehouse, period=period, street=street).to_pandas()
    indicators = indicator_rows(current=national, before=before, period=period, baseline=baseline)
    tables: dict[str, pd.DataFrame] = {}
    skipped: dict[str, str] = {}
    manifest: dict[str, Any] = {}

    hierarchy, lsoa_vintage, _ward_vintage, _csp_vintage = lsoa_hierarchy(warehouse)
    hierarchy = hierarchy[hierarchy["csp_code"].notna()][
        ["lsoa_code", "lsoa_name", "ward_code", "ward_name", "csp_code", "csp_name"]
    ]
    denominators = lsoa_denominators(
        warehouse,
        lsoa_codes=hierarchy["lsoa_code"].tolist(),
        lsoa_vintage=lsoa_vintage,
        year=period.mid_year,
    )
    populations = denominators.table[["lsoa_code", "population"]].copy()
    populations["population"] = pd.to_numeric(populations["population"], errors="coerce")
    lsoa_counts = lsoa_group_counts(
        category_counts, groups=chosen, hierarchy=hierarchy, populations=populations
    )

    years_with_data = _years_with_data(indicators)
    annual = indicators[["area_code", "indicator_id", "value"]].rename(
        columns={"area_code": "csp_code", "indicator_id": "group_id"}
    )
    tables["all_csps_wards_lsoas"] = ward_and_lsoa_rates(
        lsoa_counts, csp_rates=annual, period=period, years_at_risk=years_with_data
    )
    tables["all_csps_concentration"] = concentration(lsoa_counts, period=period)
    manifest["distribution"] = {
        "label_rule": DISTRIBUTION_RULE,
        "concentration": "share of the CSP's crime in its top 10% of LSOAs by count, at least one",
    }

    deciles, index_name, decile_source = lsoa_deprivation(
        warehouse, lsoa_codes=hierarchy["lsoa_code"].tolist(), lsoa_vintage=lsoa_vintage
    )
    if deciles.empty:
        skipped["deprivation"] = decile_source or (
            f"no index of deprivation for LSOAs of vintage {lsoa_vintage} is loaded (deciles, or"
            " ranks, are needed: methods.md §5.1)"
        )
    else:
        rates, gaps = deprivation_rates(
            lsoa_counts, deciles=deciles, period=period, years_at_risk=years_with_data
        )
        tables["all_csps_deprivation"] = rates
        tables["all_csps_deprivation_gaps"] = gaps
        skipped["deprivation_sii_rii"] = SII_SKIPPED
        manifest["deprivation"] = {
            "index_name": index_name,
            "national_decile": decile_source,
            "national_quintile": "⌈decile/2⌉ (methods.md §5.1)",
            "gap": f"quintile {MOST_DEPRIVED_QUINTILE} (most deprived) against quintile "
            f"{LEAST_DEPRIVED_QUINTILE}, {GAP_TEST}",
            "lsoas_without_decile": int((~hierarchy["lsoa_code"].isin(deciles["lsoa_code"])).sum()),
        }

    benchmarks = national_benchmarks(national, period=period)
    compared = benchmarks["rank"].notna() | benchmarks["regional_rank"].notna()
    for nation in (Nation.ENGLAND, Nation.WALES):
        verdict = national.national[nation]
        if not verdict.national and verdict.csps_in_lookup:
            skipped[f"benchmarking_{nation.name.lower()}"] = verdict.not_made
    manifest["benchmarking"] = {
        "national_basis": NATIONAL_BASIS,
        "label_rule": LABEL_RULE,
        **national_context_manifest(national, forces=forces or load_police_forces()),
    }
    if compared.any():
        tables["all_csps_benchmarking"] = benchmarks
        indicators = _fill_national(indicators, benchmarks)
    else:
        skipped["benchmarking"] = "; ".join(
            dict.fromkeys(
                reason.removeprefix("not made: ")
                for reason in (
                    *(
                        verdict.not_made
                        for nation, verdict in national.national.items()
                        if nation is not Nation.ENGLAND_AND_WALES and verdict.csps_in_lookup
                    ),
                    *(group.not_made for group in national.regional.values()),
                )
                if reason
            )
        )

    harm_started = time.perf_counter()
    try:
        harm_table, harm_reason, harm_manifest = csp_harm(
            warehouse,
            category_counts=category_counts,
            hierarchy=hierarchy,
            populations=populations,
            period=period,
            harm_index=harm_index,
            person_years=_all_crime_exposure(indicators),
        )
    except HarmIndexError as error:
        if harm_index is not None:
            raise
        harm_table, harm_reason, harm_manifest = pd.DataFrame(), str(error), {}
    if harm_reason:
        skipped["harm"] = harm_reason
    else:
        tables["all_csps_harm"] = harm_table
    harm_manifest["seconds"] = time.perf_counter() - harm_started
    manifest["harm"] = harm_manifest
    manifest["population"] = denominators.note
    manifest["engine"] = {"engine": source.engine.value, "facts": source.description}
    return AllCspsAssessment(
        indicators=indicators, tables=tables, skipped=skipped, manifest=manifest
    )


PUBLIC_HIDDEN = {
    "all_csps_wards_lsoas": ("count", ("count", "value", "lower_ci", "upper_ci")),
    "all_csps_concentration": ("top_count", ("top_count", "total", "top_share_pct")),
    "all_csps_deprivation": ("count", ("count", "value", "lower_ci", "upper_ci")),
    "all_csps_benchmarking": ("count", ("count", "rate", "lower_ci", "upper_ci")),
    "all_csps_harm": ("crimes", ("crimes", "harm", "severity_score", "lower_ci", "upper_ci")),
}
"""Per table: the count column tested and the columns hidden when it is from 1 to 4."""


SECONDARY_LINES = {
    "all_csps_wards_lsoas": ("group_id", "area_level", "parent_code"),
    "all_csps_deprivation": ("csp_code", "group_id", "grouping"),
}
"""Lines of cells whose total is published: a CSP's wards, a ward's LSOAs, a CSP's deciles."""


def secondary_suppression(
    table: pd.DataFrame, *, small: pd.Series, count: str, lines: Sequence[str]
) -> pd.Series:
    """``small`` plus, in every line with exactly one suppressed cell, its smallest non-zero
    other cell: the line's total is published, so one hidden cell would be recoverable by
    subtraction (``methods.md`` §0.2; the one-row case of ``safecity.stats.suppression_mask``).
    """
    keys = list(lines)
    suppressed = small.copy()
    per_line = suppressed.groupby([table[key] for key in keys]).transform("sum")
    candidates = table[(per_line == 1) & ~suppressed & (table[count] > 0)]
    if not candidates.empty:
        smallest = candidates.groupby(keys)[count].idxmin()
        suppressed.loc[smallest.to_numpy()] = True
    return suppressed


def public_copy(
    table: pd.DataFrame,
    *,
    count: str,
    hidden: Sequence[str],
    threshold: int,
    lines: Sequence[str] | None = None,
) -> Any:
    """``table`` with ``hidden`` cleared where ``1 <= table[count] < threshold`` (§0.2).

    With ``lines`` (columns naming lines whose totals are published), secondary suppression
    follows. Adds ``suppressed``. The deprivation gaps table is published through
    :func:`public_gaps` (either side small hides the whole comparison).
    """
    public = table.copy()
    small = (public[count] > 0) & (public[count] < threshold)
    if lines is not None:
        small = secondary_suppression(public, small=small, count=count, lines=lines)
    public = public.astype(dict.fromkeys(hidden, "object"))
    public.loc[small, list(hidden)] = None
    public["suppressed"] = small
    return public


def public_gaps(gaps: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """The gaps table with both sides' counts and rates hidden when either count is 1–4."""
    public = gaps.copy()
    small = ((public["most_deprived_count"] > 0) & (public["most_deprived_count"] < threshold)) | (
        (public["least_deprived_count"] > 0) & (public["least_deprived_count"] < threshold)
    )
    hidden = [
        "most_deprived_count", "most_deprived_rate", "least_deprived_count",
        "least_deprived_rate", "rate_ratio", "lower_ci", "upper_ci",
    ]  # fmt: skip
    public = public.astype(dict.fromkeys(hidden, "object"))
    public.loc[small, hidden] = None
    public["suppressed"] = small
    return public


def public_tables(tables: dict[str, pd.DataFrame], *, threshold: int) -> dict[str, pd.DataFrame]:
    """Public copies of the family tables: counts from 1 to ``threshold - 1`` suppressed."""
    public: dict[str, pd.DataFrame] = {}
    for name, table in tables.items():
        if name == "all_csps_deprivation_gaps":
            public[name] = public_gaps(table, threshold=threshold)
        elif name in PUBLIC_HIDDEN:
            count, hidden = PUBLIC_HIDDEN[name]
            public[name] = public_copy(
                table,
                count=count,
                hidden=hidden,
                threshold=threshold,
                lines=SECONDARY_LINES.get(name),
            )
    return public


__all__ = [
    "AllCspsAssessment",
    "assess_every_csp",
    "concentration",
    "csp_harm",
    "deprivation_rates",
    "lsoa_group_counts",
    "national_benchmarks",
    "public_tables",
    "ward_and_lsoa_rates",
]
