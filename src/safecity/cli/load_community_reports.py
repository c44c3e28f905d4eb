"""``safecity load community-reports FILE``: the web site's de-identified report counts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.options import DEFAULT_WAREHOUSE, JsonOption, WarehouseOption
from safecity.cli.site_export_loads import run_site_export_load
from safecity.config.community_reports import CommunityReportsConfigError
from safecity.data.community_reports.loader import (
    CommunityReportsLoadError,
    load_community_reports,
)


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
    run_site_export_load(
        path,
        warehouse=warehouse,
        as_json=as_json,
        what="community reports",
        load=lambda store, export: load_community_reports(store, path=export),
        errors=(CommunityReportsLoadError, CommunityReportsConfigError),
    )
