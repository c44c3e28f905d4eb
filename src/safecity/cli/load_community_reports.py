"""``safecity load community-reports FILE``: the web site's de-identified report counts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.errors import CORRUPT_FILE_ERRORS, corrupt_input_sentence
from safecity.cli.options import DEFAULT_WAREHOUSE, JsonOption, WarehouseOption, console, fail
from safecity.cli.reporting import print_load_reports, working
from safecity.config.community_reports import CommunityReportsConfigError
from safecity.data.community_reports.loader import (
    CommunityReportsLoadError,
    load_community_reports,
)
from safecity.data.load_report import LoadStatus
from safecity.data.warehouse import Warehouse


def load_community_reports_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="The site's export CSV (columns area_code, month, kind, category, strands,"
            " channel, ward_code, lsoa_code, reports, losses_pounds), e.g. from"
            " 'python -m safecity_web export_community_reports --out FILE'.",
            dir_okay=False,
        ),
    ],
    *,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: JsonOption = False,
) -> None:
    """Load de-identified community-report counts; every row is loaded or quarantined.

    Rows are checked against the community-reporting vocabulary (kinds, categories,
    strands, channels in config/community_reports.yaml, or SAFECITY_COMMUNITY_REPORTS_CONFIG);
    a bad row is quarantined with its line, column and what is wrong. The file covers, per
    area, the months from its first to its last: loading a newer export replaces those
    months; loading the same file again changes nothing.
    """
    try:
        with (
            Warehouse(warehouse) as store,
            working(f"Loading community reports from {path} ..."),
        ):
            report = load_community_reports(store, path=path)
    except (CommunityReportsLoadError, CommunityReportsConfigError) as error:
        raise fail(str(error)) from error
    except CORRUPT_FILE_ERRORS as error:
        raise fail(corrupt_input_sentence([path], error)) from error
    print_load_reports([report], as_json=as_json)
    if not as_json:
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in report.reasons.items())
        console.print(
            f"rows in {report.rows_in:,} = loaded {report.loaded:,} + quarantined"
            f" {report.quarantined:,}" + (f" ({reasons})" if reasons else "")
        )
    if report.status is LoadStatus.REJECTED:
        raise typer.Exit(code=1)
