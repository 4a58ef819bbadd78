"""Where a won deal stands on its way to cash, from its invoices' state in Xero, and the HubSpot
deal properties that say so.

The states, in order (docs/crm.md, "The studio loop"):
    draft         Backbone drafted the balance and deposit invoices; nobody approved them yet
    approved      the bookkeeper approved the deposit invoice (AUTHORISED: sent, payable)
    deposit_paid  the deposit invoice is PAID: delivery is released
    paid          the balance invoice is PAID too
    voided        the balance invoice was voided or deleted in Xero
Delivery stays `paused` until the deposit is paid, then `released`. A hand-raised invoice that
Backbone adopted has no deposit invoice: its delivery is released once payments on it reach the
deposit the rules would have asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.kernel.money import to_decimal

PAUSED = "paused"
RELEASED = "released"
PROPERTIES = ("backbone_invoice_status", "backbone_amount_due", "backbone_delivery_status")
_VOID = ("VOIDED", "DELETED")


@dataclass(frozen=True)
class XeroInvoiceState:
    status: str  # Xero's Status
    amount_due_cents: int
    amount_paid_cents: int


@dataclass(frozen=True)
class LoopState:
    status: str
    amount_due_cents: int
    delivery_status: str

    def properties(self) -> dict[str, str]:
        """The HubSpot deal properties, as HubSpot stores them: strings (number as decimal)."""
        return {
            "backbone_invoice_status": self.status,
            "backbone_amount_due": f"{to_decimal(self.amount_due_cents):f}",
            "backbone_delivery_status": self.delivery_status,
        }


def loop_state(
    balance: XeroInvoiceState, deposit: XeroInvoiceState | None, deposit_cents: int
) -> LoopState:
    """The deal's state from its balance invoice and its deposit invoice (None for an adopted
    hand-raised invoice). Amount due is what the customer still owes on both."""
    due = balance.amount_due_cents + (deposit.amount_due_cents if deposit else 0)
    if deposit is None:
        deposit_paid = balance.amount_paid_cents >= deposit_cents or balance.status == "PAID"
    else:
        deposit_paid = deposit.status == "PAID"
    delivery = RELEASED if deposit_paid else PAUSED
    if balance.status in _VOID:
        return LoopState("voided", 0, PAUSED)
    if balance.status == "PAID":
        status = "paid"
    elif deposit_paid:
        status = "deposit_paid"
    elif balance.status == "AUTHORISED" or (deposit is not None and deposit.status == "AUTHORISED"):
        status = "approved"
    else:
        status = "draft"
    return LoopState(status, due, delivery)


def changed(current: dict[str, str], last_sent: dict[str, str] | None) -> dict[str, str]:
    """Only the properties whose value differs from what HubSpot last received from us."""
    sent = last_sent or {}
    return {name: value for name, value in current.items() if sent.get(name) != value}


def _options(values: tuple[str, ...]) -> list[dict[str, object]]:
    return [
        {"label": v.replace("_", " ").capitalize(), "value": v, "displayOrder": i}
        for i, v in enumerate(values)
    ]


STATUSES = ("draft", "approved", "deposit_paid", "paid", "voided")
# HubSpot property definitions (POST /crm/v3/properties/deals), created once per portal.
DEAL_PROPERTY_DEFINITIONS = (
    {
        "name": "backbone_invoice_status",
        "label": "Invoice status (Backbone)",
        "description": "Where the deal's Xero invoices stand; set by Backbone.",
        "groupName": "dealinformation",
        "type": "enumeration",
        "fieldType": "select",
        "options": _options(STATUSES),
    },
    {
        "name": "backbone_amount_due",
        "label": "Amount due (Backbone)",
        "description": "What the customer still owes on the deal's Xero invoices.",
        "groupName": "dealinformation",
        "type": "number",
        "fieldType": "number",
    },
    {
        "name": "backbone_delivery_status",
        "label": "Delivery status (Backbone)",
        "description": "Paused until the deposit invoice is paid, then released.",
        "groupName": "dealinformation",
        "type": "enumeration",
        "fieldType": "select",
        "options": _options((PAUSED, RELEASED)),
    },
)
