"""ops.dead_letter: every record that could not be landed or modelled, with the reason why."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import duckdb

from pipeline.kernel.secrets import redact_secrets
from pipeline.kernel.timeutil import utcnow
from pipeline.store.connection import insert_rows


def dead_letter_id(
    stage: str,
    source: str,
    entity: str,
    record_id: str | None,
    payload: Any,
    reason: str,
    partition_key: str | None,
) -> str:
    body = json.dumps(payload, sort_keys=True, default=str)
    key = f"{stage}|{partition_key}|{source}|{entity}|{record_id}|{reason}|{body}"
    digest = hashlib.sha256(key.encode())
    return digest.hexdigest()[:24]


def replace_dead_letters(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    dead: list[dict[str, Any]],
    *,
    partition_key: str | None,
    run_id: str | None,
    source: str,
    entity: str,
    business_ids: list[str] | None = None,
    at: datetime | None = None,
) -> None:
    """Dead letters of one stage and partition are replaced, like the rows they stand beside.

    `at` is the run's clock (resources/world.py pipeline_now); None, outside a run, is now."""
    params: dict[str, Any] = {"stage": stage}
    where = "stage = $stage"
    if partition_key is not None:
        where += " AND partition_key = $partition"
        params["partition"] = partition_key
    if business_ids is not None:
        where += " AND business_id IN (SELECT unnest($businesses))"
        params["businesses"] = business_ids
    con.execute(f"DELETE FROM ops.dead_letter WHERE {where}", params)
    now = at or utcnow()
    rows = []
    for item in dead:
        src = item.get("source", source)
        ent = item.get("entity", entity)
        key = item.get("partition_key", partition_key)
        dlq_id = dead_letter_id(
            stage, src, ent, item.get("record_id"), item.get("payload"), item["reason"], key
        )
        rows.append(
            (
                dlq_id,
                stage,
                item.get("business_id"),
                src,
                ent,
                item.get("record_id"),
                # A vendor may echo our token in the record or error that became a dead letter.
                redact_secrets(item["reason"]),
                redact_secrets(json.dumps(item.get("payload"), sort_keys=True, default=str)),
                key,
                run_id,
                now,
            )
        )
    insert_rows(con, "INSERT OR REPLACE INTO ops.dead_letter", rows)
