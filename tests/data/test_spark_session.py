"""The Spark session's checks before any JVM starts (issue 16): types, Java, masters, Connect.

The session itself, and Spark reading a lake, are exercised by
``tests/assess/test_engine_parity.py`` and ``tests/cli/test_assess_engine.py``.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from safecity.data.lake.spark_session import (
    SparkEngineError,
    check_java,
    check_reachable,
    remote_url,
    spark_type,
)


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("VARCHAR", "string"),
        ("BIGINT", "bigint"),
        ("INTEGER", "int"),
        ("DOUBLE", "double"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("TIMESTAMP", "timestamp_ntz"),
        ("TIMESTAMP WITH TIME ZONE", "timestamp"),
        ("DECIMAL(14,2)", "decimal(14,2)"),
        ("UBIGINT", "decimal(20,0)"),
        ("JSON", "string"),
        ("BLOB", "binary"),
        ("ENUM('CAST', 'MISSING COLUMNS')", "string"),
    ],
)
def test_warehouse_types_map_to_spark_types(duckdb_type: str, expected: str) -> None:
    assert spark_type(duckdb_type) == expected


def test_a_type_spark_cannot_read_is_named() -> None:
    with pytest.raises(SparkEngineError, match=r"Spark cannot read the lake's column type MAP"):
        spark_type("MAP(VARCHAR, INTEGER)")


def test_spark_connect_comes_from_a_sc_master_or_spark_remote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    assert remote_url(None) is None
    assert remote_url("sc://cluster:15002") == "sc://cluster:15002"
    monkeypatch.setenv("SPARK_REMOTE", "sc://connect.example:15002")
    assert remote_url(None) == "sc://connect.example:15002"
    # a master given on the command line wins over the environment
    assert remote_url("local[2]") is None
    assert remote_url("spark://host:7077") is None


def test_the_java_on_the_path_is_found() -> None:
    assert check_java() >= 17


def _java(folder: Path, version: str) -> Path:
    """An executable ``java`` that answers ``-version`` as an old release would."""
    folder.mkdir(parents=True)
    java = folder / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    return java


@pytest.mark.parametrize(("version", "major"), [("11.0.2", 11), ("1.8.0_392", 8)])
def test_an_old_java_is_refused_with_the_versions_spark_supports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str, major: int
) -> None:
    _java(tmp_path / "jdk" / "bin", version)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(SparkEngineError) as raised:
        check_java()
    assert f"is Java {major}; Spark 4.0 runs on Java 17 or 21" in str(raised.value)


def test_yarn_and_local_masters_are_left_to_spark() -> None:
    check_reachable("yarn")
    check_reachable("local[2]")


def test_a_listening_master_passes_and_high_availability_masters_need_one() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        check_reachable(f"spark://127.0.0.1:{port}")
        check_reachable(f"sc://127.0.0.1:{port}/;token=abc")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        check_reachable(f"spark://127.0.0.1:{closed},127.0.0.1:{port}")
        with pytest.raises(SparkEngineError, match=r"no Spark master answers at k8s://"):
            check_reachable(f"k8s://https://127.0.0.1:{closed}")
