"""Shared fixtures: where the real public data lives, and throwaway warehouses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(
    os.environ.get("SAFECITY_SHARED_DATA", REPOSITORY_ROOT.parent / "shared" / "data")
).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data in ``../shared/data``.

    Skips with a reason when it is absent on a developer's machine; fails under CI, where it
    must be present.
    """
    if not (SHARED_DATA / "SOURCES.md").is_file():
        message = f"real public data not found at {SHARED_DATA} (set SAFECITY_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
