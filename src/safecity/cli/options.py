"""Options shared by every command, and how commands report (text or ``--json``).

The consoles never read markup in what they print (``markup=False``): file names, CSV headers,
area names and messages are data, and a ``[/bold]`` in a header must print as written rather
than end the command. Styles are given as :class:`rich.text.Text` styles instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

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
HarmIndexOption = Annotated[
    str | None, typer.Option("--harm-index", help="Harm-weight index to use (if several).")
]
SuppressionThresholdOption = Annotated[
    int | None,
    typer.Option(
        "--suppression-threshold",
        min=1,
        help="Public tables withhold protected counts from 1 to this minus one (default:"
        " the disclosure policy's, 5).",
    ),
]


def input_bytes(paths: list[Path]) -> int:
    """The bytes of ``paths`` (files, and every file inside folders) for a progress bar."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
        elif path.exists():
            total += path.stat().st_size
    return total


def new_console(*, stderr: bool) -> Console:
    """A console that prints text as written: no markup, no highlighting."""
    return Console(stderr=stderr, highlight=False, markup=False)


console = new_console(stderr=False)
error_console = new_console(stderr=True)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text of plain parts and ``(text, style)`` parts; nothing in it is read as markup."""
    return Text.assemble(*parts)


def print_json(payload: Any) -> None:
    """Write ``payload`` as JSON on standard output (dates and paths as strings)."""
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def fail(message: str, *, exit_code: int = 2) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise."""
    # soft_wrap: a long path must stay whole (and copyable), not be broken across lines.
    error_console.print(styled(("error:", "bold red"), f" {message}"), soft_wrap=True)
    return typer.Exit(code=exit_code)
