"""``safecity survey estimates`` (issue 12): a table for analysts, or JSON rows with
``measure, group, value`` (a proportion), ``lower_ci, upper_ci, method, unweighted_base``;
suppressed estimates shown, marked, with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from survey_fixtures import build_survey_warehouse, respondents
from typer.testing import CliRunner

from safecity.cli import options
from safecity.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "w.duckdb"
    build_survey_warehouse(path).close()
    return path


def _hand_share(wave: str, measure: str, category: str) -> tuple[float, int]:
    weights, hits = [], []
    for person in respondents(wave):
        rows = [row for row in person.answers if row[0] == measure and row[3]]
        if rows:
            weights.append(person.weight)
            hits.append(any(row[1] == category and row[2] for row in rows))
    value = sum(w for w, hit in zip(weights, hits, strict=True) if hit) / sum(weights)
    return value, len(weights)


def test_json_rows(warehouse_path: Path) -> None:
    result = runner.invoke(
        app,
        ["survey", "estimates", "--wave", "2021", "--by", "ward", "--json",
         "--warehouse", str(warehouse_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert list(rows[0])[:7] == [
        "measure",
        "group",
        "value",
        "lower_ci",
        "upper_ci",
        "method",
        "unweighted_base",
    ]
    safe = [
        row
        for row in rows
        if row["measure"] == "feels_safe_after_dark"
        and row["category"] == "Very or fairly safe"
        and row["group"] == "All respondents"
    ]
    value, base = _hand_share("2021", "feels_safe_after_dark", "Very or fairly safe")
    assert safe[0]["value"] == pytest.approx(value, abs=1e-12)
    assert safe[0]["lower_ci"] < value < safe[0]["upper_ci"]
    assert safe[0]["unweighted_base"] == base
    assert safe[0]["method"] == "Wilson, Kish effective sample size"
    assert safe[0]["note"] == ""
    small = [row for row in rows if row["group"] == "W01"]
    assert small
    for row in small:
        assert row["suppressed"] is True
        assert row["value"] is not None  # shown to analysts, marked
        assert row["note"] == f"suppressed: unweighted base {row['unweighted_base']} under 50"


def test_text_table_marks_suppressed_rows(
    warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(options.console, "width", 220)
    result = runner.invoke(
        app,
        ["survey", "estimates", "--wave", "2022", "--by", "ward", "--by", "sex",
         "--warehouse", str(warehouse_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Feel very or fairly safe walking alone after dark" in text
    assert "Very or fairly safe (headline)" in text
    assert "suppressed: unweighted base 30 under 50" in text
    assert "ward: W01" in text
    assert "Wilson, Kish effective sample size" in text


def test_unknown_wave_is_one_sentence(warehouse_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["survey", "estimates", "--wave", "1999", "--warehouse", str(warehouse_path)]
    )
    assert result.exit_code == 2
    assert "no survey wave '1999' is loaded; loaded waves: 2021, 2022" in " ".join(
        result.output.split()
    )
    missing = runner.invoke(
        app, ["survey", "estimates", "--wave", "2021", "--warehouse", str(tmp_path / "no.duckdb")]
    )
    assert missing.exit_code == 2
    assert "no warehouse at" in missing.output
