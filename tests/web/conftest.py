"""Web tests run on PostgreSQL: a throwaway cluster per test session unless DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from postgres_cluster import start_cluster


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
) -> Iterator[None]:
    """Point Django at a throwaway PostgreSQL cluster before the test database is created."""
    if os.environ.get("DATABASE_URL"):
        yield
        return
    from django.conf import settings

    cluster = start_cluster()
    database: dict[str, Any] = settings.DATABASES["default"]
    database.update(
        {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": "127.0.0.1",
            "PORT": cluster.port,
            "USER": "postgres",
            "PASSWORD": "",
        }
    )
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        cluster.stop()


# --- Shared fixture (added by the API engineer): the demo Assessment artefact -------------------
@pytest.fixture(scope="session")
def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo city's Assessment artefact (a ``Path``), built by the core once per session.

    Defined here so that every web test folder shares one build (about 40 s); a folder's own
    ``demo_artefact`` fixture, if it keeps one, overrides it and builds again.
    """
    from shared_demo import shared_demo_artefact

    return shared_demo_artefact(tmp_path_factory)


@pytest.fixture(autouse=True)
def _forget_published_boundaries() -> Iterator[None]:
    """Empty the per-process caches keyed by a published assessment's id after each test.

    The site keeps the published boundaries, their spatial index and their place names by the
    published row's id (a published row never changes, and ids are never reused in a running
    site). Tests that flush the database start ids again from 1, so a later test's assessment
    could find an earlier test's boundaries under the same id.
    """
    yield
    from safecity_web import core_gateway
    from safecity_web.open311 import places as open311_places
    from safecity_web.reporting import submission

    submission._BOUNDARIES.clear()
    core_gateway._AREA_LOCATORS.clear()
    with open311_places._PLACES_GUARD:
        open311_places._PLACES.clear()
