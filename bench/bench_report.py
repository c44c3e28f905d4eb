"""Benchmark: the Strategic Assessment report (HTML and PDF) of the demo city (issues #5, #17).

Target: HTML and PDF of each edition (the board and public edition, then the partners'
edition) for the demo city in under 30 s on 2 cores; each edition's PDF page count is printed
beside its budget (``editions.yaml``).

The demo city (Demoton, seed 20221, city scale, 36 months) is generated, loaded and assessed
for 2024/25 against 2023/24 first (not timed), unless ``--artefact`` names an artefact folder
already written by ``safecity assess`` or ``safecity demo``. Then each edition is written with
HTML and PDF, and the time split printed: reading the
artefact, chart rendering (Vega-Lite to SVG and PNG by vl-convert), assembling the document,
templating (Jinja2), writing files, and the PDF (WeasyPrint).

Baseline, measured in the same process: WeasyPrint laying out a plain document, the same HTML
with every chart removed. The ratio ``report / plain PDF`` says what the charts and the rest of
the pipeline cost on top of typesetting the text and tables alone; the ratio
``PDF with charts / plain PDF`` says what the inline SVG charts cost WeasyPrint.

Usage::

    python bench/bench_report.py                    # generates and assesses the demo city
    python bench/bench_report.py --artefact DIR     # an existing Assessment artefact
    python bench/bench_report.py --audience partners  # one edition only
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.data.demo_load import load_demo
from safecity.data.extract.pseudonyms import KEY_ENVIRONMENT_VARIABLE
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.synthetic.survey import write_demo_survey
from safecity.data.warehouse import Warehouse
from safecity.report.artefact_reader import Audience
from safecity.report.pdf_output import write_pdf
from safecity.report.report_config import edition
from safecity.report.writer import OutputFormat, write_report

CITY_CSP = "E22900001"
TARGET_SECONDS = 30.0
GENERATED_AT = date(2026, 1, 31)


def demo_artefact(scratch: Path, *, seed: int) -> Path:
    """Generate, load and assess Demoton for 2024/25; the artefact's folder."""
    started = time.perf_counter()
    dataset = generate_demo_data(out_dir=scratch / "city", seed=seed, scale=DemoScale.CITY)
    survey = write_demo_survey(dataset=dataset)  # as safecity demo: two survey waves
    with Warehouse(scratch / "city.duckdb") as warehouse:
        load_demo(warehouse, dataset=dataset, survey=survey)
        run_assessment(
            warehouse,
            area_code=CITY_CSP,
            period=parse_period("2024/25"),
            out_dir=scratch / "artefact",
        )
    print(f"demo city generated, loaded and assessed in {time.perf_counter() - started:.1f} s")
    return scratch / "artefact"


def plain_html(html: str) -> str:
    """The report's HTML with every chart (``<figure>`` element) removed."""
    return re.sub(r"<figure\b.*?</figure>", "", html, flags=re.DOTALL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artefact", type=Path, help="An existing Assessment artefact folder.")
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument(
        "--audience",
        choices=[audience.value for audience in Audience],
        help="One edition only (default: the public edition, then the partners').",
    )
    arguments = parser.parse_args()
    os.environ.setdefault(KEY_ENVIRONMENT_VARIABLE, secrets.token_hex(32))
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        scratch = Path(folder)
        artefact = arguments.artefact or demo_artefact(scratch, seed=arguments.seed)
        audiences = (
            [Audience(arguments.audience)]
            if arguments.audience
            else [Audience.PUBLIC, Audience.PARTNERS]
        )
        for audience in audiences:
            edition_report(artefact, scratch=scratch, audience=audience)


def edition_report(artefact: Path, *, scratch: Path, audience: Audience) -> None:
    """Write one edition of the report with HTML and PDF, and print its timings and pages."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = write_report(
        assessment_dir=artefact,
        out_dir=scratch / f"report-{audience.value}",
        audience=audience,
        formats=(OutputFormat.HTML, OutputFormat.PDF),
        generated_at=GENERATED_AT,
    )
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    timings = result.timings
    if result.html_path is None or result.pdf_path is None:
        raise SystemExit("the report wrote no HTML or no PDF")
    html = result.html_path.read_text(encoding="utf-8")
    started = time.perf_counter()
    write_pdf(html=plain_html(html), path=scratch / f"plain-{audience.value}.pdf")
    plain = time.perf_counter() - started
    charts = len(result.table_paths)
    pages = len(PdfReader(result.pdf_path).pages)
    budget = edition(audience.value).pages
    html_mb = result.html_path.stat().st_size / 1e6
    pdf_mb = result.pdf_path.stat().st_size / 1e6
    print(
        f"{edition(audience.value).title} on {artefact}: {charts} charts, {pages} A4 pages"
        f" (budget {budget.minimum}-{budget.maximum}), HTML {html_mb:.1f} MB, PDF {pdf_mb:.1f} MB"
    )
    print(
        f"    reading {timings.reading_seconds:6.2f} s | charts (SVG+PNG)"
        f" {timings.chart_seconds:6.2f} s | document {timings.document_seconds:6.2f} s |"
        f" templating {timings.template_seconds:6.2f} s | files {timings.files_seconds:6.2f} s"
        f" | PDF {timings.pdf_seconds:6.2f} s"
    )
    print(
        f"    HTML and PDF in {wall:.2f} s (stages add up to {timings.total_seconds:.2f} s:"
        f" chart files are written while the PDF is laid out; CPU time of the process"
        f" {cpu:.2f} s, load average {os.getloadavg()[0]:.1f}); target <"
        f" {TARGET_SECONDS:.0f} s: {'MET' if wall < TARGET_SECONDS else 'MISSED'}"
    )
    print(
        f"    baseline: plain PDF (same HTML without charts) {plain:.2f} s; report / plain PDF"
        f" = {wall / plain:.2f}x; PDF with charts / plain PDF ="
        f" {timings.pdf_seconds / plain:.2f}x"
    )


if __name__ == "__main__":
    main()
