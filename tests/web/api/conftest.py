"""Published demo data for the API tests: the demo artefact built once, published per module.

``demo_artefact`` (``tests/web/conftest.py``) is the demo city's Assessment artefact, built
with the core once per session; ``api_artefact`` is its copy without the grid tables
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
        # Start from an empty read model: another folder's session fixture may have committed
        # an assessment (the observatory's reloads its own when it finds it gone).
        remove_published(audit_events_after=last_event)
        try:
            yield publish_demo(api_artefact)
        finally:
            remove_published(audit_events_after=last_event)
