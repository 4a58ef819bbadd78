"""The warehouse's shape has one authority: numbered migrations, each applied once."""

from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from pipeline.store.connection import open_duckdb
from pipeline.store.schema import (
    MIGRATIONS_DIR,
    SchemaError,
    current_version,
    latest_version,
    migrate,
)


def test_a_new_warehouse_gets_every_migration_once(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with open_duckdb(path) as con:
        first = con.execute("SELECT version, applied_at FROM ops.schema_migrations").fetchall()
        assert [v for v, _ in first] == list(range(1, latest_version() + 1))
    # Later connections find the warehouse current and run no DDL.
    with open_duckdb(path) as con:
        assert migrate(con) == []
        again = con.execute("SELECT version, applied_at FROM ops.schema_migrations").fetchall()
        assert again == first
        # Macros are part of the stored schema, not re-created per connection.
        assert con.execute("SELECT money(12345)").fetchone()[0] == Decimal("123.45")


def test_every_raw_asset_has_its_landing_table():
    from assets import raw

    con = duckdb.connect()
    migrate(con)
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'"
        ).fetchall()
    }
    wanted = {key.path[1] for asset in raw.ALL for key in asset.keys}
    assert wanted <= tables, f"raw tables without a migration: {sorted(wanted - tables)}"


def test_a_warehouse_from_before_migrations_upgrades_in_place(tmp_path):
    """The shape the old per-connection bootstrap and the journal asset left behind."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            CREATE SCHEMA ops; CREATE SCHEMA marts;
            CREATE TABLE ops.sync_log (target VARCHAR NOT NULL, idempotency_key VARCHAR NOT NULL,
                object_id VARCHAR, status VARCHAR NOT NULL, "at" TIMESTAMPTZ NOT NULL,
                run_id VARCHAR, PRIMARY KEY (target, idempotency_key));
            INSERT INTO ops.sync_log VALUES ('xero:ManualJournals:cafe', 'E1', 'MJ1', 'posted',
                now(), 'r1');
            CREATE TABLE marts.journal_entries (entry_id VARCHAR PRIMARY KEY,
                business_id VARCHAR NOT NULL, location_id VARCHAR NOT NULL,
                business_date DATE NOT NULL, kind VARCHAR NOT NULL, memo VARCHAR NOT NULL,
                total DECIMAL(18, 2) NOT NULL);
            INSERT INTO marts.journal_entries VALUES ('E1', 'cafe', 'LCAFE01', '2026-11-20',
                'SALES', 'Sales', 10.00);
            """
        )
    with open_duckdb(path) as con:
        assert current_version(con) == latest_version()
        assert con.execute("SELECT error FROM ops.sync_log").fetchall() == [(None,)]
        assert con.execute(
            "SELECT entry_id, CAST(activity_date AS VARCHAR), total FROM marts.journal_entries"
        ).fetchall() == [("E1", "2026-11-20", Decimal("10.00"))]


def _copy_migrations(tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    return folder


@pytest.fixture
def migrated(tmp_path):
    """An in-memory warehouse at the shipped version, and a copy of the migrations to extend."""
    folder = _copy_migrations(tmp_path)
    con = duckdb.connect()
    migrate(con, folder)
    return con, folder


def _add_migration(folder, name: str, sql: str) -> str:
    """A new migration after the shipped ones; returns its file name."""
    label = f"{latest_version() + 1:04d}_{name}.sql"
    (folder / label).write_text(sql)
    return label


def test_an_applied_migration_that_changed_stops_the_run(migrated):
    con, folder = migrated
    second = sorted(folder.glob("0002_*.sql"))[0]
    second.write_text(second.read_text() + "\n-- edited after the fact\n")
    _add_migration(folder, "later", "SELECT 1;\n")
    with pytest.raises(SchemaError, match=r"0002_journal\.sql changed after it was applied"):
        migrate(con, folder)


def test_a_new_migration_is_applied_once_in_order(migrated):
    con, folder = migrated
    label = _add_migration(
        folder, "loyalty_tiers", "CREATE TABLE marts.loyalty_tiers (tier VARCHAR PRIMARY KEY);\n"
    )
    assert migrate(con, folder) == [label]
    assert migrate(con, folder) == []
    assert current_version(con) == latest_version() + 1


def test_a_failing_migration_leaves_nothing_half_done(migrated):
    con, folder = migrated
    _add_migration(
        folder,
        "broken",
        "CREATE TABLE marts.half (x INTEGER);\nSELECT * FROM marts.no_such_table;\n",
    )
    with pytest.raises(duckdb.CatalogException):
        migrate(con, folder)
    assert current_version(con) == latest_version()
    assert not con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half'"
    ).fetchone()[0]


@pytest.mark.parametrize(
    "bad", [f"{latest_version() + 2:04d}_gap.sql", "2_short.sql", "0001_Has-Caps.sql"]
)
def test_migration_files_are_numbered_without_gaps(tmp_path, bad):
    folder = _copy_migrations(tmp_path)
    (folder / bad).write_text("SELECT 1;\n")
    with pytest.raises(SchemaError):
        migrate(duckdb.connect(), folder)
