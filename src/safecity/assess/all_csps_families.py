"""Families 3–6 for every CSP at once, on top of families 1–2 of :mod:`safecity.assess.all_csps`.

The warehouse aggregates police.uk street data once to LSOA x category
(:func:`safecity.assess.all_csps.lsoa_category_counts`); every statistic after that is computed
for all CSPs together on the small aggregate tables, with the vectorised functions of
:mod:`safecity.stats`:

* family 4 (distribution): ward and LSOA crude rates (``methods.md`` §1.1) labelled against
  their own CSP's rate by the Fingertips 95% interval rule with polarity ``no_judgement``
  (§2.1: Higher, Similar or Lower), and each CSP's concentration: the share of its crime in its
  top 10% of LSOAs by count (at least one LSOA), as the single-area family does;
* family 5 (deprivation): rates by national IMD decile and quintile (``⌈decile/2⌉``, §5.1)
  within each CSP, and the most- against least-deprived national quintile rate ratio by the
  exact conditional test (§2.2a); the slope and relative indices of inequality are not computed
  here (the single-area assessment gives them);
* family 6 (benchmarking): when the loaded police.uk data cover a nation
  (:mod:`safecity.assess.national_coverage`), each covered CSP of it against the nation's pooled
  rate (Better, Similar or Worse, lower crime being better) with its national rank and
  percentile band (§3.1), the figure named "England" only with complete coverage and "England
  excluding …" with known exclusions; without national coverage no national figure, rank or
  band, only the rank and pooled rate among the covered CSPs of the nation loaded, named as
  such; with the functions of :mod:`safecity.assess.families.benchmarking`;
* family 3 (harm): the police.uk category approximation of the Crime Severity Score (§4.1):
  each category's weight is the national-offence-mix weighted mean of its offence codes'
  weights (the loaded table of offence counts, newest year, or the shipped Home Office table
  for England and Wales 2017/18), under the loaded harm index or the shipped ONS weights; with
  harm per 1,000 residents a year and its weighted-Poisson interval.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from safecity.assess.all_csps import (
    CspTable,
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
    _label,
    _pooled,
    band_description,
    national_context_manifest,
)
from safecity.assess.families.deprivation import lsoa_deprivation
from safecity.assess.families.harm import (
    APPROXIMATION_CAVEAT,
    HARM_INTERVAL_METHOD,
    HARM_RATE_MULTIPLIER,
    HarmIndexError,
    HarmMethod,
    category_weights,
    choose_harm_index,
    harm_index_source,
    harm_weights,
    loaded_harm_indices,
    national_offence_mix,
    offence_categories,
)
from safecity.assess.families.rates import label_against_benchmark
from safecity.assess.indicator_columns import AreaLevel
from safecity.assess.periods import Period
from safecity.assess.street_aggregate import period_street_months
from safecity.assess.study_area import lsoa_hierarchy
from safecity.config.nations import Nation
from safecity.config.police_forces import PoliceForce, load_police_forces
from safecity.data.police_uk.formats import asb_crime_type
from safecity.data.warehouse import Warehouse
from safecity.stats import (
    crime_severity_score,
    crude_rate,
    harm_rate,
    rate_ratio_test,
)

RATE_MULTIPLIER = 1000
TOP_SHARE = 0.1
"""Concentration: the share of crime in this fraction of a CSP's LSOAs (the busiest)."""
DISTRIBUTION_RULE = (
    "Fingertips 95% confidence interval against the CSP's rate, polarity no_judgement "
    "(methods.md §2.1)"
)
GAP_TEST = "exact conditional rate-ratio test (methods.md §2.2a)"
MOST_DEPRIVED_QUINTILE = 1
LEAST_DEPRIVED_QUINTILE = 5
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
DEPRIVATION_COLUMNS = (
    "row_id", "csp_code", "csp_name", "group_id", "group_name", "period", "grouping",
    "deprivation_group", "lsoas", "count", "population", "value", "lower_ci", "upper_ci",
    "method", "unreliable",
)  # fmt: skip
GAP_COLUMNS = (
    "row_id", "csp_code", "csp_name", "group_id", "group_name", "period",
    "most_deprived_count", "most_deprived_population", "most_deprived_rate",
    "least_deprived_count", "least_deprived_population", "least_deprived_rate",
    "rate_ratio", "lower_ci", "upper_ci", "p_value", "significant", "test",
)  # fmt: skip
BENCHMARK_COLUMNS = (
    "row_id", "csp_code", "csp_name", "nation", "group_id", "group_name", "period", "count",
    "population", "rate", "lower_ci", "upper_ci", "complete_coverage", "exclusion_reason",
    "national_name", "national_code", "national_coverage", "national_count",
    "national_population", "national_rate", "national_label", "national_not_made", "rank",
    "rank_of", "percentile_position", "band", "band_description", "rank_scope",
    "regional_count", "regional_population", "regional_rate", "regional_label",
    "regional_rank", "regional_rank_of", "label_rule",
)  # fmt: skip
HARM_COLUMNS = (
    "row_id", "csp_code", "csp_name", "period", "index_name", "index_version", "method",
    "offence_mix", "crimes", "harm", "harm_variance", "population", "severity_score",
    "lower_ci", "upper_ci", "confidence", "person_years", "harm_per_1000",
    "harm_per_1000_lower", "harm_per_1000_upper", "harm_interval_method", "mean_weight",
    "crimes_excluded_no_weight", "caveat",
)  # fmt: skip


class DeprivationGrouping(StrEnum):
    """The IMD groupings used per CSP (national ones only)."""

    NATIONAL_DECILE = "national decile"
    NATIONAL_QUINTILE = "national quintile"


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


def _add_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``value, lower_ci, upper_ci, method, unreliable`` from ``count`` and ``population``."""
    for column in ("value", "lower_ci", "upper_ci"):
        table[column] = np.nan
    table["method"] = ""
    table["unreliable"] = False
    valid = table["population"].notna() & (table["population"] > 0)
    if valid.any():
        computed = crude_rate(
            table.loc[valid, "count"].to_numpy(dtype=float),
            table.loc[valid, "population"].to_numpy(dtype=float),
            multiplier=RATE_MULTIPLIER,
        )
        table.loc[valid, ["value", "lower_ci", "upper_ci"]] = computed[
            ["value", "lower_ci", "upper_ci"]
        ].to_numpy()
        table.loc[valid, "method"] = computed["method"].astype(str).to_numpy()
        table.loc[valid, "unreliable"] = computed["unreliable"].astype(bool).to_numpy()
    return table


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
    lsoa_counts: pd.DataFrame, *, csp_rates: pd.DataFrame, period: Period
) -> pd.DataFrame:
    """Ward and LSOA rates of every CSP, each labelled against its own CSP's rate (family 4).

    ``csp_rates`` is :attr:`CspTable.rates` (``csp_code, group_id, value``). Wards are keyed
    by CSP and ward (a ward lies in one local authority, so one CSP).
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
    table = _add_rates(table)
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
    ordered = lsoa_counts.sort_values([*keys, "count"], ascending=[True, True, False])
    position = ordered.groupby(keys, sort=False).cumcount()
    lsoas = ordered.groupby(keys, sort=False)["count"].transform("size")
    top = np.maximum(1, np.ceil(TOP_SHARE * lsoas)).astype("int64")
    ordered = ordered.assign(top_count=np.where(position < top, ordered["count"], 0))
    table = (
        ordered.groupby([*keys, "csp_name", "group_name"], sort=True)
        .agg(lsoas=("count", "size"), total=("count", "sum"), top_count=("top_count", "sum"))
        .reset_index()
    )
    table["top_lsoas"] = np.maximum(1, np.ceil(TOP_SHARE * table["lsoas"])).astype("int64")
    table["top_share_pct"] = np.where(
        table["total"] > 0, 100 * table["top_count"] / table["total"].replace(0, 1), np.nan
    )
    table["period"] = period.label
    table["row_id"] = (
        "concentration:" + table["group_id"] + ":" + table["csp_code"] + ":" + period.label
    )
    return table[list(CONCENTRATION_COLUMNS)]


def deprivation_rates(
    lsoa_counts: pd.DataFrame, *, deciles: pd.DataFrame, period: Period
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rates by national IMD decile and quintile within each CSP, and the quintile 1 vs 5 gap.

    ``deciles`` is ``lsoa_code, decile`` (1 = most deprived 10% nationally); the national
    quintile is ``⌈decile/2⌉`` (§5.1). LSOAs without a decile are left out. The gap is the
    rate ratio of the most-deprived quintile (1) to the least-deprived (5) of the same CSP, by
    the exact conditional test (§2.2a), where both quintiles have residents and at least one
    crime between them.
    """
    with_decile = lsoa_counts.merge(deciles[["lsoa_code", "decile"]], on="lsoa_code")
    with_decile["quintile"] = np.ceil(with_decile["decile"] / 2).astype("int64")
    keys = ["csp_code", "csp_name", "group_id", "group_name"]
    frames = []
    for grouping, column in (
        (DeprivationGrouping.NATIONAL_DECILE, "decile"),
        (DeprivationGrouping.NATIONAL_QUINTILE, "quintile"),
    ):
        grouped = (
            with_decile.groupby([*keys, column], sort=True)
            .agg(
                lsoas=("count", "size"),
                count=("count", "sum"),
                population=("population", "sum"),
                populations_known=("population", "count"),
            )
            .reset_index()
            .pipe(_no_population_as_missing)
            .rename(columns={column: "deprivation_group"})
        )
        grouped["grouping"] = grouping.value
        frames.append(grouped)
    rates = _add_rates(pd.concat(frames, ignore_index=True))
    rates["deprivation_group"] = rates["deprivation_group"].astype("int64")
    rates["period"] = period.label
    rates["row_id"] = (
        "deprivation:"
        + rates["grouping"].str.replace(" ", "_")
        + ":"
        + rates["group_id"]
        + ":"
        + rates["csp_code"]
        + ":"
        + rates["deprivation_group"].astype(str)
    )
    rates = rates[list(DEPRIVATION_COLUMNS)]
    quintiles = rates[rates["grouping"] == DeprivationGrouping.NATIONAL_QUINTILE.value]
    most = quintiles[quintiles["deprivation_group"] == MOST_DEPRIVED_QUINTILE]
    least = quintiles[quintiles["deprivation_group"] == LEAST_DEPRIVED_QUINTILE]
    side = ["count", "population", "value"]
    gaps = most[[*keys, *side]].merge(
        least[["csp_code", "group_id", *side]],
        on=["csp_code", "group_id"],
        suffixes=("_most", "_least"),
    )
    gaps = gaps.rename(
        columns={
            "count_most": "most_deprived_count",
            "population_most": "most_deprived_population",
            "value_most": "most_deprived_rate",
            "count_least": "least_deprived_count",
            "population_least": "least_deprived_population",
            "value_least": "least_deprived_rate",
        }
    )
    for column in ("rate_ratio", "lower_ci", "upper_ci", "p_value"):
        gaps[column] = np.nan
    gaps["significant"] = pd.array([pd.NA] * len(gaps), dtype="boolean")
    gaps["test"] = ""
    tested = (
        (gaps["most_deprived_population"] > 0)
        & (gaps["least_deprived_population"] > 0)
        & ((gaps["most_deprived_count"] + gaps["least_deprived_count"]) > 0)
    )
    if tested.any():
        result = rate_ratio_test(
            count=gaps.loc[tested, "most_deprived_count"].to_numpy(dtype=float),
            population=gaps.loc[tested, "most_deprived_population"].to_numpy(dtype=float),
            comparator_count=gaps.loc[tested, "least_deprived_count"].to_numpy(dtype=float),
            comparator_population=gaps.loc[tested, "least_deprived_population"].to_numpy(
                dtype=float
            ),
        )
        gaps.loc[tested, ["rate_ratio", "lower_ci", "upper_ci", "p_value"]] = result[
            ["value", "lower_ci", "upper_ci", "p_value"]
        ].to_numpy()
        gaps.loc[tested, "significant"] = result["significant"].to_numpy(dtype=bool)
        gaps.loc[tested, "test"] = GAP_TEST
    gaps["period"] = period.label
    gaps["row_id"] = (
        "deprivation_gap:national_quintile:" + gaps["group_id"] + ":" + gaps["csp_code"]
    )
    return rates, gaps[list(GAP_COLUMNS)].reset_index(drop=True)


def national_benchmarks(national: CspTable, *, period: Period) -> pd.DataFrame:
    """Every CSP against its nation (with national coverage) or the CSPs loaded (without).

    Labels by the Fingertips 95% interval rule, lower crime being better (§2.1), through
    ``families.benchmarking``. With national coverage (:mod:`safecity.assess.national_coverage`)
    each covered CSP gets the nation's pooled rate, its label, national rank and band; the
    figure is named as the verdict names it ("England", or "England excluding …"). Without it
    ``national_not_made`` says why, and covered CSPs get the pooled rate, label and rank among
    the covered CSPs of their nation loaded (``rank_scope`` names them), with no band. CSPs not
    covered get neither, and ``exclusion_reason`` says why.
    """
    table = national.rates.rename(columns={"value": "rate"}).copy()
    covered = table[table["complete_coverage"]]
    for column in (
        "national_count", "national_population", "national_rate", "regional_count",
        "regional_population", "regional_rate",
    ):  # fmt: skip
        table[column] = np.nan
    for column in ("national_name", "national_code", "national_coverage"):
        table[column] = ""
    for nation in (Nation.ENGLAND, Nation.WALES):
        verdict = national.national[nation]
        in_nation = table["nation"] == nation.value
        table.loc[in_nation, "national_coverage"] = verdict.kind.value
        if verdict.national:
            table.loc[in_nation, "national_name"] = verdict.name
            table.loc[in_nation, "national_code"] = verdict.code
            prefix, members = "national", covered[covered["nation"] == nation.value]
        else:
            group = national.regional.get(nation)
            if group is None or group.not_made:
                continue
            prefix, members = "regional", covered[covered["csp_code"].isin(group.csp_codes)]
        pooled = _pooled(members).set_index("group_id")
        rows = in_nation & table["complete_coverage"]
        for column in ("count", "population", "rate"):
            table.loc[rows, f"{prefix}_{column}"] = (
                table.loc[rows, "group_id"].map(pooled[column]).to_numpy()
            )
    table["national_label"] = _label(table, table["national_rate"])
    table["regional_label"] = _label(table, table["regional_rate"])
    table["label_rule"] = LABEL_RULE
    descriptions = {band: band_description(band) for band in range(1, 11)}
    table["band_description"] = np.where(
        table["band"].notna(), table["band"].fillna(0).astype("int64").map(descriptions), ""
    )
    table["period"] = period.label
    table["row_id"] = (
        "benchmarking:" + table["group_id"] + ":" + table["csp_code"] + ":" + period.label
    )
    return table[list(BENCHMARK_COLUMNS)]


def csp_harm(
    warehouse: Warehouse,
    *,
    category_counts: pd.DataFrame,
    hierarchy: pd.DataFrame,
    populations: pd.DataFrame,
    period: Period,
    harm_index: str | None,
    person_years: pd.Series | None = None,
) -> tuple[pd.DataFrame, str, dict[str, Any]]:
    """The police.uk category approximation of the severity score for every CSP (§4.1).

    Returns the table (empty when not computed), the reason when not computed, and manifest
    entries. Category weights are the national-offence-mix weighted means of their offence
    codes' weights (``families.harm.category_weights``: a loaded table of offence counts, or
    the shipped 2017/18 table for England and Wales), under the chosen harm index (a loaded
    one, else the shipped ONS weights); ASB is not crime and is left out; categories with no
    weighed offence code are left out and counted. The severity score is per head of the
    residents; harm per 1,000 is per ``person_years`` (CSP code -> residents x months with
    data / 12, §0.2a; by default the residents x the period's length) with the normal
    interval on the weighted-Poisson variance ``Σ w̄²·n``.

    Raises
    ------
    safecity.assess.families.harm.HarmIndexError
        When several indices are loaded and none is chosen, or the chosen one is not available.
    """
    indices = loaded_harm_indices(warehouse)
    index_name, index_version = choose_harm_index(indices, requested=harm_index)
    weights = harm_weights(warehouse, index_name=index_name, index_version=index_version)
    mix = national_offence_mix(warehouse, categories=offence_categories(warehouse))
    manifest: dict[str, Any] = {
        "index_name": index_name,
        "index_version": index_version,
        "index_source": harm_index_source(
            indices, index_name=index_name, index_version=index_version
        ),
        "offence_mix": {
            "source": mix.source.value,
            "table_version": mix.table_version,
            "financial_year": mix.financial_year,
            "description": mix.description,
        },
    }
    means = category_weights(mix, weights=weights).set_index("police_uk_category")["mean_weight"]
    crimes = category_counts[category_counts["crime_type"] != asb_crime_type()]
    crimes = crimes.merge(hierarchy[["lsoa_code", "csp_code"]], on="lsoa_code")
    by_csp = crimes.groupby(["csp_code", "crime_type"])["count"].sum().reset_index()
    by_csp["mean_weight"] = by_csp["crime_type"].map(means)
    unweighed = (
        by_csp[by_csp["mean_weight"].isna()].groupby("csp_code")["count"].sum().rename("no_weight")
    )
    csp_population = (
        hierarchy[["lsoa_code", "csp_code"]]
        .merge(populations, on="lsoa_code", how="left")
        .groupby("csp_code")["population"]
        .sum(min_count=1)
    )
    scored = by_csp[by_csp["mean_weight"].notna()].copy()
    scored["population"] = scored["csp_code"].map(csp_population)
    scored = scored[scored["population"] > 0]
    score = crime_severity_score(
        count=scored["count"].to_numpy(dtype=float),
        weight=scored["mean_weight"].to_numpy(dtype=float),
        population=scored["population"].to_numpy(dtype=float),
        group=scored["csp_code"].to_numpy(),
    )
    table = score.rename_axis("csp_code").reset_index()
    variance = (scored["mean_weight"] ** 2 * scored["count"]).groupby(scored["csp_code"]).sum()
    table["harm_variance"] = table["csp_code"].map(variance).to_numpy(dtype=float)
    default_years = table["population"] * period.length / 12.0
    years = (
        table["csp_code"].map(person_years).astype(float).fillna(default_years)
        if person_years is not None
        else default_years
    )
    table["person_years"] = years.to_numpy(dtype=float)
    table[["harm_per_1000", "harm_per_1000_lower", "harm_per_1000_upper"]] = np.nan
    at_risk = table["person_years"] > 0
    if at_risk.any():
        rates = harm_rate(
            harm=table.loc[at_risk, "harm"].to_numpy(dtype=float),
            variance=table.loc[at_risk, "harm_variance"].to_numpy(dtype=float),
            person_years=table.loc[at_risk, "person_years"].to_numpy(dtype=float),
            multiplier=HARM_RATE_MULTIPLIER,
        )
        table.loc[at_risk, ["harm_per_1000", "harm_per_1000_lower", "harm_per_1000_upper"]] = rates[
            ["value", "lower_ci", "upper_ci"]
        ].to_numpy()
    table["harm_interval_method"] = HARM_INTERVAL_METHOD.value
    names = hierarchy.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    table["csp_name"] = table["csp_code"].map(names)
    table["crimes"] = table["crimes"].astype("int64")
    table["severity_score"] = table["value"]
    table["crimes_excluded_no_weight"] = table["csp_code"].map(unweighed).fillna(0).astype("int64")
    table["index_name"] = index_name
    table["index_version"] = index_version
    table["method"] = HarmMethod.CATEGORY_APPROXIMATION.value
    table["offence_mix"] = mix.vintage()
    table["caveat"] = APPROXIMATION_CAVEAT
    table["period"] = period.label
    table["row_id"] = "harm_total:" + table["csp_code"] + ":" + period.label
    manifest["method"] = HarmMethod.CATEGORY_APPROXIMATION.value
    manifest["severity_score_unit"] = (
        "weighted crimes per resident (not per 1,000), methods.md §4.1"
    )
    manifest["harm_rate_unit"] = (
        "weighted crimes per 1,000 residents a year (person-years: residents x months with"
        " data / 12, methods.md §0.2a)"
    )
    manifest["harm_interval_method"] = HARM_INTERVAL_METHOD.value
    return table[list(HARM_COLUMNS)].sort_values("csp_code").reset_index(drop=True), "", manifest


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

    tables["all_csps_wards_lsoas"] = ward_and_lsoa_rates(
        lsoa_counts, csp_rates=national.rates, period=period
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
        rates, gaps = deprivation_rates(lsoa_counts, deciles=deciles, period=period)
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
