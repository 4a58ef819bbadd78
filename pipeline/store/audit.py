"""The audit trail: who wrote what where, with a fingerprint of exactly what was written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import duckdb


def fingerprint(rows: Iterable[Any]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def record(
    con: duckdb.DuckDBPyConnection,
    action: str,
    target: str,
    rows: Iterable[Any],
    *,
    run_id: str | None,
    actor: str = "pipeline",
    at: datetime | None = None,
) -> None:
    """`at` is the run's clock (resources/world.py pipeline_now); None, outside a run, is the
    database's."""
    con.execute(
        'INSERT INTO ops.audit_log ("at", actor, run_id, action, target, payload_sha256) '
        "VALUES (coalesce(?::TIMESTAMPTZ, now()), ?, ?, ?, ?, ?)",
        [at, actor, run_id, action, target, fingerprint(rows)],
    )
