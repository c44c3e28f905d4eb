"""API keys of registered reporting apps: made once, shown once, stored only as a SHA-256 hash.

A key is 32 random bytes (URL-safe base64) behind the prefix ``o311_``; the database keeps its
SHA-256 (``Open311Application.key_hash``) and its first characters (``key_prefix``) so staff can
tell keys apart, never the key. Keys are created and revoked only with the management commands
``create_open311_app`` and ``revoke_open311_app``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safecity_web.reporting.models import Open311Application
from safecity_web.reporting.submission import token_hash

KEY_MARK = "o311_"
KEY_RANDOM_BYTES = 32
KEY_PREFIX_CHARACTERS = 12


class ApplicationError(ValueError):
    """An app that cannot be registered or revoked as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class RegisteredApplication:
    """A newly registered app and its key (the only time the key exists outside the app)."""

    application: Open311Application
    api_key: str


def register_application(*, name: str, contact_email: str = "") -> RegisteredApplication:
    """Register a reporting app and make its API key.

    Parameters
    ----------
    name
        The app's name, unique among registered apps.
    contact_email
        Who runs the app (optional).

    Returns
    -------
    RegisteredApplication
        The stored app and its key, to be handed over once.

    Raises
    ------
    ApplicationError
        When the name is empty or already registered.
    """
    cleaned = name.strip()
    if not cleaned:
        raise ApplicationError("the app's name is empty")
    api_key = KEY_MARK + secrets.token_urlsafe(KEY_RANDOM_BYTES)
    with transaction.atomic():
        if Open311Application.objects.filter(name=cleaned).exists():
            raise ApplicationError(f"an app called {cleaned!r} is already registered")
        application = Open311Application.objects.create(
            name=cleaned,
            key_prefix=api_key[:KEY_PREFIX_CHARACTERS],
            key_hash=token_hash(api_key),
            contact_email=contact_email.strip(),
        )
    return RegisteredApplication(application=application, api_key=api_key)


def revoke_application(*, name: str) -> Open311Application:
    """Revoke the app called ``name``: its key is refused from now on.

    Raises
    ------
    ApplicationError
        When no app has that name or it is already revoked.
    """
    with transaction.atomic():
        application = (
            Open311Application.objects.select_for_update().filter(name=name.strip()).first()
        )
        if application is None:
            raise ApplicationError(f"no app called {name.strip()!r} is registered")
        if application.revoked_at is not None:
            raise ApplicationError(
                f"{application.name!r} was already revoked on {application.revoked_at:%Y-%m-%d}"
            )
        application.revoked_at = timezone.now()
        application.save(update_fields=["revoked_at"])
    return application


def application_with_key(api_key: str) -> Open311Application | None:
    """The registered, unrevoked app whose key is ``api_key`` (None for any other key)."""
    if not api_key.startswith(KEY_MARK):
        return None
    return Open311Application.objects.filter(
        key_hash=token_hash(api_key), revoked_at__isnull=True
    ).first()
