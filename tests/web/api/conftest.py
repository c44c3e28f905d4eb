"""Published demo data for the API tests: the demo artefact built once, published per module.

``demo_artefact`` builds the demo city's Assessment artefact with the core once per session
(``web_server.build_demo_assessment``); ``api_artefact`` is its copy without the grid tables
the API does not serve (``web_api.api_copy``). ``published_demo`` publishes it
(``web_api.publish_demo``: superseded, current and draft assessments); the rows are committed
for the module's tests and deleted afterwards, with the audit events publishing wrote, so other
test modules see an empty read model.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_api import PublishedDemo, api_copy, publish_demo, remove_published
from web_server import build_demo_assessment


@pytest.fixture(scope="session")
def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city's Assessment artefact, built by the core once per test session."""
    return build_demo_assessment(tmp_path_factory.mktemp("api-demo"))


@pytest.fixture(scope="session")
def api_artefact(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo artefact without the grid tables the API does not serve."""
    return api_copy(demo_artefact, tmp_path_factory.mktemp("api-artefact"))


@pytest.fixture(scope="module")
def published_demo(
    django_db_setup: None, django_db_blocker: Any, api_artefact: Path
) -> Iterator[PublishedDemo]:
    """The demo artefact published twice (the first superseded) and loaded once as a draft."""
    from safecity_web.accounts.models import AuditEvent

    with django_db_blocker.unblock():
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            yield publish_demo(api_artefact)
        finally:
            remove_published(audit_events_after=last_event)
