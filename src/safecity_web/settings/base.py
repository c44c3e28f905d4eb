"""Settings shared by every environment. Secrets and the database come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from safecity_web.database_url import database_settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent

DATABASE_URL = os.environ.get("DATABASE_URL", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "safecity_web.accounts",
    "safecity_web.observatory",
    "safecity_web.api",
    "safecity_web.strategy",
    "safecity_web.site",
    "safecity_web.commentary",
    "safecity_web.jobs",
    "safecity_web.reporting",
    "safecity_web.intelligence",
    "safecity_web.alerts",
    "safecity_web.open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safecity_web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safecity_web.public_cache.PublicCacheMiddleware",
    # Refuses oversized report-form bodies before anything below reads them (issue 13).
    "safecity_web.reporting.abuse.ReportBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safecity_web.odd_input.RejectNulCharactersMiddleware",
]

ROOT_URLCONF = "safecity_web.urls"
WSGI_APPLICATION = "safecity_web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safecity_web.observatory.context_processors.published_assessment",
                "safecity_web.commentary.context_processors.commentary_stamp",
                "safecity_web.alerts.context_processors.unread_alerts",
            ],
        },
    },
]

DATABASES = {"default": database_settings(url=DATABASE_URL)} if DATABASE_URL else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Argon2id first: new and upgraded passwords are hashed with it (OWASP Password Storage).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A reset link is a password: valid for two hours (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "/partners/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("SAFECITY_STATIC_ROOT", Path.cwd() / "staticfiles"))

# Caches live in each worker process's memory (no cache server to run). "default" keeps what
# the observatory derives from an assessment (charts, ranges; keyed by the assessment, whose
# rows never change); "pages" keeps public answers for SAFECITY_PAGE_CACHE_SECONDS
# (safecity_web.public_cache); "rate-limits" counts each client's requests that were not
# served from "pages". Each gunicorn worker counts on its own, so a client that spreads its
# requests over W workers gets up to W times SAFECITY_RATE_LIMIT; a deployment that wants one
# count points "rate-limits" at memcached or Redis (docs/operations.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "safecity-default",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "safecity-pages",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
    "rate-limits": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "safecity-rate-limits",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
RATELIMIT_USE_CACHE = "rate-limits"
SAFECITY_PAGE_CACHE_SECONDS = int(os.environ.get("SAFECITY_PAGE_CACHE_SECONDS", "60"))
"""How long a public answer is kept (0: not kept). Shorter than the API's max-age of 300 s."""
SAFECITY_RATE_LIMIT = os.environ.get("SAFECITY_RATE_LIMIT", "300/m")
"""Requests per client and URL family (observatory, API, statement) that are not served from
the page cache, in django-ratelimit's notation ("300/m"); empty: no limit."""
SAFECITY_OPEN311_ADDRESS_RATE = os.environ.get("SAFECITY_OPEN311_ADDRESS_RATE")
"""Open311 submissions per client address; unset: ``abuse.per_address_rate`` of the
community-reporting configuration; empty: no limit (``safecity_web.open311.throttling``)."""
SAFECITY_OPEN311_KEY_RATE = os.environ.get("SAFECITY_OPEN311_KEY_RATE")
"""Open311 submissions per registered app; unset: ``abuse.global_rate``; empty: no limit."""

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day; sign in again after 8 hours
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("SAFECITY_FROM_EMAIL", "safecity@localhost")
SAFECITY_SITE_URL = os.environ.get("SAFECITY_SITE_URL", "http://localhost:8000").rstrip("/")
"""The site's address as people reach it (scheme and host, no trailing slash): the absolute
links in emails (alerts: sign in, one-click unsubscribe) start with it."""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
