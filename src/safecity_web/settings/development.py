"""Development and zero-set-up demo: SQLite unless ``DATABASE_URL`` says otherwise.

The secret key is generated per machine into ``~/.config/safecity/web-secret-key`` (never in the
repository); set ``DJANGO_SECRET_KEY`` to choose one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from safecity_web.database_url import database_settings
from safecity_web.settings.base import *  # noqa: F403
from safecity_web.settings.base import DATABASE_URL


def _machine_secret_key() -> str:
    path = Path(
        os.environ.get("SAFECITY_WEB_SECRET_KEY_FILE", "~/.config/safecity/web-secret-key")
    ).expanduser()
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


DEBUG = os.environ.get("SAFECITY_WEB_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _machine_secret_key()
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
DATABASES = {
    "default": database_settings(url=DATABASE_URL or "sqlite:///safecity-web.sqlite3"),
}
