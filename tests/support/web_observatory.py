"""Observatory test fixtures: the demo Assessment artefact, built once per test session.

``demo_artefact`` builds the demo city's artefact with the core's assessment engine
(``web_server.build_demo_assessment``: synthetic city, seed 20221, assessed for 2024/25) in a
session temp folder. ``published_demo`` is that artefact loaded and published in the test
database, once per session (committed outside the tests' transactions, so every test sees it
and rolls back its own changes); it is loaded again if a transactional test flushed it.
``copy_artefact`` copies an artefact's manifest and some public tables into a new folder, for
tests that publish or break a light artefact of their own.

Import the fixtures in a conftest or test module: ``from web_observatory import
demo_artefact, published_demo, published_demo_id  # noqa: F401``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from web_server import build_demo_assessment

from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.observatory.publishing import load_draft, publish

PUBLIC = "public"


@pytest.fixture(scope="session")
def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city's Assessment artefact, built with the core once per session."""
    return build_demo_assessment(tmp_path_factory.mktemp("observatory-demo"))


def _load_and_publish(directory: Path) -> int:
    return publish(load_draft(directory=directory), user=None).pk


@pytest.fixture(scope="session")
def published_demo_id(django_db_setup: None, django_db_blocker: Any, demo_artefact: Path) -> int:
    """Id of the demo assessment, loaded and published once per session (committed)."""
    with django_db_blocker.unblock():
        return _load_and_publish(demo_artefact)


@pytest.fixture
def published_demo(published_demo_id: int, db: None, demo_artefact: Path) -> Any:
    """The published demo assessment (loaded again if a transactional test flushed it)."""
    found = PublishedAssessment.objects.filter(pk=published_demo_id).first()
    if found is None or found.status != AssessmentStatus.PUBLISHED:
        found = PublishedAssessment.objects.get(pk=_load_and_publish(demo_artefact))
    return found


def copy_artefact(source: Path, destination: Path, *, tables: Iterable[str] | None = None) -> Path:
    """Copy ``source``'s manifest and public tables (only ``tables`` if given) to ``destination``.

    The copied manifest lists only the copied public tables, so the copy is a complete,
    smaller artefact.
    """
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    keep = set(manifest["public_tables"]) if tables is None else set(tables)
    manifest["public_tables"] = {
        name: entry for name, entry in manifest["public_tables"].items() if name in keep
    }
    (destination / PUBLIC).mkdir(parents=True, exist_ok=True)
    for entry in manifest["public_tables"].values():
        shutil.copy(source / PUBLIC / entry["parquet"], destination / PUBLIC / entry["parquet"])
    for boundaries in (source / PUBLIC / "boundaries.geojson", source / "boundaries.geojson"):
        if boundaries.is_file():
            shutil.copy(boundaries, destination / PUBLIC / "boundaries.geojson")
            break
    (destination / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return destination
