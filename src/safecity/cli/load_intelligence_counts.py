"""``safecity load intelligence-counts FILE``: the web site's de-identified intelligence counts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.errors import CORRUPT_FILE_ERRORS, corrupt_input_sentence
from safecity.cli.options import DEFAULT_WAREHOUSE, JsonOption, WarehouseOption, console, fail
from safecity.cli.reporting import print_load_reports, working
from safecity.config.intelligence import IntelligenceConfigError
from safecity.data.intelligence_counts.loader import (
    IntelligenceCountsLoadError,
    load_intelligence_counts,
)
from safecity.data.load_report import LoadStatus
from safecity.data.warehouse import Warehouse


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
    try:
        with (
            Warehouse(warehouse) as store,
            working(f"Loading intelligence counts from {path} ..."),
        ):
            report = load_intelligence_counts(store, path=path)
    except (IntelligenceCountsLoadError, IntelligenceConfigError) as error:
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
