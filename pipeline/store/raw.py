"""raw.* tables: vendor records as JSON, one table per source entity, replaced per partition.

The tables themselves come from dbt-free-sql/_migrations/0004_raw_tables.sql."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from pipeline.extraction.landing import Balance, Landing
from pipeline.store import audit
from pipeline.store.connection import insert_rows
from pipeline.store.dead_letters import replace_dead_letters
from pipeline.store.erasure import scrub_erased_rows
from pipeline.store.transaction import transaction


def write_landing(
    con: duckdb.DuckDBPyConnection,
    table: str,
    landing: Landing,
    *,
    business_ids: list[str],
    partition_key: str | None,
    run_id: str | None,
    at: datetime | None = None,
) -> None:
    """Replace the partition (or, unpartitioned, the businesses' snapshot) in one transaction."""
    source, entity = table.split("_", 1)
    stage = f"extract:{table}"
    with transaction(con):
        # Erased people stay erased when a vendor sends their records again.
        rows = scrub_erased_rows(con, source, landing.rows)
        where = "business_id IN (SELECT unnest($businesses))"
        params: dict[str, Any] = {"businesses": business_ids}
        if partition_key is not None:
            where += " AND partition_key = $partition"
            params["partition"] = partition_key
        con.execute(f"DELETE FROM raw.{table} WHERE {where}", params)
        insert_rows(con, f"INSERT INTO raw.{table}", rows)
        replace_dead_letters(
            con,
            stage,
            landing.dead,
            partition_key=partition_key,
            run_id=run_id,
            source=source,
            entity=entity,
            business_ids=business_ids,
            at=at,
        )
        target = f"raw.{table}" + (f"/{partition_key}" if partition_key else "")
        # What was landed, not when: (record id, business, updated_at, payload).
        fingerprinted = ((r.record_id, r.business_id, r.updated_at, r.payload) for r in rows)
        audit.record(con, "replace", target, fingerprinted, run_id=run_id, at=at)


def payouts_of_day(
    con: duckdb.DuckDBPyConnection, partition_key: str, business_ids: list[str]
) -> list[tuple[str, str, str]]:
    """(business, location, payout id) of the payouts landed for a business date."""
    return con.execute(
        "SELECT business_id, location_id, record_id FROM raw.square_payouts "
        "WHERE partition_key = ? AND business_id IN (SELECT unnest(?)) ORDER BY record_id",
        [partition_key, business_ids],
    ).fetchall()


def log_extract(
    con: duckdb.DuckDBPyConnection,
    table: str,
    landing: Landing,
    business_id: str,
    partition_key: str | None,
    calls: tuple[int, int],
    *,
    run_id: str | None,
    at: datetime | None = None,
) -> Balance:
    """One ops.extract_log row per business: where every fetched record went, pages lost,
    HTTP calls made, and the status (ok, partial, unavailable) with its warning."""
    source, entity = table.split("_", 1)
    requests, retries = calls
    balance = landing.balance(business_id)
    con.execute(
        "INSERT INTO ops.extract_log (source, entity, business_id, partition_key, records, "
        'dead_letters, requests, retries, run_id, "at", fetched, other_date, other_dates, '
        "duplicates, lost_pages, status, warning) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?::TIMESTAMPTZ, now()), "
        "?, ?, ?, ?, ?, ?, ?)",
        [
            source,
            entity,
            business_id,
            partition_key,
            balance.landed,
            balance.dead_letters,
            requests,
            retries,
            run_id,
            at,
            balance.fetched,
            balance.other_date,
            json.dumps(balance.elsewhere),
            balance.duplicates,
            balance.lost_pages,
            balance.status,
            balance.warning,
        ],
    )
    return balance
