"""Behaviour of the vendor sandbox: determinism, paging, clock, money consistency, faults, writes.

Most tests share one module-scoped Sandbox so each business day is generated once.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import phonenumbers
import pytest

from sandbox import Faults, Sandbox
from sandbox.checks import (
    order_payment_problems,
    order_problems,
    payment_problems,
    payout_problems,
)
from sandbox.mess import phone_styles
from sandbox.money import mul_ratio_half_up
from sandbox.server import start_background
from sandbox.store import World
from sandbox.web import dumps
from sandbox.world import (
    ACCOUNTS,
    BUSINESSES,
    MODIFIERS,
    TAX_RATES,
    TENDERS,
    standard_tax,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer behaviour-test"}
REFERENCE = Path(__file__).resolve().parents[2] / "reference"


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=AUTH)


def _xero_headers(business: str, **extra: str) -> dict[str, str]:
    return {"xero-tenant-id": BUSINESSES[business].xero_tenant_id, **extra}


@pytest.fixture(scope="module")
def sb() -> Sandbox:
    return Sandbox(now=NOW, seed=7)


@pytest.fixture(scope="module")
def client(sb: Sandbox) -> Iterator[httpx.Client]:
    with _client(sb) as c:
        yield c


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text[:500]
    return response.json()


def _orders_query(locations: list[str], field: str, start: str, end: str, **extra: Any) -> dict:
    return {
        "location_ids": locations,
        "query": {
            "filter": {"date_time_filter": {field: {"start_at": start, "end_at": end}}},
            "sort": {"sort_field": field.upper(), "sort_order": "ASC"},
        },
        **extra,
    }


def _all_orders(client: httpx.Client, business: str, body: dict) -> list[dict]:
    orders, cursor = [], None
    while True:
        page = _ok(
            client.post(
                f"/{business}/square/v2/orders/search",
                json={**body, **({"cursor": cursor} if cursor else {})},
            )
        )
        orders.extend(page["orders"])
        cursor = page.get("cursor")
        if not cursor:
            return orders


def _all_pages(client: httpx.Client, path: str, key: str, **params: Any) -> list[dict]:
    items, cursor = [], None
    while True:
        page = _ok(client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}))
        items.extend(page[key])
        cursor = page.get("cursor")
        if not cursor:
            return items


def _ms(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- the reference world -------------------------------------------------------------------------


def _csv(name: str) -> list[dict[str, str]]:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"reference data not found at {path}")
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_world_matches_reference_csvs() -> None:
    for row in _csv("businesses.csv"):
        b = BUSINESSES[row["business_id"]]
        assert (b.name, b.currency, b.xero_tenant_id) == (
            row["name"],
            row["currency"],
            row["xero_tenant_id"],
        )
    locations = {loc.id: loc for b in BUSINESSES.values() for loc in b.locations}
    rows = _csv("locations.csv")
    assert set(locations) == {r["location_id"] for r in rows}
    for r in rows:
        loc = locations[r["location_id"]]
        assert (
            loc.business_id,
            loc.name,
            loc.timezone,
            loc.jurisdiction,
            loc.country,
            loc.phone,
        ) == (
            r["business_id"],
            r["name"],
            r["timezone"],
            r["jurisdiction"],
            r["country"],
            r["phone"],
        )
    products = {(p.business_id, p.sku): p for b in BUSINESSES.values() for p in b.catalog}
    rows = _csv("products.csv")
    assert set(products) == {(r["business_id"], r["sku"]) for r in rows}
    for r in rows:
        p = products[(r["business_id"], r["sku"])]
        assert (p.name, p.variation, p.barcode, p.tax_category, p.uom, p.revenue_account) == (
            r["name"],
            r["variation"],
            r["barcode"],
            r["tax_category"],
            r["uom"],
            r["revenue_account"],
        )
        assert p.price_cents == int(Decimal(r["price"]) * 100)
    assert [(m.business_id, m.id, m.list_name, m.name, m.price_cents) for m in MODIFIERS] == [
        (
            r["business_id"],
            r["modifier_id"],
            r["modifier_list"],
            r["name"],
            int(Decimal(r["price"]) * 100),
        )
        for r in _csv("modifiers.csv")
    ]
    # Every SKU or name Square spells differently is mapped by the crosswalk, by catalog id.
    crosswalk = {
        (r["business_id"], r["pos_catalog_id"]): r["sku"] for r in _csv("pos_crosswalk.csv")
    }
    for p in products.values():
        if p.square_sku != p.sku:
            assert crosswalk.get((p.business_id, p.variation_id)) == p.sku, p.sku
    assert [(a.code, a.name, a.type, a.klass) for a in ACCOUNTS] == [
        (r["account_code"], r["name"], r["type"], r["class"]) for r in _csv("accounts.csv")
    ]
    assert [
        (
            t.jurisdiction,
            t.tax_category,
            Decimal(t.rate),
            t.payable_account,
            t.effective_from,
            t.effective_to,
        )
        for t in TAX_RATES
    ] == [
        (
            r["jurisdiction"],
            r["tax_category"],
            Decimal(r["rate"]),
            r["payable_account"],
            r["effective_from"],
            r["effective_to"],
        )
        for r in _csv("taxes.csv")
    ]
    assert [
        (
            t.source_type,
            t.card_brand,
            t.wallet_brand,
            t.canonical_tender,
            t.tender_type,
            t.clearing_account,
            t.fee_account,
            t.settles_in_payout,
        )
        for t in TENDERS
    ] == [
        (
            r["source_type"],
            r["card_brand"],
            r["wallet_brand"],
            r["canonical_tender"],
            r["tender_type"],
            r["clearing_account"],
            r["fee_account"],
            r["settles_in_payout"] == "true",
        )
        for r in _csv("tenders.csv")
    ]


def test_catalog_exposes_skus_barcodes_prices_and_taxes(client: httpx.Client) -> None:
    for business in BUSINESSES.values():
        objects = _ok(
            client.get(f"/{business.id}/square/v2/catalog/list", params={"types": "ITEM,TAX"})
        )["objects"]
        variations = {
            v["id"]: v["item_variation_data"]
            for o in objects
            if o["type"] == "ITEM"
            for v in o["item_data"]["variations"]
        }
        assert set(variations) == {p.variation_id for p in business.catalog}
        for p in business.catalog:
            data = variations[p.variation_id]
            # Square's SKU is the reference SKU except where the crosswalk has to map it.
            assert data.get("sku") == p.square_sku
            assert data["price_money"] == {"amount": p.price_cents, "currency": "USD"}
            assert data.get("upc", "") == p.barcode
        taxes = {
            o["tax_data"]["name"]: o["tax_data"]["percentage"]
            for o in objects
            if o["type"] == "TAX"
        }
        expected = {
            loc.jurisdiction: standard_tax(loc.jurisdiction).percentage
            for loc in business.locations
            if standard_tax(loc.jurisdiction)
        }
        assert taxes == expected
    assert _ok(client.get("/cafe/square/v2/catalog/list", params={"types": "ITEM_VARIATION"}))[
        "objects"
    ][0]["id"].startswith("VAR-CAF-")


# -- determinism ---------------------------------------------------------------------------------

_DETERMINISM_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "POST",
        "/cafe/square/v2/orders/search",
        {
            "json": _orders_query(
                ["LCAFE01"], "updated_at", "2026-11-19T14:00:00Z", "2026-11-19T16:00:00Z"
            )
        },
    ),
    (
        "GET",
        "/boutique/square/v2/payments",
        {"params": {"begin_time": "2026-11-17T00:00:00Z", "end_time": "2026-11-19T00:00:00Z"}},
    ),
    ("GET", "/cafe/square/v2/customers", {"params": {"limit": 50}}),
    ("GET", "/studio/hubspot/crm/v3/objects/deals", {"params": {"associations": "contacts"}}),
    ("GET", "/boutique/hubspot/crm/v3/objects/contacts", {"params": {"limit": 100}}),
    ("GET", "/studio/xero/api.xro/2.0/Invoices", {"headers": _xero_headers("studio")}),
    (
        "GET",
        "/studio/xero/api.xro/2.0/BankTransactions",
        {"params": {"page": 2}, "headers": _xero_headers("studio")},
    ),
]


def test_same_seed_and_clock_give_byte_identical_responses(client: httpx.Client) -> None:
    with _client(Sandbox(now=NOW, seed=7)) as other:
        for method, path, kwargs in _DETERMINISM_CALLS:
            first = client.request(method, path, **kwargs)
            second = other.request(method, path, **kwargs)
            assert first.status_code == 200, (path, first.text[:300])
            assert first.content == second.content, path


def test_generation_is_identical_in_a_fresh_process(client: httpx.Client) -> None:
    # Same (seed, now) must reproduce across processes: string seeds, no hash() randomisation.
    method, path, kwargs = _DETERMINISM_CALLS[0]
    script = (
        "import hashlib, json, sys\n"
        "from datetime import UTC, datetime\n"
        "import httpx\n"
        "from sandbox import Sandbox\n"
        "sb = Sandbox(now=datetime(2026, 11, 20, 12, tzinfo=UTC), seed=7)\n"
        "request = httpx.Request('POST', 'http://sandbox' + sys.argv[1],"
        " json=json.loads(sys.argv[2]), headers={'Authorization': 'Bearer x'})\n"
        "print(hashlib.sha256(sb.handle(request).content).hexdigest())\n"
    )
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "4242", "PYTHONPATH": str(repo)}
    env.pop("BACKBONE_SANDBOX_FAULTS", None)
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, path, json.dumps(kwargs["json"])],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    expected = hashlib.sha256(client.request(method, path, **kwargs).content).hexdigest()
    assert out.stdout.strip() == expected


def test_concurrent_requests_are_safe_and_consistent() -> None:
    sb = Sandbox(now=NOW, seed=13)  # a seed no other test uses: generation happens in threads
    calls = _DETERMINISM_CALLS * 4

    def run(call: tuple[str, str, dict[str, Any]]) -> bytes:
        method, path, kwargs = call
        headers = {**AUTH, **kwargs.get("headers", {})}
        request = httpx.Request(
            method,
            "http://sandbox" + path,
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            headers=headers,
        )
        response = sb.handle(request)
        assert response.status_code == 200, response.text[:300]
        return response.content

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, calls))
    n = len(_DETERMINISM_CALLS)
    for i in range(n):
        assert len({results[i + k * n] for k in range(4)}) == 1


def test_other_seed_gives_other_data(client: httpx.Client) -> None:
    method, path, kwargs = _DETERMINISM_CALLS[0]
    with _client(Sandbox(now=NOW, seed=8)) as other:
        assert (
            client.request(method, path, **kwargs).content
            != other.request(method, path, **kwargs).content
        )


# -- paging --------------------------------------------------------------------------------------


def test_order_cursor_paging_returns_every_record_once(client: httpx.Client) -> None:
    body = _orders_query(["LCAFE01"], "created_at", "2026-11-18T05:00:00Z", "2026-11-19T05:00:00Z")
    whole = _ok(client.post("/cafe/square/v2/orders/search", json={**body, "limit": 1000}))
    assert "cursor" not in whole and len(whole["orders"]) > 200
    paged = _all_orders(client, "cafe", {**body, "limit": 37})
    ids = [o["id"] for o in paged]
    assert len(ids) == len(set(ids))
    assert ids == [o["id"] for o in whole["orders"]]


def test_list_paging_returns_every_record_once(client: httpx.Client) -> None:
    params = {"begin_time": "2026-11-18T00:00:00Z", "end_time": "2026-11-19T00:00:00Z"}
    payments = _all_pages(client, "/cafe/square/v2/payments", "payments", limit=17, **params)
    big = _all_pages(client, "/cafe/square/v2/payments", "payments", **params)
    assert [p["id"] for p in payments] == [p["id"] for p in big]
    assert len({p["id"] for p in payments}) == len(payments) > 100
    customers = _all_pages(client, "/cafe/square/v2/customers", "customers", limit=100)
    assert len({c["id"] for c in customers}) == len(customers) > 300
    contacts, after = [], None
    while True:
        page = _ok(
            client.get(
                "/cafe/hubspot/crm/v3/objects/contacts",
                params={"limit": 100, **({"after": after} if after else {})},
            )
        )
        contacts.extend(page["results"])
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
        assert f"after={after}" in page["paging"]["next"]["link"]
    assert len({c["id"] for c in contacts}) == len(contacts) > 250
    xero_ids, page_no = [], 1
    while True:
        body = _ok(
            client.get(
                "/boutique/xero/api.xro/2.0/BankTransactions",
                params={"page": page_no},
                headers=_xero_headers("boutique"),
            )
        )
        if not body["BankTransactions"]:
            break
        xero_ids += [t["BankTransactionID"] for t in body["BankTransactions"]]
        page_no += 1
    assert page_no > 2 and len(set(xero_ids)) == len(xero_ids)
    assert body["pagination"]["itemCount"] == len(xero_ids)


def test_bad_cursor_is_rejected(client: httpx.Client) -> None:
    response = client.get("/cafe/square/v2/payments", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_CURSOR"


# -- time filters and the clock ------------------------------------------------------------------


def test_updated_at_filter_includes_late_offline_arrivals(client: httpx.Client) -> None:
    start, end = "2026-11-18T05:00:00Z", "2026-11-19T05:00:00Z"
    orders = _all_orders(
        client, "cafe", _orders_query(["LCAFE01"], "updated_at", start, end, limit=1000)
    )
    updated = [_ms(o["updated_at"]) for o in orders]
    assert all(_ms(start) <= u < _ms(end) for u in updated)
    assert updated == sorted(updated)
    late = [o for o in orders if _ms(o["created_at"]) < _ms(start)]
    assert late, "offline orders taken on earlier days should arrive in this window"
    assert all(o["tenders"] and o["tenders"][0]["payment_id"] for o in late)
    mismatch = client.post(
        "/cafe/square/v2/orders/search",
        json={
            **_orders_query(["LCAFE01"], "updated_at", start, end),
            "query": {
                "filter": {"date_time_filter": {"updated_at": {"start_at": start}}},
                "sort": {"sort_field": "CREATED_AT"},
            },
        },
    )
    assert mismatch.status_code == 400
    assert mismatch.json()["errors"][0]["category"] == "INVALID_REQUEST_ERROR"


def test_records_appear_only_once_the_clock_passes_them(client: httpx.Client) -> None:
    later = NOW + timedelta(hours=30)
    body = _orders_query(
        ["LCAFE01"], "updated_at", "2026-11-19T12:00:00Z", "2026-11-21T23:00:00Z", limit=1000
    )
    now_orders = _all_orders(client, "cafe", body)
    assert now_orders and all(_ms(o["updated_at"]) <= NOW for o in now_orders)
    with _client(Sandbox(now=later, seed=7)) as future:
        later_orders = _all_orders(future, "cafe", body)
    assert all(_ms(o["updated_at"]) <= later for o in later_orders)
    seen_by_both = [o for o in later_orders if _ms(o["updated_at"]) <= NOW]
    assert [o["id"] for o in seen_by_both] == [o["id"] for o in now_orders]
    assert len(later_orders) > len(now_orders)


def test_refunded_payment_changes_once_the_refund_happens(client: httpx.Client) -> None:
    refunds = _all_pages(
        client,
        "/boutique/square/v2/refunds",
        "refunds",
        begin_time="2026-11-10T00:00:00Z",
        end_time="2026-11-20T00:00:00Z",
    )
    refund = refunds[0]
    refund_at = _ms(refund["updated_at"])
    payments = {
        p["id"]: p
        for p in _all_pages(
            client,
            "/boutique/square/v2/payments",
            "payments",
            begin_time="2026-10-30T00:00:00Z",
            end_time="2026-11-20T00:00:00Z",
        )
    }
    after = payments[refund["payment_id"]]
    assert after["refund_ids"] == [refund["id"]]
    assert after["updated_at"] == refund["updated_at"]
    assert after["refunded_money"] == refund["amount_money"]
    with _client(Sandbox(now=refund_at - timedelta(seconds=1), seed=7)) as earlier:
        before = {
            p["id"]: p
            for p in _all_pages(
                earlier,
                "/boutique/square/v2/payments",
                "payments",
                begin_time="2026-10-30T00:00:00Z",
                end_time="2026-11-20T00:00:00Z",
            )
        }
    original = before[refund["payment_id"]]
    assert "refund_ids" not in original and original["created_at"] == after["created_at"]


# -- money consistency ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("business", "start", "end"),
    [
        ("cafe", "2026-11-15T05:00:00Z", "2026-11-17T05:00:00Z"),
        ("boutique", "2026-11-10T08:00:00Z", "2026-11-17T08:00:00Z"),
        ("studio", "2026-11-10T06:00:00Z", "2026-11-17T06:00:00Z"),
    ],
)
def test_orders_are_internally_consistent_in_cents(
    client: httpx.Client, business: str, start: str, end: str
) -> None:
    locations = list(BUSINESSES[business].location_ids)
    orders = _all_orders(
        client, business, _orders_query(locations, "created_at", start, end, limit=1000)
    )
    assert orders
    payments: dict[str, dict] = {}
    for lid in locations:
        for p in _all_pages(
            client,
            f"/{business}/square/v2/payments",
            "payments",
            location_id=lid,
            begin_time=start,
            end_time=end,
        ):
            payments[p["id"]] = p
    rates = {loc.id: standard_tax(loc.jurisdiction) for loc in BUSINESSES[business].locations}
    problems: list[str] = []
    for order in orders:
        problems += order_problems(order)
        problems += order_payment_problems(order, payments)
        rate = rates[order["location_id"]]
        for line in order.get("line_items", []):
            taxable = _ok_int(line["gross_sales_money"]) - _ok_int(line["total_discount_money"])
            expected = (
                mul_ratio_half_up(taxable, *rate.ratio) if rate and line.get("applied_taxes") else 0
            )
            if _ok_int(line["total_tax_money"]) != expected:
                problems.append(f"{order['id']}: line tax not rounded half-up per line")
    for payment in payments.values():
        problems += payment_problems(payment)
    assert not problems, problems[:10]
    assert all(isinstance(p["amount_money"]["amount"], int) for p in payments.values())


def _ok_int(money: dict) -> int:
    assert isinstance(money["amount"], int), money
    return money["amount"]


def test_cafe_day_has_the_expected_mix(client: httpx.Client) -> None:
    orders = _all_orders(
        client,
        "cafe",
        _orders_query(
            ["LCAFE01"], "created_at", "2026-11-16T05:00:00Z", "2026-11-19T05:00:00Z", limit=1000
        ),
    )
    sales = [o for o in orders if o["line_items"]]
    assert 700 < len(sales) < 1100  # ~300 a day
    tenders = Counter(t["type"] for o in sales for t in o["tenders"])
    total = sum(tenders.values())
    assert 0.08 < tenders["CASH"] / total < 0.22
    assert 0.55 < tenders["CARD"] / total < 0.75
    assert tenders["WALLET"] and tenders["SQUARE_GIFT_CARD"]
    assert 0.25 < sum("customer_id" in o for o in sales) / len(sales) < 0.45
    assert any(o.get("discounts") for o in sales)
    assert any(m for o in sales for li in o["line_items"] for m in li.get("modifiers", []))
    assert any(len(o["tenders"]) == 2 for o in sales)


# -- payouts and the bank feed -------------------------------------------------------------------


def test_payouts_sum_their_entries_and_match_the_bank_feed(client: httpx.Client) -> None:
    window = {"begin_time": "2026-11-09T00:00:00Z", "end_time": "2026-11-17T00:00:00Z"}
    payouts = _all_pages(client, "/cafe/square/v2/payouts", "payouts", **window)
    assert len(payouts) >= 6  # Mon..Fri plus Saturday and Sunday paid on Monday
    problems: list[str] = []
    charged: set[str] = set()
    for payout in payouts:
        entries = _all_pages(
            client, f"/cafe/square/v2/payouts/{payout['id']}/payout-entries", "payout_entries"
        )
        problems += payout_problems(payout, entries)
        charged |= {
            e["type_charge_details"]["payment_id"] for e in entries if e["type"] == "CHARGE"
        }
        assert datetime.fromisoformat(payout["arrival_date"]).weekday() < 5
    assert not problems, problems[:5]
    bank: dict[str, Decimal] = {}
    page_no = 1
    while True:
        r = client.get(
            "/cafe/xero/api.xro/2.0/BankTransactions",
            params={"page": page_no},
            headers=_xero_headers("cafe"),
        )
        txns = json.loads(r.text, parse_float=Decimal)["BankTransactions"]
        if not txns:
            break
        for t in txns:
            bank[t["Reference"]] = t["Total"]
            assert t["BankAccount"]["Code"] == "1090" and t["IsReconciled"] is False
        page_no += 1
    for payout in payouts:
        assert bank[payout["id"]] * 100 == payout["amount_money"]["amount"], payout["id"]
    assert any(ref.startswith("Cash deposit ") for ref in bank)
    # Every settled card/wallet payment of a paid-out day is in exactly one payout.
    day_payments = _all_pages(
        client,
        "/cafe/square/v2/payments",
        "payments",
        begin_time="2026-11-11T05:00:00Z",
        end_time="2026-11-12T05:00:00Z",
    )
    settling = {
        p["id"]
        for p in day_payments
        if not p.get("is_offline_payment")
        and (
            p["source_type"] == "WALLET"
            or (
                p["source_type"] == "CARD"
                and p["card_details"]["card"]["card_brand"] != "SQUARE_GIFT_CARD"
            )
        )
    }
    assert settling and settling <= charged


def test_disputes_move_payouts_and_follow_the_clock() -> None:
    """A dispute withholds its amount when opened, returns it when won, shows its state at now."""
    later = Sandbox(now=NOW + timedelta(days=40), seed=7)
    with _client(Sandbox(now=NOW, seed=7)) as early_client, _client(later) as late_client:
        early = {
            d["id"]: d for d in _all_pages(early_client, "/boutique/square/v2/disputes", "disputes")
        }
        late = {
            d["id"]: d for d in _all_pages(late_client, "/boutique/square/v2/disputes", "disputes")
        }
        # The later clock's 120-day window starts in September: compare what both still cover.
        recent = {k for k, d in early.items() if d["created_at"] >= "2026-10-01"}
        assert recent and recent < set(late)
        for dispute_id in recent:
            d = early[dispute_id]
            assert d["created_at"] <= "2026-11-20T12:00:00.000Z"
            assert late[dispute_id]["version"] >= d["version"]
        # 40 days on, every dispute open at NOW has reached its final state.
        assert {late[k]["state"] for k in recent} <= {"WON", "LOST", "ACCEPTED"}
        assert all(d["card_brand"] != "SQUARE_GIFT_CARD" for d in late.values())
        # Every dispute's money moves show up in the payout of the local day they happened.
        moves: dict[str, list[int]] = {}
        for location in ("LBTQSEA", "LBTQPDX"):
            payouts = _all_pages(
                late_client, "/boutique/square/v2/payouts", "payouts", location_id=location
            )
            for payout in payouts:
                entries = _all_pages(
                    late_client,
                    f"/boutique/square/v2/payouts/{payout['id']}/payout-entries",
                    "payout_entries",
                )
                assert not payout_problems(payout, entries)
                for e in entries:
                    if e["type"] == "DISPUTE":
                        details = e["type_dispute_details"]
                        moves.setdefault(details["dispute_id"], []).append(
                            e["gross_amount_money"]["amount"]
                        )
        oldest_payout_day = min(p["created_at"] for p in payouts)
        for dispute_id, d in late.items():
            if d["created_at"] < oldest_payout_day:
                continue
            amount = d["amount_money"]["amount"]
            expected = [-amount, amount] if d["state"] == "WON" else [-amount]
            assert sorted(moves[dispute_id]) == sorted(expected), dispute_id


def test_studio_invoices_reflect_won_deals(client: httpx.Client) -> None:
    deals = _ok(client.get("/studio/hubspot/crm/v3/objects/deals", params={"limit": 100}))
    won: dict[str, set[Decimal]] = {}
    for d in deals["results"]:
        if d["properties"]["dealstage"] == "closedwon":
            won.setdefault(d["properties"]["dealname"], set()).add(
                Decimal(d["properties"]["amount"])
            )
    assert 40 <= len(deals["results"]) <= 80 and won
    r = client.get("/studio/xero/api.xro/2.0/Invoices", headers=_xero_headers("studio"))
    invoices = json.loads(r.text, parse_float=Decimal)["Invoices"]
    assert invoices and {i["Status"] for i in invoices} <= {"DRAFT", "AUTHORISED", "PAID"}
    for inv in invoices:
        assert inv["Total"] in won[inv["Reference"]]
        assert inv["AmountDue"] + inv["AmountPaid"] == inv["Total"]
        assert inv["Type"] == "ACCREC" and inv["Date"].startswith("/Date(")


# -- faults --------------------------------------------------------------------------------------


def test_fault_spec_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    f = Faults.parse("429=3,429bare=5,5xx=4,slow=7:0.2,malformed")
    assert (
        f.rate_limit_every,
        f.rate_limit_retry_after,
        f.rate_limit_bare_every,
        f.unavailable_every,
        f.slow_every,
        f.slow_seconds,
        f.malformed,
    ) == (3, 1, 5, 4, 7, 0.2, True)
    assert Faults.parse("429=2:0").rate_limit_retry_after == 0
    assert Faults.parse("") == Faults() and not Faults().any
    for bad in ("429", "429=0", "5xx=x", "slow=3", "teapot=4", "429bare=2:1"):
        with pytest.raises(ValueError):
            Faults.parse(bad)
    monkeypatch.setenv("BACKBONE_SANDBOX_FAULTS", "5xx=9")
    assert Faults.from_env() == Faults(unavailable_every=9)
    assert Sandbox(now=NOW).faults == Faults(unavailable_every=9)


def test_faults_fire_on_schedule_in_vendor_shapes() -> None:
    sb = Sandbox(now=NOW, faults=Faults.parse("429=3,5xx=4,429bare=5"))
    with _client(sb) as c:
        statuses, responses = [], []
        for _ in range(12):
            r = c.get("/cafe/square/v2/locations")
            statuses.append(r.status_code)
            responses.append(r)
    # 3: 429; 4 (5xx) and 6 (429) and 9 (429) are skipped because the request before them
    # failed; 5: 429bare; 8: 503; 10: 429bare; 12: 429.
    assert statuses == [200, 200, 429, 200, 429, 200, 200, 503, 200, 429, 200, 429]
    assert responses[2].headers["retry-after"] == "1"
    assert "retry-after" not in responses[4].headers
    assert responses[7].json()["errors"][0] == {
        "category": "API_ERROR",
        "code": "SERVICE_UNAVAILABLE",
        "detail": "Service temporarily unavailable.",
    }
    assert responses[2].json()["errors"][0]["category"] == "RATE_LIMIT_ERROR"


def test_faults_never_hit_consecutive_requests_and_retries_finish() -> None:
    sb = Sandbox(now=NOW, faults=Faults.parse("429=2:0,5xx=3,429bare=5"))
    statuses = []
    with _client(sb) as c:
        for _ in range(30):
            for _attempt in range(2):  # one retry is always enough
                r = c.get("/studio/hubspot/crm/v3/objects/deals", params={"limit": 1})
                statuses.append(r.status_code)
                if r.status_code == 200:
                    break
            assert r.status_code == 200
    failures = [i for i, s in enumerate(statuses) if s != 200]
    assert failures and all(b - a > 1 for a, b in itertools.pairwise(failures))
    assert sb.request_count == len(statuses)


def test_faults_come_before_auth_and_use_each_vendor_shape() -> None:
    sb = Sandbox(now=NOW, faults=Faults.parse("429=1:0"))
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox") as c:
        hubspot = c.get("/cafe/hubspot/crm/v3/objects/contacts")  # no Authorization header
        xero = c.get("/cafe/xero/api.xro/2.0/Accounts")
    assert hubspot.status_code == 429 and hubspot.headers["retry-after"] == "0"
    assert hubspot.json()["errorType"] == "RATE_LIMIT"
    assert xero.status_code == 429 and xero.json()["Title"] == "Too Many Requests"


def test_slow_fault_delays_the_configured_requests() -> None:
    sb = Sandbox(now=NOW, faults=Faults.parse("slow=2:0.15"))
    with _client(sb) as c:
        timings = []
        for _ in range(4):
            started = time.perf_counter()
            assert c.get("/cafe/square/v2/locations").status_code == 200
            timings.append(time.perf_counter() - started)
    assert timings[1] >= 0.15 and timings[3] >= 0.15
    assert timings[0] < 0.15 and timings[2] < 0.15


def test_malformed_fault_adds_one_broken_record_to_first_pages(client: httpx.Client) -> None:
    bad = Sandbox(now=NOW, faults=Faults(malformed=True))
    body = _orders_query(
        ["LCAFE01"], "created_at", "2026-11-18T13:00:00Z", "2026-11-18T16:00:00Z", limit=40
    )
    with _client(bad) as faulty:
        clean1 = _ok(client.post("/cafe/square/v2/orders/search", json=body))
        bad1 = _ok(faulty.post("/cafe/square/v2/orders/search", json=body))
        broken = [o for o in bad1["orders"] if not isinstance(o["total_money"]["amount"], int)]
        assert len(broken) == 1 and len(bad1["orders"]) == len(clean1["orders"]) + 1
        assert [o for o in bad1["orders"] if o is not broken[0]] == clean1["orders"]
        assert broken[0]["id"] not in {o["id"] for o in clean1["orders"]}
        clean2 = _ok(
            client.post("/cafe/square/v2/orders/search", json={**body, "cursor": clean1["cursor"]})
        )
        bad2 = _ok(
            faulty.post("/cafe/square/v2/orders/search", json={**body, "cursor": bad1["cursor"]})
        )
        assert bad2 == clean2

        params = {"begin_time": "2026-11-18T13:00:00Z", "end_time": "2026-11-18T14:00:00Z"}
        payments = _ok(faulty.get("/cafe/square/v2/payments", params=params))["payments"]
        assert sum("id" not in p for p in payments) == 1
        customers = _ok(faulty.get("/cafe/square/v2/customers"))["customers"]
        assert sum(c["created_at"] == "not-a-date" for c in customers) == 1
        contacts = _ok(faulty.get("/cafe/hubspot/crm/v3/objects/contacts"))["results"]
        assert sum(c["createdAt"] == "not-a-date" for c in contacts) == 1
        deals = _ok(faulty.get("/studio/hubspot/crm/v3/objects/deals"))["results"]
        assert sum(d["properties"]["amount"] == "12.5x" for d in deals) == 1
        bank = _ok(
            faulty.get(
                "/cafe/xero/api.xro/2.0/BankTransactions",
                params={"page": 1},
                headers=_xero_headers("cafe"),
            )
        )["BankTransactions"]
        assert sum(t["Total"] == "12.5x" for t in bank) == 1
        page2 = faulty.get(
            "/cafe/xero/api.xro/2.0/BankTransactions",
            params={"page": 2},
            headers=_xero_headers("cafe"),
        )
        clean_page2 = client.get(
            "/cafe/xero/api.xro/2.0/BankTransactions",
            params={"page": 2},
            headers=_xero_headers("cafe"),
        )
        assert page2.json()["BankTransactions"] == clean_page2.json()["BankTransactions"]
    clean_customers = _ok(client.get("/cafe/square/v2/customers"))["customers"]
    assert all(c["created_at"] != "not-a-date" for c in clean_customers)


# -- writes --------------------------------------------------------------------------------------


def _journal(amount: str) -> dict:
    return {
        "Narration": "Daily sales 2026-11-19",
        "Date": "2026-11-19",
        "Status": "POSTED",
        "JournalLines": [
            {"LineAmount": Decimal(amount), "AccountCode": "1010", "Description": "Card"},
            {"LineAmount": -Decimal(amount), "AccountCode": "4000", "Description": "Sales"},
        ],
    }


def _put_journal(c: httpx.Client, journal: dict, key: str | None) -> httpx.Response:
    headers = _xero_headers("boutique", **({"Idempotency-Key": key} if key else {}))
    # dumps writes Decimal amounts as exact JSON numbers (never through float).
    return c.put(
        "/boutique/xero/api.xro/2.0/ManualJournals",
        content=dumps({"ManualJournals": [journal]}),
        headers={**headers, "content-type": "application/json"},
    )


def test_manual_journals_are_idempotent_per_key() -> None:
    sb = Sandbox(now=NOW)
    with _client(sb) as c:
        first = _put_journal(c, _journal("1234.56"), "day-2026-11-19")
        again = _put_journal(c, _journal("1234.56"), "day-2026-11-19")
        assert first.status_code == again.status_code == 200
        assert first.content == again.content
        posted = json.loads(first.text, parse_float=Decimal)["ManualJournals"][0]
        assert posted["JournalLines"][0]["LineAmount"] == Decimal("1234.56")
        assert posted["Status"] == "POSTED" and posted["ManualJournalID"]
        other = _put_journal(c, _journal("10.00"), "day-2026-11-20")
        assert other.json()["ManualJournals"][0]["ManualJournalID"] != posted["ManualJournalID"]
        unbalanced = _journal("5.00")
        unbalanced["JournalLines"][1]["LineAmount"] = Decimal("-4.99")
        rejected = _put_journal(c, unbalanced, "day-bad")
        assert rejected.status_code == 400
        error = rejected.json()
        assert error["Type"] == "ValidationException"
        assert "must equal total credits" in error["Elements"][0]["ValidationErrors"][0]["Message"]
        listed = c.get(
            "/boutique/xero/api.xro/2.0/ManualJournals", headers=_xero_headers("boutique")
        )
        assert len(listed.json()["ManualJournals"]) == 2
    with _client(Sandbox(now=NOW)) as fresh:  # a new Sandbox re-derives the same id from the key
        assert _put_journal(fresh, _journal("1234.56"), "day-2026-11-19").content == first.content
    xero_writes = [w for w in sb.writes if w["vendor"] == "xero"]
    assert [(w["idempotency_key"], w["status"], w["replayed"]) for w in xero_writes] == [
        ("day-2026-11-19", 200, False),
        ("day-2026-11-19", 200, True),
        ("day-2026-11-20", 200, False),
        ("day-bad", 400, False),
    ]
    assert all(w["method"] == "PUT" and w["path"] == "/ManualJournals" for w in xero_writes)


def test_hubspot_upserts_and_lists() -> None:
    sb = Sandbox(now=NOW)
    with _client(sb) as c:
        existing = _ok(c.get("/cafe/hubspot/crm/v3/objects/contacts", params={"limit": 5}))
        target = next(r for r in existing["results"] if r["properties"]["email"])
        email = target["properties"]["email"].strip().upper()
        upsert = _ok(
            c.post(
                "/cafe/hubspot/crm/v3/objects/contacts/batch/upsert",
                json={
                    "inputs": [
                        {
                            "idProperty": "email",
                            "id": email,
                            "properties": {"loyalty_id": "LOY-000001"},
                        },
                        {
                            "idProperty": "email",
                            "id": "new.person@example.com",
                            "properties": {"firstname": "New", "hs_email_optout": False},
                        },
                    ]
                },
            )
        )
        assert upsert["status"] == "COMPLETE"
        updated, created = upsert["results"]
        assert (updated["id"], updated["new"]) == (target["id"], False)
        assert updated["properties"]["loyalty_id"] == "LOY-000001"
        assert created["new"] is True and created["properties"]["hs_email_optout"] == "false"
        fetched = _ok(
            c.get(
                f"/cafe/hubspot/crm/v3/objects/contacts/{target['id']}",
                params={"properties": "loyalty_id"},
            )
        )
        assert fetched["properties"]["loyalty_id"] == "LOY-000001"
        assert fetched["updatedAt"] == "2026-11-20T12:00:00.000Z"

        made = _ok(
            c.post(
                "/cafe/hubspot/crm/v3/lists",
                json={"name": "Lapsed regulars", "objectTypeId": "0-1", "processingType": "MANUAL"},
            )
        )
        list_id = made["list"]["listId"]
        by_name = _ok(c.get("/cafe/hubspot/crm/v3/lists/object-type-id/0-1/name/Lapsed regulars"))
        assert by_name["list"]["listId"] == list_id
        assert c.get("/cafe/hubspot/crm/v3/lists/object-type-id/0-1/name/Nope").status_code == 404
        added = _ok(
            c.put(
                f"/cafe/hubspot/crm/v3/lists/{list_id}/memberships/add",
                json=[target["id"], created["id"], "999999999"],
            )
        )
        assert added == {  # HubSpot's MembershipsUpdateResponse, its `recordsIdsAdded` sic
            "recordsIdsAdded": [target["id"], created["id"]],
            "recordIdsRemoved": [],
            "recordIdsMissing": ["999999999"],
        }
        removed = _ok(
            c.put(f"/cafe/hubspot/crm/v3/lists/{list_id}/memberships/remove", json=[created["id"]])
        )
        assert removed == {
            "recordsIdsAdded": [],
            "recordIdsRemoved": [created["id"]],
            "recordIdsMissing": [],
        }
        members = _ok(c.get(f"/cafe/hubspot/crm/v3/lists/{list_id}/memberships"))
        assert [m["recordId"] for m in members["results"]] == [target["id"]]
        duplicate = c.post(
            "/cafe/hubspot/crm/v3/lists",
            json={"name": "Lapsed regulars", "objectTypeId": "0-1", "processingType": "MANUAL"},
        )
        assert duplicate.status_code == 400 and duplicate.json()["category"] == "VALIDATION_ERROR"
    assert [w["path"] for w in sb.writes] == [
        "/crm/v3/objects/contacts/batch/upsert",
        "/crm/v3/lists",
        "/crm/v3/lists/101/memberships/add",
        "/crm/v3/lists/101/memberships/remove",
        "/crm/v3/lists",
    ]
    with _client(Sandbox(now=NOW)) as other:  # writes stay in their own Sandbox
        fresh = _ok(
            other.get(
                f"/cafe/hubspot/crm/v3/objects/contacts/{target['id']}",
                params={"properties": "loyalty_id"},
            )
        )
        assert fresh["properties"]["loyalty_id"] != "LOY-000001"


# -- auth, tenancy, routing ----------------------------------------------------------------------


def test_auth_tenant_and_routing_errors_use_vendor_shapes(client: httpx.Client) -> None:
    no_auth = {"Authorization": ""}
    square = client.get("/cafe/square/v2/payments", headers=no_auth)
    assert square.status_code == 401
    assert square.json()["errors"][0]["category"] == "AUTHENTICATION_ERROR"
    assert square.json()["errors"][0]["code"] == "UNAUTHORIZED"
    empty_token = client.get("/cafe/square/v2/payments", headers={"Authorization": "Bearer "})
    assert empty_token.status_code == 401
    hubspot = client.get("/cafe/hubspot/crm/v3/objects/contacts", headers=no_auth)
    assert hubspot.status_code == 401 and hubspot.json()["category"] == "INVALID_AUTHENTICATION"
    xero = client.get(
        "/cafe/xero/api.xro/2.0/Accounts", headers={**no_auth, **_xero_headers("cafe")}
    )
    assert xero.status_code == 401 and xero.json()["Title"] == "Unauthorized"
    wrong_tenant = client.get("/cafe/xero/api.xro/2.0/Accounts", headers=_xero_headers("studio"))
    assert wrong_tenant.status_code == 403 and wrong_tenant.json()["Status"] == 403
    assert client.get("/cafe/xero/api.xro/2.0/Accounts").status_code == 403
    unknown = client.get("/bakery/square/v2/payments")
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == "NOT_FOUND"
    assert client.get("/cafe/hubspot/crm/v3/objects/tickets").json()["category"] == (
        "OBJECT_NOT_FOUND"
    )
    assert (
        client.get("/cafe/xero/api.xro/2.0/Quotes", headers=_xero_headers("cafe")).json()["Status"]
        == 404
    )
    assert client.delete("/cafe/square/v2/payments").status_code == 405
    foreign = client.get("/cafe/square/v2/payments", params={"location_id": "LSTUDIO"})
    assert foreign.status_code == 404
    other_payout = _ok(client.get("/studio/square/v2/payouts", params={"limit": 1}))["payouts"][0]
    assert (
        client.get(f"/cafe/square/v2/payouts/{other_payout['id']}/payout-entries").status_code
        == 404
    )


def test_real_http_server_matches_the_transport(client: httpx.Client, sb: Sandbox) -> None:
    server, base_url = start_background(sb)
    try:
        with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as http:
            over_http = http.get("/studio/square/v2/customers", params={"limit": 5})
            search = http.post(
                "/studio/square/v2/orders/search",
                json=_orders_query(
                    ["LSTUDIO"], "created_at", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z"
                ),
            )
            xero = http.get("/studio/xero/api.xro/2.0/Accounts", headers=_xero_headers("studio"))
    finally:
        server.shutdown()
    assert over_http.status_code == 200 and search.status_code == 200 and xero.status_code == 200
    assert (
        over_http.content == client.get("/studio/square/v2/customers", params={"limit": 5}).content
    )
    assert over_http.headers["content-type"].startswith("application/json")
    assert search.json()["orders"]


def test_default_clock_is_noon_utc_and_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKBONE_SANDBOX_NOW", raising=False)
    default = Sandbox().now
    assert (default.hour, default.minute, default.tzinfo) == (12, 0, UTC)
    assert default.date() == datetime.now(UTC).date()
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", "2026-03-01T09:30:00-05:00")
    assert Sandbox().now == datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
    assert Sandbox(now=NOW).now == NOW


# -- people, identity mess, ground truth ---------------------------------------------------------


def test_truth_covers_every_person_record_and_the_mess_is_there(
    client: httpx.Client, sb: Sandbox
) -> None:
    for business in BUSINESSES:
        truth = sb.truth(business)
        customers = _all_pages(client, f"/{business}/square/v2/customers", "customers")
        assert all(("square", c["id"]) in truth for c in customers)
        contacts, after = [], None
        while True:
            page = _ok(
                client.get(
                    f"/{business}/hubspot/crm/v3/objects/contacts",
                    params={
                        "limit": 100,
                        "properties": "email,phone,loyalty_id,hs_email_optout",
                        **({"after": after} if after else {}),
                    },
                )
            )
            contacts += page["results"]
            if "paging" not in page:
                break
            after = page["paging"]["next"]["after"]
        assert all(("hubspot", c["id"]) in truth for c in contacts)
        people = len(set(truth.values()))
        assert 0.5 < len(contacts) / people < 0.75  # ~60% of people are in HubSpot
        per_person = Counter(truth[("square", c["id"])] for c in customers)
        assert any(n > 1 for n in per_person.values()), "expected true duplicates in Square"
        emails = [c.get("email_address") for c in customers]
        assert 0.12 < emails.count(None) / len(emails) < 0.35
        assert any(e and e != e.strip() for e in emails)
        assert any(e and e.strip() != e.strip().lower() for e in emails)
        phones = [c["phone_number"] for c in customers if "phone_number" in c]
        shapes = {re.sub(r"\d", "9", p) for p in phones}
        assert {"(999) 999-9999", "999.999.9999", "+9 999 999 9999", "9999999999"} <= shapes
        optouts = [c["properties"]["hs_email_optout"] for c in contacts]
        assert 0 < optouts.count("true") / len(optouts) < 0.15
    cafe_customers = _all_pages(client, "/cafe/square/v2/customers", "customers")
    shop = BUSINESSES["cafe"].main_location.phone
    shop_styles = {shop, phone_styles(shop[2:])["paren"]}
    generic = [
        c
        for c in cafe_customers
        if c.get("phone_number") in shop_styles | {"0000000000"}
        or c.get("email_address") == "info@junipercafe.example.com"
    ]
    assert generic, "expected a few records carrying the shop's own / placeholder values"
    studio_xero = _ok(
        client.get("/studio/xero/api.xro/2.0/Contacts", headers=_xero_headers("studio"))
    )["Contacts"]
    studio_truth = sb.truth("studio")
    people = [x for x in studio_xero if x["Name"] not in ("Square", "Studio Nine")]
    assert people and all(("xero", x["ContactID"]) in studio_truth for x in people)


def test_person_phones_are_valid_for_their_region_and_never_555() -> None:
    world = World(seed=7)
    for business in BUSINESSES:
        for person in world.pool(business).persons:
            number = phonenumbers.parse("+1" + person.phone)
            assert phonenumbers.is_valid_number(number), person.phone
            assert person.phone[3:6] != "555"
            assert person.email.split("@")[1] in ("example.com", "example.net", "example.org")
