"""``safecity publish``: the demo artefact loaded as a draft, then published, on PostgreSQL."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psycopg
import pytest
from web_assets_cli import SAFECITY, demo_artefact, site_environment, throwaway_database


def _run(
    arguments: list[str], *, environment: dict[str, str], folder: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        arguments,
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _assessments(database_url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute(
            "SELECT area_code, period, status FROM observatory_publishedassessment ORDER BY id"
        ).fetchall()
    return [(str(area), str(period), str(status)) for area, period, status in rows]


def test_publish_loads_a_draft_then_publishes_the_demo_assessment(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    artefact = demo_artefact(tmp_path_factory)
    with throwaway_database() as database_url:
        environment = site_environment(folder=tmp_path, database_url=database_url)
        migrate = _run(
            [str(SAFECITY.with_name("python")), "-m", "safecity_web", "migrate", "--noinput"],
            environment=environment,
            folder=tmp_path,
        )
        assert migrate.returncode == 0, migrate.stderr

        draft = _run(
            [str(SAFECITY), "publish", "--assessment", str(artefact)],
            environment=environment,
            folder=tmp_path,
        )
        assert draft.returncode == 0, draft.stdout + draft.stderr
        assert _assessments(database_url) == [("E22900001", "2024/25", "draft")]

        public = _run(
            [str(SAFECITY), "publish", "--assessment", str(artefact), "--publish"],
            environment=environment,
            folder=tmp_path,
        )
        assert public.returncode == 0, public.stdout + public.stderr
        # The draft stays a draft; the new load is the published assessment of the area.
        assert _assessments(database_url) == [
            ("E22900001", "2024/25", "draft"),
            ("E22900001", "2024/25", "published"),
        ]


def test_publish_relays_the_failure_of_an_unreadable_artefact(tmp_path: Path) -> None:
    not_an_artefact = tmp_path / "empty"
    not_an_artefact.mkdir()
    # The artefact is read before the database is touched: no migration needed to see the error.
    environment = site_environment(folder=tmp_path, database_url="sqlite:///site.sqlite3")
    result = _run(
        [str(SAFECITY), "publish", "--assessment", str(not_an_artefact)],
        environment=environment,
        folder=tmp_path,
    )
    assert result.returncode != 0
    assert str(not_an_artefact) in result.stderr  # the management command names the folder
    assert f"error: publishing {not_an_artefact} failed (exit code {result.returncode})" in (
        re.sub(r"\s+", " ", result.stderr)
    )


def test_publish_needs_an_existing_folder(tmp_path: Path) -> None:
    result = _run(
        [str(SAFECITY), "publish", "--assessment", str(tmp_path / "missing")],
        environment=site_environment(folder=tmp_path, database_url="sqlite:///site.sqlite3"),
        folder=tmp_path,
    )
    assert result.returncode == 2
    assert "does not exist" in result.stderr
