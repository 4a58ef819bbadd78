"""What the refund-reason form reads and writes: the refund, and the reason staff give it."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from pipeline.store import audit
from pipeline.store.transaction import transaction


def refund_posting_days(con: duckdb.DuckDBPyConnection, refund_id: str) -> list[tuple[str, date]]:
    """(business_id, business day) for each business holding a refund with this id; the day is
    the one its return lines post on (the return order's), else the refund's own."""
    return con.execute(
        "SELECT f.business_id, coalesce(min(s.business_date), any_value(f.business_date)) "
        "FROM core.tender_facts AS f "
        "LEFT JOIN core.sales_lines AS s ON s.order_id = f.order_id "
        "AND s.business_id = f.business_id AND s.line_kind = 'return' "
        "WHERE f.fact_kind = 'refund' AND f.fact_id = ? GROUP BY f.business_id",
        [refund_id],
    ).fetchall()


def store_refund_reason(
    con: duckdb.DuckDBPyConnection,
    refund_id: str,
    business_id: str,
    reason: str,
    note: str,
    run_id: str,
    at: datetime | None = None,
) -> None:
    """Store (or replace) the refund's reason and note, and audit it, in one transaction;
    `at` is the run's clock (None, outside a run, is the database's)."""
    with transaction(con):
        con.execute(
            "INSERT OR REPLACE INTO ops.refund_reasons VALUES "
            "(?, ?, ?, ?, coalesce(?::TIMESTAMPTZ, now()), ?)",
            [refund_id, business_id, reason, note, at, run_id],
        )
        audit.record(
            con,
            "refund_reason",
            f"refund/{refund_id}",
            [(reason, note)],
            run_id=run_id,
            actor="refund_reason_form",
            at=at,
        )
