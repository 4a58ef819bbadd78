"""The simulated HubSpot's write side: custom properties, deal edits, contact upserts by a
unique custom property, tasks, 207 partial failures, rate limits, persisted state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox import Faults, Sandbox

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


CAFE = "/cafe/hubspot/crm/v3"
LTV = {
    "name": "backbone_net_ltv",
    "label": "Net lifetime value",
    "type": "number",
    "fieldType": "number",
    "groupName": "contactinformation",
}


def _upsert(c: httpx.Client, inputs: list[dict]) -> httpx.Response:
    for item in inputs:
        item.setdefault("idProperty", "backbone_customer_id")
    return c.post(f"{CAFE}/objects/contacts/batch/upsert", json={"inputs": inputs})


def test_upsert_by_a_unique_custom_property_creates_then_updates(sb: Sandbox) -> None:
    with _client(sb) as c:
        _ok(c.post(f"{CAFE}/properties/contacts", json=UNIQUE_ID), 201)
        _ok(c.post(f"{CAFE}/properties/contacts", json=LTV), 201)
        first = _ok(
            _upsert(
                c,
                [
                    {"id": "C-0001", "properties": {"backbone_net_ltv": "120.50"}},
                    {"id": "C-0002", "properties": {"email": "two@example.com"}},
                ],
            )
        )
        assert [(r["new"], r["properties"]["backbone_customer_id"]) for r in first["results"]] == [
            (True, "C-0001"),
            (True, "C-0002"),
        ]
        one_id = first["results"][0]["id"]
        second = _ok(_upsert(c, [{"id": "C-0001", "properties": {"backbone_net_ltv": "80.00"}}]))
        assert (second["results"][0]["id"], second["results"][0]["new"]) == (one_id, False)
        by_unique = _ok(
            c.get(
                f"{CAFE}/objects/contacts/C-0001",
                params={"idProperty": "backbone_customer_id", "properties": "backbone_net_ltv"},
            )
        )
        assert (by_unique["id"], by_unique["properties"]["backbone_net_ltv"]) == (one_id, "80.00")
        # Not unique: a plain property cannot find a record.
        wrong = c.get(f"{CAFE}/objects/contacts/80.00", params={"idProperty": "backbone_net_ltv"})
        assert wrong.status_code == 400
        read = c.post(
            f"{CAFE}/objects/contacts/batch/read",
            json={
                "idProperty": "backbone_customer_id",
                "inputs": [{"id": "C-0002"}, {"id": "C-9999"}, {"id": "C-0001"}],
                "properties": ["backbone_net_ltv", "email"],
            },
        )
        body = _ok(read, 207)
        assert [r["properties"]["email"] for r in body["results"]] == ["two@example.com", None]
        assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
        assert body["errors"][0]["context"] == {"ids": ["C-9999"]}


def test_upsert_fails_bad_inputs_alone_with_207(sb: Sandbox) -> None:
    with _client(sb) as c:
        _ok(c.post(f"{CAFE}/properties/contacts", json=UNIQUE_ID), 201)
        _ok(c.post(f"{CAFE}/properties/contacts", json=LTV), 201)
        existing = _ok(c.get(f"{CAFE}/objects/contacts", params={"limit": 5}))["results"]
        taken = next(r["properties"]["email"] for r in existing if r["properties"]["email"])
        _ok(_upsert(c, [{"id": "C-0001", "properties": {}}]))
        answer = _upsert(
            c,
            [
                {"id": "C-0010", "properties": {"email": "not-an-email"}},
                {"id": "C-0011", "properties": {"shoe_size": "9"}},
                {"id": "C-0012", "properties": {"backbone_net_ltv": "lots"}},
                {"id": "C-0013", "properties": {"hs_object_id": "5"}},
                {"id": "C-0014", "properties": {"email": taken}},
                {"id": "C-0015", "properties": {"backbone_net_ltv": "10.00"}},
            ],
        )
        body = _ok(answer, 207)
        assert [r["properties"]["backbone_customer_id"] for r in body["results"]] == ["C-0015"]
        assert body["numErrors"] == 5
        found = [(e["category"], e["context"]) for e in body["errors"]]
        assert found[:4] == [
            ("VALIDATION_ERROR", {"ids": ["C-0010"], "names": ["email"]}),
            ("VALIDATION_ERROR", {"ids": ["C-0011"], "names": ["shoe_size"]}),
            ("VALIDATION_ERROR", {"ids": ["C-0012"], "names": ["backbone_net_ltv"]}),
            ("VALIDATION_ERROR", {"ids": ["C-0013"], "names": ["hs_object_id"]}),
        ]
        assert "INVALID_EMAIL" in body["errors"][0]["message"]
        assert "PROPERTY_DOESNT_EXIST" in body["errors"][1]["message"]
        assert found[4][0] == "CONFLICT"
        assert body["errors"][4]["message"].startswith("Contact already exists. Existing ID: ")
        # A unique value another contact holds is refused; the holder keeps it.
        clash = c.post(
            f"{CAFE}/objects/contacts/batch/upsert",
            json={
                "inputs": [
                    {
                        "idProperty": "email",
                        "id": taken,
                        "properties": {"backbone_customer_id": "C-0001"},
                    }
                ]
            },
        )
        clash_body = _ok(clash, 207)
        assert clash_body["results"] == [] and clash_body["errors"][0]["category"] == "CONFLICT"
        dupes = _upsert(c, [{"id": "C-0020", "properties": {}}, {"id": "C-0020", "properties": {}}])
        assert dupes.status_code == 400


def test_the_hubspot207_fault_fails_an_input_once_and_takes_it_on_retry() -> None:
    sb = Sandbox(now=NOW, seed=7, faults=Faults.parse("hubspot207=3"))
    with _client(sb) as c:
        _ok(c.post(f"{CAFE}/properties/contacts", json=UNIQUE_ID), 201)
        inputs = [{"id": f"C-{n:04d}", "properties": {}} for n in range(1, 8)]
        first = _ok(_upsert(c, [dict(i) for i in inputs]), 207)
        refused = [e["context"]["ids"][0] for e in first["errors"]]
        assert refused == ["C-0003", "C-0006"]
        assert len(first["results"]) == 5
        assert [r["id"] for r in first["results"]] == [f"9000000{n}" for n in range(1, 6)]
        retry = _ok(_upsert(c, [dict(i) for i in inputs if i["id"] in refused]))
        assert [r["properties"]["backbone_customer_id"] for r in retry["results"]] == refused
        made = _ok(
            c.post(
                f"{CAFE}/lists",
                json={"name": "Loyalty", "objectTypeId": "0-1", "processingType": "MANUAL"},
            )
        )
        list_id = made["list"]["listId"]
        ids = [r["id"] for r in first["results"]]
        added = _ok(c.put(f"{CAFE}/lists/{list_id}/memberships/add", json=ids))
        # Inputs 8..12 of the Sandbox: the 9th and 12th fail once.
        assert added["recordIdsMissing"] == [ids[1], ids[4]]
        assert added["recordsIdsAdded"] == [ids[0], ids[2], ids[3]]
        retried = added["recordIdsMissing"]
        again = _ok(c.put(f"{CAFE}/lists/{list_id}/memberships/add", json=retried))
        assert again["recordsIdsAdded"] == added["recordIdsMissing"]
        members = _ok(c.get(f"{CAFE}/lists/{list_id}/memberships"))["results"]
        assert sorted(m["recordId"] for m in members) == sorted(ids)


def _task(contact_id: str, marker: str, **props: str) -> dict:
    return {
        "properties": {
            "hs_timestamp": "2026-11-21T09:00:00Z",
            "hs_task_subject": "Follow up on a return",
            "hs_task_body": f"Ask how the exchange went. [{marker}]",
            "hs_task_status": "NOT_STARTED",
            "hs_task_priority": "MEDIUM",
            "hs_task_type": "TODO",
            **props,
        },
        "associations": [
            {
                "to": {"id": contact_id},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}],
            }
        ],
    }


def _where(name: str, operator: str, value: str) -> dict:
    return {"filters": [{"propertyName": name, "operator": operator, "value": value}]}


def test_tasks_are_created_on_a_contact_and_found_again_by_search(sb: Sandbox) -> None:
    with _client(sb) as c:
        contacts = _ok(c.get(f"{CAFE}/objects/contacts", params={"limit": 3}))["results"]
        one, two = contacts[0]["id"], contacts[1]["id"]
        single = _ok(c.post(f"{CAFE}/objects/tasks", json=_task(one, "bb-refund-R1")), 201)
        assert single["properties"]["hs_task_subject"] == "Follow up on a return"
        batch = c.post(
            f"{CAFE}/objects/tasks/batch/create",
            json={
                "inputs": [
                    _task(two, "bb-refund-R2"),
                    _task(two, "bb-refund-R3", hs_task_priority="URGENT"),
                    {**_task(two, "bb-refund-R4"), "properties": {"hs_task_subject": "no date"}},
                    _task("999999999", "bb-refund-R5"),
                ]
            },
        )
        body = _ok(batch, 207)
        assert len(body["results"]) == 1 and body["numErrors"] == 3
        assert "INVALID_OPTION" in body["errors"][0]["message"]
        assert "hs_timestamp" in body["errors"][1]["message"]
        assert "999999999" in body["errors"][2]["message"]
        found = _ok(
            c.post(
                f"{CAFE}/objects/tasks/search",
                json={
                    "filterGroups": [
                        {
                            "filters": [
                                {
                                    "propertyName": "hs_task_body",
                                    "operator": "CONTAINS_TOKEN",
                                    "value": "bb-refund-R2",
                                }
                            ]
                        }
                    ],
                    "properties": ["hs_task_body"],
                    "limit": 100,
                },
            )
        )
        assert found["total"] == 1
        assert found["results"][0]["id"] == body["results"][0]["id"]
        assert found["results"][0]["properties"]["hs_task_body"].endswith("[bb-refund-R2]")
        by_contact = _ok(
            c.post(
                f"{CAFE}/objects/tasks/search",
                json={
                    "filterGroups": [
                        _where("associations.contact", "EQ", one),
                        _where("hs_task_body", "CONTAINS_TOKEN", "R2"),
                    ]
                },
            )
        )
        assert {t["id"] for t in by_contact["results"]} == {single["id"], body["results"][0]["id"]}
        fetched = _ok(
            c.get(
                f"{CAFE}/objects/tasks/{single['id']}",
                params={"properties": "hs_task_status", "associations": "contacts"},
            )
        )
        assert fetched["properties"]["hs_task_status"] == "NOT_STARTED"
        assert fetched["associations"]["contacts"]["results"] == [
            {"id": one, "type": "task_to_contact"}
        ]
        listed = _ok(c.get(f"{CAFE}/objects/tasks"))["results"]
        assert [t["id"] for t in listed] == [single["id"], body["results"][0]["id"]]
        # Tasks take no custom (so no unique) property: a marker in the body is how to find one.
        refused = c.post(f"{CAFE}/properties/tasks", json={**UNIQUE_ID, "groupName": "task"})
        assert refused.status_code == 400
        names = [p["name"] for p in _ok(c.get(f"{CAFE}/properties/0-27"))["results"]]
        assert "hs_timestamp" in names and "backbone_customer_id" not in names
