"""An arrived payout as Xero books it without a manual journal, per business `payout_deposits`
(reference/businesses.csv; docs/reconciliation.md):

- `bank_feed`: nothing is sent; the bank feed line is coded to the clearing account in Xero.
- `bank_transaction`: one BankTransaction on the payout bank account, RECEIVE (SPEND for a
  negative net, amount unsigned), one line coded to the clearing account, Reference = payout
  id, Date = arrival date; the bookkeeper matches the feed line to it.
- `square_balance`: the clearing account is a BANK account ("Square Balance") in Xero; the
  payout is a BankTransfer from it to the payout bank account (the other way when negative).

Pure: payouts in, request bodies out; pipeline/store/payout_sync.py sends each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pipeline.accounting.xero_journal import (
    LedgerEntry,
    LedgerLine,
    LedgerPayloadError,
    dumps,
    line_amount,
)

BANK_FEED, BANK_TRANSACTION, SQUARE_BALANCE = "bank_feed", "bank_transaction", "square_balance"
PAYOUT_DEPOSITS = (BANK_FEED, BANK_TRANSACTION, SQUARE_BALANCE)
# ops.sync_log targets, one per Xero collection and business, like xero:ManualJournals:<id>.
COLLECTION = {BANK_TRANSACTION: "BankTransactions", SQUARE_BALANCE: "BankTransfers"}
PROCESSOR_CONTACT = "Square"  # Xero requires a contact on spend/receive money


@dataclass(frozen=True)
class PayoutDeposit:
    payout_id: str
    business_id: str
    mode: str  # bank_transaction | square_balance (bank_feed sends nothing)
    arrival_date: date
    amount: Decimal  # the payout's net, signed: negative when Square debits the bank
    bank_code: str  # ref.posting_accounts role payout_bank
    clearing_code: str  # the clearing account payouts settle (Square Balance when a bank)


def target(deposit: PayoutDeposit) -> str:
    return f"xero:{collection(deposit.mode)}:{deposit.business_id}"


def collection(mode: str) -> str:
    if mode not in COLLECTION:
        raise LedgerPayloadError(f"payout_deposits {mode!r} sends nothing to Xero")
    return COLLECTION[mode]


def _unsigned(deposit: PayoutDeposit) -> Decimal:
    # line_amount checks exact cents and refuses floats, as for journal lines; the direction is
    # the transaction's type (or the transfer's accounts), so the amount itself is unsigned.
    if isinstance(deposit.amount, float):
        raise LedgerPayloadError(f"payout {deposit.payout_id}: money must be Decimal, not float")
    line = LedgerLine(deposit.clearing_code, abs(deposit.amount), Decimal(0))
    amount = line_amount(line, f"payout {deposit.payout_id}")
    if amount == 0:
        raise LedgerPayloadError(f"payout {deposit.payout_id}: a zero payout moves no money")
    return amount


def _receive_or_spend(
    incoming: bool, bank_code: str, on: date, reference: str, description: str, amount, account
) -> dict[str, Any]:
    """One Xero bank transaction: RECEIVE into or SPEND from the bank account, an unsigned
    amount on one line against `account`, no tax."""
    return {
        "Type": "RECEIVE" if incoming else "SPEND",
        "Contact": {"Name": PROCESSOR_CONTACT},
        "BankAccount": {"Code": bank_code},
        "Date": on.isoformat(),
        "Reference": reference,
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {
                "Description": description,
                "Quantity": 1,
                "UnitAmount": amount,
                "AccountCode": account,
            }
        ],
    }


def bank_transaction(deposit: PayoutDeposit) -> dict[str, Any]:
    return _receive_or_spend(
        deposit.amount > 0,
        deposit.bank_code,
        deposit.arrival_date,
        deposit.payout_id,
        f"Square payout {deposit.payout_id}",
        _unsigned(deposit),
        deposit.clearing_code,
    )


def bank_transfer(deposit: PayoutDeposit) -> dict[str, Any]:
    amount = _unsigned(deposit)
    source, sink = (deposit.clearing_code, deposit.bank_code)
    if deposit.amount < 0:  # Square took money back from the bank into its balance
        source, sink = sink, source
    return {
        "FromBankAccount": {"Code": source},
        "ToBankAccount": {"Code": sink},
        "Amount": amount,
        "Date": deposit.arrival_date.isoformat(),
        "Reference": deposit.payout_id,
    }


def payload(deposit: PayoutDeposit) -> str:
    """The request body for this payout's mode, in Xero's collection envelope."""
    name = collection(deposit.mode)
    body = bank_transaction(deposit) if deposit.mode == BANK_TRANSACTION else bank_transfer(deposit)
    return dumps({name: [body]})


# -- journal entries under square_balance --------------------------------------------------------
# The Square Balance account is a BANK account in Xero, so an entry's lines on it (sales, fees,
# refunds ... settle there) cannot go in a manual journal. Each such entry goes as two writes:
# the journal with those lines moved to a non-bank suspense account (ref.posting_accounts role
# square_balance_suspense), and per bank account one bank transaction for their net, coded to
# the same suspense account. Xero's Square Balance then moves as the warehouse's clearing
# account does and the suspense account nets to zero per entry once both writes are posted.
ENTRY_BANK_SUFFIX = ":bank:"  # Idempotency-Key = entry id + this + bank account code


@dataclass(frozen=True)
class EntryBankLeg:
    """The net of one entry's lines on one bank account: debit positive (money into the
    account, a RECEIVE), credit negative (a SPEND)."""

    entry_id: str
    business_id: str
    business_date: date
    bank_code: str
    suspense_code: str
    amount: Decimal

    @property
    def key(self) -> str:
        return f"{self.entry_id}{ENTRY_BANK_SUFFIX}{self.bank_code}"


def split_bank_lines(
    entry: LedgerEntry, bank_codes: frozenset[str], suspense_code: str
) -> tuple[LedgerEntry, tuple[EntryBankLeg, ...]]:
    """The entry with every line on `bank_codes` moved, amount for amount, to `suspense_code`,
    and per bank account its net (a zero net needs no bank transaction). Still balanced: only
    account codes change."""
    if suspense_code in bank_codes:
        raise LedgerPayloadError(f"suspense account {suspense_code} must not be a bank account")
    lines, nets = [], {}
    for n, line in enumerate(entry.lines, start=1):
        if line.account_code not in bank_codes:
            lines.append(line)
            continue
        amount = line_amount(line, f"entry {entry.entry_id} line {n}")
        nets[line.account_code] = nets.get(line.account_code, Decimal("0.00")) + amount
        lines.append(LedgerLine(suspense_code, line.debit, line.credit, line.memo))
    legs = tuple(
        EntryBankLeg(
            entry.entry_id, entry.business_id, entry.business_date, code, suspense_code, net
        )
        for code, net in nets.items()
        if net != 0
    )
    moved = LedgerEntry(
        entry.entry_id, entry.business_id, entry.business_date, entry.memo, tuple(lines)
    )
    return moved, legs


def entry_bank_transaction(leg: EntryBankLeg) -> dict[str, Any]:
    """RECEIVE (net debit) or SPEND (net credit) on the bank account, unsigned, one line on the
    suspense account; Reference = entry id so the bookkeeper can find the journal."""
    if isinstance(leg.amount, float):
        raise LedgerPayloadError(f"entry {leg.entry_id}: money must be Decimal, not float")
    amount = line_amount(LedgerLine(leg.suspense_code, abs(leg.amount), Decimal(0)), leg.key)
    if amount == 0:
        raise LedgerPayloadError(f"entry {leg.entry_id}: a zero net moves no money")
    return _receive_or_spend(
        leg.amount > 0,
        leg.bank_code,
        leg.business_date,
        leg.entry_id,
        f"Square activity {leg.entry_id}",
        amount,
        leg.suspense_code,
    )


def entry_bank_payload(leg: EntryBankLeg) -> str:
    return dumps({"BankTransactions": [entry_bank_transaction(leg)]})
