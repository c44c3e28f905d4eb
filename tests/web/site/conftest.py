"""The site commands' tests count what they create, so each starts from empty tables."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def empty_tables(request: pytest.FixtureRequest) -> None:
    """Empty every table inside the test's transaction (PostgreSQL TRUNCATE is transactional).

    Other modules' session fixtures commit a published demo assessment and its audit events
    for the whole run; emptying the tables here, inside the transaction the test rolls back,
    leaves those rows in place for the tests that use them.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
