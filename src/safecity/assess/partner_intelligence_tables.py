"""The partner-intelligence family's table, from the loaded ``intelligence-counts`` exports.

:func:`read_intelligence_counts` reads the counts of the assessed area in the period
(``intelligence_count``) and the months the loaded exports cover (``intelligence_count_month``:
a covered month without rows had no submissions; a month no export covers is missing, never
zero). :func:`counts_table` makes the family's one table (``docs/assessment.md``, "Partner
intelligence"):

``partner_intelligence_counts``
    submissions by month, topic and ward in the period (``month`` as ``YYYY-MM``, the topic's
    label from ``config/intelligence.yaml``, the ward's name from the assessed area's lookup;
    submissions placed in no ward in rows without a ward).

The table is for the PARTNER copy of the artefact only: it is never written to ``public/``, and
:func:`public_manifest` removes every trace of the family from the manifest a public reader sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.config.intelligence import IntelligenceConfig
from safecity.data.warehouse import Warehouse

FAMILY = "partner_intelligence"
TABLE = "partner_intelligence_counts"
COUNTS_COLUMNS = (
    "row_id", "month", "topic", "topic_label", "ward_code", "ward_name", "submissions",
)  # fmt: skip
NO_WARD_NAME = "No ward (placed in no ward of the boundaries)"
OUTSIDE_WARD_NAME = "A ward outside the assessed area"
PARTNER_ONLY_FORMATS = ("intelligence_counts_csv",)
"""``load_file`` formats whose files the public manifest never names."""


@dataclass(frozen=True, slots=True)
class IntelligenceCounts:
    """The loaded counts of one area in the period, and the coverage of the loaded exports.

    ``rows`` has ``month`` (date), ``topic``, ``ward_code`` (None when placed in no ward) and
    ``submissions`` (int), one row per loaded export row of the period.
    """

    rows: pd.DataFrame
    period_months: tuple[date, ...]
    all_months: tuple[date, ...]
    files: tuple[dict[str, Any], ...]


def loaded_areas(warehouse: Warehouse) -> list[str]:
    """Areas with intelligence counts loaded."""
    rows = warehouse.connection.execute(
        "SELECT DISTINCT area_code FROM intelligence_count_month ORDER BY area_code"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def read_intelligence_counts(
    warehouse: Warehouse, *, area_code: str, period: Period
) -> IntelligenceCounts:
    """The counts of ``area_code`` in ``period`` (see the class)."""
    connection = warehouse.connection
    covered = {
        _as_date(row[0])
        for row in connection.execute(
            "SELECT month FROM intelligence_count_month WHERE area_code = ?", [area_code]
        ).fetchall()
    }
    frame = connection.execute(
        "SELECT month, topic, ward_code, submissions FROM intelligence_count"
        " WHERE area_code = ? AND month BETWEEN ? AND ? ORDER BY month, topic, ward_code",
        [area_code, period.first_month, period.last_month],
    ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["submissions"] = frame["submissions"].astype("int64")
    frame["ward_code"] = frame["ward_code"].astype(object).where(frame["ward_code"].notna(), None)
    files = connection.execute(
        "SELECT f.file_id, f.path, f.sha256, f.rows_in, f.loaded, f.quarantined,"
        " CAST(f.loaded_at AS VARCHAR), min(m.month), max(m.month)"
        " FROM intelligence_count_month m JOIN load_file f USING (file_id)"
        " WHERE m.area_code = ? GROUP BY ALL ORDER BY f.file_id",
        [area_code],
    ).fetchall()
    keys = (
        "file_id", "path", "sha256", "rows_in", "loaded", "quarantined", "loaded_at",
        "first_month", "last_month",
    )  # fmt: skip
    return IntelligenceCounts(
        rows=frame,
        period_months=tuple(sorted(covered & set(period.months))),
        all_months=tuple(sorted(covered)),
        files=tuple(
            {
                key: (f"{value:%Y-%m}" if isinstance(value, date) else value)
                for key, value in zip(keys, row, strict=True)
            }
            for row in files
        ),
    )


def ward_names(area: StudyArea) -> dict[str, str]:
    """Ward code -> ward name of the assessed area."""
    wards = area.lsoas[["ward_code", "ward_name"]].drop_duplicates("ward_code")
    return {
        str(code): str(name) if isinstance(name, str) and name else str(code)
        for code, name in zip(wards["ward_code"], wards["ward_name"], strict=True)
    }


def counts_table(
    counts: IntelligenceCounts, *, config: IntelligenceConfig, area: StudyArea
) -> pd.DataFrame:
    """``partner_intelligence_counts``: submissions by month, topic and ward (see the module)."""
    names = ward_names(area)
    records = []
    for row in counts.rows.to_dict("records"):
        ward = row["ward_code"] if isinstance(row["ward_code"], str) and row["ward_code"] else None
        month = f"{row['month']:%Y-%m}"
        ward_name = NO_WARD_NAME if ward is None else names.get(str(ward), OUTSIDE_WARD_NAME)
        records.append(
            {
                "row_id": f"{TABLE}:{month}:{row['topic']}:{ward or 'none'}",
                "month": month,
                "topic": str(row["topic"]),
                "topic_label": config.topic(str(row["topic"])).label,
                "ward_code": ward,
                "ward_name": ward_name,
                "submissions": int(row["submissions"]),
            }
        )
    table = pd.DataFrame(records, columns=list(COUNTS_COLUMNS))
    table["submissions"] = table["submissions"].astype("int64")
    return table


def outside_wards(counts: IntelligenceCounts, *, area: StudyArea) -> list[str]:
    """Ward codes of the counted rows that are not wards of the assessed area."""
    names = ward_names(area)
    wards = {str(ward) for ward in counts.rows["ward_code"] if ward is not None}
    return sorted(ward for ward in wards if ward not in names)


def month_words(months: Sequence[date]) -> str:
    """``April 2024 to March 2025`` (or ``none``)."""
    if not months:
        return "none"
    first, last = min(months), max(months)
    return f"{first:%B %Y} to {last:%B %Y}" if first != last else f"{first:%B %Y}"


def public_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """``manifest`` without any trace of the partner-only family (for public readers).

    Removes ``families.partner_intelligence``, ``skipped.partner_intelligence``, the
    ``partner_intelligence_counts`` entry of ``tables``, the family's timing and the loaded
    intelligence-counts files of ``inputs``: the observatory, the API and the public report
    read the manifest through this.

    >>> public_manifest({"families": {"partner_intelligence": {}, "survey": {}},
    ...                  "skipped": {"partner_intelligence": "x"}, "inputs": [
    ...                  {"format": "intelligence_counts_csv"}, {"format": "police_uk"}]})
    {'families': {'survey': {}}, 'skipped': {}, 'inputs': [{'format': 'police_uk'}]}
    """
    public = dict(manifest)
    for key, name in (
        ("families", FAMILY),
        ("skipped", FAMILY),
        ("tables", TABLE),
        ("timings", f"{FAMILY}_seconds"),
    ):
        entries = public.get(key)
        if isinstance(entries, Mapping):
            public[key] = {item: value for item, value in entries.items() if item != name}
    inputs = public.get("inputs")
    if isinstance(inputs, list):
        public["inputs"] = [
            entry
            for entry in inputs
            if not (isinstance(entry, Mapping) and entry.get("format") in PARTNER_ONLY_FORMATS)
        ]
    return public


__all__ = [
    "COUNTS_COLUMNS",
    "FAMILY",
    "NO_WARD_NAME",
    "OUTSIDE_WARD_NAME",
    "TABLE",
    "IntelligenceCounts",
    "counts_table",
    "loaded_areas",
    "month_words",
    "outside_wards",
    "public_manifest",
    "read_intelligence_counts",
    "ward_names",
]
