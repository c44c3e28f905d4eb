"""Pseudonymising person identifiers with a keyed hash (HMAC-SHA256).

The key comes from ``SAFECITY_PSEUDONYM_KEY`` or from the file named by
``SAFECITY_PSEUDONYM_KEY_FILE``; it is never written to the warehouse. Without a key the loader
refuses to run: an unkeyed hash of a short identifier can be reversed by trying every value.

References
----------
Krawczyk, H., Bellare, M. and Canetti, R. (1997), *HMAC: Keyed-Hashing for Message
Authentication*, RFC 2104. Information Commissioner's Office (2022), *Pseudonymisation* (draft
anonymisation guidance, chapter 3).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from pathlib import Path

KEY_ENVIRONMENT_VARIABLE = "SAFECITY_PSEUDONYM_KEY"
KEY_FILE_ENVIRONMENT_VARIABLE = "SAFECITY_PSEUDONYM_KEY_FILE"
MINIMUM_KEY_BYTES = 16
_CHECK_TEXT = b"safecity pseudonym key check"


class PseudonymKeyError(RuntimeError):
    """No usable pseudonymisation key (absent, too short, or stored with the data)."""


def pseudonym_key(*, warehouse_path: Path) -> bytes:
    """The pseudonymisation key from the environment.

    Raises
    ------
    PseudonymKeyError
        If neither variable is set, the key is shorter than 16 bytes, or the key file sits in
        the warehouse's own folder (a key kept with the data protects nothing).
    """
    key_text = os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    key_file = os.environ.get(KEY_FILE_ENVIRONMENT_VARIABLE)
    if key_text:
        key = key_text.encode("utf-8")
    elif key_file:
        path = Path(key_file)
        if not path.is_file():
            raise PseudonymKeyError(f"{KEY_FILE_ENVIRONMENT_VARIABLE}={key_file}: no such file")
        if _kept_with_the_data(key_file=path.resolve(), warehouse=warehouse_path.resolve()):
            raise PseudonymKeyError(
                f"the key file {path} is inside the warehouse's folder: keep it elsewhere "
                "(e.g. ~/.config/safecity/), never with the data"
            )
        key = path.read_bytes().strip()
    else:
        raise PseudonymKeyError(
            "loading person-level data (a force extract, or a survey with respondent ids) needs a "
            "pseudonymisation key: set "
            f"{KEY_ENVIRONMENT_VARIABLE} (at least {MINIMUM_KEY_BYTES} characters) or "
            f"{KEY_FILE_ENVIRONMENT_VARIABLE} to a file outside the warehouse folder; "
            "generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if len(key) < MINIMUM_KEY_BYTES:
        raise PseudonymKeyError(
            f"the pseudonymisation key is {len(key)} bytes; it must be at least {MINIMUM_KEY_BYTES}"
        )
    return key


def _kept_with_the_data(*, key_file: Path, warehouse: Path) -> bool:
    """True when the key file lies in the warehouse's folder or below it.

    The user's configuration folder (``~/.config``) is allowed even when the warehouse sits in
    the home folder itself.
    """
    if not key_file.is_relative_to(warehouse.parent):
        return False
    configuration = (Path.home() / ".config").resolve()
    in_configuration = key_file.is_relative_to(configuration)
    return not (in_configuration and not warehouse.parent.is_relative_to(configuration))


def pseudonymise(identifiers: Iterable[str], *, key: bytes) -> list[str]:
    """HMAC-SHA256 of each identifier under ``key``, as hex.

    Examples
    --------
    >>> pseudonymise(["V123"], key=b"0123456789abcdef")[0][:16]
    '31bf515f03ff3f1d'
    """
    return [
        hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest() for value in identifiers
    ]


def key_check_value(key: bytes) -> str:
    """A value that identifies the key without revealing it (HMAC of a fixed text)."""
    return hmac.new(key, _CHECK_TEXT, hashlib.sha256).hexdigest()[:32]
