"""Text encodings: telling a legacy (Windows-1252) file from a UTF-8 file with bad rows.

Force systems and spreadsheets still write Windows-1252 ("ANSI") files. A file that is not valid
UTF-8 *and* holds no valid multi-byte UTF-8 sequence at all is read as Windows-1252 and the load
log says so; a UTF-8 file with a few corrupt rows keeps its encoding, and those rows are
quarantined with :attr:`~safecity.data.quality.QuarantineReason.ENCODING_ERROR`.

Both the test and the conversion read the file as a stream of chunks, so a file of any size
takes a few megabytes of memory.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

LEGACY_ENCODING = "cp1252"
LEGACY_ENCODING_NOTE = "decoded as Windows-1252: the file is not UTF-8"
CHUNK_BYTES = 1 << 20
_LONGEST_SEQUENCE_TAIL = 3

_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


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


def is_legacy_encoded_file(path: Path) -> bool:
    """:func:`is_legacy_encoded` of the bytes of a plain file, read in chunks.

    A chunk boundary never hides a sequence: each chunk is searched together with the last
    three bytes of the one before, and UTF-8 validity is judged by an incremental decoder.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    invalid = False
    carried = b""
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if _UTF8_MULTIBYTE.search(carried + chunk[:_LONGEST_SEQUENCE_TAIL]) or (
                _UTF8_MULTIBYTE.search(chunk)
            ):
                return False
            carried = chunk[-_LONGEST_SEQUENCE_TAIL:]
            if not invalid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    invalid = True
    if not invalid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            invalid = True
    return invalid


def transcode_to_utf8(*, source: Path, target: Path) -> None:
    """Write the plain file ``source`` (Windows-1252) to ``target`` as UTF-8, chunk by chunk.

    Windows-1252 is a single-byte encoding, so chunks decode independently. Bytes it leaves
    undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are kept as the Unicode replacement character, so
    no row is lost.
    """
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK_BYTES):
            writer.write(chunk.decode(LEGACY_ENCODING, errors="replace").encode("utf-8"))
