"""The warehouse resource keeps the database open for a run and lets go of it at the run's end.

Another process must be able to open the file for writing as soon as a run (or, outside a run,
a `connect()`) is over: DuckDB allows one writing process, and the CLI, the UI's next run and
`backbone erase` are other processes.
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


def _open_elsewhere(path: Path) -> subprocess.CompletedProcess:
    """Another process opening the file read-write (it fails while the file is held)."""
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", OPEN_FOR_WRITING, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _other_process_count(path: Path) -> int:
    done = _open_elsewhere(path)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


INSERT = (
    "INSERT INTO ops.extract_log (source, entity, business_id, partition_key, records, "
    'dead_letters, requests, retries, run_id, "at") '
    "VALUES ('square', 'orders', 'cafe', ?, 1, 0, 1, 0, 'r', now())"
)


def test_steps_of_a_run_share_one_open_database_released_at_the_end(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    seen: dict[str, object] = {}

    @dg.asset
    def first(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute(INSERT, ["2026-11-18"])

    @dg.asset(deps=[first])
    def second(warehouse: WarehouseResource) -> None:
        # A read-only step of the run reads through the run's open database.
        with warehouse.connect(read_only=True) as con:
            seen["rows"] = con.execute("SELECT count(*) FROM ops.extract_log").fetchone()[0]
        with warehouse.connect() as con:
            con.execute(INSERT, ["2026-11-19"])
        # Held for the run: another process cannot write meanwhile.
        probe = _open_elsewhere(path)
        seen["probe_rc"] = probe.returncode
        seen["probe_err"] = probe.stderr

    result = dg.materialize(
        [first, second], resources={"warehouse": WarehouseResource(path=str(path))}
    )

    assert result.success
    assert seen["rows"] == 1
    assert seen["probe_rc"] != 0 and "lock" in str(seen["probe_err"]).lower()
    assert _other_process_count(path) == 2  # released, and both steps' rows are committed


def test_outside_a_run_each_connect_opens_and_closes(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = WarehouseResource(path=str(path))
    with warehouse.connect() as con:
        con.execute(INSERT, ["2026-11-18"])
    assert _other_process_count(path) == 1
    with warehouse.connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ops.extract_log").fetchone()[0] == 1
