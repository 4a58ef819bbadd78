"""Xero's bank side, as Xero allows writing it: PUT /BankTransactions (spend and receive money
on a BANK account, coded to non-bank accounts) and PUT/GET /BankTransfers (money between two
BANK accounts), both honouring Idempotency-Key; plus `account_movements`, the organisation's
trial balance from everything it holds, so tests can see what the books say.

Shapes from xero_accounting.yaml (BankTransaction, LineItem, BankTransfer). Created bank
transactions, and each transfer's two sides (SPEND-TRANSFER on the source account,
RECEIVE-TRANSFER on the destination, the spec's From/ToBankTransactionID), are listed by GET
/BankTransactions beside the feed's (sandbox/xero_api.py), so extracts see them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from . import ids
from .clock import msdate, msdate_time
from .ledger import XeroRecord, account_id, bank_transactions, chart
from .money import XeroAmount, cents_from_decimal
from .web import Call, Reply
from .world import BUSINESSES, Business
from .xero_api import _collection, _journal_date, idempotent_put, router

if TYPE_CHECKING:
    from .app import Sandbox

_TYPES = ("RECEIVE", "SPEND")


def _account(business: Business, mode: str, ref: Any) -> tuple[str, str, str] | None:
    """(code, name, type) of an Account reference given by Code or AccountID."""
    if not isinstance(ref, dict):
        return None
    for a in chart(mode):
        if ref.get("Code") == a.code or ref.get("AccountID") == account_id(business, a.code):
            return a.code, a.name, a.type
    return None


def _bank_account(
    business: Business, mode: str, ref: Any, what: str, errors: list[str]
) -> tuple[str, str] | None:
    found = _account(business, mode, ref)
    if found is None:
        errors.append(f"{what} must be valid.")
        return None
    code, name, kind = found
    if kind != "BANK":
        errors.append(f"{what} '{code}' is not a bank account.")
        return None
    return code, name


def _validate_transaction(
    raw: Any, business: Business, mode: str, default_day: date
) -> tuple[dict, list[str]]:
    errors: list[str] = []
    if not isinstance(raw, dict):
        return {}, ["A bank transaction must be an object"]
    kind = raw.get("Type")
    if kind not in _TYPES:
        errors.append(f"Type '{kind}' is not supported here; use RECEIVE or SPEND.")
    contact = raw.get("Contact")
    if not isinstance(contact, dict) or not (contact.get("ContactID") or contact.get("Name")):
        errors.append("A Contact must be specified for this type of transaction")
    bank = _bank_account(business, mode, raw.get("BankAccount"), "Bank account", errors)
    try:
        day = _journal_date(raw.get("Date"), default_day)
    except ValueError:
        errors.append(f"Date '{raw.get('Date')}' is not a valid date")
        day = default_day
    if raw.get("LineAmountTypes") not in (None, "NoTax"):
        errors.append("The sandbox books bank transactions without tax: LineAmountTypes NoTax")
    lines = raw.get("LineItems")
    if not isinstance(lines, list) or not lines:
        errors.append("A bank transaction must have at least one line item")
        lines = []
    parsed = []
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            errors.append(f"Line {n} must be an object")
            continue
        found = _account(business, mode, {"Code": line.get("AccountCode")})
        if found is None:
            errors.append(f"Account code '{line.get('AccountCode')}' is not a valid code.")
            continue
        if found[2] == "BANK":
            errors.append(f"Line {n}: a bank account cannot be used as a line item account.")
        try:
            quantity = cents_from_decimal(line.get("Quantity", 1)) // 100
            amount = line.get("LineAmount", line.get("UnitAmount"))
            cents = cents_from_decimal(amount) * (quantity if "LineAmount" not in line else 1)
        except ValueError:
            errors.append(f"Line {n}: amounts must be numbers with at most two decimal places")
            continue
        parsed.append((found[0], cents, str(line.get("Description") or "")))
    total = sum(c for _, c, _ in parsed)
    if parsed and total <= 0:
        errors.append("The bank transaction total must be greater than zero.")
    facts = {"type": kind, "contact": contact, "bank": bank, "day": day, "lines": parsed}
    return facts, errors


def _transaction_record(sb: Sandbox, call: Call, facts: dict, raw: dict, txn_id: str) -> dict:
    business = call.business
    total = XeroAmount(sum(c for _, c, _ in facts["lines"]))
    contact = facts["contact"]
    name = str(contact.get("Name") or "")
    contact_id = contact.get("ContactID") or ids.stable_uuid(
        business.xero_tenant_id, "contact", name.lower()
    )
    code, bank_name = facts["bank"]
    return {
        "BankTransactionID": txn_id,
        "Type": facts["type"],
        "Contact": {"ContactID": contact_id, "Name": name},
        "Date": msdate(facts["day"]),
        "Reference": str(raw.get("Reference") or ""),
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {
                "LineItemID": ids.stable_uuid(txn_id, "line", n),
                "Description": description,
                "Quantity": 1,
                "UnitAmount": XeroAmount(cents),
                "AccountCode": line_code,
                "TaxType": "NONE",
                "TaxAmount": XeroAmount(0),
                "LineAmount": XeroAmount(cents),
            }
            for n, (line_code, cents, description) in enumerate(facts["lines"])
        ],
        "SubTotal": total,
        "TotalTax": XeroAmount(0),
        "Total": total,
        "BankAccount": {"AccountID": account_id(business, code), "Code": code, "Name": bank_name},
        "IsReconciled": False,
        "CurrencyCode": "USD",
        "UpdatedDateUTC": msdate_time(sb.now_ms),
        "HasAttachments": False,
    }


@router.add("PUT", "/BankTransactions", write=True)
def put_bank_transactions(sb: Sandbox, call: Call) -> Reply:
    state = sb.xero_state(call.business.id)
    mode = sb.xero_booking(call.business.id)
    tenant = call.business.xero_tenant_id

    def build(facts: dict, raw: dict, token: str, i: int) -> XeroRecord:
        txn_id = ids.stable_uuid(tenant, "bank-transaction", "put", token, i)
        return XeroRecord(txn_id, sb.now_ms, _transaction_record(sb, call, facts, raw, txn_id))

    with state.lock:
        created, reply = idempotent_put(
            sb,
            call,
            "BankTransactions",
            lambda raw: _validate_transaction(raw, call.business, mode, sb.now.date()),
            build,
        )
        state.bank_transactions.extend(created)
    return reply


def _validate_transfer(
    raw: Any, business: Business, mode: str, default_day: date
) -> tuple[dict, list[str]]:
    errors: list[str] = []
    if not isinstance(raw, dict):
        return {}, ["A bank transfer must be an object"]
    source = _bank_account(business, mode, raw.get("FromBankAccount"), "From bank account", errors)
    target = _bank_account(business, mode, raw.get("ToBankAccount"), "To bank account", errors)
    if source and target and source[0] == target[0]:
        errors.append("The from and to bank accounts must be different.")
    try:
        cents = cents_from_decimal(raw.get("Amount"))
        if cents <= 0:
            errors.append("Amount must be greater than zero.")
    except ValueError:
        errors.append("Amount must be a number with at most two decimal places")
        cents = 0
    try:
        day = _journal_date(raw.get("Date"), default_day)
    except ValueError:
        errors.append(f"Date '{raw.get('Date')}' is not a valid date")
        day = default_day
    facts = {"from": source, "to": target, "cents": cents, "day": day}
    return facts, errors


@router.add("PUT", "/BankTransfers", write=True)
def put_bank_transfers(sb: Sandbox, call: Call) -> Reply:
    state = sb.xero_state(call.business.id)
    mode = sb.xero_booking(call.business.id)
    business = call.business

    def build(facts: dict, raw: dict, token: str, i: int) -> XeroRecord:
        transfer_id = ids.stable_uuid(business.xero_tenant_id, "bank-transfer", token, i)

        def side(code_name: tuple[str, str]) -> dict:
            code, name = code_name
            return {"AccountID": account_id(business, code), "Code": code, "Name": name}

        body = {
            "BankTransferID": transfer_id,
            "FromBankAccount": side(facts["from"]),
            "ToBankAccount": side(facts["to"]),
            "Amount": XeroAmount(facts["cents"]),
            "Date": msdate(facts["day"]),
            "Reference": str(raw.get("Reference") or ""),
            "FromBankTransactionID": ids.stable_uuid(transfer_id, "from"),
            "ToBankTransactionID": ids.stable_uuid(transfer_id, "to"),
            "FromIsReconciled": False,
            "ToIsReconciled": False,
            "CreatedDateUTC": msdate_time(sb.now_ms),
            "HasAttachments": False,
        }
        return XeroRecord(transfer_id, sb.now_ms, body)

    with state.lock:
        created, reply = idempotent_put(
            sb,
            call,
            "BankTransfers",
            lambda raw: _validate_transfer(raw, business, mode, sb.now.date()),
            build,
        )
        state.transfers.extend(created)
        for record in created:
            state.bank_transactions.extend(_transfer_legs(sb, record))
    return reply


def _transfer_legs(sb: Sandbox, transfer: XeroRecord) -> list[XeroRecord]:
    """A transfer's two sides as Xero lists them among bank transactions (the spec's
    SPEND-TRANSFER / RECEIVE-TRANSFER types and the transfer's From/ToBankTransactionID)."""
    body = transfer.body
    legs = []
    for side, kind in (("From", "SPEND-TRANSFER"), ("To", "RECEIVE-TRANSFER")):
        leg_id = body[f"{side}BankTransactionID"]
        legs.append(
            XeroRecord(
                leg_id,
                transfer.updated_ms,
                {
                    "BankTransactionID": leg_id,
                    "Type": kind,
                    "Date": body["Date"],
                    "Reference": body["Reference"],
                    "Status": "AUTHORISED",
                    "LineAmountTypes": "NoTax",
                    "LineItems": [],
                    "SubTotal": body["Amount"],
                    "TotalTax": XeroAmount(0),
                    "Total": body["Amount"],
                    "BankAccount": body[f"{side}BankAccount"],
                    "IsReconciled": False,
                    "CurrencyCode": "USD",
                    "UpdatedDateUTC": msdate_time(sb.now_ms),
                    "HasAttachments": False,
                },
            )
        )
    return legs


@router.add("GET", "/BankTransfers")
def get_bank_transfers(sb: Sandbox, call: Call) -> Reply:
    state = sb.xero_state(call.business.id)
    with state.lock:
        records = list(state.transfers)
    return _collection(sb, call, "BankTransfers", "xero.bank_transfer", records, False)


def account_movements(sb: Sandbox, business_id: str) -> dict[str, int]:
    """Net movement per account code in cents (debit positive) over everything the organisation
    holds at the sandbox clock: manual journals, the feed's and created bank transactions (a
    bank transfer is two of them, one per side). The simulator's trial balance, for tests that
    ask what Xero's books say."""
    business = BUSINESSES[business_id]
    state = sb.xero_state(business_id)
    mode = sb.xero_booking(business_id)
    moved: dict[str, int] = defaultdict(int)
    with state.lock:
        journals, created = list(state.journals), list(state.bank_transactions)
    for journal in journals:
        for line in journal.body["JournalLines"]:
            moved[line["AccountCode"]] += line["LineAmount"].cents
    for record in bank_transactions(sb.world, business, sb.now_ms, None, mode) + created:
        body = record.body
        sign = 1 if body["Type"].startswith("RECEIVE") else -1
        moved[body["BankAccount"]["Code"]] += sign * body["Total"].cents
        for line in body["LineItems"]:  # a transfer's legs have none: the other leg balances
            moved[line["AccountCode"]] -= sign * line["LineAmount"].cents
    return dict(moved)
