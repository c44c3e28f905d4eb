"""Family 9: when crime happens — aoristic hour-of-week profiles, peak windows, seasons.

From the force extract only (police.uk gives the month and nothing finer). For each main
group, the period's crimes are spread over the 168 hours of the week with aoristic weights
(Ratcliffe 2002): a crime known to have happened between ``committed_from`` and
``committed_to`` contributes one crime in all, shared over the minutes of that window; a crime
without an end time counts wholly in its start hour (:func:`safecity.stats.timing.
aoristic_hour_of_week`). Peak hours are those whose adjusted standardised residual against an
even spread over the week exceeds 1.96, joined into named windows such as
``Fri 22:00–Sat 03:00`` (:func:`safecity.stats.timing.hour_of_week_peaks`; ``methods.md``
§9.5). Peaks are sought only for groups with at least :data:`MIN_CRIMES_FOR_PEAKS` crimes (one
expected per hour of the week).

Seasonal indices by calendar month (``methods.md`` §9.4) come from the engine's monthly counts
of either source (:mod:`safecity.assess.families.seasonality`).

The tables are aggregates of crimes, but their hour cells are small and fractional, so they
are partner tables only; the artefact's public folder has none of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.families.extract_records import area_extract_crimes, crime_group_membership
from safecity.assess.families.seasonality import (
    MIN_MONTHLY_CRIMES,
    MONTHS_NEEDED,
    seasonality_findings,
    seasonality_table,
)
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.assess.wording import MethodId, p_value_words
from safecity.data.extract.mapping import FLAG_COLUMNS
from safecity.stats.timing import aoristic_hour_of_week, hour_of_week_peaks

TIME_GROUPS = (
    "all_crime",
    "violent_crime",
    "night_time_economy_violence",
    "alcohol_affected",
    "domestic_flagged",
    "robbery",
    "theft_from_the_person",
    "public_order",
    "residential_burglary",
    "shoplifting",
)
"""Groups profiled by hour of the week (those the extract gives)."""

MIN_CRIMES_FOR_PEAKS = 168
"""Fewest crimes for the peak test: one expected crime per hour of the week."""

HOURS_IN_WEEK = 168
DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
PEAK_TEST = (
    "hours holding clearly more crimes than an even spread over the 168 hours of the week"
    " would give, by a chi-squared test"
)
_NIGHT_HOURS = frozenset((20, 21, 22, 23, 0, 1, 2, 3, 4, 5))
_PEAK_COLUMNS = [
    "row_id",
    "group_id",
    "group_name",
    "period",
    "rank",
    "window",
    "first_cell",
    "hours",
    "weight",
    "share",
    "share_of_week",
    "concentration",
    "max_adjusted_residual",
    "crimes",
    "crimes_with_time_range",
    "chi_square",
    "p_value",
    "test",
]


def time_words(*, first_cell: int, hours: int) -> str:
    """Plain words for when a window of ``hours`` starting at ``first_cell`` (1–168) falls.

    ``late at night`` when every hour is between 20:00 and 06:00, ``at the weekend`` when
    every hour is between Friday 18:00 and Monday 06:00; otherwise the days named.

    Examples
    --------
    >>> time_words(first_cell=24 * 5 + 22 + 1, hours=5)
    'late at night at the weekend'
    >>> time_words(first_cell=24 * 2 + 9 + 1, hours=3)
    'on Tuesday'
    """
    cells = [(first_cell - 1 + offset) % HOURS_IN_WEEK for offset in range(hours)]
    day_hours = [(cell // 24, cell % 24) for cell in cells]
    night = all(hour in _NIGHT_HOURS for _, hour in day_hours)
    weekend = all(
        (day == 5 and hour >= 18) or day in (6, 0) or (day == 1 and hour < 6)
        for day, hour in day_hours
    )
    if night and weekend:
        return "late at night at the weekend"
    if weekend:
        return "at the weekend"
    names = {"Sun": "Sunday", "Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday"}
    names.update({"Thu": "Thursday", "Fri": "Friday", "Sat": "Saturday"})
    days = list(dict.fromkeys(names[DAY_NAMES[day]] for day, _ in day_hours))
    when = "on " + (days[0] if len(days) == 1 else f"{', '.join(days[:-1])} and {days[-1]}")
    return f"late at night {when}" if night else when


def hour_of_week_table(crimes: pd.DataFrame, *, group: CrimeGroup, period: Period) -> pd.DataFrame:
    """The aoristic hour-of-week profile of ``crimes`` (one group), with peak residuals."""
    profile = aoristic_hour_of_week(start=crimes["committed_from"], end=crimes["committed_to"])
    total = float(profile["weight"].sum())
    table = profile.assign(share=profile["weight"] / total if total > 0 else np.nan)
    if len(crimes) >= MIN_CRIMES_FOR_PEAKS:
        peaks = hour_of_week_peaks(weight=profile["weight"])
        table = table.assign(
            expected=peaks["expected"],
            adjusted_residual=peaks["adjusted_residual"],
            peak=peaks["peak"],
            window=peaks["window"],
            chi_square=peaks["chi_square"],
            p_value=peaks["p_value"],
        )
    else:
        table = table.assign(
            expected=total / HOURS_IN_WEEK,
            adjusted_residual=np.nan,
            peak=False,
            window="",
            chi_square=np.nan,
            p_value=np.nan,
        )
    table.insert(
        0,
        "row_id",
        [f"time_hour_of_week:{group.id}:{cell}:{period.label}" for cell in table["cell"]],
    )
    table.insert(1, "group_id", group.id)
    table.insert(2, "group_name", group.name)
    table.insert(3, "period", period.label)
    return table


def peak_table(
    hours: pd.DataFrame, *, crimes: int, crimes_with_time_range: int, period: Period
) -> pd.DataFrame:
    """One row per peak window of one group's hour-of-week table, largest weight first."""
    peaks = hours[hours["peak"]]
    if peaks.empty:
        return pd.DataFrame(columns=_PEAK_COLUMNS)
    total = float(hours["weight"].sum())
    group_id = str(hours["group_id"].iloc[0])
    rows = []
    for window, cells in peaks.groupby("window", sort=False):
        first = _first_cell(cells["cell"].to_numpy())
        weight = float(cells["weight"].sum())
        rows.append(
            {
                "group_id": group_id,
                "group_name": str(hours["group_name"].iloc[0]),
                "period": period.label,
                "window": str(window),
                "first_cell": first,
                "hours": len(cells),
                "weight": weight,
                "share": weight / total,
                "share_of_week": len(cells) / HOURS_IN_WEEK,
                "concentration": (weight / total) / (len(cells) / HOURS_IN_WEEK),
                "max_adjusted_residual": float(cells["adjusted_residual"].max()),
                "crimes": crimes,
                "crimes_with_time_range": crimes_with_time_range,
                "chi_square": float(hours["chi_square"].iloc[0]),
                "p_value": float(hours["p_value"].iloc[0]),
                "test": PEAK_TEST,
            }
        )
    table = pd.DataFrame(rows).sort_values("weight", ascending=False, kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    table["row_id"] = [f"time_peaks:{group_id}:{rank}:{period.label}" for rank in table["rank"]]
    return table[_PEAK_COLUMNS].reset_index(drop=True)


def _first_cell(cells: np.ndarray) -> int:
    """The first cell (1–168) of a run of consecutive cells that may wrap past Saturday."""
    members = {int(cell) for cell in cells}
    for cell in sorted(members):
        previous = (cell - 2) % HOURS_IN_WEEK + 1
        if previous not in members:
            return cell
    return min(members)


def peak_findings(peaks: pd.DataFrame) -> list[Finding]:
    """For each group, a sentence on its largest peak window (and how many others it has)."""
    findings = []
    for group_id, rows in peaks.groupby("group_id", sort=False):
        top = rows.iloc[0]
        name = str(top["group_name"])
        others = len(rows) - 1
        more = (
            f"; {others} other peak window{'s' if others > 1 else ''} "
            f"held {100 * rows['share'].iloc[1:].sum():.1f}%"
            if others
            else ""
        )
        lowered = name[0].lower() + name[1:]
        words = time_words(first_cell=int(top["first_cell"]), hours=int(top["hours"]))
        sentence = (
            f"In {top['period']}, {lowered} peaked {words}: {top['window']} held"
            f" {100 * top['share']:.1f}% of these crimes in {int(top['hours'])} of the week's"
            f" 168 hours ({100 * top['share_of_week']:.1f}% of the week){more} (peak hours:"
            f" {PEAK_TEST}, {p_value_words(float(top['p_value']))}; a crime known to have"
            " happened within a range of times is spread over it)."
        )
        findings.append(
            Finding(
                finding_id=f"time_peak_{group_id}",
                topic=str(group_id),
                sentence=sentence,
                row_ids=tuple(str(row_id) for row_id in rows["row_id"]),
                significant=bool(top["p_value"] < 0.05),
                methods=(MethodId.TIME_OF_DAY.value,),
            )
        )
    return findings


def time_of_day(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 9: seasonal indices, and hour-of-week profiles (aoristic) with peak windows."""
    seasonal, not_profiled = seasonality_table(
        inputs.counts, groups=inputs.groups, sources=inputs.sources, period=inputs.period
    )
    tables: dict[str, pd.DataFrame] = {}
    skipped: dict[str, str] = {}
    if seasonal.empty:
        skipped["time_seasonality"] = (
            f"seasonal indices need {MONTHS_NEEDED} consecutive months of data ending"
            f" {inputs.period.last_month:%Y-%m} and {MIN_MONTHLY_CRIMES} crimes a month"
        )
    else:
        tables["time_seasonality"] = seasonal
    findings = seasonality_findings(seasonal)
    manifest: dict[str, Any] = {"seasonality_not_profiled": not_profiled}
    groups = [
        group
        for group in inputs.groups
        if inputs.sources.get(group.id) == DataSource.EXTRACT and group.id in TIME_GROUPS
    ]
    crimes = (
        area_extract_crimes(inputs.warehouse, area=inputs.area, period=inputs.period)
        if groups
        else pd.DataFrame()
    )
    names = {group.id: group.name.lower() for group in inputs.groups}
    profiled = ", ".join(names.get(group, group.replace("_", " ")) for group in TIME_GROUPS)
    reason = (
        "times of day need a force record-level extract (police.uk gives only the month), and"
        f" none with crimes of the kinds profiled ({profiled}) is loaded for {inputs.area.name}"
        f" in {inputs.period.words}"
    )
    if crimes.empty:
        skipped["time_hour_of_week"] = reason
        return FamilyOutput(tables=tables, skipped=skipped, findings=findings, manifest=manifest)
    membership, _ = crime_group_membership(inputs.warehouse, crimes, groups=groups)
    hour_tables = []
    peak_tables = []
    by_order = sorted(groups, key=lambda group: TIME_GROUPS.index(group.id))
    for group in by_order:
        keys = membership.loc[membership["group_id"] == group.id, "crime_key"]
        selected = crimes[crimes["crime_key"].isin(keys)]
        if selected.empty:
            continue
        hours = hour_of_week_table(selected, group=group, period=inputs.period)
        hour_tables.append(hours)
        if len(selected) < MIN_CRIMES_FOR_PEAKS:
            skipped[f"time_peaks_{group.id}"] = (
                f"fewer than {MIN_CRIMES_FOR_PEAKS} {group.name.lower()} crimes: too few for the"
                " peak test (it needs one expected crime per hour of the week)"
            )
            continue
        ranged = selected["committed_to"].notna() & (
            selected["committed_to"] > selected["committed_from"]
        )
        peak_tables.append(
            peak_table(
                hours,
                crimes=len(selected),
                crimes_with_time_range=int(ranged.sum()),
                period=inputs.period,
            )
        )
    if not hour_tables:
        skipped["time_hour_of_week"] = reason
        return FamilyOutput(tables=tables, skipped=skipped, findings=findings, manifest=manifest)
    filled = [table for table in peak_tables if not table.empty]
    tables["time_hour_of_week"] = pd.concat(hour_tables, ignore_index=True)
    tables["time_peaks"] = (
        pd.concat(filled, ignore_index=True) if filled else pd.DataFrame(columns=_PEAK_COLUMNS)
    )
    manifest.update(
        crimes=len(crimes),
        crimes_with_time_range=int(crimes["committed_to"].notna().sum()),
        flag_completeness={flag: float(crimes[flag].notna().mean()) for flag in FLAG_COLUMNS},
        method="aoristic hour-of-week weights (Ratcliffe 2002); " + PEAK_TEST,
        min_crimes_for_peaks=MIN_CRIMES_FOR_PEAKS,
    )
    return FamilyOutput(
        tables=tables,
        skipped=skipped,
        findings=findings + peak_findings(tables["time_peaks"]),
        manifest=manifest,
    )
