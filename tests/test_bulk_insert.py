"""insert_rows lands a batch in one statement with the types executemany gave, and the
warehouse's migrations are looked up once per process yet applied to a file made anew."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import duckdb

from pipeline.store.connection import has_table, insert_many, insert_rows, open_duckdb

TABLE = """CREATE TABLE t (
    id VARCHAR NOT NULL, day DATE, seen TIMESTAMPTZ, payload JSON, amount DECIMAL(18, 2),
    n BIGINT, stamped TIMESTAMPTZ)"""
NEW_YORK = timezone(timedelta(hours=-5))


def rows() -> list[tuple]:
    # The first 1,500 rows hold only NULLs in the nullable columns: a type guessed from the
    # first rows alone would be wrong for the last.
    empty = [(f"r{i}", None, None, "{}", None, None, None) for i in range(1500)]
    return [
        *empty,
        (
            "a",
            date(2026, 11, 7),
            datetime(2026, 11, 7, 9, 30, tzinfo=NEW_YORK),
            '{"x": 1}',
            1234,
            2**40,
            None,
        ),
        (
            "b",
            date(2026, 11, 8),
            datetime(2026, 11, 8, 1, 2, 3, 456789, tzinfo=UTC),
            "[]",
            -5,
            -1,
            None,
        ),
    ]


def test_a_batch_lands_the_same_rows_as_executemany():
    con = duckdb.connect()
    con.execute(TABLE)
    con.execute("CREATE TABLE u AS SELECT * FROM t")
    clock = "TIMESTAMPTZ '2026-11-20 12:00:00+00'"
    select = f"c0, c1, c2, c3, money(c4), c5, coalesce(c6::TIMESTAMPTZ, {clock})"
    con.execute(
        "CREATE MACRO money(cents) AS CAST(CAST(cents AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2))"
    )
    insert_rows(con, "INSERT INTO t", rows(), select)
    insert_many(
        con,
        "INSERT INTO u VALUES (?, ?, ?, ?, money(?), ?, "
        "coalesce(?::TIMESTAMPTZ, TIMESTAMPTZ '2026-11-20 12:00:00+00'))",
        rows(),
    )
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1502
    assert con.execute("SELECT * FROM t EXCEPT ALL SELECT * FROM u").fetchall() == []
    assert con.execute("SELECT * FROM u EXCEPT ALL SELECT * FROM t").fetchall() == []
    a = con.execute("SELECT day, seen, amount, n FROM t WHERE id = 'a'").fetchone()
    assert a == (
        date(2026, 11, 7),
        datetime(2026, 11, 7, 14, 30, tzinfo=a[1].tzinfo),
        Decimal("12.34"),
        2**40,
    )
    assert con.execute("SELECT payload->>'x' FROM t WHERE id = 'a'").fetchone()[0] == "1"


def test_an_empty_batch_inserts_nothing():
    con = duckdb.connect()
    con.execute(TABLE)
    insert_rows(con, "INSERT INTO t", [])
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_a_warehouse_deleted_and_made_again_is_migrated_again(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    open_duckdb(path).close()
    open_duckdb(path).close()  # the second open skips the version lookup
    path.unlink()
    with open_duckdb(path) as con:
        assert has_table(con, "ops", "schema_migrations")
        assert has_table(con, "raw", "square_orders")
