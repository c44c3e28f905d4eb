"""API keys of reporting apps (issue 13): made by a command, shown once, stored hashed, revoked."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from web_open311 import error_of, hate_form, post

from safecity_web.reporting.models import Open311Application

pytestmark = pytest.mark.django_db


def _create(*arguments: str) -> str:
    out = io.StringIO()
    call_command("create_open311_app", *arguments, stdout=out)
    return out.getvalue()


def _every_stored_text() -> str:
    """Every column of every row of the apps table, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reporting_open311application")
        return "\n".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_key_is_printed_once_and_stored_only_as_its_hash(
    client: Client, small_area: Any
) -> None:
    output = _create("Report Hate App", "--contact-email", "apps@example.org")
    lines = output.strip().splitlines()
    assert len(lines) == 2
    key = lines[1]
    assert key.startswith("o311_")
    assert len(key) >= 45
    application = Open311Application.objects.get(name="Report Hate App")
    assert lines[0] == (
        f"registered 'Report Hate App' (key {application.key_prefix}...); its API key, shown "
        "only this once:"
    )
    assert application.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert application.key_prefix == key[:12]
    assert application.contact_email == "apps@example.org"
    assert key not in _every_stored_text()
    assert key[12:] not in _every_stored_text()
    # The key works; nothing can show it again (a second registration under the name fails).
    assert post(client, hate_form(key)).status_code == 200
    with pytest.raises(CommandError, match="an app called 'Report Hate App' is already registered"):
        _create("Report Hate App")
    assert Open311Application.objects.count() == 1


def test_two_apps_get_different_keys() -> None:
    first = _create("First app").strip().splitlines()[1]
    second = _create("Second app").strip().splitlines()[1]
    assert first != second
    hashes = set(Open311Application.objects.values_list("key_hash", flat=True))
    assert len(hashes) == 2


def test_a_revoked_key_is_refused(client: Client, small_area: Any) -> None:
    key = _create("Short-lived app").strip().splitlines()[1]
    assert post(client, hate_form(key)).status_code == 200
    out = io.StringIO()
    call_command("revoke_open311_app", "Short-lived app", stdout=out)
    assert out.getvalue().startswith("revoked 'Short-lived app' (key o311_")
    application = Open311Application.objects.get(name="Short-lived app")
    assert application.revoked_at is not None
    assert error_of(post(client, hate_form(key, description="again")), status=403) == (
        "api_key: is not the key of a registered app, or it has been revoked"
    )
    # Reports it sent before stay.
    assert application.communityreport_set.count() == 1
    with pytest.raises(CommandError, match="'Short-lived app' was already revoked on "):
        call_command("revoke_open311_app", "Short-lived app", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no app called 'Nobody' is registered"):
        call_command("revoke_open311_app", "Nobody", stdout=io.StringIO())


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(CommandError, match="the app's name is empty"):
        _create("   ")
