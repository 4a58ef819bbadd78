"""An entry as a Xero manual journal: the payload shape, exact signed amounts, secrets masked,
and the guard that keeps every bank account out of manual journals.

Xero refuses manual-journal lines on a BANK account ("You can't post a manual journal to a bank
account in Xero", Xero help): a bank account moves only through bank transactions and transfers,
which the bank feed or Backbone creates (pipeline/accounting/xero_bank.py). So payout entries
are never sent as manual journals, and any other entry with a bank line is refused here, before
a request, with a reason logged in ops.sync_log (docs/reconciliation.md).

Pure: entries in, request bodies out. pipeline/store/sync_log.py sends them at most once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pipeline.kernel.money import CENT, is_whole_cents
from pipeline.kernel.normalize import mask_text

TARGET_PREFIX = "xero:ManualJournals:"
POSTED, FAILED = "posted", "failed"
# The bank side of a payout (sent, arrived, returned) reaches Xero through the bank feed or a
# bank transaction/transfer per payout, in every payout_deposits mode: never a manual journal.
BANK_SIDE_KINDS = ("PAYOUT", "DEPOSIT", "PAYOUT_RETURN")
MAX_ERROR_CHARS = 500


class LedgerPayloadError(ValueError):
    """An entry that cannot become a valid manual journal (nothing is sent for it)."""


class BankAccountLineError(LedgerPayloadError):
    """An entry with a line on a BANK-type account, which Xero accepts in no manual journal."""


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


def bank_account_lines(entry: LedgerEntry, bank_codes: frozenset[str]) -> list[str]:
    """The bank-type account codes this entry's lines touch, in line order, once each."""
    codes = (line.account_code for line in entry.lines)
    return list(dict.fromkeys(code for code in codes if code in bank_codes))


def manual_journal(entry: LedgerEntry, bank_codes: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The ManualJournal for one entry; amounts stay Decimal (see `dumps`). `bank_codes` are the
    business's BANK-type accounts in Xero: a line on one refuses the whole entry."""
    on_bank = bank_account_lines(entry, bank_codes)
    if on_bank:
        raise BankAccountLineError(
            f"entry {entry.entry_id} has lines on bank account {', '.join(on_bank)}: Xero takes "
            "no manual journal on a bank account; book it as a bank transaction or transfer"
        )
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


def payload(entry: LedgerEntry, bank_codes: frozenset[str] = frozenset()) -> str:
    """The request body: Xero's ManualJournals envelope holding this one journal."""
    return dumps({"ManualJournals": [manual_journal(entry, bank_codes)]})


def mask_error(exc: BaseException) -> str:
    """An error fit for ops.sync_log: no tokens, emails or phone numbers, bounded length."""
    text = f"{type(exc).__name__}: {exc}"
    # mask_text cuts registered secrets and bearer/token=value pairs (pipeline/kernel/secrets.py).
    return mask_text(text)[:MAX_ERROR_CHARS]
