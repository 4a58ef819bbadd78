"""Where a string occurs under a Backbone home: every table of every DuckDB file (cast row by
row to text, since DuckDB compresses strings on disk) and the bytes of every other file (the
Dagster SQLite event log and compute logs, exports). Shared by the canary and erasure tests."""

from __future__ import annotations

from pathlib import Path

import duckdb


def duckdb_hits(path: Path, needles: list[str]) -> list[str]:
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            name = f'"{schema}"."{table}"'
            for needle in needles:
                hits = con.execute(
                    f"SELECT count(*) FROM {name} AS t WHERE contains(lower(t::VARCHAR), ?)",
                    [needle.lower()],
                ).fetchone()[0]
                if hits:
                    found.append(f"{path.name}:{schema}.{table}: {needle!r} in {hits} rows")
    return found


def home_hits(home: Path, needles: list[str]) -> list[str]:
    """Every place under `home` holding any of `needles` (case-insensitive)."""
    found = []
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        if path.suffix == ".duckdb":
            found += duckdb_hits(path, needles)
            continue
        if path.name.endswith((".duckdb.wal", ".pickle")):
            continue  # the WAL is checkpointed on close; the simulator's own vendor state
        data = path.read_bytes().lower()
        found += [f"{path.relative_to(home)}: {n!r}" for n in needles if n.lower().encode() in data]
    return found
