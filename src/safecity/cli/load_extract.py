"""``safecity load extract``: a force record-level extract, pseudonymised on load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.errors import CORRUPT_FILE_ERRORS, corrupt_input_sentence
from safecity.cli.lake_reporting import LakeOption, print_lake_load
from safecity.cli.options import DEFAULT_WAREHOUSE, JsonOption, WarehouseOption, fail
from safecity.cli.reporting import print_load_reports, working
from safecity.data.extract.loader import load_extract
from safecity.data.extract.mapping import MappingError
from safecity.data.extract.pseudonyms import PseudonymKeyError
from safecity.data.input_files import InputError
from safecity.data.lake import LakeError, LakeWriteSummary
from safecity.data.lake.lake_loads import load_extract_into_lake
from safecity.data.load_report import LoadStatus
from safecity.data.warehouse import Warehouse


def load_extract_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="The folder holding the extract's crimes, victims and offenders files."
        ),
    ],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping", help="YAML file mapping the force system's columns to Safe City's."
        ),
    ],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load a force extract (crimes, victims, offenders); person identifiers are pseudonymised.

    Needs SAFECITY_PSEUDONYM_KEY, or SAFECITY_PSEUDONYM_KEY_FILE naming a key file kept outside
    the warehouse's folder.

    With --lake, the extract is loaded into the Parquet lake instead (the same checks and
    report), replacing only its source's partitions there; --json then prints
    {"files": [...], "lake": {...}}.
    """
    summary: LakeWriteSummary | None = None
    try:
        with working(f"Loading the extract in {path} ..."):
            if lake is not None:
                reports, summary = load_extract_into_lake(lake, path=path, mapping_path=mapping)
            else:
                with Warehouse(warehouse) as store:
                    reports = load_extract(store, path=path, mapping_path=mapping)
    except (MappingError, PseudonymKeyError, InputError, LakeError) as error:
        raise fail(str(error)) from error
    except CORRUPT_FILE_ERRORS as error:
        raise fail(corrupt_input_sentence([path], error)) from error
    if summary is not None:
        print_lake_load(reports, summary, as_json=as_json)
    else:
        print_load_reports(reports, as_json=as_json)
    if any(report.status is LoadStatus.REJECTED for report in reports):
        raise typer.Exit(code=1)
