"""The community-reports family's partner tables, from the loaded export counts.

:func:`read_community_reports` reads the counts of the assessed area in the period and the
baseline (``community_report_count``) and the months the loaded exports cover
(``community_report_month``: a covered month without rows had no reports; a month no export
covers is missing, never zero). :func:`community_report_tables` makes the five tables of the
family (``docs/assessment.md``, "Community reports"):

``community_reports_summary``
    reports by kind and channel in the period and the baseline (with each kind's total over
    channels and the total of all kinds), business losses, and the change between the two
    periods per month covered, tested with the exact conditional rate-ratio test
    (:func:`safecity.stats.differences.rate_ratio_test`, methods.md §2.2a);
``community_reports_monthly``
    reports by kind in every covered month of both periods;
``community_reports_strand``
    hate reports naming each strand (a report naming two strands counts in both), the
    baseline's and the change, beside police-recorded hate crime with that strand's flag
    (the ``indicators`` numerator of the strand's ``police_crime_group`` when that group was
    assessed from a force extract; otherwise null, with ``police_recorded_note`` saying why);
``community_reports_ward``
    reports by ward and kind in the period (reports without a point in one row with no ward);
``community_reports_business``
    business reports and losses by category in the period (and the baseline's reports).

Every row has a ``row_id`` that findings cite.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.config.community_reports import CommunityReportsConfig
from safecity.data.community_reports.export_format import CHANNEL_LABELS, Channel
from safecity.data.warehouse import Warehouse
from safecity.stats.differences import rate_ratio_test

ALL = "all"
"""The ``kind`` or ``channel`` of a total row."""
ALL_KINDS_LABEL = "All community reports"
ALL_CHANNELS_LABEL = "All channels"
NO_WARD_LABEL = "No location given (online, or none given)"
CHANGE_TEST = "exact conditional rate-ratio test on reports per month covered"
NO_EXTRACT = "no force extract is assessed, and data.police.uk files carry no hate-crime flags"
NO_POLICE_GROUP = "no police-recorded strand corresponds to this one"

SUMMARY_COLUMNS = (
    "row_id", "kind", "kind_label", "channel", "channel_label", "reports", "reports_previous",
    "losses_pounds", "months_covered", "months_covered_previous", "change_pct",
    "change_p_value", "change_significant", "change_test", "change_not_made", "suppressed",
)  # fmt: skip
MONTHLY_COLUMNS = ("row_id", "month", "period", "kind", "kind_label", "reports", "suppressed")
STRAND_COLUMNS = (
    "row_id", "strand", "strand_label", "community_reports", "community_reports_previous",
    "change_pct", "change_p_value", "change_significant", "change_test", "change_not_made",
    "police_recorded", "police_crime_group", "police_recorded_note", "suppressed",
)  # fmt: skip
WARD_COLUMNS = ("row_id", "ward_code", "ward_name", "kind", "kind_label", "reports", "suppressed")
BUSINESS_COLUMNS = (
    "row_id", "category", "category_label", "reports", "reports_previous", "losses_pounds",
    "suppressed",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CommunityReportCounts:
    """The loaded counts of one area in the period and the baseline, and their coverage.

    ``rows`` has ``month`` (date), ``kind, category, strands`` (tuple), ``channel, ward_code,
    lsoa_code`` (None when no point), ``reports`` (int), ``losses_pounds`` (float or NaN),
    ``in_period`` and ``in_baseline``; one row per loaded export row (the atoms of disclosure
    control).
    """

    rows: pd.DataFrame
    period_months: tuple[date, ...]
    baseline_months: tuple[date, ...]
    all_months: tuple[date, ...]
    files: tuple[dict[str, Any], ...]


def loaded_areas(warehouse: Warehouse) -> list[str]:
    """Areas with community reports loaded."""
    rows = warehouse.connection.execute(
        "SELECT DISTINCT area_code FROM community_report_month ORDER BY area_code"
    ).fetchall()
    return [str(row[0]) for row in rows]


def read_community_reports(
    warehouse: Warehouse, *, area_code: str, period: Period, baseline: Period
) -> CommunityReportCounts:
    """The counts of ``area_code`` in ``period`` and ``baseline`` (see the class)."""
    connection = warehouse.connection
    months = [
        row[0]
        for row in connection.execute(
            "SELECT month FROM community_report_month WHERE area_code = ? ORDER BY month",
            [area_code],
        ).fetchall()
    ]
    covered = {month if isinstance(month, date) else pd.Timestamp(month).date() for month in months}
    first = min(period.first_month, baseline.first_month)
    last = max(period.last_month, baseline.last_month)
    frame = connection.execute(
        "SELECT month, kind, category, strands, channel, ward_code, lsoa_code, reports,"
        " CAST(losses_pounds AS DOUBLE) AS losses_pounds FROM community_report_count"
        " WHERE area_code = ? AND month BETWEEN ? AND ?"
        " ORDER BY month, kind, category, strands, channel, ward_code, lsoa_code",
        [area_code, first, last],
    ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["strands"] = [
        tuple(part for part in str(text).split(";") if part) for text in frame["strands"]
    ]
    frame["reports"] = frame["reports"].astype("int64")
    frame["ward_code"] = frame["ward_code"].astype(object).where(frame["ward_code"].notna(), None)
    frame["lsoa_code"] = frame["lsoa_code"].astype(object).where(frame["lsoa_code"].notna(), None)
    period_months = set(period.months)
    baseline_months = set(baseline.months)
    frame["in_period"] = frame["month"].isin(period_months)
    frame["in_baseline"] = frame["month"].isin(baseline_months)
    frame = frame[frame["in_period"] | frame["in_baseline"]].reset_index(drop=True)
    files = connection.execute(
        "SELECT f.file_id, f.path, f.sha256, f.rows_in, f.loaded, f.quarantined,"
        " CAST(f.loaded_at AS VARCHAR), min(m.month), max(m.month)"
        " FROM community_report_month m JOIN load_file f USING (file_id)"
        " WHERE m.area_code = ? GROUP BY ALL ORDER BY f.file_id",
        [area_code],
    ).fetchall()
    keys = (
        "file_id", "path", "sha256", "rows_in", "loaded", "quarantined", "loaded_at",
        "first_month", "last_month",
    )  # fmt: skip
    return CommunityReportCounts(
        rows=frame,
        period_months=tuple(sorted(covered & period_months)),
        baseline_months=tuple(sorted(covered & baseline_months)),
        all_months=tuple(sorted(covered)),
        files=tuple(
            {
                key: (f"{value:%Y-%m}" if isinstance(value, date) else value)
                for key, value in zip(keys, row, strict=True)
            }
            for row in files
        ),
    )


@dataclass(frozen=True, slots=True)
class Change:
    """A change between the periods' reports per month covered (or why it was not made)."""

    change_pct: float | None
    p_value: float | None
    significant: bool
    not_made: str


def compare_reports(*, now: int, then: int, months_now: int, months_then: int) -> Change:
    """The exact conditional rate-ratio test of ``now`` per month against ``then`` per month.

    The periods are compared per month covered (methods.md §0.2a: periods of different
    length are compared per unit of time).

    >>> change = compare_reports(now=31, then=13, months_now=12, months_then=12)
    >>> round(change.change_pct, 1), change.significant
    (138.5, True)
    """
    if months_now == 0 or months_then == 0:
        return Change(None, None, False, "the loaded exports do not cover both periods")
    if now + then == 0:
        return Change(None, None, False, "no reports in either period")
    result = rate_ratio_test(
        count=[now],
        population=[months_now],
        comparator_count=[then],
        comparator_population=[months_then],
    ).iloc[0]
    if then == 0:
        return Change(None, float(result["p_value"]), bool(result["significant"]), "")
    return Change(
        float(result["percentage_change"]),
        float(result["p_value"]),
        bool(result["significant"]),
        "",
    )


def _change_columns(change: Change) -> dict[str, Any]:
    return {
        "change_pct": change.change_pct,
        "change_p_value": change.p_value,
        "change_significant": change.significant,
        "change_test": CHANGE_TEST if not change.not_made else None,
        "change_not_made": change.not_made or None,
    }


def _sum(rows: pd.DataFrame, mask: Any, column: str = "reports") -> int:
    return int(rows.loc[mask, column].sum())


def _losses(rows: pd.DataFrame, mask: Any) -> float | None:
    values = rows.loc[mask, "losses_pounds"].dropna()
    return None if values.empty else round(float(values.sum()), 2)


def summary_table(counts: CommunityReportCounts, *, config: CommunityReportsConfig) -> pd.DataFrame:
    """``community_reports_summary`` (see the module)."""
    rows = counts.rows
    months_now, months_then = len(counts.period_months), len(counts.baseline_months)
    now, then = rows["in_period"], rows["in_baseline"]
    records: list[dict[str, Any]] = []

    def add(kind: str, kind_label: str, channel: str, channel_label: str, mask: Any) -> None:
        current, previous = _sum(rows, mask & now), _sum(rows, mask & then)
        change = compare_reports(
            now=current, then=previous, months_now=months_now, months_then=months_then
        )
        records.append(
            {
                "row_id": f"community_reports_summary:{kind}:{channel}",
                "kind": kind,
                "kind_label": kind_label,
                "channel": channel,
                "channel_label": channel_label,
                "reports": current if months_now else None,
                "reports_previous": previous if months_then else None,
                "losses_pounds": _losses(rows, mask & now) if kind == "business" else None,
                "months_covered": months_now,
                "months_covered_previous": months_then,
                **_change_columns(change),
                "suppressed": False,
            }
        )

    for kind in config.kinds:
        of_kind = rows["kind"] == kind.id
        for channel in Channel:
            mask = of_kind & (rows["channel"] == channel.value)
            if bool(mask.any()):
                add(kind.id, kind.label, channel.value, CHANNEL_LABELS[channel], mask)
        add(kind.id, kind.label, ALL, ALL_CHANNELS_LABEL, of_kind)
    add(ALL, ALL_KINDS_LABEL, ALL, ALL_CHANNELS_LABEL, pd.Series(True, index=rows.index))
    return pd.DataFrame(records, columns=list(SUMMARY_COLUMNS))


def monthly_table(
    counts: CommunityReportCounts, *, config: CommunityReportsConfig, period: Period
) -> pd.DataFrame:
    """``community_reports_monthly``: every covered month of both periods, by kind."""
    rows = counts.rows
    records = []
    for month in sorted(set(counts.period_months) | set(counts.baseline_months)):
        which = "period" if month in set(period.months) else "baseline"
        for kind in config.kinds:
            records.append(
                {
                    "row_id": f"community_reports_monthly:{kind.id}:{month:%Y-%m}",
                    "month": month,
                    "period": which,
                    "kind": kind.id,
                    "kind_label": kind.label,
                    "reports": _sum(rows, (rows["month"] == month) & (rows["kind"] == kind.id)),
                    "suppressed": False,
                }
            )
    return pd.DataFrame(records, columns=list(MONTHLY_COLUMNS))


def names_strand(rows: pd.DataFrame, strand: str) -> pd.Series:
    """Rows of hate reports naming ``strand``."""
    return (rows["kind"] == "hate") & rows["strands"].map(lambda named: strand in named)


def police_recorded(
    *,
    group: str | None,
    indicators: pd.DataFrame,
    sources: dict[str, str],
    area_code: str,
    strand_label: str = "this strand",
) -> tuple[int | None, str | None]:
    """Police-recorded crimes of ``group`` in the area and period, or None and why not."""
    if group is None:
        return None, NO_POLICE_GROUP
    if "extract" not in sources.values():
        return None, NO_EXTRACT
    if sources.get(group) != "extract":
        return None, (
            f"police-recorded hate crime flagged for {strand_label[:1].lower()}"
            f"{strand_label[1:]} was not computed from the force extract"
        )
    found = indicators[
        (indicators["indicator_id"] == group) & (indicators["area_code"] == area_code)
    ]
    if found.empty or pd.isna(found.iloc[0]["numerator"]):
        return None, (
            f"police-recorded hate crime flagged for {strand_label[:1].lower()}"
            f"{strand_label[1:]} was not computed"
        )
    return int(float(found.iloc[0]["numerator"])), None


def strand_table(
    counts: CommunityReportCounts,
    *,
    config: CommunityReportsConfig,
    indicators: pd.DataFrame,
    sources: dict[str, str],
    area_code: str,
) -> pd.DataFrame:
    """``community_reports_strand`` (see the module)."""
    rows = counts.rows
    months_now, months_then = len(counts.period_months), len(counts.baseline_months)
    records = []
    for strand in config.strands:
        named = names_strand(rows, strand.id)
        current, previous = (
            _sum(rows, named & rows["in_period"]),
            _sum(rows, named & rows["in_baseline"]),
        )
        change = compare_reports(
            now=current, then=previous, months_now=months_now, months_then=months_then
        )
        recorded, note = police_recorded(
            group=strand.police_crime_group,
            indicators=indicators,
            sources=sources,
            area_code=area_code,
            strand_label=strand.label,
        )
        records.append(
            {
                "row_id": f"community_reports_strand:{strand.id}",
                "strand": strand.id,
                "strand_label": strand.label,
                "community_reports": current if months_now else None,
                "community_reports_previous": previous if months_then else None,
                **_change_columns(change),
                "police_recorded": recorded,
                "police_crime_group": strand.police_crime_group,
                "police_recorded_note": note,
                "suppressed": False,
            }
        )
    table = pd.DataFrame(records, columns=list(STRAND_COLUMNS))
    table["police_recorded"] = table["police_recorded"].astype("Int64")
    return table


def ward_table(
    counts: CommunityReportCounts, *, config: CommunityReportsConfig, area: StudyArea
) -> pd.DataFrame:
    """``community_reports_ward``: every ward of the area by kind, and reports with no point."""
    rows = counts.rows[counts.rows["in_period"]]
    unique = area.lsoas.drop_duplicates("ward_code").sort_values("ward_code")
    wards: list[tuple[str | None, str]] = [
        (str(code), str(name))
        for code, name in zip(unique["ward_code"], unique["ward_name"], strict=True)
    ]
    records = []
    for code, name in [*wards, (None, NO_WARD_LABEL)]:
        in_ward = rows["ward_code"].isna() if code is None else rows["ward_code"] == code
        for kind in config.kinds:
            records.append(
                {
                    "row_id": f"community_reports_ward:{code or 'none'}:{kind.id}",
                    "ward_code": code,
                    "ward_name": name,
                    "kind": kind.id,
                    "kind_label": kind.label,
                    "reports": _sum(rows, in_ward & (rows["kind"] == kind.id)),
                    "suppressed": False,
                }
            )
    return pd.DataFrame(records, columns=list(WARD_COLUMNS))


def outside_wards(counts: CommunityReportCounts, *, area: StudyArea) -> int:
    """Reports in the period placed in a ward that is not one of the area's (e.g. a ward of
    other boundaries): counted in the totals, not in any ward row."""
    rows = counts.rows[counts.rows["in_period"]]
    known = set(area.lsoas["ward_code"].astype(str))
    placed = rows["ward_code"].notna()
    return int(rows.loc[placed & ~rows["ward_code"].isin(known), "reports"].sum())


def business_table(
    counts: CommunityReportCounts, *, config: CommunityReportsConfig, business_kind: str
) -> pd.DataFrame:
    """``community_reports_business``: reports and losses by business category."""
    rows = counts.rows
    months_now, months_then = len(counts.period_months), len(counts.baseline_months)
    records = []
    for category in config.kind(business_kind).categories:
        mask = (rows["kind"] == business_kind) & (rows["category"] == category.id)
        records.append(
            {
                "row_id": f"community_reports_business:{category.id}",
                "category": category.id,
                "category_label": category.label,
                "reports": _sum(rows, mask & rows["in_period"]) if months_now else None,
                "reports_previous": _sum(rows, mask & rows["in_baseline"]) if months_then else None,
                "losses_pounds": _losses(rows, mask & rows["in_period"]),
                "suppressed": False,
            }
        )
    return pd.DataFrame(records, columns=list(BUSINESS_COLUMNS))


def month_words(months: Sequence[date]) -> str:
    """``April 2024 to March 2025`` (or ``none``)."""
    if not months:
        return "none"
    first, last = min(months), max(months)
    return f"{first:%B %Y} to {last:%B %Y}" if first != last else f"{first:%B %Y}"


def not_made(row: Mapping[Hashable, Any]) -> str:
    """Why a row's change was not made (``""`` when it was)."""
    reason = row.get("change_not_made")
    return "" if reason is None or (isinstance(reason, float) and pd.isna(reason)) else str(reason)


def as_float(value: Any) -> float:
    """A table value as a float (NaN for None)."""
    return float("nan") if value is None or pd.isna(value) else float(value)


__all__ = [
    "ALL",
    "CHANGE_TEST",
    "Change",
    "CommunityReportCounts",
    "as_float",
    "business_table",
    "compare_reports",
    "loaded_areas",
    "month_words",
    "monthly_table",
    "names_strand",
    "not_made",
    "outside_wards",
    "police_recorded",
    "read_community_reports",
    "strand_table",
    "summary_table",
    "ward_table",
]
