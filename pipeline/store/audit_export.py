"""The audit log as one Parquet file per day (`exports/audit/audit-YYYY-MM-DD.parquet`, the UTC
date of `at`), and the check that the warehouse still holds every row an export recorded.

Exports leave the warehouse, so a row deleted from the end of the chain (which the chain alone
cannot show: nothing follows it) is still caught by `backbone audit verify` once it was exported.
The files carry no customer data: targets are table names and vendor or document ids, payloads
are only hashes, and a trigger that is an e-mail address (a Dagster+ user) is masked.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipeline.store.audit import COLUMNS, Break

PREFIX = "audit-"


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _day_summary(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, int] | None:
    if not path.exists():
        return None
    return con.execute(f"SELECT count(*), max(seq) FROM read_parquet({_quoted(path)})").fetchone()


def export_days(con: duckdb.DuckDBPyConnection, directory: Path) -> list[str]:
    """Write each day whose rows differ from its file (new rows, or no file yet), atomically:
    a new file renamed over the old one. Returns the days written."""
    directory.mkdir(parents=True, exist_ok=True)
    days = con.execute(
        "SELECT CAST(timezone('UTC', \"at\") AS DATE)::VARCHAR AS day, count(*), max(seq) "
        "FROM ops.audit_log GROUP BY ALL ORDER BY day"
    ).fetchall()
    columns = [f'"{c}"' for c in COLUMNS if c != "triggered_by"]
    written = []
    for day, count, last in days:
        target = directory / f"{PREFIX}{day}.parquet"
        if _day_summary(con, target) == (count, last):
            continue
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        con.execute(
            f"COPY (SELECT {', '.join(columns[:3])}, "
            # As pipeline.kernel.normalize.mask_email: 'user:j***@example.com'.
            "regexp_replace(triggered_by, '([^:@]?)[^:@]*@', '\\1***@') AS triggered_by, "
            f"{', '.join(columns[3:])} "
            "FROM ops.audit_log WHERE CAST(timezone('UTC', \"at\") AS DATE) = ?::DATE "
            f"ORDER BY seq) TO {_quoted(tmp)} (FORMAT parquet)",
            [day],
        ).fetchall()
        os.replace(tmp, target)
        written.append(day)
    return written


def check_against_exports(con: duckdb.DuckDBPyConnection, directory: Path) -> Break | None:
    """The first exported row the warehouse no longer holds as exported, if any."""
    files = sorted(directory.glob(f"{PREFIX}*.parquet"))
    if not files:
        return None
    listed = "[" + ", ".join(_quoted(f) for f in files) + "]"
    found = con.execute(
        f"SELECT e.seq, e.row_hash, w.row_hash, e.filename FROM read_parquet({listed}, "
        "filename = true) AS e LEFT JOIN ops.audit_log AS w USING (seq) "
        "WHERE w.row_hash IS DISTINCT FROM e.row_hash ORDER BY e.seq LIMIT 1"
    ).fetchone()
    if found is None:
        return None
    seq, _exported, held, filename = found
    name = Path(filename).name
    if held is None:
        return Break(seq, f"missing (deleted): it was exported to exports/audit/{name}")
    return Break(seq, f"its row_hash differs from exports/audit/{name}: the row was rewritten")
