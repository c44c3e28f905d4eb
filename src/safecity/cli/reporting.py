"""Printing load reports: a table for people, JSON for programs, and a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from safecity.cli.options import console, new_console, print_json, styled
from safecity.data.load_report import FileLoadReport, LoadStatus


@contextmanager
def byte_progress(*, description: str, total_bytes: int) -> Iterator[Callable[[str, int], None]]:
    """A progress bar over ``total_bytes``; yields the callback that advances it.

    The bar is drawn on standard error and only when the work lasts more than a moment.
    """
    progress = Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=new_console(stderr=True),
        transient=True,
    )
    task = progress.add_task(description, total=max(total_bytes, 1))
    with progress:

        def advance(_path: str, size: int) -> None:
            progress.advance(task, size)

        yield advance


@contextmanager
def working(description: str) -> Iterator[None]:
    """A spinner with the elapsed time on standard error while a step without sizes runs."""
    with new_console(stderr=True).status(description, spinner="dots"):
        yield


def print_load_reports(reports: Sequence[FileLoadReport], *, as_json: bool) -> None:
    """Show what each file became: a table (and totals), or the JSON list."""
    if as_json:
        print_json([report.as_dict() for report in reports])
        return
    table = Table(title="Load summary", show_lines=False)
    for heading in ("file", "format", "status", "rows in", "loaded", "quarantined", "reasons"):
        # overflow="fold": a long path wraps onto the next lines, whole, rather than being cut.
        table.add_column(
            heading,
            justify="right" if heading.startswith(("rows", "lo", "q")) else "left",
            overflow="fold",
        )
    for report in reports:
        reasons = ", ".join(f"{reason} {count}" for reason, count in report.reasons.items())
        table.add_row(
            report.path,
            report.format,
            report.status.value,
            f"{report.rows_in:,}",
            f"{report.loaded:,}",
            f"{report.quarantined:,}",
            reasons or "-",
        )
    console.print(table)
    changed = [
        report for report in reports if report.status in (LoadStatus.LOADED, LoadStatus.REPLACED)
    ]
    totals = {
        "files": len(reports),
        "rows in": sum(report.rows_in for report in changed),
        "loaded": sum(report.loaded for report in changed),
        "quarantined": sum(report.quarantined for report in changed),
    }
    by_status = {
        status.value: sum(report.status is status for report in reports) for status in LoadStatus
    }
    console.print(
        ", ".join(f"{name}: {value:,}" for name, value in totals.items())
        + " (new or replaced files); "
        + ", ".join(f"{count} {status}" for status, count in by_status.items() if count)
    )
    for report in reports:
        if report.status in (LoadStatus.REJECTED, LoadStatus.SKIPPED) or report.message:
            # soft_wrap: the path stays whole (and copyable), not broken across lines.
            console.print(
                styled((report.path, "bold"), f": {report.status.value}: {report.message}"),
                soft_wrap=True,
            )
