"""Family 5: crime rates by deprivation group, the most-versus-least ratio, SII and RII.

Each LSOA of the area is placed in a group of the loaded Index of Multiple Deprivation (IMD)
of the same LSOA vintage (``methods.md`` §5.1):

* **national deciles** — the published IMD decile (1 = most deprived 10% of LSOAs in England),
  or, when only ranks are loaded, ``decile = ⌈10 · rank / n⌉`` with ``n`` the LSOAs ranked;
* **national quintiles** — ``⌈decile / 2⌉``;
* **local quintiles** — the area's own LSOAs ranked on the IMD score by the ``equal_count``
  algorithm (PHEindicatormethods ``phe_quantile``, ``invert`` so quintile 1 = most deprived;
  on the rank when no score is loaded).

Per group: crude rate per 1,000 residents with Byar's/exact limits (§1.1); the rate ratio of
the most to the least deprived group by the exact conditional test (§2.2a, §5.2) and the rate
difference with its normal standard error; the Slope and Relative Indices of Inequality by
population-weighted least squares with simulated limits (§5.3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.families.rates import add_crude_rates, rate_ratio_columns
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.assess.wording import RATE_RATIO, MethodId, p_value_words
from safecity.data.warehouse import Warehouse
from safecity.stats import (
    QuantileAlgorithm,
    quantile_groups,
    rate_ratio_test,
    slope_index_of_inequality,
)

RATE_MULTIPLIER = 1000
OVERALL_DOMAIN = "imd"
SII_REPETITIONS = 100_000
"""Simulations for SII/RII limits of the headline groups (PHE's number, methods.md §5.3)."""
SII_REPETITIONS_OTHER_GROUPS = 10_000
"""Simulations for the other groups (limits to Monte-Carlo error of about 1%, in a tenth
of the time)."""
RATIO_TEST = "exact conditional rate-ratio test (methods.md §2.2a)"
LOCAL_ALGORITHM = QuantileAlgorithm.EQUAL_COUNT
FINDING_GROUPS = ("all_crime", "asb")
"""Groups whose gaps become findings."""


class DeprivationGrouping(StrEnum):
    """How LSOAs are grouped by deprivation."""

    NATIONAL_DECILE = "national decile"
    NATIONAL_QUINTILE = "national quintile"
    LOCAL_QUINTILE = "local quintile"


def lsoa_deprivation(
    warehouse: Warehouse, *, lsoa_codes: Sequence[str], lsoa_vintage: int
) -> tuple[pd.DataFrame, str, str]:
    """The overall IMD of the area's LSOAs: ``lsoa_code, decile, score, rank``.

    The index chosen is the one of the LSOA vintage covering most of the area's LSOAs (the
    newest name among equals). The decile is the published one, else ``⌈10·rank/n⌉`` with ``n``
    the LSOAs the index ranks (when the whole national ranking is loaded). Returns the table,
    the index name and how the decile was found; an empty table with an empty name when no
    index of that vintage covers the area, or with the index name and the reason in words when
    deciles cannot be found.
    """
    connection = warehouse.connection
    connection.register("deprivation_lsoas", pd.DataFrame({"lsoa_code": list(lsoa_codes)}))
    candidates = connection.execute(
        "SELECT index_name, count(DISTINCT area_code) AS covered FROM deprivation"
        " WHERE area_level = 'lsoa' AND area_vintage = ? AND domain = ?"
        " AND area_code IN (SELECT lsoa_code FROM deprivation_lsoas)"
        " GROUP BY index_name ORDER BY covered DESC, index_name DESC",
        [lsoa_vintage, OVERALL_DOMAIN],
    ).fetchall()
    empty = pd.DataFrame(columns=["lsoa_code", "decile", "score", "rank"])
    if not candidates:
        connection.unregister("deprivation_lsoas")
        return empty, "", ""
    index_name = str(candidates[0][0])
    long = connection.execute(
        "SELECT area_code AS lsoa_code, measure, value FROM deprivation"
        " WHERE area_level = 'lsoa' AND area_vintage = ? AND domain = ? AND index_name = ?"
        " AND measure IN ('decile', 'score', 'rank')"
        " AND area_code IN (SELECT lsoa_code FROM deprivation_lsoas)",
        [lsoa_vintage, OVERALL_DOMAIN, index_name],
    ).df()
    ranked, highest = connection.execute(
        "SELECT count(DISTINCT area_code), max(value) FROM deprivation WHERE area_level = 'lsoa'"
        " AND area_vintage = ? AND domain = ? AND index_name = ? AND measure = 'rank'",
        [lsoa_vintage, OVERALL_DOMAIN, index_name],
    ).fetchall()[0]
    connection.unregister("deprivation_lsoas")
    wide = long.pivot_table(index="lsoa_code", columns="measure", values="value", aggfunc="first")
    wide = wide.reindex(columns=["decile", "score", "rank"]).reset_index()
    wide.columns.name = None
    decile_source = "published decile"
    if wide["decile"].isna().any():
        # ⌈10·rank/n⌉ needs n, the LSOAs the index ranks nationally: only known when the whole
        # ranking is loaded (the highest rank is the number of LSOAs ranked).
        if wide["rank"].isna().any() or highest is None or float(highest) > float(ranked):
            problem = (
                f"{index_name} gives no decile for some of the area's LSOAs, and its national"
                f" ranking is not loaded whole ({int(ranked):,} LSOAs ranked, highest rank"
                f" {0 if highest is None else int(highest):,}), so deciles cannot be derived"
            )
            return empty, index_name, problem
        wide["decile"] = np.ceil(10 * wide["rank"] / float(ranked))
        decile_source = f"⌈10·rank/n⌉ with n = {int(ranked):,} LSOAs ranked"
    wide["decile"] = wide["decile"].astype("int64")
    return wide, index_name, decile_source


def national_lsoa_groups(deciles: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA's national decile and national quintile ``⌈decile/2⌉`` (§5.1), long form.

    ``deciles`` is ``lsoa_code, decile``; returns ``lsoa_code, grouping, group`` (1 = most
    deprived) for the LSOAs with a decile.
    """
    table = deciles[["lsoa_code", "decile"]].dropna()
    frames = [
        pd.DataFrame(
            {
                "lsoa_code": table["lsoa_code"],
                "grouping": grouping.value,
                "group": values.astype("int64"),
            }
        )
        for grouping, values in (
            (DeprivationGrouping.NATIONAL_DECILE, table["decile"]),
            (DeprivationGrouping.NATIONAL_QUINTILE, np.ceil(table["decile"] / 2)),
        )
    ]
    return pd.concat(frames, ignore_index=True)


def lsoa_groups(deprivation: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA's national decile, national quintile and local quintile (long form).

    Returns ``lsoa_code, grouping, group`` (1 = most deprived).
    """
    table = deprivation.copy()
    table["national_quintile"] = np.ceil(table["decile"] / 2).astype("int64")
    use_score = table["score"].notna().all()
    local = quantile_groups(
        values=(table["score"] if use_score else table["rank"]).to_numpy(dtype=float),
        groups=5,
        algorithm=LOCAL_ALGORITHM,
        invert=bool(use_score),
    )
    table["local_quintile"] = local["quantile"].to_numpy()
    frames = [
        pd.DataFrame(
            {"lsoa_code": table["lsoa_code"], "grouping": grouping.value, "group": table[column]}
        )
        for grouping, column in (
            (DeprivationGrouping.NATIONAL_DECILE, "decile"),
            (DeprivationGrouping.NATIONAL_QUINTILE, "national_quintile"),
            (DeprivationGrouping.LOCAL_QUINTILE, "local_quintile"),
        )
    ]
    result = pd.concat(frames, ignore_index=True)
    result = result[result["group"].notna()]
    return result.astype({"group": "int64"}).reset_index(drop=True)


def rates_by_group(
    lsoa_counts: pd.DataFrame,
    *,
    groups: pd.DataFrame,
    population: pd.DataFrame,
    years_at_risk: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Annual crime rate per 1,000 residents by deprivation group, for one area.

    :func:`area_rates_by_group` with no area key.

    Parameters
    ----------
    lsoa_counts
        ``group_id, lsoa_code, count`` (every LSOA of the area, zeros included).
    groups
        :func:`lsoa_groups`.
    population
        ``lsoa_code, population``.
    years_at_risk
        Per crime group, the years of the period with data (months with data / 12); the
        exposure is residents x that (methods.md §0.2a). Default 1 (a whole year).

    Returns
    -------
    pandas.DataFrame
        ``group_id, grouping, group, lsoas, count, population, exposure, value, lower_ci,
        upper_ci, method`` (groups with residents only).
    """
    years = lsoa_counts["group_id"].map(lambda group: (years_at_risk or {}).get(str(group), 1.0))
    rates = area_rates_by_group(
        lsoa_counts.assign(years_at_risk=years.astype(float)),
        keys=(),
        groups=groups,
        population=population,
    )
    return rates.drop(columns="unreliable")


def area_rates_by_group(
    lsoa_counts: pd.DataFrame,
    *,
    keys: Sequence[str],
    groups: pd.DataFrame,
    population: pd.DataFrame,
) -> pd.DataFrame:
    """Annual crime rate per 1,000 residents by deprivation group of each area (family 5).

    The one implementation for one area or every CSP. An LSOA counts in its area's groups
    (national decile, national quintile ⌈decile/2⌉, local quintile: ``groups``) when it has
    residents; LSOAs without a population are left out with their crimes. The exposure is the
    residents x the years of the period with data (``years_at_risk``, methods.md §0.2a);
    groups without residents are left out. Rates: :func:`safecity.assess.families.rates.
    add_crude_rates` (§1.1).

    Parameters
    ----------
    lsoa_counts
        ``keys, group_id, lsoa_code, count, years_at_risk`` (every LSOA of each area,
        zeros included; ``years_at_risk`` the same on every row of an area and group).
    keys
        The columns naming the area (none for a single area; e.g. ``csp_code`` for every CSP).
    groups
        ``lsoa_code, grouping, group`` (:func:`lsoa_groups`).
    population
        ``lsoa_code, population``.

    Returns
    -------
    pandas.DataFrame
        ``keys, group_id, grouping, group, lsoas, count, population, exposure, value,
        lower_ci, upper_ci, method, unreliable``.
    """
    key_list = list(keys)
    residents = population[["lsoa_code", "population"]].dropna()
    table = lsoa_counts.merge(groups, on="lsoa_code").merge(residents, on="lsoa_code")
    summed = (
        table.groupby([*key_list, "group_id", "grouping", "group"])
        .agg(
            lsoas=("lsoa_code", "nunique"),
            count=("count", "sum"),
            population=("population", "sum"),
            years_at_risk=("years_at_risk", "first"),
        )
        .reset_index()
    )
    summed = summed[summed["population"] > 0].reset_index(drop=True)
    summed["exposure"] = summed["population"] * summed["years_at_risk"].astype(float)
    summed = summed[summed["exposure"] > 0].reset_index(drop=True)
    summed = add_crude_rates(summed, count="count", exposure="exposure")
    summed["count"] = summed["count"].astype("int64")
    return summed.drop(columns="years_at_risk")


def gaps(
    rates: pd.DataFrame,
    *,
    seed: int,
    repetitions: int = SII_REPETITIONS,
    repetitions_by_group: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Most-versus-least-deprived ratio and difference, and SII/RII, per group and grouping.

    Returns ``group_id, grouping, groups, most_count, most_population, least_count,
    least_population, rate_ratio, ratio_lower_ci, ratio_upper_ci, ratio_p_value,
    ratio_significant, ratio_test, rate_difference, difference_lower_ci,
    difference_upper_ci, sii, sii_lower_ci, sii_upper_ci, rii, rii_lower_ci, rii_upper_ci,
    sii_note``. SII/RII need 5 or more groups each with a positive rate (§5.3); otherwise
    ``sii_note`` says why they are missing.
    """
    z = float(scipy_stats.norm.ppf(0.975))
    keys = ["group_id", "grouping"]
    ordered = rates.sort_values([*keys, "group"], kind="stable")
    lines = ordered.groupby(keys, sort=False)
    ends = ["group", "count", "population", "exposure", "value"]
    most = lines[ends].first().rename(columns=lambda name: f"most_{name}")
    least = lines[ends].last().rename(columns=lambda name: f"least_{name}")
    table = pd.concat([lines.size().rename("groups"), most, least], axis=1).reset_index()
    table = table.rename(
        columns={
            "most_group": "most_group",
            "most_value": "most_rate",
            "least_value": "least_rate",
        }
    )
    test = rate_ratio_test(
        count=table["most_count"].to_numpy(dtype=float),
        population=table["most_exposure"].to_numpy(dtype=float),
        comparator_count=table["least_count"].to_numpy(dtype=float),
        comparator_population=table["least_exposure"].to_numpy(dtype=float),
    )
    only_most = (table["least_count"] == 0) & (table["most_count"] > 0)
    table["rate_ratio"] = np.where(only_most, math.inf, test["value"].to_numpy(dtype=float))
    table["ratio_lower_ci"] = test["lower_ci"].to_numpy(dtype=float)
    table["ratio_upper_ci"] = test["upper_ci"].to_numpy(dtype=float)
    table["ratio_p_value"] = test["p_value"].to_numpy(dtype=float)
    table["ratio_significant"] = test["significant"].to_numpy(dtype=bool)
    table["ratio_test"] = RATIO_TEST
    difference = table["most_rate"] - table["least_rate"]
    error = (
        np.sqrt(
            table["most_count"] / table["most_exposure"] ** 2
            + table["least_count"] / table["least_exposure"] ** 2
        )
        * RATE_MULTIPLIER
    )
    table["rate_difference"] = difference
    table["difference_lower_ci"] = difference - z * error
    table["difference_upper_ci"] = difference + z * error
    table = table.astype({"most_group": "int64", "least_group": "int64"})
    table = table.astype({"most_count": "int64", "least_count": "int64"})
    no_crimes = lines["value"].min().le(0).to_numpy()
    too_few = table["groups"].to_numpy() < 5
    simulations = table["group_id"].map(
        lambda group_id: (repetitions_by_group or {}).get(str(group_id), repetitions)
    )
    table["sii_note"] = np.where(
        too_few,
        "not computed: fewer than 5 deprivation groups with residents",
        np.where(
            no_crimes,
            "not computed: a deprivation group has no crimes (log-scale simulation)",
            "PHE method, "
            + simulations.map(lambda count: f"{count:,}")
            + f" simulations, seed {seed}",
        ),
    )
    eligible = table.loc[~too_few & ~no_crimes, keys].assign(
        simulations=simulations[~too_few & ~no_crimes]
    )
    sii_keys = ["sii", "sii_lower_ci", "sii_upper_ci", "rii", "rii_lower_ci", "rii_upper_ci"]
    results = []
    # One simulation per grouping and number of repetitions, over all its crime groups at once.
    chosen = ordered.merge(eligible, on=keys)
    for (grouping, count), frame in chosen.groupby(["grouping", "simulations"], sort=False):
        result = slope_index_of_inequality(
            value=frame["value"].to_numpy(dtype=float),
            population=frame["population"].to_numpy(dtype=float),
            lower_ci=frame["lower_ci"].to_numpy(dtype=float),
            upper_ci=frame["upper_ci"].to_numpy(dtype=float),
            group=frame["group_id"].to_numpy(),
            repetitions=int(str(count)),
            seed=seed,
        )
        results.append(
            result[sii_keys].rename_axis("group_id").reset_index().assign(grouping=str(grouping))
        )
    if results:
        table = table.merge(pd.concat(results, ignore_index=True), on=keys, how="left")
    else:
        table[sii_keys] = np.nan
    columns = [
        "group_id", "grouping", "groups", "most_group", "least_group",
        "most_count", "most_population", "most_rate",
        "least_count", "least_population", "least_rate",
        "rate_ratio", "ratio_lower_ci", "ratio_upper_ci", "ratio_p_value",
        "ratio_significant", "ratio_test",
        "rate_difference", "difference_lower_ci", "difference_upper_ci",
        *sii_keys, "sii_note",
    ]  # fmt: skip
    return table[columns]


def _grouping_key(grouping: str) -> str:
    return grouping.replace(" ", "_")


def _finding(row: pd.Series, *, group_name: str, area_name: str, period: str) -> Finding:
    grouping = str(row["grouping"])
    where = (
        f"the most deprived {grouping.split()[1]} of neighbourhoods in {area_name}"
        if grouping == DeprivationGrouping.LOCAL_QUINTILE.value
        else f"{area_name}'s neighbourhoods in the most deprived national {grouping.split()[1]}"
    )
    ratio = float(row["rate_ratio"])
    interval = f"95% CI {float(row['ratio_lower_ci']):.2f} to {float(row['ratio_upper_ci']):.2f}"
    p_value = float(row["ratio_p_value"])
    test = f"{RATE_RATIO.words}, {p_value_words(p_value)}"
    verdict = (
        "a statistically significant difference"
        if bool(row["ratio_significant"])
        else "not a statistically significant difference"
    )
    name = group_name[0].lower() + group_name[1:]
    sentence = (
        f"The rate of {name} in {period} was {ratio:.1f} times as high in {where} as in the"
        f" least deprived (rate ratio {ratio:.2f}, {interval}; {verdict}, {test})."
    )
    if not math.isnan(float(row["sii"])):
        sentence += (
            f" Across all {int(row['groups'])} groups the slope index of inequality was"
            f" {float(row['sii']):.1f} per 1,000 (95% CI {float(row['sii_lower_ci']):.1f} to"
            f" {float(row['sii_upper_ci']):.1f}; negative means higher rates where deprivation"
            " is greater)."
        )
    return Finding(
        finding_id=f"deprivation_{_grouping_key(grouping)}_{row['group_id']}",
        topic=str(row["group_id"]),
        sentence=sentence,
        row_ids=(str(row["row_id"]),),
        significant=bool(row["ratio_significant"]),
        methods=(RATE_RATIO.method.value, MethodId.SII.value)
        if not math.isnan(float(row["sii"]))
        else (RATE_RATIO.method.value,),
    )


def deprivation(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 5: rates by IMD decile and quintile (national and local), gaps, SII and RII."""
    lsoa_codes = inputs.area.lsoas["lsoa_code"].tolist()
    imd, index_name, decile_source = lsoa_deprivation(
        inputs.warehouse, lsoa_codes=lsoa_codes, lsoa_vintage=inputs.area.lsoa_vintage
    )
    if imd.empty:
        reason = (
            decile_source
            if index_name
            else f"no Index of Multiple Deprivation for LSOA vintage {inputs.area.lsoa_vintage}"
            " covering this area is loaded (deciles, or ranks, are needed: methods.md §5.1)"
        )
        return FamilyOutput(skipped={"deprivation": reason}, manifest={"status": reason})
    without_imd = sorted(set(lsoa_codes) - set(imd["lsoa_code"]))
    groups = lsoa_groups(imd)
    period = inputs.period
    in_period = inputs.counts[
        (inputs.counts["month"] >= pd.Timestamp(period.first_month))
        & (inputs.counts["month"] <= pd.Timestamp(period.last_month))
        & inputs.counts["lsoa_code"].isin(lsoa_codes)
    ]
    summed = in_period.groupby(["group_id", "lsoa_code"])["count"].sum()
    grid = pd.MultiIndex.from_product(
        [[group.id for group in inputs.groups], lsoa_codes], names=["group_id", "lsoa_code"]
    )
    lsoa_counts = summed.reindex(grid, fill_value=0).reset_index()
    population = inputs.denominators.table[["lsoa_code", "population"]].dropna()
    rates = rates_by_group(
        lsoa_counts,
        groups=groups,
        population=population,
        years_at_risk={group.id: inputs.exposure_fraction(group.id) for group in inputs.groups},
    )
    rates.insert(
        0,
        "row_id",
        "deprivation_rate:"
        + rates["group_id"]
        + ":"
        + rates["grouping"].map(_grouping_key)
        + ":"
        + rates["group"].astype(str),
    )
    gap_table = gaps(
        rates,
        seed=inputs.seed,
        repetitions=SII_REPETITIONS_OTHER_GROUPS,
        repetitions_by_group=dict.fromkeys(FINDING_GROUPS, SII_REPETITIONS),
    )
    gap_table.insert(
        0,
        "row_id",
        "deprivation_gap:" + gap_table["group_id"] + ":" + gap_table["grouping"].map(_grouping_key),
    )
    names = {group.id: group.name for group in inputs.groups}
    findings = [
        _finding(row, group_name=names[str(row["group_id"])], area_name=inputs.area.name,
                 period=period.label)
        for _, row in gap_table.iterrows()
        if row["group_id"] in FINDING_GROUPS
        and row["grouping"] in (DeprivationGrouping.LOCAL_QUINTILE.value,
                                DeprivationGrouping.NATIONAL_QUINTILE.value)
        and row["least_count"] > 0
    ]  # fmt: skip
    public_rates = rates.copy()
    lsoa_table = imd.merge(
        groups.pivot(index="lsoa_code", columns="grouping", values="group")
        .rename(columns=_grouping_key)
        .reset_index(),
        on="lsoa_code",
    )
    lsoa_table.columns.name = None
    return FamilyOutput(
        tables={
            "deprivation_rates": rates,
            "deprivation_gaps": gap_table,
            "deprivation_lsoas": lsoa_table,
        },
        public_tables={
            "deprivation_rates": public_rates,
            "deprivation_gaps": gap_table.copy(),
            "deprivation_lsoas": lsoa_table,
        },
        findings=findings,
        manifest={
            "index_name": index_name,
            "lsoa_vintage": inputs.area.lsoa_vintage,
            "national_decile": decile_source,
            "national_quintile": "⌈decile/2⌉ (methods.md §5.1)",
            "local_quintile": (
                f"{LOCAL_ALGORITHM.value} (PHEindicatormethods phe_quantile) on the IMD"
                f" {'score' if imd['score'].notna().all() else 'rank'} of the area's LSOAs,"
                " quintile 1 = most deprived"
            ),
            "rate_ratio_test": RATIO_TEST,
            "sii_repetitions": {
                **dict.fromkeys(FINDING_GROUPS, SII_REPETITIONS),
                "other groups": SII_REPETITIONS_OTHER_GROUPS,
            },
            "seed": inputs.seed,
            "lsoas_without_imd": without_imd,
        },
        skipped=(
            {
                "deprivation_lsoas_without_imd": f"{len(without_imd)} of the area's LSOAs have no"
                f" {index_name} value and are left out of the deprivation groups"
            }
            if without_imd
            else {}
        ),
    )


GAP_TEST = "exact conditional rate-ratio test (methods.md §2.2a)"
MOST_DEPRIVED_QUINTILE = 1
LEAST_DEPRIVED_QUINTILE = 5
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


def deprivation_rates(
    lsoa_counts: pd.DataFrame,
    *,
    deciles: pd.DataFrame,
    period: Period,
    years_at_risk: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rates by national IMD decile and quintile within each CSP, and the quintile 1 vs 5 gap.

    ``deciles`` is ``lsoa_code, decile`` (1 = most deprived 10% nationally); the national
    quintile is ``⌈decile/2⌉`` (§5.1). LSOAs without a decile, or without residents, are
    left out; rates are annual on the residents x ``years_at_risk`` (CSP code -> months with
    data / 12; by default the period's length, §0.2a), by the single-area family's
    :func:`safecity.assess.families.deprivation.area_rates_by_group`. The gap is the rate ratio
    of the most-deprived quintile (1) to the least-deprived (5) of the same CSP, by the exact
    conditional test (§2.2a) on those exposures, where both quintiles have residents and at
    least one crime between them.
    """
    keys = ["csp_code", "csp_name", "group_id", "group_name"]
    counts = lsoa_counts.assign(
        years_at_risk=lsoa_counts["csp_code"].map(years_at_risk).astype(float)
        if years_at_risk is not None
        else period.length / 12.0
    )
    rates = area_rates_by_group(
        counts[["csp_code", "csp_name", "group_id", "lsoa_code", "count", "years_at_risk"]],
        keys=["csp_code", "csp_name"],
        groups=national_lsoa_groups(deciles),
        population=lsoa_counts[["lsoa_code", "population"]].drop_duplicates("lsoa_code"),
    ).rename(columns={"group": "deprivation_group"})
    rates["group_name"] = rates["group_id"].map(
        lsoa_counts.drop_duplicates("group_id").set_index("group_id")["group_name"]
    )
    rates = rates.sort_values(
        ["grouping", "csp_code", "group_id", "deprivation_group"], kind="stable"
    ).reset_index(drop=True)
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
    quintiles = rates[rates["grouping"] == DeprivationGrouping.NATIONAL_QUINTILE.value]
    most = quintiles[quintiles["deprivation_group"] == MOST_DEPRIVED_QUINTILE]
    least = quintiles[quintiles["deprivation_group"] == LEAST_DEPRIVED_QUINTILE]
    side = ["count", "population", "exposure", "value"]
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
            "exposure_most": "most_deprived_exposure",
            "exposure_least": "least_deprived_exposure",
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
    result = rate_ratio_columns(
        gaps,
        where=tested,
        count="most_deprived_count",
        exposure="most_deprived_exposure",
        comparator_count="least_deprived_count",
        comparator_exposure="least_deprived_exposure",
    )
    if not result.empty:
        gaps.loc[tested, ["rate_ratio", "lower_ci", "upper_ci", "p_value"]] = result[
            ["value", "lower_ci", "upper_ci", "p_value"]
        ].to_numpy()
        gaps.loc[tested, "significant"] = result["significant"].to_numpy(dtype=bool)
        gaps.loc[tested, "test"] = GAP_TEST
    gaps["period"] = period.label
    gaps["row_id"] = (
        "deprivation_gap:national_quintile:" + gaps["group_id"] + ":" + gaps["csp_code"]
    )
    return rates[list(DEPRIVATION_COLUMNS)], gaps[list(GAP_COLUMNS)].reset_index(drop=True)
