"""Production: every secret and the database from the environment; HTTPS only.

Required: ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` (comma-separated), ``DATABASE_URL``
(PostgreSQL). ``manage.py check --deploy`` passes with these settings.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from safecity_web.database_url import database_settings
from safecity_web.settings.base import *  # noqa: F403
from safecity_web.settings.base import DATABASE_URL


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"production settings need the environment variable {name}")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in _required("DJANGO_ALLOWED_HOSTS").split(",") if host]
if not DATABASE_URL:
    raise ImproperlyConfigured("production settings need DATABASE_URL (postgres://...)")
DATABASES = {"default": database_settings(url=DATABASE_URL)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("production needs PostgreSQL; SQLite is only for the demo")

SECURE_SSL_REDIRECT = os.environ.get("SAFECITY_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
EMAIL_BACKEND = os.environ.get(
    "SAFECITY_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The address people reach the site at, for the absolute links in alert emails (default: HTTPS
# at the first allowed host).
SAFECITY_SITE_URL = (
    os.environ.get("SAFECITY_SITE_URL") or f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
).rstrip("/")
EMAIL_HOST = os.environ.get("SAFECITY_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SAFECITY_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SAFECITY_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SAFECITY_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("SAFECITY_EMAIL_TLS", "1") == "1"
# How many reverse proxies (TLS terminator, load balancer) sit in front of the site: the client
# address for lockout and the audit log is read that many hops from the right of X-Forwarded-For.
SAFECITY_TRUSTED_PROXIES = int(os.environ.get("SAFECITY_TRUSTED_PROXIES", "0"))
# Fernet keys for authenticator secrets, newest first, from a secret store apart from the
# database (without them the key is derived from DJANGO_SECRET_KEY).
SAFECITY_TOTP_KEYS = [
    key.strip() for key in os.environ.get("SAFECITY_TOTP_KEYS", "").split(",") if key.strip()
]
# Fernet keys for community reports' personal data (contact details, descriptions, notes,
# attachments), newest first; without them the key is derived from DJANGO_SECRET_KEY.
SAFECITY_DATA_KEYS = [
    key.strip() for key in os.environ.get("SAFECITY_DATA_KEYS", "").split(",") if key.strip()
]
# Fernet keys for partner intelligence (what is known, subjects, conditions, sanitised copies),
# newest first, kept apart from the personal-data keys; without them the key is derived from
# DJANGO_SECRET_KEY.
SAFECITY_INTELLIGENCE_KEYS = [
    key.strip()
    for key in os.environ.get("SAFECITY_INTELLIGENCE_KEYS", "").split(",")
    if key.strip()
]
