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
