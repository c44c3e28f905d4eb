"""``safecity load police-uk``: street, outcomes and stop-and-search files from data.police.uk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.errors import CORRUPT_FILE_ERRORS, corrupt_input_sentence
from safecity.cli.lake_reporting import LakeOption, print_lake_load
from safecity.cli.options import (
    DEFAULT_WAREHOUSE,
    JsonOption,
    WarehouseOption,
    fail,
    input_bytes,
)
from safecity.cli.reporting import byte_progress, print_load_reports
from safecity.data.input_files import InputError
from safecity.data.lake import LakeError
from safecity.data.lake.lake_loads import load_police_uk_into_lake
from safecity.data.load_report import LoadStatus
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse


def load_police_uk_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Street/outcomes/stop-and-search CSV files (plain or .gz), folders of them, "
            "or data.police.uk archive zips.",
        ),
    ],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load data.police.uk files; every row is loaded or quarantined with a reason.

    With --lake, the files are loaded into the Parquet lake instead (the same checks and
    report), and only the force-months they bring are rewritten there; --json then prints
    {"files": [...], "lake": {...}}.
    """
    if lake is not None:
        _load_into_lake(paths, lake=lake, as_json=as_json)
        return
    try:
        with (
            Warehouse(warehouse) as store,
            byte_progress(
                description="Loading police.uk files", total_bytes=input_bytes(paths)
            ) as advance,
        ):
            reports = load_police_uk(store, paths=paths, progress=advance)
    except InputError as error:
        raise fail(str(error)) from error
    except CORRUPT_FILE_ERRORS as error:
        raise fail(corrupt_input_sentence(paths, error)) from error
    print_load_reports(reports, as_json=as_json)
    if any(report.status is LoadStatus.REJECTED for report in reports):
        raise typer.Exit(code=1)


def _load_into_lake(paths: list[Path], *, lake: Path, as_json: bool) -> None:
    try:
        with byte_progress(
            description="Loading police.uk files into the lake", total_bytes=input_bytes(paths)
        ) as advance:
            reports, summary = load_police_uk_into_lake(lake, paths=paths, progress=advance)
    except InputError as error:
        raise fail(str(error)) from error
    except LakeError as error:
        raise fail(str(error)) from error
    except CORRUPT_FILE_ERRORS as error:
        raise fail(corrupt_input_sentence(paths, error)) from error
    print_lake_load(reports, summary, as_json=as_json)
    if any(report.status is LoadStatus.REJECTED for report in reports):
        raise typer.Exit(code=1)
