"""Encrypting authenticator secrets at rest (``safecity_web.encryption``, purpose TOTP secret).

Keys come from ``settings.SAFECITY_TOTP_KEYS`` (a list of Fernet keys, newest first; production
should set it from a secret store, separately from the database) or, when that is not set, are
derived with HKDF-SHA256 from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` — so a database dump
alone does not reveal the secrets, and rotating the key with a fallback keeps them readable.
"""

from __future__ import annotations

from safecity_web.encryption import DecryptionError, Purpose, decrypt_text, encrypt_text


class SecretDecryptionError(DecryptionError):
    """A stored secret cannot be decrypted with any configured key."""


def encrypt_secret(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the newest key; the token is ASCII text."""
    return encrypt_text(plaintext, purpose=Purpose.TOTP_SECRET)


def decrypt_secret(token: str) -> str:
    """Decrypt a token from :func:`encrypt_secret` with any configured key."""
    try:
        return decrypt_text(token, purpose=Purpose.TOTP_SECRET)
    except DecryptionError as error:
        raise SecretDecryptionError(
            "an authenticator secret cannot be decrypted: SECRET_KEY or SAFECITY_TOTP_KEYS "
            "changed without keeping the old key as a fallback"
        ) from error
