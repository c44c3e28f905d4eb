"""``safecity load survey``: the reconciliation, weighting and errors as a user sees them
(issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safecity.cli.main import app

REPOSITORY = Path(__file__).resolve().parents[2]
CSEW_CODEBOOK = REPOSITORY / "examples" / "survey" / "csew-2013-14-teaching.yaml"

runner = CliRunner()


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", "survey-cli-key-0123456789abcdef")
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)


def test_loading_the_csew_file_prints_the_reconciliation_and_weighting(
    shared_data: Path, tmp_path: Path
) -> None:
    arguments = [
        "load",
        "survey",
        str(shared_data / "survey" / "crime-survey-csew1314teachingopen.sav"),
        "--codebook",
        str(CSEW_CODEBOOK),
        "--wave",
        "csew-2013-14",
        "--warehouse",
        str(tmp_path / "warehouse.duckdb"),
    ]
    result = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "rows in 8,843 = loaded 8,843 + quarantined 0" in result.output
    assert (
        "wave csew-2013-14 (csew): 8,843 respondents; weighting file (column IndivWgtx);"
        " Kish design effect 1.394, effective sample size 6,345; national (no area)"
    ) in " ".join(result.output.split())

    again = runner.invoke(
        app, [*arguments, "--json", "--fieldwork-end", "2014-03-30"], env={"COLUMNS": "200"}
    )
    assert again.exit_code == 0, again.output
    [report] = json.loads(again.output)
    assert report["status"] == "replaced"
    assert (report["rows_in"], report["loaded"], report["quarantined"]) == (8843, 8843, 0)
    assert report["wave"]["weighting"] == "file"
    assert report["wave"]["fieldwork_end"] == "2014-03-30"
    assert report["wave"]["effective_sample_size"] == pytest.approx(6345.258673, abs=1e-6)


def test_errors_are_one_sentence_and_an_exit_code(tmp_path: Path) -> None:
    warehouse = str(tmp_path / "warehouse.duckdb")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        CSEW_CODEBOOK.read_text(encoding="utf-8").replace("kind: single", "kind: scale", 1),
        encoding="utf-8",
    )
    survey = tmp_path / "survey.csv"
    survey.write_text("a,b\n1,2\n", encoding="utf-8")

    result = runner.invoke(
        app,
        [
            "load",
            "survey",
            str(survey),
            "--codebook",
            str(bad),
            "--wave",
            "1",
            "--warehouse",
            warehouse,
        ],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "measures.feels_safe_after_dark.kind: 'scale' is not one of: single, multiple" in (
        result.output
    )
    assert "Traceback" not in result.output

    rejected = runner.invoke(
        app,
        [
            "load",
            "survey",
            str(survey),
            "--codebook",
            str(CSEW_CODEBOOK),
            "--wave",
            "1",
            "--warehouse",
            warehouse,
        ],
        env={"COLUMNS": "300"},
    )
    assert rejected.exit_code == 1
    assert "the codebook names columns the file does not have" in " ".join(rejected.output.split())

    dates = runner.invoke(
        app,
        [
            "load",
            "survey",
            str(survey),
            "--codebook",
            str(CSEW_CODEBOOK),
            "--wave",
            "1",
            "--fieldwork-start",
            "1 April",
            "--warehouse",
            warehouse,
        ],
    )
    assert dates.exit_code == 2
    assert "--fieldwork-start '1 April' is not a date written YYYY-MM-DD" in dates.output
