"""Where things are in a lake: the manifest, the table folders and the partition paths.

The layout is a contract other tools rely on (``docs/lake.md``)::

    LAKE/
      _lake.json
      facts/<table>/force=<slug>/month=<YYYY-MM-01>/part-<sha256 first 16 hex>.parquet
      facts/<extract table>/force=<source>/part-<sha16>.parquet
      reference/<table>/part-<sha16>.parquet
      aggregates/street_month/force=<slug>/month=<YYYY-MM-01>/part-<sha16>.parquet
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

MANIFEST_FILE = "_lake.json"
"""The manifest, at the lake's root: the list of files that make up the lake (the commit point)."""

LAKE_SCHEMA_VERSION = 1
"""The layout version this package writes and reads."""

LOCK_FILE = "_lake.lock"
"""Held (``flock``) by a writer while it works, so two writers never interleave."""

STAGING_PREFIX = "_staging-"
"""Folders a writer works in before moving finished files into place."""


class TableKind(StrEnum):
    """What a table of the lake holds, which decides its folder and partitioning."""

    FACT = "fact"
    """Rows loaded from police or force files, partitioned (``facts/``)."""
    REFERENCE = "reference"
    """Every other warehouse table, one file (``reference/``)."""
    AGGREGATE = "aggregate"
    """Tables computed from the facts, partitioned like them (``aggregates/``)."""


class PartitionKey(StrEnum):
    """The Hive partition keys of the lake's paths."""

    FORCE = "force"
    MONTH = "month"


FORCE_MONTH_TABLES = ("police_uk_street", "police_uk_outcome", "police_uk_stop_search")
"""Fact tables partitioned by ``force`` and ``month`` (both columns, not stored in the files)."""

EXTRACT_TABLES = ("extract_crime", "extract_victim", "extract_offender")
"""Fact tables partitioned by ``force=<source>`` (the ``source`` column stays in the files)."""

EXTRACT_PARTITION_COLUMN = "source"
"""The column of an extract table whose value names its ``force=`` partition."""

STREET_MONTH_TABLE = "street_month"
"""The monthly street aggregate (``aggregates/street_month``)."""

_KIND_FOLDERS = {
    TableKind.FACT: "facts",
    TableKind.REFERENCE: "reference",
    TableKind.AGGREGATE: "aggregates",
}

_SAFE_FORCE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def table_kind(table: str) -> TableKind:
    """The kind of a warehouse table (or of ``street_month``) in the lake."""
    if table in FORCE_MONTH_TABLES or table in EXTRACT_TABLES:
        return TableKind.FACT
    if table == STREET_MONTH_TABLE:
        return TableKind.AGGREGATE
    return TableKind.REFERENCE


def partition_keys(table: str) -> tuple[PartitionKey, ...]:
    """The Hive keys of ``table``'s paths (none for a reference table)."""
    if table in FORCE_MONTH_TABLES or table == STREET_MONTH_TABLE:
        return (PartitionKey.FORCE, PartitionKey.MONTH)
    if table in EXTRACT_TABLES:
        return (PartitionKey.FORCE,)
    return ()


@dataclass(frozen=True, slots=True, order=True)
class Partition:
    """One partition of a table: its force (or extract source) and month, where it has them.

    A reference table has a single partition with neither.
    """

    force: str | None = None
    month: date | None = None

    def as_dict(self) -> dict[str, str]:
        """The partition as the manifest writes it (``{"force": ..., "month": "YYYY-MM-01"}``)."""
        values: dict[str, str] = {}
        if self.force is not None:
            values[PartitionKey.FORCE] = self.force
        if self.month is not None:
            values[PartitionKey.MONTH] = self.month.isoformat()
        return values

    @classmethod
    def from_dict(cls, values: dict[str, str]) -> Partition:
        """The partition a manifest entry names."""
        month = values.get(PartitionKey.MONTH)
        return cls(
            force=values.get(PartitionKey.FORCE),
            month=date.fromisoformat(month) if month is not None else None,
        )

    def folder(self) -> PurePosixPath:
        """The Hive folders of the partition (``force=x/month=YYYY-MM-01``), relative."""
        folder = PurePosixPath()
        if self.force is not None:
            folder /= f"{PartitionKey.FORCE}={quote(self.force, safe='')}"
        if self.month is not None:
            folder /= f"{PartitionKey.MONTH}={self.month.isoformat()}"
        return folder

    def describe(self) -> str:
        """The partition in words, for messages."""
        parts = []
        if self.force is not None:
            parts.append(f"force {self.force}")
        if self.month is not None:
            parts.append(f"month {self.month:%Y-%m}")
        return ", ".join(parts) or "the whole table"


def partition_from_folder(folder: PurePosixPath) -> Partition:
    """The partition of Hive folders ``key=value/...`` (as DuckDB's partitioned writes are)."""
    values: dict[str, str] = {}
    for segment in folder.parts:
        key, separator, value = segment.partition("=")
        if not separator:
            raise ValueError(f"{folder} is not a Hive partition folder (no key=value in {segment})")
        values[key] = unquote(value)
    return Partition.from_dict(values)


def check_force_value(table: str, force: str) -> None:
    """Refuse a force slug that cannot stand as a Hive path value read back as written.

    Raises
    ------
    ValueError
        If ``force`` is not a police.uk slug (lower-case letters, digits and hyphens).
    """
    if not _SAFE_FORCE.match(force):
        raise ValueError(
            f"{table} has rows of force {force!r}, which is not a police.uk force slug (lower-case"
            " letters, digits and hyphens): it cannot be a partition folder of the lake"
        )


def table_folder(table: str) -> PurePosixPath:
    """The folder of ``table``, relative to the lake (``facts/police_uk_street``)."""
    return PurePosixPath(_KIND_FOLDERS[table_kind(table)]) / table


def part_file_name(sha256: str) -> str:
    """The name of a data file: ``part-<first 16 hex of its SHA-256>.parquet``."""
    return f"part-{sha256[:16]}.parquet"


def file_path(table: str, partition: Partition, sha256: str) -> PurePosixPath:
    """Where a data file of ``table`` lives, relative to the lake."""
    return table_folder(table) / partition.folder() / part_file_name(sha256)
