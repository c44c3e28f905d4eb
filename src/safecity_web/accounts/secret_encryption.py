"""Encrypting authenticator secrets at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from ``settings.SAFECITY_TOTP_KEYS`` (a list of Fernet keys, newest first; production
should set it from a secret store, separately from the database) or, when that is not set, are
derived with HKDF-SHA256 from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` — so a database dump
alone does not reveal the secrets, and rotating the key with a fallback keeps them readable.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretDecryptionError(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""


def _derived_key(secret_key: str) -> bytes:
    derivation = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"safecity-web totp secret"
    )
    return base64.urlsafe_b64encode(derivation.derive(secret_key.encode("utf-8")))


def _fernet() -> MultiFernet:
    configured: list[str] = list(getattr(settings, "SAFECITY_TOTP_KEYS", []) or [])
    if configured:
        keys = [key.encode("ascii") for key in configured]
    else:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        keys = [_derived_key(str(secret)) for secret in secrets]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_secret(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the newest key; the token is ASCII text."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str) -> str:
    """Decrypt a token from :func:`encrypt_secret` with any configured key."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise SecretDecryptionError(
            "an authenticator secret cannot be decrypted: SECRET_KEY or SAFECITY_TOTP_KEYS "
            "changed without keeping the old key as a fallback"
        ) from error
