"""Disclosure control for public tables: small counts suppressed, with secondary suppression.

Counts from 1 to ``threshold - 1`` (1-4 by default) are suppressed, with every figure that
would reveal them (the rate and its interval, the change). Because the area's total is
published, a group's wards form one line of a table, and each ward's LSOAs another: when only
one cell of a line is suppressed, the next smallest is suppressed too, so that no hidden count
can be recovered by subtraction (``methods.md`` §0.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safecity.assess.indicator_columns import AreaLevel
from safecity.assess.study_area import StudyArea
from safecity.stats import suppression_mask

DEFAULT_THRESHOLD = 5
_HIDDEN_WITH_COUNT = (
    "numerator",
    "value",
    "lower_ci",
    "upper_ci",
    "change_pct",
    "change_ratio",
    "change_p_value",
    "change_significant",
    "benchmark_label",
    "rank",
)
_HIDDEN_WITH_BASELINE = (
    "baseline_numerator",
    "baseline_value",
    "change_pct",
    "change_ratio",
    "change_p_value",
    "change_significant",
)


def _line_mask(counts: pd.Series, *, threshold: int) -> pd.Series:
    mask = suppression_mask(counts.to_numpy(dtype=float), threshold=threshold, secondary=True)
    return pd.Series(mask.to_numpy()[0], index=counts.index)


def public_indicators(
    indicators: pd.DataFrame, *, area: StudyArea, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """A copy of ``indicators`` fit to publish: small numbers and what reveals them removed."""
    public = indicators.copy()
    suppressed = pd.Series(False, index=public.index)
    ward_of = dict(zip(area.lsoas["lsoa_code"], area.lsoas["ward_code"], strict=True))
    for _, rows in public.groupby("indicator_id"):
        wards = rows[rows["area_level"] == AreaLevel.WARD.value]
        if not wards.empty:
            suppressed.loc[wards.index] = _line_mask(wards["numerator"], threshold=threshold)
        lsoas = rows[rows["area_level"] == AreaLevel.LSOA.value]
        for _, line in lsoas.groupby(lsoas["area_code"].map(ward_of)):
            suppressed.loc[line.index] = _line_mask(line["numerator"], threshold=threshold)
        whole = rows[~rows["area_level"].isin([AreaLevel.WARD.value, AreaLevel.LSOA.value])]
        small = (whole["numerator"] > 0) & (whole["numerator"] < threshold)
        suppressed.loc[whole.index] = small
    baseline = pd.to_numeric(public["baseline_numerator"], errors="coerce").fillna(0)
    small_baseline = (baseline > 0) & (baseline < threshold)
    public = public.astype(dict.fromkeys(_HIDDEN_WITH_COUNT + _HIDDEN_WITH_BASELINE, "object"))
    public.loc[suppressed, list(_HIDDEN_WITH_COUNT)] = None
    public.loc[small_baseline, list(_HIDDEN_WITH_BASELINE)] = None
    public["suppressed"] = suppressed | small_baseline
    public["caveat"] = np.where(
        public["suppressed"],
        (
            public["caveat"].fillna("").astype(str) + f"; counts under {threshold} suppressed"
        ).str.strip("; "),
        public["caveat"],
    )
    return public
