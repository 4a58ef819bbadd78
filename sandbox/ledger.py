"""Xero records for each business: chart of accounts, contacts, bank feed, invoices.

The bank feed holds what really hits the checking account (code 1090): every Square payout on its
arrival date (from the Square clearing account 1010; only where the organisation books payouts
from the feed, sandbox/booking.py), the cafe's weekly cash deposits (from cash on
hand 1000) and the studio's invoice payments (against receivables 1200). Amounts are cents wrapped
in XeroAmount so they serialise as Xero's decimal numbers without ever being floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import crm, ids
from .booking import BANK_FEED, SQUARE_BALANCE
from .clock import HOUR_MS, days, local_date, local_ms, msdate, msdate_time, window
from .money import XeroAmount
from .payouts import build_payout, payout_arrival
from .people import PEOPLE_EPOCH_MS
from .store import World
from .world import ACCOUNTS, BUSINESSES, Account, Business, Location

BANK_CODE = "1090"
CLEARING_CODE = "1010"
CASH_CODE = "1000"
RECEIVABLES_CODE = "1200"
SERVICE_REVENUE_CODE = "4020"
FEED_HOUR = 18  # bank lines land in Xero in the evening of their date
DEPOSIT_WEEKDAY = 0  # Monday


@dataclass(frozen=True, slots=True)
class XeroRecord:
    id: str
    updated_ms: int
    body: dict


def account_id(business: Business, code: str) -> str:
    return ids.stable_uuid(business.xero_tenant_id, "account", code)


def chart(mode: str = BANK_FEED) -> tuple[Account, ...]:
    """The organisation's chart: under `square_balance` the clearing account is a BANK account,
    as when Square's balance is added to Xero as a bank account of its own."""
    if mode != SQUARE_BALANCE:
        return ACCOUNTS
    return tuple(
        Account(a.code, "Square Balance", "BANK", a.klass) if a.code == CLEARING_CODE else a
        for a in ACCOUNTS
    )


def _bank_parts(code: str) -> tuple[str, ...]:
    # The checking account keeps the number it always had; another bank account gets its own.
    return ("bank",) if code == BANK_CODE else ("bank", code)


def bank_codes(mode: str = BANK_FEED) -> frozenset[str]:
    return frozenset(a.code for a in chart(mode) if a.type == "BANK")


def accounts(business: Business, mode: str = BANK_FEED) -> list[XeroRecord]:
    out = []
    for a in chart(mode):
        body: dict = {
            "AccountID": account_id(business, a.code),
            "Code": a.code,
            "Name": a.name,
            "Type": a.type,
            "Status": "ACTIVE",
            "Class": a.klass,
            "TaxType": "NONE",
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": False,
            "HasAttachments": False,
            "UpdatedDateUTC": msdate_time(PEOPLE_EPOCH_MS),
        }
        if a.type == "BANK":
            body.update(
                BankAccountNumber="0000" + ids.stable_digits(6, business.id, *_bank_parts(a.code)),
                BankAccountType="BANK",
                CurrencyCode="USD",
            )
        out.append(XeroRecord(body["AccountID"], PEOPLE_EPOCH_MS, body))
    return out


def contacts(world: World, business: Business, now_ms: int) -> list[XeroRecord]:
    out = []
    for rec in world.pool(business.id).xero:
        seen = rec.at(now_ms)
        if seen:
            out.append(XeroRecord(rec.id, seen[0], seen[1]))
    return out


# -- bank feed -----------------------------------------------------------------------------------


def _bank_transaction(
    business: Business,
    key: str,
    when: date,
    updated_ms: int,
    cents: int,
    reference: str,
    contact: tuple[str, str],
    account_code: str,
    description: str,
) -> XeroRecord:
    txn_id = ids.stable_uuid(business.xero_tenant_id, "bank-transaction", key)
    amount = XeroAmount(abs(cents))
    body = {
        "BankTransactionID": txn_id,
        "Type": "RECEIVE" if cents >= 0 else "SPEND",
        "Contact": {"ContactID": contact[0], "Name": contact[1]},
        "Date": msdate(when),
        "Reference": reference,
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {
                "LineItemID": ids.stable_uuid(txn_id, "line", 0),
                "Description": description,
                "Quantity": 1,
                "UnitAmount": amount,
                "AccountCode": account_code,
                "TaxType": "NONE",
                "TaxAmount": XeroAmount(0),
                "LineAmount": amount,
            }
        ],
        "SubTotal": amount,
        "TotalTax": XeroAmount(0),
        "Total": amount,
        "BankAccount": {
            "AccountID": account_id(business, BANK_CODE),
            "Code": BANK_CODE,
            "Name": "Business Checking",
        },
        "IsReconciled": False,
        "CurrencyCode": "USD",
        "UpdatedDateUTC": msdate_time(updated_ms),
        "HasAttachments": False,
    }
    return XeroRecord(txn_id, updated_ms, body)


def _square_contact(business: Business) -> tuple[str, str]:
    return ids.stable_uuid(business.xero_tenant_id, "contact", "square"), "Square"


def _own_contact(business: Business) -> tuple[str, str]:
    return ids.stable_uuid(business.xero_tenant_id, "contact", "self"), business.name


def _feed_ms(location: Location, day: date) -> int:
    return local_ms(day, location.tz, FEED_HOUR * HOUR_MS)


def _payout_lines(
    world: World, business: Business, now_ms: int, since_ms: int | None
) -> list[XeroRecord]:
    out = []
    for location in business.locations:
        first, last = window(now_ms, location.tz)
        for day in days(first, last):
            # The bank sees the payout on its arrival date, not the day Square sent it.
            pay_day, _ = payout_arrival(location, day)
            feed = _feed_ms(location, pay_day)
            if feed > now_ms or (since_ms is not None and feed <= since_ms):
                continue
            payout = build_payout(world, location, day, now_ms)
            if payout is None:
                continue
            out.append(
                _bank_transaction(
                    business,
                    payout.id,
                    pay_day,
                    feed,
                    payout.amount,
                    payout.id,
                    _square_contact(business),
                    CLEARING_CODE,
                    f"Square payout {payout.id}",
                )
            )
    return out


def _cash_deposits(
    world: World, business: Business, now_ms: int, since_ms: int | None
) -> list[XeroRecord]:
    """Weekly deposit each Monday of the previous Monday-Sunday's cash takings (cafe only)."""
    if business.id != "cafe":
        return []
    location = business.main_location
    first, last = window(now_ms, location.tz)
    out = []
    for monday in days(first + timedelta(days=1), last):
        if monday.weekday() != DEPOSIT_WEEKDAY:
            continue
        feed = _feed_ms(location, monday) - 2 * HOUR_MS
        if feed > now_ms or (since_ms is not None and feed <= since_ms):
            continue
        week = [
            d for d in days(monday - timedelta(days=7), monday - timedelta(days=1)) if d >= first
        ]
        cents = 0
        for owner in world.owner_days(location, now_ms, week[0], week[-1]):
            data = world.day(location, owner)
            cents += sum(
                p.amount
                for p in data.payments
                if p.kind == "CASH" and local_date(p.created, location.tz) in week
            )
            cents -= sum(r.amount for r in data.refunds if r.kind == "CASH" and r.day in week)
        if cents == 0:
            continue
        ref = f"Cash deposit {monday.isoformat()}"
        out.append(
            _bank_transaction(
                business,
                ref,
                monday,
                feed,
                cents,
                ref,
                _own_contact(business),
                CASH_CODE,
                ref,
            )
        )
    return out


def studio_deals(world: World, now_ms: int) -> list[crm.Deal]:
    location = BUSINESSES[crm.STUDIO].main_location
    first, last = window(now_ms, location.tz)
    return [deal for day in days(first, last) for deal in world.studio_deals(day)]


def _invoice_payment_lines(
    world: World, business: Business, now_ms: int, since_ms: int | None
) -> list[XeroRecord]:
    if business.id != crm.STUDIO:
        return []
    out = []
    for deal in studio_deals(world, now_ms):
        inv = deal.invoice
        if inv is None:
            continue
        for pay in inv.payments:
            if pay.at_ms > now_ms or (since_ms is not None and pay.at_ms <= since_ms):
                continue
            ref = f"{inv.number} {pay.label}"
            out.append(
                _bank_transaction(
                    business,
                    pay.payment_id,
                    pay.day,
                    pay.at_ms,
                    pay.cents,
                    ref,
                    (inv.contact_id, inv.contact_name),
                    RECEIVABLES_CODE,
                    f"Payment received for {inv.number}",
                )
            )
    return out


def bank_transactions(
    world: World, business: Business, now_ms: int, since_ms: int | None, mode: str = BANK_FEED
) -> list[XeroRecord]:
    """The feed's reconciled lines. A payout is one only under `bank_feed`: otherwise its
    statement line waits unreconciled for the transaction or transfer Backbone creates."""
    payouts = _payout_lines(world, business, now_ms, since_ms) if mode == BANK_FEED else []
    return (
        payouts
        + _cash_deposits(world, business, now_ms, since_ms)
        + _invoice_payment_lines(world, business, now_ms, since_ms)
    )


# -- invoices ------------------------------------------------------------------------------------


def invoices(world: World, business: Business, now_ms: int) -> list[XeroRecord]:
    if business.id != crm.STUDIO:
        return []
    out = []
    for deal in studio_deals(world, now_ms):
        inv = deal.invoice
        if inv is None or inv.created_ms > now_ms:
            continue
        out.append(invoice_record(inv, now_ms))
    return out


def invoice_record(inv: crm.Invoice, now_ms: int) -> XeroRecord:
    paid = [p for p in inv.payments if p.at_ms <= now_ms]
    amount_paid = sum(p.cents for p in paid)
    status = "PAID" if inv.status == "AUTHORISED" and amount_paid >= inv.cents else inv.status
    updated = max([inv.created_ms] + [p.at_ms for p in paid])
    total = XeroAmount(inv.cents)
    body: dict = {
        "Type": "ACCREC",
        "InvoiceID": inv.id,
        "InvoiceNumber": inv.number,
        "Reference": inv.description,
        "Contact": {"ContactID": inv.contact_id, "Name": inv.contact_name},
        "Date": msdate(inv.day),
        "DueDate": msdate(inv.due),
        "Status": status,
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {
                "LineItemID": ids.stable_uuid(inv.id, "line", 0),
                "Description": inv.description,
                "Quantity": 1,
                "UnitAmount": total,
                "AccountCode": SERVICE_REVENUE_CODE,
                "TaxType": "NONE",
                "TaxAmount": XeroAmount(0),
                "LineAmount": total,
            }
        ],
        "SubTotal": total,
        "TotalTax": XeroAmount(0),
        "Total": total,
        "AmountDue": XeroAmount(inv.cents - amount_paid),
        "AmountPaid": XeroAmount(amount_paid),
        "AmountCredited": XeroAmount(0),
        "CurrencyCode": "USD",
        "SentToContact": inv.status != "DRAFT",
        "IsDiscounted": False,
        "HasAttachments": False,
        "Payments": [
            {
                "PaymentID": p.payment_id,
                "Date": msdate(p.day),
                "Amount": XeroAmount(p.cents),
                "Reference": f"{inv.number} {p.label}",
                "HasAccount": False,
                "HasValidationErrors": False,
            }
            for p in paid
        ],
        "Prepayments": [],
        "Overpayments": [],
        "CreditNotes": [],
        "UpdatedDateUTC": msdate_time(updated),
    }
    if status == "PAID":
        body["FullyPaidOnDate"] = msdate(paid[-1].day)
    return XeroRecord(inv.id, updated, body)
