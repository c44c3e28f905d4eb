"""Helpers for the tests of ``safecity serve``/``publish`` and the ``demo_site`` command.

``demo_artefact(tmp_path_factory)`` gives the demo city's Assessment artefact, built once per
test run (see ``shared_demo``). ``throwaway_database()`` starts a
PostgreSQL cluster with a database of its own. ``ServeProcess`` runs ``safecity serve`` in its
own process group so that a test can stop it with Ctrl-C (SIGINT) as a terminal would.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from postgres_cluster import start_cluster
from shared_demo import shared_demo_artefact

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SAFECITY = Path(sys.executable).with_name("safecity")
STRATEGY_FILE = (
    REPOSITORY_ROOT.parent / "shared" / "strategy" / "southampton-safe-city-strategy-2022-2027.yaml"
)
STARTUP_SECONDS = 90.0

_artefact_cache: dict[str, Path] = {}


def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city's Assessment artefact, shared by the whole test run (read-only)."""
    return shared_demo_artefact(tmp_path_factory)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def throwaway_database(name: str = "safecity_site") -> Iterator[str]:
    """A fresh PostgreSQL database on a throwaway cluster; yields its ``postgres://`` URL."""
    cluster = start_cluster()
    try:
        with psycopg.connect(
            host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        yield f"postgres://postgres@127.0.0.1:{cluster.port}/{name}"
    finally:
        cluster.stop()


def site_environment(
    *, folder: Path, database_url: str | None, settings: str = "safecity_web.settings.development"
) -> dict[str, str]:
    """The caller's environment without Django/Safe City variables, then the site's own.

    pytest-django sets DJANGO_SETTINGS_MODULE to the test settings in this process; the
    commands under test must get the settings a user would have.
    """
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "SAFECITY_")) and name != "DATABASE_URL"
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "SAFECITY_WEB_SECRET_KEY_FILE": str(folder / "secret-key"),
            "SAFECITY_STATIC_ROOT": str(folder / "staticfiles"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    return environment


def http_get(*, port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """GET ``path`` from 127.0.0.1:``port``; returns the status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class ServeProcess:
    """A running ``safecity serve``; its output goes to a file read by ``output()``."""

    process: subprocess.Popen[bytes]
    log: Path
    port: int

    def output(self) -> str:
        """Everything the command printed so far (standard output and error)."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until_answering(self) -> None:
        """Wait until the server answers HTTP; fail with its output if it ends or times out."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"safecity serve ended with exit code {self.process.returncode}:\n"
                    f"{self.output()}"
                )
            try:
                http_get(port=self.port, path="/static/safecity/init.js", timeout=2.0)
            except OSError:
                time.sleep(0.3)
                continue
            return
        raise AssertionError(
            f"safecity serve did not answer within {STARTUP_SECONDS} s:\n{self.output()}"
        )

    def interrupt(self, timeout: float = 30.0) -> int:
        """Send Ctrl-C (SIGINT) to the command's process group; return its exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """Kill the process group if anything is still running (clean-up after a failure)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_serve(
    *, arguments: Sequence[str], environment: Mapping[str, str], folder: Path, port: int
) -> ServeProcess:
    """Start ``safecity serve ARGUMENTS`` in ``folder``, in a new process group."""
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(SAFECITY), "serve", *arguments],
            cwd=folder,
            env=dict(environment),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ServeProcess(process=process, log=log, port=port)
