"""Fault injection (issue 15, part 7): ``safecity load``, ``assess``, ``report`` and ``publish``
killed with SIGKILL at chosen and random points, as real processes on real inputs, then checked.

After every kill: the warehouse holds all or none of each file's rows (``load_file.loaded``
equals the rows stored under its id; no rows without a file); the artefact opens (every hash
checks) as the earlier one or the new one, whole; the report's files are the earlier ones or
new and whole, never half-written in place; the site's database holds each assessment whole
or not at all. The default run kills each command at two points, with the assessment's
optional families left out (``LIGHT``: the same command line in a real process; counts,
rates, change and findings only) so the sample takes seconds per command; ``bash
scripts/stress`` runs the ``stress`` variants with many points and every family.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from tests.faults.demo_years import DemoYears
from web_assets_cli import site_environment, throwaway_database

from safecity.data.warehouse import Warehouse
from safecity.report.artefact_reader import Audience, open_artefact

SAFECITY = str(Path(sys.executable).parent / "safecity")
FULL = [SAFECITY]
LIGHT = [
    sys.executable,
    "-c",
    "import sys; from safecity.assess import engine; engine.REGISTERED_FAMILIES = {};"
    " from safecity.cli.main import run; sys.argv[0] = 'safecity'; run()",
]
"""``safecity`` with no optional assessment family registered (as tests/support/demo_city)."""
SEED = 20_261_206
"""Seed of the random kill times (fixed, so a failure can be replayed)."""


def _start(
    arguments: list[str], *, command: list[str] = FULL, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*command, *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )


def _kill_when(
    process: subprocess.Popen[bytes], *, ready: Callable[[], bool], delay: float
) -> bool:
    """SIGKILL ``process`` (and its children) ``delay`` seconds after ``ready()`` first holds;
    ``False`` when it finished before."""
    deadline = time.monotonic() + 300
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    time.sleep(delay)
    if process.poll() is not None:
        return False
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return True


def _now() -> bool:
    return True


def _check_warehouse(path: Path) -> tuple[int, int]:
    """Every logged file's rows whole, no orphan rows; returns (files, rows)."""
    with Warehouse(path) as warehouse:
        logged = warehouse.connection.execute(
            "SELECT f.file_id, f.loaded, count(s.file_id) FROM load_file f"
            " JOIN police_uk_street s USING (file_id) GROUP BY ALL"
        ).fetchall()
        orphans = warehouse.connection.execute(
            "SELECT count(*) FROM police_uk_street WHERE file_id NOT IN"
            " (SELECT file_id FROM load_file)"
        ).fetchone()
    assert orphans == (0,)
    assert all(loaded == stored for _, loaded, stored in logged), logged
    return len(logged), sum(stored for _, _, stored in logged)


def _load_kills(points: list[float], source: Path, folder: Path) -> tuple[int, int]:
    """Kill loads of ``source`` ``points`` seconds after their start, checking the warehouse
    after each, then finish the load; returns what the warehouse holds (files, rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = folder / "w.duckdb"
    arguments = ["load", "police-uk", str(source), "--warehouse", str(warehouse)]
    killed: list[bool] = []
    for delay in points:
        killed.append(_kill_when(_start(arguments), ready=_now, delay=delay))
        if warehouse.exists():
            _check_warehouse(warehouse)
    assert any(killed) or not points, "every load finished before its kill"
    finished = subprocess.run([SAFECITY, *arguments], capture_output=True, check=False)
    assert finished.returncode == 0, finished.stderr
    return _check_warehouse(warehouse)


def test_killing_a_load_keeps_whole_files(shared_data: Path, tmp_path: Path) -> None:
    source = tmp_path / "hampshire"
    source.mkdir()
    for month in ("2017-02", "2017-03"):
        name = f"{month}-hampshire-street.csv.gz"
        shutil.copy(shared_data / "police-uk" / "hampshire" / name, source / name)
    killed = _load_kills([1.2], source, tmp_path / "killed")
    clean = _load_kills([], source, tmp_path / "clean")
    assert killed == clean
    assert killed[0] == 2


@pytest.mark.stress
def test_killing_a_load_at_many_points_keeps_whole_files(shared_data: Path, tmp_path: Path) -> None:
    chooser = random.Random(SEED)
    points = [chooser.uniform(0.2, 8.0) for _ in range(12)]
    # All nine months of Hampshire, each whole (the count of tests/data's loader test).
    source = shared_data / "police-uk" / "hampshire"
    assert _load_kills(points, source, tmp_path) == (9, 154_732)


def _partial_beside(folder: Path) -> bool:
    return any(folder.parent.glob(f".{folder.name}.*.partial"))


def _assess_kills(
    points: list[float | None],
    demo_years: DemoYears,
    folder: Path,
    *,
    command: list[str],
    finish: bool,
) -> set[str]:
    """Kill ``assess`` 2024/25 over the 2023/24 artefact; ``None`` kills as the new artefact
    is being written, a number that many seconds after the start; with ``finish``, run it to
    the end after. Returns the periods seen after the kills."""
    warehouse = folder / "w.duckdb"
    shutil.copy(demo_years.warehouse, warehouse)
    out = folder / "assessment"
    shutil.copytree(demo_years.earlier, out)
    arguments = ["assess", "--area", "E22900001", "--period", "2024/25", "--out", str(out),
                 "--warehouse", str(warehouse)]  # fmt: skip
    seen = set()
    killed: list[bool] = []
    for point in points:
        process = _start(arguments, command=command)
        if point is None:
            killed.append(_kill_when(process, ready=lambda: _partial_beside(out), delay=0.02))
        else:
            killed.append(_kill_when(process, ready=_now, delay=point))
        for audience in Audience:
            artefact = open_artefact(directory=out, audience=audience)  # every hash checks
            period = str(artefact.manifest["parameters"]["period"])
            seen.add(period)
            indicators = artefact.table("indicators")
            assert indicators is not None
            assert set(indicators["period"].astype(str)) == {period}
    assert any(killed), "every assessment finished before its kill"
    if not finish:
        return seen
    finished = subprocess.run([*command, *arguments], capture_output=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert open_artefact(directory=out, audience=Audience.PUBLIC).manifest["parameters"][
        "period"
    ] == ("2024/25")
    assert sorted(path.name for path in folder.iterdir()) == ["assessment", "w.duckdb"]
    return seen


def test_killing_assess_leaves_the_old_or_the_new_artefact_whole(
    demo_years: DemoYears, tmp_path: Path
) -> None:
    seen = _assess_kills([None, 1.0], demo_years, tmp_path, command=LIGHT, finish=False)
    assert seen == {"2023/24"}


@pytest.mark.stress
def test_killing_assess_at_many_points(demo_years: DemoYears, tmp_path: Path) -> None:
    chooser = random.Random(SEED)
    points: list[float | None] = [None] * 4 + [chooser.uniform(0.5, 50.0) for _ in range(8)]
    seen = _assess_kills(points, demo_years, tmp_path, command=FULL, finish=True)
    assert seen <= {"2023/24", "2024/25"}


def _whole(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".png":
        return data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82")
    if path.suffix == ".svg":
        return data.rstrip().endswith(b"</svg>")
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    if path.suffix == ".pdf":
        return data.rstrip().endswith(b"%%EOF")
    if path.suffix == ".csv":
        return data.endswith(b"\n")
    return True


def _report_kills(
    points: list[float | None], demo_years: DemoYears, folder: Path, *, formats: str, finish: bool
) -> None:
    """Kill the report of 2024/25 over that of 2023/24: ``None`` kills as the first file is
    being replaced, a number that many seconds after the start; with ``finish``, run it to
    the end after."""
    out = folder / "report"
    arguments = ["report", "--assessment", str(demo_years.earlier), "--out", str(out),
                 "--generated-at", "2026-12-06", "--format", formats]  # fmt: skip
    first = subprocess.run([SAFECITY, *arguments], capture_output=True, check=False)
    assert first.returncode == 0, first.stderr
    earlier = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    arguments[2] = str(demo_years.later)
    killed: list[bool] = []
    for point in points:
        process = _start(arguments)
        if point is None:
            killed.append(
                _kill_when(process, ready=lambda: any(out.rglob(".*.partial")), delay=0.0)
            )
        else:
            killed.append(_kill_when(process, ready=_now, delay=point))
        files = [path for path in out.rglob("*") if path.is_file()]
        halves = [path for path in files if not path.name.startswith(".") and not _whole(path)]
        assert halves == []
        assert {path for path in files if not path.name.startswith(".")} >= set(earlier)
        html = (out / "report.html").read_text(encoding="utf-8")
        assert ("2023/24" in html) or ("2024/25" in html)
    assert any(killed), "every report finished before its kill"
    if not finish:
        return
    finished = subprocess.run([SAFECITY, *arguments], capture_output=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert not list(out.rglob(".*.partial"))
    assert "2024/25" in (out / "report.html").read_text(encoding="utf-8")


def test_killing_a_report_never_leaves_a_half_written_file(
    demo_years: DemoYears, tmp_path: Path
) -> None:
    _report_kills([None], demo_years, tmp_path, formats="html", finish=False)


@pytest.mark.stress
def test_killing_a_report_at_many_points(demo_years: DemoYears, tmp_path: Path) -> None:
    chooser = random.Random(SEED)
    points: list[float | None] = [None] * 3 + [chooser.uniform(0.3, 20.0) for _ in range(8)]
    _report_kills(points, demo_years, tmp_path, formats="html,pdf", finish=True)


def _published(database_url: str) -> list[tuple[int, str, int, int]]:
    """Each assessment's id, period, indicator values and findings in the site's database."""
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute(
            "SELECT a.id, a.period,"
            " (SELECT count(*) FROM observatory_indicatorvalue v WHERE v.assessment_id = a.id),"
            " (SELECT count(*) FROM observatory_finding f WHERE f.assessment_id = a.id)"
            " FROM observatory_publishedassessment a ORDER BY a.id"
        ).fetchall()
    return [(int(a), str(b), int(c), int(d)) for a, b, c, d in rows]


def _publish_kills(points: list[float], demo_years: DemoYears, folder: Path) -> None:
    with throwaway_database() as database_url:
        environment = site_environment(folder=folder, database_url=database_url)
        migrate = subprocess.run(
            [sys.executable, "-m", "safecity_web", "migrate", "--noinput"],
            env=environment, cwd=folder, capture_output=True, check=False,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stderr
        arguments = ["publish", "--assessment", str(demo_years.later)]
        first = subprocess.run(
            [SAFECITY, *arguments], env=environment, cwd=folder, capture_output=True, check=False
        )
        assert first.returncode == 0, first.stderr
        [(_, period, *counts)] = _published(database_url)
        whole = tuple(counts)
        # What a complete publish holds: every public indicator row and finding.
        public = demo_years.later / "public"
        assert (period, *whole) == (
            "2024/25",
            len(pd.read_parquet(public / "indicators.parquet")),
            len(pd.read_parquet(public / "findings.parquet")),
        )
        killed: list[bool] = []
        for delay in points:
            process = subprocess.Popen(
                [SAFECITY, *arguments], env=environment, cwd=folder, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            killed.append(_kill_when(process, ready=_now, delay=delay))
            for _, period, values, findings in _published(database_url):
                assert (period, values, findings) == ("2024/25", *whole)
        assert any(killed), "every publish finished before its kill"
        finished = subprocess.run(
            [SAFECITY, *arguments], env=environment, cwd=folder, capture_output=True, check=False
        )
        assert finished.returncode == 0, finished.stderr
        assert _published(database_url)[-1][1:] == ("2024/25", *whole)


def test_killing_publish_keeps_each_assessment_whole_or_absent(
    demo_years: DemoYears, tmp_path: Path
) -> None:
    _publish_kills([1.0], demo_years, tmp_path)


@pytest.mark.stress
def test_killing_publish_at_many_points(demo_years: DemoYears, tmp_path: Path) -> None:
    chooser = random.Random(SEED)
    _publish_kills([chooser.uniform(0.3, 6.0) for _ in range(10)], demo_years, tmp_path)
