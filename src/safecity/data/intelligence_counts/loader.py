"""Loading the web site's de-identified ``intelligence-counts`` export into the warehouse.

:func:`load_intelligence_counts` reads the CSV (:mod:`.export_format`; columns exactly
:data:`~.export_format.EXPORT_COLUMNS`), checks every row (:mod:`.row_checks`: the month, the
topic against ``config/intelligence.yaml``, a whole number of at least one, an area code (empty:
"outside the area"), a ward the loaded area lookups know) and, in one transaction, writes the
good rows to ``intelligence_count``, one ``quarantine`` row per bad row (reason, and the line
and column in words), the months the file covers to ``intelligence_count_month`` and its
``load_file`` row: rows in = loaded + quarantined. Anything that fails rolls the whole file back.

Re-loading follows the community reports (``docs/intelligence.md``):

* the same bytes as a current load are ``unchanged``: nothing is written but the load-log row;
* an export covers, per area, the months from its first row's to its last row's; a later export
  replaces every row of those months for that area (the site's export is the whole truth for
  the months it covers). A load whose months are all replaced is ``superseded_by`` the new one.

No content of any submission reaches the warehouse: the export holds counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from safecity.config.intelligence import IntelligenceConfig, intelligence_config
from safecity.data.input_files import InputError, InputLimits, input_limits
from safecity.data.intelligence_counts.export_format import EXPORT_COLUMNS, CountRow
from safecity.data.intelligence_counts.row_checks import RowProblem, check_row, unknown_ward
from safecity.data.load_report import FileLoadReport
from safecity.data.site_export_rows import month_start
from safecity.data.site_exports import (
    SiteExport,
    load_site_export,
    plain_report,
)
from safecity.data.warehouse import Warehouse

INTELLIGENCE_COUNTS_FORMAT = "intelligence_counts_csv"
"""The ``load_file.format`` of an export."""
WARDS_NOT_CHECKED = "ward codes not checked against a lookup (no area lookup is loaded)"


def _coverage(area: str, first: date, last: date, _months: int) -> str:
    return f"{area} {first:%Y-%m} to {last:%Y-%m}"


INTELLIGENCE_COUNTS: SiteExport[CountRow] = SiteExport(
    format=INTELLIGENCE_COUNTS_FORMAT,
    called="an intelligence-counts export",
    columns=EXPORT_COLUMNS,
    same_key="area, month, topic and ward",
    count_table="intelligence_count",
    month_table="intelligence_count_month",
    counted="submissions",
    total=lambda row: row.submissions,
    dataset_key="intelligence_counts",
    coverage=_coverage,
    duplicate_raw_line_end=True,
)
"""The intelligence-counts export, as :func:`~safecity.data.site_exports.load_site_export`
loads it."""


class IntelligenceCountsLoadError(InputError):
    """An intelligence-counts load that cannot start (no such file); says why."""


def _known_wards(connection: duckdb.DuckDBPyConnection) -> frozenset[str]:
    rows = connection.execute("SELECT DISTINCT ward_code FROM area_lookup").fetchall()
    return frozenset(str(row[0]) for row in rows)


def _values(row: CountRow) -> list[object]:
    return [
        row.area_code,
        month_start(row.month),
        row.topic,
        row.ward_code or None,
        row.submissions,
    ]


def _insert_rows(
    connection: duckdb.DuckDBPyConnection, rows: Sequence[tuple[int, CountRow]], *, file_id: int
) -> None:
    connection.executemany(
        "INSERT INTO intelligence_count (area_code, month, topic, ward_code, submissions,"
        " line_number, file_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[*_values(row), line, file_id] for line, row in rows],
    )


def load_intelligence_counts(
    warehouse: Warehouse,
    *,
    path: Path,
    config: IntelligenceConfig | None = None,
    limits: InputLimits | None = None,
) -> FileLoadReport:
    """Load one ``intelligence-counts`` export (see the module).

    Parameters
    ----------
    warehouse
        The open warehouse.
    path
        The export CSV (``area_code,month,topic,ward_code,submissions``).
    config
        The vocabulary rows are checked against (default: the configuration in force,
        ``SAFECITY_INTELLIGENCE_CONFIG`` or the shipped file).
    limits
        Input limits (default ``config/input_limits.yaml``): the line limit.

    Returns
    -------
    FileLoadReport
        ``loaded``, ``replaced`` (rows of months an earlier export covered were replaced),
        ``unchanged`` (the same bytes are already loaded) or ``rejected`` (wrong header, or no
        row could be loaded; the message says why and names the first quarantined rows by line
        and column; nothing changed but the quarantine and load log).

    Raises
    ------
    IntelligenceCountsLoadError
        If ``path`` is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise IntelligenceCountsLoadError(f"{path}: no such file")
    config = config or intelligence_config()
    limits = limits or input_limits()
    known_wards = _known_wards(warehouse.connection)

    def check(fields: list[str]) -> CountRow | RowProblem:
        checked = check_row(fields, config=config)
        if isinstance(checked, RowProblem):
            return checked
        return unknown_ward(checked, known_wards=known_wards) or checked

    return load_site_export(
        warehouse,
        path=path,
        export=INTELLIGENCE_COUNTS,
        insert_rows=_insert_rows,
        check=check,
        limits=limits,
        notes=() if known_wards else (WARDS_NOT_CHECKED,),
    )


def load_intelligence_counts_file(*, warehouse_path: Path, path: Path) -> dict[str, Any]:
    """Open the warehouse at ``warehouse_path``, load the export at ``path``, close it.

    Returns
    -------
    dict
        The load report as plain data (:meth:`FileLoadReport.as_dict`).
    """
    with Warehouse(warehouse_path) as warehouse:
        report = load_intelligence_counts(warehouse, path=path)
    return plain_report(report)


__all__ = [
    "INTELLIGENCE_COUNTS",
    "INTELLIGENCE_COUNTS_FORMAT",
    "IntelligenceCountsLoadError",
    "load_intelligence_counts",
    "load_intelligence_counts_file",
    "month_start",
]
