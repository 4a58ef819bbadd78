"""Write-back to Xero, each write sent at most once: journal entries as manual journals here,
arrived payouts as bank transactions or transfers in pipeline/store/payout_sync.py, both through
`send_once`, so the whole protocol is testable without Dagster. The protocol:

1. Writes whose (target, key) is `posted` in ops.sync_log are never sent again: no HTTP.
2. Every other write is sent with `Idempotency-Key` = its key (entry_id, payout_id). If the
   process died after an earlier send but before its log row, Xero replays the stored answer
   (same id) instead of creating a second object.
3. Each answer is logged right away (one row per write, upserted), so a crash loses at most the
   log row of the write in flight, which step 2 makes harmless.
4. A write refused before any request (an unbalanced entry, a line on a bank account) is logged
   `failed` with the reason, so it is visible, and never reaches the connector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import duckdb

from pipeline.accounting.xero_bank import (
    ENTRY_BANK_SUFFIX,
    EntryBankLeg,
    entry_bank_payload,
    split_bank_lines,
)
from pipeline.accounting.xero_journal import (
    BANK_SIDE_KINDS,
    FAILED,
    POSTED,
    TARGET_PREFIX,
    LedgerEntry,
    LedgerLine,
    LedgerPayloadError,
    manual_journal,
    mask_error,
    payload,
    target,
)
from pipeline.store import audit, reference_files
from pipeline.store.connection import has_table


def _reference(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> set[str]:
    """First column of `sql` over ref.<name>, else over the validated CSV (the guard must never
    run without its list, even before the reference tables are built)."""
    if has_table(con, "ref", name):
        return {r[0] for r in con.execute(sql.format(table=f"ref.{name}")).fetchall()}
    con.register("_csv_ref", reference_files.load(name))
    try:
        return {r[0] for r in con.execute(sql.format(table="_csv_ref")).fetchall()}
    finally:
        con.unregister("_csv_ref")


_SQUARE_BALANCE_BUSINESSES = (
    "SELECT business_id FROM {table} WHERE payout_deposits = 'square_balance'"
)
_SUSPENSE = "SELECT account_code FROM {table} WHERE role = 'square_balance_suspense'"
# Entry bank legs share Xero's collection (and ops.sync_log target) with payout_sync's
# bank_transaction payouts; keys never collide (entry id + ':bank:' + code vs payout id).
BANK_TXN_PREFIX = "xero:BankTransactions:"


def square_balance_businesses(con: duckdb.DuckDBPyConnection) -> set[str]:
    return _reference(con, "businesses", _SQUARE_BALANCE_BUSINESSES)


def bank_accounts(
    con: duckdb.DuckDBPyConnection, businesses: list[str]
) -> dict[str, frozenset[str]]:
    """Per business, the account codes that are BANK accounts in its Xero: `type` BANK in
    ref.accounts, plus, under payout_deposits `square_balance`, the clearing accounts payouts
    settle from (in Xero that is the Square Balance bank account)."""
    banks = _reference(con, "accounts", "SELECT account_code FROM {table} WHERE type = 'BANK'")
    balance = square_balance_accounts(con)
    on_balance = square_balance_businesses(con)
    return {b: frozenset(banks | (balance if b in on_balance else set())) for b in businesses}


def square_balance_accounts(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The clearing accounts payouts settle from (tenders that settle in payouts)."""
    return _reference(
        con,
        "tenders",
        "SELECT clearing_account FROM {table} WHERE CAST(settles_in_payout AS VARCHAR) = 'true'",
    )


def load_pending(
    con: duckdb.DuckDBPyConnection,
    businesses: list[str],
    split: tuple[list[str], list[str]] = ([], []),
) -> list[LedgerEntry]:
    """Entries of these businesses not yet posted, oldest first (originals before the
    adjustments that reference them). Reads only the contract columns (and `kind`: the bank
    side of payouts is booked by the feed or payout_sync, never as a manual journal).

    `split` = (square_balance businesses, their Square Balance codes): an entry of one of those
    businesses is also pending while a line of it on such a code has no posted bank transaction
    (an entry whose lines there net to zero never gets one, so it is re-read, and sends nothing).
    """
    if not (
        has_table(con, "marts", "journal_entries") and has_table(con, "marts", "journal_lines")
    ):
        return []
    rows = con.execute(
        """
        SELECT e.entry_id, e.business_id, e.business_date, e.memo,
               l.account_code, l.debit, l.credit, l.memo
        FROM marts.journal_entries AS e
        JOIN marts.journal_lines AS l ON l.entry_id = e.entry_id
        WHERE e.business_id IN (SELECT unnest(?))
          AND e.kind NOT IN (SELECT unnest(?))
          AND (NOT EXISTS (
                  SELECT 1 FROM ops.sync_log AS s
                  WHERE s.target = ? || e.business_id AND s.idempotency_key = e.entry_id
                    AND s.status = ?)
               OR e.business_id IN (SELECT unnest(?)) AND EXISTS (
                  SELECT 1 FROM marts.journal_lines AS b
                  WHERE b.entry_id = e.entry_id AND b.account_code IN (SELECT unnest(?))
                    AND NOT EXISTS (
                        SELECT 1 FROM ops.sync_log AS s
                        WHERE s.target = ? || e.business_id
                          AND s.idempotency_key = e.entry_id || ? || b.account_code
                          AND s.status = ?)))
        ORDER BY e.business_date, e.entry_id, l.line_no
        """,
        [
            businesses,
            list(BANK_SIDE_KINDS),
            TARGET_PREFIX,
            POSTED,
            *split,
            BANK_TXN_PREFIX,
            ENTRY_BANK_SUFFIX,
            POSTED,
        ],
    ).fetchall()
    heads: dict[str, tuple] = {}
    lines: dict[str, list[LedgerLine]] = {}
    for entry_id, business_id, day, memo, code, debit, credit, line_memo in rows:
        heads.setdefault(entry_id, (entry_id, business_id, day, memo))
        lines.setdefault(entry_id, []).append(LedgerLine(code, debit, credit, line_memo))
    return [LedgerEntry(*head, tuple(lines[key])) for key, head in heads.items()]


def log_write(
    con: duckdb.DuckDBPyConnection,
    target_name: str,
    key: str,
    object_id: str | None,
    status: str,
    run_id: str | None,
    error: str | None = None,
    at: datetime | None = None,
) -> None:
    """One row per (target, key): a retry that succeeds replaces the earlier failure."""
    con.execute(
        """
        INSERT INTO ops.sync_log (target, idempotency_key, object_id, status, "at", run_id, error)
        VALUES (?, ?, ?, ?, coalesce(?::TIMESTAMPTZ, now()), ?, ?)
        ON CONFLICT (target, idempotency_key) DO UPDATE SET
            object_id = excluded.object_id, status = excluded.status, "at" = excluded."at",
            run_id = excluded.run_id, error = excluded.error
        """,
        [target_name, key, object_id, status, at, run_id, error],
    )


# post(business_id, idempotency_key, body) -> the id Xero answered with.
Post = Callable[[str, str, str], str]


@dataclass(frozen=True)
class Outgoing:
    """One write to make once: where it is logged, its key, and how its body is built (a
    LedgerPayloadError from `body` refuses it before any request)."""

    target: str
    key: str
    business_id: str
    body: Callable[[], str]


@dataclass
class SyncResult:
    posted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, masked error)
    stopped: str | None = None  # why the run stopped early, if it did

    @property
    def sent(self) -> int:
        return len(self.posted) + len(self.failed)


def send_once(
    con: duckdb.DuckDBPyConnection,
    writes: Iterable[Outgoing],
    send: Callable[[Outgoing, str], str],
    *,
    audit_target: str,
    run_id: str | None,
    is_permanent: Callable[[BaseException], bool] = lambda exc: True,
    log: Callable[[str], None] = lambda message: None,
    at: datetime | None = None,
) -> SyncResult:
    """Send every pending write once (`send(write, body)` returns the id Xero answered with)
    and log each answer.

    A refusal (`is_permanent(exc)`, e.g. a 4xx validation error, or a payload refused before
    sending) marks that write failed and moves on; anything else (the vendor still down after
    the connector's retries) marks it failed and stops, since the next writes would only wait
    out the same outage. Failed writes are retried on the next run with the same key.
    """
    result = SyncResult()
    sent: list[tuple[str, str, str]] = []
    for write in writes:
        try:
            body = write.body()
            object_id = send(write, body)
        except Exception as exc:  # every failure is logged, masked, per write
            error = mask_error(exc)
            log_write(con, write.target, write.key, None, FAILED, run_id, error, at)
            result.failed.append((write.key, error))
            log(f"{write.key}: not posted: {error}")
            if not isinstance(exc, LedgerPayloadError) and not is_permanent(exc):
                result.stopped = error
                break
            continue
        log_write(con, write.target, write.key, object_id, POSTED, run_id, at=at)
        result.posted.append(write.key)
        sent.append((write.key, object_id, body))
    if sent:
        audit.record(con, "sync", audit_target, sent, run_id=run_id, at=at)
    return result


def _posted(con: duckdb.DuckDBPyConnection, keys: list[str]) -> set[tuple[str, str]]:
    rows = con.execute(
        "SELECT target, idempotency_key FROM ops.sync_log "
        "WHERE status = ? AND idempotency_key IN (SELECT unnest(?))",
        [POSTED, keys],
    ).fetchall()
    return {(t, k) for t, k in rows}


def _leg_body(leg: EntryBankLeg, moved: LedgerEntry, banks: frozenset[str]) -> str:
    # The journal half is checked first: an entry refused as a journal (a line on the checking
    # account) sends no bank transaction either, so neither half lands without the other.
    manual_journal(moved, banks)
    return entry_bank_payload(leg)


def ledger_writes(
    con: duckdb.DuckDBPyConnection, businesses: list[str]
) -> tuple[list[Outgoing], list[Outgoing]]:
    """(bank transactions, manual journals) still to post. Under payout_deposits
    square_balance an entry's lines on the Square Balance account move to the suspense account
    in its journal, and their net per account becomes a bank transaction (xero_bank.py)."""
    banks = bank_accounts(con, businesses)
    on_balance = sorted(set(businesses) & square_balance_businesses(con))
    balance = frozenset(square_balance_accounts(con))
    suspense = _reference(con, "posting_accounts", _SUSPENSE)
    entries = load_pending(con, businesses, (on_balance, sorted(balance)))
    legs: list[Outgoing] = []
    journals: list[Outgoing] = []
    for entry in entries:
        moved = entry
        if entry.business_id in on_balance and balance:
            moved, split_legs = split_bank_lines(entry, balance, min(suspense))
            legs += [
                Outgoing(
                    f"{BANK_TXN_PREFIX}{leg.business_id}",
                    leg.key,
                    leg.business_id,
                    partial(_leg_body, leg, moved, banks[entry.business_id]),
                )
                for leg in split_legs
            ]
        journals.append(
            Outgoing(
                target(entry.business_id),
                entry.entry_id,
                entry.business_id,
                partial(payload, moved, banks[entry.business_id]),
            )
        )
    posted = _posted(con, [w.key for w in legs + journals])
    return (
        [w for w in legs if (w.target, w.key) not in posted],
        [w for w in journals if (w.target, w.key) not in posted],
    )


def sync_ledger(
    con: duckdb.DuckDBPyConnection,
    businesses: list[str],
    post: Post,
    *,
    run_id: str | None,
    post_bank_transaction: Post | None = None,
    is_permanent: Callable[[BaseException], bool] = lambda exc: True,
    log: Callable[[str], None] = lambda message: None,
    at: datetime | None = None,
) -> SyncResult:
    """Every pending journal entry as one manual journal (see `send_once`); an entry with a
    line on one of its business's bank accounts is refused and logged, never sent, except, under
    square_balance, its lines on Square Balance: those go first as bank transactions
    (`post_bank_transaction`), each with its own key, and the journal carries the suspense
    account instead."""
    legs, journals = ledger_writes(con, businesses)
    options = dict(run_id=run_id, is_permanent=is_permanent, log=log, at=at)

    def send_leg(write: Outgoing, body: str) -> str:
        if post_bank_transaction is None:
            raise RuntimeError("no connector for bank transactions was given")
        return post_bank_transaction(write.business_id, write.key, body)

    result = SyncResult()
    if legs:
        result = send_once(con, legs, send_leg, audit_target=BANK_TXN_PREFIX[:-1], **options)
        if result.stopped:  # an outage: the journals would only wait it out too
            return result
    rest = send_once(
        con,
        journals,
        lambda write, body: post(write.business_id, write.key, body),
        audit_target=TARGET_PREFIX.rstrip(":"),
        **options,
    )
    return SyncResult(result.posted + rest.posted, result.failed + rest.failed, rest.stopped)


def synced_counts(
    con: duckdb.DuckDBPyConnection, prefix: str = TARGET_PREFIX, entry_legs: bool | None = None
) -> dict[str, int]:
    """Rows per status in ops.sync_log for one kind of Xero write (for summaries). Under
    xero:BankTransactions: sit both payouts and entries' Square Balance legs: `entry_legs`
    True counts only the legs, False only the rest, None all."""
    legs = "contains(idempotency_key, ?)"
    where = {None: "", True: f" AND {legs}", False: f" AND NOT {legs}"}[entry_legs]
    params = [prefix] if entry_legs is None else [prefix, ENTRY_BANK_SUFFIX]
    return dict(
        con.execute(
            "SELECT status, count(*) FROM ops.sync_log WHERE starts_with(target, ?)"
            f"{where} GROUP BY 1",
            params,
        ).fetchall()
    )
