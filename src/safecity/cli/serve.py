"""``safecity serve``: migrate the web site's database, collect its static files and serve it.

The core never imports Django: every step runs ``python -m safecity_web COMMAND`` (Django's
management commands with the Safe City settings) or gunicorn in a subprocess, with the
environment the user set (``DJANGO_SETTINGS_MODULE``, ``DATABASE_URL``, ``DJANGO_SECRET_KEY`` …).
Without ``DJANGO_SETTINGS_MODULE`` the development settings are used (SQLite unless
``DATABASE_URL`` says otherwise). ``--demo`` also seeds the demo partnership (``demo_site``:
organisations, one user per role, the demo assessment published, the example strategy) and
prints the demo analyst's sign-in.

References
----------
Django, "How to deploy with WSGI: gunicorn":
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/gunicorn/
Gunicorn settings (bind, workers, threads): https://docs.gunicorn.org/en/stable/settings.html
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from safecity.cli.options import console, error_console

SITE_PACKAGE = "safecity_web"
WSGI_APPLICATION = "safecity_web.wsgi:application"
DEVELOPMENT_SETTINGS = "safecity_web.settings.development"
DEMO_DATABASE_URL = "sqlite:///demo/web.sqlite3"
DEMO_ASSESSMENT = Path("demo") / "assessment"
DEMO_STATIC_ROOT = str(Path("demo") / "staticfiles")
DEMO_ANALYST = "analyst@demo"
STRATEGY_FILE_NAME = "southampton-safe-city-strategy-2022-2027.yaml"
SHUTDOWN_SECONDS = 15.0
INTERRUPTED_EXIT_CODE = 130


class SiteStep(StrEnum):
    """A step of starting the site, named in error messages."""

    MIGRATE = "migrating the database"
    COLLECT_STATIC = "collecting the static files"
    SEED_DEMO = "seeding the demo partnership"


class SiteCommandError(RuntimeError):
    """A management command of the site ended with a non-zero exit code."""

    def __init__(self, *, step: SiteStep, exit_code: int) -> None:
        self.step = step
        self.exit_code = exit_code
        super().__init__(
            f"{step.value} failed (exit code {exit_code}); the site's own message is above."
        )


class PortInUseError(RuntimeError):
    """The address to serve on is taken or not available on this machine."""


def site_environment(*, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the site's subprocesses: the caller's, with defaults filled in.

    ``DJANGO_SETTINGS_MODULE`` defaults to the development settings; ``overrides`` are applied
    only where the caller's environment does not already set the variable.
    """
    environment = dict(os.environ)
    environment.setdefault("DJANGO_SETTINGS_MODULE", DEVELOPMENT_SETTINGS)
    environment.setdefault("PYTHONUNBUFFERED", "1")
    for name, value in (overrides or {}).items():
        environment.setdefault(name, value)
    return environment


def manage_command(*, arguments: Sequence[str]) -> list[str]:
    """The command line that runs ``python -m safecity_web ARGUMENTS`` with this Python."""
    return [sys.executable, "-m", SITE_PACKAGE, *arguments]


def run_site_command(
    *, arguments: Sequence[str], environment: Mapping[str, str], step: SiteStep
) -> None:
    """Run one management command, its output going straight to the terminal.

    Raises
    ------
    SiteCommandError
        When the command exits with a non-zero code.
    """
    completed = subprocess.run(manage_command(arguments=arguments), env=environment, check=False)
    if completed.returncode != 0:
        raise SiteCommandError(step=step, exit_code=completed.returncode)


def bind_address(*, host: str, port: int) -> str:
    """Gunicorn's ``--bind`` value; IPv6 hosts go in square brackets."""
    if ":" in host and not host.startswith("["):
        return f"[{host}]:{port}"
    return f"{host}:{port}"


def check_port_free(*, host: str, port: int) -> None:
    """Raise ``PortInUseError`` with a sentence when ``host:port`` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    f"port {port} on {host} is already in use: stop the other server"
                    " or choose another port with --port."
                ) from error
            raise PortInUseError(
                f"cannot serve on {host}:{port}: {error.strerror or error}."
                " Check --host (an address of this machine, such as 127.0.0.1) and --port."
            ) from error


DEFAULT_WORKERS = 2
"""Gunicorn worker processes: one per CPU core of the 2-core reference machine (a Python process
runs one thread at a time; more processes than cores only add switching)."""
DEFAULT_THREADS = 4
"""Threads per worker: enough to overlap database and network waits (gthread)."""
KEEP_ALIVE_SECONDS = 75
"""How long an idle keep-alive connection stays open (gunicorn's default is 2 s).

Longer than a client's pause between two requests of a visit, and longer than the idle timeout
of common reverse proxies and browsers (60 s), so that the server is not the side that closes a
connection a client is about to reuse (a request on a connection closed under it fails)."""
WORKER_CONNECTIONS = 1000
"""Open connections per worker; the gthread worker parks idle keep-alive ones in its poller,
so they cost no thread."""
BACKLOG = 2048
"""Connections waiting in the kernel to be accepted (gunicorn's default; also capped by the
kernel's ``net.core.somaxconn``)."""
WORKER_TIMEOUT_SECONDS = 30
"""A worker silent for this long is restarted."""


def gunicorn_command(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    keep_alive: int = KEEP_ALIVE_SECONDS,
    access_log: bool = True,
) -> list[str]:
    """Gunicorn serving the site's WSGI application with threaded (gthread) workers.

    The tuning is explained in ``docs/operations.md`` ("Serving many clients"): ``workers`` a
    process per CPU core (Python runs one thread at a time per process), ``threads`` enough to
    overlap database and network waits, idle keep-alive connections held by the worker's
    poller for ``keep_alive`` seconds (not by a thread), and the listen ``BACKLOG``.
    ``access_log`` writes one line per request to standard output.
    """
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APPLICATION,
        "--bind",
        bind_address(host=host, port=port),
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--worker-connections",
        str(WORKER_CONNECTIONS),
        "--keep-alive",
        str(keep_alive),
        "--backlog",
        str(BACKLOG),
        "--timeout",
        str(WORKER_TIMEOUT_SECONDS),
        "--graceful-timeout",
        "10",
        # Gunicorn 24+ opens a control socket in ~/.gunicorn by default; two servers on one
        # machine (a demo and a test run) would fight over it, and nothing here uses it.
        "--no-control-socket",
    ]
    if access_log:
        command += ["--access-logfile", "-"]
    return command


def find_demo_strategy(*, start: Path) -> Path | None:
    """The example strategy YAML in ``../shared/strategy/`` next to the repository, if present.

    Looks beside the working folder ``start`` and beside the source checkout this module is in.
    """
    source_checkout = Path(__file__).resolve().parents[3]
    for base in (start.resolve(), source_checkout):
        candidate = base.parent / "shared" / "strategy" / STRATEGY_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def _serve(*, command: Sequence[str], environment: Mapping[str, str]) -> int:
    """Run gunicorn until it ends or is stopped; returns its exit code (130 after Ctrl-C).

    Gunicorn runs in a session of its own, so the terminal's Ctrl-C reaches only this process,
    which asks gunicorn's master to shut down gracefully (SIGTERM: requests in progress are
    finished). A SIGINT delivered to the workers as well would leave gthread workers to be
    killed after the graceful timeout. SIGTERM and SIGHUP to this process are passed on too.
    """
    process = subprocess.Popen(command, env=environment, start_new_session=True)

    def stop_gracefully(signal_number: int, frame: FrameType | None) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    previous = {
        handled: signal.signal(handled, stop_gracefully)
        for handled in (signal.SIGTERM, signal.SIGHUP)
    }
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop_gracefully(signal.SIGINT, None)
        try:
            process.wait(timeout=SHUTDOWN_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):  # a second Ctrl-C: no waiting
            process.kill()
            process.wait()
        return INTERRUPTED_EXIT_CODE
    finally:
        for handled, handler in previous.items():
            signal.signal(handled, handler)


def serve_command(
    *,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Gunicorn worker processes.")
    ] = DEFAULT_WORKERS,
    threads: Annotated[
        int, typer.Option("--threads", min=1, help="Threads per worker process.")
    ] = DEFAULT_THREADS,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="Serve the demo partnership: SQLite demo/web.sqlite3 unless DATABASE_URL is set,"
            " users per role, the demo assessment published; prints the analyst's sign-in.",
        ),
    ] = False,
    assessment: Annotated[
        Path,
        typer.Option(
            "--assessment",
            help="With --demo: the Assessment artefact to publish (made by `safecity demo`).",
            file_okay=False,
        ),
    ] = DEMO_ASSESSMENT,
    strategy: Annotated[
        Path | None,
        typer.Option(
            "--strategy",
            help="With --demo: a strategy YAML to import as the example action plan (default:"
            f" ../shared/strategy/{STRATEGY_FILE_NAME} beside the repository, when present).",
            dir_okay=False,
            exists=True,
        ),
    ] = None,
) -> None:
    """Migrate the database, collect static files and serve the web site with gunicorn.

    The database and settings come from the environment (DATABASE_URL, DJANGO_SETTINGS_MODULE,
    DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS); without them, the development settings and SQLite.
    Ctrl-C stops the server.
    """
    environment = site_environment(
        overrides={"DATABASE_URL": DEMO_DATABASE_URL, "SAFECITY_STATIC_ROOT": DEMO_STATIC_ROOT}
        if demo
        else {}
    )
    if demo:
        if not assessment.is_dir():
            error_console.print(
                f"error: there is no demo assessment in {assessment}/: run `safecity demo` first"
                " (it writes demo/assessment), or pass --assessment DIR.",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=1)
        if environment["DATABASE_URL"] == DEMO_DATABASE_URL:
            Path("demo").mkdir(exist_ok=True)
    try:
        check_port_free(host=host, port=port)
        console.print(
            f"Migrating the database ({environment['DJANGO_SETTINGS_MODULE']}) ...",
            markup=False,
            soft_wrap=True,
        )
        run_site_command(
            arguments=["migrate", "--noinput"], environment=environment, step=SiteStep.MIGRATE
        )
        run_site_command(
            arguments=["collectstatic", "--noinput", "--verbosity", "0"],
            environment=environment,
            step=SiteStep.COLLECT_STATIC,
        )
        if demo:
            _seed_demo(
                environment=environment,
                assessment=assessment,
                strategy=strategy or find_demo_strategy(start=Path.cwd()),
                sign_in_url=f"http://{bind_address(host=host, port=port)}/accounts/sign-in/",
            )
    except (PortInUseError, SiteCommandError) as error:
        error_console.print(f"error: {error}", markup=False, soft_wrap=True)
        raise typer.Exit(code=1) from error
    except KeyboardInterrupt as interruption:
        error_console.print(
            "\ninterrupted before the site started; nothing is being served.",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=INTERRUPTED_EXIT_CODE) from interruption
    console.print(
        f"Serving the Safe City site at http://{bind_address(host=host, port=port)}/"
        " (Ctrl-C stops it).",
        markup=False,
        soft_wrap=True,
    )
    exit_code = _serve(
        command=gunicorn_command(host=host, port=port, workers=workers, threads=threads),
        environment=environment,
    )
    if exit_code == INTERRUPTED_EXIT_CODE:
        error_console.print(
            "\nstopped: the site is no longer being served.", markup=False, soft_wrap=True
        )
    elif exit_code != 0:
        error_console.print(
            f"error: the web server stopped with exit code {exit_code}; its message is above.",
            markup=False,
            soft_wrap=True,
        )
    raise typer.Exit(code=exit_code)


def _seed_demo(
    *, environment: Mapping[str, str], assessment: Path, strategy: Path | None, sign_in_url: str
) -> None:
    """Run ``demo_site``: organisations, users per role, the published demo assessment."""
    arguments = ["demo_site", "--assessment", str(assessment), "--sign-in-url", sign_in_url]
    if strategy is not None:
        arguments += ["--strategy", str(strategy)]
    run_site_command(arguments=arguments, environment=environment, step=SiteStep.SEED_DEMO)
