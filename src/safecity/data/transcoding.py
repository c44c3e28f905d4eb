"""Text encodings: telling a legacy (Windows-1252) file from a UTF-8 file with bad rows.

Force systems and spreadsheets still write Windows-1252 ("ANSI") files. A file that is not valid
UTF-8 *and* holds no valid multi-byte UTF-8 sequence at all is read as Windows-1252 and the load
log says so; a UTF-8 file with a few corrupt rows keeps its encoding, and those rows are
quarantined with :attr:`~safecity.data.quality.QuarantineReason.ENCODING_ERROR`.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

LEGACY_ENCODING = "cp1252"
LEGACY_ENCODING_NOTE = "decoded as Windows-1252: the file is not UTF-8"

_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def read_all_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed if it ends in ``.gz``."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as stream:
            return stream.read()
    return path.read_bytes()


def is_legacy_encoded(data: bytes) -> bool:
    """True when ``data`` is not UTF-8 and contains no valid multi-byte UTF-8 sequence.

    Examples
    --------
    >>> is_legacy_encoded("Café".encode("cp1252"))
    True
    >>> is_legacy_encoded("Café".encode("utf-8") + b"\\xff")
    False
    >>> is_legacy_encoded(b"plain ascii")
    False
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _UTF8_MULTIBYTE.search(data) is None
    return False


def transcode_to_utf8(*, source: Path, target: Path) -> None:
    """Write ``source`` (Windows-1252, possibly gzipped) to ``target`` as UTF-8.

    Bytes that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are kept as the
    Unicode replacement character, so no row is lost.
    """
    text = read_all_bytes(source).decode(LEGACY_ENCODING, errors="replace")
    target.write_text(text, encoding="utf-8", newline="")
