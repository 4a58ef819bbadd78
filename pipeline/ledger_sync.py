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

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from pipeline import audit
from pipeline.money import CENT, is_whole_cents
from pipeline.normalize import mask_text

TARGET_PREFIX = "xero:ManualJournals:"
POSTED, FAILED = "posted", "failed"
MAX_ERROR_CHARS = 500
# Bearer tokens or key=value secrets must never reach ops tables, even if a vendor echoes them.
_SECRETS = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+|((?:access_?token|token|secret|password)\W{0,3})[^\s,\"']+"
)


class LedgerPayloadError(ValueError):
    """An entry that cannot become a valid manual journal (nothing is sent for it)."""


@dataclass(frozen=True)
class LedgerLine:
    account_code: str
    debit: Decimal
    credit: Decimal
    memo: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: str
    business_id: str
    business_date: date
    memo: str
    lines: tuple[LedgerLine, ...]


def target(business_id: str) -> str:
    return f"{TARGET_PREFIX}{business_id}"


def _exact(value: Any, what: str) -> Decimal:
    if isinstance(value, float) or not isinstance(value, (Decimal, int)):
        raise LedgerPayloadError(f"{what}: money must be Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not is_whole_cents(amount):
        raise LedgerPayloadError(f"{what}: {amount} has more than two decimal places")
    return amount.quantize(CENT)


def line_amount(line: LedgerLine, where: str = "line") -> Decimal:
    """Xero's signed LineAmount: debits positive, credits negative, exactly two places."""
    debit = _exact(line.debit, f"{where} debit")
    credit = _exact(line.credit, f"{where} credit")
    if debit < 0 or credit < 0:
        raise LedgerPayloadError(f"{where}: debit and credit must not be negative")
    return debit - credit


def manual_journal(entry: LedgerEntry) -> dict[str, Any]:
    """The ManualJournal for one entry; amounts stay Decimal (see `dumps`)."""
    lines = []
    for n, line in enumerate(entry.lines, start=1):
        amount = line_amount(line, f"entry {entry.entry_id} line {n}")
        body: dict[str, Any] = {"LineAmount": amount, "AccountCode": line.account_code}
        if line.memo:
            body["Description"] = line.memo
        lines.append(body)
    if len(lines) < 2:
        raise LedgerPayloadError(f"entry {entry.entry_id}: a journal needs at least two lines")
    total = sum((line["LineAmount"] for line in lines), Decimal("0.00"))
    if total != 0:
        raise LedgerPayloadError(f"entry {entry.entry_id} does not balance: lines sum to {total}")
    return {
        # The entry id makes each journal traceable back to the warehouse from inside Xero.
        "Narration": f"{entry.memo} [{entry.entry_id}]",
        "Date": entry.business_date.isoformat(),
        "Status": "POSTED",
        "LineAmountTypes": "NoTax",
        "JournalLines": lines,
    }


_PLACEHOLDER = re.compile(r'"\\u0000(\d+)"')


def dumps(body: Any) -> str:
    """Compact JSON where a Decimal is written as the exact number it is (125.50, never 125.5
    via float)."""
    spliced: list[str] = []

    def default(value: object) -> str:
        if not isinstance(value, Decimal):
            raise TypeError(f"cannot serialise {type(value).__name__}")
        spliced.append(f"{value:f}")
        return f"\x00{len(spliced) - 1}"

    text = json.dumps(body, separators=(",", ":"), default=default)
    return _PLACEHOLDER.sub(lambda m: spliced[int(m.group(1))], text) if spliced else text


def payload(entry: LedgerEntry) -> str:
    """The request body: Xero's ManualJournals envelope holding this one journal."""
    return dumps({"ManualJournals": [manual_journal(entry)]})


def mask_error(exc: BaseException) -> str:
    """An error fit for ops.sync_log: no tokens, emails or phone numbers, bounded length."""
    text = f"{type(exc).__name__}: {exc}"
    text = _SECRETS.sub(lambda m: f"{m.group(1) or m.group(2)}***", text)
    return mask_text(text)[:MAX_ERROR_CHARS]


# -- the warehouse side -------------------------------------------------------------------------


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
) -> None:
    """One row per (target, entry): a retry that succeeds replaces the earlier failure."""
    con.execute(
        """
        INSERT INTO ops.sync_log (target, idempotency_key, object_id, status, "at", run_id, error)
        VALUES (?, ?, ?, ?, now(), ?, ?)
        ON CONFLICT (target, idempotency_key) DO UPDATE SET
            object_id = excluded.object_id, status = excluded.status, "at" = excluded."at",
            run_id = excluded.run_id, error = excluded.error
        """,
        [target(business_id), entry_id, object_id, status, run_id, error],
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
            log_write(con, entry.business_id, entry.entry_id, None, FAILED, run_id, error)
            result.failed.append((entry.entry_id, error))
            log(f"{entry.entry_id}: not posted: {error}")
            if not isinstance(exc, LedgerPayloadError) and not is_permanent(exc):
                result.stopped = error
                break
            continue
        log_write(con, entry.business_id, entry.entry_id, object_id, POSTED, run_id)
        result.posted.append(entry.entry_id)
        sent.append((entry.entry_id, object_id, body))
    if sent:
        audit.record(con, "sync", TARGET_PREFIX.rstrip(":"), sent, run_id=run_id)
    return result


def synced_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per status in ops.sync_log for Xero manual journals (for summaries)."""
    return dict(
        con.execute(
            "SELECT status, count(*) FROM ops.sync_log WHERE starts_with(target, ?) GROUP BY 1",
            [TARGET_PREFIX],
        ).fetchall()
    )
