"""Plain .sql files as models: `dbt-free-sql/<layer>/<name>.sql` builds table `<layer>.<name>`.

A model is one SELECT. Its dependencies are the `<layer>.<table>` names it reads. A model that
validates source records adds `_record_id`, `_payload` and `_dlq_reason` columns: rows with a
reason go to ops.dead_letter instead of the table, so every source record ends somewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.settings import SQL_DIR
from pipeline.store.dead_letters import replace_dead_letters

LAYERS = ("staging", "core", "marts")
_REF = re.compile(r"\b(raw|ref|staging|core|marts)\.([a-z_][a-z0-9_]*)\b")
_COMMENT = re.compile(r"--[^\n]*")
PRIVATE = ("_record_id", "_payload", "_dlq_reason")


@dataclass(frozen=True)
class SqlModel:
    layer: str
    name: str
    path: Path
    sql: str

    @property
    def table(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def description(self) -> str:
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line.lstrip("-").strip())
        return " ".join(lines)

    @property
    def deps(self) -> list[tuple[str, str]]:
        body = _COMMENT.sub("", self.sql)
        found = {(m.group(1), m.group(2)) for m in _REF.finditer(body)}
        found.discard((self.layer, self.name))
        return sorted(found)


def discover(root: Path = SQL_DIR) -> list[SqlModel]:
    models = []
    for layer in LAYERS:
        for path in sorted((root / layer).glob("*.sql")):
            models.append(SqlModel(layer, path.stem, path, path.read_text()))
    return models


def build(
    con: duckdb.DuckDBPyConnection,
    model: SqlModel,
    *,
    run_id: str | None = None,
    validate: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
) -> dict[str, int]:
    """Rebuild the model's table (and its dead letters) in one transaction."""
    source, _, entity = model.name.removeprefix("stg_").partition("__")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _model AS {model.sql}")
        columns = [row[0] for row in con.execute("DESCRIBE _model").fetchall()]
        private = [c for c in columns if c in PRIVATE]
        dead = []
        if "_dlq_reason" in columns:
            extra = "business_date" if "business_date" in columns else "NULL"
            for business_id, record_id, reason, payload, day in con.execute(
                f"SELECT business_id, _record_id, _dlq_reason, _payload, {extra} "
                "FROM _model WHERE _dlq_reason IS NOT NULL"
            ).fetchall():
                dead.append(
                    {
                        "business_id": business_id,
                        "record_id": record_id,
                        "reason": reason,
                        "payload": json.loads(payload) if payload else None,
                        "partition_key": day.isoformat() if day else None,
                    }
                )
        keep = "WHERE _dlq_reason IS NULL" if "_dlq_reason" in columns else ""
        exclude = f"EXCLUDE ({', '.join(private)})" if private else ""
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {model.layer}")
        con.execute(
            f"CREATE OR REPLACE TABLE {model.table} AS SELECT * {exclude} FROM _model {keep}"
        )
        replace_dead_letters(
            con,
            f"staging:{model.name}",
            dead,
            partition_key=None,
            run_id=run_id,
            source=source,
            entity=entity or model.name,
        )
        if validate is not None:
            validate(con, model.table)
        rows = con.execute(f"SELECT count(*) FROM {model.table}").fetchone()[0]
        con.execute("DROP TABLE _model")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"rows": int(rows), "dead_letters": len(dead)}
