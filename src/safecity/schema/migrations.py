"""Versioned warehouse migrations.

Each migration is a SQL file ``NNNN_<name>.sql`` in ``safecity/schema/migrations/``; they are
applied in order, each in its own transaction, and recorded in ``schema_migration``. A warehouse
whose recorded version is newer than this package knows is refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

_MIGRATION_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


class SqlConnection(Protocol):
    """The part of a DB-API style connection (DuckDB's) that migrations use."""

    def execute(self, query: str, parameters: object = ..., /) -> object: ...


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema migration shipped with the package."""

    version: int
    name: str
    sql: str


class WarehouseVersionError(RuntimeError):
    """The warehouse was written by a newer Safe City than this one."""


def available_migrations() -> list[Migration]:
    """All migrations shipped with the package, in version order."""
    folder = resources.files("safecity.schema") / "migrations"
    migrations = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match is None:
            continue
        migrations.append(
            Migration(
                version=int(match["version"]),
                name=match["name"],
                sql=entry.read_text(encoding="utf-8"),
            )
        )
    migrations.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in migrations]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a version number: {versions}")
    return migrations


def current_version(connection: SqlConnection) -> int:
    """The newest migration version recorded in the warehouse (0 for an empty one)."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    row = connection.execute("SELECT max(version) FROM schema_migration").fetchone()  # type: ignore[attr-defined]
    return int(row[0]) if row and row[0] is not None else 0


def migrate(connection: SqlConnection) -> list[Migration]:
    """Apply every migration newer than the warehouse's version; return those applied."""
    version = current_version(connection)
    migrations = available_migrations()
    newest_known = migrations[-1].version if migrations else 0
    if version > newest_known:
        raise WarehouseVersionError(
            f"the warehouse is at schema version {version}, but this Safe City knows only up to "
            f"{newest_known}: upgrade Safe City before using this warehouse"
        )
    applied = []
    for migration in migrations:
        if migration.version <= version:
            continue
        connection.execute("BEGIN TRANSACTION")
        try:
            connection.execute(migration.sql)
            connection.execute(
                "INSERT INTO schema_migration (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        applied.append(migration)
    return applied
