"""``safecity serve``: a real gunicorn server on a throwaway database, stopped with Ctrl-C."""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import pytest
from web_assets_cli import (
    SAFECITY,
    demo_artefact,
    free_port,
    http_get,
    site_environment,
    start_serve,
    throwaway_database,
)


def _one_line(text: str) -> str:
    """Rich wraps long sentences at the terminal width; compare them as one line."""
    return re.sub(r"\s+", " ", text)


def test_serve_migrates_serves_the_site_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    with throwaway_database() as database_url:
        environment = site_environment(folder=tmp_path, database_url=database_url)
        server = start_serve(
            arguments=["--port", str(port), "--workers", "1", "--threads", "2"],
            environment=environment,
            folder=tmp_path,
            port=port,
        )
        try:
            server.wait_until_answering()
            status, body = http_get(port=port, path="/")
            assert status == 200, server.output()
            assert b"govuk-frontend.min.css" in body
            static_status, script = http_get(port=port, path="/static/safecity/init.js")
            assert static_status == 200
            assert b"vegaEmbed" in script
            exit_code = server.interrupt()
        finally:
            server.kill()
    assert exit_code == 130, server.output()
    with pytest.raises(ConnectionRefusedError):  # gunicorn stopped with the command
        http_get(port=port, path="/")
    output = _one_line(server.output())
    assert f"Serving the Safe City site at http://127.0.0.1:{port}/" in output
    assert "stopped: the site is no longer being served." in output
    # collectstatic wrote the static files where SAFECITY_STATIC_ROOT says.
    assert (tmp_path / "staticfiles" / "vendor" / "vega" / "vega.min.js").is_file()


def test_serve_says_when_the_port_is_in_use(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]
        result = subprocess.run(
            [str(SAFECITY), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=site_environment(folder=tmp_path, database_url="sqlite:///site.sqlite3"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert (
        f"error: port {port} on 127.0.0.1 is already in use: stop the other server or choose"
        " another port with --port." in _one_line(result.stderr)
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site.sqlite3").exists(), "nothing should run before the port check"


def test_serve_says_when_migrating_fails(tmp_path: Path) -> None:
    # Nothing listens on this port, so the database cannot be reached and migrate fails.
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"
    result = subprocess.run(
        [str(SAFECITY), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=site_environment(folder=tmp_path, database_url=unreachable),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert (
        "error: migrating the database failed (exit code 1); the site's own message is above."
        in _one_line(result.stderr)
    )


def test_serve_demo_seeds_users_publishes_and_prints_the_analyst_sign_in(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    artefact = demo_artefact(tmp_path_factory)
    port = free_port()
    # No DATABASE_URL: the demo uses SQLite in demo/web.sqlite3 under the working folder.
    environment = site_environment(folder=tmp_path, database_url=None)
    server = start_serve(
        arguments=["--demo", "--assessment", str(artefact), "--port", str(port), "--workers", "1"],
        environment=environment,
        folder=tmp_path,
        port=port,
    )
    try:
        server.wait_until_answering()
        status, body = http_get(port=port, path="/")
        assert status == 200, server.output()
        assert b"Demoton" in body, "the home page shows the published demo assessment's area"
        exit_code = server.interrupt()
    finally:
        server.kill()
    assert exit_code == 130, server.output()
    assert (tmp_path / "demo" / "web.sqlite3").is_file()
    sign_in = re.search(
        rf"Sign in as analyst@demo / (\S+) at http://127\.0\.0\.1:{port}/accounts/sign-in/",
        server.output(),
    )
    assert sign_in is not None, server.output()
    password = sign_in.group(1)
    check = subprocess.run(
        [
            str(SAFECITY.with_name("python")),
            "-m",
            "safecity_web",
            "shell",
            "--no-imports",
            "-c",
            "from safecity_web.accounts.models import User\n"
            "from safecity_web.observatory.models import PublishedAssessment\n"
            f"user = User.objects.get(username='analyst@demo')\n"
            f"print(user.check_password({password!r}), user.role, user.organisation.kind)\n"
            "print(sorted(PublishedAssessment.objects.values_list('area_code', 'status')))\n",
        ],
        cwd=tmp_path,
        env={**environment, "DATABASE_URL": "sqlite:///demo/web.sqlite3"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines() == [
        "True analyst council",
        "[('E22900001', 'published')]",
    ]


def test_serve_demo_without_an_assessment_says_what_to_run(tmp_path: Path) -> None:
    missing = "no-such-folder"
    result = subprocess.run(
        [str(SAFECITY), "serve", "--demo", "--assessment", missing, "--port", str(free_port())],
        cwd=tmp_path,
        env=site_environment(folder=tmp_path, database_url=None),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert (
        f"error: there is no demo assessment in {missing}/: run `safecity demo` first"
        in _one_line(result.stderr)
    )
