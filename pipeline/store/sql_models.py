"""Plain .sql files as models: `dbt-free-sql/<layer>/<name>.sql` builds table `<layer>.<name>`.

A model is one SELECT. Its dependencies (the asset graph's edges) are the tables it reads in
the raw, ref, staging, core and marts schemas. They are found by parsing the model with sqlglot
(DuckDB dialect) and collecting its schema-qualified table references: a parser, unlike a pattern
over the text, is not fooled by a `core.x` inside a string literal or a comment, and sees a
table function such as `core.f(...)` for what it is. A CTE is always named bare, so it is never
mistaken for a table; a qualified name means the real table even if a CTE shares its name, as in
DuckDB. A model the parser cannot read raises SqlModelError naming its file when its
dependencies are first asked for, which is when the Dagster definitions load: there is no
fallback, as a silently wrong graph would run models before their inputs.

A model that validates records adds `_record_id`, `_payload` and `_dlq_reason` columns: rows
with a reason go to ops.dead_letter under the stage `<layer>:<name>` instead of the table, so
every record ends somewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from pipeline.settings import SQL_DIR
from pipeline.store.dead_letters import replace_dead_letters
from pipeline.store.transaction import transaction

LAYERS = ("staging", "core", "marts")
SCHEMAS = frozenset({"raw", "ref", *LAYERS})
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

    @cached_property
    def _read(self) -> set[tuple[str, str]]:
        # Parsed once: sqlglot's parse is most of the time it takes to load the definitions.
        return tables_read(self.sql, self.path, SCHEMAS | {"ops"})

    @cached_property
    def deps(self) -> list[tuple[str, str]]:
        """The (schema, table) pairs this model reads, sorted, without its own table."""
        found = {pair for pair in self._read if pair[0] in SCHEMAS}
        found.discard((self.layer, self.name))
        return sorted(found)

    @property
    def routes_dead_letters(self) -> bool:
        """Whether building it can send rows to ops.dead_letter (it selects a _dlq_reason)."""
        return "_dlq_reason" in self.sql

    @cached_property
    def logs_read(self) -> list[str]:
        """The ops tables (logs the steps append to, not models) this model reads, sorted."""
        return sorted(name for schema, name in self._read if schema == "ops")


class SqlModelError(ValueError):
    """A model file that is not one SELECT sqlglot can read."""


def tables_read(
    sql: str, path: Path | str = "<sql>", schemas: frozenset[str] = SCHEMAS
) -> set[tuple[str, str]]:
    """The tables in `schemas` that `sql` reads; SqlModelError naming `path` if it cannot parse."""
    try:
        tree = sqlglot.parse_one(sql, dialect="duckdb")
    except ParseError as error:
        detail = error.errors[0] if error.errors else {}
        where = f"line {detail.get('line')}, col {detail.get('col')}: " if detail else ""
        message = detail.get("description") or str(error).splitlines()[0]
        raise SqlModelError(f"{path}: sqlglot cannot parse the model: {where}{message}") from None
    if not isinstance(tree, exp.Query):
        raise SqlModelError(f"{path}: a model must be one SELECT, got {type(tree).__name__}")
    return {
        (table.db, table.name)
        for table in tree.find_all(exp.Table)
        if table.db in schemas and isinstance(table.this, exp.Identifier)
    }


def discover(root: Path = SQL_DIR) -> list[SqlModel]:
    models = []
    for layer in LAYERS:
        for path in sorted((root / layer).glob("*.sql")):
            models.append(SqlModel(layer, path.stem, path, path.read_text()))
    return models


def scorecard_models(models: list[SqlModel] | None = None) -> list[SqlModel]:
    """The scorecard's models (marts.metric_* and the scorecard_* views of them). They measure
    the journal, the write-back and the CRM, so they are built after those, not with the models."""
    return [
        m
        for m in (discover() if models is None else models)
        if m.layer == "marts" and m.name.startswith(("metric_", "scorecard_"))
    ]


def build(
    con: duckdb.DuckDBPyConnection,
    model: SqlModel,
    *,
    run_id: str | None = None,
    validate: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
    at: datetime | None = None,
) -> dict[str, int]:
    """Rebuild the model's table (and its dead letters, stamped `at`) in one transaction.

    A model reads the run's clock as `getvariable('pipeline_now')` (NULL when `at` is None)."""
    source, _, entity = model.name.removeprefix("stg_").partition("__")
    with transaction(con):
        if at is not None:
            con.execute("SET VARIABLE pipeline_now = ?::TIMESTAMPTZ", [at])
        con.execute(f"CREATE OR REPLACE TEMP TABLE _model AS {model.sql}")
        con.execute("RESET VARIABLE pipeline_now")
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
        con.execute(
            f"CREATE OR REPLACE TABLE {model.table} AS SELECT * {exclude} FROM _model {keep}"
        )
        replace_dead_letters(
            con,
            f"{model.layer}:{model.name}",
            dead,
            partition_key=None,
            run_id=run_id,
            source=source,
            entity=entity or model.name,
            at=at,
        )
        if validate is not None:
            validate(con, model.table)
        rows = con.execute(f"SELECT count(*) FROM {model.table}").fetchone()[0]
        con.execute("DROP TABLE _model")
    return {"rows": int(rows), "dead_letters": len(dead)}
