"""``safecity fetch``: download data.police.uk files and ONS/MHCLG reference files.

Each command downloads into ``--out`` (resuming partial downloads, skipping complete files,
recording everything in ``fetched.json``), shows a progress bar per file on standard error,
and reports a table, or with ``--json`` a list of files (url, path, bytes, sha256, status).
The exit status is 1 when a file could not be fetched, 2 for a bad request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from safecity.cli.options import (
    JsonOption,
    console,
    error_console,
    fail,
    new_console,
    print_json,
    styled,
)
from safecity.data.fetch import (
    POLICE_UK_ARCHIVE_SOURCE,
    POLICE_UK_FORCE_MONTH_SOURCE,
    Catalogue,
    CatalogueError,
    DownloadSettings,
    FetchResult,
    FetchStatus,
    FetchTarget,
    fetch_all,
    load_catalogue,
    months_between,
    police_uk_archive_targets,
    police_uk_force_month_targets,
    reference_target,
    resolve_base_url,
    url_target,
)
from safecity.data.fetch.manifest import MANIFEST_FILE, ManifestError

fetch_app = typer.Typer(
    help=(
        "Download data.police.uk files and ONS/MHCLG reference files (resumable, checksummed, "
        f"recorded in {MANIFEST_FILE})."
    ),
    no_args_is_help=True,
)

OutOption = Annotated[
    Path,
    typer.Option("--out", help="Folder to download into (created if missing).", file_okay=False),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Download from this base URL (a mirror) instead of the catalogue's; overrides "
        "the sources' environment variables (see `safecity fetch sources`).",
    ),
]
CatalogueOption = Annotated[
    Path | None,
    typer.Option(
        "--catalogue",
        help="A YAML catalogue laid over the shipped one (adds sources, overrides fields).",
        dir_okay=False,
        exists=True,
    ),
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", help="Seconds to wait for a connection or a read.", min=0.1)
]
RetriesOption = Annotated[
    int, typer.Option("--retries", help="Retries per file after a transient failure.", min=0)
]
BackoffOption = Annotated[
    float,
    typer.Option("--backoff", help="Seconds before the first retry (doubling each time).", min=0),
]
KeepGoingOption = Annotated[
    bool,
    typer.Option("--keep-going", help="Try every file even when one fails (exit 1 at the end)."),
]


@fetch_app.command("police-uk")
def fetch_police_uk_command(
    *,
    month: Annotated[str, typer.Option("--month", help="First month, YYYY-MM.")],
    out: OutOption,
    to: Annotated[
        str | None, typer.Option("--to", help="Last month, YYYY-MM (default: --month).")
    ] = None,
    force: Annotated[
        list[str] | None,
        typer.Option("--force", help="Police force as data.police.uk names it (repeatable)."),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="street, outcomes or stop-and-search (repeatable; default street)."
        ),
    ] = None,
    archive: Annotated[
        bool,
        typer.Option("--archive", help="Download each month's whole archive zip (all forces)."),
    ] = False,
    base_url: BaseUrlOption = None,
    catalogue_file: CatalogueOption = None,
    timeout: TimeoutOption = 60.0,
    retries: RetriesOption = 4,
    backoff: BackoffOption = 1.0,
    keep_going: KeepGoingOption = False,
    as_json: JsonOption = False,
) -> None:
    """Download data.police.uk monthly files of some forces, or whole monthly archives."""
    try:
        catalogue = load_catalogue(user_catalogue=catalogue_file)
        months = months_between(month, to or month)
        if archive:
            if force or kind:
                raise CatalogueError("--archive downloads every force: drop --force and --kind")
            source = catalogue.source(POLICE_UK_ARCHIVE_SOURCE)
            targets = police_uk_archive_targets(
                catalogue,
                months=months,
                base_url=resolve_base_url(source, catalogue, override=base_url),
            )
        else:
            source = catalogue.source(POLICE_UK_FORCE_MONTH_SOURCE)
            targets = police_uk_force_month_targets(
                catalogue,
                months=months,
                forces=force or [],
                kinds=kind or ["street"],
                base_url=resolve_base_url(source, catalogue, override=base_url),
            )
    except CatalogueError as error:
        raise fail(str(error)) from error
    _run(
        targets,
        out=out,
        settings=_settings(timeout=timeout, retries=retries, backoff=backoff),
        keep_going=keep_going,
        as_json=as_json,
    )


@fetch_app.command("reference")
def fetch_reference_command(
    *,
    kinds: Annotated[
        list[str],
        typer.Argument(help="Reference files by catalogue name (see `safecity fetch sources`)."),
    ],
    out: OutOption,
    base_url: BaseUrlOption = None,
    catalogue_file: CatalogueOption = None,
    timeout: TimeoutOption = 60.0,
    retries: RetriesOption = 4,
    backoff: BackoffOption = 1.0,
    keep_going: KeepGoingOption = False,
    as_json: JsonOption = False,
) -> None:
    """Download ONS/MHCLG/Home Office reference files as published (see `fetch sources`)."""
    try:
        catalogue = load_catalogue(user_catalogue=catalogue_file)
        targets = [
            reference_target(
                catalogue,
                name=name,
                base_url=resolve_base_url(catalogue.source(name), catalogue, override=base_url),
            )
            for name in kinds
        ]
    except CatalogueError as error:
        raise fail(str(error)) from error
    _run(
        targets,
        out=out,
        settings=_settings(timeout=timeout, retries=retries, backoff=backoff),
        keep_going=keep_going,
        as_json=as_json,
    )


@fetch_app.command("url")
def fetch_url_command(
    *,
    url: Annotated[str, typer.Argument(help="The http(s) URL to download.")],
    out: OutOption,
    sha256: Annotated[
        str | None, typer.Option("--sha256", help="Expected SHA-256 (hex) of the file.")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="File name to save as (default: last part of the URL)."),
    ] = None,
    timeout: TimeoutOption = 60.0,
    retries: RetriesOption = 4,
    backoff: BackoffOption = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Download one URL (resumable; checked against --sha256 when given)."""
    try:
        target = url_target(url=url, filename=name, expected_sha256=sha256)
    except CatalogueError as error:
        raise fail(str(error)) from error
    _run(
        [target],
        out=out,
        settings=_settings(timeout=timeout, retries=retries, backoff=backoff),
        keep_going=False,
        as_json=as_json,
    )


@fetch_app.command("sources")
def list_sources_command(
    *,
    catalogue_file: CatalogueOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the catalogue: each source, its address and the variables that override it."""
    try:
        catalogue = load_catalogue(user_catalogue=catalogue_file)
    except CatalogueError as error:
        raise fail(str(error)) from error
    rows = [_source_row(catalogue, name) for name in catalogue.sources]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Sources ({catalogue.origin})")
    for heading in ("name", "group", "address", "URL", "environment variables", "load with"):
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["name"]),
            str(row["group"]),
            str(row["address"]),
            str(row["url"] or "(no default: set a base URL)"),
            "\n".join(row["environment_variables"]),
            str(row["load"] or ""),
        )
    console.print(table)


def _source_row(catalogue: Catalogue, name: str) -> dict[str, Any]:
    source = catalogue.source(name)
    group_variable = catalogue.group_environment_variables.get(source.group)
    try:
        base_url: str | None = resolve_base_url(source, catalogue)
    except CatalogueError:
        base_url = None
    return {
        "name": name,
        "group": source.group.value,
        "title": source.title,
        "publisher": source.publisher,
        "licence": source.licence,
        "landing_page": source.landing_page,
        "address": source.address,
        "base_url": base_url,
        "path": source.path,
        "url": f"{base_url}/{source.path}" if base_url else None,
        "sha256": source.sha256,
        "paging": source.paging.value if source.paging else None,
        "load": (
            None
            if source.load is None
            else " ".join(["safecity load reference", source.load.kind, *source.load.arguments()])
        ),
        "environment_variables": [
            variable for variable in (source.environment_variable, group_variable) if variable
        ],
    }


def _settings(*, timeout: float, retries: int, backoff: float) -> DownloadSettings:
    return DownloadSettings(
        timeout_seconds=timeout,
        attempts=retries + 1,
        backoff_seconds=backoff,
        max_backoff_seconds=max(30.0, backoff),
    )


def _run(
    targets: Sequence[FetchTarget],
    *,
    out: Path,
    settings: DownloadSettings,
    keep_going: bool,
    as_json: bool,
) -> None:
    try:
        with _download_progress() as progress:
            results = fetch_all(
                targets=targets,
                out_directory=out,
                settings=settings,
                progress=progress,
                keep_going=keep_going,
            )
    except (ManifestError, OSError) as error:
        raise fail(str(error), exit_code=1) from error
    _report(results, as_json=as_json)
    failures = [result for result in results if result.status is FetchStatus.FAILED]
    for result in failures:
        error_console.print(styled(("error:", "bold red"), f" {result.error}"), soft_wrap=True)
    if failures:
        raise typer.Exit(code=1)


@contextmanager
def _download_progress() -> Iterator[Callable[[FetchTarget, int, int | None], None]]:
    """One progress bar per file, on standard error, cleared when done."""
    progress = Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=new_console(stderr=True),
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def advance(target: FetchTarget, held: int, total: int | None) -> None:
        task = tasks.get(target.url)
        if task is None:
            task = progress.add_task(target.description, total=total)
            tasks[target.url] = task
        progress.update(task, completed=held, total=total)

    with progress:
        yield advance


def _report(results: Sequence[FetchResult], *, as_json: bool) -> None:
    if as_json:
        print_json([result.as_dict() for result in results])
        return
    table = Table(title="Fetched")
    for heading in ("file", "status", "bytes", "sha256"):
        table.add_column(
            heading, justify="right" if heading == "bytes" else "left", overflow="fold"
        )
    for result in results:
        table.add_row(
            str(result.path),
            result.status.value,
            f"{result.bytes:,}" if result.bytes is not None else "-",
            result.sha256[:16] + "…" if result.sha256 else "-",
        )
    console.print(table)
