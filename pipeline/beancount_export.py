"""The journal as a Beancount ledger: every entry of every business, checkable by `bean-check`.

Pure rendering (`render`) plus the SQL that reads the warehouse (`read_ledger`) and an atomic
write that refuses to replace a good file with one Beancount rejects (`write_checked`). The
file depends on nothing but the warehouse rows, sorted, so the same warehouse gives the same
bytes. docs/ledger-export.md says what each directive asserts.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.money import CENT, is_whole_cents

ROOTS = {
    "ASSET": "Assets",
    "LIABILITY": "Liabilities",
    "EQUITY": "Equity",
    "REVENUE": "Income",
    "EXPENSE": "Expenses",
}


class LedgerExportError(ValueError):
    """The warehouse holds something the ledger cannot state truthfully."""


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    account_class: str  # ref.accounts.class: ASSET, LIABILITY, EQUITY, REVENUE, EXPENSE


@dataclass(frozen=True)
class Posting:
    account_code: str
    amount: Decimal  # debit positive, credit negative
    memo: str | None = None


@dataclass(frozen=True)
class Transaction:
    entry_id: str
    business_id: str
    location_id: str
    business_date: date
    memo: str
    postings: tuple[Posting, ...]
    adjusts_entry_id: str | None = None


@dataclass(frozen=True)
class BalanceAssertion:
    """The clearing account's balance at the start of `on` (i.e. through the day before)."""

    business_id: str
    account_code: str
    on: date
    amount: Decimal
    payout_ids: tuple[str, ...]


@dataclass(frozen=True)
class Ledger:
    title: str
    currencies: Mapping[str, str]  # business_id -> ISO currency
    accounts: Mapping[str, Account]  # account_code -> Account
    transactions: tuple[Transaction, ...]
    assertions: tuple[BalanceAssertion, ...] = ()


def component(text: str) -> str:
    """A valid Beancount account component: ASCII letters, digits and dashes, capital first.

    "Food & Beverage Sales" -> "Food-Beverage-Sales", "café" -> "Cafe".
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^A-Za-z0-9]+", ascii_text) if w]
    if not words:
        raise LedgerExportError(f"{text!r} has no letters or digits to name an account with")
    joined = "-".join(words)
    return joined[0].upper() + joined[1:]


def account_name(business_id: str, account: Account) -> str:
    """`Assets:Cafe:1010-Square-Clearing`: the business keeps its books apart from the others."""
    root = ROOTS.get(account.account_class)
    if root is None:
        raise LedgerExportError(
            f"account {account.code}: class {account.account_class!r} is not one of "
            f"{', '.join(ROOTS)}"
        )
    return f"{root}:{component(business_id)}:{component(f'{account.code} {account.name}')}"


def amount_text(amount: Decimal) -> str:
    """Exactly two decimals; anything finer would be money the journal does not hold."""
    if not is_whole_cents(amount):
        raise LedgerExportError(f"amount {amount} has fractions of a cent")
    return f"{amount.quantize(CENT):f}"


def quote(text: str) -> str:
    # One line per string keeps the file diffable; Beancount unescapes \" and \\.
    flat = " ".join(str(text).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _names(ledger: Ledger) -> dict[tuple[str, str], str]:
    """(business_id, account_code) -> account name, for every account the file mentions."""
    used = {(t.business_id, p.account_code) for t in ledger.transactions for p in t.postings}
    used |= {(a.business_id, a.account_code) for a in ledger.assertions}
    names: dict[tuple[str, str], str] = {}
    for business_id, code in sorted(used):
        account = ledger.accounts.get(code)
        if account is None:
            raise LedgerExportError(f"account {code!r} ({business_id}) is not in ref.accounts")
        names[(business_id, code)] = account_name(business_id, account)
    clashes = len(set(names.values())) != len(names)
    prefixes = {component(b) for b in ledger.currencies}
    if clashes or len(prefixes) != len(ledger.currencies):
        raise LedgerExportError("two businesses or accounts map to the same Beancount name")
    return names


def _opened_on(ledger: Ledger) -> dict[tuple[str, str], date]:
    """Each account opens on its first use: its first posting or its first assertion."""
    first: dict[tuple[str, str], date] = {}
    uses = [
        ((t.business_id, p.account_code), t.business_date)
        for t in ledger.transactions
        for p in t.postings
    ] + [((a.business_id, a.account_code), a.on) for a in ledger.assertions]
    for key, day in uses:
        first[key] = min(day, first.get(key, day))
    return first


def render(ledger: Ledger) -> str:
    """The whole ledger as Beancount text; deterministic for a given `Ledger`."""
    names = _names(ledger)
    for t in ledger.transactions:
        if t.business_id not in ledger.currencies:
            raise LedgerExportError(f"entry {t.entry_id}: business {t.business_id!r} unknown")
    out = [
        f"option {quote('title')} {quote(ledger.title)}",
        *(
            f'option "operating_currency" {quote(c)}'
            for c in sorted(set(ledger.currencies.values()))
        ),
        "",
    ]
    opened = _opened_on(ledger)
    for key in sorted(opened, key=lambda k: (opened[k], names[k])):
        out.append(f"{opened[key].isoformat()} open {names[key]} {ledger.currencies[key[0]]}")
    out.append("")
    # Beancount orders directives itself; the file is sorted too so diffs read day by day.
    dated: list[tuple[tuple, list[str]]] = []
    for t in ledger.transactions:
        currency = ledger.currencies[t.business_id]
        block = [f"{t.business_date.isoformat()} txn {quote(t.memo)}"]
        block.append(f"  entry_id: {quote(t.entry_id)}")
        block.append(f"  location_id: {quote(t.location_id)}")
        if t.adjusts_entry_id:
            block.append(f"  adjusts_entry_id: {quote(t.adjusts_entry_id)}")
        for p in t.postings:
            block.append(
                f"  {names[(t.business_id, p.account_code)]}  {amount_text(p.amount)} {currency}"
            )
            if p.memo:
                block.append(f"    memo: {quote(p.memo)}")
        dated.append(((t.business_date, 1, t.business_id, t.entry_id), block))
    for a in ledger.assertions:
        name = names[(a.business_id, a.account_code)]
        currency = ledger.currencies[a.business_id]
        block = [
            f"{a.on.isoformat()} balance {name}  {amount_text(a.amount)} {currency}",
            f"  payout_ids: {quote(' '.join(a.payout_ids))}",
        ]
        # Balance directives sort before the day's transactions, as Beancount checks them.
        dated.append(((a.on, 0, a.business_id, name), block))
    for _key, block in sorted(dated, key=lambda item: item[0]):
        out.extend([*block, ""])
    return "\n".join(out).rstrip("\n") + "\n"


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


def summary(ledger: Ledger) -> dict[str, int]:
    return {
        "transactions": len(ledger.transactions),
        "postings": sum(len(t.postings) for t in ledger.transactions),
        "balance_assertions": len(ledger.assertions),
        "businesses": len(ledger.currencies),
    }
