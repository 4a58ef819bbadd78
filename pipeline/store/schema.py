"""The one authority over the warehouse's shape: numbered migrations, each applied once.

`dbt-free-sql/_migrations/NNNN_name.sql` files run in order. Each is applied in a transaction and
recorded in `ops.schema_migrations` with its checksum, so a warehouse knows which it has and a
writable connection only asks for the latest version. A recorded migration whose file later
changed stops the run: an applied migration is history, and a new change needs a new file.

Migrations 0001-0004 are written so that warehouses created before migrations were recorded
(when the same DDL ran on every connection) upgrade in place: IF NOT EXISTS throughout.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from pipeline.settings import SQL_DIR
from pipeline.store.transaction import transaction

MIGRATIONS_DIR = SQL_DIR / "_migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_VERSION_TABLE_DDL = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
);
"""


class SchemaError(RuntimeError):
    """The warehouse and the migration files disagree; the message says how."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def migrations(directory: Path = MIGRATIONS_DIR) -> tuple[Migration, ...]:
    """The migration files, read once per process for the shipped folder."""
    if directory == MIGRATIONS_DIR:
        return _shipped()
    return _read(directory)


@cache
def _shipped() -> tuple[Migration, ...]:
    return _read(MIGRATIONS_DIR)


def _read(directory: Path) -> tuple[Migration, ...]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise SchemaError(f"{path}: a migration is named NNNN_snake_case.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path.read_text()))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise SchemaError(f"{directory}: migrations must be numbered 1..N without gaps: {versions}")
    return tuple(found)


def latest_version(directory: Path = MIGRATIONS_DIR) -> int:
    return len(migrations(directory))


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The newest migration the warehouse has recorded; 0 for a new (or pre-migration) one."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'ops' AND table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM ops.schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the migrations the warehouse lacks, in order; returns the names applied."""
    if current_version(con) == latest_version(directory):
        return []
    con.execute(_VERSION_TABLE_DDL)
    recorded = dict(con.execute("SELECT version, sha256 FROM ops.schema_migrations").fetchall())
    applied = []
    for migration in migrations(directory):
        label = f"{migration.version:04d}_{migration.name}.sql"
        if migration.version in recorded:
            if recorded[migration.version] != migration.sha256:
                raise SchemaError(
                    f"{label} changed after it was applied to this warehouse; "
                    "put the change in a new migration"
                )
            continue
        with transaction(con):
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO ops.schema_migrations VALUES (?, ?, ?, now())",
                [migration.version, migration.name, migration.sha256],
            )
        applied.append(label)
    return applied
