"""Write the Strategic Assessment report of an artefact: HTML, PDF, chart files and tables.

``OUT/report.html`` (self-contained), ``OUT/report.pdf``, ``OUT/figures/<id>.svg`` and
``.png`` for every chart and ``OUT/tables/<id>.csv`` with each chart's data.

No file is ever half-written in place: each is written to a temporary file beside it
(``.<name>.<process id>-<random>.partial``) and renamed over the earlier one when complete
(:func:`replace_file`), so a report killed or out of disk space leaves every file either as
it was or new and whole. The output folder is created (and so checked to be writable) before
the document is built.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pandas as pd
import vl_convert

from safecity.report.artefact_reader import ArtefactError, Audience, open_artefact
from safecity.report.assemble import build_document
from safecity.report.charts import ChartRenderer
from safecity.report.document import Document, ReportAdditions
from safecity.report.figures import Figure
from safecity.report.formatting import SUPPRESSED
from safecity.report.html_output import render_html
from safecity.report.pdf_output import write_pdf
from safecity.report.timings import ReportTimings

GENERATED_AT_VARIABLE = "SAFECITY_REPORT_GENERATED_AT"
"""Environment variable fixing the cover's generated-at date (ISO ``YYYY-MM-DD``)."""

HTML_FILE = "report.html"
PDF_FILE = "report.pdf"
FIGURES_FOLDER = "figures"
TABLES_FOLDER = "tables"
PNG_SCALE = 2.0
"""Pixels per CSS pixel of the published PNG charts (the figures module's default)."""


class ReportError(ValueError):
    """The report cannot be written: bad options or an unusable artefact (message says why)."""


class OutputFormat(StrEnum):
    """The document formats the report is written in."""

    HTML = "html"
    PDF = "pdf"


@dataclass(slots=True)
class ReportResult:
    """What was written, where, and how long it took."""

    out_dir: Path
    audience: Audience
    html_path: Path | None
    pdf_path: Path | None
    figure_paths: list[Path] = field(default_factory=list)
    table_paths: list[Path] = field(default_factory=list)
    timings: ReportTimings = field(default_factory=ReportTimings)
    document: Document | None = None

    def as_dict(self) -> dict[str, object]:
        """The result as plain JSON values."""
        return {
            "out_dir": str(self.out_dir),
            "audience": self.audience.value,
            "html": str(self.html_path) if self.html_path else None,
            "pdf": str(self.pdf_path) if self.pdf_path else None,
            "figures": len(self.figure_paths),
            "tables": len(self.table_paths),
            "timings": self.timings.as_dict(),
        }


def parse_formats(text: str) -> tuple[OutputFormat, ...]:
    """The formats named in ``text`` (comma-separated, e.g. ``"html,pdf"``), in that order.

    Raises
    ------
    ReportError
        When ``text`` names no format or one that is not ``html`` or ``pdf``.
    """
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise ReportError("--format names no format; give html, pdf or html,pdf")
    known = {member.value: member for member in OutputFormat}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ReportError(
            f"--format {text!r}: {', '.join(repr(name) for name in unknown)} is not a report"
            " format; give html, pdf or html,pdf"
        )
    return tuple(dict.fromkeys(known[name] for name in names))


def parse_generated_at(text: str | None) -> date:
    """The cover's generated-at date: ``text``, else ``$SAFECITY_REPORT_GENERATED_AT``, else today.

    Raises
    ------
    ReportError
        When the date given is not an ISO date (``YYYY-MM-DD``).
    """
    given = text if text is not None else os.environ.get(GENERATED_AT_VARIABLE)
    if not given:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(given.strip()[:10])
    except ValueError as error:
        source = "--generated-at" if text is not None else f"${GENERATED_AT_VARIABLE}"
        raise ReportError(f"{source} {given!r} is not a date (expected YYYY-MM-DD)") from error


def write_report(
    *,
    assessment_dir: Path,
    out_dir: Path,
    audience: Audience = Audience.PUBLIC,
    formats: Iterable[OutputFormat] = (OutputFormat.HTML, OutputFormat.PDF),
    generated_at: date | None = None,
    additions: ReportAdditions | None = None,
) -> ReportResult:
    """Write the report on the artefact in ``assessment_dir`` for ``audience`` into ``out_dir``.

    Parameters
    ----------
    assessment_dir
        The folder ``safecity assess`` wrote (with ``manifest.json``).
    out_dir
        Where to write; created if absent. Files of an earlier report there that this report
        does not write (charts it lacks, a format not asked for) are removed, so the folder
        always matches the document.
    audience
        ``public`` reads only the disclosure-controlled tables and leaves out person-level
        sections; ``partners`` reads every table and marks the document OFFICIAL-SENSITIVE.
    formats
        Which documents to write (the chart files and tables are always written).
    generated_at
        The date printed on the cover (default: today, UTC).
    additions
        Recommendations and the analyst's commentary to print (none by default).

    Raises
    ------
    ReportError
        When the artefact folder is missing or not an Assessment artefact.
    """
    wanted = tuple(dict.fromkeys(formats))
    if not wanted:
        raise ReportError("no output format chosen; give html, pdf or html,pdf")
    timings = ReportTimings()
    wall_started = started = time.perf_counter()
    try:
        artefact = open_artefact(directory=Path(assessment_dir), audience=audience)
    except ArtefactError as error:
        raise ReportError(str(error)) from error
    timings.reading_seconds = time.perf_counter() - started
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"{out_dir}: exists and is not a folder (give a folder for --out)")
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out_dir)
    renderer = ChartRenderer(artefact=artefact)
    started = time.perf_counter()
    document = build_document(
        artefact=artefact,
        generated_at=generated_at or datetime.now(UTC).date(),
        renderer=renderer,
        additions=additions,
    )
    timings.document_seconds = time.perf_counter() - started - renderer.seconds
    timings.chart_seconds = renderer.seconds
    result = ReportResult(
        out_dir=out_dir,
        audience=audience,
        html_path=None,
        pdf_path=None,
        timings=timings,
        document=document,
    )
    # The chart files (PNG rasterising, mostly native code) are written in a second thread
    # while this one templates and lays out the PDF.
    with ThreadPoolExecutor(max_workers=1) as pool:
        files = pool.submit(write_chart_files, renderer.rendered, out_dir=out_dir)
        started = time.perf_counter()
        html = render_html(document)
        print_html = render_html(document, for_print=True) if OutputFormat.PDF in wanted else ""
        timings.template_seconds = time.perf_counter() - started
        if OutputFormat.HTML in wanted:
            started = time.perf_counter()
            result.html_path = out_dir / HTML_FILE
            replace_file(result.html_path, _text_writer(html))
            timings.files_seconds += time.perf_counter() - started
        if OutputFormat.PDF in wanted:
            started = time.perf_counter()
            result.pdf_path = out_dir / PDF_FILE
            replace_file(result.pdf_path, lambda path: write_pdf(html=print_html, path=path))
            timings.pdf_seconds = time.perf_counter() - started
        written = files.result()
    result.figure_paths, result.table_paths = written.figure_paths, written.table_paths
    timings.chart_seconds += written.png_seconds
    timings.files_seconds += written.files_seconds
    for output_format, name in ((OutputFormat.HTML, HTML_FILE), (OutputFormat.PDF, PDF_FILE)):
        if output_format not in wanted:
            # A document of an earlier run would no longer match the charts and tables.
            (out_dir / name).unlink(missing_ok=True)
    timings.wall_seconds = time.perf_counter() - wall_started
    return result


@dataclass(slots=True)
class ChartFiles:
    """The chart files written, and the time spent rasterising and writing them."""

    figure_paths: list[Path] = field(default_factory=list)
    table_paths: list[Path] = field(default_factory=list)
    png_seconds: float = 0.0
    files_seconds: float = 0.0


def write_chart_files(rendered: list[tuple[Figure, str]], *, out_dir: Path) -> ChartFiles:
    """Write each chart as ``figures/<id>.svg`` and ``.png`` and its data as ``tables/<id>.csv``.

    Files of an earlier report in those folders that this report does not have are removed.
    """
    written = ChartFiles()
    figures_dir, tables_dir = out_dir / FIGURES_FOLDER, out_dir / TABLES_FOLDER
    figures_dir.mkdir(exist_ok=True)
    tables_dir.mkdir(exist_ok=True)
    remove_partial_files(figures_dir)
    remove_partial_files(tables_dir)
    for figure, svg in rendered:
        started = time.perf_counter()
        png = svg_png(svg)
        written.png_seconds += time.perf_counter() - started
        started = time.perf_counter()
        svg_path = figures_dir / f"{figure.figure_id}.svg"
        replace_file(svg_path, _text_writer(svg))
        png_path = figures_dir / f"{figure.figure_id}.png"
        replace_file(png_path, _bytes_writer(png))
        table_path = tables_dir / f"{figure.figure_id}.csv"
        replace_file(table_path, _csv_writer(published_table(figure.data)))
        written.figure_paths.extend([svg_path, png_path])
        written.table_paths.append(table_path)
        written.files_seconds += time.perf_counter() - started
    names = {path.name for path in [*written.figure_paths, *written.table_paths]}
    for folder, suffixes in ((figures_dir, (".svg", ".png")), (tables_dir, (".csv",))):
        for path in folder.iterdir():
            if path.suffix in suffixes and path.name not in names:
                path.unlink()
    return written


PARTIAL_SUFFIX = ".partial"


def replace_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` whole or not at all: ``write`` fills a temporary file beside it, which
    then replaces ``path`` in one rename (POSIX ``rename(2)`` is atomic).

    When ``write`` fails (no space, no permission, interrupted) the temporary file is removed
    and ``path`` is left as it was.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}{PARTIAL_SUFFIX}")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _text_writer(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def _bytes_writer(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _csv_writer(table: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        table.to_csv(path, index=False, lineterminator="\n")

    return write


def remove_partial_files(folder: Path) -> None:
    """Remove the temporary files a killed report left in ``folder`` (their process is gone)."""
    for path in folder.glob(f".*{PARTIAL_SUFFIX}"):
        process = path.name.removesuffix(PARTIAL_SUFFIX).rsplit(".", 1)[-1].split("-")[0]
        if process.isdigit() and not _running(int(process)):
            path.unlink(missing_ok=True)


def _running(process: int) -> bool:
    try:
        os.kill(process, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def svg_png(svg: str) -> bytes:
    """The chart's PNG at :data:`PNG_SCALE`, rasterised from its rendered SVG.

    vl-convert's ``svg_to_png`` gives the same bytes as rendering the specification again
    (``render_png``) without compiling the Vega-Lite specification a second time.
    """
    png: bytes = vl_convert.svg_to_png(svg, scale=PNG_SCALE)
    return png


def published_table(data: pd.DataFrame) -> pd.DataFrame:
    """A chart's data as published: missing values on suppressed rows read "suppressed"."""
    if "suppressed" not in data.columns:
        return data
    table = data.copy()
    hidden = table["suppressed"].fillna(False).astype(bool)
    for column in table.columns:
        if column == "suppressed":
            continue
        missing = table[column].isna() & hidden
        if missing.any():
            table[column] = table[column].astype(object)
            table.loc[missing, column] = SUPPRESSED
    return table
