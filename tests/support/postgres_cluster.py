"""A throwaway PostgreSQL cluster for the tests, started with Debian's ``initdb`` and ``pg_ctl``.

Trust authentication on loopback only; fsync off (the data are thrown away). As root the
cluster runs as the ``postgres`` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL {name} not found: run scripts/setup (it installs Debian postgresql)"
        )
    return candidates[-1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ThrowawayCluster:
    """A running cluster; ``stop()`` shuts it down and deletes its files."""

    directory: Path
    port: int
    run_as: str | None

    @property
    def url(self) -> str:
        """``postgres://`` URL of the cluster's ``postgres`` database."""
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _command(self, *arguments: str) -> list[str]:
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *arguments]
        return list(arguments)

    def stop(self) -> None:
        """Stop the server (fast mode) and remove the cluster's folder."""
        subprocess.run(
            self._command(
                _binary("pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop"
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_cluster() -> ThrowawayCluster:
    """Create and start a cluster on a free loopback port; raise with its output on failure."""
    directory = Path(tempfile.mkdtemp(prefix="safecity-pg-"))
    run_as = "postgres" if os.geteuid() == 0 else None
    if run_as:
        shutil.chown(directory, user=run_as)
    cluster = ThrowawayCluster(directory=directory, port=_free_port(), run_as=run_as)
    data = directory / "data"
    steps = [
        cluster._command(
            _binary("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ),
        cluster._command(
            _binary("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(directory / "server.log"),
            "-w",
            "-o",
            f"-p {cluster.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100",
            "start",
        ),
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = directory / "server.log"
            server_log = log.read_text() if log.is_file() else ""
            cluster.stop()
            raise RuntimeError(
                f"starting the throwaway PostgreSQL failed: {' '.join(step)}\n"
                f"{result.stdout}{result.stderr}{server_log}"
            )
    return cluster
