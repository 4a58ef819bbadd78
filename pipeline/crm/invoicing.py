"""A won deal as Xero invoices, per reference/invoice_rules.csv: the balance invoice (DRAFT,
for the bookkeeper to approve when the work is delivered) and the deposit invoice (DRAFT, for
the bookkeeper to approve and send at once).

Accounting: the deposit is booked to the rule's deposit account (Customer Deposits, a
liability) because nothing is earned when it is paid. The balance invoice carries the deal's
whole amount on the revenue account and takes the deposit back off it on a negative line on
the deposit account, so revenue is recognised once, in full, and the deposit liability clears.

Rounding, stated once: deposit = total x percent / 100, rounded half up to the cent; balance =
total - deposit. Deposit + balance is therefore the total to the cent, whatever the percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pipeline.kernel.money import to_decimal

BALANCE = "balance"
DEPOSIT = "deposit"


@dataclass(frozen=True)
class InvoiceRule:
    business_id: str
    deal_kind: str
    name_pattern: str
    revenue_account: str
    tax_type: str
    deposit_percent: int
    deposit_account: str
    deposit_due_days: int
    balance_due_days: int
    effective_from: date

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> InvoiceRule:
        """From a validated reference row (strings)."""
        ints = ("deposit_percent", "deposit_due_days", "balance_due_days")
        values = {k: (int(v) if k in ints else v) for k, v in row.items() if k in _FIELDS}
        effective = row["effective_from"]
        if isinstance(effective, str):
            effective = date.fromisoformat(effective)
        return cls(**{**values, "effective_from": effective})


_FIELDS = set(InvoiceRule.__dataclass_fields__)


@dataclass(frozen=True)
class WonDeal:
    deal_id: str
    business_id: str
    name: str
    amount_cents: int
    won_on: date  # the business's local date the deal reached the won stage


@dataclass(frozen=True)
class Line:
    description: str
    account_code: str
    tax_type: str
    cents: int


@dataclass(frozen=True)
class InvoiceDraft:
    deal_id: str
    kind: str  # BALANCE | DEPOSIT
    reference: str
    issued: date
    due: date
    lines: tuple[Line, ...]

    @property
    def total_cents(self) -> int:
        return sum(line.cents for line in self.lines)


@dataclass(frozen=True)
class DealInvoices:
    deal: WonDeal
    rule: InvoiceRule
    total_cents: int
    deposit_cents: int
    balance: InvoiceDraft
    deposit: InvoiceDraft | None  # None when the rule asks for no deposit


class ScopeChangeRefused(ValueError):
    """A scope change the rules cannot apply; the message is the one-line reason."""


def rule_for(deal: WonDeal, rules: list[InvoiceRule]) -> InvoiceRule | None:
    """The first rule of the deal's business whose pattern is found in the deal name
    (case-insensitive), or None: a deal no rule describes is not invoiced by Backbone."""
    for rule in rules:
        if rule.business_id == deal.business_id and re.search(
            rule.name_pattern, deal.name, re.IGNORECASE
        ):
            return rule
    return None


def deposit_cents(total_cents: int, percent: int) -> int:
    """total x percent / 100, half up to the cent, in integers (never a float)."""
    if total_cents < 0 or not 0 <= percent <= 100:
        raise ValueError(f"cannot take {percent}% of {total_cents} cents as a deposit")
    return (total_cents * percent * 2 + 100) // 200


def reference(deal: WonDeal) -> str:
    """Backbone's invoices name their deal by id, so a hand-raised invoice (Reference = the
    deal name alone) is never mistaken for one of ours, nor ours for a hand-raised one."""
    return f"{deal.name} (deal {deal.deal_id})"


def invoices_for(deal: WonDeal, rule: InvoiceRule, issued: date) -> DealInvoices:
    """The deal's balance and deposit invoices, issued on `issued` (a local business date)."""
    if deal.amount_cents <= 0:
        raise ValueError(f"deal {deal.deal_id} has no positive amount to invoice")
    return build_invoices(
        deal,
        rule,
        deal.amount_cents,
        deposit_cents(deal.amount_cents, rule.deposit_percent),
        issued,
    )


def build_invoices(
    deal: WonDeal, rule: InvoiceRule, total: int, deposit: int, issued: date
) -> DealInvoices:
    """The two invoices for a total and a deposit already decided (a new deal, a rescope)."""
    ref = reference(deal)
    lines = [Line(deal.name, rule.revenue_account, rule.tax_type, total)]
    deposit_invoice = None
    if deposit:
        percent = f"{rule.deposit_percent}%"
        lines.append(
            Line(
                f"Less deposit invoiced ({percent})", rule.deposit_account, rule.tax_type, -deposit
            )
        )
        deposit_invoice = InvoiceDraft(
            deal.deal_id,
            DEPOSIT,
            f"Deposit: {ref}",
            issued,
            issued + timedelta(days=rule.deposit_due_days),
            (
                Line(
                    f"Deposit {percent}: {deal.name}", rule.deposit_account, rule.tax_type, deposit
                ),
            ),
        )
    balance = InvoiceDraft(
        deal.deal_id,
        BALANCE,
        ref,
        issued,
        issued + timedelta(days=rule.balance_due_days),
        tuple(lines),
    )
    return DealInvoices(deal, rule, total, deposit, balance, deposit_invoice)


def rescope(current: DealInvoices, new_total_cents: int, deposit_paid_cents: int) -> DealInvoices:
    """The deal's invoices after a scope change to `new_total_cents`. The deposit is
    recomputed from the rule while nothing of it is paid; once a payment is on it, it stands
    as invoiced and the balance absorbs the change."""
    if new_total_cents <= 0:
        raise ScopeChangeRefused("the new amount must be above zero")
    if new_total_cents == current.total_cents:
        raise ScopeChangeRefused("the new amount equals the current one: nothing to change")
    deposit = current.deposit_cents
    if deposit_paid_cents == 0:
        deposit = deposit_cents(new_total_cents, current.rule.deposit_percent)
    if new_total_cents < deposit:
        raise ScopeChangeRefused(
            f"the new amount {to_decimal(new_total_cents)} is below the deposit already paid "
            f"({to_decimal(deposit)}); refund or credit it in Xero first"
        )
    deal = replace(current.deal, amount_cents=new_total_cents)
    return build_invoices(deal, current.rule, new_total_cents, deposit, current.balance.issued)


def xero_invoice(draft: InvoiceDraft, contact_id: str) -> dict[str, Any]:
    """The Invoice document (xero_accounting.yaml) for PUT /Invoices or POST
    /Invoices/{InvoiceID}: ACCREC, DRAFT, exact Decimal amounts, Quantity 1 per line."""
    return {
        "Type": "ACCREC",
        "Status": "DRAFT",
        "Contact": {"ContactID": contact_id},
        "Date": draft.issued.isoformat(),
        "DueDate": draft.due.isoformat(),
        "Reference": draft.reference,
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {
                "Description": line.description,
                "Quantity": Decimal(1),
                "UnitAmount": to_decimal(line.cents),
                "AccountCode": line.account_code,
                "TaxType": line.tax_type,
            }
            for line in draft.lines
        ],
    }


def xero_lines_update(draft: InvoiceDraft) -> dict[str, Any]:
    """What a scope change sends for an existing invoice: its lines only (its contact, dates
    and status stay what they are in Xero)."""
    return {"LineItems": xero_invoice(draft, "")["LineItems"]}
