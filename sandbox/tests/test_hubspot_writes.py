"""The simulated HubSpot's write side: custom properties, deal edits, contact upserts by a
unique custom property, tasks, 207 partial failures, rate limits, persisted state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox import Sandbox

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer test"}
HS = "/studio/hubspot/crm/v3"


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=AUTH)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:500]
    return response.json()


DEAL_PROPERTY = {
    "name": "backbone_invoice_status",
    "label": "Invoice status",
    "type": "enumeration",
    "fieldType": "select",
    "groupName": "dealinformation",
    "options": [{"label": v, "value": v} for v in ("DRAFT", "AUTHORISED", "PAID")],
}
UNIQUE_ID = {
    "name": "backbone_customer_id",
    "label": "Backbone customer id",
    "type": "string",
    "fieldType": "text",
    "groupName": "contactinformation",
    "hasUniqueValue": True,
}


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(now=NOW, seed=7)


def _won_deal(c: httpx.Client) -> dict:
    deals = _ok(c.get(f"{HS}/objects/deals", params={"limit": 100}))["results"]
    return next(d for d in deals if d["properties"]["dealstage"] == "closedwon")


def test_custom_properties_are_created_listed_and_refused_twice(sb: Sandbox) -> None:
    with _client(sb) as c:
        made = _ok(c.post(f"{HS}/properties/deals", json=DEAL_PROPERTY), 201)
        assert (made["name"], made["type"], made["hubspotDefined"]) == (
            "backbone_invoice_status",
            "enumeration",
            False,
        )
        assert [o["value"] for o in made["options"]] == ["DRAFT", "AUTHORISED", "PAID"]
        listed = _ok(c.get(f"{HS}/properties/0-3"))["results"]
        names = [p["name"] for p in listed]
        assert "dealstage" in names and "backbone_invoice_status" in names
        one = _ok(c.get(f"{HS}/properties/deals/backbone_invoice_status"))
        assert one == made
        again = c.post(f"{HS}/properties/deals", json=DEAL_PROPERTY)
        assert again.status_code == 409
        assert again.json()["category"] == "OBJECT_ALREADY_EXISTS"
        builtin = c.post(f"{HS}/properties/deals", json={**DEAL_PROPERTY, "name": "amount"})
        assert builtin.status_code == 409
        assert c.get(f"{HS}/properties/deals/nope").status_code == 404
        unique = _ok(c.post(f"{HS}/properties/contacts", json=UNIQUE_ID), 201)
        assert unique["hasUniqueValue"] is True
        # A contact property is not a deal property.
        assert c.get(f"{HS}/properties/deals/backbone_customer_id").status_code == 404
        boolean_unique = {**UNIQUE_ID, "name": "flag", "type": "bool"}
        boolean_unique["fieldType"] = "booleancheckbox"
        assert c.post(f"{HS}/properties/contacts", json=boolean_unique).status_code == 400
    assert [w["status"] for w in sb.writes] == [201, 409, 409, 201, 400]


def test_deal_patch_is_visible_on_get_and_unknown_properties_are_refused(sb: Sandbox) -> None:
    with _client(sb) as c:
        _ok(c.post(f"{HS}/properties/deals", json=DEAL_PROPERTY), 201)
        deal = _won_deal(c)
        refused = c.patch(
            f"{HS}/objects/deals/{deal['id']}", json={"properties": {"delivery_status": "paused"}}
        )
        assert refused.status_code == 400
        error = refused.json()
        assert error["category"] == "VALIDATION_ERROR"
        assert error["message"].startswith("Property values were not valid: ")
        problems = json.loads(error["message"].removeprefix("Property values were not valid: "))
        assert problems == [
            {
                "isValid": False,
                "message": 'Property "delivery_status" does not exist',
                "error": "PROPERTY_DOESNT_EXIST",
                "name": "delivery_status",
                "localizedErrorMessage": 'Property "delivery_status" does not exist',
            }
        ]
        bad_option = c.patch(
            f"{HS}/objects/deals/{deal['id']}",
            json={"properties": {"backbone_invoice_status": "SENT"}},
        )
        assert bad_option.status_code == 400 and "INVALID_OPTION" in bad_option.json()["message"]
        patched = _ok(
            c.patch(
                f"{HS}/objects/deals/{deal['id']}",
                json={"properties": {"backbone_invoice_status": "PAID", "amount": "2400.00"}},
            )
        )
        assert patched["properties"]["backbone_invoice_status"] == "PAID"
        assert patched["properties"]["amount"] == "2400.00"
        fetched = _ok(
            c.get(
                f"{HS}/objects/deals/{deal['id']}",
                params={"properties": "backbone_invoice_status,amount,dealstage"},
            )
        )
        assert fetched["properties"]["backbone_invoice_status"] == "PAID"
        assert fetched["properties"]["amount"] == "2400.00"
        assert fetched["properties"]["dealstage"] == "closedwon"
        listed = _ok(
            c.get(
                f"{HS}/objects/deals",
                params={"limit": 100, "properties": "backbone_invoice_status"},
            )
        )["results"]
        values = {d["id"]: d["properties"]["backbone_invoice_status"] for d in listed}
        assert values[deal["id"]] == "PAID"
        assert sum(v is not None for v in values.values()) == 1
        missing = c.patch(f"{HS}/objects/deals/1", json={"properties": {"amount": "1"}})
        assert missing.status_code == 404


def test_deal_batch_update_fails_bad_inputs_alone_with_207(sb: Sandbox) -> None:
    with _client(sb) as c:
        _ok(c.post(f"{HS}/properties/deals", json=DEAL_PROPERTY), 201)
        deals = _ok(c.get(f"{HS}/objects/deals", params={"limit": 3}))["results"]
        inputs = [
            {"id": deals[0]["id"], "properties": {"backbone_invoice_status": "DRAFT"}},
            {"id": deals[1]["id"], "properties": {"amount": "twelve"}},
            {"id": "42", "properties": {"backbone_invoice_status": "PAID"}},
            {"id": deals[2]["id"], "properties": {"backbone_invoice_status": "AUTHORISED"}},
        ]
        answer = c.post(f"{HS}/objects/deals/batch/update", json={"inputs": inputs})
        body = _ok(answer, 207)
        assert body["status"] == "COMPLETE" and body["numErrors"] == 2
        assert [r["id"] for r in body["results"]] == [deals[0]["id"], deals[2]["id"]]
        categories = [(e["category"], e["context"]["ids"]) for e in body["errors"]]
        assert categories == [
            ("VALIDATION_ERROR", [deals[1]["id"]]),
            ("OBJECT_NOT_FOUND", ["42"]),
        ]
        assert all(e["status"] == "error" for e in body["errors"])
        good = c.post(f"{HS}/objects/deals/batch/update", json={"inputs": [inputs[0]]})
        assert _ok(good)["results"][0]["properties"]["backbone_invoice_status"] == "DRAFT"
        after = _ok(c.get(f"{HS}/objects/deals/{deals[1]['id']}"))
        assert after["properties"]["amount"] == deals[1]["properties"]["amount"]
