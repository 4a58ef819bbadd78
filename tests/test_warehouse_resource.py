"""The warehouse resource opens the database once for a block of connects, and only that long.

Another process must be able to open the file for writing as soon as a step is over: DuckDB
allows one writing process, and runs of other processes (the CLI, the UI's schedule) take turns
with this one step by step through the warehouse pool.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg

from resources.warehouse import WarehouseResource

OPEN_FOR_WRITING = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print(con.execute("SELECT count(*) FROM ops.extract_log").fetchone()[0])
"""

INSERT = (
    "INSERT INTO ops.extract_log (source, entity, business_id, partition_key, records, "
    'dead_letters, requests, retries, run_id, "at") '
    "VALUES ('square', 'orders', 'cafe', ?, 1, 0, 1, 0, 'r', now())"
)


def _open_elsewhere(path: Path) -> subprocess.CompletedProcess:
    """Another process opening the file read-write (it fails while the file is held)."""
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", OPEN_FOR_WRITING, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _assert_locked(path: Path) -> None:
    probe = _open_elsewhere(path)
    assert probe.returncode != 0 and "lock" in probe.stderr.lower()


def _other_process_count(path: Path) -> int:
    done = _open_elsewhere(path)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_connects_inside_held_share_one_open_database_released_after(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = WarehouseResource(path=str(path))
    with warehouse.held():
        with warehouse.connect() as con:
            con.execute(INSERT, ["2026-11-18"])
        with warehouse.held(), warehouse.connect(read_only=True) as con:  # nested: same database
            assert con.execute("SELECT count(*) FROM ops.extract_log").fetchone()[0] == 1
        _assert_locked(path)
    assert _other_process_count(path) == 1


def test_outside_held_each_connect_opens_and_closes(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = WarehouseResource(path=str(path))
    with warehouse.connect() as con:
        con.execute(INSERT, ["2026-11-18"])
    assert _other_process_count(path) == 1
    with warehouse.connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ops.extract_log").fetchone()[0] == 1


def test_a_step_that_holds_it_lets_go_before_the_next_step(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    seen: dict[str, object] = {}

    @dg.asset
    def lands_a_window(warehouse: WarehouseResource) -> None:
        with warehouse.held():
            for day in ("2026-11-18", "2026-11-19"):
                with warehouse.connect() as con:
                    con.execute(INSERT, [day])

    @dg.asset(deps=[lands_a_window])
    def next_step() -> None:
        # Another process's run, given the pool between our steps, can write.
        seen["count"] = _other_process_count(path)

    resources = {"warehouse": WarehouseResource(path=str(path))}
    assert dg.materialize([lands_a_window, next_step], resources=resources).success
    assert seen["count"] == 2


def test_let_go_frees_the_file_inside_a_block_until_the_next_connect(tmp_path):
    """An extract lets go before it asks a vendor: the file is free while the vendor answers."""
    path = tmp_path / "warehouse.duckdb"
    warehouse = WarehouseResource(path=str(path))
    with warehouse.held():
        with warehouse.connect() as con:
            con.execute(INSERT, ["2026-11-18"])
        warehouse.let_go()
        assert _other_process_count(path) == 1
        with warehouse.connect() as con:
            con.execute(INSERT, ["2026-11-19"])
        _assert_locked(path)
    assert _other_process_count(path) == 2
