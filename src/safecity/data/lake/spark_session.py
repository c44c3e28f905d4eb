"""Spark on the lake: a Spark session whose temporary views are the lake's tables.

The Spark engine (``safecity assess --engine spark --lake DIR``) runs the assessment's
aggregations in Spark over the Parquet lake (``docs/lake.md``), on this machine (``local[*]``,
the default), on a cluster (``--spark-master spark://...``, ``yarn``, ``k8s://...``), or through
Spark Connect (``SPARK_REMOTE=sc://host:port``, or a ``sc://`` master). Every table of the
lake becomes a temporary view over exactly the files its manifest lists (a consistent
snapshot, never a glob), with the warehouse's columns in the warehouse's order and types, so
the same Ibis expressions run on Spark as on DuckDB. See the "Engines" section of
``docs/operations.md``.

``pyspark`` is an optional extra (``pip install 'safecity[spark]'``) and needs Java; it is
imported only when a session is opened, and each missing piece raises a
:class:`SparkEngineError` saying what to install.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from safecity.data.lake.layout import PartitionKey, TableKind, table_folder
from safecity.data.lake.manifest import LakeTable, read_manifest
from safecity.data.lake.reading import usable_tables

REMOTE_ENVIRONMENT_VARIABLE = "SPARK_REMOTE"
CONNECT_MODE_ENVIRONMENT_VARIABLE = "SPARK_CONNECT_MODE_ENABLED"
"""pyspark's own mark that the process is in Spark Connect mode."""
"""Spark's own variable for a Spark Connect server (``sc://host:port``)."""
LOCAL_MASTER = "local[*]"
"""The default master: Spark on this machine, one worker thread per core."""
SUPPORTED_JAVA = (17, 21)
"""The Java releases Spark 4.0 supports."""
SPARK_EXTRA = (
    "the Spark engine needs the optional extra: pip install 'safecity[spark]' or"
    " uv sync --extra spark"
)
CONNECT_CLIENT = (
    "Spark Connect needs pyspark's Connect client: pip install 'pyspark[connect]>=4.0,<4.1'"
    " (grpcio, grpcio-status, googleapis-common-protos, zstandard)"
)
DEFAULT_CONNECT_PORT = 15002
"""The port of a ``sc://`` URL that names none (Spark Connect's default)."""
REACHABLE_SECONDS = 5.0
"""How long to wait for a master or Spark Connect server to accept a connection."""

_PARTITION_TYPES = {PartitionKey.FORCE.value: "string", PartitionKey.MONTH.value: "date"}
"""Spark types of the Hive keys of the lake's paths (``force=slug``, ``month=YYYY-MM-01``)."""

_SPARK_TYPES = {
    "VARCHAR": "string",
    "JSON": "string",
    "UUID": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "SMALLINT": "smallint",
    "TINYINT": "tinyint",
    "HUGEINT": "decimal(38,0)",
    "UBIGINT": "decimal(20,0)",
    "UINTEGER": "bigint",
    "USMALLINT": "int",
    "UTINYINT": "smallint",
    "DOUBLE": "double",
    "FLOAT": "float",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "BLOB": "binary",
}
"""Spark SQL types of the DuckDB types the manifest records for the warehouse's columns.

A DuckDB ``TIMESTAMP`` has no time zone: Spark's ``timestamp_ntz`` is the same thing.
"""
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


class SparkEngineError(RuntimeError):
    """The Spark engine cannot start: the extra, Java or the master is missing, or a lake
    table cannot be read by Spark. The message says what to do."""


@dataclass(frozen=True, slots=True)
class SparkLake:
    """A Spark session holding a lake's tables as temporary views, and its Ibis backend.

    Attributes
    ----------
    backend
        ``ibis.pyspark.connect(session)``: the Ibis backend the aggregations run on.
    session
        The Spark session (classic or Spark Connect).
    where
        Where Spark runs, in words (``local[*]``, ``spark://host:7077``, ``sc://host:15002``).
    tables
        The views registered, by name.
    """

    backend: Any
    session: Any
    where: str
    tables: tuple[str, ...]

    def stop(self) -> None:
        """Stop the session (a local Spark shuts down; a Connect session is released)."""
        self.session.stop()


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type of a warehouse column's DuckDB type (as the lake manifest gives it).

    Raises
    ------
    SparkEngineError
        If Spark has no type for it.
    """
    name = duckdb_type.strip().upper()
    if name in _SPARK_TYPES:
        return _SPARK_TYPES[name]
    decimal = _DECIMAL.match(name)
    if decimal:
        return f"decimal({decimal.group(1)},{decimal.group(2)})"
    if name.startswith("ENUM("):
        return "string"
    raise SparkEngineError(f"Spark cannot read the lake's column type {duckdb_type}")


def remote_url(master: str | None) -> str | None:
    """The Spark Connect URL: a ``sc://`` master, else ``$SPARK_REMOTE`` when no master is
    given, else None (a classic session)."""
    if master is not None:
        return master if master.startswith("sc://") else None
    remote = os.environ.get(REMOTE_ENVIRONMENT_VARIABLE, "").strip()
    return remote or None


def check_java() -> int:
    """The major version of the Java Spark would start, checked before any JVM starts.

    Java is the one ``$JAVA_HOME/bin/java`` names when ``JAVA_HOME`` is set (as Spark does),
    else ``java`` on the ``PATH``.

    Returns
    -------
    int
        Its major version (17, 21, ...).

    Raises
    ------
    SparkEngineError
        If there is no Java, or it is older than Spark 4.0 supports.
    """
    java_home = os.environ.get("JAVA_HOME", "").strip()
    supported = " or ".join(str(version) for version in SUPPORTED_JAVA)
    install = (
        f"Spark 4.0 runs on Java {supported}: install one (e.g. apt-get install"
        " openjdk-17-jre-headless) and put its java on the PATH or set JAVA_HOME to its folder"
    )
    if java_home:
        java = Path(java_home) / "bin" / "java"
        if not java.is_file():
            raise SparkEngineError(
                f"the Spark engine needs Java, but JAVA_HOME={java_home} has no bin/java; {install}"
            )
        command = str(java)
    else:
        found = shutil.which("java")
        if found is None:
            raise SparkEngineError(
                f"the Spark engine needs Java, and none was found (JAVA_HOME is unset and there"
                f" is no java on the PATH); {install}"
            )
        command = found
    major = java_major_version(command)
    if major is not None and major < SUPPORTED_JAVA[0]:
        raise SparkEngineError(f"the Java at {command} is Java {major}; {install}")
    return major if major is not None else 0


def java_major_version(command: str) -> int | None:
    """The major version ``command -version`` reports (None when it says none)."""
    try:
        answer = subprocess.run(
            [command, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SparkEngineError(f"the Java at {command} does not run: {error}") from error
    found = re.search(r'version "(\d+)(?:\.(\d+))?', answer.stderr + answer.stdout)
    if not found:
        return None
    major = int(found.group(1))
    # Java 8 and earlier say "1.8.0_..."
    return int(found.group(2) or 0) if major == 1 else major


def check_reachable(url: str) -> None:
    """Refuse a ``spark://``, ``sc://`` or ``k8s://`` master that accepts no connection.

    Spark itself retries an unreachable master for minutes; this says so in seconds. YARN
    masters (found through the Hadoop configuration) are left to Spark.

    Raises
    ------
    SparkEngineError
        If nothing accepts a connection at the URL's host and port.
    """
    if url.startswith("k8s://"):
        target = url.removeprefix("k8s://")
        target = target if "://" in target else f"https://{target}"
    elif url.startswith(("spark://", "sc://")):
        target = url
    else:
        return
    parts = urlsplit(target)
    if parts.scheme not in {"spark", "sc", "http", "https"} or not parts.hostname:
        return
    default_port = {"spark": 7077, "sc": DEFAULT_CONNECT_PORT, "http": 80, "https": 443}
    hosts = [
        (host.rsplit(":", 1)[0].strip("[]"), int(host.rsplit(":", 1)[1]))
        if re.search(r":\d+$", host)
        else (host.strip("[]"), default_port[parts.scheme])
        for host in parts.netloc.split(";")[0].split(",")
    ]
    reasons = []
    for host, port in hosts:
        try:
            with socket.create_connection((host, port), timeout=REACHABLE_SECONDS):
                return
        except OSError as error:
            reasons.append(f"{host}:{port} ({error.strerror or error})")
    kind = "Spark Connect server" if parts.scheme == "sc" else "Spark master"
    raise SparkEngineError(
        f"no {kind} answers at {url}: {'; '.join(reasons)}; start it, or check the URL"
        f" (--spark-master or {REMOTE_ENVIRONMENT_VARIABLE})"
    )


def _pyspark_session_class() -> Any:
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415 (optional extra)
    except ImportError as error:
        raise SparkEngineError(SPARK_EXTRA) from error
    return SparkSession


def open_spark_session(*, master: str | None = None, app_name: str = "safecity") -> SparkLake:
    """Open a Spark session: local by default, a cluster's master, or Spark Connect.

    Parameters
    ----------
    master
        ``local[*]`` when None (and ``SPARK_REMOTE`` is unset); a master URL
        (``spark://host:7077``, ``yarn``, ``k8s://https://host:443``, ``local[2]``); or a
        ``sc://host:port`` Spark Connect URL. Spark's own configuration
        (``spark-defaults.conf`` in ``SPARK_CONF_DIR``) applies as usual.
    app_name
        The application's name on the cluster.

    Returns
    -------
    SparkLake
        The session and its Ibis backend, with no lake views yet (see :func:`spark_lake`).

    Raises
    ------
    SparkEngineError
        If pyspark (or its Connect client) is not installed, Java is missing or too old, or
        the master does not answer.

    Notes
    -----
    In local mode the driver listens on 127.0.0.1 (``SPARK_LOCAL_IP`` when unset), the web UI
    is off, and shuffles use twice as many partitions as cores.
    """
    session_class = _pyspark_session_class()
    remote = remote_url(master)
    if remote is not None:
        check_reachable(remote)
        try:
            session = session_class.builder.remote(remote).appName(app_name).getOrCreate()
        except ImportError as error:
            raise SparkEngineError(CONNECT_CLIENT) from error
        except Exception as error:
            raise SparkEngineError(
                f"Spark Connect at {remote} did not open a session: {_first_line(error)}"
            ) from error
        return _with_backend(session, where=remote)
    chosen = master or LOCAL_MASTER
    check_java()
    # pyspark marks a process that opened a Connect session with this variable and never clears
    # it; left set, a classic session for this master would be refused as "no remote URL".
    os.environ.pop(CONNECT_MODE_ENVIRONMENT_VARIABLE, None)
    builder = session_class.builder.master(chosen).appName(app_name)
    local = chosen.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(2 * _local_cores(chosen)))
        )
    else:
        check_reachable(chosen)
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    try:
        session = builder.getOrCreate()
    except Exception as error:
        raise SparkEngineError(
            f"Spark did not start with master {chosen}: {_first_line(error)}"
        ) from error
    session.sparkContext.setLogLevel("ERROR")
    return _with_backend(session, where=chosen)


def _with_backend(session: Any, *, where: str) -> SparkLake:
    import ibis  # noqa: PLC0415 (the PySpark backend imports pyspark)

    return SparkLake(backend=ibis.pyspark.connect(session), session=session, where=where, tables=())


def _local_cores(master: str) -> int:
    """Worker threads of a ``local[N]`` / ``local[*]`` / ``local`` master."""
    found = re.match(r"^local\[(\d+)", master)
    if found:
        return int(found.group(1))
    if master == "local":
        return 1
    return os.cpu_count() or 1


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def register_lake(session: Any, lake_dir: Path) -> tuple[str, ...]:
    """Register every table of the lake in ``lake_dir`` as a temporary view of ``session``.

    Each view reads exactly the files the manifest lists, with Hive partitioning (``force``
    as text and ``month`` as a date, read from the paths), and selects the warehouse's columns
    in the warehouse's order and types; a table with no file is an empty view of the same
    columns. The monthly street aggregate ``street_month`` is registered when the lake holds
    it computed from its present street files. A reference table with a column type Spark
    has no equivalent for is left out (the engine reads only the fact tables and the
    aggregate; lookups stay on the driver).

    Parameters
    ----------
    session
        A Spark session (classic or Connect). The lake's files must be readable at the same
        paths by every executor (a shared filesystem on a cluster).
    lake_dir
        The lake's folder.

    Returns
    -------
    tuple of str
        The views registered.

    Raises
    ------
    safecity.data.lake.errors.NotALakeError
        If there is no lake in ``lake_dir``.
    SparkEngineError
        If a fact or aggregate column has a type Spark cannot read.
    """
    root = lake_dir.resolve()
    manifest = read_manifest(root)
    # The manifest lists every file: Spark need not list folders with a distributed job.
    session.conf.set("spark.sql.sources.parallelPartitionDiscovery.threshold", str(1 << 30))
    names = []
    for name, table in sorted(usable_tables(manifest).items()):
        try:
            frame = _table_frame(session, root=root, name=name, table=table)
        except SparkEngineError as error:
            if table.kind is not TableKind.REFERENCE:
                raise SparkEngineError(f"{error} (table {name} of the lake {lake_dir})") from error
            continue  # a reference table the engine never reads; it stays on the driver
        frame.createOrReplaceTempView(name)
        names.append(name)
    return tuple(names)


def _table_frame(session: Any, *, root: Path, name: str, table: LakeTable) -> Any:
    from pyspark.sql import functions  # noqa: PLC0415 (optional extra)
    from pyspark.sql.types import StructType  # noqa: PLC0415 (optional extra)

    types = {column.name: spark_type(column.type) for column in table.columns}
    keys = [key for key in table.partition_by if key in _PARTITION_TYPES]
    stored = [column.name for column in table.columns if column.name not in keys]
    schema = StructType.fromDDL(
        ", ".join(
            [f"`{column}` {types[column]}" for column in stored]
            + [f"`{key}` {_PARTITION_TYPES[key]}" for key in keys]
        )
    )
    if table.files:
        reader = session.read.schema(schema)
        if keys:
            reader = reader.option("basePath", str(root / table_folder(name)))
        frame = reader.parquet(*(str(root / item.path) for item in table.files))
    else:
        frame = session.createDataFrame([], schema)
    return frame.select(
        *(
            functions.col(f"`{column.name}`").cast(types[column.name]).alias(column.name)
            for column in table.columns
        )
    )


def spark_lake(lake_dir: Path, *, master: str | None = None) -> SparkLake:
    """A Spark session (see :func:`open_spark_session`) holding the lake in ``lake_dir``.

    Parameters
    ----------
    lake_dir
        The lake's folder (``safecity export lake`` or ``safecity load ... --lake``).
    master
        Where Spark runs (None: ``$SPARK_REMOTE`` if set, else ``local[*]``).

    Returns
    -------
    SparkLake
        Its ``backend`` holds a view of every table of the lake; call ``stop()`` when done.

    Raises
    ------
    SparkEngineError
        As :func:`open_spark_session`, or if a lake column's type has no Spark equivalent.
    safecity.data.lake.errors.NotALakeError
        If there is no lake in ``lake_dir``.
    """
    read_manifest(lake_dir)  # no lake, no JVM
    spark = open_spark_session(master=master)
    try:
        tables = register_lake(spark.session, lake_dir)
    except BaseException:
        spark.stop()
        raise
    return SparkLake(backend=spark.backend, session=spark.session, where=spark.where, tables=tables)
