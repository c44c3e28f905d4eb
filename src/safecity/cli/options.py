"""Options shared by every command, and how commands report (text or ``--json``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from safecity.data.warehouse import DEFAULT_WAREHOUSE_FILE, WAREHOUSE_ENVIRONMENT_VARIABLE

WarehouseOption = Annotated[
    Path,
    typer.Option(
        "--warehouse",
        envvar=WAREHOUSE_ENVIRONMENT_VARIABLE,
        help=(
            f"The warehouse file (default ${WAREHOUSE_ENVIRONMENT_VARIABLE}, "
            f"else ./{DEFAULT_WAREHOUSE_FILE})."
        ),
        dir_okay=False,
    ),
]
DEFAULT_WAREHOUSE = Path(DEFAULT_WAREHOUSE_FILE)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable JSON report instead of text.")
]

console = Console(stderr=False, highlight=False)
error_console = Console(stderr=True, highlight=False)


def print_json(payload: Any) -> None:
    """Write ``payload`` as JSON on standard output (dates and paths as strings)."""
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def fail(message: str, *, exit_code: int = 2) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise."""
    # soft_wrap: a long path must stay whole (and copyable), not be broken across lines.
    error_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code=exit_code)
