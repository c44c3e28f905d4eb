"""The real Safe City site, started for browser tests and benchmarks.

``running_site()`` starts: a throwaway PostgreSQL cluster (``postgres_cluster``) with a
database of its own; ``python -m safecity_web migrate`` and ``collectstatic`` (at the same time,
while the assessment is built if a builder was given); optionally ``publish_assessment
--assessment DIR --publish`` (the demo Assessment artefact made public) while a user per role
(``WebUser``) is created and a strategy imported; and gunicorn serving
``safecity_web.wsgi:application`` on a free loopback port. It waits until the server answers
and stops everything (gunicorn, the cluster, the scratch folder) on leaving.

The site runs with the **production** settings (``safecity_web.settings.production``: DEBUG
off, manifest static files through WhiteNoise, secure and HTTP-only cookies, HSTS, PostgreSQL),
with only ``SAFECITY_SSL_REDIRECT=0`` so that plain ``http://127.0.0.1`` is served instead of
redirected. Browsers treat loopback as a secure context, so Chromium keeps the ``Secure``
session and CSRF cookies and signing in over plain HTTP works without weakening any setting.

The demo city's Assessment artefact comes from ``shared_demo`` (built once per test run).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from postgres_cluster import ThrowawayCluster, start_cluster

PRODUCTION_SETTINGS = "safecity_web.settings.production"
DATABASE_NAME = "safecity_web"
STARTUP_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class WebUser:
    """A partner-portal account the helper creates (organisation created when missing)."""

    username: str
    role: str
    organisation: str
    organisation_kind: str
    password: str = field(default_factory=lambda: "pw-" + secrets.token_urlsafe(18), repr=False)


def default_users() -> tuple[WebUser, ...]:
    """One user per role, fresh passwords, in two organisations of the partnership.

    The organisations are named as responsible bodies in the reference strategy
    (``../shared/strategy/southampton-safe-city-strategy-2022-2027.yaml``), so importing it
    links their actions to them.
    """
    council = ("Southampton City Council", "council")
    police = ("Hampshire and Isle of Wight Constabulary", "police")
    return (
        WebUser("analyst", "analyst", *council),
        WebUser("administrator", "administrator", *council),
        WebUser("board.member", "board_member", *council),
        WebUser("police.officer", "partner_officer", *police),
    )


@dataclass
class RunningSite:
    """A started site: its base URL, database, users and server log."""

    base_url: str
    database_url: str
    users: dict[str, WebUser]
    folder: Path
    process: subprocess.Popen[bytes]
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds each start-up step took by itself (some ran at the same time)."""
    environment: dict[str, str] = field(default_factory=dict, repr=False)
    """The environment the site's commands and gunicorn run in (for ``manage``)."""

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` (which starts with ``/``)."""
        if not path.startswith("/"):
            raise ValueError(f"site path {path!r} must start with '/'")
        return self.base_url + path

    @property
    def port(self) -> int:
        """The loopback port gunicorn listens on."""
        return int(self.base_url.rsplit(":", 1)[1])

    def server_log(self) -> str:
        """What gunicorn and Django wrote so far (errors and tracebacks), for failure messages."""
        log = self.folder / "gunicorn.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _create_database(cluster: ThrowawayCluster) -> str:
    with psycopg.connect(
        host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"postgres://postgres@127.0.0.1:{cluster.port}/{DATABASE_NAME}"


def site_environment(*, database_url: str, static_root: Path, settings: str) -> dict[str, str]:
    """The environment the site's commands and gunicorn run in (production-style)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "SAFECITY_")) and name != "DATABASE_URL"
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "SAFECITY_SSL_REDIRECT": "0",
            "SAFECITY_STATIC_ROOT": str(static_root),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def manage(*arguments: str, environment: dict[str, str], folder: Path) -> str:
    """Run ``python -m safecity_web ARGUMENTS``; raise with its output when it fails."""
    return BackgroundCommand(arguments, environment=environment, folder=folder).finish()


class BackgroundCommand:
    """``python -m safecity_web ARGUMENTS`` started now; ``finish()`` waits and checks it.

    A thread collects the output as it comes (so a full pipe never blocks the command) and
    notes when the command ended: ``seconds`` is its own run time, whenever ``finish()`` is
    called.
    """

    def __init__(
        self, arguments: Sequence[str], *, environment: dict[str, str], folder: Path
    ) -> None:
        self.command = [sys.executable, "-m", "safecity_web", *arguments]
        self.name = str(arguments[0])
        self.seconds = 0.0
        self._output = ("", "")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            cwd=folder,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        def collect() -> None:
            self._output = self.process.communicate()
            self.seconds = time.perf_counter() - started

        self._collector = threading.Thread(target=collect, daemon=True)
        self._collector.start()

    def finish(self) -> str:
        """Wait for the command; its standard output, or RuntimeError with everything it said."""
        self._collector.join()
        stdout, stderr = self._output
        if self.process.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(self.command[1:])}` failed with exit code "
                f"{self.process.returncode}:\n{stdout}\n{stderr}"
            )
        return stdout

    def stop(self) -> None:
        """End the command if it still runs (on an error elsewhere)."""
        if self.process.poll() is None:
            self.process.kill()
        self._collector.join()


_CREATE_USERS = """
import json, os
from safecity_web.accounts.models import Organisation, User
for entry in json.loads(os.environ["SAFECITY_TEST_USERS"]):
    organisation, _ = Organisation.objects.get_or_create(
        name=entry["organisation"], defaults={"kind": entry["organisation_kind"]}
    )
    user = User(username=entry["username"], role=entry["role"], organisation=organisation,
                email=entry["username"] + "@example.org")
    user.set_password(entry["password"])
    user.full_clean()
    user.save()
print(User.objects.count())
"""


def create_users(users: Sequence[WebUser], *, environment: dict[str, str], folder: Path) -> None:
    """Create ``users`` (and their organisations) in the site's database."""
    payload = [
        {
            "username": user.username,
            "role": user.role,
            "organisation": user.organisation,
            "organisation_kind": user.organisation_kind,
            "password": user.password,
        }
        for user in users
    ]
    created = manage(
        "shell",
        "-c",
        _CREATE_USERS,
        environment={**environment, "SAFECITY_TEST_USERS": json.dumps(payload)},
        folder=folder,
    )
    if int(created.strip().splitlines()[-1]) < len(users):
        raise RuntimeError(f"creating the test users made only {created.strip()} users")


def wait_until_answering(
    *, port: int, process: subprocess.Popen[bytes], log: Path, timeout: float
) -> None:
    """Poll ``GET /`` until the server answers with any HTTP status; raise if it dies or hangs."""
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with code {process.returncode} before answering:\n"
                + log.read_text(encoding="utf-8", errors="replace")
            )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError as error:
            last_error = str(error)
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(
        f"gunicorn did not answer on port {port} within {timeout:.0f} s ({last_error}):\n"
        + log.read_text(encoding="utf-8", errors="replace")
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        # SIGINT is gunicorn's quick shutdown: nothing of a throwaway site needs to drain.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_site(
    *,
    assessment: Path | Callable[[], Path] | None,
    users: Sequence[WebUser] | None = None,
    strategy: Path | None = None,
    workers: int = 2,
    threads: int = 4,
    settings: str = PRODUCTION_SETTINGS,
    server_command: Callable[[int], Sequence[str]] | None = None,
    extra_environment: dict[str, str] | None = None,
) -> Iterator[RunningSite]:
    """Start the whole site (database, migrations, static files, users, gunicorn).

    Parameters
    ----------
    assessment
        An Assessment artefact folder to publish (``publish_assessment --publish``), a
        function that builds one (called while the migrations and ``collectstatic`` run, which
        saves their time), or None for a site with nothing published.
    users
        Accounts to create; by default one per role (``default_users()``).
    strategy
        A strategy YAML file to import (``import_strategy``) after the users and their
        organisations exist, or None.
    workers, threads
        gunicorn's worker processes and threads per worker.
    settings
        The Django settings module; production by default.
    server_command
        The gunicorn command line for a port (e.g. ``safecity serve``'s own,
        ``safecity.cli.serve.gunicorn_command``); by default gunicorn with ``workers`` and
        ``threads`` and its other settings left at their defaults.
    extra_environment
        Variables added to the site's environment (e.g. ``SAFECITY_PAGE_CACHE_SECONDS``).
    """
    users = default_users() if users is None else tuple(users)
    folder = Path(tempfile.mkdtemp(prefix="safecity-site-"))
    cluster = start_cluster()
    process: subprocess.Popen[bytes] | None = None
    background: list[BackgroundCommand] = []
    try:
        database_url = _create_database(cluster)
        environment = site_environment(
            database_url=database_url, static_root=folder / "static", settings=settings
        )
        environment.update(extra_environment or {})
        # collectstatic needs no database and migrate no static files: both run at once.
        static = BackgroundCommand(
            ["collectstatic", "--noinput"], environment=environment, folder=folder
        )
        migrate = BackgroundCommand(
            ["migrate", "--noinput"], environment=environment, folder=folder
        )
        background += [static, migrate]
        timings: dict[str, float] = {}
        if callable(assessment):
            started = time.perf_counter()
            artefact: Path | None = assessment()
            timings["build assessment"] = time.perf_counter() - started
        else:
            artefact = assessment
        migrate.finish()
        # Publishing touches only the observatory's tables: the accounts and the strategy are
        # created meanwhile.
        publish = None
        if artefact is not None:
            publish = BackgroundCommand(
                ["publish_assessment", "--assessment", str(artefact.resolve()), "--publish"],
                environment=environment,
                folder=folder,
            )
            background.append(publish)
        started = time.perf_counter()
        create_users(users, environment=environment, folder=folder)
        if strategy is not None:
            manage(
                "import_strategy", str(strategy.resolve()), environment=environment, folder=folder
            )
        timings["users and strategy"] = time.perf_counter() - started
        if publish is not None:
            publish.finish()
        static.finish()
        timings.update({command.name: command.seconds for command in background})
        started = time.perf_counter()
        port = _free_port()
        log = folder / "gunicorn.log"
        with log.open("wb") as log_stream:
            command = (
                list(server_command(port))
                if server_command is not None
                else [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "safecity_web.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--log-level",
                    "warning",
                ]
            )
            process = subprocess.Popen(
                command,
                cwd=folder,
                env=environment,
                stdout=log_stream,
                stderr=subprocess.STDOUT,
            )
        wait_until_answering(port=port, process=process, log=log, timeout=STARTUP_TIMEOUT_SECONDS)
        timings["gunicorn"] = time.perf_counter() - started
        yield RunningSite(
            base_url=f"http://127.0.0.1:{port}",
            database_url=database_url,
            users={user.username: user for user in users},
            folder=folder,
            process=process,
            timings=timings,
            environment=environment,
        )
    finally:
        for command in background:
            command.stop()
        if process is not None:
            _stop(process)
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
