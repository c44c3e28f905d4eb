"""The demo city assessed once, and its report written for both audiences, for every test here.

The artefact is the full assessment (every registered family) of Demoton, the synthetic demo
city, for 2024/25 against 2023/24; the reports are written with a fixed generated-at date.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_demo import shared_demo_artefact
from tests.report.html_parts import GENERATED_AT

from safecity.report.artefact_reader import Audience
from safecity.report.writer import OutputFormat, ReportResult, write_report


@pytest.fixture(scope="session")
def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Assessment artefact of the demo city (every family)."""
    return shared_demo_artefact(tmp_path_factory)


@pytest.fixture(scope="session")
def partners_report(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The partners' report on the demo city, HTML and PDF."""
    return write_report(
        assessment_dir=demo_artefact,
        out_dir=tmp_path_factory.mktemp("report-partners"),
        audience=Audience.PARTNERS,
        formats=(OutputFormat.HTML, OutputFormat.PDF),
        generated_at=GENERATED_AT,
    )


@pytest.fixture(scope="session")
def public_report(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The public (board) report on the demo city, HTML and PDF (its page budget is tested)."""
    return write_report(
        assessment_dir=demo_artefact,
        out_dir=tmp_path_factory.mktemp("report-public"),
        audience=Audience.PUBLIC,
        formats=(OutputFormat.HTML, OutputFormat.PDF),
        generated_at=GENERATED_AT,
    )
