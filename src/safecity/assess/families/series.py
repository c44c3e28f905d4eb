"""Family 2 (part): monthly series for the assessed area with XmR process limits (§9.3).

A month without data for a group's source is missing: its count is empty, never 0
(methods.md §0.2a, §11.7), and it carries no signal. The XmR limits and special-cause rules
are computed on the months with data, in order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safecity.assess.coverage import Coverage
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.stats import ImprovementDirection, xmr_limits

MINIMUM_POINTS = 12
"""Fewer monthly points with data than this give no process limits (NHS guidance: 12-20)."""

SERIES_COLUMNS = (
    "group_id", "area_code", "month", "count", "has_data", "mean", "lower_process_limit",
    "upper_process_limit", "special_cause", "variation",
)  # fmt: skip


def monthly_series(
    counts: pd.DataFrame,
    *,
    area: StudyArea,
    window: Period,
    period: Period,
    sources: dict[str, str],
    coverage: Coverage,
) -> pd.DataFrame:
    """Monthly counts of each group in the area, with XmR limits and signals.

    Each group's series runs from its source's first month with data in ``window`` to the end
    of ``period``; months in between without data have an empty ``count`` and
    ``has_data = False``. Groups whose source has no month of data get no rows.
    """
    in_area = counts[counts["lsoa_code"].isin(area.lsoas["lsoa_code"])]
    by_group = dict(tuple(in_area.groupby("group_id")))
    frames = []
    for group_id in sorted(sources):
        present = sorted(
            month for month in coverage.months(sources[group_id]) if month <= period.last_month
        )
        present = [month for month in present if month >= window.first_month]
        if not present:
            continue
        span = Period(first_month=present[0], last_month=period.last_month)
        months = pd.DatetimeIndex([pd.Timestamp(month) for month in span.months], name="month")
        has_data = months.isin([pd.Timestamp(month) for month in present])
        frame = by_group.get(group_id)
        monthly = (
            frame.groupby("month")["count"].sum().reindex(months, fill_value=0)
            if frame is not None
            else pd.Series(0, index=months)
        )
        values = monthly.to_numpy(dtype=float)
        values[~has_data] = np.nan
        table = pd.DataFrame(
            {
                "group_id": group_id,
                "area_code": area.code,
                "month": months.date,
                "count": pd.array(
                    [None if np.isnan(value) else int(value) for value in values], dtype="Int64"
                ),
                "has_data": has_data,
            }
        )
        for column in ("mean", "lower_process_limit", "upper_process_limit"):
            table[column] = np.nan
        table["special_cause"] = None
        table["variation"] = None
        if int(has_data.sum()) >= MINIMUM_POINTS:
            limits = xmr_limits(
                values=values[has_data], improvement_direction=ImprovementDirection.DECREASE
            )
            for column in ("mean", "lower_process_limit", "upper_process_limit"):
                table.loc[has_data, column] = limits[column].to_numpy()
            table.loc[has_data, "special_cause"] = limits["special_cause"].astype(str).to_numpy()
            table.loc[has_data, "variation"] = limits["variation"].astype(str).to_numpy()
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=list(SERIES_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(SERIES_COLUMNS)]
