"""The `malformed` fault: one broken record added to page 1 of every record listing.

Each broken record is a copy of a real record on the page (or a skeleton when the page is empty)
with a fresh id and exactly one field made invalid the way real feeds break: a non-numeric
amount, a missing id, an unparseable date. It is an *extra* record, so the well-formed records are
exactly those of the fault-free run. Deterministic: derived only from the page contents.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

from . import ids

BAD_AMOUNT = "12.5x"
BAD_DATE = "not-a-date"

Breaker = Callable[[dict], dict]


def _fresh(record: dict, key: str, style: str) -> dict:
    broken = copy.deepcopy(record)
    seed = json.dumps(record, sort_keys=True, default=str)
    if style == "numeric":
        broken[key] = str(90_000_000 + int(ids.stable_digits(7, "malformed", seed)))
    elif style == "uuid":
        broken[key] = ids.stable_uuid("malformed", seed)
    else:
        broken[key] = ids.stable_alnum(len(str(record.get(key) or "x" * 27)), "malformed", seed)
    return broken


def _order(r: dict) -> dict:
    b = _fresh(r, "id", "alnum")
    b.setdefault("total_money", {"currency": "USD"})["amount"] = BAD_AMOUNT
    return b


def _payment(r: dict) -> dict:
    b = copy.deepcopy(r)
    b.pop("id", None)
    return b


def _refund(r: dict) -> dict:
    b = _fresh(r, "id", "alnum")
    b["created_at"] = BAD_DATE
    return b


def _payout(r: dict) -> dict:
    b = _fresh(r, "id", "alnum")
    b["id"] = "po_" + ids.stable_uuid("malformed", b["id"])
    b.setdefault("amount_money", {"currency": "USD"})["amount"] = BAD_AMOUNT
    return b


def _payout_entry(r: dict) -> dict:
    b = _fresh(r, "id", "alnum")
    b["id"] = "poe_" + b["id"][:26]
    b.setdefault("net_amount_money", {"currency": "USD"})["amount"] = BAD_AMOUNT
    return b


def _dispute(r: dict) -> dict:
    b = _fresh(r, "id", "alnum")
    b.setdefault("amount_money", {"currency": "USD"})["amount"] = BAD_AMOUNT
    return b


def _catalog(r: dict) -> dict:
    b = copy.deepcopy(r)
    b.pop("id", None)
    return b


def _customer(r: dict) -> dict:
    b = _fresh(r, "id", "alnum")
    b["created_at"] = BAD_DATE
    return b


def _hubspot(r: dict) -> dict:
    b = _fresh(r, "id", "numeric")
    props = b.setdefault("properties", {})
    if "hs_object_id" in props:
        props["hs_object_id"] = b["id"]
    return b


def _hubspot_contact(r: dict) -> dict:
    b = _hubspot(r)
    b["createdAt"] = BAD_DATE
    return b


def _hubspot_deal(r: dict) -> dict:
    b = _hubspot(r)
    b["properties"]["amount"] = BAD_AMOUNT
    return b


def _xero_dated(id_key: str, date_key: str) -> Breaker:
    def breaker(r: dict) -> dict:
        b = _fresh(r, id_key, "uuid")
        b[date_key] = BAD_DATE
        return b

    return breaker


def _xero_amount(id_key: str, amount_key: str) -> Breaker:
    def breaker(r: dict) -> dict:
        b = _fresh(r, id_key, "uuid")
        b[amount_key] = BAD_AMOUNT
        return b

    return breaker


# entity -> (breaker, skeleton used when the page has no record to copy)
BREAKERS: dict[str, tuple[Breaker, dict]] = {
    "square.order": (_order, {"id": "", "location_id": "", "state": "COMPLETED"}),
    "square.payment": (_payment, {"status": "COMPLETED", "amount_money": {"currency": "USD"}}),
    "square.refund": (_refund, {"id": "", "status": "COMPLETED", "amount_money": {}}),
    "square.payout": (_payout, {"id": "", "location_id": "", "status": "PAID"}),
    "square.payout_entry": (_payout_entry, {"id": "", "payout_id": "", "type": "CHARGE"}),
    "square.dispute": (_dispute, {"id": "", "state": "EVIDENCE_REQUIRED", "amount_money": {}}),
    "square.catalog": (_catalog, {"type": "ITEM", "item_data": {"name": "?"}}),
    "square.customer": (_customer, {"id": "", "given_name": "?"}),
    "hubspot.contact": (_hubspot_contact, {"id": "", "properties": {}, "archived": False}),
    "hubspot.deal": (_hubspot_deal, {"id": "", "properties": {}, "archived": False}),
    "xero.account": (_xero_dated("AccountID", "UpdatedDateUTC"), {"AccountID": ""}),
    "xero.contact": (_xero_dated("ContactID", "UpdatedDateUTC"), {"ContactID": ""}),
    "xero.bank_transaction": (
        _xero_amount("BankTransactionID", "Total"),
        {"BankTransactionID": "", "Type": "RECEIVE"},
    ),
    "xero.invoice": (_xero_dated("InvoiceID", "Date"), {"InvoiceID": "", "Type": "ACCREC"}),
    "xero.manual_journal": (
        _xero_dated("ManualJournalID", "Date"),
        {"ManualJournalID": "", "Narration": "?"},
    ),
}


def inject(entity: str, page: list[dict]) -> list[dict]:
    """Page 1 with one malformed record inserted (second position, or first if empty)."""
    breaker, skeleton = BREAKERS[entity]
    broken = breaker(page[0] if page else skeleton)
    position = min(1, len(page))
    return [*page[:position], broken, *page[position:]]
