"""Security headers, CSRF, session cookies, and ``check --deploy`` under production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import PASSWORD, PortalPeople

from safecity_web.security import content_security_policy

SIGN_IN = reverse("accounts:sign-in")


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_csp_nonce_matches_the_inline_script_and_changes_per_request(client: Client) -> None:
    nonces = []
    for _ in range(2):
        response = client.get(SIGN_IN)
        directives = _directives(response["Content-Security-Policy"])
        found = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{24})'", directives["script-src"])
        assert found, directives["script-src"]
        nonce = found.group(1)
        scripts = re.findall(r"<script nonce=\"([^\"]+)\">", response.content.decode())
        assert scripts == [nonce]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_csp_directives_and_other_security_headers(client: Client) -> None:
    response = client.get(SIGN_IN)
    directives = _directives(response["Content-Security-Policy"])
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "unsafe-inline" not in directives["script-src"]
    assert response["Permissions-Policy"].startswith("accelerometer=(), camera=()")
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    # HSTS is for production over HTTPS only (SECURE_HSTS_SECONDS in production settings).
    assert "Strict-Transport-Security" not in response


def test_content_security_policy_puts_the_nonce_in_script_src_only() -> None:
    header = content_security_policy(nonce="abc123")
    assert header.count("abc123") == 1
    assert "script-src 'self' 'nonce-abc123'" in header


@pytest.mark.django_db
def test_post_without_csrf_token_is_rejected(portal_people: PortalPeople) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(SIGN_IN, {"username": "analyst-own", "password": PASSWORD})
    assert response.status_code == 403
    assert "Sorry, there is a problem with the form" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # With the token from the form, the same post succeeds.
    page = client.get(SIGN_IN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        SIGN_IN,
        {"username": "analyst-own", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_sign_out_without_csrf_token_is_rejected(portal_people: PortalPeople) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(portal_people.own["analyst"])
    assert client.post(reverse("accounts:sign-out")).status_code == 403
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_session_cookie_is_http_only_and_lasts_eight_hours(
    client: Client, portal_people: PortalPeople
) -> None:
    response = client.post(SIGN_IN, {"username": "analyst-own", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 8 * 60 * 60


def test_check_deploy_is_clean_under_production_settings(tmp_path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "SAFECITY_"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "safecity_web.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "safecity.example.org",
        "DATABASE_URL": "postgres://safecity@db.example.org:5432/safecity",
        "SAFECITY_STATIC_ROOT": str(tmp_path),
    }
    script = (
        "import django; django.setup();"
        "from django.conf import settings;"
        "from django.core.management import call_command;"
        "assert settings.SETTINGS_MODULE == 'safecity_web.settings.production';"
        "assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE;"
        "assert settings.SECURE_HSTS_SECONDS >= 31536000;"
        "call_command('check', deploy=True, fail_level='WARNING');"
        "print('deploy-check-clean')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "deploy-check-clean" in result.stdout
    assert "System check identified no issues" in result.stdout + result.stderr


def test_check_deploy_fails_with_a_weak_secret_key(tmp_path) -> None:
    """The same check does catch a problem (so the clean result above means something)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")
    } | {
        "DJANGO_SETTINGS_MODULE": "safecity_web.settings.production",
        "DJANGO_SECRET_KEY": "short",
        "DJANGO_ALLOWED_HOSTS": "safecity.example.org",
        "DATABASE_URL": "postgres://safecity@db.example.org:5432/safecity",
        "SAFECITY_STATIC_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "safecity_web", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


@pytest.mark.django_db
def test_signed_in_pages_are_not_kept_by_shared_caches(
    client: Client, portal_people: PortalPeople
) -> None:
    assert "Cache-Control" not in client.get(SIGN_IN.replace("sign-in/", "password-reset/"))
    client.force_login(portal_people.own["analyst"])
    cache_control = client.get(reverse("accounts:account"))["Cache-Control"]
    assert set(cache_control.replace(" ", "").split(",")) >= {"private", "no-cache"}
    setup = client.get(reverse("accounts:two-factor"))["Cache-Control"]
    assert "no-store" in setup


@pytest.mark.django_db
def test_permission_denied_page_is_a_govuk_page(
    client: Client, portal_people: PortalPeople
) -> None:
    client.force_login(portal_people.own["board_member"])
    response = client.get(reverse("accounts:audit-log"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">You do not have permission to view this page</h1>' in html
    assert "needs the role" not in html  # the audit log has the reason, the page does not
