"""Arrived Square payouts to Xero without a manual journal: per business `payout_deposits`, one
BankTransaction (bank_transaction) or BankTransfer (square_balance) per payout, each sent once
through the same protocol as the manual journals (`send_once` in pipeline/store/sync_log.py:
Idempotency-Key = payout id, one ops.sync_log row per payout under target
xero:BankTransactions:<business> or xero:BankTransfers:<business>). Under bank_feed nothing is
sent: the bank feed is the deposit. Payloads in pipeline/accounting/xero_bank.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import duckdb

from pipeline.accounting.xero_bank import (
    BANK_TRANSACTION,
    COLLECTION,
    PayoutDeposit,
    payload,
    target,
)
from pipeline.accounting.xero_journal import POSTED
from pipeline.store.connection import has_table
from pipeline.store.sync_log import Outgoing, Post, SyncResult, send_once

TARGET_PREFIXES = tuple(f"xero:{name}:" for name in COLLECTION.values())
_NEEDS = [("staging", "stg_square__payouts"), ("ref", "businesses"), ("ref", "posting_accounts")]
_NEEDS += [("ref", "tenders")]


def load_pending_deposits(
    con: duckdb.DuckDBPyConnection, businesses: list[str]
) -> list[PayoutDeposit]:
    """Arrived (PAID) payouts of businesses that book them through Backbone, not yet posted,
    by arrival date. A payout extracted twice is one deposit (its latest PAID row). The line is
    coded to the lowest clearing account among tenders that settle in payouts, the same
    fallback the journal's payout rule uses (pipeline/accounting/payouts.py)."""
    if not all(has_table(con, schema, name) for schema, name in _NEEDS):
        return []
    rows = con.execute(
        """
        WITH paid AS (
            SELECT p.payout_id, p.business_id, b.payout_deposits AS mode, p.arrival_date,
                   p.amount_money
            FROM staging.stg_square__payouts AS p
            JOIN ref.businesses AS b USING (business_id)
            WHERE p.status = 'PAID' AND p.arrival_date IS NOT NULL
              AND p.amount_money IS NOT NULL AND p.amount_money <> 0
              AND b.payout_deposits IN ('bank_transaction', 'square_balance')
              AND p.business_id IN (SELECT unnest(?))
            QUALIFY row_number() OVER (
                PARTITION BY p.payout_id ORDER BY p.arrival_date DESC, p.amount_money) = 1
        )
        SELECT paid.*,
               (SELECT account_code FROM ref.posting_accounts WHERE role = 'payout_bank'),
               (SELECT min(clearing_account) FROM ref.tenders
                WHERE CAST(settles_in_payout AS VARCHAR) = 'true')
        FROM paid
        WHERE NOT EXISTS (
            SELECT 1 FROM ops.sync_log AS s
            WHERE s.target = CASE paid.mode WHEN ? THEN ? ELSE ? END || paid.business_id
              AND s.idempotency_key = paid.payout_id AND s.status = ?)
        ORDER BY paid.arrival_date, paid.payout_id
        """,
        [businesses, BANK_TRANSACTION, *TARGET_PREFIXES, POSTED],
    ).fetchall()
    return [PayoutDeposit(*row) for row in rows]


# The connector call per Xero collection ("BankTransactions", "BankTransfers"):
# (business_id, idempotency key, body) -> the object id Xero answered with.
Posters = dict[str, Post]


def sync_payout_deposits(
    con: duckdb.DuckDBPyConnection,
    businesses: list[str],
    posters: Posters,
    *,
    run_id: str | None,
    is_permanent: Callable[[BaseException], bool] = lambda exc: True,
    log: Callable[[str], None] = lambda message: None,
    at: datetime | None = None,
) -> SyncResult:
    """Every pending payout deposit once (see `send_once`), in arrival order."""
    deposits = load_pending_deposits(con, businesses)
    writes = [
        Outgoing(target(d), d.payout_id, d.business_id, partial(payload, d)) for d in deposits
    ]

    def send(write: Outgoing, body: str) -> str:
        collection = write.target.split(":")[1]  # xero:<collection>:<business>
        return posters[collection](write.business_id, write.key, body)

    return send_once(
        con,
        writes,
        send,
        audit_target="xero:PayoutDeposits",
        run_id=run_id,
        is_permanent=is_permanent,
        log=log,
        at=at,
    )
