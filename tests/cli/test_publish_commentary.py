"""``safecity publish --commentary FILE``: the commentary file loaded into the assessment just
published (the demo artefact, on a throwaway PostgreSQL database)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest
from web_assets_cli import SAFECITY, demo_artefact, site_environment, throwaway_database


def _run(arguments: list[str], *, environment: dict[str, str], folder: Path) -> str:
    result = subprocess.run(
        arguments,
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_publish_loads_the_commentary_file(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    artefact = demo_artefact(tmp_path_factory)
    commentary = tmp_path / "commentary.yaml"
    commentary.write_text(
        "organisation: Demoton City Council\n"
        "date: 2025-06-30\n"
        "recommendations:\n"
        "  vawg: accept\n"
        "  violent_crime: {decision: reject, reason: Led by the police plan.}\n"
        "sections:\n"
        "  summary: Crime fell.\n",
        encoding="utf-8",
    )
    with throwaway_database() as database_url:
        environment = site_environment(folder=tmp_path, database_url=database_url)
        _run(
            [str(SAFECITY.with_name("python")), "-m", "safecity_web", "migrate", "--noinput"],
            environment=environment,
            folder=tmp_path,
        )
        output = _run(
            [
                str(SAFECITY),
                "publish",
                "--assessment",
                str(artefact),
                "--publish",
                "--commentary",
                str(commentary),
            ],
            environment=environment,
            folder=tmp_path,
        )
        assert "Loaded 2 decision(s) and 1 commentary entry into Demoton 2024/25" in output
        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
            decisions = connection.execute(
                "SELECT d.group_id, d.decision, d.organisation_name, a.status"
                " FROM commentary_recommendationdecision d"
                " JOIN observatory_publishedassessment a ON a.id = d.assessment_id"
                " ORDER BY d.group_id"
            ).fetchall()
    assert decisions == [
        ("vawg", "accepted", "Demoton City Council", "published"),
        ("violent_crime", "rejected", "Demoton City Council", "published"),
    ]
