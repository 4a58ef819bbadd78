"""The Beancount export's I/O: the journal read from the warehouse, and an atomic file write
that refuses to replace a good ledger with one Beancount rejects. Rendering is pure
(pipeline/accounting/beancount.py); docs/ledger-export.md says what each directive asserts."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.accounting.beancount import (
    Account,
    BalanceAssertion,
    Ledger,
    LedgerExportError,
    Posting,
    Transaction,
)


def read_transactions(con: duckdb.DuckDBPyConnection) -> tuple[Transaction, ...]:
    """Every journal entry with its lines, by date, business and entry id."""
    lines: dict[str, list[Posting]] = {}
    for entry_id, code, debit, credit, memo in con.execute(
        "SELECT entry_id, account_code, debit, credit, memo FROM marts.journal_lines "
        "ORDER BY entry_id, line_no"
    ).fetchall():
        lines.setdefault(entry_id, []).append(Posting(code, Decimal(debit) - Decimal(credit), memo))
    transactions = []
    for entry_id, business_id, location_id, day, memo, adjusted in con.execute(
        """SELECT entry_id, business_id, location_id, business_date, memo, adjusts_entry_id
            FROM marts.journal_entries ORDER BY business_date, business_id, entry_id"""
    ).fetchall():
        postings = lines.pop(entry_id, None)
        if not postings:
            raise LedgerExportError(f"journal entry {entry_id} has no lines")
        transactions.append(
            Transaction(entry_id, business_id, location_id, day, memo, tuple(postings), adjusted)
        )
    if lines:
        orphans = ", ".join(sorted(lines)[:5])
        raise LedgerExportError(f"journal lines without an entry: {orphans}")
    return tuple(transactions)


# For each business and day with a payout inside the span the journal covers, the running
# balance of each clearing account that payouts settle, summed from the journal lines of
# entries dated on or before the payout's day. Asserted on the next day because a Beancount
# balance directive checks the balance at the start of its date.
ASSERTIONS_SQL = """
WITH clearing AS (
    SELECT DISTINCT clearing_account AS account_code FROM ref.tenders
    WHERE CAST(settles_in_payout AS BOOLEAN) AND clearing_account IS NOT NULL
),
span AS (
    SELECT business_id, min(business_date) AS first_day, max(business_date) AS last_day
    FROM marts.journal_entries GROUP BY business_id
),
payout_days AS (
    SELECT p.business_id, p.business_date,
           string_agg(p.payout_id, ' ' ORDER BY p.payout_id) AS payout_ids
    FROM staging.stg_square__payouts AS p
    JOIN span AS s ON s.business_id = p.business_id
        AND p.business_date BETWEEN s.first_day AND s.last_day
    GROUP BY p.business_id, p.business_date
)
SELECT d.business_id, c.account_code, d.business_date, d.payout_ids,
       (SELECT coalesce(sum(l.debit - l.credit), 0)
        FROM marts.journal_lines AS l
        JOIN marts.journal_entries AS e ON e.entry_id = l.entry_id
        WHERE e.business_id = d.business_id AND l.account_code = c.account_code
          AND e.business_date <= d.business_date) AS balance
FROM payout_days AS d CROSS JOIN clearing AS c
ORDER BY d.business_id, c.account_code, d.business_date
"""


def read_assertions(con: duckdb.DuckDBPyConnection) -> tuple[BalanceAssertion, ...]:
    return tuple(
        BalanceAssertion(
            business_id,
            code,
            day + timedelta(days=1),
            Decimal(balance),
            tuple(ids.split(" ")),
        )
        for business_id, code, day, ids, balance in con.execute(ASSERTIONS_SQL).fetchall()
    )


def read_ledger(con: duckdb.DuckDBPyConnection) -> Ledger:
    """All journals in the warehouse, whatever the run's business scope."""
    transactions = read_transactions(con)
    businesses = {t.business_id for t in transactions}
    rows = con.execute(
        "SELECT business_id, name, currency FROM ref.businesses ORDER BY business_id"
    ).fetchall()
    known = {b: (name, currency) for b, name, currency in rows}
    missing = sorted(businesses - known.keys())
    if missing:
        raise LedgerExportError(f"journal businesses not in ref.businesses: {missing}")
    present = sorted(businesses)
    accounts = {
        code: Account(code, name, account_class)
        for code, name, account_class in con.execute(
            'SELECT account_code, name, "class" FROM ref.accounts'
        ).fetchall()
    }
    title = "Backbone ledger"
    if present:
        title += ": " + ", ".join(known[b][0] for b in present)
    return Ledger(
        title=title,
        currencies={b: known[b][1] for b in present},
        accounts=accounts,
        transactions=transactions,
        assertions=read_assertions(con) if transactions else (),
    )


def check(path: Path) -> list[str]:
    """What Beancount (the library behind `bean-check`) rejects in the file; empty when valid."""
    from beancount import loader

    _entries, errors, _options = loader.load_file(str(path))
    return [
        f"{Path(e.source['filename']).name}:{e.source['lineno']}: {e.message}"
        if e.source
        else e.message
        for e in errors
    ]


def write_checked(text: str, target: Path) -> None:
    """Write beside the target, check with Beancount, then rename over it: readers see either
    the old ledger or the new one, and never one that does not check."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A process killed between write and rename left its file; the export runs under the
    # warehouse pool, one at a time, so any other one is such a leftover.
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        errors = check(tmp)
        if errors:
            raise LedgerExportError(
                f"Beancount rejects the export ({len(errors)} error(s)); "
                f"{target.name} left as it was:\n" + "\n".join(errors[:20])
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
