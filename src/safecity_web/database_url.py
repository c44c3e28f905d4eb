"""Database settings from a ``DATABASE_URL`` (``sqlite:///path`` or ``postgres://...``).

References
----------
The URL forms follow the convention of dj-database-url and Heroku:
https://github.com/jazzband/dj-database-url#url-schema
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})


class DatabaseUrlError(ValueError):
    """A ``DATABASE_URL`` that Safe City cannot use."""


def database_settings(*, url: str) -> dict[str, Any]:
    """Turn ``url`` into one entry of Django's ``DATABASES`` setting.

    >>> database_settings(url="postgres://app:secret@db.example:5433/safecity")["PORT"]
    5433
    >>> database_settings(url="sqlite:////tmp/site.sqlite3")["NAME"]
    '/tmp/site.sqlite3'
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise DatabaseUrlError(f"DATABASE_URL {url!r}: a SQLite URL needs a file path")
        if parts.netloc:
            raise DatabaseUrlError(
                f"DATABASE_URL {url!r}: write sqlite:///relative/path or sqlite:////absolute/path"
            )
        # sqlite:////abs/path is absolute; sqlite:///rel/path is relative to the working folder.
        name = path[1:] if path.startswith("//") else str(Path(path[1:]).resolve())
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if scheme in POSTGRES_SCHEMES:
        database_name = unquote(parts.path.lstrip("/"))
        if not database_name:
            raise DatabaseUrlError(f"DATABASE_URL {url!r}: no database name after the host")
        options = dict(parse_qsl(parts.query))
        try:
            port = parts.port
        except ValueError as error:
            raise DatabaseUrlError(f"DATABASE_URL {url!r}: {error}") from error
        host = unquote(parts.hostname or "")
        if "host" in options:  # a Unix socket folder: postgres:///db?host=/run/postgresql
            host = options.pop("host")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": port or "",
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
        }
    raise DatabaseUrlError(
        f"DATABASE_URL {url!r}: unsupported scheme {scheme!r} (use sqlite:/// or postgres://)"
    )
