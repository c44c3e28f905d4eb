"""What a load did with each file: the reconciliation every loader reports and logs.

For every file, ``rows_in == loaded + quarantined``; the load log (table ``load_file``) keeps
one row per file per load, and ``quarantine`` one row per quarantined input row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb


class LoadStatus(StrEnum):
    """What became of a file."""

    LOADED = "loaded"
    """New data: its rows are in the warehouse."""
    REPLACED = "replaced"
    """A re-published file: its rows replaced those of an earlier file with the same key."""
    UNCHANGED = "unchanged"
    """The same bytes were loaded before: nothing changed."""
    REJECTED = "rejected"
    """Not a recognised format (or unreadable): nothing of it was loaded."""
    SKIPPED = "skipped"
    """A recognised file that this command does not load (said why in ``message``)."""


@dataclass(slots=True)
class FileLoadReport:
    """The reconciliation of one input file.

    ``rows_in`` counts data rows (not the header); ``reasons`` maps a quarantine reason to the
    number of rows quarantined for it, so ``sum(reasons.values()) == quarantined``.
    """

    path: str
    format: str
    status: LoadStatus
    rows_in: int = 0
    loaded: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    message: str | None = None
    sha256: str | None = None
    dataset_key: str | None = None
    file_id: int | None = None

    def __post_init__(self) -> None:
        if self.rows_in != self.loaded + self.quarantined:
            raise ValueError(
                f"{self.path}: rows_in {self.rows_in} != loaded {self.loaded} + quarantined "
                f"{self.quarantined}: a loader lost rows"
            )
        if sum(self.reasons.values()) != self.quarantined:
            raise ValueError(f"{self.path}: quarantine reasons do not add up to {self.quarantined}")

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-able data (the ``--json`` form)."""
        data = asdict(self)
        data["status"] = self.status.value
        return data


def file_sha256(path: Path, *, chunk_size: int = 1 << 22) -> str:
    """Hex SHA-256 of the file's bytes as stored."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def next_file_id(connection: duckdb.DuckDBPyConnection) -> int:
    """A new ``load_file.file_id``."""
    rows = connection.execute("SELECT nextval('load_file_id_sequence')").fetchall()
    return int(rows[0][0])


def record_file(connection: duckdb.DuckDBPyConnection, report: FileLoadReport) -> int:
    """Write ``report`` to the load log (inside the caller's transaction); return its file id."""
    record_files(connection, [report])
    assert report.file_id is not None
    return report.file_id


def record_files(connection: duckdb.DuckDBPyConnection, reports: list[FileLoadReport]) -> None:
    """Write several reports to the load log in one statement (giving file ids where missing)."""
    for report in reports:
        if report.file_id is None:
            report.file_id = next_file_id(connection)
    connection.executemany(
        "INSERT INTO load_file (file_id, path, sha256, format, dataset_key, status, rows_in,"
        " loaded, quarantined, reasons, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                report.file_id,
                report.path,
                report.sha256 or "",
                report.format,
                report.dataset_key,
                report.status.value,
                report.rows_in,
                report.loaded,
                report.quarantined,
                json.dumps(report.reasons, sort_keys=True),
                report.message,
            ]
            for report in reports
        ],
    )
