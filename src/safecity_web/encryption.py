"""Encrypting personal data at rest with Fernet (AES-128-CBC + HMAC-SHA256), one key per purpose.

Keys for a purpose come from a setting (a list of Fernet keys, newest first, set in production
from a secret store apart from the database) or, when it is not set, are derived with
HKDF-SHA256 from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` with the purpose as context — so a
database dump alone reveals nothing, and rotating a key with a fallback keeps data readable.

References
----------
Fernet specification (https://github.com/fernet/spec); RFC 5869 (HKDF).
"""

from __future__ import annotations

import base64
import enum

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Purpose(enum.Enum):
    """What is encrypted: each purpose has its own keys (setting name, HKDF context)."""

    TOTP_SECRET = ("SAFECITY_TOTP_KEYS", b"safecity-web totp secret")
    PERSONAL_DATA = ("SAFECITY_DATA_KEYS", b"safecity-web personal data")
    INTELLIGENCE = ("SAFECITY_INTELLIGENCE_KEYS", b"safecity-web partner intelligence")

    @property
    def setting(self) -> str:
        """The setting that lists this purpose's keys."""
        return self.value[0]

    @property
    def context(self) -> bytes:
        """The HKDF ``info`` when the key is derived from ``SECRET_KEY``."""
        return self.value[1]


class DecryptionError(RuntimeError):
    """A stored token cannot be decrypted with any configured key."""


def _derived_key(secret_key: str, *, purpose: Purpose) -> bytes:
    derivation = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.context)
    return base64.urlsafe_b64encode(derivation.derive(secret_key.encode("utf-8")))


def _fernet(purpose: Purpose) -> MultiFernet:
    configured: list[str] = list(getattr(settings, purpose.setting, []) or [])
    if configured:
        keys = [key.encode("ascii") for key in configured]
    else:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        keys = [_derived_key(str(secret), purpose=purpose) for secret in secrets]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_bytes(plaintext: bytes, *, purpose: Purpose) -> bytes:
    """Encrypt ``plaintext`` with the purpose's newest key."""
    return _fernet(purpose).encrypt(plaintext)


def decrypt_bytes(token: bytes, *, purpose: Purpose) -> bytes:
    """Decrypt a token from :func:`encrypt_bytes` with any of the purpose's keys."""
    try:
        return _fernet(purpose).decrypt(bytes(token))
    except InvalidToken as error:
        raise DecryptionError(
            f"stored data cannot be decrypted: SECRET_KEY or {purpose.setting} changed without "
            "keeping the old key as a fallback"
        ) from error


def encrypt_text(plaintext: str, *, purpose: Purpose) -> str:
    """Encrypt ``plaintext``; the token is ASCII text (empty text stays empty)."""
    if plaintext == "":
        return ""
    return encrypt_bytes(plaintext.encode("utf-8"), purpose=purpose).decode("ascii")


def decrypt_text(token: str, *, purpose: Purpose) -> str:
    """Decrypt a token from :func:`encrypt_text` (empty text stays empty)."""
    if token == "":
        return ""
    return decrypt_bytes(token.encode("ascii"), purpose=purpose).decode("utf-8")
