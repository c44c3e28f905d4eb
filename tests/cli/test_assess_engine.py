"""``safecity assess --engine duckdb|spark --lake DIR [--spark-master URL]`` (issue 16, point 2).

The engine is the user's choice: DuckDB (the default) on the warehouse or on a lake, or Spark on
a lake, locally or on a cluster. Spark is an optional extra needing Java; the rest of the
product must not need either, and each missing piece ends the command with one sentence saying
what to do. On a tiny lake, Spark's artefact has the same indicators CSV as DuckDB's.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.lake import export_lake
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.warehouse import Warehouse

runner = CliRunner()

PERIOD = "2024-10..2025-03"
"""Assessed against the six months before it: one year of data in all."""

REFERENCE = {
    "lsoa_ward_lad_lookup": ReferenceKind.LSOA_LOOKUP,
    "lad_csp_pfa_lookup": ReferenceKind.CSP_LOOKUP,
    "population_by_age": ReferenceKind.POPULATION,
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small national warehouse (the fewest LSOAs, one year) and its lake."""
    folder = tmp_path_factory.mktemp("tiny")
    dataset = generate_demo_data(
        out_dir=folder / "data",
        seed=20221,
        scale=DemoScale.NATIONAL,
        first_month="2024-04",
        months=12,
        national_lsoa_count=260,
    )
    warehouse_path = folder / "tiny.duckdb"
    with Warehouse(warehouse_path) as warehouse:
        load_police_uk(warehouse, paths=[file.path for file in dataset.police_uk_files])
        for name, path in dataset.reference.as_dict().items():
            if name in REFERENCE:
                load_reference(warehouse, kind=REFERENCE[name], path=path)
        export_lake(warehouse, out_dir=folder / "lake")
    return warehouse_path, folder / "lake"


@pytest.fixture
def local_spark(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spark on this machine, whatever the environment says."""
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")


def _run(arguments: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, arguments, catch_exceptions=False)
    return result.exit_code, " ".join(result.output.split())


def _closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assess(out: Path, *extra: str) -> list[str]:
    return ["assess", "--all-csps", "--period", PERIOD, "--out", str(out), *extra]


def test_spark_without_a_lake_says_to_export_one(tmp_path: Path) -> None:
    code, output = _run(_assess(tmp_path / "out", "--engine", "spark"))
    assert code == 2
    assert "--engine spark reads a lake, not the warehouse" in output
    assert "safecity export lake --out DIR), then give --lake DIR" in output
    assert not (tmp_path / "out").exists()


def test_spark_master_without_spark_is_refused(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    _, lake = tiny
    code, output = _run(
        _assess(tmp_path / "out", "--lake", str(lake), "--spark-master", "local[2]")
    )
    assert code == 2
    assert "--spark-master is for --engine spark" in output


def test_an_unknown_engine_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, _assess(tmp_path / "out", "--engine", "polars"))
    assert result.exit_code == 2
    assert "'polars' is not one of" in " ".join(result.output.split())


def test_a_folder_that_is_no_lake_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, output = _run(_assess(tmp_path / "out", "--lake", str(tmp_path / "empty")))
    assert code == 2
    assert str(tmp_path / "empty") in output
    assert "_lake.json" in output


def test_no_java_is_a_sentence(
    tmp_path: Path, tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, local_spark: None
) -> None:
    _, lake = tiny
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "no-java-here"))
    code, output = _run(_assess(tmp_path / "out", "--lake", str(lake), "--engine", "spark"))
    assert code == 2
    assert "the Spark engine needs Java, and none was found" in output
    assert "JAVA_HOME is unset and there is no java on the PATH" in output
    assert "Spark 4.0 runs on Java 17 or 21" in output
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    code, output = _run(_assess(tmp_path / "out", "--lake", str(lake), "--engine", "spark"))
    assert code == 2
    assert f"JAVA_HOME={tmp_path / 'jdk'} has no bin/java" in output


@pytest.mark.parametrize(
    ("scheme", "kind"), [("spark", "Spark master"), ("sc", "Spark Connect server")]
)
def test_an_unreachable_master_is_a_sentence(
    tmp_path: Path, tiny: tuple[Path, Path], local_spark: None, scheme: str, kind: str
) -> None:
    _, lake = tiny
    url = f"{scheme}://127.0.0.1:{_closed_port()}"
    code, output = _run(
        _assess(tmp_path / "out", "--lake", str(lake), "--engine", "spark", "--spark-master", url)
    )
    assert code == 2
    assert f"no {kind} answers at {url}: 127.0.0.1:" in output
    assert "start it, or check the URL (--spark-master or SPARK_REMOTE)" in output


def test_spark_remote_is_read_from_the_environment(
    tmp_path: Path, tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lake = tiny
    url = f"sc://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("SPARK_REMOTE", url)
    code, output = _run(_assess(tmp_path / "out", "--lake", str(lake), "--engine", "spark"))
    assert code == 2
    assert f"no Spark Connect server answers at {url}" in output


def test_the_product_runs_without_pyspark(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    """With pyspark absent, the CLI imports and runs; only --engine spark asks for the extra."""
    _, lake = tiny
    script = (
        "import sys\n"
        "sys.modules['pyspark'] = None\n"  # any import of pyspark now fails
        "from safecity.cli.main import run\n"
        "assert not any(name.startswith('ibis.backends.pyspark') for name in sys.modules)\n"
        "sys.argv = ['safecity', *sys.argv[1:]]\n"
        "run()\n"
    )

    def safecity(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, *arguments],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "COLUMNS": "200"},
        )

    helped = safecity("--help")
    assert helped.returncode == 0, helped.stderr
    assert "assess" in helped.stdout
    assessed = safecity("assess", "--help")
    assert assessed.returncode == 0, assessed.stderr
    assert "--engine" in assessed.stdout
    on_duckdb = safecity(*_assess(tmp_path / "duckdb", "--lake", str(lake), "--json"))
    assert on_duckdb.returncode == 0, on_duckdb.stderr
    assert json.loads(on_duckdb.stdout)["engine"]["engine"] == "duckdb"
    on_spark = safecity(*_assess(tmp_path / "spark", "--lake", str(lake), "--engine", "spark"))
    assert on_spark.returncode == 2
    assert "Traceback" not in on_spark.stderr
    assert (
        "the Spark engine needs the optional extra: pip install 'safecity[spark]' or"
        " uv sync --extra spark"
    ) in " ".join(on_spark.stderr.split())


@pytest.mark.slow
def test_spark_on_the_lake_gives_the_duckdb_indicators(
    tmp_path: Path, tiny: tuple[Path, Path], local_spark: None
) -> None:
    warehouse, lake = tiny
    runs = {
        "warehouse": ["--warehouse", str(warehouse)],
        "lake": ["--lake", str(lake)],
        "spark": ["--lake", str(lake), "--engine", "spark", "--spark-master", "local[2]"],
    }
    engines = {}
    for name, options in runs.items():
        result = runner.invoke(
            app, [*_assess(tmp_path / name, *options), "--json"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        engines[name] = json.loads(result.stdout)["engine"]
    assert engines["warehouse"] == {
        "engine": "duckdb",
        "facts": f"DuckDB on the warehouse {warehouse}",
    }
    assert engines["lake"] == {"engine": "duckdb", "facts": f"DuckDB on the lake {lake}"}
    assert engines["spark"] == {"engine": "spark", "facts": f"Spark (local[2]) on the lake {lake}"}
    expected = (tmp_path / "warehouse" / "indicators.csv").read_text(encoding="utf-8")
    assert expected.count("\n") > 100
    for name in ("lake", "spark"):
        assert (tmp_path / name / "indicators.csv").read_text(encoding="utf-8") == expected
        manifest = json.loads((tmp_path / name / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["engine"] == engines[name]


@pytest.mark.slow
def test_one_area_on_spark_gives_the_duckdb_indicators(
    tmp_path: Path, tiny: tuple[Path, Path], local_spark: None
) -> None:
    warehouse, lake = tiny
    with Warehouse(warehouse, read_only=True) as store:
        row = store.connection.execute("SELECT min(csp_code) FROM csp_lookup").fetchone()
    assert row is not None
    area = str(row[0])
    outs = {}
    for name, options in {
        "duckdb": ["--warehouse", str(warehouse)],
        "spark": ["--lake", str(lake), "--engine", "spark", "--spark-master", "local[2]"],
    }.items():
        outs[name] = tmp_path / name
        code, output = _run(
            ["assess", "--area", area, "--period", PERIOD, "--out", str(outs[name]), *options]
        )
        assert code == 0, output
        assert "Aggregated by" in output
    expected = (outs["duckdb"] / "indicators.csv").read_text(encoding="utf-8")
    assert expected.count("\n") > 5
    assert (outs["spark"] / "indicators.csv").read_text(encoding="utf-8") == expected
    manifest = json.loads((outs["spark"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == {
        "engine": "spark",
        "facts": f"Spark (local[2]) on the lake {lake}",
    }


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Spark Connect server on loopback, started from pyspark's own jars: a stand-in for
    a cluster's Connect endpoint (``SPARK_REMOTE=sc://host:port``)."""
    import pyspark  # noqa: PLC0415 - the development environment has it; the product does not

    spark_home = Path(pyspark.__file__).parent
    (server_jar,) = sorted((spark_home / "jars").glob("spark-connect_*.jar"))
    port = _closed_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    environment = {**os.environ, "SPARK_HOME": str(spark_home), "SPARK_LOCAL_IP": "127.0.0.1"}
    command = [
        str(spark_home / "bin" / "spark-submit"),
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master", "local[2]",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.sql.shuffle.partitions=4",
        str(server_jar),
    ]  # fmt: skip
    with log.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while "Spark Connect server started" not in log.read_text(encoding="utf-8"):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Spark Connect server did not start: {log.read_text()}")
            time.sleep(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


@pytest.mark.slow
def test_spark_connect_gives_the_duckdb_indicators(
    tmp_path: Path,
    tiny: tuple[Path, Path],
    connect_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``SPARK_REMOTE`` sends the aggregations to a Spark Connect server (here a real one on
    loopback): every table of the artefact is the same as DuckDB's, byte for byte."""
    warehouse, lake = tiny
    monkeypatch.setenv("SPARK_REMOTE", connect_server)
    code, output = _run(_assess(tmp_path / "duckdb", "--warehouse", str(warehouse)))
    assert code == 0, output
    result = runner.invoke(
        app,
        [*_assess(tmp_path / "connect", "--lake", str(lake), "--engine", "spark"), "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["engine"] == {
        "engine": "spark",
        "facts": f"Spark ({connect_server}) on the lake {lake}",
    }
    tables = sorted(path.name for path in (tmp_path / "duckdb").glob("*.csv"))
    assert "indicators.csv" in tables
    assert len(tables) >= 4
    for name in tables:
        assert (tmp_path / "connect" / name).read_bytes() == (
            tmp_path / "duckdb" / name
        ).read_bytes(), name
