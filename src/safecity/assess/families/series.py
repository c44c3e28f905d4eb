"""Family 2 (part): monthly series for the assessed area with XmR process limits (§9.3)."""

from __future__ import annotations

import pandas as pd

from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.stats import ImprovementDirection, xmr_limits

MINIMUM_POINTS = 12
"""Fewer monthly points than this give no process limits (NHS guidance asks for 12-20)."""


def monthly_series(counts: pd.DataFrame, *, area: StudyArea, window: Period) -> pd.DataFrame:
    """Monthly counts of each group in the area over ``window``, with XmR limits and signals.

    Months with no recorded crime count as 0 (police.uk coverage gaps are reported separately,
    in ``data_quality_coverage``).
    """
    months = pd.DatetimeIndex([pd.Timestamp(month) for month in window.months], name="month")
    in_area = counts[counts["lsoa_code"].isin(area.lsoas["lsoa_code"])]
    frames = []
    for group_id, frame in in_area.groupby("group_id"):
        monthly = frame.groupby("month")["count"].sum().reindex(months, fill_value=0)
        table = pd.DataFrame(
            {
                "group_id": group_id,
                "area_code": area.code,
                "month": months.date,
                "count": monthly.to_numpy(),
            }
        )
        if len(table) >= MINIMUM_POINTS:
            limits = xmr_limits(
                values=table["count"].to_numpy(dtype=float),
                improvement_direction=ImprovementDirection.DECREASE,
            )
            for column in ("mean", "lower_process_limit", "upper_process_limit"):
                table[column] = limits[column].to_numpy()
            table["special_cause"] = limits["special_cause"].astype(str).to_numpy()
            table["variation"] = limits["variation"].astype(str).to_numpy()
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["group_id", "area_code", "month", "count"])
    return pd.concat(frames, ignore_index=True)
