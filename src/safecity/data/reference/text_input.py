"""Reading a reference CSV as published: gzip or not, UTF-8 (with or without BOM) or not.

The file is normalised into a UTF-8 copy that DuckDB's CSV reader can scan with fixed options:
the header line is taken off (and parsed here), each data record is prefixed with its 1-based
line number in the original file (the header is line 1), blank lines are dropped, and CRLF line
ends become LF. Records spanning several lines (a quoted field with a line break) keep their
first line's number.

Text encoding: a file that is valid UTF-8 is read as such; a file that is mostly UTF-8 but has
some invalid bytes is kept as UTF-8, so that only the rows with invalid bytes are quarantined
(``encoding_error``); a file with no UTF-8 multi-byte sequence at all is decoded as Windows-1252
(the usual non-UTF-8 encoding of spreadsheet exports; Latin-1 for its five undefined bytes).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from safecity.data.input_files import (
    READ_CHUNK_BYTES,
    InputLimits,
    InputRefusedError,
    check_decompressed_size,
    input_limits,
)
from safecity.data.reference.errors import UnrecognisedFileError

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(slots=True)
class NormalisedCsv:
    """A CSV file ready for DuckDB: its header and a line-numbered UTF-8 body file."""

    header: list[str]
    body_path: Path
    record_lines: list[int]
    """Line number of each data record written (lines not continuing a quoted field, not blank)."""
    notes: list[str] = field(default_factory=list)
    """What was done to read the file (encoding, BOM), for the load report message."""


def read_bytes(path: Path, *, limits: InputLimits | None = None) -> tuple[bytes, list[str]]:
    """The file's content, decompressed if it is gzip; notes on what was done.

    The file, or its decompressed content, may be no larger than the input limits
    (``config/input_limits.yaml``) and gzip may not expand it beyond their compression ratio:
    the content is decompressed in chunks and refused as soon as it passes a limit.

    Raises
    ------
    UnrecognisedFileError
        If the file is gzip but corrupt or truncated, or over a size or ratio limit.
    """
    limits = limits or input_limits()
    stored_bytes = path.stat().st_size
    if stored_bytes > limits.max_member_bytes:
        raise UnrecognisedFileError(
            f"the file is {stored_bytes:,} bytes, over the limit of {limits.max_member_bytes:,}"
            " for one file"
        )
    with path.open("rb") as file:
        magic = file.read(len(_GZIP_MAGIC))
    if magic != _GZIP_MAGIC:
        return path.read_bytes(), []
    parts: list[bytes] = []
    output_bytes = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(READ_CHUNK_BYTES):
                output_bytes += len(chunk)
                check_decompressed_size(
                    output_bytes=output_bytes, stored_bytes=stored_bytes, limits=limits
                )
                parts.append(chunk)
    except InputRefusedError as error:
        raise UnrecognisedFileError(str(error)) from error
    except (OSError, EOFError, zlib.error) as error:
        raise UnrecognisedFileError(f"corrupt gzip file: {error}") from error
    return b"".join(parts), ["gzip"]


def peek_bytes(path: Path, *, size: int = 64) -> bytes:
    """The first ``size`` bytes of the file's content (decompressed if it is gzip)."""
    with path.open("rb") as file:
        magic = file.read(len(_GZIP_MAGIC))
    try:
        if magic == _GZIP_MAGIC:
            with gzip.open(path, "rb") as stream:
                return stream.read(size)
        with path.open("rb") as file:
            return file.read(size)
    except (OSError, EOFError, zlib.error):
        return b""


def to_utf8(data: bytes) -> tuple[bytes, list[str]]:
    """``data`` as UTF-8 bytes without a BOM, and notes on the encoding found."""
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        notes.append("UTF-8 byte order mark removed")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append("decoded as UTF-16")
        return data.decode("utf-16").encode("utf-8"), notes
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        replaced = data.decode("utf-8", errors="replace")
        has_multibyte_utf8 = any(ord(char) > 0x7F and char != "\ufffd" for char in replaced)
        if has_multibyte_utf8:
            notes.append("UTF-8 with invalid bytes: those rows are quarantined")
            return data, notes
        text = data.decode("cp1252", errors="replace")
        if "\ufffd" in text:
            text = data.decode("latin-1")
            notes.append("not UTF-8: decoded as Latin-1")
        else:
            notes.append("not UTF-8: decoded as Windows-1252")
        return text.encode("utf-8"), notes
    return data, notes


def parse_header(line: bytes) -> list[str]:
    """The fields of a CSV header line, trimmed."""
    text = line.decode("utf-8", errors="replace").rstrip("\r\n")
    fields = next(csv.reader([text]), [])
    return [name.strip() for name in fields]


def normalise_csv(path: Path, *, work_folder: Path) -> NormalisedCsv:
    """Read ``path`` (any of the encodings above, gzip or not) into a line-numbered body file.

    Raises
    ------
    UnrecognisedFileError
        If the file is empty, or gzip but corrupt.
    """
    limits = input_limits()
    raw, notes = read_bytes(path, limits=limits)
    data, encoding_notes = to_utf8(raw)
    notes.extend(encoding_notes)
    lines = data.split(b"\n")
    header_index = next((index for index, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise UnrecognisedFileError("the file is empty: it has no header line")
    if len(lines[header_index]) > limits.max_line_bytes:
        raise UnrecognisedFileError(
            f"its header line is {len(lines[header_index]):,} bytes, over the limit of"
            f" {limits.max_line_bytes:,} for one line"
        )
    header = parse_header(lines[header_index])
    body_path = work_folder / "body.csv"
    record_lines: list[int] = []
    oversized: list[int] = []
    stray_returns: list[int] = []
    in_quoted_field = False
    with body_path.open("wb") as body:
        for index in range(header_index + 1, len(lines)):
            line = lines[index]
            if line.endswith(b"\r"):
                line = line[:-1]
            if b"\r" in line and not in_quoted_field:
                # A carriage return inside a line cannot be read as CSV: quarantined by number.
                stray_returns.append(index + 1)
                body.write(b"%d\n" % (index + 1))
                record_lines.append(index + 1)
                continue
            if len(line) > limits.max_line_bytes:
                # Kept by reference only: its line number, with no field, is quarantined.
                oversized.append(index + 1)
                line = b""
                if in_quoted_field:
                    in_quoted_field = False
                    body.write(b"\n")
                body.write(b"%d\n" % (index + 1))
                record_lines.append(index + 1)
                continue
            if not in_quoted_field:
                if not line.strip():
                    continue
                body.write(b"%d," % (index + 1))
                record_lines.append(index + 1)
            body.write(line)
            body.write(b"\n")
            if line.count(b'"') % 2 == 1:
                in_quoted_field = not in_quoted_field
    if any(line.endswith(b"\r") for line in lines[: header_index + 1]):
        notes.append("CRLF line ends")
    if stray_returns:
        notes.append(
            f"{len(stray_returns)} line(s) with a carriage return inside quarantined by line"
            f" number (first: line {stray_returns[0]})"
        )
    if oversized:
        notes.append(
            f"{len(oversized)} line(s) over the limit of {limits.max_line_bytes:,} bytes"
            f" quarantined by line number (first: line {oversized[0]})"
        )
    return NormalisedCsv(header=header, body_path=body_path, record_lines=record_lines, notes=notes)


def raw_records(body_path: Path, *, line_numbers: set[int]) -> dict[int, str]:
    """The text of the records at ``line_numbers`` in a normalised body (prefix removed)."""
    found: dict[int, list[str]] = {}
    current: int | None = None
    in_quoted_field = False
    with body_path.open("rb") as body:
        for body_line in body:
            line = body_line
            if not in_quoted_field:
                number_text, _, line = body_line.partition(b",")
                current = int(number_text)
            if current in line_numbers:
                found.setdefault(current, []).append(line.decode("utf-8", errors="replace"))
            if line.count(b'"') % 2 == 1:
                in_quoted_field = not in_quoted_field
    return {number: "".join(parts).rstrip("\n") for number, parts in found.items()}
