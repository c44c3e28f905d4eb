"""``safecity report``: clear errors, and the files it writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from demo_city import demo_city
from typer.testing import CliRunner

from safecity.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def small_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city assessed with no optional family: counts, rates, change and findings."""
    folder = tmp_path_factory.mktemp("cli-report")
    return demo_city(folder, key="0" * 64, families={}).out


def _error(arguments: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, ["report", *arguments])
    return result.exit_code, " ".join(result.output.split())


def test_missing_assessment_folder_is_a_clear_error(tmp_path: Path) -> None:
    code, message = _error(["--assessment", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert code == 2
    assert "error:" in message
    assert "nowhere: no such folder (expected an Assessment artefact)" in message
    assert "Traceback" not in message


def test_folder_that_is_not_an_artefact_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, message = _error(["--assessment", str(tmp_path / "empty"), "--out", str(tmp_path)])
    assert code == 2
    assert "no manifest.json; is this a folder written by `safecity assess`?" in message


def test_bad_format_and_audience_are_clear_errors(small_artefact: Path, tmp_path: Path) -> None:
    common = ["--assessment", str(small_artefact), "--out", str(tmp_path / "out")]
    code, message = _error([*common, "--format", "html,docx"])
    assert code == 2
    assert "--format 'html,docx': 'docx' is not a report format; give html, pdf or html,pdf" in (
        message
    )
    code, message = _error([*common, "--audience", "press"])
    assert code == 2
    assert "--audience 'press' is not an audience; give public or partners" in message
    code, message = _error([*common, "--generated-at", "31/01/2026"])
    assert code == 2
    assert "--generated-at '31/01/2026' is not a date (expected YYYY-MM-DD)" in message
    assert not (tmp_path / "out").exists()


def test_report_writes_html_charts_and_tables(small_artefact: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    # A PDF and a chart left by an earlier run would not match this report: they go.
    (out / "figures").mkdir(parents=True)
    (out / "report.pdf").write_bytes(b"%PDF-1.7 earlier run")
    (out / "figures" / "hotspot-map-earlier.svg").write_text("<svg/>", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "report", "--assessment", str(small_artefact), "--out", str(out),
            "--format", "html", "--generated-at", "2026-01-31", "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert written["html"] == str(out / "report.html")
    assert written["pdf"] is None
    assert not (out / "report.pdf").exists()
    assert not (out / "figures" / "hotspot-map-earlier.svg").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<title>Strategic Assessment: Demoton 2024/25</title>" in html
    assert "31 January 2026" in html
    charts = sorted(path.stem for path in (out / "figures").glob("*.svg"))
    assert charts == sorted(path.stem for path in (out / "tables").glob("*.csv"))
    assert charts == sorted(path.stem for path in (out / "figures").glob("*.png"))
    assert len(charts) == written["figures"] // 2 == written["tables"]
    assert charts
    # Without the optional families, their sections say what is missing.
    assert "The assessment has no priority scores, so no priorities are ranked." in html
    assert re.search(r"https?:", html) is None
