"""The Assessment artefact: tidy tables as Parquet and CSV, and ``manifest.json``.

Partner tables go in the artefact's folder; public tables, after disclosure control, in
``public/``. Person-level tables are never written to ``public/``.

An artefact is written all or nothing: every file goes into a new folder beside the target
(``.<name>.<process id>-<random>.partial``), which is renamed into place only once complete.
An earlier artefact in the target stays whole until that moment: on Linux the two folders are
swapped in one ``renameat2(RENAME_EXCHANGE)`` call; elsewhere the earlier artefact is first
renamed aside (``.<name>.<random>.previous``), so a crash between the two renames leaves the
earlier artefact complete beside the target, never a mixture. The manifest records the SHA-256 of
every file, so a reader can refuse a mixed or altered artefact
(:func:`safecity.report.artefact_reader.open_artefact`).

References
----------
Linux ``rename(2)`` manual page (``RENAME_EXCHANGE``): https://man7.org/linux/man-pages/man2/rename.2.html
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

MANIFEST_FILE = "manifest.json"
PUBLIC_FOLDER = "public"
ARTEFACT_KINDS = ("safecity-assessment", "safecity-assessment-all-csps")
PARTIAL_SUFFIX = ".partial"
PREVIOUS_SUFFIX = ".previous"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class ArtefactWriteError(ValueError):
    """The artefact cannot be written where asked (the message names the folder and says why)."""


@dataclass(slots=True)
class Artefact:
    """Tables by name (partner versions), public tables by name, and the manifest.

    ``shared_files`` (file name -> text, e.g. ``boundaries.geojson``) are written both in the
    artefact's folder and in ``public/``.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    public_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    shared_files: dict[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path`` as 64 hexadecimal digits (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _write_table(table: pd.DataFrame, folder: Path, name: str) -> dict[str, Any]:
    csv_path = folder / f"{name}.csv"
    parquet_path = folder / f"{name}.parquet"
    try:
        arrow_table = pa.Table.from_pandas(table, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Columns of mixed Python objects: let pandas write them as text.
        table.to_csv(csv_path, index=False)
        table.to_parquet(parquet_path, index=False)
    else:
        # Arrow writes CSV many times faster than pandas, with full-precision numbers.
        pa_csv.write_csv(arrow_table, csv_path)
        pq.write_table(arrow_table, parquet_path)
    return {
        "rows": len(table),
        "columns": list(map(str, table.columns)),
        "csv": csv_path.name,
        "parquet": parquet_path.name,
        "csv_sha256": file_sha256(csv_path),
        "parquet_sha256": file_sha256(parquet_path),
    }


def write_artefact(artefact: Artefact, *, out_dir: Path) -> Path:
    """Write every table and the manifest as the artefact in ``out_dir``; return the manifest path.

    The files are written in a new folder beside ``out_dir`` and the folder is renamed into
    place when complete (see the module's notes), replacing an earlier artefact there.

    Raises
    ------
    ArtefactWriteError
        When ``out_dir`` is a file, or a folder holding files but no Assessment artefact
        (it is never overwritten).
    OSError
        When the folder cannot be written (no permission, no space): nothing is left in the
        target but the earlier artefact, if there was one.
    """
    target = _target_folder(Path(out_dir))
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    staging = target.parent / (
        f".{target.name}.{os.getpid()}-{secrets.token_hex(6)}{PARTIAL_SUFFIX}"
    )
    staging.mkdir()
    try:
        _write_files(artefact, folder=staging)
        _move_into_place(staging=staging, target=target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target / MANIFEST_FILE


def check_artefact_folder(*, out_dir: Path) -> None:
    """Check, before any work, that an artefact can be written as ``out_dir``.

    Creates the folder's parent and a probe folder beside ``out_dir`` (removed at once).

    Raises
    ------
    ArtefactWriteError
        When ``out_dir`` is a file, or a folder holding files but no Assessment artefact.
    OSError
        When the parent folder cannot be created or written (no permission, read-only disk).
    """
    target = _target_folder(Path(out_dir))
    target.parent.mkdir(parents=True, exist_ok=True)
    probe = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(6)}{PARTIAL_SUFFIX}"
    probe.mkdir()
    probe.rmdir()


def _target_folder(out_dir: Path) -> Path:
    """``out_dir`` as an absolute path (through symbolic links), checked to be replaceable."""
    target = out_dir.resolve()
    if target.exists() and not target.is_dir():
        raise ArtefactWriteError(
            f"{out_dir}: exists and is not a folder; give a folder for the Assessment artefact"
        )
    if target.is_dir() and any(target.iterdir()) and not _is_artefact(target):
        raise ArtefactWriteError(
            f"{out_dir}: holds files but no Assessment artefact (no {MANIFEST_FILE} written by"
            " `safecity assess`); give a new or empty folder, or an earlier artefact's folder"
            " to replace"
        )
    return target


def _is_artefact(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("kind") in ARTEFACT_KINDS


def _remove_leftovers(target: Path) -> None:
    """Remove what an earlier, killed writer of ``target`` left beside it.

    A ``.partial`` folder is an unfinished artefact: removed when the process named in it
    (``.<name>.<process id>-<random>.partial``) is no longer running. A ``.previous`` folder
    is an earlier artefact already replaced.
    """
    for path in target.parent.glob(f".{target.name}.*"):
        if not path.is_dir():
            continue
        finished = path.name.endswith(PREVIOUS_SUFFIX)
        abandoned = path.name.endswith(PARTIAL_SUFFIX) and not _writer_running(path)
        if finished or abandoned:
            shutil.rmtree(path, ignore_errors=True)


def _writer_running(partial: Path) -> bool:
    process = partial.name.removesuffix(PARTIAL_SUFFIX).rsplit(".", 1)[-1].split("-")[0]
    if not process.isdigit():
        return False
    try:
        os.kill(int(process), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, as another user
    return True


def _write_files(artefact: Artefact, *, folder: Path) -> None:
    public_dir = folder / PUBLIC_FOLDER
    public_dir.mkdir()
    manifest = dict(artefact.manifest)
    manifest["tables"] = {
        name: _write_table(table, folder, name) for name, table in artefact.tables.items()
    }
    manifest["public_tables"] = {
        name: _write_table(table, public_dir, name)
        for name, table in artefact.public_tables.items()
    }
    for name, text in artefact.shared_files.items():
        for place in (folder, public_dir):
            (place / name).write_text(text, encoding="utf-8")
    manifest["shared_files"] = {
        name: {"sha256": file_sha256(folder / name)} for name in artefact.shared_files
    }
    (folder / MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )


def _move_into_place(*, staging: Path, target: Path) -> None:
    """Rename the complete ``staging`` folder to ``target``, replacing an earlier artefact."""
    if not target.exists():
        staging.rename(target)
        return
    if not any(target.iterdir()):
        target.rmdir()
        staging.rename(target)
        return
    if _exchange(staging, target):
        # ``staging`` now holds the earlier artefact.
        shutil.rmtree(staging, ignore_errors=True)
        return
    previous = target.parent / f".{target.name}.{secrets.token_hex(6)}{PREVIOUS_SUFFIX}"
    target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic rename; ``False`` where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a file system or kernel without RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), str(second))
