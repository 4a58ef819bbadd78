"""The simulated HubSpot's answers, and well-formed client payloads, against HubSpot's shapes
(sandbox/tests/hubspot_shapes.py, written from HubSpot's public API reference)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox import Faults, Sandbox
from sandbox.tests.hubspot_shapes import RATE_LIMIT_HEADERS, check

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HS = "/studio/hubspot/crm/v3"
Shape = Callable[[str, Any], None]

UNIQUE = {
    "name": "backbone_customer_id",
    "label": "Backbone customer id",
    "type": "string",
    "fieldType": "text",
    "groupName": "contactinformation",
    "hasUniqueValue": True,
}
DELIVERY = {
    "name": "backbone_delivery_status",
    "label": "Delivery",
    "type": "enumeration",
    "fieldType": "select",
    "groupName": "dealinformation",
    "options": [
        {"label": "Paused", "value": "paused", "hidden": False},
        {"label": "Released", "value": "released", "hidden": False},
    ],
}


class Session:
    """Sends a request whose payload must be of `request` shape, returns the answer's body
    after checking its status and `response` shape."""

    def __init__(self, client: httpx.Client, shape: Shape) -> None:
        self.client, self.shape = client, shape

    def __call__(
        self,
        method: str,
        path: str,
        response: str,
        status: int = 200,
        request: str | None = None,
        body: Any = None,
        **params: str,
    ) -> Any:
        if request is not None:
            self.shape(request, body)
        answer = self.client.request(method, HS + path, json=body, params=params or None)
        assert answer.status_code == status, answer.text[:400]
        if not path.endswith("/search"):
            assert all(h in answer.headers for h in RATE_LIMIT_HEADERS), path
        self.shape(response, answer.json())
        return answer.json()


def test_every_hubspot_endpoint_answers_in_hubspot_shape(hubspot_shape: Shape) -> None:
    sb = Sandbox(now=NOW)
    client = httpx.Client(
        transport=sb.transport(), base_url="http://sandbox", headers={"Authorization": "Bearer t"}
    )
    call = Session(client, hubspot_shape)
    call("POST", "/properties/contacts", "Property", 201, "PropertyCreate", UNIQUE)
    call("POST", "/properties/deals", "Property", 201, "PropertyCreate", DELIVERY)
    call("GET", "/properties/contacts", "CollectionResponseProperty")
    call("GET", "/properties/deals/backbone_delivery_status", "Property")
    upsert = {
        "inputs": [
            {"idProperty": "backbone_customer_id", "id": "C-1", "properties": {"firstname": "A"}},
            {"idProperty": "backbone_customer_id", "id": "C-2", "properties": {"zip": "x"}},
        ]
    }
    made = call(
        "POST",
        "/objects/contacts/batch/upsert",
        "BatchResponseUpsert",
        200,
        "BatchInputUpsert",
        upsert,
    )
    ids = [r["id"] for r in made["results"]]
    bad = {
        "inputs": [{"idProperty": "backbone_customer_id", "id": "C-3", "properties": {"x": "1"}}]
    }
    call(
        "POST",
        "/objects/contacts/batch/upsert",
        "BatchResponseUpsert",
        207,
        "BatchInputUpsert",
        bad,
    )
    update = {"inputs": [{"id": ids[0], "properties": {"lastname": "B"}}]}
    call("POST", "/objects/contacts/batch/update", "BatchResponse", 200, "BatchInputUpdate", update)
    read = {
        "inputs": [{"id": "C-1"}, {"id": "C-404"}],
        "properties": ["firstname"],
        "propertiesWithHistory": [],
        "idProperty": "backbone_customer_id",
    }
    call("POST", "/objects/contacts/batch/read", "BatchResponse", 207, "BatchReadInput", read)
    call("GET", "/objects/contacts", "CollectionResponse", limit="2")
    call("GET", f"/objects/contacts/{ids[0]}", "SimplePublicObject")
    deals = call("GET", "/objects/deals", "CollectionResponse", associations="contacts")
    deal = deals["results"][0]["id"]
    patch = {"properties": {"backbone_delivery_status": "paused"}}
    call("PATCH", f"/objects/deals/{deal}", "SimplePublicObject", 200, "ObjectInput", patch)
    batch = {"inputs": [{"id": deal, "properties": {"backbone_delivery_status": "released"}}]}
    call("POST", "/objects/deals/batch/update", "BatchResponse", 200, "BatchInputUpdate", batch)
    call("GET", f"/objects/deals/{deal}", "SimplePublicObject", properties="amount")
    new_list = {"name": "Refund follow-up", "objectTypeId": "0-1", "processingType": "MANUAL"}
    made_list = call("POST", "/lists", "ListResponse", 200, "ListCreateRequest", new_list)
    list_id = made_list["list"]["listId"]
    call("GET", f"/lists/{list_id}", "ListResponse")
    add = f"/lists/{list_id}/memberships/add"
    call("PUT", add, "MembershipsUpdateResponse", 200, "RecordIds", ids)
    call(
        "PUT",
        f"/lists/{list_id}/memberships/remove",
        "MembershipsUpdateResponse",
        200,
        "RecordIds",
        ids[:1],
    )
    call("GET", f"/lists/{list_id}/memberships", "Memberships")
    task = {
        "properties": {"hs_timestamp": "2026-11-21T09:00:00Z", "hs_task_body": "Call [bb-1]"},
        "associations": [
            {
                "to": {"id": ids[0]},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}],
            }
        ],
    }
    call("POST", "/objects/tasks", "SimplePublicObject", 201, "ObjectInputForCreate", task)
    tasks = {"inputs": [task, {**task, "properties": {"hs_task_body": "no date"}}]}
    call("POST", "/objects/tasks/batch/create", "BatchResponse", 207, "BatchInputForCreate", tasks)
    search = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "hs_task_body", "operator": "CONTAINS_TOKEN", "value": "bb-1"}
                ]
            }
        ],
        "properties": ["hs_task_body"],
        "limit": 100,
        "after": "0",
        "sorts": [],
    }
    found = call(
        "POST", "/objects/tasks/search", "CollectionResponseWithTotal", 200, "SearchRequest", search
    )
    assert found["total"] == 2  # the single task and the batch's good one
    call("GET", "/objects/tasks", "CollectionResponse")
    missing = client.get(f"{HS}/objects/deals/1")
    hubspot_shape("Error", missing.json())
    conflict = client.post(f"{HS}/properties/contacts", json=UNIQUE)
    assert conflict.status_code == 409
    hubspot_shape("Error", conflict.json())
    client.close()


def test_a_rate_limited_answer_is_hubspot_shaped(hubspot_shape: Shape) -> None:
    sb = Sandbox(now=NOW, faults=Faults.parse("429=1"))
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox") as client:
        answer = client.get(f"{HS}/objects/contacts")
    assert answer.status_code == 429
    hubspot_shape("RateLimitError", answer.json())


@pytest.mark.parametrize(
    ("name", "payload", "why"),
    [
        (
            "BatchInputUpsert",
            {"inputs": [{"id": "C-1", "idproperty": "x", "properties": {}}]},
            "idproperty",
        ),
        ("BatchInputUpsert", {"inputs": [{"id": "C-1", "properties": {"n": 5}}]}, "not of type"),
        ("BatchReadInput", {"inputs": [{"id": "1"}], "properties": []}, "propertiesWithHistory"),
        ("PropertyCreate", {**UNIQUE, "type": "text"}, "text"),
        ("PropertyCreate", {**DELIVERY, "options": [{"label": "a", "value": "a"}]}, "hidden"),
        ("SearchRequest", {"filterGroups": [], "properties": [], "limit": 10}, "after"),
        ("RecordIds", [123], "123"),
    ],
)
def test_malformed_payloads_are_caught(name: str, payload: Any, why: str) -> None:
    with pytest.raises(AssertionError, match=why):
        check(name, payload)
