"""Under payout_deposits square_balance an entry's lines on the Square Balance account (a BANK
account in Xero) leave the manual journal for the suspense account, and their net becomes one
bank transaction per account: hand-computed entries, every payload checked against Xero's spec."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from pipeline.accounting.xero_bank import (
    EntryBankLeg,
    entry_bank_payload,
    entry_bank_transaction,
    split_bank_lines,
)
from pipeline.accounting.xero_journal import (
    BankAccountLineError,
    LedgerEntry,
    LedgerLine,
    LedgerPayloadError,
    manual_journal,
    payload,
)

D = Decimal
BALANCE = frozenset({"1010"})
BANKS = BALANCE | {"1090"}  # what bank_accounts() gives a square_balance business
SUSPENSE = "1015"
DAY = date(2026, 11, 19)


def _entry(entry_id: str, *lines: tuple[str, str, str]) -> LedgerEntry:
    return LedgerEntry(
        entry_id,
        "studio",
        DAY,
        "Studio Nine day",
        tuple(LedgerLine(code, D(debit), D(credit), code) for code, debit, credit in lines),
    )


def _lines(journal: dict) -> list[tuple[str, Decimal]]:
    return [(x["AccountCode"], x["LineAmount"]) for x in journal["JournalLines"]]


def test_a_sales_entry_becomes_a_receive_and_a_journal_on_the_suspense_account(xero_schema):
    # 1,843.20 taken by card: 1,700.00 of sales plus 143.20 of Chicago sales tax.
    sales = _entry(
        "LSTUDIO-2026-11-19-SALES",
        ("1010", "1843.20", "0"),
        ("2140", "0", "143.20"),
        ("4020", "0", "1700.00"),
    )
    moved, legs = split_bank_lines(sales, BALANCE, SUSPENSE)
    assert legs == (EntryBankLeg(sales.entry_id, "studio", DAY, "1010", SUSPENSE, D("1843.20")),)
    journal = manual_journal(moved, BANKS)  # the guard no longer finds a bank line
    assert _lines(journal) == [("1015", D("1843.20")), ("2140", D("-143.20")), ("4020", D("-1700"))]
    txn = entry_bank_transaction(legs[0])
    assert (txn["Type"], txn["BankAccount"], txn["Reference"], txn["Date"]) == (
        "RECEIVE",
        {"Code": "1010"},
        "LSTUDIO-2026-11-19-SALES",
        "2026-11-19",
    )
    assert [(x["AccountCode"], x["UnitAmount"]) for x in txn["LineItems"]] == [
        ("1015", D("1843.20"))
    ]
    assert legs[0].key == "LSTUDIO-2026-11-19-SALES:bank:1010"
    body = json.loads(entry_bank_payload(legs[0]))
    xero_schema("BankTransactions", body)
    assert '"UnitAmount":1843.20' in entry_bank_payload(legs[0])  # exact, never via float
    xero_schema("ManualJournals", json.loads(payload(moved, BANKS)))
    # In Xero: Square Balance +1,843.20, suspense +1,843.20 (journal) -1,843.20 (receive) = 0.


def test_a_fees_entry_is_a_spend_of_the_unsigned_fee(xero_schema):
    # Square kept 2.6% + 0.10 on 14 payments: 49.40 of fees out of the balance.
    fees = _entry("LSTUDIO-2026-11-19-FEES", ("6100", "49.40", "0"), ("1010", "0", "49.40"))
    moved, (leg,) = split_bank_lines(fees, BALANCE, SUSPENSE)
    assert leg.amount == D("-49.40")
    txn = entry_bank_transaction(leg)
    assert txn["Type"] == "SPEND" and txn["LineItems"][0]["UnitAmount"] == D("49.40")
    assert _lines(manual_journal(moved, BANKS)) == [("6100", D("49.40")), ("1015", D("-49.40"))]
    xero_schema("BankTransactions", json.loads(entry_bank_payload(leg)))


def test_an_entry_without_a_square_balance_line_is_unchanged():
    loss = _entry("LSTUDIO-2026-11-19-CHARGEBACK_LOSS", ("6150", "80.00", "0"), ("1250", "0", "80"))
    moved, legs = split_bank_lines(loss, BALANCE, SUSPENSE)
    assert (moved, legs) == (loss, ())


def test_lines_netting_to_zero_need_no_bank_transaction_and_several_lines_net():
    # A card sale refunded the same day to the same card: the balance did not move.
    wash = _entry(
        "LSTUDIO-2026-11-19-RETURNS",
        ("1010", "64.75", "0"),
        ("4910", "64.75", "0"),
        ("1010", "0", "64.75"),
        ("4020", "0", "64.75"),
    )
    moved, legs = split_bank_lines(wash, BALANCE, SUSPENSE)
    assert legs == ()
    assert [line.account_code for line in moved.lines] == ["1015", "4910", "1015", "4020"]
    # Two lines on the balance (a sale and a refund) give one leg for their net: 120.00 - 35.50.
    mixed = _entry(
        "LSTUDIO-2026-11-20-SALES",
        ("1010", "120.00", "0"),
        ("4910", "35.50", "0"),
        ("1010", "0", "35.50"),
        ("4020", "0", "120.00"),
    )
    _, (leg,) = split_bank_lines(mixed, BALANCE, SUSPENSE)
    assert leg.amount == D("84.50")


def test_other_bank_lines_are_still_refused_and_bad_inputs_raise():
    cash = _entry("LSTUDIO-2026-11-19-CASHBANK", ("1090", "432.51", "0"), ("1010", "0", "432.51"))
    moved, _ = split_bank_lines(cash, BALANCE, SUSPENSE)
    with pytest.raises(BankAccountLineError, match="bank account 1090"):
        manual_journal(moved, BANKS)
    with pytest.raises(LedgerPayloadError, match="must not be a bank account"):
        split_bank_lines(cash, BALANCE, "1010")
    with pytest.raises(LedgerPayloadError, match="more than two decimal places"):
        split_bank_lines(
            _entry("x", ("1010", "1.005", "0"), ("4020", "0", "1.005")), BALANCE, "1015"
        )
    float_leg = EntryBankLeg("x", "studio", DAY, "1010", SUSPENSE, 12.5)  # type: ignore[arg-type]
    with pytest.raises(LedgerPayloadError, match="not float"):
        entry_bank_transaction(float_leg)
