"""Every CSP over several periods at once: trends over the archive and the previous periods'
average, from one pass over the police.uk rows.

``years`` consecutive periods of the assessed period's length, ending with it, are assessed
(a financial year and ``years=3``: 2022/23, 2023/24, 2024/25). The change of each needs the
period before it, and its comparison with the previous three periods' average needs the three
before it, so three earlier periods are read as well. The monthly street aggregate
(:mod:`safecity.assess.street_aggregate`) of every month of all these periods is computed once
and kept in the engine; every period's every-CSP table (:func:`safecity.assess.all_csps.
csp_table`) and the latest period's families 1–6 (:func:`safecity.assess.all_csps_families.
assess_every_csp`) are summed from that kept aggregate, so the archive's rows are scanned once
whatever the number of periods.

Each period's figures are those of the every-CSP assessment of that period (counts, annual
rates on the force's months with data with their 95% intervals, ``methods.md`` §0.2a and §1.1;
change against the period before by the exact conditional rate-ratio test, §2.2a; ranks, §3.1),
so a period's row of the trends table equals the indicator row a separate run for that period
gives. The comparison with the previous three periods' average follows family 2 of the
single-area assessment (``families.rates.add_three_period_average``, §2.3): the period's count
against the mean of the three previous periods' counts, by the exact binomial test with
probability 1/4 under "no change" (equal exposures). Like every change of the every-CSP table,
it is made only on whole periods: when the CSP's force lacks a month of the period or of any of
the three before, or has no data at all in one of them, it is not computed and
``three_period_not_made`` says why (a missing period is never counted as zero crimes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from safecity.assess.all_csps import CspTable, csp_table, indicator_rows, police_uk_groups
from safecity.assess.all_csps_families import AllCspsAssessment, assess_every_csp
from safecity.assess.crime_groups import CrimeGroup
from safecity.assess.fact_source import FactSource, warehouse_facts
from safecity.assess.periods import Period
from safecity.assess.street_aggregate import period_street_months
from safecity.config.police_forces import PoliceForce
from safecity.data.police_uk.street_month import STREET_MONTH_TABLE
from safecity.data.warehouse import Warehouse
from safecity.stats import compare_to_baseline_average

TRENDS_TABLE = "all_csps_trends"
PREVIOUS_PERIODS = 3
"""How many earlier periods the average is taken over (methods.md §2.3)."""
THREE_PERIOD_TEST = (
    "exact binomial test of the count against the previous three periods' total, probability"
    " 1/4 under no change (methods.md §2.3)"
)
TRENDS_COLUMNS = (
    "row_id", "csp_code", "csp_name", "nation", "group_id", "group_name", "period",
    "first_month", "last_month", "months_in_period", "reporting_force", "months_with_data",
    "complete_coverage", "exclusion_reason", "count", "population", "exposure", "value",
    "lower_ci", "upper_ci", "method", "unreliable", "previous_period", "previous_count",
    "previous_value", "change_pct", "change_ratio", "change_p_value", "change_significant",
    "change_test", "change_not_made", "three_period_periods", "previous_1_count",
    "previous_2_count", "previous_3_count", "three_period_average", "three_period_ratio",
    "three_period_lower_ci", "three_period_upper_ci", "three_period_p_value",
    "three_period_significant", "three_period_test", "three_period_not_made", "rank",
    "rank_of", "regional_rank", "regional_rank_of", "rank_scope", "latest_rank",
    "latest_rank_of", "latest_rank_scope", "caveat",
)  # fmt: skip
PUBLIC_OWN = ("count", "value", "lower_ci", "upper_ci")
PUBLIC_CHANGE = ("previous_count", "previous_value", "change_pct", "change_ratio")
PUBLIC_THREE_PERIOD = (
    "previous_1_count", "previous_2_count", "previous_3_count", "three_period_average",
    "three_period_ratio", "three_period_lower_ci", "three_period_upper_ci",
)  # fmt: skip


class ArchivePeriodsError(ValueError):
    """The periods asked for cannot be assessed (the message says why)."""


@dataclass(frozen=True, slots=True)
class CspsOverYears:
    """Every CSP over several consecutive periods.

    Attributes
    ----------
    periods
        The assessed periods, oldest first (the last is the period asked for).
    earlier
        The periods read only for the first assessed periods' change and average, oldest first.
    trends
        :data:`TRENDS_TABLE`: one row per CSP x police.uk group x assessed period
        (:data:`TRENDS_COLUMNS`).
    latest
        Families 1–6 of the latest period, as :func:`assess_every_csp` gives them.
    manifest
        The periods and rules, for the artefact manifest.
    """

    periods: tuple[Period, ...]
    earlier: tuple[Period, ...]
    trends: pd.DataFrame
    latest: AllCspsAssessment
    manifest: dict[str, Any] = field(default_factory=dict)


def archive_periods(*, period: Period, years: int) -> tuple[tuple[Period, ...], tuple[Period, ...]]:
    """The ``years`` periods of ``period``'s length ending with it, and the three before them.

    Both oldest first.

    Raises
    ------
    ArchivePeriodsError
        If ``years`` is below 1.

    Examples
    --------
    >>> from safecity.assess.periods import parse_period
    >>> assessed, earlier = archive_periods(period=parse_period("2024/25"), years=3)
    >>> [p.label for p in assessed], [p.label for p in earlier]
    (['2022/23', '2023/24', '2024/25'], ['2019/20', '2020/21', '2021/22'])
    """
    if years < 1:
        raise ArchivePeriodsError(f"--years must be 1 or more (got {years})")
    assessed = tuple(reversed([period, *period.preceding(count=years - 1)]))
    earlier = tuple(reversed(assessed[0].preceding(count=PREVIOUS_PERIODS)))
    return assessed, earlier


class _KeptAggregateBackend:
    """An engine's Ibis backend in which ``street_month`` is the aggregate kept for the archive.

    Everything else (other tables, temporary tables, the connection) is the engine's own, so
    an every-CSP assessment given this backend sums the kept aggregate instead of scanning the
    rows again (:func:`safecity.assess.street_aggregate.street_month` reads a backend's
    ``street_month`` when it has one).
    """

    def __init__(self, backend: Any, kept: Any) -> None:
        self._backend = backend
        self._kept = kept

    def table(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if name == STREET_MONTH_TABLE:
            return self._kept
        return self._backend.table(name, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)


def _kept_facts(source: FactSource, kept: Any) -> FactSource:
    """``source`` with the kept aggregate as its ``street_month``."""
    return FactSource(
        backend=_KeptAggregateBackend(source.backend, kept),
        engine=source.engine,
        description=source.description,
    )


def assess_csps_over_years(
    warehouse: Warehouse,
    *,
    period: Period,
    years: int,
    facts: FactSource | None = None,
    groups: Sequence[CrimeGroup] | None = None,
    forces: Sequence[PoliceForce] | None = None,
    harm_index: str | None = None,
) -> CspsOverYears:
    """Every CSP over ``years`` consecutive periods ending with ``period``, from one aggregate.

    Parameters
    ----------
    warehouse
        The loaded warehouse (lookups and populations; police.uk street data unless ``facts``
        names another engine holding them).
    period
        The latest period assessed; the others have its length and come just before it.
    years
        How many periods (1 or more): with a financial year, how many years.
    facts
        Where the police.uk street data are aggregated (by default the warehouse's DuckDB);
        the monthly street aggregate of every month needed is computed there once and kept.
    groups
        Crime groups (police.uk-defined ones are used); by default the shipped groups.
    forces
        The territorial police forces with their nations (by default the shipped list).
    harm_index
        The harm index for family 3 of the latest period, when several are loaded.

    Returns
    -------
    CspsOverYears
        The trends table (see the module docstring) and families 1–6 of the latest period.

    Raises
    ------
    ArchivePeriodsError
        If ``years`` is below 1.

    References
    ----------
    ``methods.md`` §0.2a (rates on months with data), §1.1 (intervals), §2.2a (change), §2.3
    (previous periods' average), §3.1 (ranks), §11.7 (coverage).
    """
    assessed, earlier = archive_periods(period=period, years=years)
    every = (*earlier, *assessed)
    chosen = police_uk_groups(groups)
    source = facts or warehouse_facts(warehouse)
    with period_street_months(source, periods=every) as street:
        tables = {
            each: csp_table(warehouse, period=each, groups=chosen, forces=forces, street=street)
            for each in every
        }
        latest = assess_every_csp(
            warehouse,
            period=period,
            groups=groups,
            harm_index=harm_index,
            forces=forces,
            facts=_kept_facts(source, street),
        )
    frames = [trend_rows(tables, period=each) for each in assessed]
    trends = pd.concat(frames, ignore_index=True)
    trends = _add_latest_rank(trends, latest=tables[period])
    manifest = {
        "periods": [each.label for each in assessed],
        "earlier_periods": [each.label for each in earlier],
        "months_aggregated": f"{every[0].first_month:%Y-%m}..{every[-1].last_month:%Y-%m}",
        "aggregate": (
            "the monthly street aggregate of every month of these periods, computed once on"
            f" {source.description} and kept while every period was summed from it"
        ),
        "change": "each period against the one before, exact conditional rate-ratio test"
        " (methods.md §2.2a), on whole periods only",
        "three_period_average": THREE_PERIOD_TEST + ", on whole periods only",
    }
    return CspsOverYears(
        periods=assessed,
        earlier=earlier,
        trends=trends[list(TRENDS_COLUMNS)],
        latest=latest,
        manifest=manifest,
    )


def _whole_months(table: CspTable, *, period: Period) -> pd.Series:
    """Per CSP code: True when its reporting force has a street file for every month."""
    coverage = table.coverage
    present = (
        coverage[coverage["present"].astype(bool)].groupby("force").size()
        if not coverage.empty
        else pd.Series(dtype="int64")
    )
    rates = table.rates.drop_duplicates("csp_code").set_index("csp_code")
    months = rates["reporting_force"].map(
        lambda force: present.get(force, 0) if isinstance(force, str) else 0
    )
    return months == period.length


def trend_rows(tables: dict[Period, CspTable], *, period: Period) -> pd.DataFrame:
    """The trends rows of ``period``: its every-CSP indicator rows, why a CSP is not ranked,
    and the comparison with the previous three periods' average.

    ``tables`` holds the every-CSP table of ``period``, of the period before it and of the
    three before it (some may have no data).
    """
    before = period.preceding(count=1)[0]
    current = tables[period]
    rows = indicator_rows(current=current, before=tables[before], period=period, baseline=before)
    status = current.rates[
        [
            "csp_code", "group_id", "nation", "reporting_force", "complete_coverage",
            "exclusion_reason", "regional_rank", "regional_rank_of", "rank_scope",
        ]
    ]  # fmt: skip
    trends = pd.DataFrame(
        {
            "csp_code": rows["area_code"],
            "csp_name": rows["area_name"],
            "group_id": rows["indicator_id"],
            "group_name": rows["indicator_name"],
            "period": period.label,
            "first_month": period.first_month,
            "last_month": period.last_month,
            "months_in_period": rows["months_in_period"],
            "months_with_data": rows["months_with_data"],
            "count": rows["numerator"],
            "population": rows["denominator"],
            "exposure": rows["exposure"],
            "value": rows["value"],
            "lower_ci": rows["lower_ci"],
            "upper_ci": rows["upper_ci"],
            "method": rows["method"],
            "unreliable": rows["unreliable"],
            "previous_period": rows["baseline_period"],
            "previous_count": rows["baseline_numerator"],
            "previous_value": rows["baseline_value"],
            "change_pct": rows["change_pct"],
            "change_ratio": rows["change_ratio"],
            "change_p_value": rows["change_p_value"],
            "change_significant": rows["change_significant"],
            "change_test": rows["change_test"],
            "change_not_made": rows["change_not_made"],
            "rank": rows["rank"],
            "rank_of": rows["rank_of"],
            "caveat": rows["caveat"],
        }
    )
    trends = trends.merge(status, on=["csp_code", "group_id"], how="left")
    if not bool(tables[before].rates["reporting_force"].notna().any()):
        # indicator_rows leaves the change empty without a word when the baseline has no data
        trends["previous_period"] = before.label
        trends["change_not_made"] = f"not made: no police.uk data in {before.words}"
    trends = _add_three_period_average(trends, tables=tables, period=period)
    trends["row_id"] = "trend:" + trends["group_id"] + ":" + trends["csp_code"] + ":" + period.label
    return trends


def _add_three_period_average(
    trends: pd.DataFrame, *, tables: dict[Period, CspTable], period: Period
) -> pd.DataFrame:
    """Add the comparison of each row's count with its previous three periods' average."""
    previous = period.preceding(count=PREVIOUS_PERIODS)  # latest first, as the single area
    keys = ["csp_code", "group_id"]
    trends["three_period_periods"] = ", ".join(each.label for each in previous)
    reasons = pd.Series("", index=trends.index, dtype=object)
    whole_now = trends["csp_code"].map(_whole_months(tables[period], period=period))
    now_force = trends["reporting_force"]
    reasons = reasons.mask(
        now_force.isna() & (reasons == ""),
        f"not computed: no police.uk data from its own force in {period.words}",
    )
    reasons = reasons.mask(
        ~whole_now.fillna(False).astype(bool) & (reasons == ""),
        f"not computed: its force's police.uk data lack a month of {period.words}; the all-CSP"
        " table compares only whole periods",
    )
    without: list[list[str]] = [[] for _ in range(len(trends))]
    partial: list[list[str]] = [[] for _ in range(len(trends))]
    for index, earlier in enumerate(previous, start=1):
        table = tables[earlier]
        aligned = table.rates.set_index(keys).reindex(pd.MultiIndex.from_frame(trends[keys]))
        has_data = aligned["reporting_force"].notna().to_numpy()
        whole = trends["csp_code"].map(_whole_months(table, period=earlier)).fillna(False)
        trends[f"previous_{index}_count"] = pd.array(
            np.where(has_data, aligned["count"].to_numpy(dtype=float), np.nan), dtype="Float64"
        ).astype("Int64")
        for position in range(len(trends)):
            if not has_data[position]:
                without[position].append(earlier.words)
            elif not bool(whole.iloc[position]):
                partial[position].append(earlier.words)
    for position in range(len(trends)):
        if reasons.iloc[position]:
            continue
        if gone := without[position]:
            reasons.iloc[position] = (
                f"not computed: only {PREVIOUS_PERIODS - len(gone)} of the {PREVIOUS_PERIODS}"
                " previous periods have police.uk data from its own force (none in"
                f" {', '.join(gone)}); the average needs all {PREVIOUS_PERIODS}"
            )
        elif short := partial[position]:
            reasons.iloc[position] = (
                f"not computed: its force's police.uk data lack a month of {', '.join(short)};"
                " the all-CSP table compares only whole periods"
            )
    trends["three_period_not_made"] = reasons
    made = reasons == ""
    columns = [f"previous_{index}_count" for index in range(1, PREVIOUS_PERIODS + 1)]
    for column in (
        "three_period_average", "three_period_ratio", "three_period_lower_ci",
        "three_period_upper_ci", "three_period_p_value",
    ):  # fmt: skip
        trends[column] = np.nan
    trends["three_period_significant"] = pd.array([pd.NA] * len(trends), dtype="boolean")
    trends["three_period_test"] = ""
    if made.any():
        history = trends.loc[made, columns].to_numpy(dtype=float)
        trends.loc[made, "three_period_average"] = history.mean(axis=1)
        comparable = made & (trends[columns].fillna(0).sum(axis=1) > 0)
        if comparable.any():
            result = compare_to_baseline_average(
                count=trends.loc[comparable, "count"].to_numpy(dtype=float),
                baseline_counts=trends.loc[comparable, columns].to_numpy(dtype=float),
            )
            trends.loc[comparable, "three_period_ratio"] = result["value"].to_numpy()
            trends.loc[comparable, "three_period_lower_ci"] = result["lower_ci"].to_numpy()
            trends.loc[comparable, "three_period_upper_ci"] = result["upper_ci"].to_numpy()
            trends.loc[comparable, "three_period_p_value"] = result["p_value"].to_numpy()
            trends.loc[comparable, "three_period_significant"] = result["significant"].to_numpy(
                dtype=bool
            )
            trends.loc[comparable, "three_period_test"] = THREE_PERIOD_TEST
    return trends


def _add_latest_rank(trends: pd.DataFrame, *, latest: CspTable) -> pd.DataFrame:
    """Each CSP x group's rank in the latest period (national, else among those loaded)."""
    rates = latest.rates
    rank = rates["rank"].fillna(rates["regional_rank"])
    rank_of = rates["rank_of"].fillna(rates["regional_rank_of"])
    lookup = pd.DataFrame(
        {
            "csp_code": rates["csp_code"],
            "group_id": rates["group_id"],
            "latest_rank": rank.astype("Int64"),
            "latest_rank_of": rank_of.astype("Int64"),
            "latest_rank_scope": np.where(rank.notna(), rates["rank_scope"], ""),
        }
    )
    return trends.merge(lookup, on=["csp_code", "group_id"], how="left")


def public_trends(trends: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """The trends table with counts from 1 to ``threshold - 1`` withheld (methods.md §0.2).

    A row's own count, rate and interval are withheld when its count is small; its change when
    its count or the previous period's is small (either side would be recoverable from the
    ratio); its previous periods' counts and average when any of those counts or its own is
    small. Adds ``suppressed`` (its own figures withheld). A threshold of 1 withholds nothing.
    """
    public = trends.copy()

    def small(column: str) -> pd.Series:
        values = public[column].astype("Float64")
        return ((values > 0) & (values < threshold)).fillna(False).astype(bool)

    own = small("count")
    change = own | small("previous_count")
    three = own | small("previous_1_count") | small("previous_2_count") | small("previous_3_count")
    for mask, hidden in ((own, PUBLIC_OWN), (change, PUBLIC_CHANGE), (three, PUBLIC_THREE_PERIOD)):
        public = public.astype(dict.fromkeys(hidden, "object"))
        public.loc[mask, list(hidden)] = None
    public["suppressed"] = own
    return public


__all__ = [
    "PREVIOUS_PERIODS",
    "TRENDS_COLUMNS",
    "TRENDS_TABLE",
    "ArchivePeriodsError",
    "CspsOverYears",
    "archive_periods",
    "assess_csps_over_years",
    "public_trends",
    "trend_rows",
]
