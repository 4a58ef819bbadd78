"""ops.audit_log as a hash chain: appends chain, `backbone audit verify` passes on a clean
warehouse and names the first bad row after an edit, a deletion, a swap or a lost tail; rows
written before the chain existed are chained by migration 0010; Parquet per day under
exports/audit/ with no customer data."""

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.app.cli import main
from pipeline.store import audit
from pipeline.store.audit_export import check_against_exports, export_days
from pipeline.store.connection import open_duckdb
from pipeline.store.schema import MIGRATIONS_DIR, migrate, migrations

T0 = datetime(2026, 11, 19, 23, 58, tzinfo=UTC)


def _fill(con, n=6):
    """Rows over two UTC days, as the journal, the extracts and the form write them."""
    for i in range(n):
        audit.record(
            con,
            ("post", "replace", "refund_reason")[i % 3],
            f"marts.journal/2026-11-{10 + i}",
            [(f"e{i}", [("4000", "0.00", f"{i}.50")])],
            run_id=f"run-{i}",
            at=T0 + timedelta(minutes=i),
        )


@pytest.fixture
def warehouse(home):
    path = home / "warehouse.duckdb"
    con = open_duckdb(path)
    _fill(con)
    con.close()
    return path


def _verify(path) -> tuple[int, str, str]:
    return _cli(["audit", "verify", "--home", str(Path(path).parent)])


def _cli(argv):
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _sql(path, sql):
    with duckdb.connect(str(path)) as con:
        con.execute(sql)


def test_rows_chain_and_a_clean_warehouse_verifies(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT seq, prev_hash, row_hash, triggered_by, os_user FROM ops.audit_log ORDER BY seq"
        ).fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0][1] == audit.GENESIS
    assert all(b[1] == a[2] for a, b in itertools.pairwise(rows))
    assert {r[3] for r in rows} == {"direct"}  # no Dagster run: a direct Python call
    assert all(r[4] for r in rows)  # the OS user
    code, out, err = _verify(warehouse)
    assert (code, err) == (0, "")
    assert "6 rows, chain intact" in out


def test_an_edited_row_is_named(warehouse):
    _sql(warehouse, "UPDATE ops.audit_log SET target = 'marts.journal/1999-01-01' WHERE seq = 4")
    code, _out, err = _verify(warehouse)
    assert code == 1
    assert "row 4: its fields do not match its row_hash" in err


def test_an_edited_row_with_a_recomputed_hash_is_caught_at_the_next_row(warehouse):
    _sql(
        warehouse,
        "UPDATE ops.audit_log SET payload_sha256 = repeat('f', 64), row_hash = repeat('e', 64) "
        "WHERE seq = 3",
    )
    code, _out, err = _verify(warehouse)
    assert code == 1
    assert "row 3:" in err  # its stored hash is not the hash of its fields


def test_a_deleted_row_is_named(warehouse):
    _sql(warehouse, "DELETE FROM ops.audit_log WHERE seq = 3")
    code, _out, err = _verify(warehouse)
    assert code == 1
    assert "row 3: missing (deleted): row 4 follows row 2" in err


def test_a_deleted_first_row_is_named(warehouse):
    _sql(warehouse, "DELETE FROM ops.audit_log WHERE seq = 1")
    code, _out, err = _verify(warehouse)
    assert code == 1
    assert "row 1: missing (deleted): the chain starts at row 2" in err


def test_swapped_rows_are_named(warehouse):
    # Rows 2 and 5 trade places, each keeping its own hashes.
    _sql(
        warehouse,
        "UPDATE ops.audit_log SET seq = -seq WHERE seq IN (2, 5); "
        "UPDATE ops.audit_log SET seq = 5 WHERE seq = -2; "
        "UPDATE ops.audit_log SET seq = 2 WHERE seq = -5",
    )
    code, _out, err = _verify(warehouse)
    assert code == 1
    assert "row 2: prev_hash does not match row 1's hash" in err


def test_renumbered_neighbours_are_named(warehouse):
    # Rows 3 and 4 swap only their numbers: the hash covers the number.
    _sql(
        warehouse,
        "UPDATE ops.audit_log SET seq = -3 WHERE seq = 3; "
        "UPDATE ops.audit_log SET seq = 3 WHERE seq = 4; "
        "UPDATE ops.audit_log SET seq = 4 WHERE seq = -3",
    )
    code, _out, err = _verify(warehouse)
    assert code == 1
    assert "row 3:" in err


def test_a_lost_tail_is_caught_by_the_exports(warehouse):
    exports = warehouse.parent / "exports" / "audit"
    with duckdb.connect(str(warehouse)) as con:
        assert export_days(con, exports) == ["2026-11-19", "2026-11-20"]
        assert export_days(con, exports) == []  # unchanged days are not rewritten
    _sql(warehouse, "DELETE FROM ops.audit_log WHERE seq = 6")
    code, _out, err = _verify(warehouse)
    assert code == 1
    assert "row 6: missing (deleted): it was exported to exports/audit/audit-2026-11-20" in err


def test_the_parquet_export_is_one_file_per_utc_day_with_the_chain(warehouse):
    exports = warehouse.parent / "exports" / "audit"
    with duckdb.connect(str(warehouse)) as con:
        export_days(con, exports)
        audit.record(con, "post", "marts.journal/x", [1], run_id="r", at=T0 + timedelta(hours=1))
        assert export_days(con, exports) == ["2026-11-20"]
        assert check_against_exports(con, exports) is None
    assert sorted(p.name for p in exports.iterdir()) == [
        "audit-2026-11-19.parquet",
        "audit-2026-11-20.parquet",
    ]
    day = duckdb.sql(f"SELECT seq, action FROM '{exports}/audit-2026-11-19.parquet' ORDER BY seq")
    assert day.fetchall() == [(1, "post"), (2, "replace")]  # 23:58 and 23:59 UTC
    columns = duckdb.sql(f"DESCRIBE SELECT * FROM '{exports}/*.parquet'").fetchall()
    assert {c[0] for c in columns} == set(audit.COLUMNS)


def test_a_ui_user_given_as_an_email_is_masked_in_the_export(home):
    con = open_duckdb(home / "warehouse.duckdb")
    con.execute(f"SET VARIABLE {audit.TRIGGER_VARIABLE} = 'user:jane.doe@example.com'")
    audit.record(con, "refund_reason", "refund/R1", [("a", "")], run_id="r", at=T0)
    exports = home / "exports" / "audit"
    export_days(con, exports)
    con.close()
    assert duckdb.sql(f"SELECT triggered_by FROM '{exports}/*.parquet'").fetchall() == [
        ("user:j***@example.com",)
    ]


def test_the_trigger_of_a_run_comes_from_its_tags():
    schedule = {"dagster/schedule_name": "daily_schedule"}
    assert audit.trigger_of(schedule) == "schedule:daily_schedule"
    assert audit.trigger_of({"dagster/sensor_name": "s"}) == "sensor:s"
    assert audit.trigger_of({"user": "ann@x.org"}) == "user:ann@x.org"
    assert audit.trigger_of({"backbone/launched_by": "backbone demo"}) == "cli:backbone demo"
    assert audit.trigger_of({}) == "manual"


def test_rows_written_before_the_chain_are_chained_in_their_order(tmp_path):
    """A warehouse at migration 0009 with audit rows gets 0010; its rows verify."""
    older = tmp_path / "older"
    older.mkdir()
    for m in migrations(MIGRATIONS_DIR):
        if m.version <= 9:
            (older / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con, older)
    legacy = [
        (T0 + timedelta(seconds=9 - i), "pipeline", f"r{i}", "post", f"t/{i}", f"{i:064x}")
        for i in range(5)
    ] + [(T0, "refund_reason_form", None, "refund_reason", "refund/é|1", None)]
    con.executemany("INSERT INTO ops.audit_log VALUES (?, ?, ?, ?, ?, ?)", legacy)
    migrate(con)
    got = con.execute("SELECT seq, target, triggered_by FROM ops.audit_log ORDER BY seq").fetchall()
    assert got == [(i + 1, row[4], "legacy") for i, row in enumerate(legacy)]
    assert audit.verify(con) == (6, None)
    audit.record(con, "post", "t/new", [], run_id="r9", at=T0)
    assert audit.verify(con) == (7, None)
    con.close()


def test_a_second_writer_cannot_fork_the_chain(warehouse):
    a, b = duckdb.connect(str(warehouse)), None
    b = a.cursor()
    a.execute("BEGIN")
    b.execute("BEGIN")
    audit.record(a, "post", "t/a", [], run_id="a", at=T0)
    audit.record(b, "post", "t/b", [], run_id="b", at=T0)  # sees the same head: seq 7 too
    a.execute("COMMIT")
    with pytest.raises(duckdb.Error):
        b.execute("COMMIT")
    assert audit.verify(a) == (7, None)
    a.close()
