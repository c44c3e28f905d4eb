"""Fixtures of the fault tests: the demo city with its CSP assessed for two years."""

from __future__ import annotations

import pytest
from tests.faults.demo_years import DemoYears, shared_demo_years


@pytest.fixture(scope="session")
def demo_years(tmp_path_factory: pytest.TempPathFactory) -> DemoYears:
    """The loaded demo warehouse and the 2023/24 and 2024/25 artefacts (read-only)."""
    return shared_demo_years(tmp_path_factory)
