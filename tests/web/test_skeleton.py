"""The web project's foundations: settings from the environment, PostgreSQL under test."""

from __future__ import annotations

import pytest
from django.db import connection

from safecity_web.database_url import DatabaseUrlError, database_settings


@pytest.mark.django_db
def test_tests_run_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        (version,) = cursor.fetchone()
    assert version >= 150000


def test_database_url_postgres_parts() -> None:
    settings = database_settings(
        url="postgres://app:s%40cret@db.example:5433/safe_city?sslmode=require"
    )
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert (settings["USER"], settings["PASSWORD"], settings["HOST"]) == (
        "app",
        "s@cret",
        "db.example",
    )
    assert (settings["PORT"], settings["NAME"]) == (5433, "safe_city")
    assert settings["OPTIONS"] == {"sslmode": "require"}


def test_database_url_sqlite_relative_and_absolute(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_settings(url="sqlite:///demo/web.sqlite3")["NAME"] == str(
        tmp_path / "demo/web.sqlite3"
    )
    assert database_settings(url="sqlite:////var/x.sqlite3")["NAME"] == "/var/x.sqlite3"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x/y", "unsupported scheme 'mysql'"),
        ("postgres://host", "no database name"),
        ("sqlite://", "needs a file path"),
    ],
)
def test_database_url_errors_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(DatabaseUrlError, match=message):
        database_settings(url=url)
