"""Observatory test fixtures: the demo Assessment artefact, built once per test session.

``demo_artefact`` builds the demo city's artefact with the core's assessment engine
(``shared_demo.build_demo_assessment``: synthetic city, seed 20221, assessed for 2024/25) in a
session temp folder. ``published_demo`` is that artefact loaded and published in the test
database, once per session (committed outside the tests' transactions, so every test sees it
and rolls back its own changes); it is loaded again if a transactional test flushed it.
``copy_artefact`` copies an artefact's manifest and some public tables into a new folder, for
tests that publish or break a light artefact of their own.

Import the fixtures in a conftest or test module: ``from web_observatory import
demo_artefact, published_demo, published_demo_id  # noqa: F401``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from shared_demo import shared_demo_artefact

from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.observatory.publishing import load_draft, publish

PUBLIC = "public"


@pytest.fixture(scope="session")
def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city's Assessment artefact, built with the core once per session."""
    return shared_demo_artefact(tmp_path_factory)


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


# Reading the observatory's HTML in tests: an element by id, its text, table cells, specs.


def element(page: str, element_id: str) -> str:
    """The outer HTML of the element with ``id`` (its tag closed at the matching depth)."""
    start = page.index(f'id="{element_id}"')
    open_at = page.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", page[open_at:]).group(1)  # type: ignore[union-attr]
    depth, position = 0, open_at
    pattern = re.compile(rf"<(/?){tag}\b[^>]*>")
    for match in pattern.finditer(page, open_at):
        depth += -1 if match.group(1) else 1
        position = match.end()
        if depth == 0:
            break
    return page[open_at:position]


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    without_scripts = re.sub(r"<script.*?</script>", " ", fragment, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", without_scripts))).strip()


def cells(row: str) -> list[str]:
    """The text of each th/td cell of a table row."""
    return [text(cell) for cell in re.findall(r"<t[hd]\b.*?</t[hd]>", row, flags=re.S)]


def spec(page: str, spec_id: str) -> dict[str, Any]:
    """The Vega-Lite spec embedded in ``<script id="spec_id" type="application/json">``."""
    match = re.search(
        rf'<script id="{re.escape(spec_id)}" type="application/json">(.*?)</script>',
        page,
        flags=re.S,
    )
    assert match is not None, f"no spec {spec_id}"
    return json.loads(match.group(1))
