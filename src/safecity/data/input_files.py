"""Finding input files (plain, gzip, folders, zip archives) and reading their headers.

data.police.uk serves single CSV files, and archive zips laid out as
``YYYY-MM/YYYY-MM-<force>-street.csv``; analysts also keep gzipped copies and folders of them.
:func:`expand_inputs` turns whatever the user names into a list of readable files, extracting
archive members into a temporary folder that lives as long as the :class:`InputSet`.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"
ARCHIVE_MEMBER_SEPARATOR = "!"


class InputError(ValueError):
    """An input path that cannot be read as asked (missing, not a file we know)."""


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to load.

    Attributes
    ----------
    path
        Where the bytes are on disk now (an extracted copy for archive members).
    display_path
        How the user named it: the path, or ``archive.zip!member`` for an archive member.
    """

    path: Path
    display_path: str

    @property
    def name(self) -> str:
        """The file's own name (without folders), as in the archive or folder."""
        return self.display_path.rsplit("/", 1)[-1].rsplit(ARCHIVE_MEMBER_SEPARATOR, 1)[-1]


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


def _is_wanted(name: str, suffixes: tuple[str, ...]) -> bool:
    lowered = name.lower()
    if lowered.endswith(".gz"):
        lowered = lowered[:-3]
    return lowered.endswith(suffixes)


class InputSet:
    """The files named by the user, with any archive members extracted while it is open."""

    def __init__(self, files: list[InputFile], workspace: Path | None) -> None:
        self.files = files
        self._workspace = workspace

    def close(self) -> None:
        """Remove extracted archive members."""
        if self._workspace is not None:
            shutil.rmtree(self._workspace, ignore_errors=True)


@contextmanager
def expand_inputs(
    paths: Iterable[Path],
    *,
    suffixes: tuple[str, ...],
    on_extract: Callable[[str], None] | None = None,
) -> Iterator[InputSet]:
    """Expand files, folders and zip archives into the files to load.

    Parameters
    ----------
    paths
        Files (plain or ``.gz``), folders (searched recursively) or ``.zip`` archives.
    suffixes
        File-name endings wanted inside folders and archives (e.g. ``("-street.csv",)``);
        files named directly are always taken.
    on_extract
        Called with each archive member's name as it is extracted (for progress).

    Raises
    ------
    InputError
        If a path does not exist.
    """
    files: list[InputFile] = []
    workspace: Path | None = None
    try:
        for path in paths:
            if not path.exists():
                raise InputError(f"{path}: no such file or folder")
            if path.is_dir():
                found = sorted(
                    candidate
                    for candidate in path.rglob("*")
                    if candidate.is_file() and _is_wanted(candidate.name, suffixes)
                )
                files.extend(
                    InputFile(path=found_path, display_path=str(found_path)) for found_path in found
                )
            elif path.suffix.lower() == ".zip":
                if workspace is None:
                    workspace = Path(tempfile.mkdtemp(prefix="safecity-archive-"))
                files.extend(_extract_archive(path, workspace, suffixes, on_extract))
            else:
                files.append(InputFile(path=path, display_path=str(path)))
        yield InputSet(files, workspace)
    finally:
        if workspace is not None:
            shutil.rmtree(workspace, ignore_errors=True)


def _extract_archive(
    archive: Path,
    workspace: Path,
    suffixes: tuple[str, ...],
    on_extract: Callable[[str], None] | None,
) -> list[InputFile]:
    if not zipfile.is_zipfile(archive):
        raise InputError(f"{archive}: not a zip archive")
    extracted = []
    target_folder = workspace / f"{len(list(workspace.iterdir()))}-{archive.stem}"
    target_folder.mkdir()
    with zipfile.ZipFile(archive) as bundle:
        for member in sorted(bundle.namelist()):
            if member.endswith("/") or not _is_wanted(member, suffixes):
                continue
            member_name = Path(member).name
            target = target_folder / member.replace("/", "__")
            with bundle.open(member) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
            if on_extract is not None:
                on_extract(member_name)
            extracted.append(
                InputFile(path=target, display_path=f"{archive}{ARCHIVE_MEMBER_SEPARATOR}{member}")
            )
    return extracted
