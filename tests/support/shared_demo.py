"""The demo city's Assessment artefact, built once per test run and shared by every worker.

Building the demo (generate, load, assess) takes tens of seconds; the report, observatory, API,
CLI and browser tests all read the same artefact. The first pytest-xdist worker to ask builds it
under an exclusive file lock in the run's common temporary folder; the others wait and reuse it.
Tests must treat it as read-only (copy it to change it).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from pathlib import Path

import pytest
from demo_city import DEMO_AREA, loaded_demo_city

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.cli.demo_community_reports import load_demo_community_reports
from safecity.cli.demo_intelligence_counts import load_demo_intelligence_counts


def build_demo_assessment(folder: Path) -> Path:
    """The demo city's Assessment artefact, built with the core in ``folder``; returns its path.

    The same steps as ``safecity demo``: the synthetic city (seed 20221, city scale, 36 months
    from April 2022) and its residents' survey (two waves) generated and loaded under a
    throwaway pseudonym key, its synthetic community reports (issue 13) and partner-intelligence
    counts (issue 14) written and loaded, then
    its CSP assessed for its latest financial year, 2024/25.
    """
    out = folder / "assessment"
    with loaded_demo_city(
        folder, key=secrets.token_hex(32), first_month="2022-04", months=36, with_survey=True
    ) as (dataset, warehouse):
        load_demo_community_reports(
            warehouse,
            area_code=DEMO_AREA,
            seed=dataset.seed,
            last_month=dataset.months[-1],
            out_dir=folder / "demo",
        )
        load_demo_intelligence_counts(
            warehouse,
            area_code=DEMO_AREA,
            seed=dataset.seed,
            last_month=dataset.months[-1],
            out_dir=folder / "demo",
        )
        run_assessment(warehouse, area_code=DEMO_AREA, period=parse_period("2024/25"), out_dir=out)
    if not (out / "manifest.json").is_file():
        raise RuntimeError(f"the demo assessment wrote no manifest.json in {out}")
    return out


def shared_demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo artefact of this test run (built by whichever worker asks first)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "shared-demo-city"
    with (root / "shared-demo-city.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            manifest = folder / "assessment" / "manifest.json"
            if not manifest.is_file():
                shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
                folder.mkdir()
                build_demo_assessment(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder / "assessment"
