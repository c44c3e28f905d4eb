"""Loading the web site's de-identified community-reports export into the warehouse.

:func:`load_community_reports` reads the CSV (:mod:`.export_format`; columns exactly
:data:`~.export_format.EXPORT_COLUMNS`), checks every row against the vocabulary
(:mod:`.row_checks`, ``config/community_reports.yaml``) and, in one transaction, writes the
good rows to ``community_report_count``, one ``quarantine`` row per bad row (reason, and the
line and column in words), the months the file covers to ``community_report_month`` and its
``load_file`` row: rows in = loaded + quarantined. Anything that fails rolls the whole file
back.

Re-loading (``docs/community-reports.md``, "Into the assessment"):

* the same bytes as the latest load of the same file contents are ``unchanged``: nothing is
  written but the load-log row saying so;
* an export covers, per area, the months from its first row's to its last row's; a later
  export replaces every row of the months it covers for that area (the site's export is
  always the whole truth for the months it covers: a report re-moderated as a duplicate
  disappears from it, an anonymised one stays). Months it does not cover keep their rows. A
  load whose months are all replaced is marked ``superseded_by`` the load that replaced them.

No personal data reaches the warehouse: the export holds counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from safecity.config.community_reports import CommunityReportsConfig, community_reports_config
from safecity.data.community_reports.export_format import EXPORT_COLUMNS, ExportRow
from safecity.data.community_reports.row_checks import check_row
from safecity.data.input_files import InputError, InputLimits, input_limits
from safecity.data.load_report import FileLoadReport
from safecity.data.site_export_rows import month_start
from safecity.data.site_exports import SiteExport, load_site_export, plain_report
from safecity.data.warehouse import Warehouse

COMMUNITY_REPORTS_FORMAT = "community_reports_csv"
"""The ``load_file.format`` of an export."""


def _coverage(area: str, first: date, last: date, months: int) -> str:
    return f"{area}: {first:%Y-%m} to {last:%Y-%m} ({months} months)"


COMMUNITY_REPORTS: SiteExport[ExportRow] = SiteExport(
    format=COMMUNITY_REPORTS_FORMAT,
    called="a community-reports export",
    columns=EXPORT_COLUMNS,
    same_key="area, month, kind, category, strands, channel, ward and LSOA",
    count_table="community_report_count",
    month_table="community_report_month",
    counted="reports",
    total=lambda row: row.reports,
    dataset_key="community_reports",
    coverage=_coverage,
)
"""The community-reports export, as :func:`~safecity.data.site_exports.load_site_export`
loads it."""


class CommunityReportsLoadError(InputError):
    """A community-reports load that cannot start (no such file); says why."""


def _values(row: ExportRow) -> list[object]:
    return [
        row.area_code,
        month_start(row.month),
        row.kind,
        row.category,
        ";".join(row.strands),
        row.channel.value,
        row.ward_code or None,
        row.lsoa_code or None,
        row.reports,
        row.losses_pounds,
    ]


def _insert_rows(
    connection: duckdb.DuckDBPyConnection, rows: Sequence[tuple[int, ExportRow]], *, file_id: int
) -> None:
    connection.executemany(
        "INSERT INTO community_report_count (area_code, month, kind, category, strands,"
        " channel, ward_code, lsoa_code, reports, losses_pounds, line_number, file_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[*_values(row), line, file_id] for line, row in rows],
    )


def load_community_reports(
    warehouse: Warehouse,
    *,
    path: Path,
    config: CommunityReportsConfig | None = None,
    limits: InputLimits | None = None,
) -> FileLoadReport:
    """Load one community-reports export (see the module).

    Parameters
    ----------
    warehouse
        The open warehouse.
    path
        The export CSV (``area_code,month,kind,category,strands,channel,ward_code,lsoa_code,
        reports,losses_pounds``).
    config
        The vocabulary rows are checked against (default: the configuration in force,
        ``SAFECITY_COMMUNITY_REPORTS_CONFIG`` or the shipped file).
    limits
        Input limits (default ``config/input_limits.yaml``): the line limit.

    Returns
    -------
    FileLoadReport
        ``loaded``, ``replaced`` (rows of months an earlier export covered were replaced; the
        message says which loads), ``unchanged`` (the same bytes are already loaded) or
        ``rejected`` (not an export: wrong header; or no row could be loaded; the message says
        why and names the first quarantined rows by line and column; nothing changed).

    Raises
    ------
    CommunityReportsLoadError
        If ``path`` is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise CommunityReportsLoadError(f"{path}: no such file")
    config = config or community_reports_config()
    return load_site_export(
        warehouse,
        path=path,
        export=COMMUNITY_REPORTS,
        insert_rows=_insert_rows,
        check=lambda fields: check_row(fields, config=config),
        limits=limits or input_limits(),
    )


def load_community_reports_file(*, warehouse_path: Path, path: Path) -> dict[str, Any]:
    """Open the warehouse at ``warehouse_path``, load the export at ``path``, close it.

    The web site's "load into the warehouse" (through ``safecity_web.core_gateway``) calls
    this when the site and the warehouse run together.

    Returns
    -------
    dict
        The load report as plain data (:meth:`FileLoadReport.as_dict`).
    """
    with Warehouse(warehouse_path) as warehouse:
        report = load_community_reports(warehouse, path=path)
    return plain_report(report)


__all__ = [
    "COMMUNITY_REPORTS",
    "COMMUNITY_REPORTS_FORMAT",
    "CommunityReportsLoadError",
    "load_community_reports",
    "load_community_reports_file",
]
