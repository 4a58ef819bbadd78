"""Simulated Xero sales invoices and payments as Xero allows writing them: ACCREC created once
per Idempotency-Key, validation in Xero's shape, updates only while nothing is paid, payments on
AUTHORISED invoices only, PAID once nothing is due; listed by GET /Invoices in their current
state. Requests and answers are validated against xero_accounting.yaml."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.crm import BACKBONE_INVOICING_FROM
from sandbox.ledger import studio_deals
from sandbox.tests.vendor_specs import Validate
from sandbox.world import BUSINESSES

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
TENANT = {"xero-tenant-id": BUSINESSES["studio"].xero_tenant_id}


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(now=NOW, seed=7)


@pytest.fixture
def client(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer invoices-test", **TENANT}
    base = "http://sandbox/studio/xero/api.xro/2.0"
    with httpx.Client(transport=sb.transport(), base_url=base, headers=headers) as c:
        yield c


def _json(response: httpx.Response) -> Any:
    return json.loads(response.text, parse_float=Decimal)


def _contact(client: httpx.Client) -> str:
    contacts = _json(client.get("/Contacts", params={"page": 1}))["Contacts"]
    return next(c["ContactID"] for c in contacts if c.get("IsCustomer", True))


def _invoice(contact_id: str, **extra: Any) -> dict:
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": "2026-12-01",
        "DueDate": "2026-12-31",
        "Reference": "Acme - Team Yoga Series (deal 1)",
        "LineItems": [
            {
                "Description": "Team Yoga Series",
                "Quantity": 1,
                "UnitAmount": 3050.05,
                "AccountCode": "4020",
                "TaxType": "NONE",
            },
            {
                "Description": "Less deposit invoiced (50%)",
                "Quantity": 1,
                "UnitAmount": -1525.03,
                "AccountCode": "2400",
                "TaxType": "NONE",
            },
        ],
        **extra,
    }


def test_an_invoice_is_created_once_per_key_and_listed(client, sb, xero_schema: Validate):
    body = {"Invoices": [_invoice(_contact(client))]}
    xero_schema("Invoices", body)
    first = client.put("/Invoices", json=body, headers={"Idempotency-Key": "deal-1-balance-v1"})
    again = client.put("/Invoices", json=body, headers={"Idempotency-Key": "deal-1-balance-v1"})
    assert first.status_code == again.status_code == 200
    assert first.text == again.text  # the stored answer, not a second invoice
    answer = _json(first)
    xero_schema("Invoices", json.loads(first.text))
    (invoice,) = answer["Invoices"]
    assert (invoice["Status"], invoice["Type"]) == ("DRAFT", "ACCREC")
    assert invoice["Total"] == invoice["AmountDue"] == Decimal("1525.02")
    assert [w["replayed"] for w in sb.writes] == [False, True]
    listed = _json(client.get("/Invoices", params={"page": 1}))["Invoices"]
    assert [i["InvoiceID"] for i in listed].count(invoice["InvoiceID"]) == 1


def test_invalid_invoices_are_refused_in_xeros_shape(client):
    bad = _invoice("00000000-0000-0000-0000-000000000000")
    bad["LineItems"][0] |= {"AccountCode": "9999", "TaxType": "OUTPUT"}
    response = client.put("/Invoices", json={"Invoices": [bad]})
    assert response.status_code == 400
    answer = response.json()
    assert (answer["ErrorNumber"], answer["Type"]) == (10, "ValidationException")
    messages = [e["Message"] for e in answer["Elements"][0]["ValidationErrors"]]
    assert "Account must be valid." in messages
    assert "Tax rate must be valid." in messages
    assert any("contact" in m.lower() for m in messages)
    negative = _invoice(_contact(client))
    negative["LineItems"][1]["UnitAmount"] = -4000
    assert client.put("/Invoices", json=negative).status_code == 400


def test_payments_need_an_authorised_invoice_and_paid_ends_edits(client, xero_schema: Validate):
    created = _json(client.put("/Invoices", json=_invoice(_contact(client))))["Invoices"][0]
    invoice_id = created["InvoiceID"]
    payment = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "1090"},
        "Amount": 1000,
        "Date": "2026-12-05",
    }
    refused = client.put("/Payments", json=payment)
    assert refused.status_code == 400
    assert "Authorised" in refused.text
    edited = client.post(f"/Invoices/{invoice_id}", json={"Status": "AUTHORISED"})
    assert _json(edited)["Invoices"][0]["Status"] == "AUTHORISED"
    xero_schema("Payments", {"Payments": [payment]})
    paid = client.put("/Payments", json=payment)
    assert paid.status_code == 200
    xero_schema("Payments", json.loads(paid.text))
    after = _json(client.get(f"/Invoices/{invoice_id}"))["Invoices"][0]
    assert (after["AmountPaid"], after["AmountDue"]) == (Decimal("1000.00"), Decimal("525.02"))
    assert client.post(f"/Invoices/{invoice_id}", json={"Reference": "x"}).status_code == 400
    too_much = {**payment, "Amount": 600}
    assert "exceeds" in client.put("/Payments", json=too_much).text
    client.put("/Payments", json={**payment, "Amount": "525.02"}).raise_for_status()
    done = _json(client.get(f"/Invoices/{invoice_id}"))["Invoices"][0]
    assert (done["Status"], done["AmountDue"]) == ("PAID", Decimal("0.00"))
    assert len(done["Payments"]) == 2
    assert "FullyPaidOnDate" in done
    refused = client.post(f"/Invoices/{invoice_id}", json={"Status": "VOIDED"})
    assert "not of valid status" in refused.text


def test_a_draft_is_updated_in_place(client):
    created = _json(client.put("/Invoices", json=_invoice(_contact(client))))["Invoices"][0]
    lines = _invoice("")["LineItems"]
    lines[0]["UnitAmount"] = 3550.05
    update = {"LineItems": lines}
    key = {"Idempotency-Key": "deal-1-balance-v2"}
    answer = client.post(f"/Invoices/{created['InvoiceID']}", json=update, headers=key)
    updated = _json(answer)["Invoices"][0]
    assert (updated["InvoiceID"], updated["InvoiceNumber"]) == (
        created["InvoiceID"],
        created["InvoiceNumber"],
    )
    assert (updated["Status"], updated["Total"]) == ("DRAFT", Decimal("2025.02"))


def test_won_deals_from_the_cutover_have_no_hand_raised_invoice(sb):
    tz = BUSINESSES["studio"].main_location.tz
    won = []
    for deal in studio_deals(sb.world, sb.now_ms):
        at, stage = deal.stage_at(sb.now_ms)
        if stage == "closedwon":
            won.append((datetime.fromtimestamp(at / 1000, tz).date(), deal.invoice))
    after = [invoice for day, invoice in won if day >= BACKBONE_INVOICING_FROM]
    before = [invoice for day, invoice in won if day < BACKBONE_INVOICING_FROM]
    assert len(after) >= 3 and all(invoice is None for invoice in after)
    assert sum(invoice is not None for invoice in before) >= len(before) * 0.6
    assert date(2026, 11, 21) == BACKBONE_INVOICING_FROM  # mirrors reference/invoice_rules.csv
