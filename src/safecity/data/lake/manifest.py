"""The lake's manifest (``_lake.json``): reading, validating, verifying and committing it.

The manifest lists every data file of the lake with its rows, bytes and SHA-256. Readers read
exactly those files, never a glob, so a reader always sees one consistent snapshot; a writer
commits by replacing the manifest atomically (a temporary file and ``os.replace``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from safecity import __version__
from safecity.data.lake.errors import (
    LakeIntegrityError,
    LakeManifestError,
    LakeVersionError,
    NotALakeError,
)
from safecity.data.lake.layout import (
    LAKE_SCHEMA_VERSION,
    LOCK_FILE,
    MANIFEST_FILE,
    STAGING_PREFIX,
    Partition,
    TableKind,
)

HASH_BLOCK_BYTES = 1 << 22
"""Files are hashed in blocks of this many bytes."""


@dataclass(frozen=True, slots=True)
class LakeColumn:
    """A column of a lake table: its name and DuckDB type (``VARCHAR``, ``DATE`` ...)."""

    name: str
    type: str


@dataclass(frozen=True, slots=True)
class LakeFile:
    """One Parquet file of the lake, as the manifest lists it.

    Attributes
    ----------
    path
        Relative to the lake, with ``/`` separators.
    partition
        The partition it holds (force and month, force alone, or neither).
    rows, bytes, sha256
        Its rows, size and SHA-256 (hex) when written.
    content_fingerprint
        A digest of the rows it holds, whatever their order (rows, columns and the sum of every
        row's hash): an export compares it to decide whether the partition changed.
    source_sha256
        For an aggregate: the SHA-256 of the fact file it was computed from.
    """

    path: str
    partition: Partition
    rows: int
    bytes: int
    sha256: str
    content_fingerprint: str | None = None
    source_sha256: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The file's entry in ``_lake.json``."""
        entry: dict[str, Any] = {
            "path": self.path,
            "partition": self.partition.as_dict(),
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }
        if self.content_fingerprint is not None:
            entry["content_fingerprint"] = self.content_fingerprint
        if self.source_sha256 is not None:
            entry["source_sha256"] = self.source_sha256
        return entry


@dataclass(frozen=True, slots=True)
class LakeTable:
    """A table of the lake: kind, partition keys, columns (in warehouse order) and files."""

    kind: TableKind
    partition_by: tuple[str, ...]
    columns: tuple[LakeColumn, ...]
    files: tuple[LakeFile, ...] = ()

    @property
    def rows(self) -> int:
        """Rows over every file."""
        return sum(item.rows for item in self.files)

    def by_partition(self) -> dict[Partition, LakeFile]:
        """The table's files by partition (one file per partition)."""
        return {item.partition: item for item in self.files}

    def as_json(self) -> dict[str, Any]:
        """The table's entry in ``_lake.json``."""
        return {
            "kind": self.kind.value,
            "partition_by": list(self.partition_by),
            "columns": [{"name": column.name, "type": column.type} for column in self.columns],
            "files": [item.as_json() for item in sorted(self.files, key=lambda f: f.path)],
        }


@dataclass(frozen=True, slots=True)
class LakeManifest:
    """The whole manifest: layout version, who wrote it and when, and every table."""

    warehouse_schema: int
    tables: dict[str, LakeTable] = field(default_factory=dict)
    schema_version: int = LAKE_SCHEMA_VERSION
    safecity_version: str = __version__
    written_at: str = ""

    def files(self) -> list[LakeFile]:
        """Every file listed, of every table."""
        return [item for table in self.tables.values() for item in table.files]

    def as_json(self) -> dict[str, Any]:
        """The manifest as written to ``_lake.json``."""
        return {
            "schema_version": self.schema_version,
            "safecity_version": self.safecity_version,
            "written_at": self.written_at,
            "warehouse_schema": self.warehouse_schema,
            "tables": {name: self.tables[name].as_json() for name in sorted(self.tables)},
        }


def manifest_path(lake_dir: Path) -> Path:
    """The manifest file of the lake in ``lake_dir``."""
    return lake_dir / MANIFEST_FILE


def is_lake(lake_dir: Path) -> bool:
    """Whether ``lake_dir`` holds a lake manifest."""
    return manifest_path(lake_dir).is_file()


def check_lake_folder(lake_dir: Path) -> None:
    """Refuse to write a lake into a folder that holds other things.

    Raises
    ------
    NotALakeError
        If ``lake_dir`` is a file, or a folder that has entries but no ``_lake.json``.
    """
    if lake_dir.exists() and not lake_dir.is_dir():
        raise NotALakeError(f"{lake_dir} is a file, not a lake folder")
    if lake_dir.is_dir() and not is_lake(lake_dir):
        ours = {LOCK_FILE}
        others = [
            entry.name
            for entry in lake_dir.iterdir()
            if entry.name not in ours and not entry.name.startswith(STAGING_PREFIX)
        ]
        if others:
            raise NotALakeError(
                f"{lake_dir} exists and is not a lake (no {MANIFEST_FILE}; it holds "
                f"{', '.join(sorted(others)[:3])}{' ...' if len(others) > 3 else ''}): "
                "give an empty or new folder"
            )


def read_manifest(lake_dir: Path) -> LakeManifest:
    """Read and check the manifest of the lake in ``lake_dir``.

    Parameters
    ----------
    lake_dir
        The lake's folder.

    Returns
    -------
    LakeManifest
        Every table and file the lake holds.

    Raises
    ------
    NotALakeError
        If there is no ``_lake.json`` in ``lake_dir``.
    LakeVersionError
        If the lake's ``schema_version`` is newer than this Safe City knows.
    LakeManifestError
        If the manifest is not valid JSON or lacks a required field.
    """
    path = manifest_path(lake_dir)
    if not path.is_file():
        raise NotALakeError(f"{lake_dir} is not a lake: it has no {MANIFEST_FILE}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LakeManifestError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise LakeManifestError(f"{path} is not a JSON object")
    version = document.get("schema_version")
    if not isinstance(version, int):
        raise LakeManifestError(f"{path} has no integer schema_version")
    if version > LAKE_SCHEMA_VERSION:
        raise LakeVersionError(
            f"the lake in {lake_dir} has layout version {version}, but this Safe City knows only"
            f" up to {LAKE_SCHEMA_VERSION}: upgrade Safe City to read it"
        )
    try:
        return LakeManifest(
            schema_version=version,
            safecity_version=str(document["safecity_version"]),
            written_at=str(document["written_at"]),
            warehouse_schema=int(document["warehouse_schema"]),
            tables={
                str(name): _table_from_json(entry)
                for name, entry in dict(document["tables"]).items()
            },
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LakeManifestError(
            f"{path} is not a valid lake manifest ({type(error).__name__}: {error})"
        ) from error


def _table_from_json(entry: dict[str, Any]) -> LakeTable:
    return LakeTable(
        kind=TableKind(entry["kind"]),
        partition_by=tuple(str(key) for key in entry["partition_by"]),
        columns=tuple(
            LakeColumn(name=str(column["name"]), type=str(column["type"]))
            for column in entry["columns"]
        ),
        files=tuple(
            LakeFile(
                path=str(item["path"]),
                partition=Partition.from_dict(dict(item["partition"])),
                rows=int(item["rows"]),
                bytes=int(item["bytes"]),
                sha256=str(item["sha256"]),
                content_fingerprint=item.get("content_fingerprint"),
                source_sha256=item.get("source_sha256"),
            )
            for item in entry["files"]
        ),
    )


def commit_manifest(lake_dir: Path, manifest: LakeManifest) -> LakeManifest:
    """Write ``manifest`` as the lake's ``_lake.json``, atomically: the commit of a write.

    The manifest is written to a temporary file in the lake's folder, flushed to disk, and
    moved over ``_lake.json`` with :func:`os.replace` (atomic on POSIX and Windows): a reader
    sees the old manifest or the new one, never a part.

    Returns
    -------
    LakeManifest
        The manifest as committed (with its ``written_at``).
    """
    committed = replace(manifest, written_at=datetime.now(UTC).isoformat(timespec="seconds"))
    text = json.dumps(committed.as_json(), indent=1) + "\n"
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f"{MANIFEST_FILE}.", suffix=".tmp", dir=lake_dir
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary_name, manifest_path(lake_dir))
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise
    _sync_folder(lake_dir)
    return committed


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk where the system allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def file_sha256(path: Path) -> str:
    """The SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def verify_lake(lake_dir: Path) -> LakeManifest:
    """Check that every file the manifest lists is there, with its listed size and SHA-256.

    Returns
    -------
    LakeManifest
        The manifest, once every file is verified.

    Raises
    ------
    LakeIntegrityError
        Naming every file that is missing or differs (up to ten, and how many in all).
    """
    manifest = read_manifest(lake_dir)
    problems: list[str] = []
    for item in manifest.files():
        path = lake_dir / item.path
        if not path.is_file():
            problems.append(f"{item.path} is listed but missing")
        elif path.stat().st_size != item.bytes:
            problems.append(
                f"{item.path} has {path.stat().st_size} bytes, the manifest says {item.bytes}"
            )
        elif file_sha256(path) != item.sha256:
            problems.append(f"{item.path} does not have the SHA-256 the manifest lists")
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise LakeIntegrityError(
            f"the lake in {lake_dir} is damaged: {len(problems)} of its files are not as its"
            f" manifest lists: {shown}{more}"
        )
    return manifest
