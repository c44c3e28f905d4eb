"""Families 1, 2 and 4: volume and rate, change, and distribution across wards and LSOAs.

Rates are crude rates per 1,000 residents (per 1,000 households for burglary-type groups) with
exact Poisson limits below 10 events and Byar's from 10 (``methods.md`` §1.1). Change compares
the period with the baseline by the exact conditional rate-ratio test (§2.2a) and with the
previous three periods' average (§2.3). Wards and LSOAs are labelled against the assessed area's
rate by the Fingertips 95% interval rule (§2.1); LSOAs are grouped in quintiles (§3.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from safecity.assess.coverage import (
    Coverage,
    month_span_code,
    month_span_words,
    months_compared,
    months_compared_across,
)
from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.indicator_columns import INDICATOR_COLUMNS, AreaLevel
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.config.sparse_data import SparseDataRules, load_sparse_data_rules
from safecity.stats import (
    BenchmarkMethod,
    Polarity,
    QuantileAlgorithm,
    compare_to_baseline_average,
    compare_to_benchmark,
    crude_rate,
    rank_rates,
    rate_quantile_groups,
    rate_ratio_test,
)

RATE_MULTIPLIER = 1000
CHANGE_TEST = "exact conditional rate-ratio test (methods.md §2.2a)"
SOURCE_WORDS = {
    DataSource.POLICE_UK.value: "police.uk data",
    DataSource.EXTRACT.value: "force extract data",
}
BENCHMARK_RULE = "95% confidence interval against the area's rate (Fingertips, methods.md §2.1)"


def add_crude_rates(
    table: pd.DataFrame,
    *,
    count: str = "count",
    exposure: str = "population",
    multiplier: float = RATE_MULTIPLIER,
) -> pd.DataFrame:
    """Add each row's crude rate (family 1) to a table keyed by area: in place, and return it.

    The one implementation of the rate for one area or every CSP at once: ``value, lower_ci,
    upper_ci`` (per ``multiplier``), ``method`` and ``unreliable`` from ``count`` and
    ``exposure`` (residents, or residents x months with data / 12), with exact Poisson limits
    below 10 events and Byar's from 10 (:func:`safecity.stats.crude_rate`, ``methods.md``
    §1.1). Rows without a positive exposure get no rate (empty, ``method`` "" and not
    unreliable).

    Parameters
    ----------
    table
        One row per area (and group): any key columns, ``count`` and ``exposure``.
    count, exposure
        The columns holding the events and the exposure.
    multiplier
        Rate per this many (1,000).

    Returns
    -------
    pandas.DataFrame
        ``table`` with the five columns added.
    """
    for column in ("value", "lower_ci", "upper_ci"):
        table[column] = np.nan
    table["method"] = ""
    table["unreliable"] = False
    valid = table[exposure].notna() & (table[exposure] > 0)
    if valid.any():
        computed = crude_rate(
            table.loc[valid, count].to_numpy(dtype=float),
            table.loc[valid, exposure].to_numpy(dtype=float),
            multiplier=multiplier,
        )
        table.loc[valid, ["value", "lower_ci", "upper_ci"]] = computed[
            ["value", "lower_ci", "upper_ci"]
        ].to_numpy()
        table.loc[valid, "method"] = computed["method"].astype(str).to_numpy()
        table.loc[valid, "unreliable"] = computed["unreliable"].astype(bool).to_numpy()
    return table


def rate_ratio_columns(
    table: pd.DataFrame,
    *,
    where: pd.Series,
    count: str,
    exposure: str,
    comparator_count: str,
    comparator_exposure: str,
) -> pd.DataFrame:
    """The exact conditional rate-ratio test of each row ``where`` (families 2 and 5).

    The one implementation of change against a baseline (and of a deprivation gap) for one
    area or every CSP: the rate ``count / exposure`` against ``comparator_count /
    comparator_exposure`` with ``π₀ = E₁/(E₁+E₂)`` (:func:`safecity.stats.rate_ratio_test`,
    ``methods.md`` §2.2a). Rows must have both exposures positive and at least one event.

    Returns
    -------
    pandas.DataFrame
        ``value, lower_ci, upper_ci, p_value, significant`` on the index of the rows
        ``where`` (empty when none).
    """
    chosen = table[where]
    columns = ["value", "lower_ci", "upper_ci", "p_value", "significant"]
    if chosen.empty:
        return pd.DataFrame(columns=columns, index=chosen.index)
    test = rate_ratio_test(
        count=chosen[count].to_numpy(dtype=float),
        population=chosen[exposure].to_numpy(dtype=float),
        comparator_count=chosen[comparator_count].to_numpy(dtype=float),
        comparator_population=chosen[comparator_exposure].to_numpy(dtype=float),
    )
    result = test[columns].copy()
    result.index = chosen.index
    return result


def add_change_test(
    table: pd.DataFrame,
    *,
    where: pd.Series,
    count: str,
    exposure: str,
    months: str,
    baseline_count: str,
    baseline_exposure: str,
    baseline_months: str,
) -> pd.DataFrame:
    """Add ``change_pct, change_ratio, change_p_value, change_significant, change_test``.

    Family 2 for one area or every CSP, on the rows ``where`` (both exposures positive, at
    least one event): ``change_pct`` is the change in events per month with data (the change
    in counts when both sides have the same months; only with a baseline event), the ratio,
    p-value and significance are :func:`rate_ratio_columns`. Other rows get empty columns.
    """
    now = table[count].astype(float)
    then = table[baseline_count].astype(float)
    months_now = table[months].astype(float)
    months_then = table[baseline_months].astype(float)
    per_month_then = then / months_then
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change_pct"] = np.where(
            where & (then > 0),
            (now / months_now - per_month_then) / per_month_then * 100,
            np.nan,
        )
    table["change_ratio"] = np.nan
    table["change_p_value"] = np.nan
    table["change_significant"] = pd.array([pd.NA] * len(table), dtype="boolean")
    table["change_test"] = ""
    test = rate_ratio_columns(
        table,
        where=where,
        count=count,
        exposure=exposure,
        comparator_count=baseline_count,
        comparator_exposure=baseline_exposure,
    )
    if not test.empty:
        table.loc[test.index, "change_ratio"] = test["value"].to_numpy(dtype=float)
        table.loc[test.index, "change_p_value"] = test["p_value"].to_numpy(dtype=float)
        table.loc[test.index, "change_significant"] = test["significant"].to_numpy(dtype=bool)
        table.loc[test.index, "change_test"] = CHANGE_TEST
    return table


def counts_by_area(
    group_counts: pd.DataFrame,
    *,
    area: StudyArea,
    period: Period,
    months: Sequence[date] | None = None,
) -> pd.DataFrame:
    """Counts in ``period`` (or only in ``months``) by group for the area, wards and LSOAs.

    Returns ``group_id, area_level, area_code, area_name, count``; every LSOA and ward of the
    area appears for every group (with 0 where nothing was recorded in months with data).
    """
    if months is None:
        in_period = group_counts[
            (group_counts["month"] >= pd.Timestamp(period.first_month))
            & (group_counts["month"] <= pd.Timestamp(period.last_month))
        ]
    else:
        in_period = group_counts[
            group_counts["month"].isin([pd.Timestamp(month) for month in months])
        ]
    by_lsoa = in_period.groupby(["group_id", "lsoa_code"])["count"].sum().reset_index()
    groups = sorted(group_counts["group_id"].unique())
    lsoas = area.lsoas[["lsoa_code", "lsoa_name", "ward_code", "ward_name"]]
    grid = pd.MultiIndex.from_product(
        [groups, lsoas["lsoa_code"]], names=["group_id", "lsoa_code"]
    ).to_frame(index=False)
    full = grid.merge(by_lsoa, on=["group_id", "lsoa_code"], how="left").merge(
        lsoas, on="lsoa_code"
    )
    full["count"] = full["count"].fillna(0).astype("int64")
    lsoa_rows = full.rename(columns={"lsoa_code": "area_code", "lsoa_name": "area_name"})
    lsoa_rows["area_level"] = AreaLevel.LSOA.value
    ward_rows = (
        full.groupby(["group_id", "ward_code", "ward_name"])["count"].sum().reset_index()
    ).rename(columns={"ward_code": "area_code", "ward_name": "area_name"})
    ward_rows["area_level"] = AreaLevel.WARD.value
    area_rows = full.groupby("group_id")["count"].sum().reset_index()
    area_rows["area_code"] = area.code
    area_rows["area_name"] = area.name
    area_rows["area_level"] = area.level.value
    columns = ["group_id", "area_level", "area_code", "area_name", "count"]
    return pd.concat(
        [area_rows[columns], ward_rows[columns], lsoa_rows[columns]], ignore_index=True
    )


def denominators_by_area(lsoa_denominators: pd.DataFrame, *, area: StudyArea) -> pd.DataFrame:
    """Residents and households for the area, each ward and each LSOA (``area_code`` keyed)."""
    table = area.lsoas[["lsoa_code", "ward_code"]].merge(
        lsoa_denominators, on="lsoa_code", how="left"
    )
    lsoa = table.rename(columns={"lsoa_code": "area_code"})[
        ["area_code", "population", "households"]
    ]
    ward = (
        table.groupby("ward_code")[["population", "households"]]
        .sum(min_count=1)
        .reset_index()
        .rename(columns={"ward_code": "area_code"})
    )
    whole = pd.DataFrame(
        {
            "area_code": [area.code],
            "population": [table["population"].sum(min_count=1)],
            "households": [table["households"].sum(min_count=1)],
        }
    )
    return pd.concat([whole, ward, lsoa], ignore_index=True)


def _partial_caveat(months: list[date], *, period: Period) -> str:
    if len(months) == period.length:
        return ""
    return (
        f"covers {len(months)} of the {period.length} months of {period.label} with data"
        f" ({month_span_words(months)}): an annual rate on those months"
    )


def rate_rows(
    *,
    counts: pd.DataFrame,
    denominators: pd.DataFrame,
    groups: Sequence[CrimeGroup],
    period: Period,
    sources: dict[str, str],
    coverage: Coverage,
) -> pd.DataFrame:
    """Volume and rate rows (family 1) in the ``indicators`` layout.

    The rate is annual: count / exposure x 1,000, where the exposure is the residents (or
    households) x the months of ``period`` with data for the group's source / 12 (methods.md
    §0.2a). A period with every month has exposure = residents, the usual crude rate.
    """
    by_id = {group.id: group for group in groups}
    table = counts.merge(denominators, on="area_code", how="left")
    per_household = table["group_id"].map(lambda group: by_id[group].per_household)
    has_households = table["households"].notna() & (table["households"] > 0)
    use_households = per_household & has_households
    table["denominator"] = np.where(use_households, table["households"], table["population"])
    table["denominator_type"] = np.where(use_households, "households", "residents")
    months_by_source = {
        source: coverage.months_in(source, period) for source in set(sources.values())
    }
    group_months = table["group_id"].map(lambda group: months_by_source[sources[group]])
    table["months_with_data"] = group_months.map(len).astype("int64")
    table["exposure"] = table["denominator"].astype(float) * table["months_with_data"] / 12.0
    valid = table["exposure"].notna() & (table["exposure"] > 0)
    table = add_crude_rates(table, count="count", exposure="exposure")
    partial = group_months.map(lambda months: _partial_caveat(months, period=period))
    table["caveat"] = np.where(valid, partial, "no population for this area: rate not computed")
    table["caveat"] = np.where(
        per_household & ~has_households & valid,
        (partial + "; no household counts loaded: rate per 1,000 residents").str.strip("; "),
        table["caveat"],
    )
    rows = pd.DataFrame(
        {
            "indicator_id": table["group_id"],
            "indicator_name": table["group_id"].map(lambda group: by_id[group].name),
            "area_code": table["area_code"],
            "area_name": table["area_name"],
            "area_level": table["area_level"],
            "period": period.label,
            "source": table["group_id"].map(sources),
            "numerator": table["count"].astype("int64"),
            "denominator": table["denominator"],
            "denominator_type": table["denominator_type"],
            "multiplier": RATE_MULTIPLIER,
            "months_in_period": period.length,
            "months_with_data": table["months_with_data"],
            "data_months": group_months.map(month_span_code),
            "exposure": table["exposure"],
            "value": table["value"],
            "lower_ci": table["lower_ci"],
            "upper_ci": table["upper_ci"],
            "method": table["method"],
            "confidence": 0.95,
            "unreliable": table["unreliable"],
            "caveat": table["caveat"],
        }
    )
    return rows


CHANGE_COLUMNS = (
    "baseline_period", "baseline_numerator", "baseline_denominator", "baseline_value",
    "baseline_months_with_data", "change_numerator", "change_baseline_numerator",
    "change_months", "change_baseline_months", "change_basis", "change_not_made", "change_pct",
    "change_ratio", "change_p_value", "change_significant", "change_test",
)  # fmt: skip


def _compared_counts(
    group_counts: pd.DataFrame, *, area: StudyArea, period: Period, months: Sequence[date]
) -> pd.DataFrame:
    counts = counts_by_area(group_counts, area=area, period=period, months=months)
    return counts.rename(columns={"group_id": "indicator_id"})[
        ["indicator_id", "area_code", "count"]
    ]


def add_change(
    rows: pd.DataFrame,
    *,
    group_counts: pd.DataFrame,
    area: StudyArea,
    period: Period,
    baseline: Period,
    baseline_denominators: pd.DataFrame,
    groups: Sequence[CrimeGroup],
    sources: dict[str, str],
    coverage: Coverage,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Add the baseline and the change against it (family 2) to the area and ward rows.

    The baseline's own figures use its months with data. The change uses only the months the
    coverage rule lets the two periods be compared on (:func:`months_compared`): counts on
    those months, exposures = denominator x months / 12 on each side, and the exact
    conditional rate-ratio test with ``π₀ = N₁/(N₁+N₂)`` on those exposures (methods.md §0.2a,
    §2.2a). ``change_pct`` is the change in crimes per month with data (the change in counts
    when both sides have the same months). When the rule refuses a comparison every change
    column is empty and ``change_not_made`` says why.

    Returns the rows and, per source whose comparison was refused, the reason.
    """
    keys = ["indicator_id", "area_code"]
    active_sources = sorted(set(sources.values()))
    present_in_baseline = {
        source: coverage.months_in(source, baseline) for source in active_sources
    }
    baseline_groups = [
        group for group in groups if present_in_baseline.get(sources.get(group.id, ""), [])
    ]
    merged = rows.copy()
    merged["baseline_period"] = baseline.label
    if baseline_groups:
        baseline_rows = rate_rows(
            counts=counts_by_area(group_counts, area=area, period=baseline),
            denominators=baseline_denominators,
            groups=baseline_groups,
            period=baseline,
            sources={group.id: sources[group.id] for group in baseline_groups},
            coverage=coverage,
        )
        base = baseline_rows[[*keys, "numerator", "denominator", "value", "months_with_data"]]
        merged = merged.merge(
            base.rename(
                columns={
                    "numerator": "baseline_numerator",
                    "denominator": "baseline_denominator",
                    "value": "baseline_value",
                    "months_with_data": "baseline_months_with_data",
                }
            ),
            on=keys,
            how="left",
        )
    else:
        for column in (
            "baseline_numerator", "baseline_denominator", "baseline_value",
            "baseline_months_with_data",
        ):  # fmt: skip
            merged[column] = np.nan
    for column in ("change_numerator", "change_baseline_numerator", "change_pct"):
        merged[column] = np.nan
    for column in ("change_ratio", "change_p_value", "change_months", "change_baseline_months"):
        merged[column] = np.nan
    merged["change_significant"] = pd.array([pd.NA] * len(merged), dtype="boolean")
    merged["change_test"] = ""
    merged["change_basis"] = ""
    merged["change_not_made"] = ""
    refused: dict[str, str] = {}
    not_lsoa = merged["area_level"] != AreaLevel.LSOA.value
    for source in active_sources:
        compared = months_compared(
            period=period,
            other=baseline,
            present=coverage.months(source),
            rule=coverage.rule,
            source_words=SOURCE_WORDS.get(source, "data"),
        )
        of_source = merged["source"] == source
        if not compared.made:
            merged.loc[of_source & not_lsoa, "change_not_made"] = compared.refused
            refused[source] = compared.refused
            continue
        now = _compared_counts(
            group_counts, area=area, period=period, months=compared.period_months
        ).rename(columns={"count": "_now"})
        then = _compared_counts(
            group_counts, area=area, period=baseline, months=compared.other_months
        ).rename(columns={"count": "_then"})
        sided = merged[keys].merge(now, on=keys, how="left").merge(then, on=keys, how="left")
        rows_here = of_source & not_lsoa & merged["baseline_denominator"].notna()
        merged.loc[rows_here, "change_numerator"] = sided.loc[rows_here, "_now"].to_numpy()
        merged.loc[rows_here, "change_baseline_numerator"] = sided.loc[
            rows_here, "_then"
        ].to_numpy()
        merged.loc[rows_here, "change_months"] = len(compared.period_months)
        merged.loc[rows_here, "change_baseline_months"] = len(compared.other_months)
        merged.loc[rows_here, "change_basis"] = compared.basis
    months_now = merged["change_months"]
    months_then = merged["change_baseline_months"]
    exposure_now = merged["denominator"].astype(float) * months_now / 12.0
    exposure_then = merged["baseline_denominator"].astype(float) * months_then / 12.0
    now_count = merged["change_numerator"].astype(float)
    then_count = merged["change_baseline_numerator"].astype(float)
    testable = not_lsoa & (exposure_now > 0) & (exposure_then > 0) & ((now_count + then_count) > 0)
    sides = pd.DataFrame(
        {
            "now": now_count,
            "now_exposure": exposure_now,
            "now_months": months_now,
            "then": then_count,
            "then_exposure": exposure_then,
            "then_months": months_then,
        },
        index=merged.index,
    )
    sides = add_change_test(
        sides,
        where=testable,
        count="now",
        exposure="now_exposure",
        months="now_months",
        baseline_count="then",
        baseline_exposure="then_exposure",
        baseline_months="then_months",
    )
    for column in ("change_pct", "change_ratio", "change_p_value", "change_significant"):
        merged[column] = sides[column]
    merged["change_test"] = sides["change_test"]
    return merged, refused


def add_three_period_average(
    rows: pd.DataFrame,
    *,
    group_counts: pd.DataFrame,
    area: StudyArea,
    period: Period,
    previous: Sequence[Period],
    sources: dict[str, str],
    coverage: Coverage,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Add the comparison with the average of the ``previous`` periods (methods.md §2.3).

    Only positions (months) with data in the period and in every previous period are used,
    so each side has the same months and the same exposure; fewer than the rule's minimum
    share refuses the comparison (``three_period_not_made`` says why).
    """
    keys = ["indicator_id", "area_code"]
    merged = rows.copy()
    for column in (
        "three_period_average", "three_period_ratio", "three_period_p_value",
        "three_period_months",
    ):  # fmt: skip
        merged[column] = np.nan
    merged["three_period_significant"] = pd.array([pd.NA] * len(merged), dtype="boolean")
    merged["three_period_not_made"] = ""
    refused: dict[str, str] = {}
    not_lsoa = merged["area_level"] != AreaLevel.LSOA.value
    for source in sorted(set(sources.values())):
        of_source = merged["source"] == source
        mine, theirs, reason = months_compared_across(
            period=period, others=previous, present=coverage.months(source), rule=coverage.rule
        )
        if reason:
            merged.loc[of_source & not_lsoa, "three_period_not_made"] = reason
            refused[source] = reason
            continue
        history = merged[keys].merge(
            _compared_counts(group_counts, area=area, period=period, months=mine).rename(
                columns={"count": "_now"}
            ),
            on=keys,
            how="left",
        )
        columns = []
        for index, (earlier, months) in enumerate(zip(previous, theirs, strict=True)):
            name = f"_previous_{index}"
            columns.append(name)
            history = history.merge(
                _compared_counts(group_counts, area=area, period=earlier, months=months).rename(
                    columns={"count": name}
                ),
                on=keys,
                how="left",
            )
        history[columns] = history[columns].fillna(0)
        comparable = of_source & not_lsoa & (history[columns].sum(axis=1) > 0)
        merged.loc[of_source & not_lsoa, "three_period_months"] = len(mine)
        merged.loc[of_source & not_lsoa, "three_period_average"] = history.loc[
            of_source & not_lsoa, columns
        ].mean(axis=1)
        if comparable.any():
            result = compare_to_baseline_average(
                count=history.loc[comparable, "_now"].to_numpy(dtype=float),
                baseline_counts=history.loc[comparable, columns].to_numpy(dtype=float),
            )
            merged.loc[comparable, "three_period_ratio"] = result["value"].to_numpy()
            merged.loc[comparable, "three_period_p_value"] = result["p_value"].to_numpy()
            merged.loc[comparable, "three_period_significant"] = result["significant"].to_numpy(
                dtype=bool
            )
    return merged, refused


def label_against_benchmark(table: pd.DataFrame, *, where: pd.Series, rule: str) -> None:
    """Fill ``benchmark_label`` and ``benchmark_method`` in place for the rows ``where``.

    Each rate's 95% interval is compared with its row's ``benchmark_value`` (Fingertips,
    methods.md §2.1, polarity no_judgement): ``Higher``, ``Similar`` or ``Lower``. Rows without
    a value or a benchmark keep empty labels.
    """
    table["benchmark_label"] = ""
    table["benchmark_method"] = ""
    comparable = where & table["value"].notna() & table["benchmark_value"].notna()
    if not comparable.any():
        return
    labels = compare_to_benchmark(
        value=table.loc[comparable, "value"].to_numpy(dtype=float),
        lower_ci=table.loc[comparable, "lower_ci"].to_numpy(dtype=float),
        upper_ci=table.loc[comparable, "upper_ci"].to_numpy(dtype=float),
        benchmark=table.loc[comparable, "benchmark_value"].to_numpy(dtype=float),
        polarity=Polarity.NO_JUDGEMENT,
        method=BenchmarkMethod.CI95,
    )
    table.loc[comparable, "benchmark_label"] = labels["comparison"].astype(str).to_numpy()
    table.loc[comparable, "benchmark_method"] = rule


def add_benchmarks(rows: pd.DataFrame, *, area: StudyArea) -> pd.DataFrame:
    """Label each ward and LSOA rate against the area's rate, and rank them (family 4).

    Ranks (1 = highest rate among the area's wards, or LSOAs) compare the rates exactly, as
    fractions ``numerator × 12 / (denominator × months_with_data)`` (12 months when the rows
    have no ``months_with_data``): equal rates share the smallest rank (``methods.md`` §0.2a,
    §3.1), however their floating-point values round.
    """
    area_rates = rows[rows["area_code"] == area.code][["indicator_id", "value"]].rename(
        columns={"value": "benchmark_value"}
    )
    merged = rows.merge(area_rates, on="indicator_id", how="left")
    small = merged["area_level"].isin([AreaLevel.WARD.value, AreaLevel.LSOA.value])
    merged["benchmark_code"] = np.where(small, area.code, "")
    merged.loc[~small, "benchmark_value"] = np.nan
    label_against_benchmark(merged, where=small, rule=BENCHMARK_RULE)
    ranked = merged.copy()
    for level in (AreaLevel.WARD.value, AreaLevel.LSOA.value):
        at_level = _rateable(merged) & (merged["area_level"] == level)
        for _, frame in merged[at_level].groupby("indicator_id", sort=False):
            ranks = rank_rates(
                counts=frame["numerator"].to_numpy(),
                populations=frame["denominator"].to_numpy(),
                months=_months(frame),
            )
            ranked.loc[frame.index, "rank"] = ranks["rank"].to_numpy(dtype=float)
            ranked.loc[frame.index, "rank_of"] = float(len(frame))
    return ranked


def lsoa_quintiles(
    rows: pd.DataFrame,
    *,
    units: Mapping[str, str] | None = None,
    rules: SparseDataRules | None = None,
) -> pd.DataFrame:
    """Each LSOA's quintile of rate within the area, by group (1 = highest rates).

    Equal-count quintiles (PHEindicatormethods ``phe_quantile``, ``methods.md`` §3.1) of the
    rates compared exactly (``numerator × 12 / (denominator × months_with_data)``), so equal
    rates share a quintile. A group is not grouped when its crimes are too few for quintiles to
    mean what they say (``sparse_data.yaml``): more than a fifth of the LSOAs with no crimes
    (they would tie across two quintiles and all be placed in the higher one), or fewer than
    one crime per LSOA on average. Its rows then have no quintile and a ``caveat`` giving the
    rule (and, for data.police.uk, which publishes every crime, the count).

    Parameters
    ----------
    rows
        The ``indicators`` rows (LSOA rows with a rate are used).
    units
        The word for each group's events (``incidents`` for ASB); default ``crimes``.
    rules
        The minimum data (default: ``sparse_data.yaml``).

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, area_code, area_name, value, quintile, algorithm, caveat``.
    """
    columns = ["indicator_id", "area_code", "area_name", "value", "quintile", "algorithm", "caveat"]
    lsoa = rows[_rateable(rows) & (rows["area_level"] == AreaLevel.LSOA.value)].copy()
    if lsoa.empty:
        return pd.DataFrame(columns=columns)
    rules = rules or load_sparse_data_rules()
    lsoa["quintile"] = pd.array([pd.NA] * len(lsoa), dtype="Int64")
    lsoa["algorithm"] = QuantileAlgorithm.EQUAL_COUNT.value
    lsoa["caveat"] = ""
    for indicator, frame in lsoa.groupby("indicator_id", sort=False):
        unit = (units or {}).get(str(indicator), "crimes")
        reason = _too_few_to_group(frame, unit=unit, rules=rules)
        if reason:
            lsoa.loc[frame.index, "caveat"] = reason
            continue
        groups = rate_quantile_groups(
            counts=frame["numerator"].to_numpy(),
            populations=frame["denominator"].to_numpy(),
            months=_months(frame),
            groups=QUINTILES,
            algorithm=QuantileAlgorithm.EQUAL_COUNT,
            invert=True,
        )
        lsoa.loc[frame.index, "quintile"] = groups["quantile"].to_numpy()
    return lsoa[columns]


TOP_SHARE = 0.1
"""Concentration: the share of crime in this fraction of an area's LSOAs (the busiest)."""


def concentration_by_area(lsoa_counts: pd.DataFrame, *, keys: Sequence[str]) -> pd.DataFrame:
    """Share of each area's crime in its top 10% of LSOAs by count, at least one (family 4).

    The one implementation for one area or every CSP: ``lsoa_counts`` has one row per LSOA
    with ``count`` and the ``keys`` naming its area and group (e.g. ``csp_code, group_id``);
    of an area's ``n`` LSOAs the ``max(1, ⌈0.1 n⌉)`` busiest are the top (ties in count do
    not change the share).

    Returns
    -------
    pandas.DataFrame
        ``keys, lsoas, top_lsoas, top_count, total, top_share_pct`` (share empty when the
        area has no crime), sorted by ``keys``.
    """
    key_list = list(keys)
    ordered = lsoa_counts.sort_values(
        [*key_list, "count"], ascending=[True] * len(key_list) + [False], kind="stable"
    )
    position = ordered.groupby(key_list, sort=False).cumcount()
    size = ordered.groupby(key_list, sort=False)["count"].transform("size")
    top = np.maximum(1, np.ceil(TOP_SHARE * size)).astype("int64")
    ordered = ordered.assign(top_count=np.where(position < top, ordered["count"], 0))
    table = (
        ordered.groupby(key_list, sort=True)
        .agg(lsoas=("count", "size"), total=("count", "sum"), top_count=("top_count", "sum"))
        .reset_index()
    )
    table["top_lsoas"] = np.maximum(1, np.ceil(TOP_SHARE * table["lsoas"])).astype("int64")
    table["top_share_pct"] = np.where(
        table["total"] > 0, 100 * table["top_count"] / table["total"].replace(0, 1), np.nan
    )
    return table[[*key_list, "lsoas", "top_lsoas", "top_count", "total", "top_share_pct"]]


def concentration(rows: pd.DataFrame) -> pd.DataFrame:
    """Share of each group's crime in the top 10% of the area's LSOAs by count (family 4).

    :func:`concentration_by_area` for the one area of ``rows`` (the ``indicators`` rows).
    """
    lsoa = rows[rows["area_level"] == AreaLevel.LSOA.value].rename(columns={"numerator": "count"})
    columns = ["indicator_id", "lsoas", "top_lsoas", "top_share_pct", "total"]
    if lsoa.empty:
        return pd.DataFrame(columns=columns)
    lsoa = lsoa.assign(count=lsoa["count"].astype("int64"))
    table = concentration_by_area(lsoa, keys=["indicator_id"])
    table["total"] = table["total"].astype("int64")
    return table[columns]


def finish_indicator_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with every ``indicators`` column (missing ones empty), in the documented order."""
    for column in INDICATOR_COLUMNS:
        if column not in rows:
            rows[column] = pd.NA
    extra = [column for column in rows.columns if column not in INDICATOR_COLUMNS]
    return rows[[*INDICATOR_COLUMNS, *extra]]


QUINTILES = 5
MONTHS_IN_YEAR = 12


def _rateable(rows: pd.DataFrame) -> pd.Series:
    """Rows with a rate whose numerator, denominator (and months with data) can be ranked."""
    usable = rows["value"].notna() & rows["numerator"].notna() & (rows["denominator"] > 0)
    if "months_with_data" in rows.columns:
        usable &= pd.to_numeric(rows["months_with_data"], errors="coerce").fillna(0) > 0
    return usable


def _months(frame: pd.DataFrame) -> np.ndarray | None:
    """Months with data per row (``None``: every rate is over 12 months)."""
    if "months_with_data" not in frame.columns:
        return None
    return frame["months_with_data"].to_numpy()


def _too_few_to_group(frame: pd.DataFrame, *, unit: str, rules: SparseDataRules) -> str:
    """Why a group's LSOAs are too few crimes for quintiles, or ``""`` when they are enough."""
    lsoas = len(frame)
    counts = frame["numerator"].to_numpy(dtype=float)
    without = float((counts == 0).sum()) / lsoas
    mean = float(counts.sum()) / lsoas
    share = rules.quintile_max_share_without_crimes
    minimum = rules.quintile_min_mean_per_lsoa
    if without <= share and mean >= minimum:
        return ""
    published = bool((frame["source"] == DataSource.POLICE_UK.value).all())
    if published:
        found = (
            f"{int(counts.sum()):,} {unit} in the area's {lsoas} neighbourhoods,"
            f" {without:.0%} of them with none"
        )
    elif without > share:
        found = f"more than {share:.0%} of the area's neighbourhoods had none"
    else:
        found = f"fewer than {minimum:g} per neighbourhood on average"
    return (
        f"too few {unit} to group neighbourhoods reliably ({found}): quintiles need at least"
        f" {minimum:g} per neighbourhood (LSOA) on average and no more than {share:.0%} of"
        f" neighbourhoods with none, or the neighbourhoods with none would tie across two"
        " quintiles and all be placed in the higher one"
    )
