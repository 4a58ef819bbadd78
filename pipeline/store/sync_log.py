"""Ledger write-back: each journal entry becomes one Xero manual journal, sent at most once.

Pure rules (payload shape, exact amounts, what is still pending) plus `sync_ledger`, which runs
them over the warehouse with any `post` callable, so the whole protocol is testable without
Dagster. The protocol:

1. Entries whose (target, entry_id) is `posted` in ops.sync_log are never sent again: no HTTP.
2. Every other entry is sent with `Idempotency-Key` = entry_id. If the process died after an
   earlier send but before its log row, Xero replays the stored answer (same ManualJournalID)
   instead of creating a second journal.
3. Each answer is logged right away (one row per entry, upserted), so a crash loses at most the
   log row of the entry in flight, which step 2 makes harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from pipeline.accounting.xero_journal import (
    FAILED,
    POSTED,
    TARGET_PREFIX,
    LedgerEntry,
    LedgerLine,
    LedgerPayloadError,
    mask_error,
    payload,
    target,
)
from pipeline.store import audit


def load_pending(con: duckdb.DuckDBPyConnection, businesses: list[str]) -> list[LedgerEntry]:
    """Entries of these businesses not yet posted, oldest first (originals before the
    adjustments that reference them). Reads only the contract columns."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
        "AND table_name IN ('journal_entries', 'journal_lines')"
    ).fetchone()[0]
    if exists < 2:
        return []
    rows = con.execute(
        """
        SELECT e.entry_id, e.business_id, e.business_date, e.memo,
               l.account_code, l.debit, l.credit, l.memo
        FROM marts.journal_entries AS e
        JOIN marts.journal_lines AS l ON l.entry_id = e.entry_id
        WHERE e.business_id IN (SELECT unnest(?))
          AND NOT EXISTS (
              SELECT 1 FROM ops.sync_log AS s
              WHERE s.target = ? || e.business_id AND s.idempotency_key = e.entry_id
                AND s.status = ?)
        ORDER BY e.business_date, e.entry_id, l.line_no
        """,
        [businesses, TARGET_PREFIX, POSTED],
    ).fetchall()
    heads: dict[str, tuple] = {}
    lines: dict[str, list[LedgerLine]] = {}
    for entry_id, business_id, day, memo, code, debit, credit, line_memo in rows:
        heads.setdefault(entry_id, (entry_id, business_id, day, memo))
        lines.setdefault(entry_id, []).append(LedgerLine(code, debit, credit, line_memo))
    return [LedgerEntry(*head, tuple(lines[key])) for key, head in heads.items()]


def log_write(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    entry_id: str,
    object_id: str | None,
    status: str,
    run_id: str | None,
    error: str | None = None,
    at: datetime | None = None,
) -> None:
    """One row per (target, entry): a retry that succeeds replaces the earlier failure."""
    con.execute(
        """
        INSERT INTO ops.sync_log (target, idempotency_key, object_id, status, "at", run_id, error)
        VALUES (?, ?, ?, ?, coalesce(?::TIMESTAMPTZ, now()), ?, ?)
        ON CONFLICT (target, idempotency_key) DO UPDATE SET
            object_id = excluded.object_id, status = excluded.status, "at" = excluded."at",
            run_id = excluded.run_id, error = excluded.error
        """,
        [target(business_id), entry_id, object_id, status, at, run_id, error],
    )


# post(business_id, idempotency_key, body) -> the ManualJournalID Xero answered with.
Post = Callable[[str, str, str], str]


@dataclass
class SyncResult:
    posted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (entry_id, masked error)
    stopped: str | None = None  # why the run stopped early, if it did

    @property
    def sent(self) -> int:
        return len(self.posted) + len(self.failed)


def sync_ledger(
    con: duckdb.DuckDBPyConnection,
    businesses: list[str],
    post: Post,
    *,
    run_id: str | None,
    is_permanent: Callable[[BaseException], bool] = lambda exc: True,
    log: Callable[[str], None] = lambda message: None,
    at: datetime | None = None,
) -> SyncResult:
    """Send every pending entry once and log each answer.

    A refusal (`is_permanent(exc)`, e.g. a 4xx validation error) marks that entry failed and
    moves on; anything else (the vendor still down after the connector's retries) marks it
    failed and stops, since the next entries would only wait out the same outage. Failed
    entries are retried on the next run with the same Idempotency-Key.
    """
    result = SyncResult()
    sent: list[tuple[str, str, str]] = []
    for entry in load_pending(con, businesses):
        try:
            body = payload(entry)
            object_id = post(entry.business_id, entry.entry_id, body)
        except Exception as exc:  # every failure is logged, masked, per entry
            error = mask_error(exc)
            log_write(con, entry.business_id, entry.entry_id, None, FAILED, run_id, error, at)
            result.failed.append((entry.entry_id, error))
            log(f"{entry.entry_id}: not posted: {error}")
            if not isinstance(exc, LedgerPayloadError) and not is_permanent(exc):
                result.stopped = error
                break
            continue
        log_write(con, entry.business_id, entry.entry_id, object_id, POSTED, run_id, at=at)
        result.posted.append(entry.entry_id)
        sent.append((entry.entry_id, object_id, body))
    if sent:
        audit.record(con, "sync", TARGET_PREFIX.rstrip(":"), sent, run_id=run_id, at=at)
    return result


def synced_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per status in ops.sync_log for Xero manual journals (for summaries)."""
    return dict(
        con.execute(
            "SELECT status, count(*) FROM ops.sync_log WHERE starts_with(target, ?) GROUP BY 1",
            [TARGET_PREFIX],
        ).fetchall()
    )
