"""What ``safecity load community-reports`` and ``load intelligence-counts`` both do.

Each command keeps its own arguments and help; :func:`run_site_export_load` opens the
warehouse, loads the site's export, prints the load report and the row balance, and exits 1
when the file is rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from safecity.cli.errors import CORRUPT_FILE_ERRORS, corrupt_input_sentence
from safecity.cli.options import console, fail
from safecity.cli.reporting import print_load_reports, working
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.warehouse import Warehouse


def run_site_export_load(
    path: Path,
    *,
    warehouse: Path,
    as_json: bool,
    what: str,
    load: Callable[[Warehouse, Path], FileLoadReport],
    errors: tuple[type[Exception], ...],
) -> None:
    """Load the export at ``path`` into the warehouse and say how it went.

    Parameters
    ----------
    path
        The site's export CSV.
    warehouse
        The warehouse file.
    as_json
        Print the load report as JSON (else a table and ``rows in = loaded + quarantined``).
    what
        What is loaded, in words, for the progress line (``community reports``).
    load
        The kind's loader: the open warehouse and the path to the load report.
    errors
        The errors that stop a load before it starts (no such file, a bad configuration):
        said as they are, and the command fails.

    Raises
    ------
    typer.Exit
        With code 1 when the file is rejected; as :func:`~safecity.cli.options.fail` says
        when the load cannot start or the file is corrupt.
    """
    try:
        with Warehouse(warehouse) as store, working(f"Loading {what} from {path} ..."):
            report = load(store, path)
    except errors as error:
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


__all__ = ["run_site_export_load"]
