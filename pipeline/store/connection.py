"""Opening the DuckDB warehouse and the few primitives every store module shares."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb

from pipeline.store.schema import migrate

LOCK_WAIT_SECONDS = 120.0

# Warehouse files this process has brought up to the latest migration, by (path, device,
# inode): a step opens a connection, and on a fresh connection the version lookup costs more
# than the connection itself (about 25 ms against 20 ms), ~180 times in a demo. A file deleted
# and created again, or replaced, is a new inode, so it is migrated again; a file that did not
# exist before connecting is always migrated (the inode of a deleted file may be reused).
_BOOTSTRAPPED: set[tuple[str, int, int]] = set()
_BOOTSTRAP_LOCK = threading.Lock()


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def open_duckdb(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting politely if another process holds DuckDB's single-writer lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    if not read_only:
        _bootstrap(con, path, existed)
    return con


def _bootstrap(con: duckdb.DuckDBPyConnection, path: Path, existed: bool) -> None:
    """Apply missing migrations once per process per warehouse file (the DDL itself runs once
    per warehouse: migrate() records what it applied)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_dev, stat.st_ino)
    with _BOOTSTRAP_LOCK:
        if existed and key in _BOOTSTRAPPED:
            return
        migrate(con)
        _BOOTSTRAPPED.add(key)


def has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(found)


def base_tables(con: duckdb.DuckDBPyConnection, schema: str | None = None) -> list[tuple[str, str]]:
    """(schema, table) of the open database's tables, of one schema or all, in order."""
    return [
        (s, t)
        for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_catalog = current_database() "
            "ORDER BY ALL"
        ).fetchall()
        if schema is None or s == schema
    ]


def insert_many(con: duckdb.DuckDBPyConnection, sql: str, rows: list) -> None:
    """executemany that accepts an empty batch (DuckDB refuses one): for a handful of rows;
    insert_rows for batches."""
    if rows:
        con.executemany(sql, rows)


def insert_rows(
    con: duckdb.DuckDBPyConnection, into: str, rows: list, select: str | None = None
) -> None:
    """Many rows in one statement: `{into} SELECT {select} FROM <the rows>`.

    executemany runs one statement per row (about 1 ms each, 40-160x a bulk insert of the
    same rows), so the rows go in as one pandas frame DuckDB scans. Its columns are c0, c1, ...
    in tuple order, kept as Python objects (no float coercion of ints or NULLs); `select`
    (default: every column in order) may cast or wrap them, e.g. `c0, money(c1)`. An empty
    batch inserts nothing."""
    if not rows:
        return
    import pandas as pd  # heavy; only when something is written

    columns = [f"c{i}" for i in range(len(rows[0]))]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    name = f"_rows_{id(frame):x}"
    con.register(name, frame)
    try:
        con.execute(f"{into} SELECT {select or ', '.join(columns)} FROM {name}")
    finally:
        con.unregister(name)


def insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list, *, replace: bool
) -> None:
    """Many rows in one statement (executemany runs one statement per row: 30 ms each)."""
    if not rows:
        return
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns, dtype=object)  # noqa: F841 - read by DuckDB
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    con.execute(f"{verb} INTO {table} SELECT * FROM frame")
