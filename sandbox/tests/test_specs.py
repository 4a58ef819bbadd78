"""Sandbox responses validated against the vendors' own OpenAPI schemas.

Square: ../shared/vendor-specs/square/api.json, Xero: .../xero/xero_accounting.yaml
(override the folder with $BACKBONE_VENDOR_SPECS). HubSpot publishes no redistributable spec, so
its shapes are covered by sandbox/tests/test_behaviour.py instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.tests.vendor_specs import Validate
from sandbox.world import BUSINESSES

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer spec-test"}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    sb = Sandbox(now=NOW, seed=7)
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=AUTH) as c:
        yield c


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text[:500]
    return response.json()


# -- Square --------------------------------------------------------------------------------------


def _search(
    client: httpx.Client,
    business: str,
    locations: list[str],
    start: str,
    end: str,
    limit: int = 150,
) -> dict:
    body = {
        "location_ids": locations,
        "query": {
            "filter": {"date_time_filter": {"updated_at": {"start_at": start, "end_at": end}}},
            "sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"},
        },
        "limit": limit,
    }
    return _ok(client.post(f"/{business}/square/v2/orders/search", json=body))


def test_square_orders_match_schema(client: httpx.Client, square_schema: Validate) -> None:
    cafe = _search(client, "cafe", ["LCAFE01"], "2026-11-18T12:00:00Z", "2026-11-18T15:00:00Z")
    assert cafe["orders"], "expected cafe orders in a lunchtime window"
    square_schema("SearchOrdersResponse", cafe)
    # A week of both boutique stores: includes return orders (returns, return_amounts, refunds).
    boutique = _search(
        client,
        "boutique",
        ["LBTQSEA", "LBTQPDX"],
        "2026-11-10T00:00:00Z",
        "2026-11-17T00:00:00Z",
        limit=500,
    )
    returns = [o for o in boutique["orders"] if o.get("returns")]
    assert returns, "expected at least one return order in a boutique week"
    square_schema("SearchOrdersResponse", boutique)
    studio = _search(client, "studio", ["LSTUDIO"], "2026-11-16T00:00:00Z", "2026-11-19T00:00:00Z")
    square_schema("SearchOrdersResponse", studio)
    for order in cafe["orders"][:20] + returns[:5]:
        square_schema("Order", order)


def test_square_payments_and_refunds_match_schema(
    client: httpx.Client, square_schema: Validate
) -> None:
    window = {"begin_time": "2026-11-12T00:00:00Z", "end_time": "2026-11-19T00:00:00Z"}
    payments = _ok(client.get("/boutique/square/v2/payments", params=window))
    square_schema("ListPaymentsResponse", payments)
    kinds = {p["source_type"] for p in payments["payments"]}
    assert {"CARD", "WALLET"} <= kinds
    cafe = _ok(client.get("/cafe/square/v2/payments", params={**window, "limit": 100}))
    square_schema("ListPaymentsResponse", cafe)
    assert {p["source_type"] for p in cafe["payments"]} >= {"CARD"}
    refunds = _ok(client.get("/boutique/square/v2/refunds", params=window))
    assert refunds["refunds"], "expected boutique refunds in a week"
    square_schema("ListPaymentRefundsResponse", refunds)
    for refund in refunds["refunds"][:5]:
        square_schema("PaymentRefund", refund)
    for payment in cafe["payments"][:10]:
        square_schema("Payment", payment)


def test_square_cash_wallet_gift_payments_match_schema(
    client: httpx.Client, square_schema: Validate
) -> None:
    # A full cafe day holds every tender kind, including offline ones.
    day = {"begin_time": "2026-11-14T00:00:00-05:00", "end_time": "2026-11-15T00:00:00-05:00"}
    seen: dict[str, dict] = {}
    cursor = None
    while True:
        params = {**day, **({"cursor": cursor} if cursor else {})}
        page = _ok(client.get("/cafe/square/v2/payments", params=params))
        for p in page["payments"]:
            kind = p["source_type"]
            if kind == "CARD" and p["card_details"]["card"]["card_brand"] == "SQUARE_GIFT_CARD":
                kind = "GIFT_CARD"
            if p.get("is_offline_payment"):
                kind = "OFFLINE"
            seen.setdefault(kind, p)
        cursor = page.get("cursor")
        if not cursor:
            break
    assert set(seen) >= {"CARD", "CASH", "WALLET", "GIFT_CARD"}
    for payment in seen.values():
        square_schema("Payment", payment)


def test_square_payouts_match_schema(client: httpx.Client, square_schema: Validate) -> None:
    params = {"begin_time": "2026-11-09T00:00:00Z", "end_time": "2026-11-17T00:00:00Z"}
    payouts = _ok(client.get("/boutique/square/v2/payouts", params=params))
    assert payouts["payouts"]
    square_schema("ListPayoutsResponse", payouts)
    square_schema("Payout", payouts["payouts"][0])
    payout_id = payouts["payouts"][0]["id"]
    entries = _ok(client.get(f"/boutique/square/v2/payouts/{payout_id}/payout-entries"))
    assert entries["payout_entries"]
    square_schema("ListPayoutEntriesResponse", entries)
    square_schema("PayoutEntry", entries["payout_entries"][0])


def test_square_disputes_and_their_payout_entries_match_schema(
    client: httpx.Client, square_schema: Validate
) -> None:
    disputes = _ok(client.get("/boutique/square/v2/disputes"))
    assert disputes["disputes"], "expected a few boutique disputes in the data window"
    square_schema("ListDisputesResponse", disputes)
    states = set()
    for dispute in disputes["disputes"]:
        square_schema("Dispute", dispute)
        states.add(dispute["state"])
    assert {"WON", "LOST"} <= states
    one_location = _ok(
        client.get("/boutique/square/v2/disputes", params={"location_id": "LBTQPDX"})
    )
    square_schema("ListDisputesResponse", one_location)
    assert {d["location_id"] for d in one_location["disputes"]} == {"LBTQPDX"}
    # The payout of the day a dispute opened withholds it with a DISPUTE entry.
    opened = disputes["disputes"][-2]
    params = {"location_id": opened["location_id"], "begin_time": opened["created_at"]}
    for payout in _ok(client.get("/boutique/square/v2/payouts", params=params))["payouts"]:
        entries = _ok(client.get(f"/boutique/square/v2/payouts/{payout['id']}/payout-entries"))
        found = [e for e in entries["payout_entries"] if e["type"] == "DISPUTE"]
        if found:
            square_schema("ListPayoutEntriesResponse", entries)
            for entry in found:
                square_schema("PayoutEntry", entry)
            break
    else:
        pytest.fail("no payout carries a DISPUTE entry after a dispute opened")
    cafe = _ok(client.get("/cafe/square/v2/disputes"))
    square_schema("ListDisputesResponse", cafe)
    assert cafe["disputes"] == []


@pytest.mark.parametrize("business", sorted(BUSINESSES))
def test_square_catalog_customers_locations_match_schema(
    client: httpx.Client, square_schema: Validate, business: str
) -> None:
    catalog = _ok(
        client.get(
            f"/{business}/square/v2/catalog/list",
            params={"types": "ITEM,ITEM_VARIATION,TAX,CATEGORY,MODIFIER_LIST,MODIFIER"},
        )
    )
    square_schema("ListCatalogResponse", catalog)
    for obj in catalog["objects"]:
        square_schema("CatalogObject", obj)
    if business == "cafe":
        assert {"MODIFIER_LIST", "MODIFIER"} <= {obj["type"] for obj in catalog["objects"]}
    customers = _ok(client.get(f"/{business}/square/v2/customers", params={"limit": 100}))
    square_schema("ListCustomersResponse", customers)
    square_schema("Customer", customers["customers"][0])
    locations = _ok(client.get(f"/{business}/square/v2/locations"))
    square_schema("ListLocationsResponse", locations)


def test_square_error_bodies_match_schema(client: httpx.Client, square_schema: Validate) -> None:
    unauthorised = client.get("/cafe/square/v2/payments", headers={"Authorization": ""})
    assert unauthorised.status_code == 401
    square_schema("ListPaymentsResponse", unauthorised.json())
    bad = client.post("/cafe/square/v2/orders/search", json={"location_ids": []})
    assert bad.status_code == 400
    square_schema("SearchOrdersResponse", bad.json())


# -- Xero ----------------------------------------------------------------------------------------


def _xero(client: httpx.Client, business: str, path: str, **params: Any) -> dict:
    headers = {"xero-tenant-id": BUSINESSES[business].xero_tenant_id}
    return _ok(client.get(f"/{business}/xero/api.xro/2.0/{path}", params=params, headers=headers))


@pytest.mark.parametrize("business", sorted(BUSINESSES))
def test_xero_collections_match_schema(
    client: httpx.Client, xero_schema: Validate, business: str
) -> None:
    xero_schema("Accounts", _xero(client, business, "Accounts"))
    contacts = _xero(client, business, "Contacts", page=1)
    assert contacts["Contacts"]
    xero_schema("Contacts", contacts)
    bank = _xero(client, business, "BankTransactions", page=1)
    assert bank["BankTransactions"]
    xero_schema("BankTransactions", bank)
    invoices = _xero(client, business, "Invoices", page=1)
    xero_schema("Invoices", invoices)
    if business == "studio":
        statuses = {inv["Status"] for inv in invoices["Invoices"]}
        assert statuses & {"PAID", "AUTHORISED"}, statuses


def test_xero_manual_journals_match_schema(client: httpx.Client, xero_schema: Validate) -> None:
    headers = {"xero-tenant-id": BUSINESSES["cafe"].xero_tenant_id, "Idempotency-Key": "spec-1"}
    journal = {
        "Narration": "Daily sales summary 2026-11-19",
        "Date": "2026-11-19",
        "JournalLines": [
            {"LineAmount": 1250.5, "AccountCode": "1010", "Description": "Card sales"},
            {"LineAmount": -1250.5, "AccountCode": "4000", "Description": "Revenue"},
        ],
    }
    put = client.put(
        "/cafe/xero/api.xro/2.0/ManualJournals", headers=headers, json={"ManualJournals": [journal]}
    )
    xero_schema("ManualJournals", _ok(put))
    xero_schema("ManualJournals", _xero(client, "cafe", "ManualJournals"))
    unbalanced = dict(journal, JournalLines=journal["JournalLines"][:1] * 2)
    bad = client.put(
        "/cafe/xero/api.xro/2.0/ManualJournals",
        json=unbalanced,
        headers={"xero-tenant-id": BUSINESSES["cafe"].xero_tenant_id},
    )
    assert bad.status_code == 400
    xero_schema("Error", bad.json())
