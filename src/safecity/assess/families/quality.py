"""Family 10 (part): police.uk coverage by force and month for the forces reporting the area.

Each force-month's row count is compared with the force's median month in the window; months
below 80% of it, or with no file at all, are flagged (``methods.md`` §11.7).
"""

from __future__ import annotations

import pandas as pd

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.data.warehouse import Warehouse

LOW_COVERAGE_SHARE = 0.8


def coverage_table(warehouse: Warehouse, *, area: StudyArea, window: Period) -> pd.DataFrame:
    """Rows ``force, month, rows, rows_in_area, without_location_pct, present, low_coverage``."""
    codes = pd.DataFrame({"lsoa_code": area.lsoas["lsoa_code"]})
    connection = warehouse.connection
    connection.complete()  # nothing may be pending when a frame is registered
    connection.register("coverage_lsoas", codes)
    table = connection.execute(
        "WITH forces AS (SELECT DISTINCT force FROM police_uk_street"
        " WHERE lsoa_code IN (SELECT lsoa_code FROM coverage_lsoas)"
        " AND month BETWEEN ? AND ?)"
        " SELECT s.force, s.month, count(*) AS rows,"
        " count(*) FILTER (WHERE s.lsoa_code IN (SELECT lsoa_code FROM coverage_lsoas))"
        " AS rows_in_area,"
        " 100.0 * count(*) FILTER (WHERE NOT s.has_location) / count(*) AS without_location_pct"
        " FROM police_uk_street s JOIN forces USING (force)"
        " WHERE s.month BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL",
        [window.first_month, window.last_month, window.first_month, window.last_month],
    ).df()
    connection.unregister("coverage_lsoas")
    if table.empty:
        return table.assign(present=pd.Series(dtype=bool), low_coverage=pd.Series(dtype=bool))
    grid = pd.MultiIndex.from_product(
        [sorted(table["force"].unique()), [pd.Timestamp(month) for month in window.months]],
        names=["force", "month"],
    ).to_frame(index=False)
    table["month"] = pd.to_datetime(table["month"])
    full = grid.merge(table, on=["force", "month"], how="left")
    full["present"] = full["rows"].notna()
    full[["rows", "rows_in_area"]] = full[["rows", "rows_in_area"]].fillna(0).astype("int64")
    median = full[full["present"]].groupby("force")["rows"].median()
    full["low_coverage"] = ~full["present"] | (
        full["rows"] < LOW_COVERAGE_SHARE * full["force"].map(median)
    )
    full["month"] = full["month"].dt.date
    return full


def quarantine_table(warehouse: Warehouse, *, forces: list[str], window: Period) -> pd.DataFrame:
    """Rows quarantined from the live police.uk files of ``forces`` in ``window``, by reason.

    Columns ``force, month, reason, rows``; police.uk files are matched by their dataset key
    (``<format>/<force>/<YYYY-MM>``).
    """
    if not forces:
        return pd.DataFrame(columns=["force", "month", "reason", "rows"])
    months = [f"{month:%Y-%m}" for month in window.months]
    return warehouse.connection.execute(
        "SELECT split_part(f.dataset_key, '/', 2) AS force, split_part(f.dataset_key, '/', 3)"
        " AS month, q.reason, count(*) AS rows FROM quarantine q JOIN load_file f USING (file_id)"
        " WHERE f.superseded_by IS NULL AND f.format LIKE 'police_uk_%'"
        " AND split_part(f.dataset_key, '/', 2) IN (SELECT unnest(?))"
        " AND split_part(f.dataset_key, '/', 3) IN (SELECT unnest(?))"
        " GROUP BY ALL ORDER BY ALL",
        [forces, months],
    ).df()


def data_quality(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 10: coverage by force and month, quarantined rows, LSOA vintage mismatches."""
    coverage = coverage_table(inputs.warehouse, area=inputs.area, window=inputs.window)
    forces = sorted(coverage["force"].unique()) if not coverage.empty else []
    quarantined = quarantine_table(inputs.warehouse, forces=forces, window=inputs.window)
    unknown = inputs.warehouse.connection.execute(
        "SELECT count(DISTINCT lsoa_code), count(*) FROM police_uk_street"
        " WHERE month BETWEEN ? AND ? AND lsoa_code IS NOT NULL"
        " AND lsoa_code NOT IN (SELECT lsoa_code FROM area_lookup)",
        [inputs.window.first_month, inputs.window.last_month],
    ).fetchall()[0]
    present = coverage[coverage["present"]] if not coverage.empty else coverage
    without_location = (
        float((present["rows"] * present["without_location_pct"]).sum() / present["rows"].sum())
        if not present.empty and present["rows"].sum() > 0
        else float("nan")
    )
    summary = pd.DataFrame(
        [
            {
                "measure": "force_months_low_or_missing",
                "value": int(coverage["low_coverage"].sum()) if not coverage.empty else 0,
            },
            {"measure": "rows_without_location_pct", "value": without_location},
            {"measure": "rows_quarantined", "value": int(quarantined["rows"].sum())},
            {"measure": "lsoa_codes_not_in_lookup", "value": int(unknown[0])},
            {"measure": "rows_with_lsoa_codes_not_in_lookup", "value": int(unknown[1])},
        ]
    )
    return FamilyOutput(
        tables={
            "data_quality_coverage": coverage,
            "data_quality_quarantine": quarantined,
            "data_quality_summary": summary,
        },
        public_tables={"data_quality_coverage": coverage.drop(columns=["rows_in_area"])},
    )
