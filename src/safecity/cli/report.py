"""``safecity report``: the Strategic Assessment document (HTML and PDF) of an artefact."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.options import JsonOption, console, fail, print_json
from safecity.report.artefact_reader import Audience
from safecity.report.writer import (
    ReportError,
    ReportResult,
    parse_formats,
    parse_generated_at,
    write_report,
)


def report_command(
    *,
    assessment: Annotated[
        Path,
        typer.Option(
            "--assessment", help="The Assessment artefact folder (safecity assess --out)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the report and its charts.")],
    audience: Annotated[
        str,
        typer.Option(
            "--audience",
            help="public (disclosure-controlled tables, no person-level section) or partners"
            " (every table, marked OFFICIAL-SENSITIVE).",
        ),
    ] = Audience.PUBLIC.value,
    formats: Annotated[
        str, typer.Option("--format", help="Documents to write: html, pdf or html,pdf.")
    ] = "html,pdf",
    generated_at: Annotated[
        str | None,
        typer.Option(
            "--generated-at",
            help="Date printed on the cover, YYYY-MM-DD (default: $SAFECITY_REPORT_GENERATED_AT,"
            " else today).",
        ),
    ] = None,
    commentary: Annotated[
        Path | None,
        typer.Option(
            "--commentary",
            help="The analyst's commentary file (YAML, docs/commentary.md): decisions on the"
            " recommendations, commentary by section and indicator, area context notes.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write the Strategic Assessment report: OUT/report.html, OUT/report.pdf, charts, tables."""
    try:
        chosen_audience = parse_audience(audience)
        result = write_report(
            assessment_dir=assessment,
            out_dir=out,
            audience=chosen_audience,
            formats=parse_formats(formats),
            generated_at=parse_generated_at(generated_at),
            commentary_path=commentary,
        )
    except ReportError as error:
        raise fail(str(error)) from error
    if as_json:
        print_json(result.as_dict())
        return
    print_report_written(result)


def parse_audience(text: str) -> Audience:
    """The audience named ``text`` (``public`` or ``partners``)."""
    try:
        return Audience(text.strip().lower())
    except ValueError as error:
        raise ReportError(
            f"--audience {text!r} is not an audience; give public or partners"
        ) from error


def print_report_written(result: ReportResult) -> None:
    """Where the report is, and how long it took."""
    timings = result.timings
    for label, path in (("HTML", result.html_path), ("PDF", result.pdf_path)):
        if path is not None:
            console.print(f"  {label:<7} {path}", soft_wrap=True)
    console.print(
        f"  {'Charts':<7} {len(result.table_paths)}: {result.out_dir / 'figures'}/ (SVG, PNG),"
        f" {result.out_dir / 'tables'}/ (CSV)",
        soft_wrap=True,
    )
    console.print(
        f"  {'Time':<7} {timings.wall_seconds:.1f} s (charts {timings.chart_seconds:.1f} s,"
        f" templating {timings.template_seconds:.1f} s, PDF {timings.pdf_seconds:.1f} s)"
    )
