"""The journal as a Beancount ledger: every entry of every business, checkable by `bean-check`.

Pure rendering (`render`); pipeline/store/ledger_export.py reads the warehouse and writes the
file. The text depends on nothing but the warehouse rows, sorted, so the same warehouse gives
the same bytes. docs/ledger-export.md says what each directive asserts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipeline.kernel.money import CENT, is_whole_cents

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


def summary(ledger: Ledger) -> dict[str, int]:
    return {
        "transactions": len(ledger.transactions),
        "postings": sum(len(t.postings) for t in ledger.transactions),
        "balance_assertions": len(ledger.assertions),
        "businesses": len(ledger.currencies),
    }
