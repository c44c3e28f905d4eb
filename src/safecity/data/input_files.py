"""Finding input files (plain, gzip, folders, zip archives) and reading them safely.

data.police.uk serves single CSV files, and archive zips laid out as
``YYYY-MM/YYYY-MM-<force>-street.csv``; analysts also keep gzipped copies and folders of them.
:func:`expand_inputs` turns whatever the user names into a list of :class:`InputFile` (an
archive member is known by its *full* member path, never by its base name), and
:func:`prepare_input` reads one of them once, as a stream:

* it hashes the bytes, finds the header and measures every line;
* it decompresses gzip files and zip members chunk by chunk into a private working copy (DuckDB
  reads a plain file in parallel; a zip member cannot be read in place), stopping with a
  refusal as soon as the output passes the size or compression-ratio limit
  (``config/input_limits.yaml``), so a bomb never fills the disk;
* a line longer than the line limit is left out of the copy and reported by reference (line
  number and byte length, see :class:`OversizedLine`) so that the loader can quarantine it
  without ever holding its text in memory;
* a corrupt or truncated gzip file or zip member is refused with a sentence
  (:class:`InputRefusedError`), so a loader can log it and go on with the other files.

A plain file with no over-long line is read where it is: no copy.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import BinaryIO, Protocol

from safecity.config.packaged_yaml import read_packaged_yaml

UTF8_BOM = b"\xef\xbb\xbf"
ARCHIVE_MEMBER_SEPARATOR = "!"
READ_CHUNK_BYTES = 1 << 20
"""Bytes read (or decompressed) at a time; never more than the line limit."""

_HEADER_NAME_SHOWN_CHARACTERS = 60


class InputError(ValueError):
    """An input path that cannot be read as asked (e.g. it does not exist)."""


class InputRefusedError(ValueError):
    """One input (file, archive or member) that is refused; the message says why in a sentence."""


class InputKind(StrEnum):
    """How an input's bytes are stored."""

    PLAIN = "plain"
    GZIP = "gzip"
    ZIP_MEMBER = "zip_member"


@dataclass(frozen=True, slots=True)
class InputLimits:
    """The limits on one input (values and reasons in ``config/input_limits.yaml``).

    Attributes
    ----------
    max_member_bytes
        Largest decompressed size of one file or archive member.
    max_archive_bytes
        Largest decompressed size of all the wanted members of one archive together.
    max_archive_members
        Most entries one archive may have.
    max_compression_ratio
        Largest ratio of decompressed to compressed size, judged only beyond
        ``ratio_grace_bytes`` of output.
    ratio_grace_bytes
        Output size below which the ratio is not judged.
    max_line_bytes
        Longest line (without its line ending) read; a longer one is quarantined by reference.
    """

    max_member_bytes: int
    max_archive_bytes: int
    max_archive_members: int
    max_compression_ratio: float
    ratio_grace_bytes: int
    max_line_bytes: int


@cache
def input_limits() -> InputLimits:
    """The limits shipped in ``config/input_limits.yaml``."""
    config = read_packaged_yaml("input_limits.yaml")
    if not isinstance(config, dict):
        raise ValueError("safecity.config/input_limits.yaml is not a YAML mapping")
    return InputLimits(
        max_member_bytes=int(config["max_member_bytes"]),
        max_archive_bytes=int(config["max_archive_bytes"]),
        max_archive_members=int(config["max_archive_members"]),
        max_compression_ratio=float(config["max_compression_ratio"]),
        ratio_grace_bytes=int(config["ratio_grace_bytes"]),
        max_line_bytes=int(config["max_line_bytes"]),
    )


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to load, as the user named it.

    Attributes
    ----------
    display_path
        The path, or ``archive.zip!member/path`` for an archive member.
    origin
        The file on disk (the archive for a member).
    kind
        How the bytes are stored.
    container
        What the user named that holds this file: the file itself, its folder or its archive.
    member
        The full member path inside the archive, for a member.
    stored_size
        Bytes as stored (compressed size for a member).
    """

    display_path: str
    origin: Path
    kind: InputKind
    container: str
    member: str | None = None
    stored_size: int = 0

    @property
    def name(self) -> str:
        """The file's own name (without folders), as in the archive or folder."""
        return self.display_path.rsplit(ARCHIVE_MEMBER_SEPARATOR, 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class RefusedInput:
    """A named input refused as a whole before its files were read (e.g. a corrupt archive)."""

    display_path: str
    reason: str
    sha256: str = ""


@dataclass(slots=True)
class ExpandedInputs:
    """The files to read, and the inputs refused as a whole."""

    files: list[InputFile] = field(default_factory=list)
    refused: list[RefusedInput] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OversizedLine:
    """A line over the line limit, left out of the copy read by the loader.

    Attributes
    ----------
    line_number
        1-based physical line in the file (the header is line 1).
    byte_length
        Its length in bytes, without the line ending.
    copy_line
        The line number, in the copy read by the loader, of the line that took its place (to
        map the loader's line numbers back to the file's).
    """

    line_number: int
    byte_length: int
    copy_line: int


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """One input read once: what the loader reads, and what was learnt on the way.

    Attributes
    ----------
    source
        The input.
    read_path
        A plain (uncompressed) file for DuckDB: the file itself, or a working copy.
    sha256
        Hex SHA-256 of the bytes as stored (of the decompressed bytes for an archive member).
    size
        Decompressed size in bytes.
    first_line
        The first line without its line ending (``b''`` for an empty file).
    oversized_lines
        Lines over the line limit, left out of ``read_path``.
    lines
        Physical lines in the file (a last line without a line ending counts).
    content_sha256
        Hex SHA-256 of the decompressed bytes (the same as ``sha256`` for a plain file or a
        member): two inputs with the same content have the same value, whatever their packing.
    """

    source: InputFile
    read_path: Path
    sha256: str
    size: int
    first_line: bytes
    oversized_lines: tuple[OversizedLine, ...]
    lines: int = 0
    content_sha256: str = ""

    @property
    def data_lines(self) -> int:
        """Physical lines after the header: no file can yield more rows than this."""
        return max(self.lines - 1, 0)


def read_first_line(path: Path, *, limit: int = 65536) -> bytes:
    """The first line of the (decompressed) file without its line ending; ``b''`` if empty."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        line = stream.readline(limit)
    return line.rstrip(b"\r\n")


def decode_header(line: bytes) -> list[str]:
    """Split a CSV header line into trimmed column names (BOM removed, quotes stripped).

    Examples
    --------
    >>> decode_header(b'\\xef\\xbb\\xbfCrime ID,"Month", Reported by')
    ['Crime ID', 'Month', 'Reported by']
    """
    if line.startswith(UTF8_BOM):
        line = line[len(UTF8_BOM) :]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("cp1252", errors="replace")
    return [name.strip().strip('"').strip() for name in text.split(",")]


def shown_header(header: list[str], *, columns: int = 20) -> str:
    """Up to ``columns`` header names for a message, each cut to 60 characters.

    Examples
    --------
    >>> shown_header(["a", "b" * 70, "c"], columns=2)
    'a, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…, ...'
    """
    cut = _HEADER_NAME_SHOWN_CHARACTERS
    names = [name if len(name) <= cut else name[: cut - 1] + "…" for name in header[:columns]]
    return ", ".join(names) + (", ..." if len(header) > columns else "")


def _is_wanted(name: str, suffixes: tuple[str, ...]) -> bool:
    lowered = name.lower()
    if lowered.endswith(".gz"):
        lowered = lowered[:-3]
    return lowered.endswith(suffixes)


def _kind_of(path: Path) -> InputKind:
    return InputKind.GZIP if path.name.lower().endswith(".gz") else InputKind.PLAIN


def expand_inputs(
    paths: Iterable[Path], *, suffixes: tuple[str, ...], limits: InputLimits
) -> ExpandedInputs:
    """Expand files, folders and zip archives into the files to load.

    Parameters
    ----------
    paths
        Files (plain or ``.gz``), folders (searched recursively) or ``.zip`` archives.
    suffixes
        File-name endings wanted inside folders and archives (e.g. ``("-street.csv",)``);
        files named directly are always taken.
    limits
        The archive limits (members, total size, ratio) applied to each archive's directory.

    Returns
    -------
    ExpandedInputs
        The files in order (folders and archives sorted by path), and the archives refused as
        a whole (unreadable, or over a limit) with the reason.

    Raises
    ------
    InputError
        If a path does not exist.
    """
    expanded = ExpandedInputs()
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            found = sorted(
                candidate
                for candidate in path.rglob("*")
                if candidate.is_file() and _is_wanted(candidate.name, suffixes)
            )
            expanded.files.extend(
                InputFile(
                    display_path=str(found_path),
                    origin=found_path,
                    kind=_kind_of(found_path),
                    container=str(path),
                    stored_size=found_path.stat().st_size,
                )
                for found_path in found
            )
        elif path.suffix.lower() == ".zip":
            try:
                expanded.files.extend(_archive_members(path, suffixes, limits))
            except InputRefusedError as error:
                expanded.refused.append(RefusedInput(display_path=str(path), reason=str(error)))
        else:
            expanded.files.append(
                InputFile(
                    display_path=str(path),
                    origin=path,
                    kind=_kind_of(path),
                    container=str(path),
                    stored_size=path.stat().st_size,
                )
            )
    return expanded


def _archive_members(
    archive: Path, suffixes: tuple[str, ...], limits: InputLimits
) -> list[InputFile]:
    """The wanted members of ``archive``, after checking its directory against the limits.

    Python's :mod:`zipfile` never yields more than a member's declared size (and fails the CRC
    check if the data hold more), so the declared sizes bound what will be read.
    """
    try:
        with zipfile.ZipFile(archive) as bundle:
            entries = bundle.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise InputRefusedError(
            f"not a readable zip archive ({type(error).__name__}: {error}); nothing of it was "
            "loaded"
        ) from error
    if len(entries) > limits.max_archive_members:
        raise InputRefusedError(
            f"the archive has {len(entries):,} entries, more than the limit of "
            f"{limits.max_archive_members:,}; nothing of it was loaded"
        )
    wanted = sorted(
        (entry for entry in entries if not entry.is_dir() and _is_wanted(entry.filename, suffixes)),
        key=lambda entry: entry.filename,
    )
    declared = sum(entry.file_size for entry in wanted)
    if declared > limits.max_archive_bytes:
        raise InputRefusedError(
            f"its data files would decompress to {declared:,} bytes, more than the limit of "
            f"{limits.max_archive_bytes:,} bytes for one archive; nothing of it was loaded"
        )
    stored = archive.stat().st_size
    if declared > limits.ratio_grace_bytes and declared > limits.max_compression_ratio * stored:
        raise InputRefusedError(
            f"its data files would decompress to {declared:,} bytes from {stored:,}, more than "
            f"{limits.max_compression_ratio:g} times the archive's size (a zip bomb?); nothing "
            "of it was loaded"
        )
    names = [entry.filename for entry in wanted]
    if len(set(names)) != len(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise InputRefusedError(
            f"the archive holds more than one entry named {repeated[0]!r}: it is not clear "
            "which is meant, so nothing of it was loaded"
        )
    return [
        InputFile(
            display_path=f"{archive}{ARCHIVE_MEMBER_SEPARATOR}{entry.filename}",
            origin=archive,
            kind=InputKind.ZIP_MEMBER,
            container=str(archive),
            member=entry.filename,
            stored_size=entry.compress_size,
        )
        for entry in wanted
    ]


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _HashingReader:
    """A binary stream that hashes the bytes read through it."""

    def __init__(self, stream: _Readable) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1, /) -> bytes:
        data = self._stream.read(size)
        self.digest.update(data)
        return data

    def seek(self, offset: int, /) -> int:
        """Not supported: the bytes are hashed once, in order (gzip never seeks back here)."""
        raise io.UnsupportedOperation(f"cannot seek to {offset} in a hashed stream")

    def drain(self) -> None:
        while self.read(READ_CHUNK_BYTES):
            pass


class _LineGuard:
    """Measures every line of a byte stream in chunks, optionally copying it to ``sink``
    without the lines longer than ``max_line_bytes``.

    Chunks are never longer than the limit, so a line that starts and ends inside one chunk
    is short enough: only the line running into each chunk is measured, with C-speed searches,
    and a long line is never held in memory (what was written of it is truncated away).
    """

    def __init__(self, *, max_line_bytes: int, sink: BinaryIO | None) -> None:
        self.max_line_bytes = max_line_bytes
        self.sink = sink
        self.newlines = 0
        self.line_length = 0
        self.skipping = False
        self.line_start = 0
        self.written = 0
        self.oversized: list[OversizedLine] = []
        self.crlf = 0
        self.carriage_returns = 0
        self._ends_with_cr = False
        self.lines = 0
        self.first_line = bytearray()
        self._first_line_done = False

    def _write(self, data: memoryview) -> None:
        if self.sink is not None:
            self.sink.write(data)
        self.written += len(data)

    def _abandon_line(self) -> None:
        if self.sink is not None and self.written != self.line_start:
            self.sink.seek(self.line_start)
            self.sink.truncate()
        self.written = self.line_start
        self.skipping = True

    def _close_oversized(self) -> None:
        line_number = self.newlines + 1
        self.oversized.append(
            OversizedLine(
                line_number=line_number,
                byte_length=self.line_length,
                copy_line=line_number - len(self.oversized),
            )
        )
        self.newlines += 1
        self.line_length = 0
        self.skipping = False
        self.line_start = self.written

    def _capture_first_line(self, chunk: bytes) -> None:
        end = chunk.find(b"\n")
        room = self.max_line_bytes + 1 - len(self.first_line)
        self.first_line += chunk[: min(room, len(chunk) if end == -1 else end)]
        if end != -1 or len(self.first_line) > self.max_line_bytes:
            self._first_line_done = True

    def feed(self, chunk: bytes) -> None:
        """Take the next chunk (at most ``max_line_bytes`` long)."""
        if not self._first_line_done:
            self._capture_first_line(chunk)
        if self._ends_with_cr and chunk[:1] == b"\n":
            self.crlf += 1
        if b"\r" in chunk:
            self.crlf += chunk.count(b"\r\n")
            self.carriage_returns += chunk.count(b"\r")
        self._ends_with_cr = chunk[-1:] == b"\r"
        view = memoryview(chunk)
        start = 0
        first = chunk.find(b"\n")
        head = len(chunk) if first == -1 else first
        if self.skipping or self.line_length + head > self.max_line_bytes:
            if not self.skipping:
                self._abandon_line()
            self.line_length += head
            if first == -1:
                return
            self._close_oversized()
            start = first + 1
        elif first == -1:
            self._write(view)
            self.line_length += len(chunk)
            return
        last = chunk.rfind(b"\n", start)
        if last == -1:
            self.line_start = self.written
            self._write(view[start:])
            self.line_length = len(chunk) - start
            return
        self._write(view[start : last + 1])
        self.newlines += chunk.count(b"\n", start, last + 1)
        self.line_start = self.written
        self._write(view[last + 1 :])
        self.line_length = len(chunk) - last - 1

    def finish(self) -> None:
        """The stream has ended (a last line without a line ending may be over-long)."""
        if self.skipping:
            self._close_oversized()
            self.lines = self.newlines
        else:
            self.lines = self.newlines + (1 if self.line_length > 0 else 0)
        # A CR alone also ends a line for a CSV reader: count those too (an upper bound).
        self.lines += max(self.carriage_returns - self.crlf, 0)

    @property
    def mixed_line_endings(self) -> bool:
        """Some lines end in CR LF and others in LF alone (DuckDB's reader trips on this)."""
        return 0 < self.crlf < self.newlines


def _normalise_line_endings(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with every CR LF written as LF, chunk by chunk.

    Used only for a file that mixes the two: DuckDB's reader detects one line ending per file
    and fails or skips lines on the other. A CR at a chunk's end is held back until the next
    chunk shows whether an LF follows.
    """
    held = b""
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(READ_CHUNK_BYTES):
            data = held + chunk
            held = b"\r" if data.endswith(b"\r") else b""
            writer.write(data[: len(data) - len(held)].replace(b"\r\n", b"\n"))
        writer.write(held)


def _chunk_bytes(limits: InputLimits) -> int:
    return max(1, min(READ_CHUNK_BYTES, limits.max_line_bytes))


def _check_growth(output_bytes: int, stored_bytes: int, limits: InputLimits) -> None:
    if output_bytes > limits.max_member_bytes:
        raise InputRefusedError(
            f"it decompresses to more than {limits.max_member_bytes:,} bytes, the limit for one "
            "file; nothing of it was loaded"
        )
    if (
        output_bytes > limits.ratio_grace_bytes
        and output_bytes > limits.max_compression_ratio * max(stored_bytes, 1)
    ):
        raise InputRefusedError(
            f"it decompresses to more than {limits.max_compression_ratio:g} times its stored "
            f"size of {stored_bytes:,} bytes (a compression bomb?); nothing of it was loaded"
        )


def check_decompressed_size(*, output_bytes: int, stored_bytes: int, limits: InputLimits) -> None:
    """Refuse an input whose decompressed size so far is over the size or ratio limit.

    Raises
    ------
    InputRefusedError
        With a sentence naming the limit passed.
    """
    _check_growth(output_bytes, stored_bytes, limits)


def _pump(stream: _Readable, guard: _LineGuard, *, stored_bytes: int, limits: InputLimits) -> int:
    """Feed ``stream`` to ``guard`` within the size and ratio limits; return the bytes read."""
    chunk_size = _chunk_bytes(limits)
    total = 0
    while chunk := stream.read(chunk_size):
        total += len(chunk)
        _check_growth(total, stored_bytes, limits)
        guard.feed(chunk)
    guard.finish()
    return total


_DECOMPRESSION_ERRORS = (
    gzip.BadGzipFile,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


def _refused_as_corrupt(kind: InputKind, error: BaseException) -> InputRefusedError:
    what = "gzip file" if kind is InputKind.GZIP else "zip archive member"
    detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    return InputRefusedError(
        f"not a readable {what}: {detail} (it is corrupt or truncated); nothing of it was loaded"
    )


def prepare_input(
    source: InputFile, *, position: int, workspace: Path, limits: InputLimits
) -> PreparedFile:
    """Read ``source`` once: hash it, measure its lines, decompress it if it is compressed.

    Parameters
    ----------
    source
        The input.
    position
        The input's position in the load: its working copy is named by it, so two inputs
        (e.g. members whose paths differ only in their folders) never share a copy.
    workspace
        A folder private to this load, for working copies.
    limits
        Size, ratio and line limits.

    Returns
    -------
    PreparedFile
        What to read, its hash, first line and over-long lines.

    Raises
    ------
    InputRefusedError
        If the file is corrupt or truncated, over a limit, or its header line is over-long.
    """
    copy_path = workspace / f"input-{position:06d}.csv"
    if source.kind is InputKind.PLAIN:
        prepared = _prepare_plain(source, copy_path, limits)
    else:
        prepared = _prepare_compressed(source, copy_path, limits)
    if prepared.oversized_lines and prepared.oversized_lines[0].line_number == 1:
        raise InputRefusedError(
            f"its first line (the header) is {prepared.oversized_lines[0].byte_length:,} bytes "
            f"long, over the limit of {limits.max_line_bytes:,} bytes; nothing of it was loaded"
        )
    return prepared


def _prepare_plain(source: InputFile, copy_path: Path, limits: InputLimits) -> PreparedFile:
    guard = _LineGuard(max_line_bytes=limits.max_line_bytes, sink=None)
    digest = hashlib.sha256()
    chunk_size = _chunk_bytes(limits)
    size = 0
    try:
        with source.origin.open("rb") as stream:
            while chunk := stream.read(chunk_size):
                size += len(chunk)
                digest.update(chunk)
                guard.feed(chunk)
        guard.finish()
        read_path = source.origin
        if guard.oversized:
            with source.origin.open("rb") as stream, copy_path.open("w+b") as sink:
                copier = _LineGuard(max_line_bytes=limits.max_line_bytes, sink=sink)
                while chunk := stream.read(chunk_size):
                    copier.feed(chunk)
                copier.finish()
            read_path = copy_path
        if guard.mixed_line_endings:
            normalised = copy_path.with_suffix(".lf.csv")
            _normalise_line_endings(read_path, normalised)
            read_path = normalised
    except OSError as error:
        raise InputRefusedError(
            f"cannot be read ({error.strerror or error}); nothing of it was loaded"
        ) from error
    return PreparedFile(
        source=source,
        read_path=read_path,
        sha256=digest.hexdigest(),
        size=size,
        first_line=bytes(guard.first_line).rstrip(b"\r"),
        oversized_lines=tuple(guard.oversized),
        lines=guard.lines,
        content_sha256=digest.hexdigest(),
    )


def _prepare_compressed(source: InputFile, copy_path: Path, limits: InputLimits) -> PreparedFile:
    try:
        with copy_path.open("w+b") as sink:
            guard = _LineGuard(max_line_bytes=limits.max_line_bytes, sink=sink)
            if source.kind is InputKind.GZIP:
                with source.origin.open("rb") as raw:
                    hashing = _HashingReader(raw)
                    with gzip.GzipFile(fileobj=hashing, mode="rb") as stream:
                        content = _HashingReader(stream)
                        size = _pump(content, guard, stored_bytes=source.stored_size, limits=limits)
                    hashing.drain()
                    sha256 = hashing.digest.hexdigest()
                    content_sha256 = content.digest.hexdigest()
            else:
                assert source.member is not None
                with zipfile.ZipFile(source.origin) as bundle:
                    entry = bundle.getinfo(source.member)
                    _check_growth(entry.file_size, entry.compress_size, limits)
                    with bundle.open(entry) as member:
                        hashing_member = _HashingReader(member)
                        size = _pump(
                            hashing_member,
                            guard,
                            stored_bytes=entry.compress_size,
                            limits=limits,
                        )
                    sha256 = content_sha256 = hashing_member.digest.hexdigest()
    except InputRefusedError:
        copy_path.unlink(missing_ok=True)
        raise
    except _DECOMPRESSION_ERRORS as error:
        copy_path.unlink(missing_ok=True)
        raise _refused_as_corrupt(source.kind, error) from error
    read_path = copy_path
    if guard.mixed_line_endings:
        read_path = copy_path.with_suffix(".lf.csv")
        _normalise_line_endings(copy_path, read_path)
        copy_path.unlink()
    return PreparedFile(
        source=source,
        read_path=read_path,
        sha256=sha256,
        size=size,
        first_line=bytes(guard.first_line).rstrip(b"\r"),
        oversized_lines=tuple(guard.oversized),
        lines=guard.lines,
        content_sha256=content_sha256,
    )


def stored_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes as stored, or ``''`` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(READ_CHUNK_BYTES):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
