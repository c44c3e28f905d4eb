"""``safecity load intelligence-counts FILE``: the web site's de-identified intelligence counts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.options import DEFAULT_WAREHOUSE, JsonOption, WarehouseOption
from safecity.cli.site_export_loads import run_site_export_load
from safecity.config.intelligence import IntelligenceConfigError
from safecity.data.intelligence_counts.loader import (
    IntelligenceCountsLoadError,
    load_intelligence_counts,
)


def load_intelligence_counts_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="The site's export CSV (columns area_code, month, topic, ward_code,"
            " submissions), e.g. from 'python -m safecity_web export_intelligence_counts"
            " --out FILE'.",
            dir_okay=False,
        ),
    ],
    *,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: JsonOption = False,
) -> None:
    """Load de-identified partner-intelligence counts; every row is loaded or quarantined.

    Rows are checked against the intelligence topics (config/intelligence.yaml, or
    SAFECITY_INTELLIGENCE_CONFIG) and the loaded ward lookups; a bad row (bad month, unknown
    topic, a count under one, no area: outside the area, an unknown ward) is quarantined with
    its line, column and what is wrong. The file covers, per area, the months from its first to
    its last: loading a newer export replaces those months; loading the same file again changes
    nothing. The counts enter only the partners' copy of the Assessment.
    """
    run_site_export_load(
        path,
        warehouse=warehouse,
        as_json=as_json,
        what="intelligence counts",
        load=lambda store, export: load_intelligence_counts(store, path=export),
        errors=(IntelligenceCountsLoadError, IntelligenceConfigError),
    )
