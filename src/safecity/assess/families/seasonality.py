"""Seasonal profiles of the crime groups: monthly indices of crimes per day (``methods.md`` §9.4).

Monthly counts are divided by the days in the month (:func:`safecity.stats.timing.
crimes_per_day`), then classical multiplicative seasonal indices are formed as the ratio to a
centred 12-month moving average (:func:`safecity.stats.timing.seasonal_indices`). Only the
run of consecutive months with data that ends with the assessed period is used, and it must hold
at least three full years (36 months); a group averaging fewer than
:data:`MIN_MONTHLY_CRIMES` crimes a month is not profiled. Month-level data suffices, so the
profile is made from police.uk as well as from a force extract.
"""

from __future__ import annotations

import calendar
import math
from datetime import date

import pandas as pd

from safecity.assess.crime_groups import CrimeGroup
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.stats.errors import StatisticsInputError
from safecity.stats.timing import crimes_per_day, seasonal_indices

MONTHS_NEEDED = 36
"""Three full years: the minimum for seasonal indices (``methods.md`` §9.4)."""

MIN_MONTHLY_CRIMES = 10
"""Fewest crimes a month, on average, for a group to be profiled."""

FINDING_INDEX = 1.2
"""A finding is written when a group's peak month is at least 20% above the average month."""

NOISE_MULTIPLE = 3.0
"""... and by at least this many times the Poisson noise of a month's index, ``1/√(y·m)`` for
``y`` years of ``m`` crimes a month on average (a rough guard against noise in small groups)."""

SEASONAL_COLUMNS = [
    "row_id",
    "group_id",
    "group_name",
    "source",
    "unit",
    "season",
    "month_name",
    "index",
    "ratios",
    "first_month",
    "last_month",
    "months",
    "crimes",
]


def consecutive_months(present: set[date], *, last_month: date) -> list[date]:
    """The run of consecutive months in ``present`` ending with ``last_month`` (oldest first).

    Examples
    --------
    >>> months = {date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2023, 11, 1)}
    >>> [f"{month:%Y-%m}" for month in consecutive_months(months, last_month=date(2024, 3, 1))]
    ['2024-01', '2024-02', '2024-03']
    """
    run: list[date] = []
    month = last_month
    while month in present:
        run.append(month)
        previous = month.month - 2
        month = date(month.year + previous // 12, previous % 12 + 1, 1)
    return run[::-1]


def seasonality_table(
    counts: pd.DataFrame,
    *,
    groups: list[CrimeGroup],
    sources: dict[str, str],
    period: Period,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Seasonal indices per group (``time_seasonality`` rows) and the groups not profiled, with why.

    ``counts`` is the engine's ``lsoa_code, month, group_id, count`` over its window.
    """
    skipped: dict[str, str] = {}
    frames = []
    if counts.empty:
        return pd.DataFrame(columns=SEASONAL_COLUMNS), {
            group.id: "no monthly counts" for group in groups
        }
    monthly = (
        counts.assign(month=pd.to_datetime(counts["month"]).dt.date)
        .groupby(["group_id", "month"])["count"]
        .sum()
    )
    for group in groups:
        source = sources.get(group.id, "")
        source_groups = {key for key, value in sources.items() if value == source}
        present = set(counts.loc[counts["group_id"].isin(source_groups), "month"].dt.date)
        months = consecutive_months(present, last_month=period.last_month)
        if len(months) < MONTHS_NEEDED:
            skipped[group.id] = (
                f"seasonal indices need {MONTHS_NEEDED} consecutive months of {source} data"
                f" ending {period.last_month:%Y-%m}; there are {len(months)}"
            )
            continue
        series = (
            monthly.loc[group.id].reindex(months, fill_value=0)
            if group.id in monthly.index.get_level_values(0)
            else pd.Series(0, index=months)
        )
        if series.mean() < MIN_MONTHLY_CRIMES:
            skipped[group.id] = (
                f"{series.mean():.1f} crimes a month on average: too few for seasonal indices"
                f" (needs {MIN_MONTHLY_CRIMES})"
            )
            continue
        per_day = crimes_per_day(count=series.to_numpy(), month=[f"{m:%Y-%m}" for m in months])
        try:
            indices = seasonal_indices(
                values=per_day["value"].to_numpy(), period=12, first_season=months[0].month
            )
        except StatisticsInputError as error:
            skipped[group.id] = f"seasonal indices not computed: {error}"
            continue
        indices["group_id"] = group.id
        indices["group_name"] = group.name
        indices["source"] = source
        indices["unit"] = group.unit
        indices["month_name"] = [calendar.month_name[season] for season in indices["season"]]
        indices["first_month"] = f"{months[0]:%Y-%m}"
        indices["last_month"] = f"{months[-1]:%Y-%m}"
        indices["months"] = len(months)
        indices["crimes"] = int(series.sum())
        indices["row_id"] = [
            f"time_seasonality:{group.id}:{season}:{months[0]:%Y-%m}..{months[-1]:%Y-%m}"
            for season in indices["season"]
        ]
        frames.append(indices)
    if not frames:
        return pd.DataFrame(columns=SEASONAL_COLUMNS), skipped
    return pd.concat(frames, ignore_index=True)[SEASONAL_COLUMNS], skipped


def seasonality_findings(table: pd.DataFrame) -> list[Finding]:
    """A descriptive sentence for each group whose peak month is at least 20% above average.

    The peak must exceed the average month by :data:`FINDING_INDEX` and by
    :data:`NOISE_MULTIPLE` times the Poisson noise of a month's index; the indices carry no
    test, and the sentence says so.
    """
    findings = []
    for group_id, rows in table.groupby("group_id", sort=False):
        ordered = rows.sort_values("index", kind="stable")
        peak, low = ordered.iloc[-1], ordered.iloc[0]
        months = float(peak["months"])
        noise = 1 / math.sqrt((months / 12) * (float(peak["crimes"]) / months))
        excess = float(peak["index"]) - 1
        if excess < FINDING_INDEX - 1 or excess < NOISE_MULTIPLE * noise:
            continue
        name = str(peak["group_name"])
        sentence = (
            f"Seasonality in {name[0].lower() + name[1:]}: {peak['unit']} per day peak in"
            f" {peak['month_name']}"
            f" ({100 * (float(peak['index']) - 1):.0f}% above the average month) and are"
            f" lowest in {low['month_name']} ({100 * (1 - float(low['index'])):.0f}% below), over"
            f" the {int(peak['months'])} months {peak['first_month']} to {peak['last_month']}"
            " (classical seasonal indices: ratio to a centred 12-month moving average, counts"
            " divided by days in the month; descriptive, no test)."
        )
        findings.append(
            Finding(
                finding_id=f"time_seasonality_{group_id}",
                topic=str(group_id),
                sentence=sentence,
                row_ids=(str(peak["row_id"]), str(low["row_id"])),
            )
        )
    return findings
