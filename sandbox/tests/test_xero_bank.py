"""Simulated Xero books payouts the way Xero allows: no manual journal on a bank account,
bank transactions and transfers created once per Idempotency-Key, per-organisation booking modes
(sandbox/booking.py). Requests and answers are validated against xero_accounting.yaml."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.booking import parse
from sandbox.tests.vendor_specs import Validate
from sandbox.world import BUSINESSES
from sandbox.xero_bank_api import account_movements

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MODES = {"cafe": "bank_feed", "boutique": "bank_transaction", "studio": "square_balance"}


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(now=NOW, seed=7, booking_modes=MODES)


@pytest.fixture
def client(sb: Sandbox) -> Iterator[httpx.Client]:
    auth = {"Authorization": "Bearer bank-test"}
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=auth) as c:
        yield c


def _text(body: dict) -> str:
    """JSON with amounts written as the exact numbers they are (Decimal, never float)."""
    text = json.dumps(body, default=lambda v: f"@@{v}@@")
    return re.sub(r'"@@(-?[0-9.]+)@@"', r"\1", text)


def _wire(body: dict) -> Any:
    """What the vendor receives, as a JSON parser reads it (the spec's `double` numbers)."""
    return json.loads(_text(body))


def _call(client, method: str, business: str, path: str, key: str | None = None, **kw: Any):
    headers = {"xero-tenant-id": BUSINESSES[business].xero_tenant_id}
    if key:
        headers["Idempotency-Key"] = key
    if "json" in kw:
        kw["content"] = _text(kw.pop("json"))
        headers["Content-Type"] = "application/json"
    return client.request(method, f"/{business}/xero/api.xro/2.0/{path}", headers=headers, **kw)


def _journal(bank_code: str) -> dict:
    return {
        "ManualJournals": [
            {
                "Narration": "Payouts to the bank LBTQSEA 2026-11-19 [LBTQSEA-2026-11-19-PAYOUT]",
                "Date": "2026-11-19",
                "Status": "POSTED",
                "LineAmountTypes": "NoTax",
                "JournalLines": [
                    {"LineAmount": Decimal("42.51"), "AccountCode": bank_code},
                    {"LineAmount": Decimal("-42.51"), "AccountCode": "1010"},
                ],
            }
        ]
    }


def _receive(reference: str, amount: str = "42.51", bank: str = "1090", line: str = "1010"):
    return {
        "BankTransactions": [
            {
                "Type": "RECEIVE",
                "Contact": {"Name": "Square"},
                "BankAccount": {"Code": bank},
                "Date": "2026-11-19",
                "Reference": reference,
                "LineAmountTypes": "NoTax",
                "LineItems": [
                    {
                        "Description": f"Square payout {reference}",
                        "Quantity": 1,
                        "UnitAmount": Decimal(amount),
                        "AccountCode": line,
                    }
                ],
            }
        ]
    }


def test_a_manual_journal_on_a_bank_account_is_refused_and_nothing_is_booked(
    client, sb: Sandbox, xero_schema: Validate
) -> None:
    xero_schema("ManualJournals", _wire(_journal("1090")))  # a valid document by the spec...
    answer = _call(client, "PUT", "boutique", "ManualJournals", "po-1", json=_journal("1090"))
    assert answer.status_code == 400  # ...that Xero refuses for the account it names
    body = answer.json()
    xero_schema("Error", body)
    assert body["Type"] == "ValidationException"
    messages = [e["Message"] for el in body["Elements"] for e in el["ValidationErrors"]]
    assert messages == [
        "Account code '1090' is a bank account. You can't post a manual journal to a bank "
        "account; use a spend or receive money transaction instead."
    ]
    assert sb.xero_state("boutique").journals == []
    # Square Balance is a bank account only where the organisation set it up as one.
    sales = _journal("1200")
    assert _call(client, "PUT", "cafe", "ManualJournals", "ok-1", json=sales).status_code == 200
    refused = _call(client, "PUT", "studio", "ManualJournals", "sb-1", json=sales)
    assert refused.status_code == 400 and "'1010' is a bank account" in refused.text


def test_a_bank_transaction_is_created_once_per_key_and_listed(
    client, sb: Sandbox, xero_schema: Validate
) -> None:
    request = _receive("po_abc")
    xero_schema("BankTransactions", _wire(request))
    first = _call(client, "PUT", "boutique", "BankTransactions", "po_abc", json=request)
    assert first.status_code == 200, first.text
    xero_schema("BankTransactions", first.json())
    again = _call(client, "PUT", "boutique", "BankTransactions", "po_abc", json=request)
    assert again.text == first.text  # the stored answer, same BankTransactionID
    (created,) = first.json()["BankTransactions"]
    assert (created["Type"], created["Total"], created["Reference"]) == ("RECEIVE", 42.51, "po_abc")
    assert created["BankAccount"]["Code"] == "1090"
    listed = _call(client, "GET", "boutique", "BankTransactions", params={"page": 1}).json()
    xero_schema("BankTransactions", listed)
    ours = [t for t in listed["BankTransactions"] if t["Reference"] == "po_abc"]
    assert [t["BankTransactionID"] for t in ours] == [created["BankTransactionID"]]
    moved = account_movements(sb, "boutique")
    assert len(sb.xero_state("boutique").bank_transactions) == 1
    # Under bank_transaction the feed books no payout: the bank moved by this one receipt plus
    # nothing from Square (the boutique has no cash deposits or invoice payments in the feed).
    assert moved["1090"] == 4251 and moved["1010"] == -4251


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        (_receive("x", line="1090"), "a bank account cannot be used as a line item account"),
        (_receive("x", bank="1010"), "Bank account '1010' is not a bank account."),
        (_receive("x", amount="-5.00"), "total must be greater than zero"),
        (_receive("x", amount="1.005"), "at most two decimal places"),
    ],
)
def test_a_bank_transaction_xero_would_refuse_is_refused(
    client, sb: Sandbox, xero_schema: Validate, request_body: dict, message: str
) -> None:
    answer = _call(client, "PUT", "boutique", "BankTransactions", "bad", json=request_body)
    assert answer.status_code == 400
    xero_schema("Error", answer.json())
    assert message in answer.text
    assert sb.xero_state("boutique").bank_transactions == []


def test_the_feed_books_payouts_only_in_bank_feed_mode(client, sb: Sandbox) -> None:
    def payouts(business: str) -> list[dict]:
        body = _call(client, "GET", business, "BankTransactions", params={"page": 1}).json()
        return [t for t in body["BankTransactions"] if t["Contact"]["Name"] == "Square"]

    assert payouts("cafe") and all(
        t["LineItems"][0]["AccountCode"] == "1010" for t in payouts("cafe")
    )
    assert payouts("boutique") == [] and payouts("studio") == []
    default = Sandbox(now=NOW, seed=7, booking_modes={})
    assert default.booking == parse(None) == dict.fromkeys(BUSINESSES, "bank_feed")


def test_square_balance_is_a_bank_account_and_payouts_are_idempotent_transfers(
    client, sb: Sandbox, xero_schema: Validate
) -> None:
    accounts = _call(client, "GET", "studio", "Accounts").json()["Accounts"]
    (balance,) = [a for a in accounts if a["Code"] == "1010"]
    assert (balance["Name"], balance["Type"]) == ("Square Balance", "BANK")
    transfer = {
        "BankTransfers": [
            {
                "FromBankAccount": {"Code": "1010"},
                "ToBankAccount": {"Code": "1090"},
                "Amount": Decimal("120.40"),
                "Date": "2026-11-19",
                "Reference": "po_xyz",
            }
        ]
    }
    xero_schema("BankTransfers", _wire(transfer))
    first = _call(client, "PUT", "studio", "BankTransfers", "po_xyz", json=transfer)
    assert first.status_code == 200, first.text
    xero_schema("BankTransfers", first.json())
    assert _call(client, "PUT", "studio", "BankTransfers", "po_xyz", json=transfer).text == (
        first.text
    )
    listed = _call(client, "GET", "studio", "BankTransfers").json()
    xero_schema("BankTransfers", listed)
    assert [t["Reference"] for t in listed["BankTransfers"]] == ["po_xyz"]
    # Its two sides are bank transactions too, as Xero lists them; the bank side names the payout.
    (made,) = listed["BankTransfers"]
    bank = _call(client, "GET", "studio", "BankTransactions", params={"page": 1}).json()
    xero_schema("BankTransactions", bank)
    legs = {
        t["BankTransactionID"]: t for t in bank["BankTransactions"] if t["Reference"] == "po_xyz"
    }
    assert sorted(legs) == sorted([made["FromBankTransactionID"], made["ToBankTransactionID"]])
    to_leg = legs[made["ToBankTransactionID"]]
    assert (to_leg["Type"], to_leg["BankAccount"]["Code"], to_leg["Total"]) == (
        "RECEIVE-TRANSFER",
        "1090",
        120.4,
    )
    moved = account_movements(sb, "studio")
    feed = account_movements(Sandbox(now=NOW, seed=7, booking_modes=MODES), "studio")
    assert moved["1090"] - feed["1090"] == 12040 and moved["1010"] - feed.get("1010", 0) == -12040
    # The checking account's own transfer is refused where no Square Balance account exists.
    refused = _call(client, "PUT", "cafe", "BankTransfers", "po_xyz", json=transfer)
    assert refused.status_code == 400 and "'1010' is not a bank account" in refused.text
