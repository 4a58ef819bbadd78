"""Xero sales invoices and their payments, as Xero allows writing them (xero_accounting.yaml:
Invoice, LineItem, Payment; PUT/POST /Invoices, POST /Invoices/{InvoiceID}, PUT /Payments).

- PUT /Invoices creates ACCREC invoices (DRAFT unless SUBMITTED or AUTHORISED is asked for);
  POST /Invoices creates too, or updates the documents that carry an InvoiceID. Both honour
  Idempotency-Key like every other PUT here (`idempotent_put`).
- POST /Invoices/{InvoiceID} updates one invoice: lines, reference, dates, or its status
  (DRAFT -> SUBMITTED -> AUTHORISED, VOIDED/DELETED). An invoice with a payment, or one that is
  PAID or VOIDED, cannot be edited, as in Xero.
- PUT /Payments applies a payment from a bank account to an AUTHORISED invoice: AmountPaid,
  AmountDue, Payments[]; PAID (with FullyPaidOnDate) once nothing is due.

The organisation's only tax rate is NONE (Studio Nine's services are not taxed in Illinois), so
TaxAmount is always 0; any other TaxType is refused as Xero refuses a tax rate it does not have.
Validation messages are Xero's ("Account must be valid.", "Tax rate must be valid.", ...).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from . import ids
from .clock import msdate, msdate_time
from .ledger import XeroRecord, account_id, chart, contacts, invoices
from .money import XeroAmount, cents_from_decimal
from .web import ApiError, Call, Reply
from .world import Business
from .xero_api import _collection, _journal_date, idempotent_put, router

if TYPE_CHECKING:
    from .app import Sandbox

TAX_RATES = {"NONE": 0}  # TaxType -> rate in basis points
NEW_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
EDITABLE = ("DRAFT", "SUBMITTED", "AUTHORISED")
NOT_EDITABLE = "Invoice not of valid status for modification"
HAS_PAYMENT = "This document cannot be edited as it has a payment or credit note allocated to it."
# Where an invoice's status may go from each status that can still be edited.
_NEXT = {
    "DRAFT": (*NEW_STATUSES, "DELETED"),
    "SUBMITTED": (*NEW_STATUSES, "DELETED"),
    "AUTHORISED": ("AUTHORISED", "VOIDED"),
}


def _line(raw: Any, n: int, errors: list[str]) -> tuple | None:
    if not isinstance(raw, dict):
        errors.append(f"Line {n} must be an object")
        return None
    description = str(raw.get("Description") or "").strip()
    if not description:
        errors.append("Description needs to be at least 1 char long")
    code = raw.get("AccountCode")
    found = [a for a in chart() if a.code == code]
    if not found or found[0].type == "BANK":
        errors.append("Account must be valid.")
    tax_type = raw.get("TaxType") or "NONE"
    if tax_type not in TAX_RATES:
        errors.append("Tax rate must be valid.")
    try:
        quantity = Decimal(str(cents_from_decimal(raw.get("Quantity", 1)))) / 100
        unit = cents_from_decimal(raw.get("UnitAmount", raw.get("LineAmount")))
    except ValueError:
        errors.append(f"Line {n}: Quantity and UnitAmount must be numbers (two decimals)")
        return None
    cents = int((quantity * unit).to_integral_value(ROUND_HALF_UP))
    if "LineAmount" in raw:
        try:
            if cents_from_decimal(raw["LineAmount"]) != cents:
                errors.append(f"Line {n}: LineAmount must equal Quantity x UnitAmount")
        except ValueError:
            errors.append(f"Line {n}: LineAmount must be a number with two decimals")
    return description, quantity, unit, code, tax_type, cents


def _validate(sb: Sandbox, call: Call, raw: Any, current: dict | None) -> tuple[dict, list[str]]:
    """Facts of an invoice to create (`current` None) or of the update of `current`."""
    errors: list[str] = []
    if not isinstance(raw, dict):
        return {}, ["An invoice must be an object"]
    base = current or {}
    kind = raw.get("Type", base.get("Type"))
    if kind != "ACCREC":
        errors.append(f"Invoice Type '{kind}' is not supported here; use ACCREC.")
    status = raw.get("Status") or base.get("Status") or "DRAFT"
    if current is None and status not in NEW_STATUSES:
        errors.append(f"Status '{status}' is not valid for a new invoice")
    if current is not None:
        if current["Status"] not in EDITABLE or status not in _NEXT[current["Status"]]:
            errors.append(NOT_EDITABLE)
        elif current["Payments"] and (set(raw) - {"InvoiceID", "Status"} or status != "AUTHORISED"):
            errors.append(HAS_PAYMENT)
    contact = raw.get("Contact", base.get("Contact"))
    known = {r.id: r.body.get("Name", "") for r in contacts(sb.world, call.business, sb.now_ms)}
    if not isinstance(contact, dict) or not contact.get("ContactID"):
        errors.append("A Contact must be specified for this type of transaction")
    elif contact["ContactID"] not in known:
        errors.append(f"The contact with ID {contact['ContactID']} could not be found.")
    if raw.get("LineAmountTypes", base.get("LineAmountTypes")) not in (
        None,
        "Exclusive",
        "Inclusive",
        "NoTax",
    ):
        errors.append(f"LineAmountTypes '{raw.get('LineAmountTypes')}' is not valid")
    lines = []
    if "LineItems" in raw or current is None:
        raws = raw.get("LineItems")
        if not isinstance(raws, list) or not raws:
            errors.append("An invoice must have at least one line item")
            raws = []
        lines = [_line(r, n, errors) for n, r in enumerate(raws, start=1)]
        if sum(line[5] for line in lines if line) < 0:
            errors.append("The document total cannot be negative.")
    days = {}
    for name in ("Date", "DueDate"):
        try:
            days[name] = _journal_date(raw.get(name), sb.now.date()) if raw.get(name) else None
        except ValueError:
            errors.append(f"{name} '{raw.get(name)}' is not a valid date")
    facts = {
        "status": status,
        "contact": contact if isinstance(contact, dict) else {},
        "name": known.get((contact or {}).get("ContactID") if isinstance(contact, dict) else ""),
        "lines": [line for line in lines if line] if ("LineItems" in raw or not current) else None,
        "days": days,
    }
    return facts, errors


def _render(
    sb: Sandbox,
    business: Business,
    invoice_id: str,
    number: str,
    facts: dict,
    raw: dict,
    base: dict,
) -> dict:
    """The invoice as Xero answers it: totals from the lines, due amounts from its payments."""
    body = dict(base)
    if facts["lines"] is not None:
        body["LineItems"] = [
            {
                "LineItemID": ids.stable_uuid(invoice_id, "line", n),
                "Description": description,
                "Quantity": XeroAmount(int(quantity * 100)),
                "UnitAmount": XeroAmount(unit),
                "AccountCode": code,
                "AccountID": account_id(business, code),
                "TaxType": tax_type,
                "TaxAmount": XeroAmount(0),
                "LineAmount": XeroAmount(cents),
            }
            for n, (description, quantity, unit, code, tax_type, cents) in enumerate(facts["lines"])
        ]
    total = sum(line["LineAmount"].cents for line in body["LineItems"])
    paid = sum(p["Amount"].cents for p in body.get("Payments", []))
    contact = facts["contact"] or body.get("Contact") or {}
    body.update(
        Type="ACCREC",
        InvoiceID=invoice_id,
        InvoiceNumber=number,
        Reference=str(raw.get("Reference", body.get("Reference", ""))),
        Contact={"ContactID": contact.get("ContactID"), "Name": facts["name"] or ""},
        Status=facts["status"],
        LineAmountTypes=raw.get("LineAmountTypes") or body.get("LineAmountTypes") or "Exclusive",
        SubTotal=XeroAmount(total),
        TotalTax=XeroAmount(0),
        Total=XeroAmount(total),
        AmountDue=XeroAmount(total - paid),
        AmountPaid=XeroAmount(paid),
        AmountCredited=XeroAmount(0),
        CurrencyCode="USD",
        SentToContact=bool(body.get("SentToContact", False)),
        IsDiscounted=False,
        HasAttachments=False,
        Payments=body.get("Payments", []),
        Prepayments=[],
        Overpayments=[],
        CreditNotes=[],
        UpdatedDateUTC=msdate_time(sb.now_ms),
    )
    for name, day in facts["days"].items():
        if day is not None:
            body[name] = msdate(day)
    body.setdefault("Date", msdate(sb.now.date()))
    return body


def _number(state) -> str:
    # Created invoices are numbered after the bookkeeper's INV-xxxxx series, in creation order.
    return f"INV-B{len(state.invoices) + 1:05d}"


@router.add("PUT", "/Invoices", write=True)
def put_invoices(sb: Sandbox, call: Call) -> Reply:
    return _create_or_update(sb, call, allow_update=False)


@router.add("POST", "/Invoices", write=True)
def post_invoices(sb: Sandbox, call: Call) -> Reply:
    return _create_or_update(sb, call, allow_update=True)


def _find(sb: Sandbox, call: Call, invoice_id: str) -> XeroRecord | None:
    state = sb.xero_state(call.business.id)
    if invoice_id in state.invoices:
        return state.invoices[invoice_id]
    for record in invoices(sb.world, call.business, sb.now_ms):
        if record.id == invoice_id:
            return record
    return None


def _create_or_update(sb: Sandbox, call: Call, allow_update: bool, path_id: str | None = None):
    state = sb.xero_state(call.business.id)
    tenant = call.business.xero_tenant_id

    def current_of(raw: Any) -> dict | None:
        wanted = path_id or (raw.get("InvoiceID") if isinstance(raw, dict) else None)
        if not wanted or not allow_update:
            return None
        found = _find(sb, call, wanted)
        if found is None:
            raise ApiError(404, "NotFound", f"No invoice with InvoiceID {wanted}")
        return found.body

    def validate(raw: Any) -> tuple[dict, list[str]]:
        current = current_of(raw)
        facts, errors = _validate(sb, call, raw, current)
        facts["current"] = current
        return facts, errors

    def build(facts: dict, raw: dict, token: str, i: int) -> XeroRecord:
        current = facts["current"]
        if current is None:
            invoice_id = ids.stable_uuid(tenant, "invoice", "api", token, i)
            body = _render(sb, call.business, invoice_id, _number(state), facts, raw, {})
        else:
            base = dict(current)
            body = _render(
                sb, call.business, current["InvoiceID"], current["InvoiceNumber"], facts, raw, base
            )
            if facts["status"] != "DRAFT":
                body["SentToContact"] = bool(raw.get("SentToContact", base["SentToContact"]))
        record = XeroRecord(body["InvoiceID"], sb.now_ms, body)
        state.invoices[record.id] = record
        return record

    with state.lock:
        _, reply = idempotent_put(sb, call, "Invoices", validate, build)
    return reply


@router.add("POST", "/Invoices/([0-9a-fA-F-]{36})", write=True)
def post_invoice(sb: Sandbox, call: Call) -> Reply:
    return _create_or_update(sb, call, allow_update=True, path_id=call.path_args[0])


@router.add("GET", "/Invoices/([0-9a-fA-F-]{36})")
def get_invoice(sb: Sandbox, call: Call) -> Reply:
    found = _find(sb, call, call.path_args[0])
    if found is None:
        raise ApiError(404, "NotFound", "The resource you're looking for cannot be found")
    return _collection(sb, call, "Invoices", "xero.invoice", [found], False)


# -- payments ------------------------------------------------------------------------------------


def _validate_payment(sb: Sandbox, call: Call, raw: Any) -> tuple[dict, list[str]]:
    errors: list[str] = []
    if not isinstance(raw, dict):
        return {}, ["A payment must be an object"]
    ref = raw.get("Invoice")
    invoice = None
    if isinstance(ref, dict) and ref.get("InvoiceID"):
        invoice = _find(sb, call, ref["InvoiceID"])
    if invoice is None:
        errors.append("Invoice could not be found")
    elif invoice.body["Status"] != "AUTHORISED":
        errors.append("Payments can only be made against Authorised documents")
    account = raw.get("Account")
    banks = [
        a
        for a in chart(sb.xero_booking(call.business.id))
        if isinstance(account, dict)
        and a.type == "BANK"
        and (
            account.get("Code") == a.code
            or account.get("AccountID") == account_id(call.business, a.code)
        )
    ]
    if not banks:
        errors.append("Account must be valid.")
    try:
        cents = cents_from_decimal(raw.get("Amount"))
    except ValueError:
        errors.append("Amount must be a number with at most two decimal places")
        cents = 0
    if cents <= 0:
        errors.append("Payment amount must be greater than zero.")
    elif invoice is not None and cents > invoice.body["AmountDue"].cents:
        errors.append("Payment amount exceeds the amount outstanding on this document")
    try:
        day = _journal_date(raw.get("Date"), sb.now.date())
    except ValueError:
        errors.append(f"Date '{raw.get('Date')}' is not a valid date")
        day = sb.now.date()
    facts = {"invoice": invoice, "account": banks[0] if banks else None, "cents": cents}
    facts["day"] = day
    return facts, errors


@router.add("PUT", "/Payments", write=True)
def put_payments(sb: Sandbox, call: Call) -> Reply:
    state = sb.xero_state(call.business.id)
    business = call.business

    def build(facts: dict, raw: dict, token: str, i: int) -> XeroRecord:
        invoice: XeroRecord = state.invoices.get(facts["invoice"].id, facts["invoice"])
        payment_id = ids.stable_uuid(business.xero_tenant_id, "payment", token, i)
        day: date = facts["day"]
        reference = str(raw.get("Reference") or "")
        line = {
            "PaymentID": payment_id,
            "Date": msdate(day),
            "Amount": XeroAmount(facts["cents"]),
            "Reference": reference,
            "HasAccount": True,
            "HasValidationErrors": False,
        }
        inv = dict(invoice.body)
        inv["Payments"] = [*inv.get("Payments", []), line]
        paid = inv["AmountPaid"].cents + facts["cents"]
        inv.update(
            AmountPaid=XeroAmount(paid),
            AmountDue=XeroAmount(inv["Total"].cents - paid),
            UpdatedDateUTC=msdate_time(sb.now_ms),
        )
        if inv["AmountDue"].cents == 0:
            inv["Status"] = "PAID"
            inv["FullyPaidOnDate"] = msdate(day)
        state.invoices[invoice.id] = replace(invoice, updated_ms=sb.now_ms, body=inv)
        account = facts["account"]
        body = {
            "PaymentID": payment_id,
            "Date": msdate(day),
            "Amount": XeroAmount(facts["cents"]),
            "Reference": reference,
            "IsReconciled": False,
            "Status": "AUTHORISED",
            "PaymentType": "ACCRECPAYMENT",
            "UpdatedDateUTC": msdate_time(sb.now_ms),
            "HasAccount": True,
            "HasValidationErrors": False,
            "Account": {"AccountID": account_id(business, account.code), "Code": account.code},
            "Invoice": {
                "InvoiceID": inv["InvoiceID"],
                "InvoiceNumber": inv["InvoiceNumber"],
                "Type": "ACCREC",
                "Contact": inv["Contact"],
            },
        }
        return XeroRecord(payment_id, sb.now_ms, body)

    with state.lock:
        created, reply = idempotent_put(
            sb, call, "Payments", lambda raw: _validate_payment(sb, call, raw), build
        )
        state.payments.extend(created)
    return reply
