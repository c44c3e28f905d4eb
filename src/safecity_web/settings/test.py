"""Tests: PostgreSQL from ``DATABASE_URL``, or a throwaway cluster the test session starts.

``tests/web/conftest.py`` starts a cluster with Debian's ``initdb``/``pg_ctl`` when
``DATABASE_URL`` is not set and points the connection at it before the test database exists.
"""

from __future__ import annotations

from safecity_web.database_url import database_settings
from safecity_web.settings.base import *  # noqa: F403
from safecity_web.settings.base import DATABASE_URL

DEBUG = False
SECRET_KEY = "test-only-key-not-a-secret-" + "x" * 40
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {
    "default": database_settings(url=DATABASE_URL or "postgres://postgres@127.0.0.1:5432/safecity")
}
# Fast hashing in tests only; the Argon2 hasher itself is tested explicitly.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests publish different data under the same URLs one after the other: public answers are
# not kept between requests, and the per-client limit is off (the test client is one address
# for hundreds of requests). tests/web/site/test_public_cache.py turns both on to test them.
SAFECITY_PAGE_CACHE_SECONDS = 0
SAFECITY_RATE_LIMIT = ""
