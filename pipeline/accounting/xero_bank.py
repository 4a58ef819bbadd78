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

from pipeline.accounting.xero_journal import LedgerLine, LedgerPayloadError, dumps, line_amount

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


def bank_transaction(deposit: PayoutDeposit) -> dict[str, Any]:
    amount = _unsigned(deposit)
    return {
        "Type": "RECEIVE" if deposit.amount > 0 else "SPEND",
        "Contact": {"Name": PROCESSOR_CONTACT},
        "BankAccount": {"Code": deposit.bank_code},
        "Date": deposit.arrival_date.isoformat(),
        "Reference": deposit.payout_id,
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {
                "Description": f"Square payout {deposit.payout_id}",
                "Quantity": 1,
                "UnitAmount": amount,
                "AccountCode": deposit.clearing_code,
            }
        ],
    }


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
