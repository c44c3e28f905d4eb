"""Disclosure control for public tables: small counts suppressed, with secondary suppression.

Counts from 1 to ``threshold - 1`` (1-4 by default) are suppressed, with every figure that
would reveal them (the rate and its interval, the change). Because the area's total is
published, a group's wards form one line of a table, and each ward's LSOAs another: when only
one cell of a line is suppressed, the next smallest is suppressed too, so that no hidden count
can be recovered by subtraction (``methods.md`` §0.2).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
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


def _suppress_lines(
    counts: npt.NDArray[np.float64], *, lines: list[npt.NDArray[np.bool_]], threshold: int
) -> npt.NDArray[np.bool_]:
    """Primary suppression of ``counts``, then secondary within each line until stable.

    A line is a set of cells whose total is published. While a line has exactly one hidden
    non-zero cell and other non-zero cells shown, its smallest shown non-zero cell is hidden
    too (methods.md §0.2); lines may overlap, so the rule is applied until nothing changes.
    """
    hidden = (counts > 0) & (counts < threshold)
    changed = True
    while changed:
        changed = False
        for line in lines:
            in_line = line & (counts > 0)
            if int((hidden & in_line).sum()) != 1:
                continue
            shown = np.flatnonzero(in_line & ~hidden)
            if shown.size == 0:
                continue
            hidden[shown[np.argmin(counts[shown])]] = True
            changed = True
    return hidden


def public_monthly_series(
    series: pd.DataFrame,
    *,
    published_periods: list[tuple[pd.Timestamp, pd.Timestamp]],
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """A copy of ``monthly_series`` fit to publish: monthly counts from 1 to ``threshold - 1``
    hidden, with the month's special-cause signal, and secondary suppression.

    Each group's months in each published period (the assessed period, the baseline, the
    three previous periods together, the whole window of the XmR mean) form a line whose total
    is published, so no hidden month can be recovered by subtraction. The mean and process
    limits are kept (they rest on the whole window). A ``suppressed`` column marks the rows.

    Parameters
    ----------
    series
        The partner ``monthly_series`` (``group_id, month, count, ...``).
    published_periods
        ``(first_month, last_month)`` of every period whose total is published.
    threshold
        Counts from 1 to ``threshold - 1`` are suppressed (default 5).
    """
    public = series.copy()
    suppressed = pd.Series(False, index=public.index)
    months = pd.to_datetime(public["month"])
    for _, rows in public.groupby("group_id"):
        counts = rows["count"].to_numpy(dtype=float)
        in_rows = months.loc[rows.index]
        lines = [
            ((in_rows >= first) & (in_rows <= last)).to_numpy() for first, last in published_periods
        ]
        lines.append(np.ones(len(rows), dtype=bool))
        suppressed.loc[rows.index] = _suppress_lines(counts, lines=lines, threshold=threshold)
    public["count"] = public["count"].astype("Int64")
    public.loc[suppressed, "count"] = pd.NA
    signals = [column for column in ("special_cause", "variation") if column in public.columns]
    public = public.astype(dict.fromkeys(signals, "object"))
    public.loc[suppressed, signals] = None
    public["suppressed"] = suppressed.to_numpy()
    return public


def public_lsoa_quintiles(
    quintiles: pd.DataFrame, *, public_indicators: pd.DataFrame
) -> pd.DataFrame:
    """A copy of ``lsoa_quintiles`` fit to publish: an LSOA whose rate the public
    ``indicators`` hide (suppressed, no value) has its rate and quintile hidden too.

    The quintile is hidden with the rate because quintile boundaries falling among small
    counts would narrow the suppressed range. A ``suppressed`` column marks the rows.
    """
    lsoas = public_indicators[public_indicators["area_level"] == AreaLevel.LSOA.value]
    hidden_rows = lsoas[lsoas["suppressed"].astype(bool) & lsoas["value"].isna()]
    hidden = set(zip(hidden_rows["indicator_id"], hidden_rows["area_code"], strict=True))
    public = quintiles.copy()
    suppressed = np.array(
        [
            (indicator, code) in hidden
            for indicator, code in zip(public["indicator_id"], public["area_code"], strict=True)
        ],
        dtype=bool,
    )
    public["value"] = public["value"].astype(float)
    public.loc[suppressed, "value"] = np.nan
    public["quintile"] = public["quintile"].astype("Int64")
    public.loc[suppressed, "quintile"] = pd.NA
    public["suppressed"] = suppressed
    return public


ROW_ID_COLUMNS = ("row_id", "priority_id")
"""Columns that identify a row of a table, as cited in ``findings.row_ids``."""


def _citable_rows(public_tables: dict[str, pd.DataFrame]) -> tuple[set[str], set[str]]:
    """Row ids published in ``public_tables``, and those of them marked suppressed."""
    published: set[str] = set()
    suppressed: set[str] = set()
    for table in public_tables.values():
        for column in ROW_ID_COLUMNS:
            if column not in table.columns:
                continue
            ids = table[column].astype(str)
            published.update(ids)
            if "suppressed" in table.columns:
                flagged = table["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                suppressed.update(ids[flagged])
    return published, suppressed


def public_findings(
    findings: pd.DataFrame, *, public_tables: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """The findings fit to publish: those whose every cited row is public and not suppressed.

    A finding quotes the counts of the rows it cites, so it is published only when each of
    those rows is itself in a public table (never a person-level or time-of-week table) and
    not suppressed there, directly or by secondary suppression (``methods.md`` §0.2).

    >>> findings = pd.DataFrame({"finding_id": ["a", "b", "c"],
    ...                          "row_ids": ["x:1", "x:1;x:2", "people:1"]})
    >>> table = pd.DataFrame({"row_id": ["x:1", "x:2"], "suppressed": [False, True]})
    >>> public_findings(findings, public_tables={"indicators": table})["finding_id"].tolist()
    ['a']
    """
    published, suppressed = _citable_rows(public_tables)

    def publishable(row_ids: object) -> bool:
        cited = [row_id for row_id in str(row_ids).split(";") if row_id]
        return bool(cited) and all(
            row_id in published and row_id not in suppressed for row_id in cited
        )

    keep = findings["row_ids"].map(publishable).to_numpy(dtype=bool)
    return findings.loc[keep].reset_index(drop=True)
