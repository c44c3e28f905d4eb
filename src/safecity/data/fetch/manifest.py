"""``fetched.json``: the record, next to the downloaded files, of what was fetched from where.

One entry per file, keyed by its path relative to the output folder: the URL, the path, the
size in bytes, the SHA-256, when it was fetched, and the server's ``ETag`` and
``Last-Modified``. The manifest is rewritten atomically (temporary file, then rename) after
each completed file, so an interrupted run never leaves it half written.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MANIFEST_FILE = "fetched.json"
"""The manifest's file name, in the output folder."""

MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """What is known of one fetched file."""

    url: str
    path: str
    bytes: int
    sha256: str
    fetched_at: str
    etag: str | None = None
    last_modified: str | None = None


class ManifestError(ValueError):
    """``fetched.json`` exists but cannot be read."""


def read_manifest(out_directory: Path) -> dict[str, ManifestEntry]:
    """The entries of ``out_directory/fetched.json`` by relative path (empty when absent).

    Raises
    ------
    ManifestError
        When the file exists but is not a manifest this version understands.
    """
    manifest_path = out_directory / MANIFEST_FILE
    if not manifest_path.exists():
        return {}
    try:
        document = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = document["files"]
        return {relative_path: ManifestEntry(**entry) for relative_path, entry in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ManifestError(
            f"{manifest_path} is not a readable fetch manifest ({error}); move it away to refetch"
        ) from error


def record_in_manifest(out_directory: Path, *, relative_path: str, entry: ManifestEntry) -> None:
    """Add or replace the entry of ``relative_path`` in ``out_directory/fetched.json``."""
    entries = read_manifest(out_directory)
    entries[relative_path] = entry
    document: dict[str, Any] = {
        "version": MANIFEST_VERSION,
        "files": {path: asdict(entries[path]) for path in sorted(entries)},
    }
    out_directory.mkdir(parents=True, exist_ok=True)
    descriptor, temporary_name = tempfile.mkstemp(
        dir=out_directory, prefix=f".{MANIFEST_FILE}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2)
            stream.write("\n")
        os.replace(temporary_name, out_directory / MANIFEST_FILE)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise
