"""The demo city loaded once for the fault tests, with its CSP assessed for two years.

The assessments register no optional family (counts, rates, change and findings only), so
they and the reports on them take seconds.

Built once per test run and shared by every pytest-xdist worker (under a file lock, like the
shared demo artefact): the warehouse, and the artefacts of 2023/24 and 2024/25. Tests treat
them as read-only and copy what they change.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from demo_city import DEMO_AREA, loaded_demo_city

from safecity.assess import engine
from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period

KEY = "7" * 64
"""The pseudonym key of the fault tests' demo city (a throwaway test key)."""


@dataclass(frozen=True)
class DemoYears:
    """The loaded demo warehouse and the CSP's artefacts of two financial years."""

    warehouse: Path
    earlier: Path
    later: Path


def _build(folder: Path) -> None:
    with (
        loaded_demo_city(folder, key=KEY, first_month="2022-04", months=36) as (_, warehouse),
        pytest.MonkeyPatch.context() as patch,
    ):
        # No optional family: counts, rates, change and findings, in seconds.
        patch.setattr(engine, "REGISTERED_FAMILIES", {})
        for period, name in (("2023/24", "earlier"), ("2024/25", "later")):
            run_assessment(
                warehouse, area_code=DEMO_AREA, period=parse_period(period), out_dir=folder / name
            )


def shared_demo_years(tmp_path_factory: pytest.TempPathFactory) -> DemoYears:
    """The demo city of this run (built by whichever worker asks first)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "faults-demo-years"
    with (root / "faults-demo-years.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / "later" / "manifest.json").is_file():
                shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
                folder.mkdir()
                _build(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return DemoYears(
        warehouse=folder / "safecity.duckdb", earlier=folder / "earlier", later=folder / "later"
    )
